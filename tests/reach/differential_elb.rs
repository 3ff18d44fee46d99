//! Agreement of `reach` with the engine through load balancers, on random topologies: an NLB
//! or ALB (internet-facing or internal, cross-zone on or off, instance or IP targets) in two
//! zones, with random security groups and NACLs on the nodes' and targets' subnets, and a
//! client on the internet or in the VPC. For each client, node and source port, the analyzer's
//! verdict and the target it names must be what real frames do in the engine: the SYN reaches
//! a target's port, and the target's SYN-ACK comes back to the client from the address it
//! connected to. Cases: `REACH_DIFF_ELB_CASES` (default 60).

use std::sync::Arc;
use vpclab::engine::{wire, Engine, EngineConfig, Output};
use vpclab::model::{Network, PortId};
use vpclab::policy::Header;
use vpclab::reach::endpoint::{target_address, Party, Target};
use vpclab::reach::{analyze, resolve_source, Query};

/// A small deterministic generator (xorshift).
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

/// An SG rule admitting the target port from one of several sources (or nothing useful).
fn target_rule(r: &mut Rng, port: u16) -> String {
    match r.below(5) {
        0 => format!("- {{ protocol: tcp, ports: {port}, source: sg:lb }}"),
        1 => format!("- {{ protocol: tcp, ports: {port}, source: 10.0.0.0/16 }}"),
        2 => format!("- {{ protocol: tcp, ports: {port}, source: 0.0.0.0/0 }}"),
        3 => format!("- {{ protocol: tcp, ports: {port}, source: 10.0.1.0/24 }}"),
        _ => "- { protocol: tcp, ports: 1-10, source: 10.0.0.0/16 }".into(),
    }
}

/// A NACL that allows everything, or denies a port range one way.
fn nacl(r: &mut Rng) -> String {
    let deny = match r.below(4) {
        0 => "80",
        1 => "1024-45000",
        2 => "40000",
        _ => "5432",
    };
    let dir = if r.chance(50) { "inbound" } else { "outbound" };
    let other = if dir == "inbound" {
        "outbound"
    } else {
        "inbound"
    };
    format!(
        "        {dir}:\n          - {{ rule: 10, action: deny, protocol: tcp, ports: {deny}, cidr: 0.0.0.0/0 }}\n          - {{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }}\n        {other}:\n          - {{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }}\n"
    )
}

/// A random topology with one load balancer named `lb`.
pub fn random_elb_topology(seed: u64) -> String {
    let mut r = Rng(seed | 1);
    let alb = r.chance(50);
    let public = r.chance(60);
    let ip_targets = !alb && r.chance(30) || alb && r.chance(30);
    let cross = r.chance(50);
    let port: u16 = if alb { 80 } else { 5432 };
    let tport: u16 = if r.chance(50) { port } else { 8080 };
    let mut y = String::from("name: delb\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n");
    y += "      pub-a: { cidr: 10.0.0.0/24, az: us-east-1a, route_table: public, network_acl: na }\n";
    y += "      pub-b: { cidr: 10.0.1.0/24, az: us-east-1b, route_table: public }\n";
    y += "      app-a: { cidr: 10.0.10.0/24, az: us-east-1a, network_acl: nb }\n";
    y += "      app-b: { cidr: 10.0.11.0/24, az: us-east-1b }\n";
    y += "      app-c: { cidr: 10.0.12.0/24, az: us-east-1c }\n";
    y += "    route_tables:\n      public:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n";
    y += "    network_acls:\n      na:\n";
    y += &if r.chance(50) {
        nacl(&mut r)
    } else {
        "        inbound:\n          - { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }\n        outbound:\n          - { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }\n".into()
    };
    y += "      nb:\n";
    y += &if r.chance(50) {
        nacl(&mut r)
    } else {
        "        inbound:\n          - { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }\n        outbound:\n          - { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }\n".into()
    };
    y += "    security_groups:\n      lb:\n        inbound:\n";
    y += &match r.below(3) {
        0 => format!("          - {{ protocol: tcp, ports: {port}, source: 0.0.0.0/0 }}\n"),
        1 => format!("          - {{ protocol: tcp, ports: {port}, source: 10.0.0.0/16 }}\n"),
        _ => "          - { protocol: tcp, ports: 1-10, source: 0.0.0.0/0 }\n".into(),
    };
    if r.chance(20) {
        y += "        outbound:\n          - { protocol: tcp, ports: 1-10, destination: 0.0.0.0/0 }\n";
    }
    for t in ["ta", "tb", "tc"] {
        y += &format!(
            "      {t}:\n        inbound:\n          {}\n",
            target_rule(&mut r, tport)
        );
    }
    y += "      client:\n        inbound: []\n";
    y += "    instances:\n";
    y += "      t-a: { subnet: app-a, security_groups: [ta] }\n";
    y += "      t-b: { subnet: app-b, security_groups: [tb] }\n";
    y += "      t-c: { subnet: app-c, security_groups: [tc] }\n";
    y += "      inside: { subnet: app-b, security_groups: [client] }\n";
    if r.chance(20) {
        y += "      t-d: { subnet: app-a, security_groups: [ta], state: stopped }\n";
    }
    y += "internet:\n  hosts:\n    outside: { ip: 198.51.100.10 }\n";
    y += &format!(
        "load_balancers:\n  lb:\n    type: {}\n    scheme: {}\n    vpc: main\n    subnets: [pub-a, pub-b]\n",
        if alb { "application" } else { "network" },
        if public { "internet-facing" } else { "internal" }
    );
    if alb || r.chance(60) {
        y += "    security_groups: [lb]\n";
    }
    if !alb {
        y += &format!("    cross_zone: {cross}\n");
    }
    let proto = if alb { "http" } else { "tcp" };
    y += &format!("    listeners:\n      - {{ protocol: {proto}, port: {port}, default: {{ forward: tg }} }}\n");
    y += &format!("    target_groups:\n      tg:\n        port: {tport}\n");
    if ip_targets {
        y += "        target_type: ip\n        targets: [{ ip: 10.0.10.4 }, { ip: 10.0.11.4 }, { ip: 10.0.12.4 }]\n";
    } else {
        y += "        targets: [{ instance: t-a }, { instance: t-b }, { instance: t-c }";
        if y.contains("t-d:") {
            y += ", { instance: t-d }";
        }
        y += "]\n";
    }
    y
}

/// What the engine did with a SYN from `from` to `h.dst`: the target port it reached (None:
/// nowhere) and whether the target's SYN-ACK came back to the client from `h.dst`.
fn engine_run(net: &Arc<Network>, from: PortId, h: Header) -> (Option<PortId>, bool) {
    let mut eng = Engine::new(
        net.clone(),
        EngineConfig {
            events: false,
            ..Default::default()
        },
    );
    let syn = wire::Tcp {
        flags: 0x02,
        seq: 1000,
        ack: 0,
    };
    let f = wire::build(net.port(from).mac, net.router_mac, &h, syn, 1, b"x");
    eng.handle_frame(from, &f, 1_000_000);
    let mut seen = None;
    while let Some(o) = eng.poll_output() {
        if let Output::Frame { port, data } = o {
            if let Ok(wire::Frame::Ip(ip)) = wire::parse(&data) {
                seen = Some((port, ip.header));
            }
        }
    }
    let Some((to, at)) = seen else {
        return (None, false);
    };
    let synack = wire::Tcp {
        flags: 0x12,
        seq: 5000,
        ack: 1001,
    };
    let f = wire::build(
        net.port(to).mac,
        net.router_mac,
        &at.reversed(),
        synack,
        1,
        b"y",
    );
    eng.handle_frame(to, &f, 2_000_000);
    let mut back = false;
    while let Some(o) = eng.poll_output() {
        if let Output::Frame { port, data } = o {
            if port == from {
                if let Ok(wire::Frame::Ip(ip)) = wire::parse(&data) {
                    let r = ip.header;
                    back |= r.dst == h.src
                        && r.src == h.dst
                        && r.dport == h.sport
                        && r.sport == h.dport;
                }
            }
        }
    }
    (Some(to), back)
}

/// Every disagreement on `net`, and the number of comparisons.
fn disagreements(net: &Network) -> (Vec<String>, usize, usize) {
    let arc = Arc::new(net.clone());
    let lb = net
        .load_balancer_by_name("lb")
        .expect("the topology has `lb`");
    let l = net.load_balancer(lb);
    let port = l.listeners[0].port;
    let mut out = vec![];
    let (mut n, mut ok) = (0, 0);
    for client in ["outside", "inside"] {
        let from = resolve_source(net, client, None).expect("client resolves");
        let from_port = match &from {
            Party::Instance(i) => net.instance(*i).port,
            Party::Host { ip, .. } => {
                net.internet_host(net.internet_host_by_ip(*ip).unwrap())
                    .port
            }
            p => panic!("unexpected client {p:?}"),
        };
        for node in &l.nodes {
            let to = Party::LoadBalancer {
                lb,
                node: node.eni,
                http: Default::default(),
            };
            let Target::Addr(dst) = target_address(net, &from, &to) else {
                // No address for this client (an internal LB from the internet): the engine
                // has nothing to send to, and reach must say unreachable.
                let mut q = Query::new(from.clone(), to.clone(), 6, port);
                q.src_port = Some(40001);
                n += 1;
                if analyze(net, &q).reachable {
                    out.push(format!(
                        "{client} → node {}: reach says reachable without an address",
                        node.az
                    ));
                }
                continue;
            };
            for sport in [33000u16, 40000, 40001, 47311, 52000, 60999] {
                n += 1;
                let mut q = Query::new(from.clone(), to.clone(), 6, port);
                q.src_port = Some(sport);
                let a = analyze(net, &q);
                let src = from.source_ip(net);
                let (reached, back) =
                    engine_run(&arc, from_port, Header::l4(src, dst, 6, sport, port));
                let engine_ok = reached.is_some() && back;
                ok += usize::from(engine_ok);
                if a.reachable != engine_ok {
                    out.push(format!(
                        "{client} → {} node {} sport {sport}: reach {} engine reached {:?} back {back}\n{:#?}",
                        l.name, node.az, a.reachable, reached.map(|p| net.port(p).name.clone()), a.blockers.iter().map(|b| b.decision.to_string()).collect::<Vec<_>>()
                    ));
                    continue;
                }
                // Both delivered: the same target.
                if let (Some(p), Some(last)) = (reached, a.forward.last()) {
                    let name = &net.port(p).name;
                    let want = net.instance(net.instance_by_name(name).unwrap()).eni;
                    if a.reachable && last.component != net.eni(want).aws_id {
                        out.push(format!("{client} sport {sport}: reach ends at {} but the engine delivered to {name}", last.component));
                    }
                }
            }
        }
    }
    (out, n, ok)
}

#[test]
fn random_load_balancer_topologies_agree() {
    let cases: u64 = std::env::var("REACH_DIFF_ELB_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let (mut total, mut reachable) = (0, 0);
    let mut bad = vec![];
    for seed in 1..=cases {
        let y = random_elb_topology(seed.wrapping_mul(0x9e3779b97f4a7c15));
        let net = crate::common::net(&y);
        let (d, n, ok) = disagreements(&net);
        total += n;
        reachable += ok;
        if !d.is_empty() {
            bad.push(format!("seed {seed}:\n{y}\n{}", d.join("\n")));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {cases} topologies disagree:\n{}",
        bad.len(),
        bad.join("\n\n")
    );
    // Both verdicts occur, so agreement is not agreement on one answer.
    assert!(
        reachable > total / 10 && reachable < total * 9 / 10,
        "{reachable} of {total} reachable"
    );
}

#[test]
fn random_load_balancer_topologies_validate() {
    for seed in 1..=20u64 {
        let y = random_elb_topology(seed.wrapping_mul(0x9e3779b97f4a7c15));
        let t = vpclab::topology::parse_str("t.yaml", &y).unwrap_or_else(|r| panic!("{r}\n{y}"));
        let r = vpclab::topology::validate::validate(&t, "t.yaml");
        assert!(!r.has_errors(), "{r}\n{y}");
    }
}

/// `i-… (10.0.10.4:80)` out of a hop `target i-… (10.0.10.4:80) chosen by …`.
fn chosen(detail: &str) -> Option<String> {
    let rest = detail.strip_prefix("target ")?;
    Some(rest.split(" chosen by ").next()?.to_string())
}

/// Every disagreement of the virtual backend's layer-7 ALB with `reach` on `net` (an ALB
/// whose targets serve HTTP), and the number of comparisons. Per client, node and source port
/// the node is probed once per target (round robin visits its whole pool): the targets it
/// sends to must be the pool `reach`'s health walks give (the healthy ones of the enabled
/// zones, or all of them: fail open), the listener/rule hop must be `reach`'s, and the probe
/// that reached `reach`'s target must get its answer back exactly when `reach` says reachable.
fn l7_disagreements(net: &Network) -> (Vec<String>, usize, usize, usize) {
    use vpclab::backend::virt::{Lab, ProbeProto};
    let lb = net.load_balancer_by_name("lb").expect("`lb`");
    let l = net.load_balancer(lb);
    let port = l.listeners[0].port;
    let tg = &l.target_groups[0];
    let enabled: Vec<_> = tg
        .targets
        .iter()
        .filter(|t| {
            t.az.as_ref()
                .is_none_or(|z| l.nodes.iter().any(|n| &n.az == z))
        })
        .collect();
    let mut lab = Lab::new(Arc::new(net.clone()));
    let (mut out, mut n, mut reachable, mut at_node) = (vec![], 0, 0, 0);
    for client in ["outside", "inside"] {
        let from = resolve_source(net, client, None).expect("client resolves");
        let from_port = match net.endpoint_by_name(client).unwrap() {
            vpclab::model::Endpoint::Instance(i) => net.instance(i).port,
            vpclab::model::Endpoint::Internet(h) => net.internet_host(h).port,
        };
        for node in &l.nodes {
            let to = Party::LoadBalancer {
                lb,
                node: node.eni,
                http: Default::default(),
            };
            let Target::Addr(dst) = target_address(net, &from, &to) else {
                continue;
            };
            let healthy: Vec<String> = enabled
                .iter()
                .filter(|t| vpclab::policy::path::target_healthy(net, node.eni, tg, t))
                .map(|t| name_of(net, t))
                .collect();
            let pool: std::collections::BTreeSet<String> = if healthy.is_empty() {
                enabled.iter().map(|t| name_of(net, t)).collect()
            } else {
                healthy.into_iter().collect()
            };
            for sport in [33000u16, 40001, 52000] {
                n += 1;
                let mut q = Query::new(from.clone(), to.clone(), 6, port);
                q.src_port = Some(sport);
                let a = analyze(net, &q);
                let reach_target = a.forward.iter().find_map(|h| chosen(&h.detail));
                let mut seen = std::collections::BTreeMap::new();
                for _ in 0..enabled.len().max(1) {
                    let r =
                        lab.probe_port(from_port, None, dst, ProbeProto::Tcp, port, Some(sport));
                    if let Some(t) = r.trace.iter().find_map(|h| chosen(&h.detail)) {
                        let rule = r
                            .trace
                            .iter()
                            .find(|h| {
                                h.detail.starts_with("listener HTTP:")
                                    && h.detail.contains("forward")
                            })
                            .map(|h| h.detail.clone());
                        let want = a
                            .forward
                            .iter()
                            .find(|h| h.detail.starts_with("listener HTTP:"))
                            .map(|h| h.detail.clone());
                        if rule != want {
                            out.push(format!(
                                "{client} node {} sport {sport}: probe {rule:?} reach {want:?}",
                                node.az
                            ));
                        }
                        seen.insert(t, r.reply);
                    } else if r.reply {
                        out.push(format!(
                            "{client} node {} sport {sport}: a reply without a target",
                            node.az
                        ));
                    }
                }
                let used: std::collections::BTreeSet<String> = seen.keys().cloned().collect();
                reachable += usize::from(a.reachable);
                at_node += usize::from(!seen.is_empty());
                let ctx = format!(
                    "{client} → node {} sport {sport}: reach {} via {reach_target:?}, probe {seen:?}, pool {pool:?}\n{:?}",
                    node.az,
                    a.reachable,
                    a.blockers.iter().map(|b| b.decision.to_string()).collect::<Vec<_>>()
                );
                match &reach_target {
                    // The client never got to the node's rules (blocked on the way in): reach
                    // names the target its blocked path would take, and must say unreachable.
                    Some(_) if seen.is_empty() => {
                        if a.reachable {
                            out.push(format!("the probe never reached the node: {ctx}"));
                        }
                    }
                    Some(t) => {
                        if used != pool {
                            out.push(format!("targets used ≠ reach's pool: {ctx}"));
                        } else if seen.get(t) != Some(&a.reachable) {
                            out.push(format!("verdicts differ on reach's target: {ctx}"));
                        }
                    }
                    None => {
                        if a.reachable || seen.values().any(|ok| *ok) {
                            out.push(format!("no target in reach, yet: {ctx}"));
                        }
                    }
                }
            }
        }
    }
    (out, n, reachable, at_node)
}

/// A target's name as both hops write it.
fn name_of(net: &Network, t: &vpclab::model::load_balancer::LbTarget) -> String {
    match t.instance {
        Some(i) => format!("{} ({}:{})", net.instance(i).aws_id, t.ip, t.port),
        None => format!("{}:{}", t.ip, t.port),
    }
}

#[test]
fn random_albs_agree_with_the_virtual_backends_http_probe() {
    let cases: u64 = std::env::var("REACH_DIFF_ELB_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let (mut total, mut albs, mut bad) = (0, 0, vec![]);
    let (mut reachable, mut at_node) = (0, 0);
    for seed in 1..=cases {
        let y = random_elb_topology(seed.wrapping_mul(0x9e3779b97f4a7c15));
        if !y.contains("type: application") {
            continue;
        }
        albs += 1;
        // The targets serve HTTP on both ports the generator uses.
        let y = y.replace(
            "security_groups: [t",
            "services: [\"http:80\", \"http:8080\"], security_groups: [t",
        );
        let net = crate::common::net(&y);
        let (d, n, r, at) = l7_disagreements(&net);
        total += n;
        reachable += r;
        at_node += at;
        if !d.is_empty() {
            bad.push(format!("seed {seed}:\n{y}\n{}", d.join("\n")));
        }
    }
    assert!(albs > 5 && total > 50, "{albs} ALBs, {total} comparisons");
    eprintln!("{albs} ALBs, {total} comparisons, {reachable} reachable, {at_node} at the node");
    // Both verdicts occur, and many requests get to the node's rules and targets.
    assert!(
        reachable > total / 10 && reachable < total * 9 / 10 && at_node > total / 3,
        "{reachable} reachable, {at_node} at the node, of {total}"
    );
    assert!(
        bad.is_empty(),
        "{} disagree:\n{}",
        bad.len(),
        bad.join("\n\n")
    );
}
