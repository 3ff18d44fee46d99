//! A stand-in Ethernet frame for an event that carries no frame bytes: Ethernet, IPv4 (type
//! 0x0800) or IPv6 (0x86DD) and the TCP/UDP/ICMP/ICMPv6 header rebuilt from the event's
//! header, without payload. The IP length keeps the real size, so Wireshark shows the packet
//! as "limited during capture". The engine attaches real frames when `Sinks::wants_frames()`
//! is true; this is the fallback.

use crate::engine::PacketEvent;
use crate::model::proto;
use crate::model::Mac;
use crate::policy::{Header6, IpHeader};
use smoltcp::wire::Ipv4Packet;

/// Builds the headers-only frame of `ev`. `eni_mac` is the ENI's MAC, `router_mac` the VPC
/// router's (the other side of the link).
pub fn synthesize(ev: &PacketEvent, eni_mac: Mac, router_mac: Mac) -> Vec<u8> {
    let (smac, dmac) = PacketEvent::macs(ev.direction, eni_mac, router_mac);
    let h = match &ev.header {
        IpHeader::V4(h) => h,
        IpHeader::V6(h) => return synthesize6(ev, h, smac, dmac),
    };
    let mut f = Vec::with_capacity(14 + 20 + 20);
    f.extend_from_slice(&dmac);
    f.extend_from_slice(&smac);
    f.extend_from_slice(&[0x08, 0x00]);
    let ip_start = f.len();
    let total = (ev.bytes.clamp(20, 65535)) as u16;
    f.extend_from_slice(&[
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0x40,
        0,
        64,
        h.proto,
        0,
        0,
    ]);
    f.extend_from_slice(&h.src.octets());
    f.extend_from_slice(&h.dst.octets());
    // The 20 bytes just written are a whole IPv4 header (IHL 5): the view covers them exactly.
    Ipv4Packet::new_unchecked(&mut f[ip_start..]).fill_checksum();
    let l4 = L4 {
        proto: h.proto,
        icmp_proto: proto::ICMP,
        ports: (h.sport, h.dport),
        icmp: (h.icmp_type(), h.icmp_code()),
        udp_len: total.saturating_sub(20),
    };
    l4.push(&mut f, ev);
    f
}

/// The IPv6 stand-in: a 40-byte header whose payload length is the event's size less the
/// header, then the upper-layer header (TCP, UDP, or ICMPv6's type, code and echo id).
fn synthesize6(ev: &PacketEvent, h: &Header6, smac: Mac, dmac: Mac) -> Vec<u8> {
    let plen = ev.bytes.saturating_sub(40).min(65535) as u16;
    let mut f = Vec::with_capacity(14 + 40 + 20);
    f.extend_from_slice(&dmac);
    f.extend_from_slice(&smac);
    f.extend_from_slice(&[0x86, 0xdd]);
    f.extend_from_slice(&[0x60, 0, 0, 0]);
    f.extend_from_slice(&plen.to_be_bytes());
    f.extend_from_slice(&[h.proto, 64]);
    f.extend_from_slice(&h.src.octets());
    f.extend_from_slice(&h.dst.octets());
    let l4 = L4 {
        proto: h.proto,
        icmp_proto: proto::ICMPV6,
        ports: (h.sport, h.dport),
        icmp: (h.icmp_type(), h.icmp_code()),
        udp_len: plen,
    };
    l4.push(&mut f, ev);
    f
}

/// The upper-layer header of a stand-in frame, for either IP version.
struct L4 {
    /// The IP header's protocol.
    proto: u8,
    /// The ICMP of this IP version (ICMP for IPv4, ICMPv6 for IPv6).
    icmp_proto: u8,
    /// Source and destination port (for ICMP: the echo id and 0).
    ports: (u16, u16),
    /// ICMP type and code.
    icmp: (u8, u8),
    /// The UDP length field.
    udp_len: u16,
}

impl L4 {
    /// Appends TCP (ports, the event's flags), UDP (ports, length) or ICMP (type, code, echo
    /// id) to `f`; nothing for other protocols.
    fn push(&self, f: &mut Vec<u8>, ev: &PacketEvent) {
        let (sport, dport) = self.ports;
        match self.proto {
            proto::TCP => {
                f.extend_from_slice(&sport.to_be_bytes());
                f.extend_from_slice(&dport.to_be_bytes());
                f.extend_from_slice(&[0; 8]); // seq, ack
                f.extend_from_slice(&[0x50, ev.tcp_flags.bits(), 0xff, 0xff, 0, 0, 0, 0]);
            }
            proto::UDP => {
                f.extend_from_slice(&sport.to_be_bytes());
                f.extend_from_slice(&dport.to_be_bytes());
                f.extend_from_slice(&self.udp_len.to_be_bytes());
                f.extend_from_slice(&[0, 0]);
            }
            p if p == self.icmp_proto => {
                f.extend_from_slice(&[self.icmp.0, self.icmp.1, 0, 0]);
                f.extend_from_slice(&sport.to_be_bytes());
                f.extend_from_slice(&[0, 0]);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TcpFlags;
    use crate::model::EniId;
    use crate::policy::{ComponentKind, Decision, Direction, Header, RuleId, Verdict};
    use smoltcp::wire::EthernetFrame;

    /// The stand-in frame is well formed where Wireshark looks: the IPv4 checksum verifies, the
    /// total length is the event's, and the TCP header carries the ports and flags.
    #[test]
    fn headers_verify_and_keep_the_real_length() {
        let (src, dst) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let ev = PacketEvent {
            time: 0,
            eni: EniId(0),
            direction: Direction::Outbound,
            header: Header::l4(src, dst, proto::TCP, 40000, 443).into(),
            pkt_src: src.into(),
            pkt_dst: dst.into(),
            bytes: 1500,
            packets: 1,
            tcp_flags: TcpFlags::SYN,
            verdict: Verdict::Accept,
            decision: Decision {
                verdict: Verdict::Accept,
                component: "sg-web".into(),
                kind: ComponentKind::SecurityGroup,
                direction: Some(Direction::Outbound),
                rule: RuleId::Builtin,
                code: None,
                detail: String::new(),
            }
            .into(),
            traffic_path: None,
            frame: None,
        };
        let f = synthesize(&ev, [2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
        let eth = EthernetFrame::new_checked(&f[..]).unwrap();
        assert_eq!(eth.src_addr().0, [2, 0, 0, 0, 0, 1]);
        let ip = Ipv4Packet::new_unchecked(eth.payload());
        assert!(ip.verify_checksum());
        assert_eq!(
            (ip.total_len(), ip.src_addr(), ip.dst_addr()),
            (1500, src, dst)
        );
        let tcp = &f[34..];
        assert_eq!((&tcp[..4], tcp[13]), (&[0x9c, 0x40, 0x01, 0xbb][..], 0x02));
    }
}
