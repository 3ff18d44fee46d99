//! The file's keys for AWS services and VPC endpoints (`docs/topology.md`, "AWS services,
//! endpoints and managed prefix lists"): the top-level `aws_services:` list and a VPC's
//! `endpoints:` map. Serde structs only, as `spec.rs`; `validate/endpoints.rs` checks them.

use super::span::Sp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One entry of `aws_services:`: a service name (`s3`), or the object form with its region,
/// address and (gateway services) managed prefix list.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum AwsServiceDecl {
    /// The short form: `s3`, `sqs`, … or `com.amazonaws.REGION.SERVICE`.
    Name(String),
    /// The object form.
    Full(AwsServiceSpec),
}

impl AwsServiceDecl {
    /// The service name as written.
    pub fn service(&self) -> &str {
        match self {
            AwsServiceDecl::Name(n) => n,
            AwsServiceDecl::Full(f) => &f.service.value,
        }
    }
}

/// `{ service, region, ip, prefix_list }` in `aws_services:`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AwsServiceSpec {
    /// `s3`, `dynamodb`, `sqs`, `sts`, `ssm`, `logs`, `execute-api` (any `[a-z0-9-]` name is
    /// an interface service), or `com.amazonaws.REGION.SERVICE`.
    pub service: Sp<String>,
    /// Its region (default: the one in the full name, else the topology's).
    #[serde(default)]
    pub region: Option<Sp<String>>,
    /// The public address the service answers on (default: from its prefix list, or vpclab's
    /// synthetic block of the region).
    #[serde(default)]
    pub ip: Option<Sp<String>>,
    /// The AWS-managed prefix list of a gateway service (S3, DynamoDB), as
    /// `describe-prefix-lists` returns it; default AWS's for us-east-1, synthetic elsewhere.
    #[serde(default)]
    pub prefix_list: Option<ManagedPrefixList>,
}

/// An AWS-managed prefix list's id and CIDRs.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ManagedPrefixList {
    /// Its id (`pl-63a5400a`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Its CIDRs (IPv4, no duplicates).
    #[serde(default)]
    pub entries: Vec<Sp<String>>,
    /// What a route or SG rule naming it counts against the quotas (default: the number of
    /// entries).
    #[serde(default)]
    pub max_entries: Option<Sp<i64>>,
}

impl<'de> Deserialize<'de> for AwsServiceDecl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::short_form::string_or_map::<D, AwsServiceSpec, _>(
            d,
            "a service name or { service, region, ip, prefix_list }",
            AwsServiceDecl::Name,
            AwsServiceDecl::Full,
        )
    }
}

/// A VPC endpoint (`endpoints: { NAME: {...} }` of a VPC).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcEndpoint {
    /// The service: `s3`, `sqs`, … or `com.amazonaws.REGION.SERVICE` (the VPC's region).
    pub service: Sp<String>,
    /// `gateway` or `interface` (default: `gateway` for S3 and DynamoDB, else `interface`).
    #[serde(default, rename = "type")]
    pub endpoint_type: Option<Sp<String>>,
    /// Gateway: the route tables that get the prefix-list route to the endpoint.
    #[serde(default)]
    pub route_tables: Vec<Sp<String>>,
    /// Interface: the subnets that get an endpoint ENI (at most one per AZ), by name or
    /// `{ subnet, ip, aws_id }`.
    #[serde(default)]
    pub subnets: Vec<Sp<EndpointSubnet>>,
    /// Interface: the ENIs' security groups (default `[default]`).
    #[serde(default)]
    pub security_groups: Option<Vec<Sp<String>>>,
    /// Interface: the service's public name resolves to the ENIs inside the VPC (default
    /// true, as AWS's console; needs both DNS attributes of the VPC).
    #[serde(default)]
    pub private_dns: Option<Sp<bool>>,
    /// Interface: its regional DNS name as AWS gave it, the first of `DnsEntries`
    /// (`vpce-0a1b…-0h4w5u94.SERVICE.REGION.vpce.amazonaws.com`; an import writes it). The zonal
    /// names add `-AZ` to its first label. Default: a first label made from the id and a hash.
    #[serde(default)]
    pub dns_name: Option<Sp<String>>,
    /// Its AWS id (`vpce-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A subnet of an interface endpoint: its name, or the object form with the ENI's address and
/// id.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum EndpointSubnet {
    /// The short form: the subnet's name.
    Name(String),
    /// `{ subnet, ip, aws_id }`.
    Detailed(EndpointInterface),
}

impl EndpointSubnet {
    /// The subnet's name.
    pub fn subnet(&self) -> &str {
        match self {
            EndpointSubnet::Name(n) => n,
            EndpointSubnet::Detailed(d) => &d.subnet,
        }
    }
    /// The ENI's address as written, if any.
    pub fn ip(&self) -> Option<&str> {
        match self {
            EndpointSubnet::Name(_) => None,
            EndpointSubnet::Detailed(d) => d.ip.as_deref(),
        }
    }
    /// The ENI's AWS id as written, if any.
    pub fn aws_id(&self) -> Option<&str> {
        match self {
            EndpointSubnet::Name(_) => None,
            EndpointSubnet::Detailed(d) => d.aws_id.as_deref(),
        }
    }
}

/// `{ subnet, ip, aws_id }`: an interface endpoint's ENI in a subnet.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EndpointInterface {
    /// The subnet.
    pub subnet: String,
    /// The ENI's private IP (default: the next free address after instances').
    #[serde(default)]
    pub ip: Option<String>,
    /// The ENI's AWS id (`eni-…`).
    #[serde(default)]
    pub aws_id: Option<String>,
}

impl<'de> Deserialize<'de> for EndpointSubnet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::short_form::string_or_map::<D, EndpointInterface, _>(
            d,
            "a subnet name or { subnet, ip, aws_id }",
            EndpointSubnet::Name,
            EndpointSubnet::Detailed,
        )
    }
}
