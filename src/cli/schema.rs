//! `vpclab schema`.

use super::CmdResult;

/// Prints the JSON Schema of the topology format.
pub fn run() -> CmdResult {
    let schema = schemars::schema_for!(vpclab::topology::Topology);
    super::common::print_json(&schema)?;
    Ok(0)
}
