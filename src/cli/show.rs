//! `vpclab show`.

use super::{common, CmdResult, ShowArgs};

/// Prints the resolved network.
pub fn run(a: &ShowArgs) -> CmdResult {
    let _net = common::load_network(&a.file)?;
    Err(super::Fail::other("show: not implemented yet"))
}
