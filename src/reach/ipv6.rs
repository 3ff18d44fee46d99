//! The analyzer over IPv6 (`reach -6`, part of `reach`, rank 4): the same question, classes
//! and answer shape as [`super::analyze`], walked with `policy::path::ipv6::walk6`. A
//! destination without an IPv6 address is reached, when the source's subnet has DNS64, at the
//! 64:ff9b::/96 address DNS64 gives it: the walk reaches the NAT gateway, which hands an IPv4
//! packet to the IPv4 walk (`reach::walk::leg`); the reply comes back the same way and is
//! translated to IPv6 at the gateway. No rule is evaluated here.

use super::walk::{self, Leg};
use super::{classes, Analysis, Blocker, Hop, Party, PathLeg, Query, SourcePorts};
use crate::model::{proto, Network, PortRange};
use crate::policy::path::ipv6::{walk6, Assumed6, Delivery6, Origin6, Outcome6, Walk6};
use crate::policy::path::{Delivery, Options, Origin};
use crate::policy::{
    ComponentKind, Decision, Direction, ExplanationCode, Header6, IpHeader, RuleId, Verdict,
    ICMPV6_ECHO_REQUEST,
};
use crate::topology::ipv6 as v6;
use std::net::Ipv6Addr;

pub use super::ipv6_party::{internet_address6, End6, Party6, Question6};

/// Answers `q` over IPv6 (its parties as resolved for IPv4; their IPv6 side is used). Err: a
/// source or destination `-6` does not take, as an input error.
pub fn analyze6(net: &Network, q: &Query) -> Result<Analysis, String> {
    analyze6_q(
        net,
        &Question6 {
            from: Party6::Named(q.from.clone()),
            to: Party6::Named(q.to.clone()),
            src_ip: None,
            proto: q.proto,
            port: q.port,
            src_port: q.src_port,
        },
    )
}

/// Answers an IPv6 question (`reach -6`): every source and destination kind of
/// `reach::ipv6_party`. Err: an input error.
pub fn analyze6_q(net: &Network, q: &Question6) -> Result<Analysis, String> {
    let prep = super::ipv6_party::prepare6(net, q)?;
    let n = prep.network(net);
    let (from, to) = (prep.from, prep.to);
    let p = if q.proto == proto::ICMP {
        proto::ICMPV6
    } else {
        q.proto
    };
    let has_ports = p == proto::TCP || p == proto::UDP;
    let mut a = Analysis {
        reachable: false,
        from: prep.names.0.clone(),
        to: prep.names.1.clone(),
        protocol: crate::model::protocol_name(p),
        port: has_ports.then_some(q.port),
        destination_ip: None,
        destination_ipv6: None,
        exits_network: false,
        forward: vec![],
        return_path: vec![],
        blocked: None,
        blockers: vec![],
        source_ports: None,
    };
    let (src, dst) = match endpoints6(n, &prep) {
        Ok(x) => x,
        Err((d, hop, dst)) => {
            a.destination_ipv6 = dst;
            if hop {
                a.forward.push(Hop {
                    component: d.component.clone(),
                    kind: d.kind,
                    detail: d.detail.clone(),
                    verdict: Some(d.verdict),
                    after_block: false,
                });
            }
            return Ok(blocked_at_start(n, a, d));
        }
    };
    a.destination_ipv6 = Some(dst);
    let eph = match q.src_port {
        Some(p) => PortRange { from: p, to: p },
        None => match from {
            End6::Eni(e) => n
                .eni_instance(e)
                .map_or(crate::model::LINUX_EPHEMERAL, |i| n.instance(i).ephemeral),
            End6::Host(h) => n.internet_host(h).ephemeral,
            End6::Addr(_) => crate::model::LINUX_EPHEMERAL,
        },
    };
    let cls = if has_ports {
        classes::split(eph, &edges6(n))
    } else {
        vec![PortRange { from: 1, to: 1 }]
    };
    let runs: Vec<(PortRange, Run)> = cls
        .into_iter()
        .map(|c| {
            let r = run(
                n,
                prep.to4.as_ref(),
                q.port,
                p,
                (from, to),
                (src, dst),
                c.from,
            );
            (c, r)
        })
        .collect();
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
    if has_ports {
        a.source_ports = Some(SourcePorts {
            range: eph.to_string(),
            reachable: classes::merge(good).iter().map(|r| r.to_string()).collect(),
            blocked: classes::merge(bad).iter().map(|r| r.to_string()).collect(),
        });
    }
    let idx = runs.iter().position(|(_, r)| !r.ok()).unwrap_or(0);
    if let Some((_, r)) = runs.into_iter().nth(idx) {
        a.exits_network = r.exits;
        a.forward = r.fwd;
        a.return_path = r.ret;
        walk::mark_after_block(&mut a.forward, &mut a.return_path);
        a.blockers = r
            .blockers
            .into_iter()
            .map(|(d, h, path)| Blocker {
                fix: fix6(n, &d, &h),
                decision: d,
                path,
                header: h,
            })
            .collect();
    }
    a.blocked = a.blockers.first().cloned();
    Ok(a)
}

fn addr(n: &Network, e: End6) -> Option<Ipv6Addr> {
    match e {
        End6::Eni(e) => n.eni_ipv6(e).first().copied(),
        End6::Host(h) => n.host_ipv6(h),
        End6::Addr(a) => Some(a),
    }
}

/// The source and destination addresses of a prepared question, or what stops it before any
/// walk (the decision, whether it is a hop of the path — a gateway —, and the destination
/// address when known): a source or destination without an IPv6 address (and no DNS64), a
/// flow entering through an egress-only gateway, or through another VPC's internet gateway.
/// `probe -6` starts from the same answer.
#[allow(clippy::type_complexity)]
pub fn endpoints6(
    n: &Network,
    prep: &super::ipv6_party::Prepared6,
) -> Result<(Ipv6Addr, Ipv6Addr), (Decision, bool, Option<Ipv6Addr>)> {
    let Some(src) = prep.src else {
        let d = unaddressable(n, prep.from, "has no IPv6 address to send from");
        return Err((d, false, None));
    };
    let dst = match addr(n, prep.to) {
        Some(d) => d,
        None => {
            match dns64(n, prep, prep.from) {
                Some(d) => d,
                None => {
                    let d = unaddressable(n, prep.to, "has no IPv6 address (and the source's subnet has no DNS64 to synthesise one)");
                    return Err((d, false, None));
                }
            }
        }
    };
    match entry_blocker(n, prep, src, dst) {
        Some(d) => Err((d, true, Some(dst))),
        None => Ok((src, dst)),
    }
}

/// The 64:ff9b::/96 address DNS64 gives an IPv4-only destination, when the source is an ENI
/// in a subnet with DNS64 (AWS's `EnableDns64`).
fn dns64(n: &Network, p: &super::ipv6_party::Prepared6, from: End6) -> Option<Ipv6Addr> {
    let End6::Eni(e) = from else { return None };
    if !n.subnet_ipv6(n.eni(e).subnet).dns64 {
        return None;
    }
    let to4 = p.to4.as_ref()?;
    let from4 = match n.eni_instance(e) {
        Some(i) => Party::Instance(i),
        None => p.from4.clone()?,
    };
    match super::endpoint::target_address(n, &from4, to4) {
        super::endpoint::Target::Addr(v4) => Some(v6::nat64_synthesise(v4)),
        super::endpoint::Target::Unaddressable { .. } => None,
    }
}

/// What stops a flow entering through a gateway before any walk: an egress-only gateway lets
/// nothing in that was initiated outside; an internet gateway leads into its own VPC only.
fn entry_blocker(
    n: &Network,
    p: &super::ipv6_party::Prepared6,
    src: Ipv6Addr,
    dst: Ipv6Addr,
) -> Option<Decision> {
    if let Some(v) = p.via_eigw {
        let g = n.eigw(v).map(|g| g.aws_id.clone()).unwrap_or_default();
        return Some(Decision {
            verdict: Verdict::Reject,
            component: g.clone(),
            kind: ComponentKind::EgressOnlyInternetGateway,
            direction: Some(Direction::Inbound),
            rule: RuleId::Builtin,
            code: Some(ExplanationCode::EigwNoInboundInitiation),
            detail: format!("{g} lets in only replies of flows it carried out; [{src}] → [{dst}] would be initiated from the internet"),
        });
    }
    let (id, v) = p.via_igw.as_ref()?;
    let inside = n.vpc_ipv6(*v).is_some_and(|b| b.contains(&dst));
    (!inside).then(|| Decision {
        verdict: Verdict::Reject,
        component: id.clone(),
        kind: ComponentKind::InternetGateway,
        direction: Some(Direction::Inbound),
        rule: RuleId::Builtin,
        code: Some(ExplanationCode::NoPath),
        detail: format!(
            "{id} leads into {} only; {dst} is not in its IPv6 block",
            n.vpc(*v).aws_id
        ),
    })
}

fn unaddressable(n: &Network, e: End6, why: &str) -> Decision {
    let (component, name) = match e {
        End6::Eni(e) => (n.eni(e).aws_id.clone(), n.eni(e).aws_id.clone()),
        End6::Host(h) => ("internet".to_string(), n.internet_host(h).name.clone()),
        End6::Addr(a) => ("vpc".to_string(), a.to_string()),
    };
    Decision {
        verdict: Verdict::Reject,
        component,
        kind: ComponentKind::Eni,
        direction: None,
        rule: RuleId::Builtin,
        code: Some(ExplanationCode::AddressFamilyMismatch),
        detail: format!("{name} {why}"),
    }
}

fn blocked_at_start(n: &Network, mut a: Analysis, d: Decision) -> Analysis {
    let h = Header6::l4(Ipv6Addr::UNSPECIFIED, Ipv6Addr::UNSPECIFIED, 0, 0, 0);
    let b = Blocker {
        fix: fix6(n, &d, &IpHeader::V6(h)),
        decision: d,
        path: PathLeg::Forward,
        header: IpHeader::V6(h),
    };
    a.blocked = Some(b.clone());
    a.blockers.push(b);
    a
}

/// The port edges of every rule, IPv4 and IPv6 (a NAT64 path crosses both).
pub fn edges6(n: &Network) -> Vec<u32> {
    let mut e = classes::edges(n);
    let mut add = |r: PortRange| {
        e.push(r.from as u32);
        e.push(r.to as u32 + 1);
    };
    for x in &n.ipv6.nacls {
        x.inbound
            .iter()
            .chain(&x.outbound)
            .for_each(|x| add(x.ports));
    }
    for x in &n.ipv6.sgs {
        x.inbound
            .iter()
            .chain(&x.outbound)
            .for_each(|x| add(x.ports));
    }
    e.sort_unstable();
    e.dedup();
    e
}

/// One representative packet there and back.
struct Run {
    fwd: Vec<Hop>,
    ret: Vec<Hop>,
    blockers: Vec<(Decision, IpHeader, PathLeg)>,
    exits: bool,
}

impl Run {
    fn ok(&self) -> bool {
        self.blockers.is_empty()
    }
    fn add6(&mut self, w: &Walk6, h: Header6, leg: PathLeg) {
        let hops = w.hops.iter().map(hop);
        match leg {
            PathLeg::Forward => self.fwd.extend(hops),
            PathLeg::Return => self.ret.extend(hops),
        }
        self.blockers
            .extend(w.blockers.iter().map(|d| (d.clone(), IpHeader::V6(h), leg)));
    }
    fn add4(&mut self, l: &Leg, leg: PathLeg) {
        match leg {
            PathLeg::Forward => self.fwd.extend(l.hops.iter().cloned()),
            PathLeg::Return => self.ret.extend(l.hops.iter().cloned()),
        }
        self.blockers.extend(
            l.blockers
                .iter()
                .map(|(d, h)| (d.clone(), IpHeader::V4(*h), leg)),
        );
    }
    fn nopath(&mut self, detail: String, h: IpHeader, leg: PathLeg) {
        let d = Decision {
            verdict: Verdict::Reject,
            component: "vpc".into(),
            kind: ComponentKind::Vpc,
            direction: None,
            rule: RuleId::Builtin,
            code: Some(ExplanationCode::NoPath),
            detail,
        };
        self.blockers.push((d, h, leg));
    }
}

fn hop(x: &crate::policy::path::Hop) -> Hop {
    Hop {
        component: x.component.clone(),
        kind: x.kind,
        detail: x.detail.clone(),
        verdict: x.decision.as_ref().map(|d| d.verdict),
        after_block: false,
    }
}

fn origin6(e: End6, src: Ipv6Addr) -> Origin6 {
    match e {
        End6::Eni(e) => Origin6::Eni(e),
        End6::Host(_) | End6::Addr(_) => Origin6::Internet(src),
    }
}

fn delivery6(e: End6) -> Option<Delivery6> {
    match e {
        End6::Eni(e) => Some(Delivery6::Eni(e)),
        End6::Host(h) => Some(Delivery6::Internet(h)),
        End6::Addr(_) => None,
    }
}

const OPTS: Options = Options {
    collect_all: true,
    nat_instance_in_walk: true,
};

/// The first packet of an IPv6 flow of protocol `p`: an echo request for ICMPv6 (identifier
/// `sport`), ports only for tcp/udp.
pub fn first_packet6(src: Ipv6Addr, dst: Ipv6Addr, p: u8, sport: u16, dport: u16) -> Header6 {
    match p {
        proto::ICMPV6 => Header6::icmp(src, dst, ICMPV6_ECHO_REQUEST, 0, sport),
        proto::TCP | proto::UDP => Header6::l4(src, dst, p, sport, dport),
        _ => Header6::l4(src, dst, p, 0, 0),
    }
}

/// One class's packet there and back: `to4` is the destination as named (for a NAT64 path),
/// `dport` the destination port, `p` the protocol.
fn run(
    n: &Network,
    to4: Option<&Party>,
    dport: u16,
    p: u8,
    (from, to): (End6, End6),
    (src, dst): (Ipv6Addr, Ipv6Addr),
    sport: u16,
) -> Run {
    let h = match p {
        proto::ICMPV6 | proto::TCP | proto::UDP => first_packet6(src, dst, p, sport, dport),
        _ => Header6::l4(src, dst, p, 0, 0),
    };
    let mut r = Run {
        fwd: vec![],
        ret: vec![],
        blockers: vec![],
        exits: false,
    };
    let mut fst = Assumed6::default();
    let fwd = walk6(n, &mut fst, origin6(from, src), h, OPTS);
    // The reply's state: tracked everywhere, and let in by the egress-only gateways the
    // forward packet left by.
    let replies = || Assumed6 {
        replies: true,
        eigw_out: fst.eigw_out.clone(),
    };
    r.add6(&fwd, h, PathLeg::Forward);
    match fwd.reached {
        Some(Outcome6::Delivered { to: got, header }) => {
            if Some(got) != delivery6(to) {
                r.nopath(
                    format!("the packet to {dst} was delivered elsewhere ({got:?})"),
                    IpHeader::V6(header),
                    PathLeg::Forward,
                );
                return r;
            }
            let back = header.reversed();
            let ret = walk6(n, &mut replies(), origin6(to, dst), back, OPTS);
            r.add6(&ret, back, PathLeg::Return);
            returned6(&mut r, &ret, from, back);
        }
        Some(Outcome6::Exited { header, .. }) => {
            // It leaves only when nothing before the gateway dropped it.
            r.exits = fwd.blockers.is_empty();
            let back = header.reversed();
            let ret = walk6(n, &mut replies(), Origin6::Internet(header.dst), back, OPTS);
            r.add6(&ret, back, PathLeg::Return);
            returned6(&mut r, &ret, from, back);
        }
        Some(Outcome6::Nat64 { nat, header: h4 }) => {
            let nat_eni = n.nat(nat).eni;
            let nat_ip = n.eni(nat_eni).private_ip;
            let l4 = walk::leg(n, Origin::Eni(nat_eni), h4, false, None);
            r.add4(&l4, PathLeg::Forward);
            let (start, back4) = match (&l4.arrival, &l4.exit) {
                (Some((got, at)), _) => {
                    let want = match to4 {
                        Some(p) if p.eni(n).is_some() => p.eni(n).map(Delivery::Eni),
                        Some(p) => n
                            .internet_host_by_ip(p.source_ip(n))
                            .map(Delivery::Internet),
                        None => None,
                    };
                    if Some(*got) != want {
                        r.nopath(
                            format!("the NAT64 packet was delivered elsewhere ({got:?})"),
                            IpHeader::V4(*at),
                            PathLeg::Forward,
                        );
                        return r;
                    }
                    let o = match got {
                        Delivery::Eni(e) => Origin::Eni(*e),
                        Delivery::Internet(hh) => Origin::Internet(n.internet_host(*hh).ip),
                    };
                    (o, at.reversed())
                }
                (None, Some((_, out))) => {
                    r.exits = r.blockers.is_empty();
                    (Origin::Internet(out.dst), out.reversed())
                }
                (None, None) => return r,
            };
            let ret4 = walk::leg(n, start, back4, true, Some(nat_ip));
            r.add4(&ret4, PathLeg::Return);
            if !matches!(ret4.arrival, Some((Delivery::Eni(e), _)) if e == nat_eni) {
                if ret4.blockers.is_empty() {
                    r.nopath(
                        format!("the IPv4 reply does not come back to {}", n.nat(nat).aws_id),
                        IpHeader::V4(back4),
                        PathLeg::Return,
                    );
                }
                return r;
            }
            let back = h.reversed();
            let ret = walk6(n, &mut replies(), Origin6::Eni(nat_eni), back, OPTS);
            r.add6(&ret, back, PathLeg::Return);
            returned6(&mut r, &ret, from, back);
        }
        Some(Outcome6::Dropped(_)) | None => {}
    }
    r
}

/// The reply must arrive back at the source.
fn returned6(r: &mut Run, ret: &Walk6, from: End6, back: Header6) {
    match &ret.reached {
        Some(Outcome6::Delivered { to, .. }) if Some(*to) == delivery6(from) => {}
        Some(Outcome6::Delivered { to, header }) => r.nopath(
            format!("the reply was delivered elsewhere ({to:?})"),
            IpHeader::V6(*header),
            PathLeg::Return,
        ),
        Some(_) if ret.blockers.is_empty() => r.nopath(
            format!("the reply {back} does not come back to its sender"),
            IpHeader::V6(back),
            PathLeg::Return,
        ),
        _ => {}
    }
}

/// The change to make, as YAML text, for an IPv6 blocker (IPv4 blockers of a NAT64 path get
/// the IPv4 analyzer's fix).
pub fn fix6(n: &Network, d: &Decision, h: &IpHeader) -> String {
    let h6 = match h {
        IpHeader::V4(h4) => return super::fix::suggest(n, d, h4, &h4.dport.to_string()),
        IpHeader::V6(h6) => h6,
    };
    let (proto_word, ports) = match h6.proto {
        proto::TCP | proto::UDP => (
            crate::model::protocol_name(h6.proto),
            format!(", ports: {}", h6.dport),
        ),
        p => (crate::model::protocol_name(p), String::new()),
    };
    let dir = d.direction.unwrap_or(Direction::Inbound);
    match (d.kind, d.code) {
        (ComponentKind::NetworkAcl, _) => {
            let peer = if dir == Direction::Inbound { h6.src } else { h6.dst };
            format!("add to {} {dir}: {{ rule: 90, action: allow, protocol: {proto_word}{ports}, cidr: \"{peer}/128\" }} (IPv4 entries never match IPv6)", d.component)
        }
        (ComponentKind::SecurityGroup, _) => {
            let (key, peer) = if dir == Direction::Inbound { ("source", h6.src) } else { ("destination", h6.dst) };
            format!("add to {} {dir}: {{ protocol: {proto_word}{ports}, {key}: \"{peer}/128\" }} (or \"::/0\"; 0.0.0.0/0 never matches IPv6)", d.component)
        }
        (_, Some(ExplanationCode::EigwNoInboundInitiation)) => format!(
            "{} lets in only replies: to accept connections from the internet, route the subnet's \"::/0\" to `igw` (an internet gateway) instead",
            d.component
        ),
        (ComponentKind::Vpc, Some(ExplanationCode::NoRouteToDestination)) => format!(
            "no subnet of {} holds {}: address a host in one of its subnets, or add a subnet whose ipv6_cidr holds it",
            d.component, h6.dst
        ),
        (_, Some(ExplanationCode::NoRouteToDestination)) => format!(
            "add a route for {} to {} (e.g. {{ destination: \"::/0\", target: igw }} or eigw:NAME)",
            h6.dst, d.component
        ),
        (_, Some(ExplanationCode::AddressFamilyMismatch)) => "give it an IPv6 address (`ipv6_address_count: 1`, in a subnet with `ipv6_cidr`), or enable `dns64` on the source's subnet with a 64:ff9b::/96 route to a NAT gateway".into(),
        _ => format!("{}: {}", d.component, d.detail),
    }
}
