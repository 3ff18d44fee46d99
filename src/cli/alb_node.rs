//! `vpclab alb-node CONFIG` (hidden): an ALB node's HTTP proxy (`vpclab::backend::alb`),
//! started by the netns backend inside the node's namespace.

use super::common::{CmdResult, Fail};
use clap::Args;
use std::path::PathBuf;

/// `alb-node` (hidden).
#[derive(Args, Debug)]
pub struct AlbNodeArgs {
    /// The node's configuration (JSON written by the daemon; reread when it changes).
    pub config: PathBuf,
}

/// Runs the proxy until killed.
pub fn run(a: &AlbNodeArgs) -> CmdResult {
    vpclab::backend::alb::run(&a.config).map_err(|e| Fail::env(format!("alb-node: {e}")))?;
    Ok(0)
}
