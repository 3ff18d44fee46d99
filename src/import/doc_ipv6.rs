//! The IPv6 objects of the importers' document (`docs/topology.md`, "IPv6") that have no IPv4
//! counterpart in [`super::doc`]: the egress-only internet gateway. IPv6 fields of existing
//! objects (blocks, addresses, IPv6 routes and rules) are fields and variants of `doc` itself.

use serde::Serialize;

/// `egress_only_internet_gateways: { NAME: {...} }` of a VPC: IPv6 out and its replies.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EgressOnlyInternetGateway {
    /// `eigw-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
