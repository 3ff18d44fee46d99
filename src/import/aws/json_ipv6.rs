//! The IPv6 parts of the describe-* JSON (`Ipv6CidrBlockAssociationSet` of VPCs and subnets,
//! an interface's `Ipv6Addresses`), in AWS's shapes. Same rules as [`super::json`]: every
//! field optional, unknown fields ignored.

use super::json::StateOnly;
use serde::Deserialize;

/// One `Ipv6CidrBlockAssociationSet[]` entry of a VPC or a subnet. A VPC's state is
/// `Ipv6CidrBlockState.State`, a subnet's the same key (AWS spells both so).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Ipv6CidrAssociation {
    /// The block (`2600:1f18:4000:100::/56`, a subnet's `/64`).
    pub ipv6_cidr_block: String,
    /// `associating`, `associated`, `disassociating`, `disassociated`, `failing`, `failed`.
    pub ipv6_cidr_block_state: StateOnly,
}

impl Ipv6CidrAssociation {
    /// Whether the block is live: `associated` (an absent state is taken as associated).
    pub fn associated(&self) -> bool {
        self.ipv6_cidr_block_state
            .state
            .as_deref()
            .is_none_or(|s| s == "associated")
    }
}

/// One `Ipv6Addresses[]` entry of a network interface.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Ipv6Address {
    /// The address.
    pub ipv6_address: String,
    /// The interface's primary IPv6 address (AWS's `IsPrimaryIpv6`).
    pub is_primary_ipv6: bool,
}
