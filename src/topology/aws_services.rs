//! The AWS services a topology may declare (`aws_services:`) or imply (an endpoint, a
//! `pl:com.amazonaws.REGION.SERVICE` reference): their names, which ones have gateway
//! endpoints and AWS-managed prefix lists, and the addresses vpclab puts them on when the file
//! gives none. Validation checks names against this vocabulary; `model::build` materialises
//! the services and their prefix lists from it.
//!
//! Addresses: AWS's own ranges for us-east-1's S3 and DynamoDB (the managed prefix lists
//! `pl-63a5400a` and `pl-02cd2c6b`, as `describe-prefix-lists` returns them in the Batfish
//! corpus); for every other region and service a synthetic block under 52.100.0.0/11 (one /16
//! per region, by its position in `regions::REGIONS`) and a synthetic `pl-` id. An imported
//! prefix list (`aws_services: [{ service, prefix_list }]`) replaces both.

use super::regions::REGIONS;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// The services vpclab answers recognisably (S3 and DynamoDB also through gateway endpoints);
/// any other `[a-z0-9-]` name is accepted as an interface-endpoint service that answers
/// generically (imports name many: `cloudtrail`, `ec2`, …).
pub const KNOWN: &[&str] = &["s3", "dynamodb", "sqs", "sts", "ssm", "logs", "execute-api"];

/// The services that have gateway endpoints and AWS-managed prefix lists.
pub const GATEWAY: &[&str] = &["s3", "dynamodb"];

/// AWS's prefix for service and prefix-list names (`com.amazonaws.us-east-1.s3`).
pub const AWS_PREFIX: &str = "com.amazonaws.";

/// True when `service` has gateway endpoints (S3, DynamoDB).
pub fn has_gateway(service: &str) -> bool {
    GATEWAY.contains(&service)
}

/// Splits a service name as written: `s3` → (None, `s3`); `com.amazonaws.eu-west-1.s3` →
/// (Some(`eu-west-1`), `s3`). Err: the reason it is no service name.
pub fn parse_service(s: &str) -> Result<(Option<&str>, &str), String> {
    let (region, short) = match s.strip_prefix(AWS_PREFIX) {
        Some(rest) => match rest.split_once('.') {
            Some((r, n)) => (Some(r), n),
            None => return Err(format!("`{s}` is not com.amazonaws.REGION.SERVICE")),
        },
        None => (None, s),
    };
    let ok = !short.is_empty()
        && short
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        return Err(format!(
            "`{s}` is not an AWS service name (s3, dynamodb, sqs, … or com.amazonaws.REGION.SERVICE)"
        ));
    }
    Ok((region, short))
}

/// AWS's name of a service in a region: `com.amazonaws.us-east-1.s3` (also the name of its
/// managed prefix list).
pub fn full_name(region: &str, service: &str) -> String {
    format!("{AWS_PREFIX}{region}.{service}")
}

/// A `pl:NAME` that names an AWS-managed prefix list: (region, service) when NAME is
/// `com.amazonaws.REGION.s3` or `….dynamodb`.
pub fn managed_list_ref(name: &str) -> Option<(&str, &str)> {
    let (region, short) = parse_service(name).ok()?;
    Some((region?, short)).filter(|(_, s)| has_gateway(s))
}

/// The index of a region in `REGIONS` (None for one vpclab does not know: such a region gets
/// index 31, the last synthetic block).
fn region_index(region: &str) -> u8 {
    REGIONS
        .iter()
        .position(|r| r.0 == region)
        .map_or(31, |i| i as u8)
}

/// The index of a service among the interface services' synthetic /24s (known ones first,
/// any other name by a stable hash into the remaining slots).
fn service_index(service: &str) -> u8 {
    match KNOWN.iter().position(|k| *k == service) {
        Some(i) => i as u8,
        None => {
            let h = service.bytes().fold(0x811c_9dc5u32, |h, b| {
                (h ^ b as u32).wrapping_mul(0x0100_0193)
            });
            KNOWN.len() as u8 + (h % 40) as u8
        }
    }
}

/// The default CIDRs of a gateway service's managed prefix list in `region`.
pub fn default_prefix_list(region: &str, service: &str) -> Vec<Ipv4Net> {
    let nets: &[&str] = match (region, service) {
        ("us-east-1", "s3") => &[
            "54.231.0.0/17",
            "52.216.0.0/15",
            "3.5.16.0/21",
            "3.5.0.0/20",
        ],
        ("us-east-1", "dynamodb") => &["52.94.0.0/22", "52.119.224.0/20"],
        _ => &[],
    };
    if !nets.is_empty() {
        // The literals above are valid CIDRs.
        return nets.iter().filter_map(|n| n.parse().ok()).collect();
    }
    let r = region_index(region);
    let third = if service == "s3" { 0 } else { 128 };
    let len = if service == "s3" { 17 } else { 20 };
    Ipv4Net::new(Ipv4Addr::new(52, 100 + r, third, 0), len)
        .into_iter()
        .collect()
}

/// The id of a gateway service's managed prefix list in `region`: AWS's for us-east-1, a
/// stable synthetic `pl-` + 8 hex digits elsewhere.
pub fn default_prefix_list_id(region: &str, service: &str) -> String {
    match (region, service) {
        ("us-east-1", "s3") => "pl-63a5400a".into(),
        ("us-east-1", "dynamodb") => "pl-02cd2c6b".into(),
        _ => {
            let h = full_name(region, service)
                .bytes()
                .fold(0x811c_9dc5u32, |h, b| {
                    (h ^ b as u32).wrapping_mul(0x0100_0193)
                });
            format!("pl-{h:08x}")
        }
    }
}

/// Where a service answers when the file gives no `ip`: for a gateway service, base+10 of its
/// prefix list's first CIDR (`prefix_list`); for any other, 52.(100+region).(200+service).10.
pub fn default_address(region: &str, service: &str, prefix_list: &[Ipv4Net]) -> Ipv4Addr {
    if let Some(first) = prefix_list.first() {
        let base = u32::from(first.network());
        let add = if first.prefix_len() <= 28 { 10 } else { 0 };
        return Ipv4Addr::from(base + add);
    }
    Ipv4Addr::new(
        52,
        100 + region_index(region),
        200 + service_index(service),
        10,
    )
}

/// The public DNS name of a service in a region (`s3.us-east-1.amazonaws.com`).
pub fn public_name(region: &str, service: &str) -> String {
    format!("{service}.{region}.amazonaws.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_defaults() {
        assert_eq!(parse_service("s3"), Ok((None, "s3")));
        assert_eq!(
            parse_service("com.amazonaws.eu-west-1.dynamodb"),
            Ok((Some("eu-west-1"), "dynamodb"))
        );
        assert!(parse_service("S3").is_err());
        assert_eq!(
            managed_list_ref("com.amazonaws.us-east-1.s3"),
            Some(("us-east-1", "s3"))
        );
        assert_eq!(managed_list_ref("com.amazonaws.us-east-1.sqs"), None);
        let s3 = default_prefix_list("us-east-1", "s3");
        assert_eq!(
            default_address("us-east-1", "s3", &s3),
            Ipv4Addr::new(54, 231, 0, 10)
        );
        assert_ne!(
            default_address("us-east-1", "sqs", &[]),
            default_address("us-east-1", "sts", &[])
        );
        assert_eq!(default_prefix_list_id("us-east-1", "s3"), "pl-63a5400a");
        assert!(default_prefix_list_id("eu-west-1", "s3").starts_with("pl-"));
    }
}
