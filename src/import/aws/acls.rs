//! Network ACLs: entries in rule order per direction, without AWS's implicit `*` entries
//! (32767 for IPv4, 32768 for IPv6, which every NACL lists), and the subnets each is
//! associated with. The default NACL of a VPC is named `default`; a VPC without NACL data
//! keeps the format's default (allow all, as AWS creates it).

use super::super::doc::{Action, NaclRule, NetworkAcl};
use super::super::names::{description, Namer};
use super::super::report::Outcome;
use super::build::{by_id, Builder};
use super::json::{name_tag, NaclEntry};
use super::proto;
use super::snapshot::Snapshot;
use ipnet::{IpNet, Ipv4Net};
use std::collections::BTreeMap;

/// Rule numbers of AWS's implicit deny-all entries.
const IMPLICIT: [i64; 2] = [32767, 32768];

/// One entry as a rule, or why not (the caller reports it, with the issue when there is one).
fn rule(e: &NaclEntry) -> Result<NaclRule, (String, Option<u32>)> {
    let rule = u16::try_from(e.rule_number)
        .ok()
        .filter(|n| (1..=32766).contains(n))
        .ok_or_else(|| {
            (
                format!("rule number {} is not 1..32766", e.rule_number),
                None,
            )
        })?;
    let action = match e.rule_action.to_ascii_lowercase().as_str() {
        "allow" => Action::Allow,
        "deny" => Action::Deny,
        a => return Err((format!("action `{a}` is not allow or deny"), None)),
    };
    let protocol = proto::protocol(&e.protocol).map_err(|m| (m, None))?;
    let cidr: IpNet = match super::ipv6::nacl_cidr(e) {
        Some(c) => c.map_err(|m| (m, None))?,
        None => ipv4_cidr(e)?,
    };
    let range = e.port_range.unwrap_or_default();
    let (ports, icmp) = match protocol {
        p if p.takes_ports() => (Some(proto::ports(range.from, range.to)), None),
        super::super::doc::Protocol::Icmp | super::super::doc::Protocol::Icmpv6 => {
            let tc = e.icmp_type_code.unwrap_or_default();
            (None, proto::icmp(tc.icmp_type, tc.code))
        }
        _ => (None, None),
    };
    Ok(NaclRule {
        rule,
        action,
        protocol,
        ports,
        cidr: cidr.trunc(),
        icmp,
    })
}

/// The IPv4 `CidrBlock` of an entry.
fn ipv4_cidr(e: &NaclEntry) -> Result<IpNet, (String, Option<u32>)> {
    let cidr: Ipv4Net = e
        .cidr_block
        .as_deref()
        .unwrap_or_default()
        .trim()
        .parse()
        .map_err(|_| {
            (
                format!(
                    "`{}` is not an IPv4 CIDR",
                    e.cidr_block.as_deref().unwrap_or("")
                ),
                None,
            )
        })?;
    Ok(IpNet::V4(cidr))
}

/// Imports the NACLs of imported VPCs and their subnet associations.
pub fn network_acls(b: &mut Builder, snap: &Snapshot) {
    let mut namers: BTreeMap<String, Namer> = BTreeMap::new();
    for at in by_id(
        &snap.network_acls,
        |a| &a.network_acl_id,
        "NetworkAcl",
        &mut b.report,
    ) {
        let a = &at.item;
        if !b.index.vpcs.contains_key(&a.vpc_id) {
            b.report.add(
                "NetworkAcl",
                &a.network_acl_id,
                Outcome::Skipped,
                format!("its VPC {} is not imported", a.vpc_id),
            );
            continue;
        }
        let namer = namers
            .entry(a.vpc_id.clone())
            .or_insert_with(|| Namer::reserving(&["default"]));
        let name = if a.is_default {
            "default".to_string()
        } else {
            namer.name(name_tag(&a.tags), &a.network_acl_id)
        };
        let mut acl = NetworkAcl {
            aws_id: Some(a.network_acl_id.clone()),
            description: name_tag(&a.tags).map(description),
            ..NetworkAcl::default()
        };
        let mut entries: Vec<&NaclEntry> = a.entries.iter().collect();
        entries.sort_by_key(|e| (e.egress, e.rule_number));
        for e in entries {
            if IMPLICIT.contains(&e.rule_number) {
                continue;
            }
            let dir = if e.egress { "outbound" } else { "inbound" };
            let id = format!("{}/{dir}/{}", a.network_acl_id, e.rule_number);
            match rule(e) {
                Ok(r) => {
                    let list = if e.egress {
                        &mut acl.outbound
                    } else {
                        &mut acl.inbound
                    };
                    if list.iter().any(|x| x.rule == r.rule) {
                        b.report.add(
                            "NetworkAclEntry",
                            id,
                            Outcome::Skipped,
                            "a second entry with this number",
                        );
                    } else {
                        list.push(r);
                    }
                }
                Err((why, Some(n))) => {
                    b.report
                        .later("NetworkAclEntry", id, Outcome::Unsupported, why, n)
                }
                Err((why, None)) => b.report.add("NetworkAclEntry", id, Outcome::Skipped, why),
            }
        }
        let mut subnets = Vec::new();
        for s in &a.associations {
            match b.index.subnets.get(&s.subnet_id) {
                Some(i) if i.vpc == a.vpc_id => subnets.push(i.name.clone()),
                _ => b.report.add(
                    "NetworkAclAssociation",
                    format!("{}/{}", a.network_acl_id, s.subnet_id),
                    Outcome::Skipped,
                    format!("subnet {} is not imported in this VPC", s.subnet_id),
                ),
            }
        }
        if let Some(v) = b.vpc_mut(&a.vpc_id) {
            for s in subnets {
                if let Some(sub) = v.subnets.get_mut(&s) {
                    if name != "default" {
                        sub.network_acl = Some(name.clone());
                    }
                }
            }
            v.network_acls.insert(name, acl);
        }
    }
}
