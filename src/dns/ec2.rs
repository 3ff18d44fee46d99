//! Amazon-provided EC2 names (§7.6): private IP names (`ip-10-0-0-10.ec2.internal`,
//! `ip-….REGION.compute.internal`), their PTR records, and public hostnames
//! (`ec2-203-0-113-10.compute-1.amazonaws.com`) that resolve to the private IP inside the VPC
//! (and from peers with DNS resolution) and to the public IP elsewhere.

use super::answer::{soa_rr, Found, Rr};
use super::client::Client;
use super::rdata::{RType, Soa, Value};
use super::zones::Zones;
use crate::model::{EniOwner, Network, VpcId};
use std::net::Ipv4Addr;

/// TTL in seconds of Amazon-provided names' records (60, as the Amazon resolver gives).
pub const EC2_TTL: u32 = 60;

/// True for names under `ec2.internal`, `compute.internal`, or the public EC2 domains.
pub fn is_ec2_name(name: &str) -> bool {
    name.ends_with("ec2.internal")
        || name.ends_with("compute.internal")
        || name.ends_with("compute-1.amazonaws.com")
        || name.ends_with("compute.amazonaws.com")
}

/// True for IPv4 reverse names: `in-addr.arpa` or anything below it.
pub fn is_reverse_name(name: &str) -> bool {
    name == "in-addr.arpa" || name.ends_with(".in-addr.arpa")
}

/// The private IP name of an address in a region.
pub fn private_hostname(ip: Ipv4Addr, region: &str) -> String {
    let d = ip.to_string().replace('.', "-");
    if region == "us-east-1" {
        format!("ip-{d}.ec2.internal")
    } else {
        format!("ip-{d}.{region}.compute.internal")
    }
}

/// The public hostname of a public address in a region.
pub fn public_hostname(ip: Ipv4Addr, region: &str) -> String {
    let d = ip.to_string().replace('.', "-");
    if region == "us-east-1" {
        format!("ec2-{d}.compute-1.amazonaws.com")
    } else {
        format!("ec2-{d}.{region}.compute.amazonaws.com")
    }
}

fn dashed_ip(s: &str) -> Option<Ipv4Addr> {
    s.replace('-', ".")
        .parse()
        .ok()
        .filter(|_| s.split('-').count() == 4)
}

/// `ip-a-b-c-d.ec2.internal` → (address, region).
fn parse_private(name: &str) -> Option<(Ipv4Addr, String)> {
    let (label, rest) = name.split_once('.')?;
    let ip = dashed_ip(label.strip_prefix("ip-")?)?;
    let region = if rest == "ec2.internal" {
        "us-east-1".to_string()
    } else {
        rest.strip_suffix(".compute.internal")?.to_string()
    };
    Some((ip, region))
}

/// `ec2-a-b-c-d.compute-1.amazonaws.com` → (address, region).
fn parse_public(name: &str) -> Option<(Ipv4Addr, String)> {
    let (label, rest) = name.split_once('.')?;
    let ip = dashed_ip(label.strip_prefix("ec2-")?)?;
    let region = if rest == "compute-1.amazonaws.com" {
        "us-east-1".to_string()
    } else {
        rest.strip_suffix(".compute.amazonaws.com")?.to_string()
    };
    Some((ip, region))
}

/// `d.c.b.a.in-addr.arpa` → a.b.c.d.
fn parse_reverse(name: &str) -> Option<Ipv4Addr> {
    let p: Vec<&str> = name.strip_suffix(".in-addr.arpa")?.split('.').collect();
    if p.len() != 4 {
        return None;
    }
    format!("{}.{}.{}.{}", p[3], p[2], p[1], p[0]).parse().ok()
}

fn is_rfc1918(ip: Ipv4Addr) -> bool {
    ip.is_private()
}

fn both_attrs(net: &Network, v: VpcId) -> bool {
    let vpc = net.vpc(v);
    vpc.dns_support && vpc.dns_hostnames
}

/// A peering with DNS resolution between two VPCs, both with both DNS attributes on.
fn peered_dns(net: &Network, a: VpcId, b: VpcId) -> bool {
    net.peering_between(a, b)
        .is_some_and(|p| net.peering(p).dns_resolution)
        && both_attrs(net, a)
        && both_attrs(net, b)
}

/// Whether an IP name in `region` resolves from VPC `v`: the VPC needs both attributes; the
/// address must be its own, or RFC 1918 in the same region, or in a peer with DNS resolution.
fn private_name_resolves(net: &Network, v: VpcId, ip: Ipv4Addr, region: &str) -> bool {
    let vpc = net.vpc(v);
    if !both_attrs(net, v) {
        return false;
    }
    if vpc.region == region && (vpc.contains(ip) || is_rfc1918(ip)) {
        return true;
    }
    net.vpcs
        .iter()
        .any(|o| o.region == region && o.contains(ip) && peered_dns(net, v, o.id))
}

fn synthetic_soa(zone: &str) -> Rr {
    soa_rr(
        zone,
        &Soa {
            mname: "ns-0.awsdns-00.com".into(),
            rname: "awsdns-hostmaster.amazon.com".into(),
            serial: 1,
            refresh: 7200,
            retry: 900,
            expire: 1_209_600,
            minimum: 86_400,
        },
    )
}

fn one(name: &str, qtype: Option<RType>, want: RType, value: Value, zone: &str) -> Found {
    if qtype == Some(want) {
        Found::Answer(vec![Rr {
            name: name.to_string(),
            ttl: EC2_TTL,
            value,
        }])
    } else {
        Found::NoData(synthetic_soa(zone))
    }
}

/// Looks up an Amazon-provided name.
pub(crate) fn lookup(z: &Zones, name: &str, qtype: Option<RType>, client: &Client) -> Found {
    let net = &z.net;
    if let Some((ip, region)) = parse_private(name) {
        let zone = name.split_once('.').map(|x| x.1).unwrap_or(name);
        if client
            .vpc
            .is_some_and(|v| private_name_resolves(net, v, ip, &region))
        {
            return one(name, qtype, RType::A, Value::A(ip), zone);
        }
        return Found::NxDomain(synthetic_soa(zone));
    }
    if let Some((ip, region)) = parse_public(name) {
        let zone = name.split_once('.').map(|x| x.1).unwrap_or(name);
        if let Some(eni) = net.eni_by_public_ip(ip).map(|e| net.eni(e)) {
            let vpc = net.vpc(eni.vpc);
            if matches!(eni.owner, EniOwner::Instance(_))
                && both_attrs(net, eni.vpc)
                && vpc.region == region
            {
                let inside = client
                    .vpc
                    .is_some_and(|v| v == eni.vpc || peered_dns(net, v, eni.vpc));
                let addr = if inside { eni.private_ip } else { ip };
                return one(name, qtype, RType::A, Value::A(addr), zone);
            }
        }
        return Found::NxDomain(synthetic_soa(zone));
    }
    if let Some(ip) = parse_reverse(name) {
        if let Some(v) = client.vpc {
            let owner = net
                .vpcs
                .iter()
                .find(|o| o.contains(ip))
                .map(|o| o.region.clone());
            let region = owner.unwrap_or_else(|| net.vpc(v).region.clone());
            if private_name_resolves(net, v, ip, &region) {
                return one(
                    name,
                    qtype,
                    RType::Ptr,
                    Value::Ptr(private_hostname(ip, &region)),
                    "in-addr.arpa",
                );
            }
        }
        if let Some(eni) = net.eni_by_public_ip(ip).map(|e| net.eni(e)) {
            if matches!(eni.owner, EniOwner::Instance(_)) && both_attrs(net, eni.vpc) {
                let region = net.vpc(eni.vpc).region.clone();
                return one(
                    name,
                    qtype,
                    RType::Ptr,
                    Value::Ptr(public_hostname(ip, &region)),
                    "in-addr.arpa",
                );
            }
        }
    }
    let zone = if is_reverse_name(name) {
        "in-addr.arpa"
    } else {
        name.split_once('.').map(|x| x.1).unwrap_or(name)
    };
    Found::NxDomain(synthetic_soa(zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let ip = Ipv4Addr::new(10, 0, 0, 10);
        assert_eq!(
            private_hostname(ip, "us-east-1"),
            "ip-10-0-0-10.ec2.internal"
        );
        assert_eq!(
            private_hostname(ip, "eu-west-1"),
            "ip-10-0-0-10.eu-west-1.compute.internal"
        );
        assert_eq!(
            parse_private("ip-10-0-0-10.eu-west-1.compute.internal"),
            Some((ip, "eu-west-1".into()))
        );
        let p = Ipv4Addr::new(203, 0, 113, 10);
        assert_eq!(
            public_hostname(p, "us-east-1"),
            "ec2-203-0-113-10.compute-1.amazonaws.com"
        );
        assert_eq!(
            parse_public(&public_hostname(p, "ap-south-1")),
            Some((p, "ap-south-1".into()))
        );
        assert_eq!(parse_reverse("10.0.0.10.in-addr.arpa"), Some(ip));
        assert_eq!(parse_private("ip-10-0-0.ec2.internal"), None);
    }
}
