//! Packet events of IPv6 packets: one [`PacketEvent`] per ENI the IPv6 walk observed, as
//! `forward::emit_events` makes them for IPv4 (accepted and rejected, the decision shared with
//! the walk), for the IPv6 forwarding path, the egress-only gateway's flows and both IPv6 legs
//! of NAT64 (the client's packet into the NAT gateway, the translated reply out of it). IPv6
//! crosses no NAT on the way, so `pkt_src`/`pkt_dst` are the header's addresses. Nothing is
//! made while events are off.

use super::wire::ipv6::Frame6;
use super::wire::Offload;
use super::{Engine, Nanos, Output, PacketEvent, TcpFlags};
use crate::model::{proto, Mac};
use crate::policy::path::ipv6::Observation6;
use crate::policy::IpHeader;

/// Ethernet header bytes.
const ETH: usize = 14;
/// IPv6 fixed header bytes.
const IP6: usize = 40;

impl Engine {
    /// One `Output::Packet` per observation of an IPv6 walk of frame `f` (read with offload
    /// state `off`), with the frame as it reads at that ENI when a capture wants it.
    pub(super) fn emit_events6(
        &mut self,
        obs: &[Observation6],
        f: &Frame6<'_>,
        off: Offload,
        now: Nanos,
    ) {
        if !self.events || obs.is_empty() {
            return;
        }
        let (packets, bytes) = wire_packets6(f, off);
        let tcp_flags = match (f.header.proto, f.payload.get(13)) {
            (proto::TCP, Some(b)) => TcpFlags::from_bits(*b),
            _ => TcpFlags::NONE,
        };
        for o in obs {
            let frame = self.capture.wants(o.eni).then(|| {
                let (src, dst) =
                    PacketEvent::macs(o.direction, self.net.eni(o.eni).mac, self.net.router_mac);
                captured6(f, off, src, dst)
            });
            let ev = PacketEvent {
                time: now,
                eni: o.eni,
                direction: o.direction,
                header: IpHeader::V6(o.header),
                pkt_src: o.header.src.into(),
                pkt_dst: o.header.dst.into(),
                bytes,
                packets,
                tcp_flags,
                verdict: o.verdict,
                decision: o.decision.clone(),
                traffic_path: o.traffic_path,
                frame,
            };
            self.out
                .push_back((Output::Packet(Box::new(ev)), Offload::NONE));
        }
    }
}

/// Wire packets and their bytes (IPv6 header included) that frame `f` stands for: 1 and its
/// size, or for a segment (TSO/USO) one per `gso_size` bytes of payload, each with its own
/// headers, as AWS counts them one by one.
fn wire_packets6(f: &Frame6<'_>, off: Offload) -> (u32, u32) {
    let len = f.ip_len() as u32;
    let Some(g) = off.gso else {
        return (1, len);
    };
    let hdrs = u32::from(g.hdr_len)
        .saturating_sub(ETH as u32)
        .max(IP6 as u32);
    let n = len
        .saturating_sub(hdrs)
        .div_ceil(u32::from(g.size.max(1)))
        .max(1);
    (n, len.saturating_add((n - 1).saturating_mul(hdrs)))
}

/// A copy of the IPv6 frame with these MACs, without Ethernet padding, its TCP or UDP
/// checksum completed when the sender left it partial (a capture shows valid packets).
fn captured6(f: &Frame6<'_>, off: Offload, src: Mac, dst: Mac) -> Vec<u8> {
    let end = (ETH + f.ip_len()).min(f.bytes.len());
    let mut b = f.bytes[..end].to_vec();
    b[0..6].copy_from_slice(&dst);
    b[6..12].copy_from_slice(&src);
    let at = match f.header.proto {
        proto::TCP => Some(16),
        proto::UDP => Some(6),
        _ => None,
    };
    if let (Some(_), Some(at)) = (off.csum, at) {
        let l4 = ETH + IP6;
        if b.len() >= l4 + at + 2 {
            b[l4 + at..l4 + at + 2].fill(0);
            let mut c =
                super::wire::ipv6::checksum6(f.header.src, f.header.dst, f.header.proto, &b[l4..]);
            if c == 0 && f.header.proto == proto::UDP {
                c = 0xffff;
            }
            b[l4 + at..l4 + at + 2].copy_from_slice(&c.to_be_bytes());
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::wire::ipv6 as w6;
    use crate::engine::wire::{CsumPartial, Gso, GsoKind};

    fn tcp_frame(payload: usize) -> Vec<u8> {
        let (a, b) = (
            "2001:db8::1".parse().unwrap(),
            "2001:db8::2".parse().unwrap(),
        );
        let mut tcp = vec![0u8; 20 + payload];
        tcp[0..2].copy_from_slice(&40000u16.to_be_bytes());
        tcp[2..4].copy_from_slice(&443u16.to_be_bytes());
        tcp[12] = 5 << 4;
        tcp[13] = 0x18;
        let c = w6::checksum6(a, b, proto::TCP, &tcp);
        tcp[16..18].copy_from_slice(&c.to_be_bytes());
        w6::frame6([2; 6], [4; 6], a, b, proto::TCP, 64, tcp)
    }

    /// A segment counts one wire packet per `gso_size` of payload, each with its headers.
    #[test]
    fn segments_count_their_wire_packets() {
        let fr = tcp_frame(3000);
        let f = w6::parse6(&fr).unwrap();
        assert_eq!(wire_packets6(&f, Offload::NONE), (1, 3060));
        let off = Offload {
            gso: Some(Gso {
                kind: GsoKind::Tcp6,
                size: 1000,
                hdr_len: 74,
                ecn: false,
            }),
            ..Offload::NONE
        };
        assert_eq!(wire_packets6(&f, off), (3, 3060 + 2 * 60));
    }

    /// The captured copy has the ENI's MACs and a valid checksum, even from a partial one.
    #[test]
    fn captured_frames_have_valid_checksums() {
        let mut fr = tcp_frame(10);
        // A partial checksum: garbage in the field.
        fr[14 + 40 + 16] = 0xab;
        let f = w6::parse6(&fr).unwrap();
        let off = Offload {
            csum: Some(CsumPartial {
                start: 54,
                offset: 16,
            }),
            ..Offload::NONE
        };
        let c = captured6(&f, off, [6; 6], [8; 6]);
        assert_eq!((&c[0..6], &c[6..12]), (&[8u8; 6][..], &[6u8; 6][..]));
        let back = w6::parse6(&c).unwrap();
        assert_eq!(
            w6::checksum6(back.header.src, back.header.dst, proto::TCP, back.payload),
            0
        );
    }
}
