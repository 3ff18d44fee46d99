//! The IPv6 part of `vpclab import aws` (issue 16; `docs/import.md`, "IPv6"): VPC and subnet
//! blocks (`Ipv6CidrBlockAssociationSet`, associated ones only), IPv6-only subnets (with the
//! IPv4 placeholder the format needs), `AssignIpv6AddressOnCreation`/`EnableDns64`,
//! egress-only internet gateways, `DestinationIpv6CidrBlock` routes, interfaces'
//! `Ipv6Addresses`, and IPv6 CIDRs of NACL entries and SG rules. The IPv4 steps call in here
//! with one line each; what the format cannot hold is left out and reported.

use super::super::doc::{Destination, Peer, Route, Subnet, Target};
use super::super::doc_ipv6::{EgressOnlyInternetGateway, SubnetBlock, VpcBlock};
use super::super::names::{description, Namer};
use super::super::report::Outcome;
use super::build::{by_id, Builder};
use super::json::{self, name_tag};
use super::routes::{target, Resolved};
use super::snapshot::Snapshot;
use crate::topology::ipv6 as v6;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::BTreeMap;
use std::net::Ipv6Addr;

/// An IPv6 CIDR written as its network address (`what` names it in the error).
fn cidr(text: &str, what: &str) -> Result<Ipv6Net, String> {
    let n = v6::cidr6(text.trim()).map_err(|e| format!("{what} `{text}`: {e}"))?;
    if n.trunc() != n {
        return Err(format!("{what} `{text}` has host bits set"));
    }
    Ok(n)
}

/// The VPC's IPv6 block: the first associated `Ipv6CidrBlockAssociationSet` entry the format
/// takes (/44../60 in steps of 4, not overlapping another imported VPC's); the others are
/// reported (the format holds one block per VPC).
pub fn vpc_block(b: &mut Builder, v: &json::Vpc) -> Option<Ipv6Net> {
    let mut found = None;
    for a in &v.ipv6_cidr_block_association_set {
        let id = format!("{}/{}", v.vpc_id, a.ipv6_cidr_block);
        let state = a.ipv6_cidr_block_state.state.as_deref().unwrap_or("");
        let why = if !a.associated() {
            format!("state is {state}")
        } else if found.is_some() {
            "a second IPv6 block: the format holds one per VPC".to_string()
        } else {
            match cidr(&a.ipv6_cidr_block, "IPv6 block") {
                Err(e) => e,
                Ok(n) if !(44..=60).contains(&n.prefix_len()) || n.prefix_len() % 4 != 0 => {
                    format!("{n} is not /44../60 in steps of 4, as AWS requires")
                }
                Ok(n) if v6::nat64_prefix().contains(&n.network()) || n.addr().is_multicast() => {
                    format!("{n} cannot be a VPC block")
                }
                Ok(n) => match b
                    .doc
                    .vpcs
                    .values()
                    .filter_map(|o| o.ipv6_cidr.and_then(VpcBlock::cidr))
                    .find(|o| o.contains(&n) || n.contains(o))
                {
                    Some(o) => format!("{n} overlaps the block {o} of another VPC"),
                    None => {
                        found = Some(n);
                        continue;
                    }
                },
            }
        };
        b.report.add("VpcIpv6CidrBlock", id, Outcome::Skipped, why);
    }
    found
}

/// Sets the IPv6 fields of `sub` (a subnet of the VPC with AWS id `vpc`) from AWS's subnet
/// `s`: its associated /64 inside the VPC's block and distinct from its siblings', and the
/// flags. Err (reported by the caller, which skips the subnet) for an IPv6-only subnet whose
/// block cannot be imported.
pub fn subnet(
    b: &mut Builder,
    vpc: &str,
    s: &json::Subnet,
    sub: &mut Subnet,
) -> Result<(), String> {
    let vblock = b
        .vpc_mut(vpc)
        .and_then(|v| v.ipv6_cidr)
        .and_then(VpcBlock::cidr);
    let siblings: Vec<Ipv6Net> = b
        .vpc_mut(vpc)
        .map(|v| {
            v.subnets
                .values()
                .filter_map(|x| x.ipv6_cidr.and_then(SubnetBlock::cidr))
                .collect()
        })
        .unwrap_or_default();
    for a in &s.ipv6_cidr_block_association_set {
        let id = format!("{}/{}", s.subnet_id, a.ipv6_cidr_block);
        let why = if !a.associated() {
            format!(
                "state is {}",
                a.ipv6_cidr_block_state.state.as_deref().unwrap_or("")
            )
        } else if sub.ipv6_cidr.is_some() {
            "a second IPv6 block: the format holds one per subnet".to_string()
        } else {
            match (cidr(&a.ipv6_cidr_block, "IPv6 block"), vblock) {
                (Err(e), _) => e,
                (Ok(_), None) => "its VPC's IPv6 block is not imported".to_string(),
                (Ok(n), _) if n.prefix_len() != 64 => format!("{n} is not a /64"),
                (Ok(n), Some(vb)) if !vb.contains(&n) => {
                    format!("{n} is outside its VPC's block {vb}")
                }
                (Ok(n), _) if siblings.contains(&n) => {
                    format!("{n} is the block of another subnet")
                }
                (Ok(n), _) => {
                    sub.ipv6_cidr = Some(SubnetBlock::Cidr(n));
                    continue;
                }
            }
        };
        b.report
            .add("SubnetIpv6CidrBlock", id, Outcome::Skipped, why);
    }
    if sub.ipv6_cidr.is_none() {
        if s.ipv6_native {
            return Err("an IPv6-only subnet without an importable IPv6 block".into());
        }
        return Ok(());
    }
    sub.ipv6_only = s.ipv6_native;
    sub.dns64 = s.enable_dns64;
    sub.assign_ipv6_address_on_creation = (s.assign_ipv6_address_on_creation != s.ipv6_native)
        .then_some(s.assign_ipv6_address_on_creation);
    Ok(())
}

/// The IPv4 `cidr` an IPv6-only subnet of the VPC with AWS id `vpc` takes (the format needs
/// one; its instances never use it): the highest free /24, else /26, else /28 of the VPC's
/// CIDRs (primary first) that overlaps no subnet imported there. The caller imports subnets
/// with an IPv4 CIDR first, so the placeholder takes nobody's block.
pub fn placeholder(b: &Builder, vpc: &str, cidrs: &[Ipv4Net]) -> Option<Ipv4Net> {
    let taken: Vec<Ipv4Net> = b
        .index
        .subnets
        .values()
        .filter(|s| s.vpc == vpc)
        .map(|s| s.cidr)
        .collect();
    [24u8, 26, 28].iter().find_map(|&len| {
        cidrs.iter().find_map(|c| {
            let subs: Vec<Ipv4Net> = c.subnets(len.max(c.prefix_len())).ok()?.collect();
            subs.into_iter()
                .rev()
                .find(|n| !taken.iter().any(|t| t.contains(n) || n.contains(t)))
        })
    })
}

/// Imports the egress-only internet gateways attached to imported VPCs that have an IPv6
/// block (one per VPC, as the format and AWS's routes want).
pub fn egress_only_gateways(b: &mut Builder, snap: &Snapshot) {
    let mut namers: BTreeMap<String, Namer> = BTreeMap::new();
    let gws = by_id(
        &snap.egress_only_internet_gateways,
        |g| g.egress_only_internet_gateway_id.as_deref().unwrap_or(""),
        "EgressOnlyInternetGateway",
        &mut b.report,
    );
    for at in gws {
        let g = &at.item;
        let id = g
            .egress_only_internet_gateway_id
            .clone()
            .unwrap_or_default();
        let live: Vec<&str> = g
            .attachments
            .iter()
            .filter(|a| matches!(a.state.as_deref(), None | Some("attached" | "available")))
            .map(|a| a.vpc_id.as_str())
            .collect();
        let Some(vpc) = live.first().map(|v| v.to_string()) else {
            b.report.add(
                "EgressOnlyInternetGateway",
                &id,
                Outcome::Skipped,
                "not attached to a VPC",
            );
            continue;
        };
        let why = match b.vpc_mut(&vpc) {
            None => Some(format!("its VPC {vpc} is not imported")),
            Some(v) if v.ipv6_cidr.is_none() => {
                Some(format!("its VPC {vpc} has no imported IPv6 block"))
            }
            Some(v) if !v.egress_only_internet_gateways.is_empty() => Some(format!(
                "VPC {vpc} already has an egress-only internet gateway"
            )),
            Some(_) => None,
        };
        if let Some(why) = why {
            b.report
                .add("EgressOnlyInternetGateway", &id, Outcome::Skipped, why);
            continue;
        }
        let name = namers
            .entry(vpc.clone())
            .or_default()
            .name(name_tag(&g.tags), &id);
        if let Some(v) = b.vpc_mut(&vpc) {
            v.egress_only_internet_gateways.insert(
                name.clone(),
                EgressOnlyInternetGateway {
                    aws_id: Some(id.clone()),
                    description: name_tag(&g.tags).map(description),
                },
            );
        }
        b.index.eigws.insert(id, (vpc, name));
    }
}

/// Imports IPv6 route `r` (id `rid`) of a table of VPC `vpc` into `routes`: a
/// `DestinationIpv6CidrBlock` to the internet gateway, an egress-only gateway, a peering, an
/// instance, a NAT gateway (NAT64's `64:ff9b::/96` only) or a blackhole. Transit gateways and
/// VGWs carry no IPv6 here: such routes are blackholes, reported.
pub fn route(b: &mut Builder, vpc: &str, r: &json::Route, rid: &str, routes: &mut Vec<Route>) {
    let text = r.destination_ipv6_cidr_block.as_deref().unwrap_or_default();
    let skip = |b: &mut Builder, why: String| b.report.add("Route", rid, Outcome::Skipped, why);
    let dest = match cidr(text, "destination") {
        Ok(d) => d,
        Err(e) => return skip(b, e),
    };
    if b.vpc_mut(vpc).is_none_or(|v| v.ipv6_cidr.is_none()) {
        return skip(
            b,
            "an IPv6 route in a VPC without an imported IPv6 block".into(),
        );
    }
    let tgt = r.target().unwrap_or_default().to_string();
    let resolved = if r.state.as_deref() == Some("blackhole") && !tgt.is_empty() {
        Resolved::To(Target::Blackhole)
    } else if tgt.starts_with("eigw-") {
        match b.index.eigws.get(&tgt) {
            Some((v, n)) if v == vpc => Resolved::To(Target::Eigw(n.clone())),
            _ => Resolved::Blackhole(
                format!("{tgt}: the egress-only internet gateway is not imported in this VPC"),
                None,
            ),
        }
    } else {
        match target(b, vpc, r) {
            Ok(x) => x,
            Err(why) => return skip(b, why),
        }
    };
    let resolved = match resolved {
        Resolved::To(Target::Nat(_)) if !v6::nat64_prefix().contains(&dest) => {
            return skip(
                b,
                format!("a NAT gateway takes IPv6 only for NAT64 (64:ff9b::/96), not {dest}"),
            )
        }
        Resolved::To(Target::Local) => return skip(b, "a local route is implicit".into()),
        Resolved::To(Target::Tgw(_) | Target::Vgw(_)) => Resolved::Blackhole(
            format!("{tgt}: IPv6 over transit gateways and VGWs is not modelled"),
            None,
        ),
        x => x,
    };
    let target = match resolved {
        Resolved::To(x) => x,
        Resolved::Blackhole(why, n) => {
            let why = format!("imported as a blackhole: {why}");
            match n {
                Some(n) => b.report.later("Route", rid, Outcome::Approximated, why, n),
                None => b.report.add("Route", rid, Outcome::Approximated, why),
            }
            Target::Blackhole
        }
    };
    let destination = Destination::Cidr6(dest);
    if routes.iter().any(|x| x.destination == destination) {
        return skip(b, "a second route to the same destination".into());
    }
    routes.push(Route {
        destination,
        target,
    });
}

/// The CIDR of a NACL entry: its `Ipv6CidrBlock` when it has no IPv4 `CidrBlock`.
pub fn nacl_cidr(e: &json::NaclEntry) -> Option<Result<IpNet, String>> {
    match (&e.cidr_block, &e.ipv6_cidr_block) {
        (None, Some(c)) => Some(cidr(c, "IPv6 CIDR").map(IpNet::V6)),
        _ => None,
    }
}

/// The peers of an SG permission's `Ipv6Ranges` (with each range's description); a range that
/// is not an IPv6 CIDR is reported under `id`.
pub fn sg_peers(b: &mut Builder, id: &str, p: &json::IpPermission) -> Vec<(Peer, Option<String>)> {
    let mut out = Vec::new();
    for r in &p.ipv6_ranges {
        match v6::cidr6(r.cidr_ipv6.trim()) {
            Ok(n) => out.push((Peer::Cidr6(n.trunc()), r.description.clone())),
            Err(e) => b.report.add(
                "SecurityGroupRule",
                id,
                Outcome::Skipped,
                format!("`{}`: {e}", r.cidr_ipv6),
            ),
        }
    }
    out
}

/// The IPv6 addresses of interface `e` (id `id`) in the subnet with AWS id `subnet`, primary
/// first: those inside the subnet's imported /64, not among AWS's reserved addresses and not
/// taken by another interface; the others are reported.
pub fn eni_addresses(
    b: &mut Builder,
    subnet: &str,
    e: &json::NetworkInterface,
    id: &str,
) -> Vec<Ipv6Addr> {
    let block = b
        .doc
        .vpcs
        .values()
        .flat_map(|v| v.subnets.values())
        .find(|s| s.aws_id.as_deref() == Some(subnet))
        .and_then(|s| s.ipv6_cidr)
        .and_then(SubnetBlock::cidr);
    let mut list: Vec<&super::json_ipv6::Ipv6Address> = e.ipv6_addresses.iter().collect();
    list.sort_by_key(|a| !a.is_primary_ipv6);
    let mut out = Vec::new();
    for a in list {
        let why = match (v6::ipv6(a.ipv6_address.trim()), block) {
            (Err(e), _) => e,
            (Ok(_), None) => "its subnet has no imported IPv6 block".to_string(),
            (Ok(ip), Some(n)) if !n.contains(&ip) || v6::is_reserved6(n, ip) => {
                format!("{ip} is not a usable address of {n}")
            }
            (Ok(ip), _) if !b.index.taken_ips6.insert(ip) => {
                format!("{ip} is used by another interface")
            }
            (Ok(ip), _) => {
                out.push(ip);
                continue;
            }
        };
        b.report.add(
            "NetworkInterface",
            id,
            Outcome::Skipped,
            format!("IPv6 address left out: {why}"),
        );
    }
    out
}

/// `ipv6_address_count: 0` for an instance with no IPv6 address in a subnet (`subnet`, its
/// document name in VPC `vpc`) that assigns one on creation: the format would assign one,
/// AWS shows none.
pub fn no_address(b: &mut Builder, vpc: &str, subnet: &str, addrs: &[Ipv6Addr]) -> Option<u8> {
    let s = b.vpc_mut(vpc)?.subnets.get(subnet)?;
    let assigns = s.ipv6_cidr.is_some() && s.assign_ipv6_address_on_creation.unwrap_or(s.ipv6_only);
    (assigns && addrs.is_empty()).then_some(0)
}
