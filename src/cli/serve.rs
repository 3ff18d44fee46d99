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
    let tls = match (&a.tls_cert, &a.tls_key) {
        (Some(c), Some(k)) => {
            let read = |p: &std::path::PathBuf| {
                std::fs::read_to_string(p)
                    .map_err(|e| Fail::env(format!("serve: {}: {e}", p.display())))
            };
            let cfg = vpclab::services::tls::server_config(&read(c)?, &read(k)?)
                .map_err(|e| Fail::input(format!("serve: {e}")))?;
            Some(cfg)
        }
        _ => None,
    };
    vpclab::backend::serve::run(&a.name, &services, tls)
        .map_err(|e| Fail::env(format!("serve: {e}")))?;
    Ok(0)
}
