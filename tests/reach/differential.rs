//! Agreement of `reach` with the data plane: for every topology under `topologies/` and `labs/`
//! and for random topologies (proptest), every instance pair (and the internet to every
//! instance), a set of protocols/ports and source ports, the analyzer's verdict must equal what
//! real frames do in the engine: a SYN (UDP datagram, echo request) sent by A's host must reach
//! B's host, and B's answer (SYN-ACK, UDP reply, echo reply) must reach A.
//!
//! The frames go through `engine::Engine` directly (sans-IO): the virtual backend's probe API
//! was not on the `engine` branch yet. Cases: `REACH_DIFF_CASES` (default 500).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::Arc;
use vpclab::engine::{wire, Engine, Output};
use vpclab::model::{Network, PortId};
use vpclab::policy::Header;
use vpclab::reach::{self, endpoint::Party, Query};

/// What real frames did: (delivered to B, B's reply got back to A).
pub(crate) fn engine_probe(
    net: &Arc<Network>,
    from: PortId,
    to: PortId,
    h: Header,
) -> (bool, bool) {
    let no_events = vpclab::engine::EngineConfig {
        events: false,
        ..Default::default()
    };
    let mut eng = Engine::new(net.clone(), no_events);
    let pa = net.port(from);
    let pb = net.port(to);
    let syn = wire::Tcp {
        flags: 0x02,
        seq: 1000,
        ack: 0,
    };
    let f = wire::build(pa.mac, net.router_mac, &h, syn, 1, b"x");
    eng.handle_frame(from, &f, 1_000_000);
    let mut seen = None;
    while let Some(o) = eng.poll_output() {
        if let Output::Frame { port, data } = o {
            if port == to {
                if let Ok(wire::Frame::Ip(ip)) = wire::parse(&data) {
                    seen = Some(ip.header);
                }
            }
        }
    }
    let Some(at_b) = seen else {
        return (false, false);
    };
    let rh = at_b.reversed();
    let synack = wire::Tcp {
        flags: 0x12,
        seq: 5000,
        ack: 1001,
    };
    let f = wire::build(pb.mac, net.router_mac, &rh, synack, 1, b"y");
    eng.handle_frame(to, &f, 2_000_000);
    let mut back = false;
    while let Some(o) = eng.poll_output() {
        if let Output::Frame { port, data } = o {
            if port == from {
                if let Ok(wire::Frame::Ip(ip)) = wire::parse(&data) {
                    let r = ip.header;
                    let ok_tcp = h.proto != 6 || ip.tcp_flags & 0x12 == 0x12;
                    if r.dst == h.src
                        && r.src == h.dst
                        && r.proto == h.proto
                        && ok_tcp
                        && (!h.has_ports() || (r.dport == h.sport && r.sport == h.dport))
                    {
                        back = true;
                    }
                }
            }
        }
    }
    (true, back)
}

/// Probes run: (agreed reachable, agreed not reachable).
static COUNTS: [std::sync::atomic::AtomicUsize; 2] = [
    std::sync::atomic::AtomicUsize::new(0),
    std::sync::atomic::AtomicUsize::new(0),
];

/// Every disagreement on this network, as printable lines.
pub(crate) fn disagreements(net0: &Network) -> Vec<String> {
    let rep = reach::endpoint::internet_address(net0);
    let net = Arc::new(reach::walk::with_internet_host(net0, rep).unwrap_or_else(|| net0.clone()));
    let edges = reach::classes::edges(&net);
    let mut out = Vec::new();
    let mut sources: Vec<(Party, PortId)> = net
        .instances
        .iter()
        .filter(|i| i.running)
        .map(|i| (Party::Instance(i.id), i.port))
        .collect();
    let host = net.internet_host_by_ip(rep).expect("representative host");
    sources.push((Party::Internet { ip: rep }, net.internet_host(host).port));
    for (from, fport) in &sources {
        for to in net.instances.iter().filter(|i| i.running) {
            if *from == Party::Instance(to.id) {
                continue;
            }
            for (proto, port) in [(6u8, 80u16), (6, 22), (17, 9000), (1, 0)] {
                let q = Query {
                    from: from.clone(),
                    to: Party::Instance(to.id),
                    proto,
                    port,
                    src_port: None,
                };
                let a = reach::analyze_with(&net, &q, &edges);
                let Some(dst) = a.destination_ip else {
                    // No usable address: the data plane has nothing to send to.
                    continue;
                };
                let src = from.source_ip(&net);
                let eph = from.ephemeral(&net);
                let sports: Vec<u16> = if proto == 1 {
                    vec![1]
                } else {
                    vec![
                        eph.from,
                        eph.to,
                        eph.from / 2 + eph.to / 2,
                        40000.clamp(eph.from, eph.to),
                    ]
                };
                for sp in sports {
                    let h = if proto == 1 {
                        Header::icmp(src, dst, 8, 0, sp)
                    } else {
                        Header::l4(src, dst, proto, sp, port)
                    };
                    let reach_ok = match &a.source_ports {
                        Some(s) => s.reachable.iter().any(|r| {
                            vpclab::model::PortRange::parse(r).is_ok_and(|r| r.contains(sp))
                        }),
                        None => a.reachable,
                    };
                    let (_, back) = engine_probe(&net, *fport, to.port, h);
                    COUNTS[usize::from(!back)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if back != reach_ok {
                        out.push(format!(
                            "{} → {} ({h}): reach says {}, engine says {}; first blocker: {:?}",
                            from.name(&net),
                            to.name,
                            if reach_ok {
                                "reachable"
                            } else {
                                "not reachable"
                            },
                            if back { "reply got back" } else { "no reply" },
                            a.blocked.as_ref().map(|b| (
                                &b.decision.component,
                                b.code(),
                                b.path.as_str()
                            ))
                        ));
                    }
                }
            }
        }
    }
    out
}

/// `net` with every instance also answering UDP on `port` (an echo service), so a UDP probe's
/// answer is a datagram of its flow, which is what `reach` judges on the way back. Without a
/// service the host answers with ICMP port unreachable, which SGs admit only by a rule and
/// `reach` does not model (it is no reply of the flow).
pub(crate) fn udp_echo_on(net: &Network, port: u16) -> Network {
    let mut n = net.clone();
    for i in &mut n.instances {
        let udp = vpclab::model::Service::Udp(port);
        if !i.services.contains(&udp) {
            i.services.push(udp);
        }
    }
    n
}

/// Every disagreement between `reach` and the virtual backend's `probe` (smoltcp hosts behind
/// the engine) on this network: for every pair and protocol, one probe from a fresh lab (its
/// first source port is the client's ephemeral start) against reach's answer for that port.
fn probe_disagreements(net0: &Network) -> Vec<String> {
    use vpclab::backend::virt::{Lab, ProbeProto};
    let rep = reach::endpoint::internet_address(net0);
    let net = reach::walk::with_internet_host(net0, rep).unwrap_or_else(|| net0.clone());
    let net = Arc::new(udp_echo_on(&net, 9000));
    let edges = reach::classes::edges(&net);
    let mut out = Vec::new();
    let mut sources: Vec<(Party, String)> = net
        .instances
        .iter()
        .filter(|i| i.running)
        .map(|i| (Party::Instance(i.id), i.name.clone()))
        .collect();
    sources.push((Party::Internet { ip: rep }, "internet".into()));
    for (from, fname) in &sources {
        for to in net.instances.iter().filter(|i| i.running) {
            if *from == Party::Instance(to.id) {
                continue;
            }
            for (proto, pp, port) in [
                (6u8, ProbeProto::Tcp, 80u16),
                (17, ProbeProto::Udp, 9000),
                (1, ProbeProto::Icmp, 0),
            ] {
                let q = Query {
                    from: from.clone(),
                    to: Party::Instance(to.id),
                    proto,
                    port,
                    src_port: None,
                };
                let a = reach::analyze_with(&net, &q, &edges);
                let sp = from.ephemeral(&net).from;
                let reach_ok = match &a.source_ports {
                    Some(s) => s
                        .reachable
                        .iter()
                        .any(|r| vpclab::model::PortRange::parse(r).is_ok_and(|r| r.contains(sp))),
                    None => a.reachable,
                };
                let mut lab = Lab::new(net.clone());
                let r = match lab.probe(fname, &to.name, pp, port) {
                    Ok(r) => r,
                    Err(e) => {
                        out.push(format!("{fname} → {}: probe failed: {e}", to.name));
                        continue;
                    }
                };
                COUNTS[usize::from(!r.reply)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if r.reply != reach_ok {
                    out.push(format!(
                        "{fname} → {} ({} port {port}, source port {sp}): reach says {}, probe says {} (delivered {}); reach's first blocker: {:?}; probe's: {:?}",
                        to.name,
                        vpclab::model::protocol_name(proto),
                        if reach_ok { "reachable" } else { "not reachable" },
                        if r.reply { "reply" } else { "no reply" },
                        r.delivered,
                        a.blocked.as_ref().map(|b| (&b.decision.component, b.code(), b.path.as_str())),
                        r.blocked.as_ref().map(|b| (&b.component, b.code)),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn repository_topologies_agree_with_virtual_probe() {
    let mut bad = Vec::new();
    for f in yaml_files() {
        let Ok(t) = vpclab::topology::load(&f) else {
            continue;
        };
        let Ok(net) = vpclab::model::build(&t, &f.display().to_string()) else {
            continue;
        };
        for d in probe_disagreements(&net) {
            bad.push(format!("{}: {d}", f.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "reach and probe disagree:\n{}",
        bad.join("\n")
    );
}

#[test]
fn random_topologies_agree_with_virtual_probe() {
    let cases: u32 = std::env::var("REACH_PROBE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config.clone(),
        proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm),
    );
    let res = runner.run(&any::<u64>(), |seed| {
        let y = random_topology(seed);
        let t = vpclab::topology::parse_str("gen.yaml", &y)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{y}")))?;
        let net = vpclab::model::build(&t, "gen.yaml")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{y}")))?;
        let d = probe_disagreements(&net);
        if d.is_empty() {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!(
                "reach and probe disagree on this topology:\n--- gen.yaml ---\n{y}---\n{}",
                d.join("\n")
            )))
        }
    });
    if let Err(e) = res {
        panic!("{e}");
    }
}

pub(crate) fn yaml_files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v = Vec::new();
    let mut stack = vec![root.join("topologies"), root.join("labs")];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

#[test]
fn repository_topologies_agree() {
    let files = yaml_files();
    assert!(!files.is_empty(), "topologies/ holds examples");
    let mut bad = Vec::new();
    let mut checked = 0;
    for f in files {
        let Ok(t) = vpclab::topology::load(&f) else {
            continue;
        }; // not a topology (lab metadata)
        let Ok(net) = vpclab::model::build(&t, &f.display().to_string()) else {
            continue;
        };
        checked += 1;
        for d in disagreements(&net) {
            bad.push(format!("{}: {d}", f.display()));
        }
    }
    assert!(checked > 0);
    assert!(
        bad.is_empty(),
        "reach and the engine disagree:\n{}",
        bad.join("\n")
    );
}

// ---- random topologies ----

pub(crate) use super::generator::{random_topology, random_topology_fam, Rng};

#[test]
fn random_topologies_agree() {
    let cases: u32 = std::env::var("REACH_DIFF_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let built = std::cell::Cell::new(0u32);
    // Two cases in five are dual-stack and probed in both families (issue 16: at least a
    // third).
    let (case, duals) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let probes6 = std::cell::Cell::new(0usize);
    let res = runner.run(&any::<u64>(), |seed| {
        let dual = case.get() % 5 < 2;
        case.set(case.get() + 1);
        let y = random_topology_fam(seed, dual);
        let t = match vpclab::topology::parse_str("gen.yaml", &y) {
            Ok(t) => t,
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "generator wrote an invalid topology: {e}\n{y}"
                )))
            }
        };
        let rep = vpclab::topology::validate::validate(&t, "gen.yaml");
        if rep.has_errors() {
            return Err(TestCaseError::fail(format!(
                "generator wrote an invalid topology: {rep}\n{y}"
            )));
        }
        let net = vpclab::model::build(&t, "gen.yaml")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{y}")))?;
        built.set(built.get() + 1);
        let mut d = disagreements(&net);
        if dual {
            duals.set(duals.get() + 1);
            let (d6, n6) = super::differential_ipv6::disagreements6(&net);
            probes6.set(probes6.get() + n6);
            d.extend(d6);
        }
        if d.is_empty() {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!(
                "reach and the engine disagree on this topology:\n--- gen.yaml ---\n{y}---\n{}",
                d.join("\n")
            )))
        }
    });
    if let Err(e) = res {
        panic!("{e}");
    }
    assert_eq!(built.get(), cases);
    assert!(
        duals.get() > 0 && probes6.get() > 0 || cases < 3,
        "the dual-stack cases were probed over IPv6"
    );
    assert!(
        duals.get() * 3 >= cases,
        "{} of {cases} random topologies were dual-stack: fewer than a third",
        duals.get()
    );
    let yes = COUNTS[0].load(std::sync::atomic::Ordering::Relaxed);
    let no = COUNTS[1].load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("{cases} random topologies ({} dual-stack, probed in both families: {} IPv6 probes), {} IPv4 probes: {yes} got a reply, {no} did not; reach agreed on all", duals.get(), probes6.get(), yes + no);
    assert!(
        yes > 0 && no > 0,
        "the generator must produce both outcomes"
    );
}

/// Topologies with the keys imports need (docs/topology.md, last section), each aimed at one
/// of them: blackhole routes, prefix lists in routes and SG rules.
const IMPORT_KEYS: &[(&str, &str)] = &[
    (
        "blackhole",
        "name: bh
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      a: { cidr: 10.0.0.0/24, route_table: r, map_public_ip: true }
      b: { cidr: 10.0.1.0/24, route_table: s, map_public_ip: true }
      c: { cidr: 10.0.2.0/24 }
    route_tables:
      r:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
          - { destination: 10.0.2.0/24, target: blackhole }
      s:
        routes:
          - { destination: 0.0.0.0/0, target: blackhole }
    security_groups:
      open:
        inbound:
          - { protocol: all, source: 0.0.0.0/0 }
    instances:
      a1: { subnet: a, security_groups: [open] }
      b1: { subnet: b, security_groups: [open] }
      c1: { subnet: c, security_groups: [open] }
",
    ),
    (
        "prefix lists",
        "name: pl
prefix_lists:
  net:
    entries: [198.51.100.0/24, 10.0.2.0/24]
  part:
    entries: [198.51.100.192/26]
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      a: { cidr: 10.0.0.0/24, route_table: r, map_public_ip: true }
      b: { cidr: 10.0.1.0/24, route_table: s, map_public_ip: true }
      c: { cidr: 10.0.2.0/24 }
    route_tables:
      r:
        routes:
          - { destination: pl:net, target: igw }
      s:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
          - { destination: pl:part, target: blackhole }
    security_groups:
      fromlist:
        inbound:
          - { protocol: tcp, ports: 80, source: pl:net }
          - { protocol: icmp, source: pl:part }
      tolist:
        inbound:
          - { protocol: all, source: 0.0.0.0/0 }
        outbound:
          - { protocol: tcp, ports: 80, destination: pl:net }
          - { protocol: udp, ports: 9000, destination: pl:part }
    instances:
      a1: { subnet: a, security_groups: [fromlist] }
      b1: { subnet: b, security_groups: [tolist] }
      c1: { subnet: c, security_groups: [fromlist, tolist] }
",
    ),
    (
        "secondary IPs and a second interface",
        "name: nics
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      front: { cidr: 10.0.0.0/24, route_table: r, map_public_ip: true }
      back: { cidr: 10.0.1.0/24 }
    route_tables:
      r:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      public:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
          - { protocol: icmp, source: sg:admin }
      admin:
        inbound:
          - { protocol: tcp, ports: 22, source: 10.0.1.0/24 }
          - { protocol: udp, ports: 9000, source: sg:public }
    instances:
      gw:
        subnet: front
        secondary_ips: [10.0.0.50]
        security_groups: [public]
        network_interfaces:
          - { subnet: back, ip: 10.0.1.10, secondary_ips: [10.0.1.11], security_groups: [admin] }
      ops: { subnet: back, secondary_ips: [10.0.1.30], security_groups: [admin] }
      web: { subnet: front, security_groups: [public] }
",
    ),
];

/// `reach` against the engine for every address of every ENI that is not its instance's
/// primary (secondary IPs, further interfaces) as destination, from every running instance.
fn extra_address_disagreements(net: &Arc<Network>) -> Vec<String> {
    let edges = reach::classes::edges(net);
    let mut out = Vec::new();
    for from in net.instances.iter().filter(|i| i.running) {
        for to in net
            .instances
            .iter()
            .filter(|i| i.running && i.id != from.id)
        {
            for a in net.port_extra_addrs(to.port).iter().map(|a| a.addr()) {
                for (proto, port) in [(6u8, 80u16), (6, 22), (17, 9000), (1, 0)] {
                    let q = Query {
                        from: Party::Instance(from.id),
                        to: Party::InstanceAt(to.id, a),
                        proto,
                        port,
                        src_port: None,
                    };
                    let an = reach::analyze_with(net, &q, &edges);
                    let src = q.from.source_ip(net);
                    let h = if proto == 1 {
                        Header::icmp(src, a, 8, 0, 1)
                    } else {
                        Header::l4(src, a, proto, 40000, port)
                    };
                    let (_, back) = engine_probe(net, from.port, to.port, h);
                    COUNTS[usize::from(!back)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if back != an.reachable {
                        out.push(format!(
                            "{} → {} ({h}): reach says {}, engine says {back}",
                            from.name, to.name, an.reachable
                        ));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn import_key_topologies_agree() {
    let mut bad = Vec::new();
    for (what, y) in IMPORT_KEYS {
        let t = vpclab::topology::parse_str("t.yaml", y).unwrap_or_else(|r| panic!("{what}: {r}"));
        let report = vpclab::topology::validate::validate(&t, "t.yaml");
        assert!(!report.has_errors(), "{what}: {report}");
        let net = vpclab::model::build(&t, "t.yaml").unwrap_or_else(|r| panic!("{what}: {r}"));
        bad.extend(
            disagreements(&net)
                .into_iter()
                .map(|d| format!("{what}: {d}")),
        );
        bad.extend(
            probe_disagreements(&net)
                .into_iter()
                .map(|d| format!("{what} (probe): {d}")),
        );
        let net = Arc::new(net);
        bad.extend(
            extra_address_disagreements(&net)
                .into_iter()
                .map(|d| format!("{what} (extra addresses): {d}")),
        );
    }
    assert!(
        bad.is_empty(),
        "reach and the engine disagree:\n{}",
        bad.join("\n")
    );
}
