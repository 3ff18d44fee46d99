//! describe-vpc-endpoints `VpcEndpoints[]` as AWS writes it: only the fields vpclab uses, all
//! optional, unknown ones ignored (as `json.rs`).

use super::json::Tag;
use super::json_hosts::GroupIdentifier;
use serde::Deserialize;

/// One VPC endpoint.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpcEndpoint {
    /// `vpce-…`.
    pub vpc_endpoint_id: String,
    /// `Gateway`, `Interface`, `GatewayLoadBalancer`, …
    pub vpc_endpoint_type: Option<String>,
    /// Its VPC.
    pub vpc_id: String,
    /// `com.amazonaws.REGION.NAME` (or a PrivateLink service's name).
    pub service_name: String,
    /// `available`, `pending`, `deleted`, …
    pub state: Option<String>,
    /// Gateway: its route tables.
    pub route_table_ids: Vec<String>,
    /// Interface: its subnets.
    pub subnet_ids: Vec<String>,
    /// Interface: its security groups.
    pub groups: Vec<GroupIdentifier>,
    /// Interface: its requester-managed ENIs.
    pub network_interface_ids: Vec<String>,
    /// Interface: private DNS.
    pub private_dns_enabled: Option<bool>,
    /// Interface: its DNS names (regional, zonal, and the private DNS names).
    pub dns_entries: Vec<DnsEntry>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// One of an endpoint's `DnsEntries`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DnsEntry {
    /// The name (`vpce-…-0h4w5u94.sqs.us-east-1.vpce.amazonaws.com`).
    pub dns_name: String,
}
