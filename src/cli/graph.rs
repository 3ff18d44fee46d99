//! `vpclab graph FILE --format dot|mermaid`: a diagram of VPCs, subnets, instances, gateways,
//! peerings and internet hosts.

use super::{common, CmdResult, GraphArgs, GraphFormat};
use vpclab::model::graph::{dot, mermaid};

/// Prints a diagram.
pub fn run(a: &GraphArgs) -> CmdResult {
    let net = common::load_network(&a.file)?;
    let s = match a.format {
        GraphFormat::Dot => dot(&net),
        GraphFormat::Mermaid => mermaid(&net),
    };
    print!("{s}");
    Ok(common::EXIT_OK)
}
