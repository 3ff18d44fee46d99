//! Agreement of `reach` with the engine and the virtual backend's `probe` for the questions of
//! spec/cli.md "Sources, destinations and protocols": destinations nobody owns (inside a VPC,
//! in a VPC CIDR but in no subnet, outside every VPC), NAT gateways' own addresses (private
//! IP and Elastic IP), spoofed sources, subnet sources, `internet --src-ip` sources, and
//! protocols 0, 47 and 50 besides tcp/udp/icmp. Every case is also sent as real frames:
//!
//! - engine: the first packet from the source's port (for a subnet or internet source, the host
//!   `probe` adds for it); where it arrives that host answers with the reversed header; `reach`
//!   is reachable exactly when that answer gets back to the source. A packet to an address
//!   outside every VPC leaves the network (the engine's walk ends `Exited` exactly when reach
//!   says `exits_network` with a clean forward leg); the answer is then sent by a host placed
//!   at that address in a copy of the network, standing for whoever owns it out there.
//! - probe: `Lab::probe_port` reports `exited` exactly when the engine's walk exits, and a
//!   reply exactly when `reach` is reachable (for destinations that are not exits).
//!
//! Cases: every repository topology, and `REACH_ANY_CASES` random ones (default 150).

use super::differential::{random_topology, yaml_files};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::net::Ipv4Addr;
use std::sync::Arc;
use vpclab::backend::virt::{source::source_network, Lab, ProbeProto};
use vpclab::engine::{wire, Engine, EngineConfig, Output};
use vpclab::model::{Network, PortId};
use vpclab::policy::path::Outcome;
use vpclab::reach::{self, first_packet, Party, Query};

/// An address outside every VPC that no host owns.
const FAR: Ipv4Addr = Ipv4Addr::new(54, 1, 2, 3);

/// The protocols asked: (number, destination port).
const PROTOS: [(u8, u16); 6] = [(6, 80), (17, 9000), (1, 0), (0, 0), (47, 0), (50, 0)];

/// The sources of a network: instances, one spoofed instance, each subnet from its first free
/// address, and the internet from an address no host has.
fn sources(net: &Network) -> Vec<Party> {
    let mut v: Vec<Party> = net
        .instances
        .iter()
        .filter(|i| i.running)
        .map(|i| Party::Instance(i.id))
        .collect();
    if let Some(i) = net.instances.iter().find(|i| i.running) {
        if let Some(ip) = net.first_free_address(i.subnet) {
            v.push(Party::InstanceFrom(i.id, ip));
        }
    }
    for s in &net.subnets {
        if let Some(ip) = net.first_free_address(s.id) {
            v.push(Party::Subnet { subnet: s.id, ip });
        }
    }
    v.push(Party::Internet {
        ip: Ipv4Addr::new(198, 51, 100, 77),
    });
    v
}

/// The destinations: instances, unowned addresses inside subnets, in a VPC CIDR outside every
/// subnet, outside every VPC, and each NAT gateway's private IP and Elastic IP.
fn destinations(net: &Network) -> Vec<Party> {
    let mut v: Vec<Party> = net
        .instances
        .iter()
        .filter(|i| i.running)
        .map(|i| Party::Instance(i.id))
        .collect();
    for s in net.subnets.iter().take(2) {
        if let Some(ip) = net.first_free_address(s.id) {
            v.push(Party::Address(ip));
        }
    }
    for vpc in &net.vpcs {
        let last = Ipv4Addr::from(u32::from(vpc.primary_cidr().broadcast()) - 1);
        if net.subnet_of(vpc.id, last).is_none() {
            v.push(Party::Address(last));
        }
    }
    v.push(Party::Address(FAR));
    for n in &net.nat_gateways {
        let e = net.eni(n.eni);
        v.push(Party::Address(e.private_ip));
        v.extend(e.public_ip.map(Party::Address));
    }
    v
}

/// What real frames did in the engine: (the first packet's walk exited, the answer got back).
/// `to`: the port whose host answers (None: nobody answers there).
fn engine_run(
    net: &Arc<Network>,
    from: PortId,
    to: Option<PortId>,
    h: vpclab::policy::Header,
) -> (bool, bool) {
    let mut eng = Engine::new(
        net.clone(),
        EngineConfig {
            events: false,
            ..Default::default()
        },
    );
    eng.set_record_walks(true);
    let syn = wire::Tcp {
        flags: 0x02,
        seq: 1000,
        ack: 0,
    };
    let f = wire::build(net.port(from).mac, net.router_mac, &h, syn, 1, b"x");
    eng.handle_frame(from, &f, 1_000_000);
    let exited = eng
        .take_walks()
        .first()
        .is_some_and(|w| matches!(w.walk.outcome, Outcome::Exited { .. }));
    let mut seen = None;
    while let Some(o) = eng.poll_output() {
        if let Output::Frame { port, data } = o {
            if Some(port) == to {
                if let Ok(wire::Frame::Ip(ip)) = wire::parse(&data) {
                    seen = Some(ip.header);
                }
            }
        }
    }
    let (Some(at), Some(to)) = (seen, to) else {
        return (exited, false);
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
                        && r.proto == h.proto
                        && (!h.has_ports() || (r.dport == h.sport && r.sport == h.dport));
                }
            }
        }
    }
    (exited, back)
}

/// The port of the host that owns `to` in `net` (the network the source's frames go through).
fn target_port(net: &Network, to: &Party) -> Option<PortId> {
    match to {
        Party::Instance(i) => Some(net.instance(*i).port),
        Party::Address(ip) => net
            .internet_host_by_ip(*ip)
            .map(|h| net.internet_host(h).port),
        _ => None,
    }
}

/// Every disagreement on this network, as printable lines, and the number of comparisons.
fn disagreements(net: &Network, with_probe: bool) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut cases = 0;
    for from in sources(net) {
        let Ok((aug, src_port, spoof)) = source_network(net, &from) else {
            continue;
        };
        // Every instance answers UDP 9000 (see `udp_echo_on`).
        let snet = Arc::new(super::differential::udp_echo_on(
            &aug.unwrap_or_else(|| net.clone()),
            9000,
        ));
        // The same network with someone out there at FAR, to answer what leaves the network.
        let far_net = snet
            .with_hidden_internet_host("far", FAR, Vec::new())
            .map(|(n, _)| Arc::new(n));
        for to in destinations(net) {
            // Not a question about the network: a host to itself, or the internet to the
            // internet.
            let same = match (&from, &to) {
                (Party::InstanceFrom(a, _), Party::Instance(b)) => a == b,
                (_, Party::Address(ip)) => {
                    *ip == from.source_ip(net)
                        || (matches!(from, Party::Internet { .. }) && *ip == FAR)
                }
                _ => from == to,
            };
            if same {
                continue;
            }
            for (p, port) in PROTOS {
                let sp = from.ephemeral(net).from;
                let q = Query {
                    from: from.clone(),
                    to: to.clone(),
                    proto: p,
                    port,
                    src_port: (p == 6 || p == 17).then_some(sp),
                };
                let a = reach::analyze(net, &q);
                let Some(dst) = a.destination_ip else {
                    continue;
                };
                let src = spoof.unwrap_or_else(|| from.source_ip(net));
                let h = first_packet(src, dst, p, sp, port);
                let (exited, _) = engine_run(&snet, src_port, target_port(&snet, &to), h);
                let (_, back) = match (&to, &far_net) {
                    (Party::Address(ip), Some(fnet)) if *ip == FAR => {
                        engine_run(fnet, src_port, target_port(fnet, &to), h)
                    }
                    _ => engine_run(&snet, src_port, target_port(&snet, &to), h),
                };
                cases += 1;
                let clean_exit = a.exits_network
                    && !a.blockers.iter().any(|b| b.path == reach::PathLeg::Forward);
                let what = || format!("{} → {} ({h})", from.name(net), to.name(net),);
                let first = a
                    .blocked
                    .as_ref()
                    .map(|b| (b.decision.component.clone(), b.code(), b.path.as_str()));
                if back != a.reachable {
                    out.push(format!(
                        "{}: reach says reachable={}, the engine's answer got back={back}; reach's first blocker {first:?}",
                        what(),
                        a.reachable
                    ));
                }
                if exited != clean_exit {
                    out.push(format!(
                        "{}: reach says exits_network={} (clean forward leg: {clean_exit}), the engine's walk exited={exited}",
                        what(),
                        a.exits_network
                    ));
                }
                if with_probe {
                    let mut lab = Lab::new(snet.clone());
                    let r = lab.probe_port(
                        src_port,
                        spoof,
                        dst,
                        ProbeProto::from_number(p),
                        port,
                        Some(sp),
                    );
                    cases += 1;
                    if r.exited != exited {
                        out.push(format!(
                            "{}: probe exited={}, engine exited={exited}",
                            what(),
                            r.exited
                        ));
                    }
                    // TCP: the virtual hosts answer SYNs only on open ports or with RST, both
                    // a reply; a reply never comes from an address nobody owns.
                    if !a.exits_network && r.reply != a.reachable {
                        out.push(format!(
                            "{}: probe reply={}, reach reachable={}; probe's blocker {:?}, reach's {first:?}",
                            what(),
                            r.reply,
                            a.reachable,
                            r.blocked.as_ref().map(|b| (&b.component, b.code))
                        ));
                    }
                }
            }
        }
    }
    (out, cases)
}

#[test]
fn repository_topologies_agree_on_any_source_destination_and_protocol() {
    let mut bad = Vec::new();
    let mut n = 0;
    for f in yaml_files() {
        let Ok(t) = vpclab::topology::load(&f) else {
            continue;
        };
        let Ok(net) = vpclab::model::build(&t, &f.display().to_string()) else {
            continue;
        };
        let (d, k) = disagreements(&net, true);
        n += k;
        bad.extend(d.into_iter().map(|d| format!("{}: {d}", f.display())));
    }
    eprintln!(
        "repository topologies: {n} cases (engine and probe), {} disagreements",
        bad.len()
    );
    assert!(n > 1000, "only {n} cases");
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn random_topologies_agree_on_any_source_destination_and_protocol() {
    let cases: u32 = std::env::var("REACH_ANY_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config.clone(),
        proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm),
    );
    let total = std::cell::Cell::new(0usize);
    let res = runner.run(&any::<u64>(), |seed| {
        let y = random_topology(seed);
        let t = vpclab::topology::parse_str("gen.yaml", &y)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{y}")))?;
        let net = vpclab::model::build(&t, "gen.yaml")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{y}")))?;
        let (d, k) = disagreements(&net, false);
        total.set(total.get() + k);
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
    eprintln!(
        "{cases} random topologies: {} engine cases, reach agreed on all",
        total.get()
    );
}
