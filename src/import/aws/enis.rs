//! One network interface → the fields the format gives it (subnet, private IPs, public IP,
//! groups, source/dest check), with every value the format cannot take left out and reported.
//! Used for instances' interfaces and for interfaces AWS services own.

use super::super::doc::PublicIp;
use super::super::report::Outcome;
use super::addr;
use super::build::Builder;
use super::json::NetworkInterface;
use super::snapshot::Snapshot;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// An interface as imported.
#[derive(Debug, Clone)]
pub struct Iface {
    /// `eni-…` (absent when built from an old instance record without interfaces).
    pub aws_id: Option<String>,
    /// Its VPC's AWS id.
    pub vpc: String,
    /// Subnet name.
    pub subnet: String,
    /// Subnet AZ.
    pub az: Option<String>,
    /// Primary private IP.
    pub ip: Option<Ipv4Addr>,
    /// More private IPs.
    pub secondary_ips: Vec<Ipv4Addr>,
    /// The primary IP's public address.
    pub public_ip: Option<Ipv4Addr>,
    /// SG names.
    pub security_groups: Vec<String>,
    /// SourceDestCheck (None = true).
    pub source_dest_check: Option<bool>,
    /// Whether the subnet maps public IPs at launch.
    pub map_public_ip: bool,
    /// IPv6 addresses (primary first).
    pub ipv6_addresses: Vec<std::net::Ipv6Addr>,
}

/// Elastic IPs by (interface id, private address), from describe-addresses.
pub fn elastic_ips(snap: &Snapshot) -> BTreeMap<(String, String), String> {
    snap.addresses
        .iter()
        .filter_map(|a| {
            let a = &a.item;
            Some((
                (
                    a.network_interface_id.clone()?,
                    a.private_ip_address.clone()?,
                ),
                a.public_ip.clone()?,
            ))
        })
        .collect()
}

/// Imports interface `e` (`what` names it in the report). None when its subnet was not
/// imported (reported).
pub fn iface(
    b: &mut Builder,
    e: &NetworkInterface,
    eips: &BTreeMap<(String, String), String>,
    what: &str,
) -> Option<Iface> {
    let id = if e.network_interface_id.is_empty() {
        what.to_string()
    } else {
        e.network_interface_id.clone()
    };
    let sid = e.subnet_id.clone().unwrap_or_default();
    let Some(sub) = b.index.subnets.get(&sid).cloned() else {
        b.report.add(
            "NetworkInterface",
            &id,
            Outcome::Skipped,
            format!("its subnet {sid} is not imported"),
        );
        return None;
    };
    let ipv6_addresses = super::ipv6::eni_addresses(b, &sid, e, &id);
    // Primary first, then the others in their order.
    let primary = e.private_ip_address.clone().or_else(|| {
        e.private_ip_addresses
            .iter()
            .find(|p| p.primary)
            .map(|p| p.private_ip_address.clone())
    });
    let mut ip = None;
    if let Some(p) = &primary {
        match addr::take_private(b, sub.cidr, p) {
            Ok(a) => ip = Some(a),
            Err(why) => b.report.add(
                "NetworkInterface",
                &id,
                Outcome::Approximated,
                format!("{why}: the next free address is used"),
            ),
        }
    }
    let mut secondary_ips = Vec::new();
    for p in &e.private_ip_addresses {
        if Some(&p.private_ip_address) == primary.as_ref() || p.primary {
            continue;
        }
        match addr::take_private(b, sub.cidr, &p.private_ip_address) {
            Ok(a) => secondary_ips.push(a),
            Err(why) => b.report.add(
                "NetworkInterface",
                &id,
                Outcome::Skipped,
                format!("secondary address left out: {why}"),
            ),
        }
        if p.association
            .as_ref()
            .and_then(|a| a.public_ip.as_ref())
            .is_some()
        {
            b.report.add(
                "NetworkInterface",
                &id,
                Outcome::Approximated,
                format!(
                    "the public IP of secondary address {} is left out (one public IP per interface)",
                    p.private_ip_address
                ),
            );
        }
    }
    let public_text = e
        .association
        .as_ref()
        .and_then(|a| a.public_ip.clone())
        .or_else(|| {
            e.private_ip_addresses
                .iter()
                .find(|p| Some(&p.private_ip_address) == primary.as_ref())
                .and_then(|p| p.association.as_ref())
                .and_then(|a| a.public_ip.clone())
        })
        .or_else(|| {
            primary.as_ref().and_then(|p| {
                eips.get(&(e.network_interface_id.clone(), p.clone()))
                    .cloned()
            })
        });
    let mut public_ip = None;
    if let Some(t) = public_text {
        match addr::take_public(b, &t) {
            Ok(a) => public_ip = Some(a),
            Err(why) => b.report.add(
                "NetworkInterface",
                &id,
                Outcome::Skipped,
                format!("public IP left out: {why}"),
            ),
        }
    }
    let mut security_groups = Vec::new();
    for g in &e.groups {
        match b.index.sgs.get(&g.group_id) {
            Some((v, n)) if *v == sub.vpc => {
                if !security_groups.contains(n) {
                    security_groups.push(n.clone())
                }
            }
            _ => b.report.add(
                "NetworkInterface",
                &id,
                Outcome::Skipped,
                format!("security group {} is not imported in its VPC", g.group_id),
            ),
        }
    }
    if security_groups.is_empty() && !e.groups.is_empty() {
        b.report.add(
            "NetworkInterface",
            &id,
            Outcome::Approximated,
            "none of its groups was imported: it takes the VPC's default group",
        );
    }
    let map_public_ip = b
        .doc
        .vpcs
        .values()
        .find_map(|v| {
            v.subnets
                .get(&sub.name)
                .filter(|s| s.aws_id.as_deref() == Some(sid.as_str()))
        })
        .is_some_and(|s| s.map_public_ip);
    Some(Iface {
        aws_id: (!e.network_interface_id.is_empty()).then(|| e.network_interface_id.clone()),
        vpc: sub.vpc,
        subnet: sub.name,
        az: sub.az,
        ip,
        secondary_ips,
        public_ip,
        security_groups,
        source_dest_check: e.source_dest_check.filter(|c| !c),
        map_public_ip,
        ipv6_addresses,
    })
}

impl Iface {
    /// The primary interface's `public_ip`: the fixed address, or `false` in a subnet that maps
    /// public IPs (the format would otherwise assign one).
    pub fn primary_public_ip(&self) -> Option<PublicIp> {
        match (self.public_ip, self.map_public_ip) {
            (Some(a), _) => Some(PublicIp::Fixed(a)),
            (None, true) => Some(PublicIp::No),
            (None, false) => None,
        }
    }
}
