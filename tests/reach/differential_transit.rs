//! Agreement of `reach` with the engine on random hybrid topologies: 2-4 VPCs on a transit
//! gateway with 1-3 route tables, random associations (some none), propagations, static and
//! blackhole routes, attachment subnets missing in some AZs, NACLs that drop some traffic on
//! attachment subnets, and a data center behind a VPN on the transit gateway (static or BGP,
//! sometimes down) and sometimes a second one behind a VGW of one VPC. Every instance pair
//! (the existing `disagreements`), and every instance with every on-premises host both ways,
//! must give the same verdict in the analyzer and in real frames. Cases: `REACH_TRANSIT_CASES`
//! (default 120).

use super::differential::{disagreements, engine_probe};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::Arc;
use vpclab::model::Network;
use vpclab::policy::Header;
use vpclab::reach::{self, Query};

/// A small deterministic generator driven by proptest's seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// A random hybrid topology (see the module comment).
pub fn random_transit_topology(seed: u64) -> String {
    let mut r = Rng(seed | 1);
    let nv = 2 + r.below(3) as usize;
    let nt = 1 + r.below(3) as usize;
    let vgw_vpc = r.chance(40).then(|| r.below(nv as u64) as usize);
    let mut y = String::from("name: gen\nvpcs:\n");
    for v in 0..nv {
        y += &format!("  v{v}:\n    cidr: 10.{v}.0.0/16\n    subnets:\n");
        let ns = 1 + r.below(2) as usize;
        for s in 0..ns {
            let az = if r.chance(50) { "a" } else { "b" };
            y += &format!(
                "      s{s}: {{ cidr: 10.{v}.{s}.0/24, az: us-east-1{az}, route_table: r }}\n"
            );
        }
        for az in ["a", "b"] {
            let acl = if r.chance(20) {
                ", network_acl: tight"
            } else {
                ""
            };
            y += &format!(
                "      t{az}: {{ cidr: 10.{v}.255.{}/28, az: us-east-1{az}{acl} }}\n",
                if az == "a" { 0 } else { 16 }
            );
        }
        y += "    route_tables:\n      r:\n";
        if vgw_vpc == Some(v) {
            y += "        propagating_vgws: [vg]\n";
        }
        y += "        routes:\n          - { destination: 10.0.0.0/8, target: tgw:hub }\n";
        if vgw_vpc != Some(v) || r.chance(50) {
            y += "          - { destination: 172.16.0.0/16, target: tgw:hub }\n";
        }
        y += "    network_acls:\n      tight:\n        inbound:\n          - { rule: 100, protocol: tcp, ports: 80, cidr: 0.0.0.0/0, action: allow }\n          - { rule: 110, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0, action: allow }\n        outbound:\n          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }\n";
        y += "    security_groups:\n      open:\n        inbound:\n          - { protocol: all, source: 0.0.0.0/0 }\n";
        y += &format!("    instances:\n      i{v}: {{ subnet: s0, security_groups: [open] }}\n");
        if ns > 1 {
            y += &format!("      j{v}: {{ subnet: s1, security_groups: [open] }}\n");
        }
    }
    y += "transit_gateways:\n  hub:\n";
    let defaults = r.chance(30);
    if !defaults {
        y += "    default_route_table_association: false\n    default_route_table_propagation: false\n";
    }
    y += "    route_tables:\n";
    let tables: Vec<String> = if defaults {
        vec!["default".into()]
    } else {
        (0..nt).map(|t| format!("t{t}")).collect()
    };
    for t in &tables {
        y += &format!("      {t}:\n        routes:\n");
        let mut any = false;
        if r.chance(30) {
            let v = r.below(nv as u64);
            y += &format!("          - {{ destination: 10.{v}.0.0/24, blackhole: true }}\n");
            any = true;
        }
        if r.chance(30) {
            y += "          - { destination: 172.16.0.0/16, attachment: vpn }\n";
            any = true;
        }
        if !any {
            y.truncate(y.len() - "        routes:\n".len());
            y += "        routes: []\n";
        }
    }
    y += "    attachments:\n";
    let pick = |r: &mut Rng| -> String {
        if defaults {
            return String::new();
        }
        let assoc = if r.chance(10) {
            "none".to_string()
        } else {
            tables[r.below(tables.len() as u64) as usize].clone()
        };
        let props: Vec<&str> = tables
            .iter()
            .filter(|_| r.chance(50))
            .map(|s| s.as_str())
            .collect();
        format!(
            ", association: {assoc}, propagations: [{}]",
            props.join(", ")
        )
    };
    for v in 0..nv {
        let subnets = match r.below(4) {
            0 => "[ta]",
            1 => "[tb]",
            _ => "[ta, tb]",
        };
        let am = if r.chance(20) {
            ", appliance_mode: true"
        } else {
            ""
        };
        let p = pick(&mut r);
        y += &format!("      a{v}: {{ vpc: v{v}, subnets: {subnets}{am}{p} }}\n");
    }
    let p = pick(&mut r);
    y += &format!("      vpn: {{ vpn_connection: dc-vpn{p} }}\n");
    y += "customer_gateways:\n  cg: { on_premises: dc }\n";
    let routing = if r.chance(50) {
        "routing: static, static_routes: [172.16.0.0/16]"
    } else {
        "routing: dynamic"
    };
    let state = if r.chance(15) { "down" } else { "up" };
    y += &format!(
        "vpn_connections:\n  dc-vpn: {{ customer_gateway: cg, {routing}, state: {state} }}\n"
    );
    if let Some(v) = vgw_vpc {
        y += "  br-vpn: { customer_gateway: cb, vpn_gateway: vg }\n";
        y += &format!("vpn_gateways:\n  vg: {{ vpc: v{v} }}\n");
        y = y.replace(
            "customer_gateways:\n",
            "customer_gateways:\n  cb: { on_premises: branch }\n",
        );
    }
    y += "on_premises:\n  dc:\n    cidrs: [172.16.0.0/16]\n    hosts:\n      dc-a: { ip: 172.16.1.10 }\n";
    if vgw_vpc.is_some() {
        y += "  branch:\n    cidrs: [172.20.0.0/16]\n    hosts:\n      br-a: { ip: 172.20.1.10 }\n";
    }
    y
}

/// Disagreements between reach and the engine for every instance and on-premises host pair.
fn hybrid_disagreements(net: &Arc<Network>) -> Vec<String> {
    let edges = reach::classes::edges(net);
    let mut out = vec![];
    let hosts: Vec<String> = net
        .hybrid
        .on_premises
        .iter()
        .flat_map(|o| o.hosts.iter().map(|h| net.internet_host(*h).name.clone()))
        .collect();
    let insts: Vec<String> = net.instances.iter().map(|i| i.name.clone()).collect();
    let mut pairs: Vec<(String, String)> = vec![];
    for h in &hosts {
        for i in &insts {
            pairs.push((h.clone(), i.clone()));
            pairs.push((i.clone(), h.clone()));
        }
    }
    for (a, b) in pairs {
        for (proto, port) in [(6u8, 80u16), (1, 0)] {
            let q = Query {
                from: reach::resolve_source(net, &a, None).expect("source"),
                to: reach::resolve(net, &b).expect("destination"),
                proto,
                port,
                src_port: None,
            };
            let an = reach::analyze_with(net, &q, &edges);
            let Some(dst) = an.destination_ip else {
                continue;
            };
            let src = q.from.source_ip(net);
            let sp = q.from.ephemeral(net).from;
            let h = if proto == 1 {
                Header::icmp(src, dst, 8, 0, sp)
            } else {
                Header::l4(src, dst, proto, sp, port)
            };
            let port_of = |n: &str| match net.instance_by_name(n) {
                Some(i) => net.instance(i).port,
                None => {
                    net.internet_host(net.internet_host_by_name(n).expect("host"))
                        .port
                }
            };
            let reach_ok = match &an.source_ports {
                Some(s) => s
                    .reachable
                    .iter()
                    .any(|r| vpclab::model::PortRange::parse(r).is_ok_and(|r| r.contains(sp))),
                None => an.reachable,
            };
            let (_, back) = engine_probe(net, port_of(&a), port_of(&b), h);
            if back != reach_ok {
                out.push(format!(
                    "{a} → {b} ({h}): reach says {reach_ok}, engine says {back}; reach's blocker {:?}",
                    an.blocked.as_ref().map(|x| (&x.decision.component, x.code(), x.path.as_str()))
                ));
            }
        }
    }
    out
}

#[test]
fn random_transit_topologies_agree() {
    let cases: u32 = std::env::var("REACH_TRANSIT_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let outcomes = std::cell::Cell::new((0u32, 0u32));
    let res = runner.run(&any::<u64>(), |seed| {
        let y = random_transit_topology(seed);
        let t = vpclab::topology::parse_str("gen.yaml", &y).map_err(|e| {
            TestCaseError::fail(format!("generator wrote an invalid topology: {e}\n{y}"))
        })?;
        let rep = vpclab::topology::validate::validate(&t, "gen.yaml");
        if rep.has_errors() {
            return Err(TestCaseError::fail(format!(
                "generator wrote an invalid topology: {rep}\n{y}"
            )));
        }
        let net = vpclab::model::build(&t, "gen.yaml")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{y}")))?;
        let mut d = disagreements(&net);
        let net = Arc::new(net);
        d.extend(hybrid_disagreements(&net));
        let edges = reach::classes::edges(&net);
        let (mut yes, mut no) = outcomes.get();
        for h in net.hybrid.on_premises.iter().flat_map(|o| o.hosts.clone()) {
            let name = net.internet_host(h).name.clone();
            for i in &net.instances {
                let q = Query {
                    from: reach::resolve_source(&net, &name, None).expect("source"),
                    to: reach::resolve(&net, &i.name).expect("destination"),
                    proto: 6,
                    port: 80,
                    src_port: None,
                };
                if reach::analyze_with(&net, &q, &edges).reachable {
                    yes += 1;
                } else {
                    no += 1;
                }
            }
        }
        outcomes.set((yes, no));
        if d.is_empty() {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!(
                "reach and the engine disagree:\n--- gen.yaml ---\n{y}---\n{}",
                d.join("\n")
            )))
        }
    });
    if let Err(e) = res {
        panic!("{e}");
    }
    let (yes, no) = outcomes.get();
    eprintln!("{cases} random hybrid topologies: on-premises → instance reachable {yes}, not {no}; reach and the engine agreed on all");
    assert!(
        yes > 0 && no > 0,
        "the generator must produce both outcomes"
    );
}
