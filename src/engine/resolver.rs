//! The DNS responder: queries to the VPC resolver (base+2, 169.254.169.253) or the emulated
//! public resolver are answered by the engine itself, over UDP or TCP, through the
//! [`DnsService`] the caller configured; they never reach policy or the flow cache.

use super::{Engine, Nanos};
use crate::engine::wire::{self, Packet};
use crate::model::proto;
use crate::model::{PortId, VpcId};
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
}
