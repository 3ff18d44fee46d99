//! The differential test over IPv6: random dual-stack topologies (every one has IPv6: VPC
//! blocks, subnets' /64s, instances' addresses, internet gateways, egress-only gateways,
//! peerings with IPv6 routes, NACLs and SGs mixing IPv4 and IPv6 rules), each probed in both
//! families. IPv6: for every pair and protocol, `reach -6` (`reach::ipv6::analyze6`) against
//! the engine fed raw IPv6 frames (a SYN, UDP datagram or ICMPv6 echo, then the answer from the
//! other side): the reply must get back exactly when the analyzer says reachable, for each
//! source port tried. IPv4: the IPv4 differential's own check (`differential::disagreements`).
//! NAT64: some VPCs have a dual-stack subnet with `dns64: true` whose table may route
//! 64:ff9b::/96 to a NAT gateway; from its instances `reach -6` to the IPv4-only internet host
//! `old` (through DNS64's synthesised address) is checked against the engine: the IPv6 packet
//! must come out at `old` as IPv4 and `old`'s answer get back to the source as IPv6.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::net::Ipv6Addr;
use std::sync::Arc;
use vpclab::engine::wire::ipv6::{frame6, parse6};
use vpclab::engine::{Engine, EngineConfig, Output};
use vpclab::model::{Network, PortId};
use vpclab::reach::{self, Party, Query};

use super::differential::Rng;

/// A random dual-stack topology.
pub fn random_dual_stack(seed: u64) -> String {
    let mut r = Rng(seed | 1);
    let vpcs = 1 + r.below(2) as usize;
    let peer = vpcs == 2 && r.chance(70);
    let mut y = String::from("name: gen6\nvpcs:\n");
    for v in 0..vpcs {
        let igw = r.chance(70);
        let eigw = r.chance(60);
        y += &format!("  v{v}:\n    cidr: 10.{v}.0.0/16\n    ipv6_cidr: amazon\n    internet_gateway: {igw}\n");
        if eigw {
            y += "    egress_only_internet_gateways:\n      e: {}\n";
        }
        // NAT64: a NAT gateway in s3 (table nt) and a DNS64 subnet s2 routed through table n64.
        let nat64 = igw && r.chance(60);
        if nat64 {
            y += &format!("    nat_gateways:\n      ng{v}: {{ subnet: s3 }}\n");
        }
        y += "    subnets:\n";
        if nat64 {
            let acl = if r.chance(40) { ", network_acl: n" } else { "" };
            y += &format!("      s2: {{ cidr: 10.{v}.2.0/24, ipv6_cidr: 2, route_table: n64, dns64: true, assign_ipv6_address_on_creation: true{acl} }}\n");
            let acl = if r.chance(30) { ", network_acl: n" } else { "" };
            y += &format!(
                "      s3: {{ cidr: 10.{v}.3.0/24, ipv6_cidr: 3, route_table: nt{acl} }}\n"
            );
        }
        for s in 0..2 {
            let rt = r.pick(&["pub", "priv", "main"]);
            let acl = if r.chance(50) { ", network_acl: n" } else { "" };
            y += &format!("      s{s}: {{ cidr: 10.{v}.{s}.0/24, ipv6_cidr: {s}, route_table: {rt}, assign_ipv6_address_on_creation: true{acl} }}\n");
        }
        y += "    route_tables:\n";
        let other = if v == 0 {
            "2600:1f18:4000:100::/56"
        } else {
            "2600:1f18:4000::/56"
        };
        for rt in ["pub", "priv"] {
            y += &format!("      {rt}:\n        routes:\n");
            let mut any = false;
            let target = match (rt, igw, eigw) {
                ("pub", true, _) => Some("igw"),
                ("priv", _, true) => Some("eigw:e"),
                (_, true, _) if r.chance(30) => Some("igw"),
                _ => None,
            };
            if let Some(t) = target.filter(|_| r.chance(85)) {
                y += &format!("          - {{ destination: \"::/0\", target: {t} }}\n");
                any = true;
            }
            if igw && r.chance(50) {
                y += "          - { destination: 0.0.0.0/0, target: igw }\n";
                any = true;
            }
            if peer && r.chance(80) {
                y += &format!("          - {{ destination: \"{other}\", target: pcx:p }}\n");
                y += &format!(
                    "          - {{ destination: 10.{}.0.0/16, target: pcx:p }}\n",
                    1 - v
                );
                any = true;
            }
            if !any {
                y += "          - { destination: 192.0.2.0/24, target: blackhole }\n";
            }
        }
        if nat64 {
            y += "      nt:\n        routes:\n";
            if r.chance(85) {
                y += "          - { destination: 0.0.0.0/0, target: igw }\n";
            } else {
                y += "          - { destination: 192.0.2.0/24, target: blackhole }\n";
            }
            y += "      n64:\n        routes:\n";
            if r.chance(85) {
                y += &format!(
                    "          - {{ destination: \"64:ff9b::/96\", target: nat:ng{v} }}\n"
                );
            } else {
                y += "          - { destination: 192.0.2.0/24, target: blackhole }\n";
            }
        }
        y += "    network_acls:\n      n:\n";
        for dir in ["inbound", "outbound"] {
            let mut rules = String::new();
            if r.chance(40) {
                let ports = r.pick(&["22", "80", "1024-40000"]);
                rules += &format!("          - {{ rule: 50, action: deny, protocol: tcp, ports: {ports}, cidr: \"::/0\" }}\n");
            }
            if r.chance(85) {
                rules +=
                    "          - { rule: 100, action: allow, protocol: all, cidr: \"::/0\" }\n";
            }
            if r.chance(85) {
                rules +=
                    "          - { rule: 110, action: allow, protocol: all, cidr: 0.0.0.0/0 }\n";
            }
            if r.chance(30) {
                rules +=
                    "          - { rule: 120, action: allow, protocol: icmpv6, cidr: \"::/0\" }\n";
            }
            // An empty list is written `[]` (a key with nothing under it is an error).
            if rules.is_empty() {
                y += &format!("        {dir}: []\n");
            } else {
                y += &format!("        {dir}:\n{rules}");
            }
        }
        y += "    security_groups:\n";
        for g in 0..2 {
            y += &format!("      g{g}:\n        inbound:\n");
            for _ in 0..1 + r.below(3) {
                let src = r.pick(&[
                    "\"::/0\"",
                    "0.0.0.0/0",
                    "sg:g0",
                    "sg:g1",
                    "\"2600:1f18:4000::/48\"",
                    "\"2001:db8::/32\"",
                ]);
                match r.below(4) {
                    0 => y += &format!("          - {{ protocol: icmpv6, source: {src} }}\n"),
                    1 => {
                        y += &format!(
                            "          - {{ protocol: udp, ports: 9000, source: {src} }}\n"
                        )
                    }
                    _ => {
                        y += &format!(
                            "          - {{ protocol: tcp, ports: {}, source: {src} }}\n",
                            r.pick(&["80", "22", "1-1024", "all"])
                        )
                    }
                }
            }
            if r.chance(30) {
                y += "        outbound:\n          - { protocol: tcp, ports: all, destination: \"::/0\" }\n";
            }
        }
        y += "    instances:\n";
        for i in 0..2 + r.below(2) {
            let s = if nat64 && i == 0 { 2 } else { r.below(2) };
            let g = r.below(2);
            y += &format!("      i{v}{i}: {{ subnet: s{s}, security_groups: [g{g}], services: [http:80, udp:9000] }}\n");
        }
    }
    if peer {
        y += "peerings:\n  p: { requester: v0, accepter: v1 }\n";
    }
    y += "internet:\n  hosts:\n    inet: { ip: 198.51.100.10, ipv6: \"2001:db8::10\", services: [http:80, udp:9000] }\n";
    y += "    old: { ip: 198.51.100.20 }\n";
    y
}

/// Sends the first packet of the flow and the destination's answer through a fresh engine as
/// raw IPv6 frames; true when the answer got back to the source. The flow's five-tuple and
/// its two ports are the arguments, as the other differential probes take them.
#[allow(clippy::too_many_arguments)]
fn engine_probe6(
    net: &Arc<Network>,
    from: PortId,
    to: PortId,
    src: Ipv6Addr,
    dst: Ipv6Addr,
    proto: u8,
    sport: u16,
    dport: u16,
) -> bool {
    let mut e = Engine::new(
        net.clone(),
        EngineConfig {
            events: false,
            ..Default::default()
        },
    );
    let upper = |sp: u16, dp: u16, first: bool| -> Vec<u8> {
        match proto {
            6 => {
                let mut t = vec![0u8; 20];
                t[0..2].copy_from_slice(&sp.to_be_bytes());
                t[2..4].copy_from_slice(&dp.to_be_bytes());
                t[12] = 5 << 4;
                t[13] = if first { 0x02 } else { 0x12 };
                t
            }
            17 => {
                let mut u = vec![0u8; 8];
                u[0..2].copy_from_slice(&sp.to_be_bytes());
                u[2..4].copy_from_slice(&dp.to_be_bytes());
                u[4..6].copy_from_slice(&8u16.to_be_bytes());
                u
            }
            _ => {
                let mut i = vec![if first { 128 } else { 129 }, 0, 0, 0, 0, 0, 0, 1];
                i[4..6].copy_from_slice(&sp.to_be_bytes());
                i
            }
        }
    };
    let run = |e: &mut Engine, port: PortId, f: Vec<u8>, want: PortId| -> bool {
        e.handle_frame(port, &f, 1_000_000);
        let mut got = false;
        while let Some(o) = e.poll_output() {
            if let Output::Frame { port, data } = o {
                got |= port == want && parse6(&data).is_ok();
            }
        }
        got
    };
    let (ma, mb) = (net.port(from).mac, net.port(to).mac);
    let (ssp, sdp) = if proto == 58 {
        (sport, sport)
    } else {
        (sport, dport)
    };
    let f = frame6(
        net.router_mac,
        ma,
        src,
        dst,
        proto,
        64,
        upper(ssp, sdp, true),
    );
    if !run(&mut e, from, f, to) {
        return false;
    }
    let back = frame6(
        net.router_mac,
        mb,
        dst,
        src,
        proto,
        64,
        upper(sdp, ssp, false),
    );
    run(&mut e, to, back, from)
}

/// `reach -6` against the virtual backend's `probe -6` (`Lab::probe6`) from every source kind
/// `-6` takes — instances, `internet` (and `--src-ip`), every IPv6 subnet, every internet and
/// egress-only gateway — to instances, `internet`, an unowned address in a subnet and one
/// outside every VPC, over tcp 80, udp 9000 and ICMPv6 (udp only to hosts that run udp:9000:
/// an ICMPv6 error is the answer of a closed port, which the engine does not relate to the
/// flow), from source port 32768: reachable must equal the probe's `reply`, and
/// `exits_network` its `exited` (out of the network, where nobody answers the probe, reach may
/// still find the return leg blocked). Also the count of probes.
pub(crate) fn probe6_disagreements(net: &Network) -> (Vec<String>, usize) {
    use vpclab::backend::virt::{Lab, ProbeProto};
    use vpclab::reach::ipv6::{analyze6_q, endpoints6, Party6, Question6};
    use vpclab::reach::ipv6_party::{prepare6, End6};
    let (mut out, mut n) = (vec![], 0);
    let mut froms: Vec<(String, Option<Ipv6Addr>)> = net
        .instances
        .iter()
        .filter(|i| !net.eni_ipv6(i.eni).is_empty())
        .map(|i| (i.name.clone(), None))
        .collect();
    froms.push(("internet".into(), None));
    froms.push(("internet".into(), Some("2001:db8:77::7".parse().unwrap())));
    for s in &net.subnets {
        if net.subnet_ipv6(s.id).cidr.is_some() {
            froms.push((format!("subnet:{}/{}", net.vpc(s.vpc).name, s.name), None));
        }
    }
    for v in &net.vpcs {
        if let Some(g) = &v.igw {
            froms.push((g.clone(), None));
        }
        if let Some(g) = net.eigw(v.id) {
            froms.push((g.aws_id.clone(), None));
        }
    }
    let mut tos: Vec<String> = net
        .instances
        .iter()
        .filter(|i| !net.eni_ipv6(i.eni).is_empty())
        .map(|i| i.name.clone())
        .collect();
    tos.extend(
        net.internet_hosts
            .iter()
            .filter(|h| net.internet_host_by_name(&h.name) == Some(h.id))
            .map(|h| h.name.clone()),
    );
    tos.push("internet".into());
    tos.push("2001:db8:ffff::1".into());
    if let Some(s) = net
        .subnets
        .iter()
        .find(|s| net.subnet_ipv6(s.id).cidr.is_some())
    {
        let c = net.subnet_ipv6(s.id).cidr.unwrap();
        tos.push(vpclab::topology::ipv6::offset6(c.network(), 0xabc).to_string());
    }
    for (f, src_ip) in &froms {
        for t in &tos {
            for (proto, port) in [(6u8, 80u16), (17, 9000), (58, 0)] {
                let named = net.instance_by_name(t).is_some() || t == "inet";
                if proto == 17 && !named {
                    continue;
                }
                let (Ok(from), Ok(to)) = (
                    vpclab::reach::ipv6_party::party6(net, f, true),
                    vpclab::reach::ipv6_party::party6(net, t, false),
                ) else {
                    out.push(format!("{f} → {t}: not a -6 question"));
                    continue;
                };
                if matches!((&from, &to), (Party6::Named(a), Party6::Named(b)) if a == b) {
                    continue;
                }
                let q = Question6 {
                    from,
                    to,
                    src_ip: *src_ip,
                    proto,
                    port,
                    src_port: (proto != 58).then_some(32768),
                };
                let a = match analyze6_q(net, &q) {
                    Ok(a) => a,
                    Err(e) => {
                        out.push(format!("{f} → {t}: reach -6 refused it: {e}"));
                        continue;
                    }
                };
                let p = prepare6(net, &q).expect("reach took it");
                let pn = Arc::new(p.network(net).clone());
                let (reply, exited) = match endpoints6(&pn, &p) {
                    Err(_) => (false, false),
                    Ok((src, dst)) => {
                        let port_of = match p.from {
                            End6::Eni(e) => {
                                pn.instance(pn.eni_instance(e).expect("an instance")).port
                            }
                            End6::Host(h) => pn.internet_host(h).port,
                            End6::Addr(_) => unreachable!("a destination only"),
                        };
                        let pp = match proto {
                            58 => ProbeProto::Icmp,
                            x => ProbeProto::from_number(x),
                        };
                        let r =
                            Lab::new(pn.clone()).probe6(port_of, src, dst, pp, port, q.src_port);
                        (r.reply, r.exited)
                    }
                };
                n += 1;
                PROBE6_OUTCOMES[usize::from(!(reply || exited))]
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // Out of the network nobody answers the probe: `reach` walks the return leg
                // from the gateway, so only there may it say "not reachable" when the probe
                // says exited.
                let back_blocked = a
                    .blocked
                    .as_ref()
                    .is_some_and(|b| b.path == vpclab::reach::PathLeg::Return);
                let agree = if exited {
                    a.exits_network && (a.reachable || back_blocked)
                } else {
                    !a.exits_network && a.reachable == reply
                };
                if !agree {
                    out.push(format!(
                        "probe -6 {f}{} → {t} proto {proto} port {port}: reach says {} (exits {}), probe reply {reply} exited {exited}; reach's blocker {:?}",
                        src_ip.map(|s| format!(" --src-ip {s}")).unwrap_or_default(),
                        a.reachable,
                        a.exits_network,
                        a.blocked.as_ref().map(|b| (&b.decision.component, b.code(), b.path.as_str()))
                    ));
                }
            }
        }
    }
    (out, n)
}

/// `probe -6` outcomes of [`probe6_disagreements`]: reply (or exited), and neither.
static PROBE6_OUTCOMES: [std::sync::atomic::AtomicUsize; 2] = [
    std::sync::atomic::AtomicUsize::new(0),
    std::sync::atomic::AtomicUsize::new(0),
];

/// IPv6 probes whose reply got back, and those whose did not.
static OUTCOMES: [std::sync::atomic::AtomicUsize; 2] = [
    std::sync::atomic::AtomicUsize::new(0),
    std::sync::atomic::AtomicUsize::new(0),
];

/// Every IPv6 disagreement on this network, and the number of probes.
pub(crate) fn disagreements6(net: &Network) -> (Vec<String>, usize) {
    let arc = Arc::new(net.clone());
    let mut out = vec![];
    let mut n = 0;
    let host = net
        .internet_hosts
        .iter()
        .find(|h| net.host_ipv6(h.id).is_some())
        .expect("an internet host with IPv6");
    let mut ends: Vec<(Party, PortId, Ipv6Addr)> = net
        .instances
        .iter()
        .map(|i| (Party::Instance(i.id), i.port, net.eni_ipv6(i.eni)[0]))
        .collect();
    ends.push((
        Party::Host {
            name: host.name.clone(),
            ip: host.ip,
        },
        host.port,
        net.host_ipv6(host.id).expect("inet has IPv6"),
    ));
    for (from, fport, src) in &ends {
        for (to, tport, dst) in &ends {
            if from == to {
                continue;
            }
            for (proto, port) in [(6u8, 80u16), (6, 22), (17, 9000), (58, 0)] {
                let q = Query {
                    from: from.clone(),
                    to: to.clone(),
                    proto,
                    port,
                    src_port: None,
                };
                let a = reach::ipv6::analyze6(net, &q).expect("instances and hosts");
                let sports: Vec<u16> = if proto == 58 {
                    vec![7]
                } else {
                    vec![32768, 45000, 60999]
                };
                for sp in sports {
                    let want = match &a.source_ports {
                        Some(s) => s.reachable.iter().any(|r| {
                            vpclab::model::PortRange::parse(r).is_ok_and(|r| r.contains(sp))
                        }),
                        None => a.reachable,
                    };
                    let got = engine_probe6(&arc, *fport, *tport, *src, *dst, proto, sp, port);
                    n += 1;
                    OUTCOMES[usize::from(!got)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if got != want {
                        out.push(format!(
                            "{} → {} proto {proto} port {port} sport {sp}: reach says {want}, engine says {got}; blocker {:?}",
                            from.name(net),
                            to.name(net),
                            a.blocked.as_ref().map(|b| (&b.decision.component, b.code(), b.path.as_str()))
                        ));
                    }
                }
            }
        }
    }
    let (d64, n64) = nat64_disagreements(net, &arc);
    out.extend(d64);
    (out, n + n64)
}

/// NAT64 probes: from each instance of a DNS64 subnet to the IPv4-only host `old`, the
/// analyzer's answer against the engine's (`engine_probe64`), for each source port tried.
fn nat64_disagreements(net: &Network, arc: &Arc<Network>) -> (Vec<String>, usize) {
    let (mut out, mut n) = (vec![], 0);
    let Some(old) = net.internet_hosts.iter().find(|h| h.name == "old") else {
        return (out, n);
    };
    for i in &net.instances {
        if !net.subnet_ipv6(net.eni(i.eni).subnet).dns64 {
            continue;
        }
        let src = net.eni_ipv6(i.eni)[0];
        for (proto, port) in [(6u8, 80u16), (17, 9000), (58, 0)] {
            let q = Query {
                from: Party::Instance(i.id),
                to: Party::Host {
                    name: "old".into(),
                    ip: old.ip,
                },
                proto,
                port,
                src_port: None,
            };
            let a = reach::ipv6::analyze6(net, &q).expect("an instance and a host");
            let Some(dst) = a.destination_ipv6 else {
                out.push(format!("{}: DNS64 gave old no address", i.name));
                continue;
            };
            let sports: &[u16] = if proto == 58 { &[7] } else { &[32768, 60999] };
            for &sp in sports {
                let want = match &a.source_ports {
                    Some(s) => s
                        .reachable
                        .iter()
                        .any(|r| vpclab::model::PortRange::parse(r).is_ok_and(|r| r.contains(sp))),
                    None => a.reachable,
                };
                let got = engine_probe64(arc, i.port, old.port, src, dst, proto, sp, port);
                n += 1;
                NAT64_OUTCOMES[usize::from(!got)]
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if got != want {
                    out.push(format!(
                        "NAT64 {} → old proto {proto} port {port} sport {sp}: reach says {want}, engine says {got}; blocker {:?}",
                        i.name,
                        a.blocked.as_ref().map(|b| (&b.decision.component, b.code(), b.path.as_str()))
                    ));
                }
            }
        }
    }
    (out, n)
}

/// NAT64 probes whose reply got back, and those whose did not.
static NAT64_OUTCOMES: [std::sync::atomic::AtomicUsize; 2] = [
    std::sync::atomic::AtomicUsize::new(0),
    std::sync::atomic::AtomicUsize::new(0),
];

/// The first packet of a NAT64 flow as a raw IPv6 frame from `from` to `dst` (in
/// 64:ff9b::/96) through a fresh engine; when it comes out at `to` as IPv4, that host's answer
/// (SYN-ACK, a UDP datagram, an echo reply) to what it received; true when the answer got
/// back to the source as IPv6.
#[allow(clippy::too_many_arguments)]
fn engine_probe64(
    net: &Arc<Network>,
    from: PortId,
    to: PortId,
    src: Ipv6Addr,
    dst: Ipv6Addr,
    proto: u8,
    sport: u16,
    dport: u16,
) -> bool {
    use vpclab::engine::wire::{self, Frame, Tcp};
    let mut e = Engine::new(
        net.clone(),
        EngineConfig {
            events: false,
            ..Default::default()
        },
    );
    let upper = match proto {
        6 => {
            let mut t = vec![0u8; 20];
            t[0..2].copy_from_slice(&sport.to_be_bytes());
            t[2..4].copy_from_slice(&dport.to_be_bytes());
            t[12] = 5 << 4;
            t[13] = 0x02;
            t
        }
        17 => {
            let mut u = vec![0u8; 8];
            u[0..2].copy_from_slice(&sport.to_be_bytes());
            u[2..4].copy_from_slice(&dport.to_be_bytes());
            u[4..6].copy_from_slice(&8u16.to_be_bytes());
            u
        }
        _ => {
            let mut i = vec![128, 0, 0, 0, 0, 0, 0, 1];
            i[4..6].copy_from_slice(&sport.to_be_bytes());
            i
        }
    };
    let f = frame6(
        net.router_mac,
        net.port(from).mac,
        src,
        dst,
        proto,
        64,
        upper,
    );
    e.handle_frame(from, &f, 1_000_000);
    let mut sent = None;
    while let Some(o) = e.poll_output() {
        if let Output::Frame { port, data } = o {
            if port == to {
                if let Ok(Frame::Ip(ip)) = wire::parse(&data) {
                    sent = Some(ip.header);
                }
            }
        }
    }
    let Some(h4) = sent else { return false };
    let back = match proto {
        58 => vpclab::policy::Header::icmp(h4.dst, h4.src, 0, 0, h4.sport),
        _ => h4.reversed(),
    };
    let tcp = Tcp {
        flags: 0x12,
        seq: 1,
        ack: 1,
    };
    let reply = wire::build(net.port(to).mac, net.router_mac, &back, tcp, 1, b"");
    e.handle_frame(to, &reply, 2_000_000);
    let mut got = false;
    while let Some(o) = e.poll_output() {
        if let Output::Frame { port, data } = o {
            got |= port == from && parse6(&data).is_ok_and(|p| p.header.src == dst);
        }
    }
    got
}

#[test]
fn random_dual_stack_topologies_agree_in_both_families() {
    let cases: u32 = std::env::var("REACH_DIFF6_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let probes = std::cell::Cell::new(0usize);
    let res = runner.run(&any::<u64>(), |seed| {
        let y = random_dual_stack(seed);
        let t = vpclab::topology::parse_str("gen6.yaml", &y)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{y}")))?;
        let rep = vpclab::topology::validate::validate(&t, "gen6.yaml");
        if rep.has_errors() {
            return Err(TestCaseError::fail(format!(
                "generator wrote an invalid topology: {rep}\n{y}"
            )));
        }
        let net = vpclab::model::build(&t, "gen6.yaml")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{y}")))?;
        let (mut d6, n) = disagreements6(&net);
        let (p6, pn) = probe6_disagreements(&net);
        d6.extend(p6);
        probes.set(probes.get() + n + pn);
        let d4 = super::differential::disagreements(&net);
        if d6.is_empty() && d4.is_empty() {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!(
                "reach and the engine disagree:\n--- gen6.yaml ---\n{y}---\nIPv6:\n{}\nIPv4:\n{}",
                d6.join("\n"),
                d4.join("\n")
            )))
        }
    });
    if let Err(e) = res {
        panic!("{e}");
    }
    let (yes, no) = (
        OUTCOMES[0].load(std::sync::atomic::Ordering::Relaxed),
        OUTCOMES[1].load(std::sync::atomic::Ordering::Relaxed),
    );
    let (y64, n64) = (
        NAT64_OUTCOMES[0].load(std::sync::atomic::Ordering::Relaxed),
        NAT64_OUTCOMES[1].load(std::sync::atomic::Ordering::Relaxed),
    );
    let (py, pno) = (
        PROBE6_OUTCOMES[0].load(std::sync::atomic::Ordering::Relaxed),
        PROBE6_OUTCOMES[1].load(std::sync::atomic::Ordering::Relaxed),
    );
    eprintln!("{cases} dual-stack topologies, {} IPv6 probes: {yes} got a reply, {no} did not (NAT64: {y64} and {n64}; probe -6: {py} and {pno}); reach agreed on all", probes.get());
    assert!(py > 0 && pno > 0, "probe -6 must see both outcomes");
    assert!(
        yes > 0 && no > 0,
        "the generator must produce both outcomes"
    );
    assert!(
        y64 > 0 && n64 > 0,
        "the generator must produce both NAT64 outcomes"
    );
}
