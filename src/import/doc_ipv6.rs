//! The IPv6 objects of the importers' document (`docs/topology.md`, "IPv6") that have no IPv4
//! counterpart in [`super::doc`]: the egress-only internet gateway, and the two ways of writing
//! a VPC's or subnet's block. The other IPv6 fields of existing objects (addresses, IPv6
//! routes and rules) are fields and variants of `doc` itself.

use ipnet::Ipv6Net;
use serde::{Serialize, Serializer};

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

/// A VPC's `ipv6_cidr`: a block as AWS gave it, or `amazon` (a plan's
/// `assign_generated_ipv6_cidr_block`, whose block AWS picks at apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpcBlock {
    /// The block.
    Cidr(Ipv6Net),
    /// `amazon`: the next free /56 of the emulated Amazon pool.
    Amazon,
}

impl VpcBlock {
    /// The block, when written as one.
    pub fn cidr(self) -> Option<Ipv6Net> {
        match self {
            VpcBlock::Cidr(n) => Some(n),
            VpcBlock::Amazon => None,
        }
    }
}

impl Serialize for VpcBlock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            VpcBlock::Cidr(n) => s.serialize_str(&n.to_string()),
            VpcBlock::Amazon => s.serialize_str("amazon"),
        }
    }
}

/// A subnet's `ipv6_cidr`: a /64, or the index of a /64 in its VPC's block (what a plan gets
/// when the block is known only after apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubnetBlock {
    /// The /64.
    Cidr(Ipv6Net),
    /// The block's Nth /64.
    Index(u32),
}

impl SubnetBlock {
    /// The /64, when written as one.
    pub fn cidr(self) -> Option<Ipv6Net> {
        match self {
            SubnetBlock::Cidr(n) => Some(n),
            SubnetBlock::Index(_) => None,
        }
    }
}

impl Serialize for SubnetBlock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SubnetBlock::Cidr(n) => s.serialize_str(&n.to_string()),
            SubnetBlock::Index(i) => s.serialize_u32(*i),
        }
    }
}
