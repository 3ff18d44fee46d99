//! Every instance (and `internet`) to every instance, for one protocol and port.
//!
//! Instances that policy cannot tell apart (same subnet, groups, public-IP presence, state,
//! checks, ephemeral range, and the same side of every CIDR any rule or route names) get the
//! same answer, so the matrix asks one question per pair of such classes.

use super::endpoint::{internet_address, Party};
use super::{analyze_with, classes, Query};
use crate::model::{InstanceId, Network, SgPeer, Target};
use crate::policy::ExplanationCode;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::collections::HashMap;

/// One cell of the matrix: one source to one destination instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    /// Source name (`internet` for any public address).
    pub from: String,
    /// Destination instance's name.
    pub to: String,
    /// True when every source port of the client's range gets there and back.
    pub reachable: bool,
    /// The first blocker's explanation code; None when reachable.
    pub code: Option<ExplanationCode>,
    /// Display id of the first blocker's component; None when reachable.
    pub component: Option<String>,
}

/// A cached answer: verdict, code, component, and the pair it was computed for.
type Answer = (bool, Option<ExplanationCode>, Option<String>, Party, Party);

/// The sources of a matrix: every instance, then `internet`.
pub fn sources(net: &Network) -> Vec<(String, Party)> {
    let mut v: Vec<(String, Party)> = net
        .instances
        .iter()
        .map(|i| (i.name.clone(), Party::Instance(i.id)))
        .collect();
    v.push((
        "internet".into(),
        Party::Internet {
            ip: internet_address(net),
        },
    ));
    v
}

/// Every CIDR a rule or route can test an address against.
fn cidrs(net: &Network) -> Vec<Ipv4Net> {
    let mut v: Vec<Ipv4Net> = Vec::new();
    for a in &net.nacls {
        v.extend(a.inbound.iter().chain(&a.outbound).map(|e| e.cidr));
    }
    for g in &net.sgs {
        for r in g.inbound.iter().chain(&g.outbound) {
            if let SgPeer::Cidr(c) = r.peer {
                v.push(c);
            }
        }
    }
    for t in &net.route_tables {
        v.extend(t.routes.iter().map(|r| r.destination));
    }
    for x in &net.vpcs {
        v.extend(x.cidrs.iter().copied());
    }
    v.extend(net.subnets.iter().map(|s| s.cidr));
    v.sort();
    v.dedup();
    v
}

/// The policy-equivalence signature of an instance.
fn signature(net: &Network, i: InstanceId, cidrs: &[Ipv4Net], special: bool) -> Vec<u64> {
    let inst = net.instance(i);
    let e = net.eni(inst.eni);
    let mut s: Vec<u64> = vec![
        e.subnet.0 as u64,
        inst.running as u64
            | (inst.nat as u64) << 1
            | (e.source_dest_check as u64) << 2
            | (e.public_ip.is_some() as u64) << 3,
        (inst.ephemeral.from as u64) << 16 | inst.ephemeral.to as u64,
        if special { u64::MAX - i.0 as u64 } else { 0 },
    ];
    s.extend(e.sgs.iter().map(|g| g.0 as u64));
    s.push(u64::MAX);
    let mut bits = 0u64;
    for (k, c) in cidrs.iter().enumerate() {
        let v = c.contains(&e.private_ip) as u64
            | (e.public_ip.is_some_and(|p| c.contains(&p)) as u64) << 1;
        bits |= v << ((k % 32) * 2);
        if k % 32 == 31 {
            s.push(bits);
            bits = 0;
        }
    }
    s.push(bits);
    s
}

/// Computes the matrix (the diagonal is left out).
pub fn matrix(net: &Network, proto: u8, port: u16) -> Vec<Cell> {
    let aug = super::walk::with_internet_host(net, internet_address(net));
    let net = aug.as_ref().unwrap_or(net);
    let edges = classes::edges(net);
    let cs = cidrs(net);
    // Route targets are unique: never merged with another instance.
    let targets: Vec<InstanceId> = net
        .route_tables
        .iter()
        .flat_map(|t| t.routes.iter())
        .filter_map(|r| match r.target {
            Target::Instance(i) => Some(i),
            _ => None,
        })
        .collect();
    let sigs: Vec<Vec<u64>> = net
        .instances
        .iter()
        .map(|i| signature(net, i.id, &cs, targets.contains(&i.id)))
        .collect();
    let sig_of = |p: &Party| -> Vec<u64> {
        match p {
            Party::Instance(i) | Party::InstanceAt(i, _) => sigs[i.idx()].clone(),
            _ => vec![u64::MAX, u64::MAX],
        }
    };
    let mut cache: HashMap<(Vec<u64>, Vec<u64>), Answer> = HashMap::new();
    let mut out = Vec::new();
    for (fname, from) in sources(net) {
        for to in &net.instances {
            let tp = Party::Instance(to.id);
            if from == tp {
                continue;
            }
            let key = (sig_of(&from), sigs[to.id.idx()].clone());
            let entry = cache.entry(key).or_insert_with(|| {
                let q = Query {
                    from: from.clone(),
                    to: tp.clone(),
                    proto,
                    port,
                };
                let a = analyze_with(net, &q, &edges);
                (
                    a.reachable,
                    a.blocked.as_ref().map(|b| b.code()),
                    a.blocked.as_ref().map(|b| b.decision.component.clone()),
                    from.clone(),
                    tp.clone(),
                )
            });
            let (reachable, code, mut component) = (entry.0, entry.1, entry.2.clone());
            // A blocker on the representative's own ENI or instance is this pair's own.
            for (rep, actual) in [(&entry.3, &from), (&entry.4, &tp)] {
                if let (Some(re), Some(ae)) = (rep.eni(net), actual.eni(net)) {
                    let ids = [(net.eni(re).aws_id.clone(), net.eni(ae).aws_id.clone())];
                    for (r, a) in ids {
                        if component.as_deref() == Some(r.as_str()) {
                            component = Some(a);
                        }
                    }
                }
                if let (Party::Instance(ri), Party::Instance(ai)) = (rep, actual) {
                    let (r, a) = (&net.instance(*ri).aws_id, &net.instance(*ai).aws_id);
                    if component.as_deref() == Some(r.as_str()) {
                        component = Some(a.clone());
                    }
                }
            }
            out.push(Cell {
                from: fname.clone(),
                to: to.name.clone(),
                reachable,
                code,
                component,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_give_the_same_cells_as_one_query_per_pair() {
        let y = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n      a: { cidr: 10.0.0.0/24, route_table: pub, map_public_ip: true }\n      b: { cidr: 10.0.1.0/24, network_acl: n }\n    route_tables:\n      pub:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n    network_acls:\n      n:\n        inbound:\n          - { rule: 100, protocol: all, cidr: 10.0.0.4/32, action: deny }\n          - { rule: 110, protocol: all, cidr: 0.0.0.0/0, action: allow }\n        outbound:\n          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }\n    security_groups:\n      w:\n        inbound:\n          - { protocol: tcp, ports: 80, source: sg:w }\n    instances:\n      x1: { subnet: a, security_groups: [w] }\n      x2: { subnet: a, security_groups: [w] }\n      x3: { subnet: a, security_groups: [w] }\n      y1: { subnet: b, security_groups: [w] }\n      y2: { subnet: b }\n";
        let n = crate::model::from_yaml(y);
        let m = matrix(&n, 6, 80);
        let aug = super::super::walk::with_internet_host(&n, internet_address(&n)).unwrap();
        for c in &m {
            let from = super::super::resolve(&aug, &c.from).unwrap();
            let to = super::super::resolve(&aug, &c.to).unwrap();
            let a = super::super::analyze(
                &aug,
                &Query {
                    from,
                    to,
                    proto: 6,
                    port: 80,
                },
            );
            assert_eq!(
                (c.reachable, c.code, c.component.clone()),
                (
                    a.reachable,
                    a.blocked.as_ref().map(|b| b.code()),
                    a.blocked.map(|b| b.decision.component)
                ),
                "{} → {}",
                c.from,
                c.to
            );
        }
        // x1 (10.0.0.4) is denied into b by its /32; x2 is not.
        let cell = |f: &str, t: &str| {
            m.iter()
                .find(|c| c.from == f && c.to == t)
                .unwrap()
                .reachable
        };
        assert!(!cell("x1", "y1") && cell("x2", "y1") && cell("x2", "x3"));
    }
}
