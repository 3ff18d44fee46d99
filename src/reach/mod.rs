//! The reachability analyzer (rank 4, `reach`: uses policy and below, never the engine): can A
//! reach B on a port, hop by hop, and if not, every blocker with AWS's explanation code and a
//! fix. Exact over source-port ranges (header-space classes).

pub mod blocker;
pub mod classes;
pub mod endpoint;
pub mod fix;
mod fix_transit;
pub mod ipv6;
pub mod ipv6_party;
pub mod matrix;
pub mod report;
pub mod resolve;
pub mod walk;

pub use blocker::{rule_json, rule_text, Blocker, PathLeg};
pub use endpoint::Party;
pub use resolve::{resolve, resolve_for, resolve_source};
pub use walk::Hop;

use crate::model::Network;
use crate::model::{proto, PortRange};
use crate::policy::path::{Delivery, Origin};
use crate::policy::{ComponentKind, Decision, Direction, ExplanationCode, Header, RuleId};
use serde::Serialize;
use std::net::Ipv4Addr;
use walk::Leg;

/// A question: can `from` reach `to` with this protocol and destination port?
#[derive(Clone, Debug)]
pub struct Query {
    /// Source: the client that opens the connection.
    pub from: Party,
    /// Destination: the server the client connects to.
    pub to: Party,
    /// IP protocol number (0-255): 6 TCP, 17 UDP, 1 ICMP (echo request), any other number a
    /// packet of that protocol without ports.
    pub proto: u8,
    /// Destination port (tcp/udp; ignored for other protocols).
    pub port: u16,
    /// Source port (tcp/udp, `--src-port`); None: every class of the client's ephemeral range.
    pub src_port: Option<u16>,
}

impl Query {
    /// A query over the client's whole ephemeral range.
    pub fn new(from: Party, to: Party, proto: u8, port: u16) -> Query {
        Query {
            from,
            to,
            proto,
            port,
            src_port: None,
        }
    }
}

/// Source ports the answer holds for (tcp/udp).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourcePorts {
    /// The client's ephemeral range (`32768-60999` unless the host sets `ephemeral_ports`).
    pub range: String,
    /// Sub-ranges whose source ports get there and back, as `FROM-TO` (or one port), ascending.
    pub reachable: Vec<String>,
    /// Sub-ranges whose source ports do not, as `FROM-TO` (or one port), ascending.
    pub blocked: Vec<String>,
}

/// The analyzer's answer (JSON per `spec/cli.md`; extra fields are additive).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// True when every source port of the client's ephemeral range gets there and back.
    pub reachable: bool,
    /// Source as `Party::name` prints it (`internet (198.51.100.200)` for the internet).
    pub from: String,
    /// Destination as `Party::name` prints it.
    pub to: String,
    /// `tcp`, `udp`, `icmp`, or the protocol's number.
    pub protocol: String,
    /// Destination port; None for protocols without ports.
    pub port: Option<u16>,
    /// The address the source uses for the destination.
    pub destination_ip: Option<Ipv4Addr>,
    /// The IPv6 address the source uses for the destination (`-6`; written only then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_ipv6: Option<std::net::Ipv6Addr>,
    /// True when the forward path leaves the modelled network through a gateway towards an
    /// address no modelled host owns (the gateway is the last forward hop); `reachable` then
    /// also needs the return leg, walked from that gateway back.
    pub exits_network: bool,
    /// Forward path hop by hop, of the first failing source-port class (else the first class).
    pub forward: Vec<Hop>,
    /// Return path (the reply) hop by hop, of the same class; empty when the forward leg failed.
    #[serde(rename = "return")]
    pub return_path: Vec<Hop>,
    /// The first of `blockers`; None when reachable.
    pub blocked: Option<Blocker>,
    /// Every blocker along the path shown (forward, then return).
    pub blockers: Vec<Blocker>,
    /// Source-port classes; None for icmp.
    pub source_ports: Option<SourcePorts>,
}

fn blocker(net: &Network, d: &Decision, h: &Header, path: PathLeg, ports: &str) -> Blocker {
    Blocker {
        decision: d.clone(),
        fix: fix::suggest(net, d, h, ports),
        path,
        header: (*h).into(),
    }
}

/// The result of one representative packet, there and back.
struct ClassRun {
    fwd: Leg,
    ret: Option<Leg>,
    extra: Vec<(Decision, Header, PathLeg)>,
}

impl ClassRun {
    fn ok(&self) -> bool {
        self.extra.is_empty()
            && self.fwd.blockers.is_empty()
            && self.ret.as_ref().is_some_and(|r| r.blockers.is_empty())
    }
    /// A signature to group classes with the same fate: each blocker's component, code, leg,
    /// and whether the walk met it (false for the analyzer's own delivery checks).
    fn signature(&self) -> Vec<(String, Option<ExplanationCode>, PathLeg, bool)> {
        let mut v: Vec<_> = self
            .fwd
            .blockers
            .iter()
            .map(|(d, _)| (d.component.clone(), d.code, PathLeg::Forward, true))
            .collect();
        if let Some(r) = &self.ret {
            v.extend(
                r.blockers
                    .iter()
                    .map(|(d, _)| (d.component.clone(), d.code, PathLeg::Return, true)),
            );
        }
        v.extend(
            self.extra
                .iter()
                .map(|(d, _, p)| (d.component.clone(), d.code, *p, false)),
        );
        v
    }
}

fn nopath(component: &str, detail: String) -> Decision {
    Decision {
        verdict: crate::policy::Verdict::Reject,
        component: component.to_string(),
        kind: ComponentKind::Vpc,
        direction: None,
        rule: RuleId::Builtin,
        code: Some(ExplanationCode::NoPath),
        detail,
    }
}

fn origin(net: &Network, p: &Party) -> Origin {
    match p.eni(net) {
        Some(e) => Origin::Eni(e),
        None => Origin::Internet(p.source_ip(net)),
    }
}

fn delivery(net: &Network, p: &Party) -> Option<Delivery> {
    match p.eni(net) {
        Some(e) => Some(Delivery::Eni(e)),
        None if matches!(p, Party::Address(_)) => None,
        None => net
            .internet_host_by_ip(p.source_ip(net))
            .map(Delivery::Internet),
    }
}

/// The first packet of a flow of protocol `p`: an echo request for ICMP, ports only for
/// tcp/udp.
pub fn first_packet(src: Ipv4Addr, dst: Ipv4Addr, p: u8, sport: u16, dport: u16) -> Header {
    match p {
        proto::ICMP => Header::icmp(src, dst, 8, 0, sport),
        proto::TCP | proto::UDP => Header::l4(src, dst, p, sport, dport),
        _ => Header::l4(src, dst, p, 0, 0),
    }
}

fn run_class(net: &Network, q: &Query, dst: Ipv4Addr, sport: u16) -> ClassRun {
    let src = q.from.source_ip(net);
    let h = first_packet(src, dst, q.proto, sport, q.port);
    let peering = match q.from {
        Party::Peering { peering, .. } => Some(peering),
        _ => None,
    };
    let start = match peering {
        Some(p) => walk::Start::FromPeering(p),
        None => walk::Start::Origin(origin(net, &q.from)),
    };
    let http = match &q.to {
        Party::LoadBalancer { http, .. } => Some(http),
        _ => None,
    };
    let fwd = walk::leg_with(net, start, h, false, None, http, None);
    let mut extra = Vec::new();
    if let Some((_, out)) = &fwd.exit {
        // Out of the network: the answer comes back from the far address to the gateway.
        let ret = walk::leg(
            net,
            Origin::Internet(out.dst),
            out.reversed(),
            true,
            Some(src),
        );
        match ret.arrival {
            Some((a, _)) if Some(a) == delivery(net, &q.from) => {}
            Some((a, rh2)) => extra.push((
                nopath("vpc", format!("the reply was delivered elsewhere ({a:?})")),
                rh2,
                PathLeg::Return,
            )),
            None => {}
        }
        return ClassRun {
            fwd,
            ret: Some(ret),
            extra,
        };
    }
    let Some((arr, at)) = fwd.arrival else {
        return ClassRun {
            fwd,
            ret: None,
            extra,
        };
    };
    let lb_end = match &q.to {
        Party::LoadBalancer { lb, .. } => Some(*lb),
        _ => None,
    };
    let through_lb = |a: Delivery| match (lb_end, a) {
        (Some(l), Delivery::Eni(e)) => {
            fwd.lb.is_some_and(|c| c.lb == l) || net.eni_load_balancer(e) == Some(l)
        }
        _ => false,
    };
    if lb_end.is_some() && !through_lb(arr) || lb_end.is_none() && Some(arr) != delivery(net, &q.to)
    {
        extra.push((
            nopath(
                "vpc",
                format!("the packet to {dst} was delivered elsewhere ({arr:?})"),
            ),
            at,
            PathLeg::Forward,
        ));
        return ClassRun {
            fwd,
            ret: None,
            extra,
        };
    }
    let rh = at.reversed();
    let ret = match peering {
        Some(p) => walk::leg_from(
            net,
            walk::Start::ToPeering(origin(net, &q.to), p),
            rh,
            true,
            Some(src),
        ),
        None if lb_end.is_some() => {
            let from = match arr {
                Delivery::Eni(e) => Origin::Eni(e),
                Delivery::Internet(_) => origin(net, &q.to),
            };
            let start = walk::Start::Origin(from);
            walk::leg_with(net, start, rh, true, Some(src), None, fwd.lb)
        }
        None => walk::leg(net, origin(net, &q.to), rh, true, Some(src)),
    };
    if let Some(p) = peering {
        // The reply must go back over the peering it came in by.
        let id = &net.peering(p).aws_id;
        if ret.blockers.is_empty() && ret.exit.as_ref().map(|(g, _)| g) != Some(id) {
            extra.push((
                nopath(
                    "vpc",
                    format!("the reply to {src} does not go back over {id}"),
                ),
                rh,
                PathLeg::Return,
            ));
        }
    }
    match ret.arrival {
        Some((a, back))
            if Some(a) == delivery(net, &q.from)
                && (back.src != h.dst
                    || back.dst != src
                    || (h.has_ports() && (back.sport != h.dport || back.dport != h.sport))) =>
        {
            // The reply must come back from the address the client sent to (else the client's
            // stack drops it: asymmetric routing, e.g. out through a NAT gateway).
            let comp = ret
                .hops
                .iter()
                .find(|x| x.kind == ComponentKind::NatGateway)
                .map(|x| x.component.clone())
                .unwrap_or_else(|| "vpc".into());
            let mut d = nopath(&comp, format!("the reply comes back as {back}, not from {}: asymmetric path (the client drops it)", h.dst));
            if comp != "vpc" {
                d.kind = ComponentKind::NatGateway;
            }
            extra.push((d, back, PathLeg::Return));
        }
        Some((a, _)) if Some(a) == delivery(net, &q.from) => {}
        Some((a, rh2)) => extra.push((
            nopath("vpc", format!("the reply was delivered elsewhere ({a:?})")),
            rh2,
            PathLeg::Return,
        )),
        None => {}
    }
    ClassRun {
        fwd,
        ret: Some(ret),
        extra,
    }
}

/// Answers a query with precomputed port edges (`classes::edges(net)`), for repeated queries.
/// `net` must hold an internet host for every `Party::Internet` address (see `analyze`).
pub fn analyze_with(net: &Network, q: &Query, edges: &[u32]) -> Analysis {
    let in_az = Query {
        to: q.to.in_source_az(net, &q.from),
        ..q.clone()
    };
    let q = &in_az;
    let has_ports = q.proto == proto::TCP || q.proto == proto::UDP;
    let protocol = crate::model::protocol_name(q.proto);
    let mut a = Analysis {
        reachable: false,
        from: q.from.name(net),
        to: q.to.name(net),
        protocol,
        port: has_ports.then_some(q.port),
        destination_ip: None,
        destination_ipv6: None,
        exits_network: false,
        forward: Vec::new(),
        return_path: Vec::new(),
        blocked: None,
        blockers: Vec::new(),
        source_ports: None,
    };
    let dst = match endpoint::target_address(net, &q.from, &q.to) {
        endpoint::Target::Addr(ip) => ip,
        endpoint::Target::Unaddressable {
            code,
            component,
            detail,
        } => {
            let d = Decision {
                verdict: crate::policy::Verdict::Reject,
                component,
                kind: ComponentKind::Eni,
                direction: Some(Direction::Inbound),
                rule: RuleId::Builtin,
                code: Some(code),
                detail,
            };
            let h = Header::l4(
                q.from.source_ip(net),
                Ipv4Addr::UNSPECIFIED,
                q.proto,
                0,
                q.port,
            );
            let b = blocker(net, &d, &h, PathLeg::Forward, &q.port.to_string());
            a.blocked = Some(b.clone());
            a.blockers.push(b);
            return a;
        }
    };
    a.destination_ip = Some(dst);
    let eph = match q.src_port {
        Some(p) => PortRange { from: p, to: p },
        None => q.from.ephemeral(net),
    };
    let cls: Vec<PortRange> = if has_ports {
        classes::split(eph, edges)
    } else {
        vec![PortRange { from: 1, to: 1 }]
    };
    let mut runs: Vec<(PortRange, ClassRun)> = Vec::with_capacity(cls.len());
    for c in cls {
        // Classes with the same fate as the previous one are merged by signature below.
        runs.push((c, run_class(net, q, dst, c.from)));
    }
    let good: Vec<PortRange> = runs
        .iter()
        .filter(|(_, r)| r.ok())
        .map(|(c, _)| *c)
        .collect();
    let bad: Vec<PortRange> = runs
        .iter()
        .filter(|(_, r)| !r.ok())
        .map(|(c, _)| *c)
        .collect();
    a.reachable = bad.is_empty();
    let bad_m = classes::merge(bad);
    if has_ports {
        a.source_ports = Some(SourcePorts {
            range: eph.to_string(),
            reachable: classes::merge(good).iter().map(|r| r.to_string()).collect(),
            blocked: bad_m.iter().map(|r| r.to_string()).collect(),
        });
    }
    // The path shown: the first failing class, else the first class.
    let idx = runs.iter().position(|(_, r)| !r.ok()).unwrap_or(0);
    let Some((cls0, run)) = runs.get(idx) else {
        return a;
    };
    let sig = run.signature();
    // The return-path ports a fix must open: every failing class with this fate.
    let same: Vec<PortRange> = classes::merge(
        runs.iter()
            .filter(|(_, r)| !r.ok() && r.signature() == sig)
            .map(|(c, _)| *c)
            .collect(),
    );
    let client_ports = match (same.first(), same.last()) {
        (Some(f), Some(l)) => PortRange {
            from: f.from,
            to: l.to,
        }
        .to_string(),
        _ => cls0.to_string(),
    };
    a.exits_network = run.fwd.exit.is_some();
    a.forward = run.fwd.hops.clone();
    a.return_path = run.ret.as_ref().map(|r| r.hops.clone()).unwrap_or_default();
    walk::mark_after_block(&mut a.forward, &mut a.return_path);
    for (d, h) in &run.fwd.blockers {
        a.blockers
            .push(blocker(net, d, h, PathLeg::Forward, &h.dport.to_string()));
    }
    if let Some(r) = &run.ret {
        for (d, h) in &r.blockers {
            let ports = if h.has_ports() && cls0.contains(h.dport) {
                client_ports.clone()
            } else {
                h.dport.to_string()
            };
            a.blockers.push(blocker(net, d, h, PathLeg::Return, &ports));
        }
    }
    for (d, h, p) in &run.extra {
        a.blockers
            .push(blocker(net, d, h, *p, &h.dport.to_string()));
    }
    a.blocked = a.blockers.first().cloned();
    a
}

/// Answers a query. Never fails: an unaddressable destination or an unknown path is a
/// not-reachable `Analysis` with its blocker. A subnet source is walked as a host placed in
/// the subnet (`Network::with_subnet_source`), as `probe` sends from it.
pub fn analyze(net: &Network, q: &Query) -> Analysis {
    if let Party::Subnet { subnet, ip } = &q.from {
        if let Some((n, id)) = net.with_subnet_source(&q.from.name(net), *subnet, *ip) {
            let q2 = Query {
                from: Party::Instance(id),
                ..q.clone()
            };
            let mut a = analyze(&n, &q2);
            a.from = q.from.name(net);
            return a;
        }
    }
    let mut aug: Option<Network> = None;
    for p in [&q.from, &q.to] {
        if let Party::Internet { ip } | Party::Gateway { ip, .. } = p {
            if net.eni_by_public_ip(*ip).is_some() {
                continue; // a NAT gateway's address: the walk shows what happens there
            }
            if let Some(n) = walk::with_internet_host(aug.as_ref().unwrap_or(net), *ip) {
                aug = Some(n);
            }
        }
    }
    let n = aug.as_ref().unwrap_or(net);
    analyze_with(n, q, &classes::edges(n))
}

/// The default destination port for a protocol (tcp 80, udp 53, icmp none).
pub fn default_port(proto_num: u8) -> u16 {
    match proto_num {
        proto::UDP => 53,
        proto::TCP => 80,
        _ => 0,
    }
}
