//! The engine's IPv6 data path: neighbour discovery answered by the engine as the VPC router
//! (no flooding: a solicitation is answered with the owner's MAC, or the router's), each
//! packet decided by the IPv6 walk (`policy::path::ipv6::walk6`) fed with this file's state —
//! connection tracking per ENI and the egress-only gateways' flows — and forwarded by
//! re-addressing the frame; ICMPv6 packet-too-big where the next link's MTU (`engine::mtu`)
//! is smaller (IPv6 routers never fragment). Packets with extension headers (fragments
//! included) are dropped and counted (vpclab's choice: AWS documents nothing about them).
//! NAT64 is decided by the walk and carried by `engine::nat64`.

use super::mtu::{IGW_MTU, INTER_REGION_MTU, VPC_MTU};
use super::wire::ipv6::{self as w6, Bad6, Frame6};
use super::{Engine, Nanos, SEC};
use crate::model::{proto, EniId, Network, PortId, PortOwner, VpcId};
use crate::policy::path::ipv6::{walk6, Delivery6, Origin6, Outcome6, State6, Walk6};
use crate::policy::path::Options;
use crate::policy::{Direction, Header6};
use std::collections::HashMap;
use std::net::Ipv6Addr;

/// The VPC router's link-local address, which hosts use as their IPv6 default gateway.
pub const ROUTER_LINK_LOCAL: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);

/// How long an IPv6 flow stays tracked after its last packet: AWS's established-TCP idle
/// timeout (432,000 s) for TCP, its UDP timeout (30 s) for the rest.
fn idle(p: u8) -> Nanos {
    if p == proto::TCP {
        432_000 * SEC
    } else {
        30 * SEC
    }
}

/// A flow's key, the same both ways: protocol and the two (address, port) ends in order (the
/// ICMPv6 echo identifier stands for both ports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key6 {
    proto: u8,
    a: (Ipv6Addr, u16),
    b: (Ipv6Addr, u16),
}

fn key(h: &Header6) -> Key6 {
    let (sp, dp) = if h.proto == proto::ICMPV6 {
        (h.sport, h.sport)
    } else {
        (h.sport, h.dport)
    };
    let (x, y) = ((h.src, sp), (h.dst, dp));
    let (a, b) = if x <= y { (x, y) } else { (y, x) };
    Key6 {
        proto: h.proto,
        a,
        b,
    }
}

/// Counters of the IPv6 path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats6 {
    /// IPv6 frames received.
    pub rx: u64,
    /// Forwarded to a host.
    pub forwarded: u64,
    /// Neighbour solicitations answered.
    pub ndp_answered: u64,
    /// Dropped by policy (SG, NACL, route, gateway), or sent out of the network.
    pub policy_drops: u64,
    /// Dropped for carrying an extension header (fragments included).
    pub extension_drops: u64,
    /// Malformed, or link-local and multicast traffic the VPC does not carry.
    pub ignored: u64,
    /// Packet-too-big messages sent.
    pub too_big: u64,
    /// Packets NAT64 translated, both ways (`engine::nat64`).
    pub nat64: u64,
    /// Packets NAT64 could not translate (port allocation, idle timeout, an upper layer or
    /// ICMP error it does not translate, a hop limit run out) or whose walk was dropped.
    pub nat64_drops: u64,
}

/// The IPv6 state: tracked flows per ENI, the egress-only gateways' flows, counters.
#[derive(Debug, Default)]
pub(super) struct Ipv6State {
    tracked: HashMap<(EniId, Key6), Nanos>,
    eigw: HashMap<(VpcId, Key6), Nanos>,
    stats: Stats6,
}

impl Ipv6State {
    /// True when no IPv6 flow is tracked (the engine's sweep may stop).
    pub(super) fn is_empty(&self) -> bool {
        self.tracked.is_empty() && self.eigw.is_empty()
    }
}

/// The walk's view of the state at time `now`.
struct Live6<'a> {
    st: &'a mut Ipv6State,
    now: Nanos,
}

impl Live6<'_> {
    fn live(&self, eni: EniId, h: &Header6) -> bool {
        self.st
            .tracked
            .get(&(eni, key(h)))
            .is_some_and(|t| *t > self.now)
    }
}

/// An ICMPv6 error message (RFC 4443 types 1 to 4: destination unreachable, packet too big,
/// time exceeded, parameter problem).
fn is_icmpv6_error(h: &Header6) -> bool {
    h.proto == proto::ICMPV6 && (1..=4).contains(&h.icmp_type())
}

impl State6 for Live6<'_> {
    /// Tracked. An ICMPv6 error is never tracked: SGs judge it by their rules, as IPv4's
    /// (path MTU discovery needs an inbound rule for ICMPv6 type 2, packet too big).
    fn tracked6(&self, eni: EniId, _: Direction, h: &Header6) -> bool {
        !is_icmpv6_error(h) && self.live(eni, h)
    }
    fn eigw_reply(&self, vpc: VpcId, h: &Header6) -> bool {
        self.st
            .eigw
            .get(&(vpc, key(h)))
            .is_some_and(|t| *t > self.now)
    }
    fn eigw_out(&mut self, vpc: VpcId, h: &Header6) {
        self.st.eigw.insert((vpc, key(h)), self.now + idle(h.proto));
    }
}

impl Engine {
    /// The IPv6 counters.
    pub fn ipv6_stats(&self) -> Stats6 {
        self.ipv6.stats
    }

    /// Takes an IPv6 frame from the host behind `port` (the `handle_frame` calls route every
    /// frame of Ethernet type 0x86dd here), with its offload state: a partial checksum or a
    /// segment goes out with the same state (only its MACs change).
    pub(super) fn handle_ipv6(
        &mut self,
        port: PortId,
        frame: &[u8],
        off: super::wire::Offload,
        now: Nanos,
    ) {
        self.stats.rx_frames += 1;
        self.ipv6.stats.rx += 1;
        if self.next_sweep.is_none() {
            self.next_sweep = Some(now + super::SWEEP_EVERY);
        }
        let Some(p) = self.net.ports.get(port.idx()) else {
            self.ipv6.stats.ignored += 1;
            return;
        };
        let f = match w6::parse6(frame) {
            Ok(f) => f,
            Err(Bad6::Extension) => {
                self.ipv6.stats.extension_drops += 1;
                self.stats.unsupported += 1;
                return;
            }
            Err(Bad6::Malformed) => {
                self.ipv6.stats.ignored += 1;
                self.stats.malformed += 1;
                return;
            }
        };
        let origin = match p.owner {
            PortOwner::Instance(i) => {
                let inst = self.net.instance(i);
                if !inst.running {
                    return;
                }
                Origin6::Eni(inst.eni)
            }
            PortOwner::Internet(_) => Origin6::Internet(f.header.src),
            // An ALB node has no IPv6 address (dual-stack load balancers are not modelled).
            PortOwner::LoadBalancerNode(_) => return,
        };
        if let Some(target) = w6::ns_target(&f) {
            self.answer_ns(port, origin, &f, target);
            return;
        }
        let h = f.header;
        if h.dst.is_multicast() || (h.dst.segments()[0] & 0xffc0) == 0xfe80 {
            // Router solicitations, MLD and link-local traffic stay on the link.
            self.ipv6.stats.ignored += 1;
            return;
        }
        if let Origin6::Eni(e) = origin {
            if self.answer_dns6(port, e, &f, now).is_some() {
                return;
            }
        }
        let net = self.net.clone();
        let walk = self.walk6_live(origin, h, now);
        self.emit_events6(&walk.observations, &f, off, now);
        let to = match &walk.outcome {
            Outcome6::Delivered { to, .. } => *to,
            Outcome6::Nat64 { nat, header } => {
                let (nat, header) = (*nat, *header);
                return self.nat64_out(port, &f, nat, header, off, now);
            }
            Outcome6::Exited { .. } | Outcome6::Dropped(_) => {
                self.ipv6.stats.policy_drops += 1;
                self.stats.policy_drops += 1;
                return;
            }
        };
        self.refresh6(&walk, now);
        let (dest, mac) = match to {
            Delivery6::Eni(e) => {
                let Some(i) = net.eni_instance(e) else {
                    self.ipv6.stats.policy_drops += 1;
                    return;
                };
                let inst = net.instance(i);
                (inst.port, net.port(inst.port).mac)
            }
            Delivery6::Internet(hh) => {
                let port = net.internet_host(hh).port;
                (port, net.port(port).mac)
            }
        };
        let mtu = path_mtu6(&net, port, to);
        // A segment (TSO) is judged by the wire packets it stands for.
        let wire_len = match off.gso {
            Some(g) => usize::from(g.hdr_len).saturating_sub(14) + usize::from(g.size),
            None => f.ip_len(),
        };
        if wire_len > usize::from(mtu) {
            self.ipv6.stats.too_big += 1;
            return self.refuse6(&f, origin, port, dest, mtu, now);
        }
        self.ipv6.stats.forwarded += 1;
        self.emit_frame_offload(dest, w6::readdress(&f, mac, net.router_mac), off);
    }

    /// The ICMPv6 packet-too-big for `f`, too big for the next link's `mtu`, as
    /// `engine::mtu` does for IPv4's "fragmentation needed". From an instance (`origin` an
    /// ENI): it enters the engine at `dest`'s port as if the destination had sent it (its
    /// source is `f`'s destination), so it is judged like any packet on its way back: the
    /// sender's subnet NACL inbound as ordinary ICMPv6 (one denying ICMPv6 black-holes path MTU
    /// discovery, as on AWS), the sender's SG by its rules (ICMPv6 type 2 needs one). From an
    /// internet host: straight back to it, from the address it wrote to (the packet never
    /// entered the VPC). AWS does not document the error's source address: vpclab's choice.
    fn refuse6(
        &mut self,
        f: &Frame6<'_>,
        origin: Origin6,
        port: PortId,
        dest: PortId,
        mtu: u16,
        now: Nanos,
    ) {
        let router = self.net.router_mac;
        match origin {
            Origin6::Eni(_) => {
                let mac = self.net.port(dest).mac;
                let ptb = w6::packet_too_big(f, f.header.dst, (router, mac), mtu);
                self.handle_frame_owned(dest, ptb, now);
            }
            Origin6::Internet(_) => {
                let ptb = w6::packet_too_big(f, f.header.dst, (f.src_mac, router), mtu);
                self.emit_frame(port, ptb);
            }
        }
    }

    /// Walks `h` from `origin` on the live IPv6 state, tracking the flows its security groups
    /// admitted (and recording what an egress-only gateway carried out).
    pub(super) fn walk6_live(&mut self, origin: Origin6, h: Header6, now: Nanos) -> Walk6 {
        let net = self.net.clone();
        let mut live = Live6 {
            st: &mut self.ipv6,
            now,
        };
        let walk = walk6(&net, &mut live, origin, h, Options::default());
        for o in walk.observations.iter().filter(|o| o.track) {
            self.ipv6
                .tracked
                .insert((o.eni, key(&o.header)), now + idle(h.proto));
        }
        walk
    }

    /// A delivered packet (a reply too) refreshes its flow's entries both ways.
    pub(super) fn refresh6(&mut self, walk: &Walk6, now: Nanos) {
        for o in &walk.observations {
            if let Some(t) = self.ipv6.tracked.get_mut(&(o.eni, key(&o.header))) {
                *t = now + idle(o.header.proto);
            }
        }
    }

    /// Counts a packet NAT64 translated (`dropped`: one it could not, or the walk dropped).
    pub(super) fn count_nat64(&mut self, dropped: bool) {
        if dropped {
            self.ipv6.stats.nat64_drops += 1;
        } else {
            self.ipv6.stats.nat64 += 1;
        }
    }

    /// Answers a neighbour solicitation as the VPC router: for an address another ENI of the
    /// sender's subnet owns, that ENI's MAC; for the router's own addresses and everything
    /// off-link, the router's MAC; nothing for the sender's own address (duplicate address
    /// detection succeeds).
    fn answer_ns(&mut self, port: PortId, origin: Origin6, ns: &Frame6<'_>, target: Ipv6Addr) {
        let net = &self.net;
        // Duplicate address detection (from ::) and link-local neighbours other than the
        // router's fe80::1 are the host's own business: answering would fail its DAD.
        let link_local = (target.segments()[0] & 0xffc0) == 0xfe80;
        if ns.header.src.is_unspecified() || (link_local && target != ROUTER_LINK_LOCAL) {
            return;
        }
        let (mac, router) = match origin {
            Origin6::Eni(e) => {
                if net.eni_ipv6(e).contains(&target) {
                    return;
                }
                match net.eni_by_ipv6(target) {
                    Some(o) if net.eni(o).subnet == net.eni(e).subnet => (net.eni(o).mac, false),
                    _ => (net.router_mac, true),
                }
            }
            Origin6::Internet(_) => {
                if net
                    .host_by_ipv6(target)
                    .is_some_and(|h| net.internet_host(h).port == port)
                {
                    return;
                }
                (net.router_mac, true)
            }
        };
        let na = w6::neighbour_advert(ns, target, mac, router);
        self.ipv6.stats.ndp_answered += 1;
        self.emit_frame(port, na);
    }

    /// Drops expired IPv6 flows (called with the engine's sweep).
    pub(super) fn sweep_ipv6(&mut self, now: Nanos) {
        self.ipv6.tracked.retain(|_, t| *t > now);
        self.ipv6.eigw.retain(|_, t| *t > now);
    }
}

/// AWS's MTU between the sender's port and the receiver: 1500 through an internet gateway,
/// 8500 across Regions over a peering, 9001 inside a VPC (`engine::mtu`).
fn path_mtu6(net: &Network, from: PortId, to: Delivery6) -> u16 {
    let src = match net.port(from).owner {
        PortOwner::Internet(_) => return IGW_MTU,
        PortOwner::Instance(i) => net.instance(i).eni,
        PortOwner::LoadBalancerNode(e) => e,
    };
    match to {
        Delivery6::Internet(_) => IGW_MTU,
        Delivery6::Eni(e) => {
            let (a, b) = (net.eni(src).vpc, net.eni(e).vpc);
            if a == b {
                VPC_MTU
            } else if net.vpc(a).region != net.vpc(b).region {
                INTER_REGION_MTU
            } else if net.peerings.iter().any(|p| p.other(a) == Some(b)) {
                VPC_MTU
            } else {
                // Between VPCs without a peering the packet went over the internet.
                IGW_MTU
            }
        }
    }
}
