//! The document's AWS services and VPC endpoints (`aws_services:` and a VPC's `endpoints:`,
//! docs/topology.md): Serialize-only, as `doc.rs`, shared by both importers.

use ipnet::Ipv4Net;
use serde::Serialize;
use std::net::Ipv4Addr;

/// One `aws_services:` entry in the object form.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct AwsService {
    /// AWS's full name (`com.amazonaws.us-east-1.s3`).
    pub service: String,
    /// The managed prefix list as the input holds it (S3, DynamoDB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_list: Option<ManagedPrefixList>,
}

/// An AWS-managed prefix list's id and CIDRs.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ManagedPrefixList {
    /// `pl-…`.
    pub aws_id: String,
    /// Its IPv4 CIDRs.
    pub entries: Vec<Ipv4Net>,
}

/// A VPC endpoint.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Endpoint {
    /// The service (`com.amazonaws.REGION.NAME`).
    pub service: String,
    /// `gateway` or `interface`.
    #[serde(rename = "type")]
    pub endpoint_type: &'static str,
    /// Gateway: route table names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub route_tables: Vec<String>,
    /// Interface: one ENI per subnet.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<EndpointSubnet>,
    /// Interface: group names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    /// Interface: private DNS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_dns: Option<bool>,
    /// `vpce-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// The Name tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `{ subnet, ip, aws_id }` of an interface endpoint.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EndpointSubnet {
    /// Subnet name.
    pub subnet: String,
    /// The ENI's private IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// The ENI's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
}
