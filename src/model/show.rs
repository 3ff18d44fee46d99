//! The resolved network as human tables (`to_text`) or one JSON document (`to_json`), as
//! `vpclab show` prints them: VPCs with subnets, route tables with the implicit local routes,
//! NACLs with the `*` rule, security groups, instances with addresses, MACs and ids, NAT
//! gateways, peerings, hosts. Part of `model` (rank 1); only the binary prints it. The output
//! is a contract (`tests/snapshots/cli/`).

use super::Protocol;
use crate::model::{
    mac_string, Action, IcmpMatch, NaclEntry, Network, Route, SgPeer, SgRule, Target, VpcId,
};
use serde_json::{json, Value};

fn vpc_id(n: &Network, v: VpcId) -> String {
    n.vpc(v).aws_id.clone()
}

/// A route's target as shown (`local`, `igw-main`, `nat-a`, `pcx-x`, `i-natbox`).
pub fn target_text(n: &Network, vpc: VpcId, t: &Target) -> String {
    match t {
        Target::Local => "local".into(),
        Target::Igw => n
            .vpc(vpc)
            .igw
            .clone()
            .unwrap_or_else(|| "igw (none attached)".into()),
        Target::Nat(g) => n.nat(*g).aws_id.clone(),
        Target::Peering(p) => n.peering(*p).aws_id.clone(),
        Target::Instance(i) => n.instance(*i).aws_id.clone(),
        Target::Blackhole => "blackhole".into(),
        Target::VpcEndpoint(e) => n.vpc_endpoint(*e).aws_id.clone(),
        Target::TransitGateway(g) => n.hybrid.tgws[*g].aws_id.clone(),
        Target::VpnGateway { vgw, propagated } => {
            let id = &n.hybrid.vgws[*vgw].aws_id;
            if *propagated {
                format!("{id} (propagated)")
            } else {
                id.clone()
            }
        }
    }
}

fn route_state(n: &Network, vpc: VpcId, t: &Target) -> &'static str {
    match t {
        Target::Igw if n.vpc(vpc).igw.is_none() => "blackhole",
        Target::Instance(i) if !n.instance(*i).running => "blackhole",
        Target::Blackhole => "blackhole",
        _ => "active",
    }
}

fn ports_text(p: &Protocol, r: crate::model::PortRange, icmp: &IcmpMatch) -> String {
    if p.has_ports() {
        if r.is_all() {
            "all".into()
        } else {
            r.to_string()
        }
    } else if *p == Protocol::Number(crate::model::proto::ICMP) {
        match (icmp.icmp_type, icmp.code) {
            (None, None) => "all".into(),
            (t, c) => format!(
                "type {} code {}",
                t.map_or("all".to_string(), |x| x.to_string()),
                c.map_or("all".to_string(), |x| x.to_string())
            ),
        }
    } else {
        "all".into()
    }
}

fn peer_text(n: &Network, p: &SgPeer) -> String {
    match p {
        SgPeer::Cidr(c) => c.to_string(),
        SgPeer::Group(g) => n.sg(*g).aws_id.clone(),
        SgPeer::PrefixList(p) => n.prefix_list(*p).aws_id.clone(),
    }
}

fn nacl_entry_json(e: &NaclEntry) -> Value {
    json!({
        "rule": e.number,
        "action": match e.action { Action::Allow => "allow", Action::Deny => "deny" },
        "protocol": e.protocol.to_string(),
        "ports": ports_text(&e.protocol, e.ports, &e.icmp),
        "cidr": e.cidr.to_string(),
    })
}

fn star_json() -> Value {
    json!({ "rule": "*", "action": "deny", "protocol": "all", "ports": "all", "cidr": "0.0.0.0/0" })
}

fn sg_rule_json(n: &Network, r: &SgRule, key: &str) -> Value {
    let mut v = json!({
        "protocol": r.protocol.to_string(),
        "ports": ports_text(&r.protocol, r.ports, &r.icmp),
    });
    v[key] = json!(peer_text(n, &r.peer));
    v
}

fn route_json(n: &Network, vpc: VpcId, r: &Route) -> Value {
    let mut v = json!({
        "destination": r.destination.to_string(),
        "target": target_text(n, vpc, &r.target),
        "state": route_state(n, vpc, &r.target),
    });
    // An entry of a prefix-list route names its list (absent for CIDR routes).
    if let Some(p) = r.prefix_list {
        v["prefix_list"] = json!(n.prefix_list(p).aws_id);
    }
    v
}

/// A route's destination as the table prints it: the CIDR, with the prefix list it is an entry
/// of (`192.0.2.0/24 (pl-corp)`).
fn destination_text(n: &Network, r: &Route) -> String {
    match r.prefix_list {
        Some(p) => format!("{} ({})", r.destination, n.prefix_list(p).aws_id),
        None => r.destination.to_string(),
    }
}

/// The document `vpclab show --json` prints: one object with every part of the network,
/// display ids and allocated addresses included. Field names are a contract.
pub fn to_json(n: &Network) -> Value {
    let vpcs: Vec<Value> = n
        .vpcs
        .iter()
        .map(|v| {
            json!({
                "name": v.name,
                "id": v.aws_id,
                "cidr": v.primary_cidr().to_string(),
                "cidrs": v.cidrs.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                "region": v.region,
                "internet_gateway": v.igw,
                "dns_support": v.dns_support,
                "dns_hostnames": v.dns_hostnames,
                "main_route_table": n.route_table(v.main_route_table).aws_id,
                "subnets": v.subnets.iter().map(|s| {
                    let s = n.subnet(*s);
                    json!({
                        "name": s.name,
                        "id": s.aws_id,
                        "cidr": s.cidr.to_string(),
                        "az": s.az,
                        "route_table": n.route_table(s.route_table).aws_id,
                        "network_acl": n.nacl(s.nacl).aws_id,
                        "map_public_ip": s.map_public_ip,
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let instances: Vec<Value> = n
        .instances
        .iter()
        .map(|i| {
            let e = n.eni(i.eni);
            let mut v = json!({
                "name": i.name,
                "id": i.aws_id,
                "eni": e.aws_id,
                "vpc": vpc_id(n, i.vpc),
                "subnet": n.subnet(i.subnet).aws_id,
                "private_ip": e.private_ip.to_string(),
                "public_ip": e.public_ip.map(|p| p.to_string()),
                "elastic_ip": e.elastic,
                "mac": mac_string(&e.mac),
                "security_groups": e.sgs.iter().map(|g| n.sg(*g).aws_id.clone()).collect::<Vec<_>>(),
                "source_dest_check": e.source_dest_check,
                "role": if i.nat { Some("nat") } else { None },
                "state": if i.running { "running" } else { "stopped" },
                "services": i.services.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            });
            // Further interfaces (`network_interfaces:`), only when the instance has some.
            if i.enis.len() > 1 {
                v["network_interfaces"] = json!(i.enis[1..].iter().map(|x| {
                    let e = n.eni(*x);
                    json!({
                        "eni": e.aws_id,
                        "device": e.device,
                        "subnet": n.subnet(e.subnet).aws_id,
                        "private_ip": e.private_ip.to_string(),
                        "secondary_ips": e.secondary_ips.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                        "public_ip": e.public_ip.map(|p| p.to_string()),
                        "security_groups": e.sgs.iter().map(|g| n.sg(*g).aws_id.clone()).collect::<Vec<_>>(),
                        "source_dest_check": e.source_dest_check,
                    })
                }).collect::<Vec<_>>());
            }
            v
        })
        .collect();
    let route_tables: Vec<Value> = n
        .route_tables
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "id": t.aws_id,
                "vpc": vpc_id(n, t.vpc),
                "main": t.main,
                "routes": t.routes.iter().map(|r| route_json(n, t.vpc, r)).collect::<Vec<_>>(),
                "subnets": n.subnets.iter().filter(|s| s.route_table == t.id).map(|s| s.aws_id.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let network_acls: Vec<Value> = n
        .nacls
        .iter()
        .map(|a| {
            let mut inb: Vec<Value> = a.inbound.iter().map(nacl_entry_json).collect();
            inb.push(star_json());
            let mut outb: Vec<Value> = a.outbound.iter().map(nacl_entry_json).collect();
            outb.push(star_json());
            json!({
                "name": a.name,
                "id": a.aws_id,
                "vpc": vpc_id(n, a.vpc),
                "default": a.default,
                "inbound": inb,
                "outbound": outb,
                "subnets": n.subnets.iter().filter(|s| s.nacl == a.id).map(|s| s.aws_id.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let security_groups: Vec<Value> = n
        .sgs
        .iter()
        .map(|g| {
            json!({
                "name": g.name,
                "id": g.aws_id,
                "vpc": vpc_id(n, g.vpc),
                "default": g.default,
                "inbound": g.inbound.iter().map(|r| sg_rule_json(n, r, "source")).collect::<Vec<_>>(),
                "outbound": g.outbound.iter().map(|r| sg_rule_json(n, r, "destination")).collect::<Vec<_>>(),
                "members": g.members.iter().map(|e| n.eni(*e).aws_id.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let nat_gateways: Vec<Value> = n
        .nat_gateways
        .iter()
        .map(|g| {
            let e = n.eni(g.eni);
            json!({
                "name": g.name,
                "id": g.aws_id,
                "vpc": vpc_id(n, g.vpc),
                "subnet": n.subnet(g.subnet).aws_id,
                "eni": e.aws_id,
                "private_ip": e.private_ip.to_string(),
                "elastic_ip": g.elastic_ip.map(|p| p.to_string()),
                "connectivity": if g.private { "private" } else { "public" },
            })
        })
        .collect();
    let peerings: Vec<Value> = n
        .peerings
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "id": p.aws_id,
                "requester": vpc_id(n, p.requester),
                "accepter": vpc_id(n, p.accepter),
                "dns_resolution": p.dns_resolution,
            })
        })
        .collect();
    let internet_hosts: Vec<Value> = n
        .internet_hosts
        .iter()
        .filter(|h| !n.hybrid.is_on_premises_host(h.id))
        .map(|h| {
            json!({
                "name": h.name,
                "ip": h.ip.to_string(),
                "mac": mac_string(&n.port(h.port).mac),
                "region": h.region,
                "location": h.location,
                "services": h.services.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut doc = json!({
        "name": n.name,
        "region": n.region,
        "public_ip_pool": n.public_pool.to_string(),
        "vpcs": vpcs,
        "instances": instances,
        "route_tables": route_tables,
        "network_acls": network_acls,
        "security_groups": security_groups,
        "nat_gateways": nat_gateways,
        "peerings": peerings,
        "internet_hosts": internet_hosts,
    });
    if let Some(lbs) = super::show_load_balancers::to_json(n) {
        doc["load_balancers"] = lbs;
    }
    // Several pools (`public_ip_pool` as a list): all of them, besides the first above.
    if n.public_pools.len() > 1 {
        doc["public_ip_pools"] = json!(n
            .public_pools
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>());
    }
    super::show_transit::json(n, &mut doc);
    super::show_endpoints::add_json(n, &mut doc);
    super::show6::extend_json(n, &mut doc);
    doc
}

/// A plain text table: a title, a header and rows, columns padded to their widths.
pub(super) fn table(out: &mut String, title: &str, header: &[&str], rows: &[Vec<String>]) {
    if rows.is_empty() {
        return;
    }
    let mut w: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < w.len() {
                w[i] = w[i].max(c.len());
            }
        }
    }
    out.push_str(title);
    out.push('\n');
    let line = |cells: Vec<&str>| -> String {
        let s: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<width$}", width = w[i]))
            .collect();
        format!("  {}\n", s.join("  ").trim_end())
    };
    out.push_str(&line(header.to_vec()));
    for r in rows {
        out.push_str(&line(r.iter().map(|s| s.as_str()).collect()));
    }
    out.push('\n');
}

/// The tables `vpclab show` prints, one per kind of object, each ending with a newline.
pub fn to_text(n: &Network) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "topology {} (region {}, public IP pool {})\n\n",
        n.name,
        n.region,
        n.public_pools
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let rows: Vec<Vec<String>> = n
        .vpcs
        .iter()
        .map(|v| {
            vec![
                v.aws_id.clone(),
                v.cidrs
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                v.region.clone(),
                v.igw.clone().unwrap_or_else(|| "-".into()),
                n.route_table(v.main_route_table).aws_id.clone(),
            ]
        })
        .collect();
    table(
        &mut o,
        "VPCs",
        &["ID", "CIDR", "REGION", "IGW", "MAIN ROUTE TABLE"],
        &rows,
    );
    let rows: Vec<Vec<String>> = n
        .subnets
        .iter()
        .map(|s| {
            vec![
                s.aws_id.clone(),
                n.vpc(s.vpc).aws_id.clone(),
                s.cidr.to_string(),
                s.az.clone(),
                n.route_table(s.route_table).aws_id.clone(),
                n.nacl(s.nacl).aws_id.clone(),
                if s.map_public_ip { "yes" } else { "no" }.into(),
            ]
        })
        .collect();
    table(
        &mut o,
        "Subnets",
        &[
            "ID",
            "VPC",
            "CIDR",
            "AZ",
            "ROUTE TABLE",
            "NETWORK ACL",
            "PUBLIC IP",
        ],
        &rows,
    );
    let mut rows = vec![];
    for t in &n.route_tables {
        for r in &t.routes {
            rows.push(vec![
                t.aws_id.clone(),
                if t.main { "yes" } else { "" }.into(),
                destination_text(n, r),
                target_text(n, t.vpc, &r.target),
                route_state(n, t.vpc, &r.target).into(),
            ]);
        }
    }
    table(
        &mut o,
        "Route tables",
        &["ID", "MAIN", "DESTINATION", "TARGET", "STATE"],
        &rows,
    );
    let mut rows = vec![];
    for a in &n.nacls {
        for (dir, entries) in [("inbound", &a.inbound), ("outbound", &a.outbound)] {
            for e in entries.iter() {
                rows.push(vec![
                    a.aws_id.clone(),
                    dir.into(),
                    e.number.to_string(),
                    e.protocol.to_string(),
                    ports_text(&e.protocol, e.ports, &e.icmp),
                    e.cidr.to_string(),
                    match e.action {
                        Action::Allow => "allow",
                        Action::Deny => "deny",
                    }
                    .into(),
                ]);
            }
            rows.push(vec![
                a.aws_id.clone(),
                dir.into(),
                "*".into(),
                "all".into(),
                "all".into(),
                "0.0.0.0/0".into(),
                "deny".into(),
            ]);
        }
    }
    table(
        &mut o,
        "Network ACLs",
        &[
            "ID",
            "DIRECTION",
            "RULE",
            "PROTOCOL",
            "PORTS",
            "CIDR",
            "ACTION",
        ],
        &rows,
    );
    let mut rows = vec![];
    for g in &n.sgs {
        for (dir, rules) in [("inbound", &g.inbound), ("outbound", &g.outbound)] {
            for r in rules.iter() {
                rows.push(vec![
                    g.aws_id.clone(),
                    n.vpc(g.vpc).aws_id.clone(),
                    dir.into(),
                    r.protocol.to_string(),
                    ports_text(&r.protocol, r.ports, &r.icmp),
                    peer_text(n, &r.peer),
                ]);
            }
            if rules.is_empty() {
                rows.push(vec![
                    g.aws_id.clone(),
                    n.vpc(g.vpc).aws_id.clone(),
                    dir.into(),
                    "-".into(),
                    "-".into(),
                    "(no rules)".into(),
                ]);
            }
        }
    }
    table(
        &mut o,
        "Security groups",
        &["ID", "VPC", "DIRECTION", "PROTOCOL", "PORTS", "PEER"],
        &rows,
    );
    let rows: Vec<Vec<String>> = n
        .instances
        .iter()
        .map(|i| {
            let e = n.eni(i.eni);
            vec![
                i.name.clone(),
                i.aws_id.clone(),
                i.enis
                    .iter()
                    .map(|x| n.eni(*x).aws_id.clone())
                    .collect::<Vec<_>>()
                    .join(","),
                n.subnet(i.subnet).aws_id.clone(),
                e.private_ip.to_string(),
                e.public_ip
                    .map(|p| {
                        if e.elastic {
                            format!("{p} (EIP)")
                        } else {
                            p.to_string()
                        }
                    })
                    .unwrap_or_else(|| "-".into()),
                mac_string(&e.mac),
                e.sgs
                    .iter()
                    .map(|g| n.sg(*g).aws_id.clone())
                    .collect::<Vec<_>>()
                    .join(","),
                if i.running { "running" } else { "stopped" }.into(),
            ]
        })
        .collect();
    table(
        &mut o,
        "Instances",
        &[
            "NAME",
            "ID",
            "ENI",
            "SUBNET",
            "PRIVATE IP",
            "PUBLIC IP",
            "MAC",
            "SECURITY GROUPS",
            "STATE",
        ],
        &rows,
    );
    let rows: Vec<Vec<String>> = n
        .nat_gateways
        .iter()
        .map(|g| {
            let e = n.eni(g.eni);
            vec![
                g.aws_id.clone(),
                n.subnet(g.subnet).aws_id.clone(),
                e.private_ip.to_string(),
                g.elastic_ip
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
                if g.private { "private" } else { "public" }.into(),
            ]
        })
        .collect();
    table(
        &mut o,
        "NAT gateways",
        &["ID", "SUBNET", "PRIVATE IP", "ELASTIC IP", "CONNECTIVITY"],
        &rows,
    );
    let rows: Vec<Vec<String>> = n
        .peerings
        .iter()
        .map(|p| {
            vec![
                p.aws_id.clone(),
                n.vpc(p.requester).aws_id.clone(),
                n.vpc(p.accepter).aws_id.clone(),
            ]
        })
        .collect();
    table(&mut o, "Peerings", &["ID", "REQUESTER", "ACCEPTER"], &rows);
    let rows: Vec<Vec<String>> = n
        .internet_hosts
        .iter()
        .filter(|h| !n.hybrid.is_on_premises_host(h.id))
        .map(|h| {
            vec![
                h.name.clone(),
                h.ip.to_string(),
                mac_string(&n.port(h.port).mac),
                h.services
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ]
        })
        .collect();
    table(
        &mut o,
        "Internet hosts",
        &["NAME", "IP", "MAC", "SERVICES"],
        &rows,
    );
    super::show_transit::text(n, &mut o);
    super::show_endpoints::add_text(n, &mut o);
    o.push_str(&super::show6::text(n));
    super::show_load_balancers::to_text(n, &mut o);
    o
}
