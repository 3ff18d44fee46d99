//! The DNS responder: queries to the VPC resolver (base+2, 169.254.169.253, and for IPv6
//! clients fd00:ec2::253) or the emulated public resolver are answered by the engine itself, over UDP or TCP, through the
//! [`DnsService`] the caller configured; they never reach policy or the flow cache.

use super::{Engine, Nanos};
use crate::engine::wire::{self, Packet};
use crate::model::proto;
use crate::model::{PortId, VpcId};
use crate::topology::ipv6::RESOLVER6;
use std::net::Ipv4Addr;

/// Who asks the VPC resolver (or the emulated public resolver, for internet hosts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DnsClient {
    /// The querying host's address (private IP inside a VPC, public IP on the internet).
    pub src: Ipv4Addr,
    /// The VPC whose resolver was asked; None for the emulated public resolver.
    pub vpc: Option<VpcId>,
    /// The querying host's port.
    pub port: PortId,
}

/// Answers DNS queries the engine intercepts (to VPC base+2, 169.254.169.253, or the public
/// resolver). Implemented by `dns`; the engine calls it and wraps the reply in UDP/IP/Ethernet.
pub trait DnsService: Send {
    /// Answers one DNS message (wire format); None drops it.
    fn answer(&mut self, query: &[u8], client: DnsClient, now: Nanos) -> Option<Vec<u8>>;
}

impl Engine {
    /// Answers a query addressed to a resolver (`vpc` None: the public one) from `port`.
    pub(super) fn answer_dns(
        &mut self,
        port: PortId,
        vpc: Option<VpcId>,
        pkt: &Packet<Vec<u8>>,
        now: Nanos,
    ) {
        let h = pkt.ip().header;
        if h.proto == proto::TCP {
            self.answer_dns_tcp(port, vpc, pkt, now);
            return;
        }
        if h.proto != proto::UDP {
            return;
        }
        let Some(dns) = self.dns.as_mut() else { return };
        let client = DnsClient {
            src: h.src,
            vpc,
            port,
        };
        let Some(a) = dns.answer(pkt.l4_payload(), client, now) else {
            return;
        };
        let p = self.net.port(port);
        let f = wire::build(
            self.net.router_mac,
            p.mac,
            &h.reversed(),
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
        vpc: Option<VpcId>,
        pkt: &Packet<Vec<u8>>,
        now: Nanos,
    ) {
        if self.dns.is_none() {
            return;
        }
        let (t, data) = (pkt.tcp(), pkt.l4_payload());
        let h = pkt.ip().header;
        // Our initial sequence number, derived from the connection (stateless).
        let isn = (u32::from(h.sport) << 16 | u32::from(h.dport))
            ^ u32::from_be_bytes(h.src.octets()).rotate_left(7);
        let client = DnsClient {
            src: h.src,
            vpc,
            port,
        };
        let Some((tcp, payload)) = self.tcp_exchange(t, data, isn, client, now) else {
            return;
        };
        let p = self.net.port(port);
        let f = wire::build(self.net.router_mac, p.mac, &h.reversed(), tcp, 0, &payload);
        self.emit_frame(port, f);
    }

    /// One segment of a stateless DNS-over-TCP exchange (either family): SYN → SYN-ACK; a
    /// segment holding a whole length-prefixed query → the length-prefixed answer with FIN;
    /// a FIN → its ACK. None: nothing to send (RST, a split query, no answer).
    fn tcp_exchange(
        &mut self,
        t: wire::Tcp,
        data: &[u8],
        isn: u32,
        client: DnsClient,
        now: Nanos,
    ) -> Option<(wire::Tcp, Vec<u8>)> {
        let (syn, fin, rst) = (
            t.flags & 0x02 != 0,
            t.flags & 0x01 != 0,
            t.flags & 0x04 != 0,
        );
        let reply = |flags: u8, seq: u32, ack: u32| wire::Tcp { flags, seq, ack };
        if rst {
            None
        } else if syn {
            Some((reply(0x12, isn, t.seq.wrapping_add(1)), Vec::new()))
        } else if data.len() >= 2 {
            let n = usize::from(u16::from_be_bytes([data[0], data[1]]));
            if data.len() < 2 + n {
                return None;
            }
            let a = self.dns.as_mut()?.answer(&data[2..2 + n], client, now)?;
            let len = u16::try_from(a.len()).ok()?;
            let mut p = len.to_be_bytes().to_vec();
            p.extend_from_slice(&a);
            let ack = t.seq.wrapping_add(data.len() as u32 + u32::from(fin));
            Some((reply(0x19, isn.wrapping_add(1), ack), p))
        } else if fin {
            // The client's FIN after our answer+FIN (seq = ours + answer + FIN is unknown
            // statelessly: acknowledge with the client's ack number).
            Some((reply(0x10, t.ack, t.seq.wrapping_add(1)), Vec::new()))
        } else {
            None
        }
    }

    /// The VPC resolver at `fd00:ec2::253` for an IPv6 frame from an ENI: Some(()) when `f`
    /// was a query to it (answered over UDP or TCP, or dropped when the VPC has DNS support
    /// off, as AWS's resolver does not answer then), None for any other packet.
    pub(super) fn answer_dns6(
        &mut self,
        port: PortId,
        eni: crate::model::EniId,
        f: &wire::ipv6::Frame6<'_>,
        now: Nanos,
    ) -> Option<()> {
        let h = f.header;
        if h.dst != RESOLVER6 || h.dport != 53 || !matches!(h.proto, proto::TCP | proto::UDP) {
            return None;
        }
        let net = self.net.clone();
        let e = net.eni(eni);
        let v = net.vpc(e.vpc);
        if !v.dns_support || self.dns.is_none() {
            return Some(());
        }
        let client = DnsClient {
            src: e.private_ip,
            vpc: Some(v.id),
            port,
        };
        let (tcp, payload) = if h.proto == proto::UDP {
            let q = f.payload.get(8..)?;
            let a = self.dns.as_mut()?.answer(q, client, now)?;
            (None, a)
        } else {
            let p = f.payload;
            let t = wire::Tcp {
                flags: p[13] & 0x3f,
                seq: u32::from_be_bytes([p[4], p[5], p[6], p[7]]),
                ack: u32::from_be_bytes([p[8], p[9], p[10], p[11]]),
            };
            let off = usize::from(p[12] >> 4) * 4;
            let data = p.get(off..).unwrap_or(&[]);
            let isn = (u32::from(h.sport) << 16 | u32::from(h.dport))
                ^ (u128::from(h.src) as u32).rotate_left(7);
            let (t, d) = self.tcp_exchange(t, data, isn, client, now)?;
            (Some(t), d)
        };
        let mac = net.port(port).mac;
        let frame = wire::ipv6::l4_frame6(
            mac,
            net.router_mac,
            (RESOLVER6, 53),
            (h.src, h.sport),
            tcp,
            &payload,
        );
        self.emit_frame(port, frame);
        Some(())
    }
}
