//! VPCs (CIDRs, region, account, DNS attributes), their subnets, and which VPC each internet
//! gateway is attached to; the IPv6 parts are in [`super::ipv6`]. What the format cannot hold
//! (a CIDR outside /16../28, a subnet outside its VPC) is left out and reported.

use super::super::doc::{InternetGateway, Subnet, Vpc, VpcDns};
use super::super::names::{description, Namer};
use super::super::report::Outcome;
use super::build::{by_id, Builder, SubnetInfo, VpcInfo};
use super::files::is_region;
use super::json::name_tag;
use super::snapshot::Snapshot;
use ipnet::Ipv4Net;

/// A CIDR the format takes for a VPC or subnet: the network address itself, /16../28.
pub fn block(text: &str) -> Result<Ipv4Net, String> {
    let n: Ipv4Net = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not an IPv4 CIDR"))?;
    if n.trunc() != n {
        return Err(format!("`{text}` has host bits set"));
    }
    if !(16..=28).contains(&n.prefix_len()) {
        return Err(format!("{n} is not /16../28, as AWS requires"));
    }
    Ok(n)
}

/// The RFC 1918 block (0, 1, 2) an address range lies in.
fn rfc1918(n: &Ipv4Net) -> Option<usize> {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
        .iter()
        .position(|b| b.parse::<Ipv4Net>().is_ok_and(|b| b.contains(n)))
}

/// Whether a block lies in 169.254.0.0/16 (never a VPC CIDR).
fn link_local(n: &Ipv4Net) -> bool {
    let o = n.network().octets();
    o[0] == 169 && o[1] == 254
}

/// The region of an AZ name (`us-east-2b` → `us-east-2`), when it has the shape of one.
pub fn az_region(az: &str) -> Option<String> {
    let r = az.trim_end_matches(|c: char| c.is_ascii_lowercase());
    is_region(r).then(|| r.to_string())
}

/// Imports every VPC.
pub fn vpcs(b: &mut Builder, snap: &Snapshot) {
    let mut namer = Namer::new();
    for at in by_id(&snap.vpcs, |v| &v.vpc_id, "Vpc", &mut b.report) {
        let v = &at.item;
        let Some(primary) = v.cidr_block.as_deref() else {
            b.report.add(
                "Vpc",
                &v.vpc_id,
                Outcome::Skipped,
                format!(
                    "no CidrBlock in {} (describe-vpc-classic-link output shares the `Vpcs` key)",
                    at.file
                ),
            );
            continue;
        };
        let cidr = match block(primary) {
            Ok(c) if link_local(&c) => {
                b.report.add(
                    "Vpc",
                    &v.vpc_id,
                    Outcome::Skipped,
                    format!("{c} is link-local"),
                );
                continue;
            }
            Ok(c) => c,
            Err(e) => {
                b.report.add("Vpc", &v.vpc_id, Outcome::Skipped, e);
                continue;
            }
        };
        let mut cidrs = vec![cidr];
        for a in &v.cidr_block_association_set {
            let state = a.cidr_block_state.state.as_deref().unwrap_or("associated");
            if a.cidr_block == primary {
                continue;
            }
            if state != "associated" {
                b.report.add(
                    "VpcCidrBlock",
                    format!("{}/{}", v.vpc_id, a.cidr_block),
                    Outcome::Skipped,
                    format!("state is {state}"),
                );
                continue;
            }
            let why = match block(&a.cidr_block) {
                Err(e) => Some(e),
                Ok(n) if cidrs.iter().any(|c| c.contains(&n) || n.contains(c)) => {
                    Some(format!("{n} overlaps another CIDR of the VPC"))
                }
                Ok(n) if link_local(&n) => Some(format!("{n} is link-local")),
                Ok(n)
                    if rfc1918(&n).is_some()
                        && rfc1918(&cidr).is_some()
                        && rfc1918(&n) != rfc1918(&cidr) =>
                {
                    Some(format!("{n} is from another RFC 1918 block than {cidr}"))
                }
                Ok(n) => {
                    cidrs.push(n);
                    None
                }
            };
            if let Some(why) = why {
                b.report.add(
                    "VpcCidrBlock",
                    format!("{}/{}", v.vpc_id, a.cidr_block),
                    Outcome::Skipped,
                    why,
                );
            }
        }
        let ipv6_cidr = super::ipv6::vpc_block(b, v).map(super::super::doc_ipv6::VpcBlock::Cidr);
        let region = at.region.clone().or_else(|| {
            let mut azs: Vec<String> = snap
                .subnets
                .iter()
                .filter(|s| s.item.vpc_id == v.vpc_id)
                .filter_map(|s| s.item.availability_zone.as_deref().and_then(az_region))
                .collect();
            azs.sort();
            azs.into_iter().next()
        });
        let account = match at.account.clone() {
            Some(a) => b.account(Some(&a)),
            None => b.account(v.owner_id.as_deref()),
        };
        let name = namer.name(name_tag(&v.tags), &v.vpc_id);
        let attr = snap
            .vpc_attributes
            .iter()
            .filter(|(id, _, _)| *id == v.vpc_id);
        let mut dns = VpcDns::default();
        for (_, s, h) in attr {
            dns.support = dns.support.or(*s);
            dns.hostnames = dns.hostnames.or(*h);
        }
        b.doc.vpcs.insert(
            name.clone(),
            Vpc {
                aws_id: Some(v.vpc_id.clone()),
                description: name_tag(&v.tags).map(description),
                account: account.clone(),
                cidr,
                secondary_cidrs: cidrs[1..].to_vec(),
                ipv6_cidr,
                region: region.clone(),
                dns: (dns.support.is_some() || dns.hostnames.is_some()).then_some(dns),
                ..Vpc::default()
            },
        );
        b.index.vpcs.insert(
            v.vpc_id.clone(),
            VpcInfo {
                name,
                cidrs,
                region,
                account,
            },
        );
    }
}

/// Imports every subnet of an imported VPC.
pub fn subnets(b: &mut Builder, snap: &Snapshot) {
    let mut namers: std::collections::BTreeMap<String, Namer> = Default::default();
    // IPv6-only subnets last: their IPv4 placeholder takes no real subnet's block.
    let (mut all, v6only): (Vec<_>, Vec<_>) =
        by_id(&snap.subnets, |s| &s.subnet_id, "Subnet", &mut b.report)
            .into_iter()
            .partition(|at| at.item.cidr_block.is_some());
    all.extend(v6only);
    for at in all {
        let s = &at.item;
        let Some(vpc) = b.index.vpcs.get(&s.vpc_id).cloned() else {
            b.report.add(
                "Subnet",
                &s.subnet_id,
                Outcome::Skipped,
                format!("its VPC {} is not imported", s.vpc_id),
            );
            continue;
        };
        let placeholder = match s.cidr_block.as_deref() {
            Some(_) => None,
            None => match super::ipv6::placeholder(b, &s.vpc_id, &vpc.cidrs) {
                Some(p) => Some(p.to_string()),
                None => {
                    b.report.add(
                        "Subnet",
                        &s.subnet_id,
                        Outcome::Skipped,
                        "an IPv6-only subnet, and its VPC has no free IPv4 block for the placeholder the format needs",
                    );
                    continue;
                }
            },
        };
        let text = s
            .cidr_block
            .as_deref()
            .or(placeholder.as_deref())
            .unwrap_or_default();
        let cidr = match block(text) {
            Ok(c) => c,
            Err(e) => {
                b.report.add("Subnet", &s.subnet_id, Outcome::Skipped, e);
                continue;
            }
        };
        if !vpc.cidrs.iter().any(|c| c.contains(&cidr)) {
            b.report.add(
                "Subnet",
                &s.subnet_id,
                Outcome::Skipped,
                format!("{cidr} is outside every CIDR of its VPC {}", s.vpc_id),
            );
            continue;
        }
        if let Some(o) =
            b.index.subnets.iter().find(|(_, o)| {
                o.vpc == s.vpc_id && (o.cidr.contains(&cidr) || cidr.contains(&o.cidr))
            })
        {
            b.report.add(
                "Subnet",
                &s.subnet_id,
                Outcome::Skipped,
                format!("{cidr} overlaps subnet {}", o.0),
            );
            continue;
        }
        let az = match (&s.availability_zone, &vpc.region) {
            (Some(az), _) if az_region(az).is_none() => {
                b.report.add(
                    "Subnet",
                    &s.subnet_id,
                    Outcome::Approximated,
                    format!(
                        "`{az}` is not a zone of a region (a Local Zone?): left to the default"
                    ),
                );
                None
            }
            (Some(az), Some(r)) if az_region(az).as_deref() != Some(r) => {
                b.report.add(
                    "Subnet",
                    &s.subnet_id,
                    Outcome::Approximated,
                    format!("its AZ {az} is not in the VPC's region {r}: left to the default"),
                );
                None
            }
            (az, _) => az.clone(),
        };
        let name = namers
            .entry(s.vpc_id.clone())
            .or_default()
            .name(name_tag(&s.tags), &s.subnet_id);
        let mut sub = Subnet {
            aws_id: Some(s.subnet_id.clone()),
            description: name_tag(&s.tags).map(description),
            cidr,
            az: az.clone(),
            map_public_ip: s.map_public_ip_on_launch,
            ..Subnet::default()
        };
        if let Err(why) = super::ipv6::subnet(b, &s.vpc_id, s, &mut sub) {
            b.report.add("Subnet", &s.subnet_id, Outcome::Skipped, why);
            continue;
        }
        if placeholder.is_some() {
            b.report.add(
                "Subnet",
                &s.subnet_id,
                Outcome::Approximated,
                format!("an IPv6-only subnet: its IPv4 cidr {cidr} is a placeholder the format needs (its instances use IPv6 only)"),
            );
        }
        if let Some(v) = b.vpc_mut(&s.vpc_id) {
            v.subnets.insert(name.clone(), sub);
        }
        b.index.subnets.insert(
            s.subnet_id.clone(),
            SubnetInfo {
                vpc: s.vpc_id.clone(),
                name,
                cidr,
                az,
            },
        );
    }
}

/// Attaches internet gateways and egress-only internet gateways to their VPCs.
pub fn gateways(b: &mut Builder, snap: &Snapshot) {
    let igws = by_id(
        &snap.internet_gateways,
        |g| g.internet_gateway_id.as_deref().unwrap_or(""),
        "InternetGateway",
        &mut b.report,
    );
    for at in igws {
        let g = &at.item;
        let id = g.internet_gateway_id.clone().unwrap_or_default();
        let mut attached = Vec::new();
        for a in &g.attachments {
            // An IGW's attachment says `available`; `attached` is accepted as well.
            let state = a.state.as_deref().unwrap_or("available");
            if state != "available" && state != "attached" {
                b.report.add(
                    "InternetGatewayAttachment",
                    format!("{id}/{}", a.vpc_id),
                    Outcome::Skipped,
                    format!("state is {state}"),
                );
                continue;
            }
            match b.vpc_mut(&a.vpc_id) {
                Some(v) if v.internet_gateway.is_none() => {
                    v.internet_gateway = Some(InternetGateway {
                        aws_id: Some(id.clone()),
                    });
                    attached.push(a.vpc_id.clone());
                }
                Some(_) => b.report.add(
                    "InternetGateway",
                    &id,
                    Outcome::Skipped,
                    format!("VPC {} already has an internet gateway", a.vpc_id),
                ),
                None => {}
            }
        }
        if attached.is_empty() && g.attachments.is_empty() {
            b.report.add(
                "InternetGateway",
                &id,
                Outcome::Skipped,
                "not attached to a VPC",
            );
        }
        b.index.igws.insert(id, attached);
    }
    super::ipv6::egress_only_gateways(b, snap);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_az_regions() {
        assert!(block("10.0.0.0/16").is_ok());
        assert!(block("10.0.0.1/16").is_err());
        assert!(block("10.0.0.0/8").is_err());
        assert_eq!(az_region("us-east-2b").as_deref(), Some("us-east-2"));
        assert_eq!(az_region("nowhere"), None);
    }
}
