//! NAT64 on NAT gateways (RFC 6146's stateful translator, RFC 7915's header translation, as
//! AWS's NAT gateway does for 64:ff9b::/96). Out: the IPv6 walk ends at the gateway with the
//! IPv4 header it sends (`Outcome6::Nat64`); here the gateway's table maps the client's IPv6
//! address and port to one of its ports (the same pool, per-destination limit and idle
//! timeouts as its IPv4 flows: `NatTable::out_from`), the frame is rewritten as IPv4
//! (`wire::nat64`) and walked on by the IPv4 walk from the gateway's ENI (its internet
//! gateway then writes the Elastic IP). Back: the IPv4 walk of a reply ends at the gateway
//! when the table names an IPv6 client (`Live::nat64`); the reply is rewritten as IPv6 from
//! 64:ff9b::SENDER and walked by the IPv6 walk from the gateway's ENI to the client.
//!
//! ICMP errors coming back (port unreachable, fragmentation needed, time exceeded) are
//! translated to ICMPv6 with their quoted packet (RFC 7915 §4.2) and walked to the client,
//! whose NACL and SG judge them by their rules (SGs admit no error as related to a flow); the
//! ones RFC 7915 drops are dropped and counted. An IPv6 packet too big for the IPv4 path is answered with ICMPv6
//! packet-too-big for the IPv4 MTU plus 20 bytes. Translated packets are not flow-cached (no
//! NAT flow is). Fragments are not translated (dropped and counted).

use super::live::Live;
use super::nat::{Nat, NatError, NAT_IDLE};
use super::wire::ipv6::{self as w6, Frame6};
use super::wire::{self, Offload, Packet};
use super::{Engine, Nanos, TcpFlags};
use crate::model::{proto, NatId, PortId};
use crate::policy::path::ipv6::{Delivery6, Origin6, Outcome6};
use crate::policy::path::{self, Options, Origin, Outcome};
use crate::policy::{Header, Header6, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST};
use crate::topology::ipv6::nat64_synthesise;
use std::net::{IpAddr, Ipv6Addr};

/// The reply of a NAT64 flow, as a NAT gateway's table maps it: the gateway and the IPv6
/// client's address and port (or echo identifier) it goes back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Nat64Reply {
    /// The gateway.
    pub nat: NatId,
    /// The client's IPv6 address.
    pub client: Ipv6Addr,
    /// The client's port (TCP, UDP) or echo identifier (ICMPv6).
    pub port: u16,
    /// An ICMP error quoting a packet of the flow (not the flow's own packet).
    pub error: bool,
}

impl Engine {
    /// NAT64 out: the IPv6 frame `f` from `from`, which the IPv6 walk handed to NAT gateway
    /// `nat` as IPv4 header `h4` (the gateway's private address, the client's port), mapped,
    /// translated and walked on as IPv4.
    pub(super) fn nat64_out(
        &mut self,
        from: PortId,
        f: &Frame6<'_>,
        nat: NatId,
        h4: Header,
        off: Offload,
        now: Nanos,
    ) {
        let net = self.net.clone();
        let g = net.nat(nat);
        let nat_ip = net.eni(g.eni).private_ip;
        let flags = if f.header.proto == proto::TCP {
            TcpFlags::from_bits(f.payload[13] & 0x3f)
        } else {
            TcpFlags::NONE
        };
        let inside = IpAddr::V6(f.header.src);
        let mapped = match self.nat.out_from(
            Nat::Gateway(nat.0),
            inside,
            &h4,
            nat_ip,
            now,
            Some(NAT_IDLE),
            flags,
        ) {
            Ok(t) => t,
            Err(e) => {
                if e == NatError::IdleTimeout {
                    self.nat64_rst(from, f);
                } else {
                    self.stats.nat_port_exhausted += 1;
                }
                self.stats.policy_drops += 1;
                return self.count_nat64(true);
            }
        };
        let Some(pkt) = wire::nat64::to_ipv4(f, &mapped, off).and_then(|(frame, off4)| {
            match wire::parse_packet_offload(frame, off4) {
                Ok(wire::Parsed::Ip(p)) => Some(p),
                _ => None,
            }
        }) else {
            self.stats.unsupported += 1;
            return self.count_nat64(true);
        };
        let mut live = Live {
            lb: &mut self.lb,
            net: &net,
            ct: &self.ct,
            nat: &mut self.nat,
            now,
            flags,
            inner: None,
            inner_out: None,
            idle_rst: false,
            exhausted: false,
            nat_used: true,
            nat64: None,
        };
        let opts = Options {
            collect_all: false,
            nat_instance_in_walk: self.nat_instance_in_engine,
        };
        let compiled = self.compiled.clone();
        let mut walk = path::walk_compiled(
            &net,
            &compiled,
            &mut live,
            Origin::Eni(g.eni),
            mapped,
            opts,
            self.record,
        );
        self.track(&mut walk, flags, now);
        self.emit_events(&walk.observations, &pkt, now);
        match &walk.outcome {
            Outcome::Delivered { to, header } => {
                let (to, header) = (*to, *header);
                // The IPv4 path's MTU, in the IPv6 packet's terms (its header is 20 bytes more).
                let mtu = self.path_mtu(from, to);
                let wire_len = match off.gso {
                    Some(s) => usize::from(s.hdr_len).saturating_sub(14) + usize::from(s.size),
                    None => f.ip_len(),
                };
                if wire_len.saturating_sub(20) > usize::from(mtu) {
                    self.nat64_too_big(from, f, mtu.saturating_add(20));
                    return self.count_nat64(true);
                }
                self.count_nat64(false);
                self.deliver(pkt, from, to, &header, None, None, mtu, now);
            }
            // Out of the modelled network through the internet gateway: sent, nobody answers.
            Outcome::Exited { .. } | Outcome::Resolver { .. } => self.count_nat64(false),
            Outcome::Dropped(_) => {
                self.stats.policy_drops += 1;
                self.count_nat64(true);
            }
        }
        self.record_walk(now, from, mapped, walk);
    }

    /// NAT64 back: IPv4 reply `pkt`, which the IPv4 walk brought to NAT gateway `r.nat` for
    /// an IPv6 client, translated and walked as IPv6 to that client.
    pub(super) fn nat64_back(&mut self, pkt: Packet<Vec<u8>>, r: Nat64Reply, now: Nanos) {
        let net = self.net.clone();
        let ip = *pkt.ip();
        let h = ip.header;
        if ip.frag.is_some() {
            self.stats.unsupported += 1;
            return self.count_nat64(true);
        }
        if r.error {
            return self.nat64_error_back(&pkt, r, now);
        }
        let remote = nat64_synthesise(h.src);
        let h6 = match h.proto {
            proto::TCP | proto::UDP => Header6::l4(remote, r.client, h.proto, h.sport, r.port),
            proto::ICMP if h.icmp_type() == 0 => {
                Header6::icmp(remote, r.client, ICMPV6_ECHO_REPLY, 0, r.port)
            }
            _ => {
                self.stats.unsupported += 1;
                return self.count_nat64(true);
            }
        };
        let Some((frame, off)) = wire::nat64::to_ipv6(pkt.bytes(), &h6, pkt.offload()) else {
            self.stats.unsupported += 1;
            return self.count_nat64(true);
        };
        let walk = self.walk6_live(Origin6::Eni(net.nat(r.nat).eni), h6, now);
        // The reply as IPv6, at the gateway's ENI (out) and the client's (in).
        if let Ok(f6) = w6::parse6(&frame) {
            self.emit_events6(&walk.observations, &f6, off, now);
        }
        let Outcome6::Delivered {
            to: Delivery6::Eni(e),
            ..
        } = walk.outcome
        else {
            self.stats.policy_drops += 1;
            return self.count_nat64(true);
        };
        self.refresh6(&walk, now);
        let Some(port) = net.eni_port(e) else {
            return self.count_nat64(true);
        };
        self.count_nat64(false);
        self.emit_v6(port, frame, off);
    }

    /// An ICMP error quoting a NAT64 flow's packet: translated to ICMPv6 and walked from the
    /// gateway's ENI to the client as any packet, so the client's NACL and SG judge it by their
    /// rules (an SG admits an error only by a rule, as for IPv4); dropped when RFC 7915 drops
    /// it.
    fn nat64_error_back(&mut self, pkt: &Packet<Vec<u8>>, r: Nat64Reply, now: Nanos) {
        let net = self.net.clone();
        let ip = *pkt.ip();
        let Some(inner) = ip.inner else {
            return self.count_nat64(true);
        };
        let dst6 = nat64_synthesise(inner.dst);
        let quoted = match inner.proto {
            proto::TCP | proto::UDP => {
                Header6::l4(r.client, dst6, inner.proto, r.port, inner.dport)
            }
            proto::ICMP => Header6::icmp(r.client, dst6, ICMPV6_ECHO_REQUEST, 0, r.port),
            _ => return self.count_nat64(true),
        };
        let Some(frame) =
            wire::nat64::error_to_ipv6(pkt.bytes(), nat64_synthesise(ip.header.src), &quoted)
        else {
            return self.count_nat64(true);
        };
        let Ok(f6) = w6::parse6(&frame) else {
            return self.count_nat64(true);
        };
        let walk = self.walk6_live(Origin6::Eni(net.nat(r.nat).eni), f6.header, now);
        self.emit_events6(&walk.observations, &f6, Offload::NONE, now);
        let Outcome6::Delivered {
            to: Delivery6::Eni(e),
            ..
        } = walk.outcome
        else {
            self.stats.policy_drops += 1;
            return self.count_nat64(true);
        };
        let Some(port) = net.eni_port(e) else {
            return self.count_nat64(true);
        };
        self.count_nat64(false);
        self.emit_v6(port, frame, Offload::NONE);
    }

    /// Sends a translated IPv6 frame (MACs still zero) to the host behind `port`, from the
    /// VPC router.
    fn emit_v6(&mut self, port: PortId, mut frame: Vec<u8>, off: Offload) {
        let (dst, src) = (self.net.port(port).mac, self.net.router_mac);
        frame[0..6].copy_from_slice(&dst);
        frame[6..12].copy_from_slice(&src);
        self.emit_frame_offload(port, frame, off);
    }

    /// ICMPv6 packet-too-big for `f`, whose IPv4 translation does not fit: the client may
    /// send at most `mtu` bytes of IPv6.
    fn nat64_too_big(&mut self, from: PortId, f: &Frame6<'_>, mtu: u16) {
        let net = &self.net;
        let src = net
            .port_eni(from)
            .and_then(|e| net.subnet_ipv6(net.eni(e).subnet).cidr)
            .map_or(super::ipv6::ROUTER_LINK_LOCAL, |c| c.network());
        let ptb = w6::packet_too_big(f, src, (f.src_mac, net.router_mac), mtu);
        self.emit_frame(from, ptb);
    }

    /// The NAT gateway's RST for a TCP packet of a NAT64 flow that idled out (as for IPv4).
    fn nat64_rst(&mut self, from: PortId, f: &Frame6<'_>) {
        let h = f.header;
        let ack = f
            .payload
            .get(8..12)
            .map_or([0; 4], |b| [b[0], b[1], b[2], b[3]]);
        let mut tcp = vec![0u8; 20];
        tcp[0..2].copy_from_slice(&h.dport.to_be_bytes());
        tcp[2..4].copy_from_slice(&h.sport.to_be_bytes());
        tcp[4..8].copy_from_slice(&ack);
        tcp[12] = 5 << 4;
        tcp[13] = 0x04;
        let c = w6::checksum6(h.dst, h.src, proto::TCP, &tcp);
        tcp[16..18].copy_from_slice(&c.to_be_bytes());
        let mac = self.net.port(from).mac;
        let frame = w6::frame6(mac, self.net.router_mac, h.dst, h.src, proto::TCP, 64, tcp);
        self.emit_frame(from, frame);
    }
}
