//! `vpclab serve --name HOST SERVICE...` (hidden): the built-in services inside a namespace.

use super::common::{CmdResult, Fail};
use super::ServeArgs;
use vpclab::model::Service;

/// Runs `serve` until killed.
pub fn run(a: &ServeArgs) -> CmdResult {
    let services = a
        .services
        .iter()
        .map(|s| Service::parse(s).map_err(Fail::input))
        .collect::<Result<Vec<_>, _>>()?;
    vpclab::backend::serve::run(&a.name, &services)
        .map_err(|e| Fail::env(format!("serve: {e}")))?;
    Ok(0)
}
