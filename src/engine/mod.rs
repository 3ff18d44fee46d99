//! The data plane as a sans-IO state machine: frames and time in, frames and events out. It owns
//! no sockets, threads or clocks. Each packet's fate is decided by `policy::path::walk` fed with
//! the engine's live state (connection tracking, NAT tables); later packets of a flow use a
//! flow cache stamped with the configuration generation.

pub mod conntrack;
pub mod event;
mod fxhash;
mod live;
pub mod nat;
pub mod tcp_flags;
pub mod wire;

pub use event::{Nanos, Output, PacketEvent, Stats};
pub use tcp_flags::TcpFlags;

use crate::model::proto;
use crate::model::{EniId, Network, PortId, PortOwner};
use crate::policy::path::{self, Delivery, Observation, Options, Origin, Outcome, Walk};
use crate::policy::{ComponentKind, Decision, Header, RuleId, Verdict};
use conntrack::Conntrack;
use fxhash::FxHashMap;
use live::Live;
use nat::NatTable;
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

/// Who asks the VPC resolver (or the emulated public resolver, for internet hosts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DnsClient {
    /// The querying host's address (private IP inside a VPC, public IP on the internet).
    pub src: std::net::Ipv4Addr,
    /// The VPC whose resolver was asked; None for the emulated public resolver.
    pub vpc: Option<crate::model::VpcId>,
    /// The querying host's port.
    pub port: PortId,
}

/// Answers DNS queries the engine intercepts (to VPC base+2, 169.254.169.253, or the public
/// resolver). Implemented by `dns`; the engine calls it and wraps the reply in UDP/IP/Ethernet.
pub trait DnsService: Send {
    /// Answers one DNS message (wire format); None drops it.
    fn answer(&mut self, query: &[u8], client: DnsClient, now: Nanos) -> Option<Vec<u8>>;
}

/// Which ENIs' packet events carry a copy of the frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Capture {
    /// None (default).
    #[default]
    Off,
    /// Every ENI.
    All,
    /// These ENIs.
    Enis(HashSet<EniId>),
}

/// A full walk the engine made, kept when [`Engine::set_record_walks`] is on (for `probe`).
#[derive(Clone, Debug)]
pub struct RecordedWalk {
    /// When.
    pub time: Nanos,
    /// The sending port.
    pub port: PortId,
    /// The packet as sent.
    pub header: Header,
    /// The walk.
    pub walk: Walk,
}

struct Cached {
    generation: u64,
    to: Delivery,
    header: Header,
    same_l2: Option<EniId>,
    observations: Arc<[Observation]>,
    touch: Vec<(EniId, Header)>,
}

const SEC: Nanos = 1_000_000_000;
const SWEEP_EVERY: Nanos = 10 * SEC;
const CACHE_MAX: usize = 1 << 16;

/// The VPC data plane of one topology.
pub struct Engine {
    net: Arc<Network>,
    generation: u64,
    out: VecDeque<Output>,
    stats: Stats,
    ct: Conntrack,
    nat: NatTable,
    cache: FxHashMap<(PortId, Header), Cached>,
    dns: Option<Box<dyn DnsService>>,
    capture: Capture,
    events: bool,
    nat_instance_in_engine: bool,
    record: bool,
    walks: Vec<RecordedWalk>,
    next_sweep: Option<Nanos>,
    frags: FxHashMap<FragKey, FragEntry>,
}

/// (source, destination, IP id, protocol) of a fragmented datagram as sent.
type FragKey = (std::net::Ipv4Addr, std::net::Ipv4Addr, u16, u8);

/// Where the later fragments of a datagram whose first fragment passed go.
struct FragEntry {
    expires: Nanos,
    to: Delivery,
    header: Header,
    same_l2: Option<EniId>,
    observations: Vec<Observation>,
}

/// Fragments of a datagram are forwarded for this long after the first (Linux `ipfrag_time`).
const FRAG_TTL: Nanos = 30 * SEC;
/// Datagrams in flight whose later fragments are remembered (oldest dropped beyond).
const FRAG_MAX: usize = 1024;

impl Engine {
    /// A new engine for a resolved network.
    pub fn new(net: Arc<Network>) -> Self {
        let mut ct = Conntrack::default();
        ct.resize(net.enis.len());
        Engine {
            net,
            generation: 0,
            out: VecDeque::new(),
            stats: Stats::default(),
            ct,
            nat: NatTable::default(),
            cache: FxHashMap::default(),
            dns: None,
            capture: Capture::Off,
            events: true,
            nat_instance_in_engine: true,
            record: false,
            walks: Vec::new(),
            next_sweep: None,
            frags: FxHashMap::default(),
        }
    }

    /// The network the engine currently runs.
    pub fn network(&self) -> &Arc<Network> {
        &self.net
    }

    /// Sets the DNS service answering resolver queries (without one they are dropped).
    pub fn set_dns(&mut self, dns: Box<dyn DnsService>) {
        self.dns = Some(dns);
    }

    /// Makes packet events carry frames (for pcap/pcapng) for every ENI, some, or none.
    pub fn set_capture(&mut self, c: Capture) {
        self.capture = c;
    }

    /// Shorthand: frames on every ENI's events (true) or none.
    pub fn set_capture_frames(&mut self, on: bool) {
        self.capture = if on { Capture::All } else { Capture::Off };
    }

    /// Emits `Output::Packet` events (default on; benchmarks turn them off).
    pub fn set_events(&mut self, on: bool) {
        self.events = on;
    }

    /// NAT instances masquerade inside the engine (default, virtual backend); the netns backend
    /// turns this off and lets the instance's kernel do it.
    pub fn set_nat_instance_in_engine(&mut self, on: bool) {
        self.nat_instance_in_engine = on;
    }

    /// Keeps every full walk for [`Engine::take_walks`] (probe traces).
    pub fn set_record_walks(&mut self, on: bool) {
        self.record = on;
    }

    /// The walks recorded since the last call.
    pub fn take_walks(&mut self) -> Vec<RecordedWalk> {
        std::mem::take(&mut self.walks)
    }

    /// The configuration generation (bumped by `apply`).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of connections tracked at an ENI.
    pub fn tracked_connections(&self, eni: EniId) -> usize {
        self.ct.len(eni)
    }

    /// Number of NAT mappings (gateways and instances).
    pub fn nat_mappings(&self) -> usize {
        self.nat.len()
    }

    fn emit_frame(&mut self, port: PortId, data: Vec<u8>) {
        self.stats.tx_frames += 1;
        self.out.push_back(Output::Frame { port, data });
    }

    /// Takes an Ethernet frame sent by the host behind `port` at time `now`.
    pub fn handle_frame(&mut self, port: PortId, frame: &[u8], now: Nanos) {
        self.stats.rx_frames += 1;
        if self.next_sweep.is_none() {
            self.next_sweep = Some(now + SWEEP_EVERY);
        }
        let net = self.net.clone();
        let Some(p) = net.ports.get(port.idx()) else {
            self.stats.unsupported += 1;
            return;
        };
        let parsed = match wire::parse(frame) {
            Ok(f) => f,
            Err(wire::Bad::Malformed) => {
                self.stats.malformed += 1;
                return;
            }
            Err(wire::Bad::Unsupported) => {
                self.stats.unsupported += 1;
                return;
            }
        };
        let origin = match p.owner {
            PortOwner::Instance(i) => {
                let inst = net.instance(i);
                if !inst.running {
                    return;
                }
                Origin::Eni(inst.eni)
            }
            PortOwner::Internet(h) => Origin::Internet(net.internet_host(h).ip),
        };
        let ip = match parsed {
            wire::Frame::OtherArp => return,
            wire::Frame::Arp(req) => {
                self.answer_arp(port, origin, &req);
                return;
            }
            wire::Frame::Ip(ip) => ip,
        };
        if frame[0] & 1 == 1 {
            // VPCs carry no broadcast or multicast.
            self.stats.unsupported += 1;
            return;
        }
        if let Some(fr) = ip.frag {
            if !fr.first {
                self.later_fragment(&net, &ip, fr, frame, now);
                return;
            }
            // A UDP first fragment: judged like the datagram, never from the flow cache.
            self.slow_path(&net, port, origin, &ip, frame, now);
            return;
        }
        if let Some(vpc) = path::resolver_target(&net, origin, &ip.header) {
            self.answer_dns(port, vpc, &ip, frame, now);
            return;
        }
        if self.fast_path(&net, port, &ip, frame, now) {
            return;
        }
        self.slow_path(&net, port, origin, &ip, frame, now);
    }

    fn answer_arp(&mut self, port: PortId, origin: Origin, req: &wire::ArpRequest) {
        let net = self.net.clone();
        let p = net.port(port);
        if req.target_ip == p.ip || req.sender_ip != p.ip {
            return;
        }
        let mac = match origin {
            Origin::Eni(e) => {
                let eni = net.eni(e);
                let s = net.subnet(eni.subnet);
                if !s.cidr.contains(&req.target_ip) || req.target_ip == s.cidr.broadcast() {
                    return;
                }
                match net.eni_by_private_ip(eni.vpc, req.target_ip) {
                    Some(o) => net.eni(o).mac,
                    None => net.router_mac,
                }
            }
            Origin::Internet(_) => net.router_mac,
        };
        let f = wire::arp_reply(req, mac);
        self.emit_frame(port, f);
    }

    fn answer_dns(
        &mut self,
        port: PortId,
        vpc: Option<crate::model::VpcId>,
        ip: &wire::Ip,
        frame: &[u8],
        now: Nanos,
    ) {
        if ip.header.proto == proto::TCP {
            self.answer_dns_tcp(port, vpc, ip, frame, now);
            return;
        }
        if ip.header.proto != proto::UDP {
            return;
        }
        let Some(dns) = self.dns.as_mut() else { return };
        let Some((_, q)) = wire::l4_payload(frame) else {
            return;
        };
        let client = DnsClient {
            src: ip.header.src,
            vpc,
            port,
        };
        let Some(a) = dns.answer(q, client, now) else {
            return;
        };
        let p = self.net.port(port);
        let f = wire::build(
            self.net.router_mac,
            p.mac,
            &ip.header.reversed(),
            wire::Tcp::default(),
            0,
            &a,
        );
        self.emit_frame(port, f);
    }

    /// DNS over TCP to the resolver (`dig +tcp`), answered statelessly: SYN → SYN-ACK; a
    /// segment holding a whole length-prefixed query → the length-prefixed answer with FIN;
    /// a FIN → its ACK. Queries split over several segments are not reassembled (dropped).
    fn answer_dns_tcp(
        &mut self,
        port: PortId,
        vpc: Option<crate::model::VpcId>,
        ip: &wire::Ip,
        frame: &[u8],
        now: Nanos,
    ) {
        if self.dns.is_none() {
            return;
        }
        let Some((t, data)) = wire::l4_payload(frame) else {
            return;
        };
        let h = ip.header;
        // Our initial sequence number, derived from the connection (stateless).
        let isn = (u32::from(h.sport) << 16 | u32::from(h.dport))
            ^ u32::from_be_bytes(h.src.octets()).rotate_left(7);
        let (syn, fin, rst) = (
            t.flags & 0x02 != 0,
            t.flags & 0x01 != 0,
            t.flags & 0x04 != 0,
        );
        let reply = |flags: u8, seq: u32, ack: u32| wire::Tcp { flags, seq, ack };
        let (tcp, payload) = if rst {
            return;
        } else if syn {
            (reply(0x12, isn, t.seq.wrapping_add(1)), Vec::new())
        } else if data.len() >= 2 {
            let n = usize::from(u16::from_be_bytes([data[0], data[1]]));
            if data.len() < 2 + n {
                return;
            }
            let client = DnsClient {
                src: h.src,
                vpc,
                port,
            };
            let Some(dns) = self.dns.as_mut() else { return };
            let Some(a) = dns.answer(&data[2..2 + n], client, now) else {
                return;
            };
            let Ok(len) = u16::try_from(a.len()) else {
                return;
            };
            let mut p = len.to_be_bytes().to_vec();
            p.extend_from_slice(&a);
            let ack = t.seq.wrapping_add(data.len() as u32 + u32::from(fin));
            (reply(0x19, isn.wrapping_add(1), ack), p)
        } else if fin {
            // The client's FIN after our answer+FIN (seq = ours + answer + FIN is unknown
            // statelessly: acknowledge with the client's ack number).
            (reply(0x10, t.ack, t.seq.wrapping_add(1)), Vec::new())
        } else {
            return;
        };
        let p = self.net.port(port);
        let f = wire::build(self.net.router_mac, p.mac, &h.reversed(), tcp, 0, &payload);
        self.emit_frame(port, f);
    }

    fn wants_frame(&self, eni: EniId) -> bool {
        match &self.capture {
            Capture::Off => false,
            Capture::All => true,
            Capture::Enis(s) => s.contains(&eni),
        }
    }

    fn emit_events(&mut self, obs: &[Observation], ip: &wire::Ip, frame: &[u8], now: Nanos) {
        if !self.events {
            return;
        }
        for o in obs {
            let captured = if self.wants_frame(o.eni) {
                let mac = self.net.eni(o.eni).mac;
                if o.header == ip.header && ip.inner.is_none() {
                    // Unchanged addresses and ports: only the MACs differ.
                    wire::set_macs(frame, mac, self.net.router_mac)
                } else if let Some(fr) = ip.frag {
                    wire::rewrite_fragment(
                        frame,
                        &ip.header,
                        &o.header,
                        fr.first,
                        mac,
                        self.net.router_mac,
                    )
                } else {
                    wire::rewrite(frame, &o.header, None, mac, self.net.router_mac)
                }
            } else {
                None
            };
            self.out.push_back(Output::Packet(Box::new(PacketEvent {
                time: now,
                eni: o.eni,
                direction: o.direction,
                header: o.header,
                pkt_src: o.pkt_src,
                pkt_dst: o.pkt_dst,
                bytes: u32::from(ip.len),
                tcp_flags: TcpFlags::from_bits(ip.tcp_flags),
                verdict: o.verdict,
                decision: o.decision.clone(),
                traffic_path: o.traffic_path,
                frame: captured,
            })));
        }
    }

    #[allow(clippy::too_many_arguments)] // all per-packet facts; a struct would only rename them
    fn deliver(
        &mut self,
        net: &Network,
        to: Delivery,
        h: &Header,
        orig: &Header,
        inner: Option<&Header>,
        same_l2: Option<EniId>,
        frame: &[u8],
    ) {
        let port = match to {
            Delivery::Eni(e) => match net.eni_instance(e) {
                Some(i) => net.instance(i).port,
                None => return,
            },
            Delivery::Internet(hid) => net.internet_host(hid).port,
        };
        let src_mac = same_l2.map(|e| net.eni(e).mac).unwrap_or(net.router_mac);
        let f = if h == orig && inner.is_none() {
            // Unchanged addresses and ports: only the MACs change, checksums stay valid.
            wire::set_macs(frame, src_mac, net.port(port).mac)
        } else {
            wire::rewrite(frame, h, inner, src_mac, net.port(port).mac)
        };
        if let Some(f) = f {
            self.emit_frame(port, f);
        }
    }

    /// A non-first fragment: follows its first fragment (AWS forwards UDP fragments), else
    /// dropped.
    fn later_fragment(
        &mut self,
        net: &Network,
        ip: &wire::Ip,
        fr: wire::Frag,
        frame: &[u8],
        now: Nanos,
    ) {
        let key = (ip.header.src, ip.header.dst, fr.id, ip.header.proto);
        let Some(e) = self.frags.get(&key).filter(|e| e.expires > now) else {
            self.frags.remove(&key);
            self.stats.unsupported += 1;
            return;
        };
        let (to, h, l2) = (e.to, e.header, e.same_l2);
        if self.events {
            let obs = e.observations.clone();
            self.emit_events(&obs, ip, frame, now);
        }
        self.deliver_fragment(net, to, &ip.header, &h, l2, false, frame);
    }

    #[allow(clippy::too_many_arguments)] // all per-packet facts, as in `deliver`
    fn deliver_fragment(
        &mut self,
        net: &Network,
        to: Delivery,
        old: &Header,
        h: &Header,
        same_l2: Option<EniId>,
        first: bool,
        frame: &[u8],
    ) {
        let port = match to {
            Delivery::Eni(e) => match net.eni_instance(e) {
                Some(i) => net.instance(i).port,
                None => return,
            },
            Delivery::Internet(hid) => net.internet_host(hid).port,
        };
        let src_mac = same_l2.map(|e| net.eni(e).mac).unwrap_or(net.router_mac);
        let new = Header {
            sport: if first { h.sport } else { 0 },
            dport: if first { h.dport } else { 0 },
            ..*h
        };
        if let Some(f) =
            wire::rewrite_fragment(frame, old, &new, first, src_mac, net.port(port).mac)
        {
            self.emit_frame(port, f);
        }
    }

    fn fast_path(
        &mut self,
        net: &Network,
        port: PortId,
        ip: &wire::Ip,
        frame: &[u8],
        now: Nanos,
    ) -> bool {
        let key = (port, ip.header);
        let Some(c) = self.cache.get(&key) else {
            return false;
        };
        if c.generation != self.generation {
            self.cache.remove(&key);
            return false;
        }
        for (eni, h) in &c.touch {
            if !self.ct.touch(*eni, h, now) {
                self.cache.remove(&key);
                return false;
            }
        }
        let (to, h, l2) = (c.to, c.header, c.same_l2);
        if self.events {
            let obs = c.observations.clone();
            self.emit_events(&obs, ip, frame, now);
        }
        self.deliver(net, to, &h, &ip.header, None, l2, frame);
        true
    }

    fn slow_path(
        &mut self,
        net: &Network,
        port: PortId,
        origin: Origin,
        ip: &wire::Ip,
        frame: &[u8],
        now: Nanos,
    ) {
        let h = ip.header;
        let opts = Options {
            collect_all: false,
            nat_instance_in_walk: self.nat_instance_in_engine,
        };
        let mut live = Live {
            net,
            ct: &self.ct,
            nat: &mut self.nat,
            now,
            syn: h.proto == proto::TCP && TcpFlags::from_bits(ip.tcp_flags).is_initial_syn(),
            inner: ip.inner,
            inner_out: None,
            idle_rst: false,
            exhausted: false,
            nat_used: false,
        };
        let mut walk = path::walk(net, &mut live, origin, h, opts);
        let (idle_rst, exhausted, nat_used, mut inner_out) =
            (live.idle_rst, live.exhausted, live.nat_used, live.inner_out);
        // An ICMP error that crossed internet gateways: its embedded header is translated too.
        if let (
            None,
            Some(inner),
            Outcome::Delivered {
                to: Delivery::Eni(e),
                header,
            },
        ) = (inner_out, ip.inner, &walk.outcome)
        {
            let t = live::igw_inner(net, *e, header, inner);
            if t != inner {
                inner_out = Some(t);
            }
        }
        if exhausted {
            self.stats.nat_port_exhausted += 1;
        }
        // Connection tracking: new flows admitted by an SG, refresh for the others.
        let mut touch = Vec::new();
        let mut full_at = None;
        for (i, o) in walk.observations.iter().enumerate() {
            if o.verdict != Verdict::Accept
                || net.eni(o.eni).sgs.is_empty() && net.eni_instance(o.eni).is_none()
            {
                continue;
            }
            if o.track {
                if !self.ct.insert(o.eni, &o.header, now, net.conntrack_max) {
                    full_at = Some(i);
                    break;
                }
                touch.push((o.eni, o.header));
            } else if self.ct.touch(o.eni, &o.header, now) {
                touch.push((o.eni, o.header));
            }
        }
        if let Some(i) = full_at {
            self.stats.conntrack_full += 1;
            let o = &mut walk.observations[i];
            let d = Decision {
                verdict: Verdict::Reject,
                component: net.eni(o.eni).aws_id.clone(),
                kind: ComponentKind::Engine,
                direction: Some(o.direction),
                rule: RuleId::Builtin,
                code: Some(crate::policy::ExplanationCode::ConntrackAllowanceExceeded),
                detail: format!(
                    "{} tracks {} connections already (conntrack allowance)",
                    net.eni(o.eni).aws_id,
                    net.conntrack_max
                ),
            };
            o.verdict = Verdict::Reject;
            o.decision = d.clone();
            walk.observations.truncate(i + 1);
            walk.outcome = Outcome::Dropped(d.clone());
            walk.blockers = vec![d];
        }
        self.emit_events(&walk.observations, ip, frame, now);
        match &walk.outcome {
            Outcome::Delivered { to, header } => {
                let same_l2 = match (origin, to) {
                    (Origin::Eni(a), Delivery::Eni(b))
                        if *header == h && net.eni(a).subnet == net.eni(*b).subnet =>
                    {
                        Some(a)
                    }
                    _ => None,
                };
                if let Some(fr) = ip.frag {
                    if self.frags.len() >= FRAG_MAX {
                        self.frags.retain(|_, e| e.expires > now);
                        if self.frags.len() >= FRAG_MAX {
                            self.frags.clear();
                        }
                    }
                    self.frags.insert(
                        (h.src, h.dst, fr.id, h.proto),
                        FragEntry {
                            expires: now + FRAG_TTL,
                            to: *to,
                            header: *header,
                            same_l2,
                            observations: walk.observations.clone(),
                        },
                    );
                    let (to, header) = (*to, *header);
                    self.deliver_fragment(net, to, &h, &header, same_l2, true, frame);
                } else {
                    self.deliver(net, *to, header, &h, inner_out.as_ref(), same_l2, frame);
                }
                if !nat_used && ip.inner.is_none() && ip.frag.is_none() && !self.record {
                    if self.cache.len() >= CACHE_MAX {
                        self.cache.clear();
                    }
                    self.cache.insert(
                        (port, h),
                        Cached {
                            generation: self.generation,
                            to: *to,
                            header: *header,
                            same_l2,
                            observations: walk.observations.clone().into(),
                            touch,
                        },
                    );
                }
            }
            Outcome::Resolver { .. } => {}
            Outcome::Dropped(_) => {
                self.stats.policy_drops += 1;
                if idle_rst {
                    self.send_rst(port, &h, frame);
                }
            }
        }
        if self.record {
            self.walks.push(RecordedWalk {
                time: now,
                port,
                header: h,
                walk,
            });
        }
    }

    /// The NAT gateway's answer to a packet of an idled-out flow: RST to the client.
    fn send_rst(&mut self, port: PortId, h: &Header, frame: &[u8]) {
        let Some((t, _)) = wire::l4_payload(frame) else {
            return;
        };
        let p = self.net.port(port);
        let f = wire::build(
            self.net.router_mac,
            p.mac,
            &h.reversed(),
            wire::Tcp {
                flags: 0x04,
                seq: t.ack,
                ack: 0,
            },
            0,
            &[],
        );
        self.emit_frame(port, f);
    }

    /// Advances timers (conntrack and NAT idle timeouts) to `now`.
    pub fn handle_timeout(&mut self, now: Nanos) {
        if self.next_sweep.is_some_and(|t| now >= t) {
            self.ct.sweep(now);
            self.frags.retain(|_, e| e.expires > now);
            self.nat.sweep(now, 2 * nat::NAT_IDLE);
            self.next_sweep = if self.ct.is_empty() && self.nat.is_empty() {
                None
            } else {
                Some(now + SWEEP_EVERY)
            };
        }
    }

    /// When `handle_timeout` should next be called, if anything is pending.
    pub fn poll_timeout(&self) -> Option<Nanos> {
        self.next_sweep
    }

    /// The next frame to send or event to record.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// Swaps in a changed network (`apply`), with AWS's semantics for live flows: NACL and route
    /// changes apply to the next packet, tracked flows survive SG rule removal, untracked ones
    /// are judged against the new rules.
    pub fn apply(&mut self, net: Arc<Network>) {
        self.ct.resize(net.enis.len());
        self.net = net;
        self.generation += 1;
        self.cache.clear();
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Walks a header from a port without sending anything (a dry run on live state).
    pub fn dry_run(&mut self, port: PortId, h: Header, now: Nanos) -> Option<Walk> {
        let net = self.net.clone();
        let origin = match net.ports.get(port.idx())?.owner {
            PortOwner::Instance(i) => Origin::Eni(net.instance(i).eni),
            PortOwner::Internet(x) => Origin::Internet(net.internet_host(x).ip),
        };
        let mut nat = NatTable::default();
        let mut live = Live {
            net: &net,
            ct: &self.ct,
            nat: &mut nat,
            now,
            syn: true,
            inner: None,
            inner_out: None,
            idle_rst: false,
            exhausted: false,
            nat_used: false,
        };
        Some(path::walk(
            &net,
            &mut live,
            origin,
            h,
            Options {
                collect_all: false,
                nat_instance_in_walk: self.nat_instance_in_engine,
            },
        ))
    }
}
