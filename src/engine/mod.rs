//! The data plane as a sans-IO state machine: frames and time in, frames and events out. It owns
//! no sockets, threads or clocks. Each packet's fate is decided by `policy::path::walk` fed with
//! the engine's live state (connection tracking, NAT tables); later packets of a flow use a
//! flow cache stamped with the configuration generation.
//!
//! This file is the API ([`Engine`], its calling contract) and ARP; the rest lives beside it:
//! `resolver` (the DNS responder), `fragments` (IP fragments), `flow_cache` (the fast path),
//! `slow_path` (the full walk, conntrack admission), `forward` (events and delivery; `event6`
//! the IPv6 packets' events), `mtu` (AWS's MTUs, fragmentation and path MTU discovery), `wire`
//! (parsing and in-place rewriting).

mod config;
pub mod conntrack;
pub mod event;
mod event6;
mod flow_cache;
mod forward;
mod fragments;
pub mod ipv6;
mod live;
pub mod load_balancer;
pub mod mtu;
pub mod nat;
mod nat64;
mod resolver;
mod slow_path;
pub mod tcp_flags;
pub mod transit;
pub mod wire;

pub use config::{Capture, EngineConfig};
pub use event::{Nanos, Output, PacketEvent, Stats};
pub use resolver::{DnsClient, DnsService};
pub use slow_path::RecordedWalk;
pub use tcp_flags::TcpFlags;

use crate::model::{EniId, Network, PortId, PortOwner};
use crate::policy::compiled::Compiled;
use crate::policy::path::{self, Options, Origin, Walk};
use crate::policy::Header;
use conntrack::Conntrack;
use flow_cache::FlowCache;
use fragments::Fragments;
use live::Live;
use nat::NatTable;
use std::collections::VecDeque;
use std::sync::Arc;

const SEC: Nanos = 1_000_000_000;
const SWEEP_EVERY: Nanos = 10 * SEC;

/// The VPC data plane of one topology, as a sans-IO state machine (in the manner of
/// quinn-proto's `Connection`): the caller owns the sockets or virtual links and the clock,
/// and drives the engine with three kinds of calls.
///
/// - **Input.** [`Engine::handle_frame_owned`] (or [`Engine::handle_frame`], which copies the
///   frame first) hands over one Ethernet frame a host sent on its port. The engine decides
///   it at once: nothing is kept of the frame, except that a forwarded frame is the same buffer,
///   rewritten in place, queued as an [`Output::Frame`]. Malformed and unsupported frames are
///   counted in [`Engine::stats`] and dropped; no input makes the engine panic.
/// - **Output.** After every input call (and every [`Engine::handle_timeout`]), call
///   [`Engine::poll_output`] until it returns None, and act on each item: send
///   `Output::Frame`s out of their port in the order given, record `Output::Packet` events
///   (and hand each back with [`Engine::recycle`] once recorded, so its memory is reused).
///   Outputs are only queued, never dropped: a caller that does not drain them grows the queue
///   without bound, and frames it drains late go out late (the engine does not reorder or
///   expire them).
/// - **Time.** `now` (every input's, and `handle_timeout`'s) is the caller's clock in
///   nanoseconds: a virtual clock or a monotonic one, never the wall clock, and never going
///   backwards. Conntrack, NAT and fragment entries expire against it. After input, ask
///   [`Engine::poll_timeout`] when the engine next needs [`Engine::handle_timeout`], and call
///   it no earlier than that (an early call is harmless, it does nothing). A caller that never
///   calls it keeps every expired entry in memory, though no expired entry is ever used: each
///   is checked against `now` when a packet needs it. Then drain outputs again.
///
/// Configuration is fixed at [`Engine::new`] ([`EngineConfig`]); [`Engine::apply`] swaps the
/// network between inputs, with AWS's semantics for live flows. The engine is `Send` and not
/// shared: one thread drives it.
pub struct Engine {
    net: Arc<Network>,
    generation: u64,
    out: VecDeque<(Output, wire::Offload)>,
    stats: Stats,
    ct: Conntrack,
    nat: NatTable,
    cache: FlowCache,
    dns: Option<Box<dyn DnsService>>,
    capture: Capture,
    events: bool,
    nat_instance_in_engine: bool,
    record: bool,
    walks: Vec<RecordedWalk>,
    next_sweep: Option<Nanos>,
    frags: Fragments,
    /// `net`'s SGs and NACLs compiled for the slow path's walks (rebuilt by `apply`).
    compiled: Arc<Compiled>,
    /// IPv6 state: neighbour and flow tables of the second family (`engine::ipv6`).
    ipv6: ipv6::Ipv6State,
    /// Flows through load balancers (replies go back through the node).
    lb: load_balancer::LbFlows,
    /// Packet events handed back ([`Engine::recycle`]), reused for the next ones (boxed: the
    /// boxes are what is reused).
    #[allow(clippy::vec_box)]
    spare: Vec<Box<PacketEvent>>,
}

/// Packet events [`Engine::recycle`] keeps for reuse (with their frame buffers).
const SPARE_EVENTS: usize = 64;

impl Engine {
    /// A new engine for a resolved network, configured once.
    pub fn new(net: Arc<Network>, config: EngineConfig) -> Self {
        let mut ct = Conntrack::default();
        ct.resize(net.enis.len());
        Engine {
            compiled: Arc::new(Compiled::new(&net)),
            net,
            generation: 0,
            out: VecDeque::new(),
            stats: Stats::default(),
            ct,
            nat: NatTable::default(),
            cache: FlowCache::default(),
            dns: config.dns,
            capture: config.capture,
            events: config.events,
            nat_instance_in_engine: config.nat_instance_in_engine,
            record: config.record_walks,
            walks: Vec::new(),
            next_sweep: None,
            frags: Fragments::default(),
            ipv6: Default::default(),
            lb: load_balancer::LbFlows::default(),
            spare: Vec::new(),
        }
    }

    /// The network the engine currently runs.
    pub fn network(&self) -> &Arc<Network> {
        &self.net
    }

    /// Replaces the DNS service. Mid-run because the service is built from the network: the
    /// netns daemon builds a new one after each [`Engine::apply`].
    pub fn set_dns(&mut self, dns: Box<dyn DnsService>) {
        self.dns = Some(dns);
    }

    /// Changes which packet events are emitted ([`EngineConfig::events`],
    /// [`EngineConfig::capture`]). Mid-run because their consumers come and go: the netns
    /// daemon makes events only while someone subscribes or a flow log is open. Takes effect
    /// from the next input.
    pub fn set_events(&mut self, events: bool, capture: Capture) {
        self.events = events;
        self.capture = capture;
    }

    /// Starts or stops recording walks ([`EngineConfig::record_walks`]). Mid-run because a
    /// probe traces its own packets only; while on, the flow cache is bypassed.
    pub fn set_record_walks(&mut self, on: bool) {
        self.record = on;
    }

    /// The walks recorded since the last call.
    #[must_use = "the recorded walks are removed from the engine"]
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
        self.emit_frame_offload(port, data, wire::Offload::NONE);
    }

    /// Queues a frame with its offload state (a forwarded segment keeps the sender's).
    fn emit_frame_offload(&mut self, port: PortId, data: Vec<u8>, off: wire::Offload) {
        self.stats.tx_frames += 1;
        self.out.push_back((Output::Frame { port, data }, off));
    }

    /// Takes an Ethernet frame sent by the host behind `port` at time `now`, for callers that
    /// reuse their receive buffer: the frame is parsed where it is, and an IPv4 frame is then
    /// copied once into a buffer of the engine's own, which is rewritten and sent as
    /// [`Engine::handle_frame_owned`] describes.
    pub fn handle_frame(&mut self, port: PortId, frame: &[u8], now: Nanos) {
        if wire::ipv6::is_ipv6(frame) {
            return self.handle_ipv6(port, frame, wire::Offload::NONE, now);
        }
        let parsed = wire::parse_packet(frame).map(wire::Parsed::into_owned);
        self.handle_parsed(port, parsed, now);
    }

    /// Takes an Ethernet frame sent by the host behind `port` at time `now`. The frame is
    /// parsed once; if forwarded, this very buffer is rewritten in place (MACs, NAT, checksums
    /// updated incrementally) and queued as the [`Output::Frame`]: forwarding neither copies
    /// nor allocates. Call [`Engine::poll_output`] afterwards.
    pub fn handle_frame_owned(&mut self, port: PortId, frame: Vec<u8>, now: Nanos) {
        if wire::ipv6::is_ipv6(&frame) {
            return self.handle_ipv6(port, &frame, wire::Offload::NONE, now);
        }
        self.handle_parsed(port, wire::parse_packet(frame), now);
    }

    /// [`Engine::handle_frame_owned`] for a frame read with offloads on (a TAP with
    /// `IFF_VNET_HDR`): `off` says whether its L4 checksum is partial and whether it is a
    /// segment of several wire packets (TSO/USO). A segment is decided once for all its
    /// packets (they share the header), rewritten keeping the partial checksum valid, and goes
    /// out whole with the same offload state: read it back with
    /// [`Engine::poll_output_offload`], or a caller without offloads gets frames from
    /// [`Engine::poll_output`] whose checksums it must not trust. Flow-log events count the
    /// wire packets a segment stands for.
    pub fn handle_frame_offload(
        &mut self,
        port: PortId,
        frame: Vec<u8>,
        off: wire::Offload,
        now: Nanos,
    ) {
        if wire::ipv6::is_ipv6(&frame) {
            return self.handle_ipv6(port, &frame, off, now);
        }
        self.handle_parsed(port, wire::parse_packet_offload(frame, off), now);
    }

    /// The body of both `handle_frame`s; the frame's parse result is looked at only after the
    /// port's, so the counters read as if parsing came second.
    fn handle_parsed(
        &mut self,
        port: PortId,
        parsed: Result<wire::Parsed<Vec<u8>>, wire::Bad>,
        now: Nanos,
    ) {
        self.stats.rx_frames += 1;
        if self.next_sweep.is_none() {
            self.next_sweep = Some(now + SWEEP_EVERY);
        }
        let Some(p) = self.net.ports.get(port.idx()) else {
            self.stats.unsupported += 1;
            return;
        };
        let parsed = match parsed {
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
        let owner = p.owner;
        let origin = match owner {
            PortOwner::Instance(i) => {
                let inst = self.net.instance(i);
                if !inst.running {
                    return;
                }
                Origin::Eni(inst.eni)
            }
            PortOwner::Internet(h) => Origin::Internet(self.net.internet_host(h).ip),
            PortOwner::LoadBalancerNode(e) => Origin::Eni(e),
        };
        let pkt = match parsed {
            wire::Parsed::OtherArp => return,
            wire::Parsed::Arp(req) => {
                // An instance with several ENIs answers for the one owning the address.
                let origin = match owner {
                    PortOwner::Instance(i) => {
                        Origin::Eni(self.net.instance_eni_for_source(i, req.sender_ip))
                    }
                    PortOwner::Internet(_) | PortOwner::LoadBalancerNode(_) => origin,
                };
                self.answer_arp(port, origin, &req);
                return;
            }
            wire::Parsed::Ip(pkt) => pkt,
        };
        if pkt.bytes()[0] & 1 == 1 {
            // VPCs carry no broadcast or multicast.
            self.stats.unsupported += 1;
            return;
        }
        if let Some(fr) = pkt.ip().frag {
            if !fr.first {
                self.later_fragment(pkt, now);
                return;
            }
            // A first fragment: judged like the datagram, never from the flow cache.
            let origin = self.sender(owner, origin, pkt.ip().header.src);
            self.slow_path(pkt, port, origin, now);
            return;
        }
        // Only a query to port 53 can be for a resolver (`path::resolver_target`): the
        // sender's ENI is looked up for those, and for the slow path, not for cached flows.
        if pkt.ip().header.dport == 53 {
            let origin = self.sender(owner, origin, pkt.ip().header.src);
            if let Some(vpc) = path::resolver_target(&self.net, origin, &pkt.ip().header) {
                self.answer_dns(port, vpc, &pkt, now);
                return;
            }
        }
        match self.fast_path(&pkt, port, now) {
            // No link: nobody behind the ENI any more, dropped silently (`Engine::link_to`).
            Some(hit) => {
                if let Some(link) = hit.link {
                    self.deliver_by(pkt, port, link, &hit.header, None, hit.mtu, now);
                }
            }
            None => {
                let origin = self.sender(owner, origin, pkt.ip().header.src);
                self.slow_path(pkt, port, origin, now)
            }
        }
    }

    /// The origin of an IP packet with source `src` from the host behind a port of `owner`
    /// (`origin` the port's default): an instance with several ENIs sends by the one owning
    /// the source address; an AWS service's host sends from an interface endpoint's address
    /// by that ENI.
    fn sender(&self, owner: PortOwner, origin: Origin, src: std::net::Ipv4Addr) -> Origin {
        match owner {
            PortOwner::Instance(i) => Origin::Eni(self.net.instance_eni_for_source(i, src)),
            PortOwner::Internet(h) => path::host_origin(&self.net, h, src),
            PortOwner::LoadBalancerNode(_) => origin,
        }
    }

    fn answer_arp(&mut self, port: PortId, origin: Origin, req: &wire::ArpRequest) {
        let net = &self.net;
        let p = net.port(port);
        // The host's own addresses: the port's, and (an instance's) its ENI's secondaries.
        let own = |a| {
            a == p.ip
                || matches!(origin, Origin::Eni(e) if net.eni(e).owns(a))
                || net.port_extra_addrs(port).iter().any(|x| x.addr() == a)
        };
        if own(req.target_ip) || !own(req.sender_ip) {
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

    /// Advances timers (conntrack, NAT and fragment expiry) to `now`.
    pub fn handle_timeout(&mut self, now: Nanos) {
        if self.next_sweep.is_some_and(|t| now >= t) {
            self.ct.sweep(now);
            self.frags.sweep(now);
            self.nat.sweep(now, 2 * nat::NAT_IDLE);
            self.sweep_ipv6(now);
            self.next_sweep = if self.ct.is_empty() && self.nat.is_empty() && self.ipv6.is_empty() {
                None
            } else {
                Some(now + SWEEP_EVERY)
            };
        }
    }

    /// When `handle_timeout` should next be called, if anything is pending.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Nanos> {
        self.next_sweep
    }

    /// The next frame to send or event to record (call until None after every input).
    #[must_use = "an output not acted on is a frame not sent or an event not recorded"]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front().map(|(o, _)| o)
    }

    /// [`Engine::poll_output`] with each frame's offload state ([`wire::Offload::NONE`] for
    /// events, frames the engine made, and frames that came in without offloads).
    #[must_use = "an output not acted on is a frame not sent or an event not recorded"]
    pub fn poll_output_offload(&mut self) -> Option<(Output, wire::Offload)> {
        self.out.pop_front()
    }

    /// Hands a packet event back once it is recorded: the engine reuses its box and its frame
    /// buffer for a later event (up to a few dozen are kept; the rest are dropped). Optional: a
    /// caller that keeps its events loses nothing but the reuse. With it, forwarding with events
    /// (and frames) on allocates nothing per packet for them once the first few are back.
    pub fn recycle(&mut self, ev: Box<PacketEvent>) {
        if self.spare.len() < SPARE_EVENTS {
            self.spare.push(ev);
        }
    }

    /// Swaps in a changed network (`apply`), with AWS's semantics for live flows: NACL and route
    /// changes apply to the next packet, tracked flows survive SG rule removal, untracked ones
    /// are judged against the new rules.
    pub fn apply(&mut self, net: Arc<Network>) {
        self.ct.resize(net.enis.len());
        self.compiled = Arc::new(Compiled::new(&net));
        self.net = net;
        self.generation += 1;
        self.cache.clear();
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The counters with the table sizes filled in (`conntrack_entries`, `nat_mappings`): for
    /// status reports, which read them now and then (this walks every ENI's table count).
    pub fn stats_now(&self) -> Stats {
        let mut s = self.stats.clone();
        s.conntrack_entries = (0..self.net.enis.len())
            .map(|i| self.ct.len(EniId(i as u32)) as u64)
            .sum();
        s.nat_mappings = self.nat.len() as u64;
        s
    }

    /// Walks a header from a port without sending anything (a dry run on live state).
    #[must_use]
    pub fn dry_run(&mut self, port: PortId, h: Header, now: Nanos) -> Option<Walk> {
        let net = self.net.clone();
        let origin = match net.ports.get(port.idx())?.owner {
            PortOwner::Instance(i) => Origin::Eni(net.instance_eni_for_source(i, h.src)),
            PortOwner::Internet(x) => path::host_origin(&net, x, h.src),
            PortOwner::LoadBalancerNode(e) => Origin::Eni(e),
        };
        let mut nat = NatTable::default();
        let mut lb = self.lb.clone();
        let mut live = Live {
            lb: &mut lb,
            net: &net,
            ct: &self.ct,
            nat: &mut nat,
            now,
            flags: TcpFlags::SYN,
            inner: None,
            inner_out: None,
            idle_rst: false,
            exhausted: false,
            nat_used: false,
            nat64: None,
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
