//! `vpclab show FILE [--json]`: the resolved network as human tables or one JSON document
//! (VPCs with subnets, route tables with the implicit local routes, NACLs with the `*` rule,
//! security groups, instances with addresses, MACs and ids, NAT gateways, peerings, hosts).

use super::{common, CmdResult, ShowArgs};
use vpclab::model::show::{to_json, to_text};

/// Prints the resolved network.
pub fn run(a: &ShowArgs) -> CmdResult {
    let net = common::load_network(&a.file)?;
    if a.json {
        common::print_json(&to_json(&net))?;
    } else {
        print!("{}", to_text(&net));
    }
    Ok(common::EXIT_OK)
}
