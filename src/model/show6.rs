//! The IPv6 part of `vpclab show` (rank 1, beside `model::show`): in JSON, `ipv6_cidr` on
//! VPCs and subnets (with `ipv6_only` and `dns64`), `ipv6_addresses` on instances, `ipv6` on
//! internet hosts, and the lists `egress_only_internet_gateways`, `ipv6_routes`,
//! `ipv6_network_acl_entries` and `ipv6_security_group_rules`; in text, the same as tables
//! after the IPv4 ones. A network without IPv6 prints exactly what it printed before.

use super::ipv6::{SgPeer6, Target6};
use super::show::table;
use super::{Network, Protocol};
use serde_json::{json, Value};

/// An IPv6 route target as outputs name it (`igw-main`, `eigw-egress`, `nat-a`, `local`).
pub fn target_text6(n: &Network, vpc: super::VpcId, t: &Target6) -> String {
    match t {
        Target6::Local => "local".into(),
        Target6::Igw => n.vpc(vpc).igw.clone().unwrap_or_else(|| "igw".into()),
        Target6::Eigw => n.eigw(vpc).map_or("eigw".into(), |g| g.aws_id.clone()),
        Target6::Nat(g) => n.nat(*g).aws_id.clone(),
        Target6::Peering(p) => n.peering(*p).aws_id.clone(),
        Target6::Instance(i) => n.instance(*i).aws_id.clone(),
        Target6::Blackhole => "blackhole".into(),
    }
}

fn peer6(n: &Network, p: &SgPeer6) -> String {
    match p {
        SgPeer6::Cidr(c) => c.to_string(),
        SgPeer6::Group(g) => n.sg(*g).aws_id.clone(),
    }
}

fn ports(p: &Protocol, r: super::PortRange) -> String {
    if p.has_ports() {
        r.to_string()
    } else {
        "all".into()
    }
}

/// Adds the IPv6 fields to `show --json`'s document (nothing for an IPv4-only network).
pub fn extend_json(n: &Network, doc: &mut Value) {
    if !n.has_ipv6() {
        return;
    }
    for (i, v) in n.vpcs.iter().enumerate() {
        let Some(c) = n.vpc_ipv6(v.id) else { continue };
        doc["vpcs"][i]["ipv6_cidr"] = json!(c.to_string());
        for (j, s) in v.subnets.iter().enumerate() {
            let s6 = n.subnet_ipv6(*s);
            if let Some(c) = s6.cidr {
                let o = &mut doc["vpcs"][i]["subnets"][j];
                o["ipv6_cidr"] = json!(c.to_string());
                o["ipv6_only"] = json!(s6.ipv6_only);
                o["dns64"] = json!(s6.dns64);
            }
        }
    }
    for (i, inst) in n.instances.iter().enumerate() {
        let a = n.eni_ipv6(inst.eni);
        if !a.is_empty() {
            doc["instances"][i]["ipv6_addresses"] =
                json!(a.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        }
    }
    for (i, h) in n.internet_hosts.iter().enumerate() {
        if let Some(a) = n.host_ipv6(h.id) {
            doc["internet_hosts"][i]["ipv6"] = json!(a.to_string());
        }
    }
    doc["egress_only_internet_gateways"] = json!(n
        .vpcs
        .iter()
        .filter_map(|v| n
            .eigw(v.id)
            .map(|g| json!({"name": g.name, "id": g.aws_id, "vpc": v.aws_id})))
        .collect::<Vec<_>>());
    doc["ipv6_routes"] = json!(n
        .route_tables
        .iter()
        .flat_map(|t| {
            n.ipv6.routes[t.id.idx()].iter().map(move |r| {
                json!({"route_table": t.aws_id, "destination": r.destination.to_string(), "target": target_text6(n, t.vpc, &r.target)})
            })
        })
        .collect::<Vec<_>>());
    doc["ipv6_network_acl_entries"] = json!(n
        .nacls
        .iter()
        .flat_map(|a| {
            let e6 = n.nacl6(a.id);
            let dirs = [("inbound", e6.inbound), ("outbound", e6.outbound)];
            dirs.into_iter().flat_map(move |(d, es)| {
                es.iter().map(move |e| json!({"network_acl": a.aws_id, "direction": d, "rule": e.number, "action": e.action, "protocol": e.protocol.to_string(), "ports": ports(&e.protocol, e.ports), "cidr": e.cidr.to_string()}))
            })
        })
        .collect::<Vec<_>>());
    doc["ipv6_security_group_rules"] = json!(n
        .sgs
        .iter()
        .flat_map(|g| {
            let r6 = n.sg6(g.id);
            let dirs = [("inbound", r6.inbound), ("outbound", r6.outbound)];
            dirs.into_iter().flat_map(move |(d, rs)| {
                rs.iter().map(move |r| json!({"security_group": g.aws_id, "direction": d, "rule": r.index, "protocol": r.protocol.to_string(), "ports": ports(&r.protocol, r.ports), "peer": peer6(n, &r.peer)}))
            })
        })
        .collect::<Vec<_>>());
}

/// The IPv6 tables of `show` (empty for an IPv4-only network).
pub fn text(n: &Network) -> String {
    let mut o = String::new();
    if !n.has_ipv6() {
        return o;
    }
    let mut rows = vec![];
    for v in &n.vpcs {
        if let Some(c) = n.vpc_ipv6(v.id) {
            let gw = n.eigw(v.id).map_or("-".into(), |g| g.aws_id.clone());
            rows.push(vec![v.aws_id.clone(), c.to_string(), gw]);
        }
    }
    table(
        &mut o,
        "IPv6 blocks",
        &["VPC", "IPV6 CIDR", "EGRESS-ONLY IGW"],
        &rows,
    );
    let rows: Vec<Vec<String>> = n
        .subnets
        .iter()
        .filter_map(|s| {
            let s6 = n.subnet_ipv6(s.id);
            let kind = if s6.ipv6_only {
                "ipv6-only"
            } else {
                "dual-stack"
            };
            Some(vec![
                s.aws_id.clone(),
                s6.cidr?.to_string(),
                kind.into(),
                if s6.dns64 { "on" } else { "off" }.into(),
            ])
        })
        .collect();
    table(
        &mut o,
        "IPv6 subnets",
        &["SUBNET", "IPV6 CIDR", "KIND", "DNS64"],
        &rows,
    );
    let mut rows: Vec<Vec<String>> = n
        .instances
        .iter()
        .filter(|i| !n.eni_ipv6(i.eni).is_empty())
        .map(|i| {
            let a: Vec<String> = n.eni_ipv6(i.eni).iter().map(|x| x.to_string()).collect();
            vec![i.name.clone(), n.eni(i.eni).aws_id.clone(), a.join(",")]
        })
        .collect();
    rows.extend(n.internet_hosts.iter().filter_map(|h| {
        Some(vec![
            h.name.clone(),
            "internet".into(),
            n.host_ipv6(h.id)?.to_string(),
        ])
    }));
    table(
        &mut o,
        "IPv6 addresses",
        &["HOST", "ENI", "IPV6 ADDRESSES"],
        &rows,
    );
    let rows: Vec<Vec<String>> = n
        .route_tables
        .iter()
        .flat_map(|t| {
            n.ipv6.routes[t.id.idx()].iter().map(move |r| {
                vec![
                    t.aws_id.clone(),
                    r.destination.to_string(),
                    target_text6(n, t.vpc, &r.target),
                ]
            })
        })
        .collect();
    table(
        &mut o,
        "IPv6 routes",
        &["ROUTE TABLE", "DESTINATION", "TARGET"],
        &rows,
    );
    let mut rows = vec![];
    for a in &n.nacls {
        let e6 = n.nacl6(a.id);
        for (d, es) in [("inbound", e6.inbound), ("outbound", e6.outbound)] {
            for e in es {
                let act = format!("{:?}", e.action).to_lowercase();
                rows.push(vec![
                    a.aws_id.clone(),
                    d.into(),
                    e.number.to_string(),
                    act,
                    e.protocol.to_string(),
                    ports(&e.protocol, e.ports),
                    e.cidr.to_string(),
                ]);
            }
        }
    }
    table(
        &mut o,
        "IPv6 network ACL entries",
        &[
            "NACL",
            "DIRECTION",
            "RULE",
            "ACTION",
            "PROTOCOL",
            "PORTS",
            "CIDR",
        ],
        &rows,
    );
    let mut rows = vec![];
    for g in &n.sgs {
        let r6 = n.sg6(g.id);
        for (d, rs) in [("inbound", r6.inbound), ("outbound", r6.outbound)] {
            for r in rs {
                rows.push(vec![
                    g.aws_id.clone(),
                    d.into(),
                    r.index.to_string(),
                    r.protocol.to_string(),
                    ports(&r.protocol, r.ports),
                    peer6(n, &r.peer),
                ]);
            }
        }
    }
    table(
        &mut o,
        "IPv6 security group rules",
        &["GROUP", "DIRECTION", "RULE", "PROTOCOL", "PORTS", "PEER"],
        &rows,
    );
    o
}
