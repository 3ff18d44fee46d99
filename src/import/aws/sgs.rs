//! Security groups: names first (instances refer to them), rules once peerings and prefix lists
//! are known. Each permission is expanded into one rule per peer (CIDR, group, prefix list).
//! A group reference to another VPC is kept as `sg:VPC/NAME` when an imported peering joins
//! the two VPCs in one region (what the format, like AWS, allows); otherwise, and for
//! references to groups not in the dump, the rule is left out and reported. Rules of
//! describe-security-group-rules (`SecurityGroupRules`) join their group's permissions.

use super::super::doc::{Peer, SecurityGroup, SgRule};
use super::super::names::Namer;
use super::super::report::Outcome;
use super::build::{by_id, Builder};
use super::json::{name_tag, IpPermission};
use super::proto;
use super::snapshot::Snapshot;
use ipnet::Ipv4Net;
use std::collections::BTreeMap;

/// Names every group of an imported VPC (the default group `default`).
pub fn name_groups(b: &mut Builder, snap: &Snapshot) {
    let mut namers: BTreeMap<String, Namer> = BTreeMap::new();
    for at in by_id(
        &snap.security_groups,
        |g| &g.group_id,
        "SecurityGroup",
        &mut b.report,
    ) {
        let g = &at.item;
        let Some(vpc) = g.vpc_id.clone().filter(|v| b.index.vpcs.contains_key(v)) else {
            b.report.add(
                "SecurityGroup",
                &g.group_id,
                Outcome::Skipped,
                match &g.vpc_id {
                    Some(v) => format!("its VPC {v} is not imported"),
                    None => "no VpcId (an EC2-Classic group)".to_string(),
                },
            );
            continue;
        };
        let namer = namers
            .entry(vpc.clone())
            .or_insert_with(|| Namer::reserving(&["default"]));
        let name = if g.group_name == "default" {
            "default".to_string()
        } else {
            namer.name(name_tag(&g.tags).or(Some(&g.group_name)), &g.group_id)
        };
        let mut desc = name_tag(&g.tags).unwrap_or(&g.group_name).to_string();
        if let Some(d) = g.description.as_deref().filter(|d| !d.is_empty()) {
            desc = format!("{desc}: {d}");
        }
        let desc = super::super::names::description(&desc);
        if let Some(v) = b.vpc_mut(&vpc) {
            v.security_groups.insert(
                name.clone(),
                SecurityGroup {
                    aws_id: Some(g.group_id.clone()),
                    description: Some(desc),
                    inbound: None,
                    outbound: None,
                },
            );
        }
        b.index.sgs.insert(g.group_id.clone(), (vpc, name));
    }
}

/// Whether an imported peering joins the two VPCs and they share a region.
fn peered_same_region(b: &Builder, x: &str, y: &str) -> bool {
    let joined = b
        .index
        .peerings
        .values()
        .any(|(_, r, a)| (r == x && a == y) || (r == y && a == x));
    let region = |v: &str| b.index.vpcs.get(v).map(|i| i.region.clone());
    joined && region(x) == region(y)
}

/// The rules of one permission of group `sg` (in VPC `vpc`); `inbound` says which side the
/// peer goes to.
fn expand(b: &mut Builder, sg: &str, vpc: &str, p: &IpPermission, inbound: bool) -> Vec<SgRule> {
    let dir = if inbound { "inbound" } else { "outbound" };
    let id = format!("{sg}/{dir}/{}", p.ip_protocol);
    let protocol = match proto::protocol(&p.ip_protocol) {
        Ok(x) => x,
        Err(e) => {
            b.report.add("SecurityGroupRule", id, Outcome::Skipped, e);
            return Vec::new();
        }
    };
    let (ports, icmp) = proto::fields(protocol, p.from_port, p.to_port);
    let mut peers: Vec<(Peer, Option<String>)> = Vec::new();
    for r in &p.ip_ranges {
        match r.cidr_ip.trim().parse::<Ipv4Net>() {
            Ok(n) => peers.push((Peer::Cidr(n.trunc()), r.description.clone())),
            Err(_) => b.report.add(
                "SecurityGroupRule",
                &id,
                Outcome::Skipped,
                format!("`{}` is not an IPv4 CIDR", r.cidr_ip),
            ),
        }
    }
    peers.extend(super::ipv6::sg_peers(b, &id, p));
    for l in &p.prefix_list_ids {
        match b.index.prefix_lists.get(&l.prefix_list_id) {
            Some(n) => peers.push((Peer::PrefixList(n.clone()), l.description.clone())),
            None => b.report.add(
                "SecurityGroupRule",
                &id,
                Outcome::Skipped,
                format!("prefix list {} is not in the dump", l.prefix_list_id),
            ),
        }
    }
    for g in &p.user_id_group_pairs {
        let peer = match b.index.sgs.get(&g.group_id) {
            Some((v, n)) if v == vpc => Some(Peer::Sg(n.clone())),
            Some((v, n)) if peered_same_region(b, v, vpc) => Some(Peer::SgIn {
                vpc: b.index.vpcs[v].name.clone(),
                sg: n.clone(),
            }),
            Some((v, _)) => {
                b.report.add(
                    "SecurityGroupRule",
                    &id,
                    Outcome::Skipped,
                    format!(
                        "group {} of VPC {v}: a reference needs an imported peering in one region",
                        g.group_id
                    ),
                );
                None
            }
            None => {
                b.report.add(
                    "SecurityGroupRule",
                    &id,
                    Outcome::Skipped,
                    format!(
                        "group {}{} is not in the dump",
                        g.group_id,
                        g.user_id
                            .as_deref()
                            .map(|u| format!(" (account {u})"))
                            .unwrap_or_default()
                    ),
                );
                None
            }
        };
        if let Some(peer) = peer {
            peers.push((peer, g.description.clone()));
        }
    }
    peers
        .into_iter()
        .map(|(peer, description)| SgRule {
            protocol,
            ports,
            source: inbound.then(|| peer.clone()),
            destination: (!inbound).then_some(peer),
            icmp,
            description: description
                .filter(|d| !d.is_empty())
                .map(|d| super::super::names::description(&d)),
        })
        .collect()
}

/// The rules of every imported group.
pub fn rules(b: &mut Builder, snap: &Snapshot) {
    for r in &snap.security_group_rules {
        if !b.index.sgs.contains_key(&r.item.group_id) {
            b.report.add(
                "SecurityGroupRule",
                &r.item.security_group_rule_id,
                Outcome::Skipped,
                format!("its group {} is not imported", r.item.group_id),
            );
        }
    }
    for at in by_id(
        &snap.security_groups,
        |g| &g.group_id,
        "SecurityGroup",
        &mut b.report,
    ) {
        let g = &at.item;
        let Some((vpc, name)) = b.index.sgs.get(&g.group_id).cloned() else {
            continue;
        };
        // describe-security-group-rules says the same as the permissions, one peer a rule:
        // both are read and the rules de-duplicated.
        let (mut ins, mut outs) = (g.ip_permissions.clone(), g.ip_permissions_egress.clone());
        for r in snap
            .security_group_rules
            .iter()
            .filter(|r| r.item.group_id == g.group_id)
        {
            if r.item.is_egress {
                outs.push(r.item.permission());
            } else {
                ins.push(r.item.permission());
            }
        }
        let mut inbound: Vec<SgRule> = Vec::new();
        for p in &ins {
            for r in expand(b, &g.group_id, &vpc, p, true) {
                if !inbound.contains(&r) {
                    inbound.push(r);
                }
            }
        }
        let mut outbound: Vec<SgRule> = Vec::new();
        for p in &outs {
            for r in expand(b, &g.group_id, &vpc, p, false) {
                if !outbound.contains(&r) {
                    outbound.push(r);
                }
            }
        }
        if let Some(sg) = b
            .vpc_mut(&vpc)
            .and_then(|v| v.security_groups.get_mut(&name))
        {
            sg.inbound = Some(inbound);
            sg.outbound = Some(outbound);
        }
    }
}
