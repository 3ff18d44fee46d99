//! `vpclab graph`.

use super::{common, CmdResult, GraphArgs};

/// Prints a diagram.
pub fn run(a: &GraphArgs) -> CmdResult {
    let _net = common::load_network(&a.file)?;
    Err(super::Fail::other("graph: not implemented yet"))
}
