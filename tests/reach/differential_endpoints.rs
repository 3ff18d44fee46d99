//! Agreement of `reach` with the engine on random topologies with VPC endpoints and AWS-managed
//! prefix lists: gateway endpoints (S3, DynamoDB) on random route tables, interface endpoints
//! (SQS) in random subnets with their own groups, SG rules and routes naming the managed lists,
//! NACLs that sometimes drop, a peered VPC routing S3's list over the peering. Every running
//! instance asks every service host and every endpoint ENI (tcp 443, tcp 80, udp 53, icmp), and
//! the instance pairs are checked by the shared `disagreements`. Each service is also asked by
//! its DNS name, resolved as the instance would (`reach::resolve_for`, private DNS or not), and
//! the virtual probe's resolution of the same name must give the same address. Cases: `REACH_ENDPOINT_CASES`
//! (default 150).

use super::differential::{disagreements, engine_probe};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::Arc;
use vpclab::model::{Network, PortId};
use vpclab::policy::Header;
use vpclab::reach::{self, endpoint::Party, Query};

/// A xorshift generator seeded by proptest.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len() as u64) as usize]
    }
}

/// A random topology with endpoints (always valid).
fn random_endpoint_topology(seed: u64) -> String {
    let mut r = Rng(seed | 1);
    let s3 = "pl:com.amazonaws.us-east-1.s3";
    let ddb = "pl:com.amazonaws.us-east-1.dynamodb";
    let mut y = String::from("name: gen\naws_services: [s3, dynamodb, sqs]\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    dns: { support: true, hostnames: true }\n    internet_gateway: true\n    subnets:\n");
    for (k, az) in ["a", "b", "a"].iter().enumerate() {
        let rt = r.pick(&["pub", "priv", "other"]);
        let acl = if r.chance(20) {
            ", network_acl: strict"
        } else {
            ""
        };
        y += &format!("      s{k}: {{ cidr: 10.0.{k}.0/24, az: us-east-1{az}, route_table: {rt}{acl}, map_public_ip: {} }}\n", rt == "pub");
    }
    y += "    route_tables:\n      pub:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n";
    y += "      priv:\n        routes:\n          - { destination: 10.1.0.0/16, target: pcx:link }\n";
    if r.chance(30) {
        y += &format!("          - {{ destination: {ddb}, target: igw }}\n");
    }
    y += "      other:\n        routes: []\n";
    y += "    network_acls:\n      strict:\n        inbound:\n          - { rule: 100, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0, action: allow }\n          - { rule: 110, protocol: tcp, ports: 443, cidr: 10.0.0.0/16, action: allow }\n        outbound:\n          - { rule: 100, protocol: tcp, ports: 443, cidr: 0.0.0.0/0, action: allow }\n          - { rule: 110, protocol: tcp, ports: 1024-65535, cidr: 10.0.0.0/16, action: allow }\n";
    y += "    security_groups:\n";
    let egress = [
        "[{ protocol: all, destination: 0.0.0.0/0 }]",
        "[{ protocol: tcp, ports: 443, destination: pl:com.amazonaws.us-east-1.s3 }, { protocol: tcp, ports: 443, destination: 10.0.0.0/16 }]",
        "[{ protocol: tcp, ports: 80-443, destination: pl:com.amazonaws.us-east-1.dynamodb }]",
        "[{ protocol: tcp, ports: 443, destination: sg:ep }]",
        "[]",
    ];
    for g in 0..3 {
        y += &format!("      g{g}:\n        outbound: {}\n", r.pick(&egress));
    }
    let ep_in = [
        "[{ protocol: tcp, ports: 443, source: sg:g0 }]",
        "[{ protocol: tcp, ports: 443, source: 10.0.0.0/16 }]",
        "[{ protocol: all, source: 10.0.1.0/24 }]",
        // All addresses in, and the default all-addresses outbound: untracked at an instance,
        // tracked at an endpoint's ENI all the same (AWS's automatically tracked connections).
        "[{ protocol: tcp, ports: 443, source: 0.0.0.0/0 }]",
        "[]",
    ];
    y += &format!("      ep:\n        inbound: {}\n", r.pick(&ep_in));
    let mut eps = String::new();
    let tables = ["[priv]", "[priv, other]", "[pub]", "[other]", "[pub, priv]"];
    if r.chance(80) {
        eps += &format!(
            "      s3: {{ type: gateway, service: s3, route_tables: {} }}\n",
            r.pick(&tables)
        );
    }
    if r.chance(40) {
        eps += "      ddb: { type: gateway, service: dynamodb, route_tables: [other] }\n";
    }
    if r.chance(80) {
        let subs = r.pick(&["[s0]", "[s0, s1]", "[s1]", "[s2, s1]"]);
        let dns = if r.chance(50) { "true" } else { "false" };
        eps += &format!("      sqs: {{ type: interface, service: sqs, subnets: {subs}, security_groups: [ep], private_dns: {dns} }}\n");
    }
    if !eps.is_empty() {
        y += "    endpoints:\n";
        y += &eps;
    }
    y += "    instances:\n";
    for i in 0..(2 + r.below(3)) {
        let s = r.below(3);
        let g = r.below(3);
        y += &format!(
            "      i{i}: {{ subnet: s{s}, security_groups: [g{g}], services: [http:80] }}\n"
        );
    }
    y += "  peer:\n    cidr: 10.1.0.0/16\n    subnets:\n      p: { cidr: 10.1.0.0/24, route_table: p }\n    route_tables:\n      p:\n        routes:\n          - { destination: 10.0.0.0/16, target: pcx:link }\n";
    y += &format!("          - {{ destination: {s3}, target: pcx:link }}\n");
    y += "    security_groups:\n      wide:\n        outbound: [{ protocol: all, destination: 0.0.0.0/0 }]\n";
    y += "    instances:\n      far: { subnet: p, security_groups: [wide] }\n";
    y += "peerings:\n  link: { requester: main, accepter: peer }\n";
    y
}

/// The destinations that endpoints add: every service host and every endpoint ENI, with the
/// port that receives their packets.
fn endpoint_targets(net: &Network) -> Vec<(Party, PortId)> {
    let mut v: Vec<(Party, PortId)> = net
        .aws_services
        .iter()
        .map(|s| {
            let h = net.internet_host(s.host);
            (
                Party::Host {
                    name: h.name.clone(),
                    ip: h.ip,
                },
                h.port,
            )
        })
        .collect();
    for e in &net.vpc_endpoints {
        for eni in e.enis() {
            v.push((
                Party::EndpointEni(*eni),
                net.eni_port(*eni).expect("served"),
            ));
        }
    }
    v
}

/// Each service by its DNS name as instance `from` resolves it (`reach::resolve_for`), with the
/// port behind the address; a disagreement when the virtual probe's resolution differs.
fn by_name(net: &Network, from: &Party, who: &str, out: &mut Vec<String>) -> Vec<(Party, PortId)> {
    let mut v = Vec::new();
    for s in &net.aws_services {
        let name = &net.internet_host(s.host).name;
        let to = reach::resolve_for(net, name, from).expect("a service name resolves");
        let port = match &to {
            Party::EndpointEni(e) => net.eni_port(*e).expect("served"),
            Party::Host { ip, .. } => {
                net.internet_host(net.internet_host_by_ip(*ip).unwrap())
                    .port
            }
            p => panic!("{name} resolved to {p:?}"),
        };
        let virt = vpclab::backend::virt::resolve(net, who, name).expect("the probe resolves it");
        if virt != Some(to.source_ip(net)) {
            out.push(format!(
                "{who} → {name}: reach {}, probe {virt:?}",
                to.name(net)
            ));
        }
        v.push((to, port));
    }
    v
}

/// Every disagreement between reach and the engine for instances → endpoint targets.
fn endpoint_disagreements(net: &Network, counts: &mut [usize; 2]) -> Vec<String> {
    let net = Arc::new(net.clone());
    let edges = reach::classes::edges(&net);
    let mut out = Vec::new();
    for i in net.instances.iter().filter(|i| i.running) {
        let mut targets = endpoint_targets(&net);
        targets.extend(by_name(&net, &Party::Instance(i.id), &i.name, &mut out));
        for (to, tport) in targets {
            for (proto, port) in [(6u8, 443u16), (6, 80), (17, 53), (1, 0)] {
                let from = Party::Instance(i.id);
                let q = Query::new(from.clone(), to.clone(), proto, port);
                let a = reach::analyze_with(&net, &q, &edges);
                let Some(dst) = a.destination_ip else {
                    continue;
                };
                let src = from.source_ip(&net);
                let sp = if proto == 1 { 1 } else { i.ephemeral.from };
                let h = if proto == 1 {
                    Header::icmp(src, dst, 8, 0, sp)
                } else {
                    Header::l4(src, dst, proto, sp, port)
                };
                let reach_ok = match &a.source_ports {
                    Some(s) => s
                        .reachable
                        .iter()
                        .any(|r| vpclab::model::PortRange::parse(r).is_ok_and(|r| r.contains(sp))),
                    None => a.reachable,
                };
                let (_, back) = engine_probe(&net, i.port, tport, h);
                counts[usize::from(!back)] += 1;
                if back != reach_ok {
                    out.push(format!(
                        "{} → {} ({h}): reach {reach_ok}, engine {back}; blocker {:?}",
                        i.name,
                        to.name(&net),
                        a.blocked
                            .as_ref()
                            .map(|b| (&b.decision.component, b.code()))
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn random_endpoint_topologies_agree() {
    let cases: u32 = std::env::var("REACH_ENDPOINT_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let counts = std::cell::Cell::new([0usize; 2]);
    let res = runner.run(&any::<u64>(), |seed| {
        let y = random_endpoint_topology(seed);
        let t = vpclab::topology::parse_str("gen.yaml", &y)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{y}")))?;
        let rep = vpclab::topology::validate::validate(&t, "gen.yaml");
        if rep.has_errors() {
            return Err(TestCaseError::fail(format!("invalid: {rep}\n{y}")));
        }
        let net = vpclab::model::build(&t, "gen.yaml")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{y}")))?;
        let mut c = counts.get();
        let mut d = endpoint_disagreements(&net, &mut c);
        counts.set(c);
        d.extend(disagreements(&net));
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
    let [yes, no] = counts.get();
    eprintln!("{cases} endpoint topologies, {} endpoint probes: {yes} replied, {no} did not; reach agreed on all", yes + no);
    assert!(
        yes > 0 && no > 0,
        "the generator must produce both outcomes"
    );
}
