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
    /// Interface: its regional DNS name as AWS listed it ([`regional_dns_name`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_name: Option<String>,
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

/// The regional DNS name of interface endpoint `id` for `SERVICE` in `REGION` among the names
/// AWS lists for it (describe-vpc-endpoints' `DnsEntries`, Terraform's `dns_entry`): of those
/// `vpce-….SERVICE.REGION.vpce.amazonaws.com` names whose first label starts with the id, the
/// one with the shortest first label (the zonal names add `-AZ` to it). None when there is none
/// (private DNS names such as `sqs.us-east-1.amazonaws.com` are not it).
pub fn regional_dns_name<'a>(
    names: impl IntoIterator<Item = &'a str>,
    id: &str,
    service: &str,
    region: &str,
) -> Option<String> {
    let tail = format!(".{service}.{region}.vpce.amazonaws.com");
    names
        .into_iter()
        .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
        .filter(|n| {
            n.strip_suffix(&tail).is_some_and(|label| {
                label.len() <= 63
                    && label
                        .strip_prefix(id)
                        .is_some_and(|r| r.starts_with('-') && r.len() > 1 && !r.ends_with('-'))
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            })
        })
        .min_by_key(|n| n.len())
}

#[cfg(test)]
mod tests {
    use super::regional_dns_name;

    #[test]
    fn the_regional_name_is_the_shortest_of_the_endpoint_names() {
        let names = [
            "vpce-083c-0h4w5u94-us-east-1a.cloudtrail.us-east-1.vpce.amazonaws.com",
            "vpce-083c-0h4w5u94.cloudtrail.us-east-1.vpce.amazonaws.com",
            "cloudtrail.us-east-1.amazonaws.com",
        ];
        assert_eq!(
            regional_dns_name(names, "vpce-083c", "cloudtrail", "us-east-1").as_deref(),
            Some("vpce-083c-0h4w5u94.cloudtrail.us-east-1.vpce.amazonaws.com")
        );
        // Another endpoint's, another service's or a private DNS name is not it.
        assert_eq!(
            regional_dns_name(names, "vpce-999", "cloudtrail", "us-east-1"),
            None
        );
        assert_eq!(
            regional_dns_name(names, "vpce-083c", "sqs", "us-east-1"),
            None
        );
        assert_eq!(
            regional_dns_name(
                ["sqs.us-east-1.amazonaws.com"],
                "vpce-1",
                "sqs",
                "us-east-1"
            ),
            None
        );
    }
}
