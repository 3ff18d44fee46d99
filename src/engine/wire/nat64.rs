//! NAT64's header translation on the wire (part of `engine::wire`, RFC 7915): an IPv6 frame
//! rewritten as the IPv4 frame a NAT gateway sends ([`to_ipv4`]), and an IPv4 reply rewritten
//! as the IPv6 frame it sends back ([`to_ipv6`], ICMP errors with their quoted packet:
//! [`error_to_ipv6`]). Addresses and ports come from the caller (the NAT table decided them);
//! here the headers are rebuilt: hop limit and TTL decremented (a translator is a router),
//! traffic class and type of service copied, DF set as RFC 7915 §5.1 says, TCP/UDP checksums
//! recomputed over the other family's pseudo-header (or left partial, with the pseudo-header
//! sum, for an offloaded segment, which keeps its segmentation with the family changed),
//! ICMPv6 echo ↔ ICMP echo.

use super::checksum::ones_sum;
use super::ipv6::{checksum6, Frame6, ETHERTYPE_IPV6};
use super::{CsumPartial, Gso, GsoKind, Offload, ETH_LEN, IP_LEN};
use crate::model::proto;
use crate::policy::{Header, Header6};
use std::net::{Ipv4Addr, Ipv6Addr};

/// IPv6 fixed header length.
const IP6_LEN: usize = 40;

/// The folded one's-complement sum of an IPv4 pseudo-header (RFC 793/768).
fn pseudo4(src: Ipv4Addr, dst: Ipv4Addr, p: u8, len: usize) -> u16 {
    let mut b = Vec::with_capacity(12);
    b.extend_from_slice(&src.octets());
    b.extend_from_slice(&dst.octets());
    b.extend_from_slice(&[0, p]);
    b.extend_from_slice(&(len as u16).to_be_bytes());
    ones_sum(&b)
}

/// The folded one's-complement sum of an IPv6 pseudo-header (RFC 8200 §8.1).
fn pseudo6(src: Ipv6Addr, dst: Ipv6Addr, p: u8, len: usize) -> u16 {
    let mut b = Vec::with_capacity(40);
    b.extend_from_slice(&src.octets());
    b.extend_from_slice(&dst.octets());
    b.extend_from_slice(&(len as u32).to_be_bytes());
    b.extend_from_slice(&[0, 0, 0, p]);
    ones_sum(&b)
}

/// Sets the TCP or UDP checksum of segment `l4` (its field at `at`): complete, from the
/// pseudo-header sum `pseudo`, or, when `partial`, the pseudo-header sum alone for the
/// receiver to complete.
fn l4_checksum(l4: &mut [u8], at: usize, pseudo: u16, partial: bool, udp: bool) {
    l4[at] = 0;
    l4[at + 1] = 0;
    let v = if partial {
        pseudo
    } else {
        let s = u32::from(pseudo) + u32::from(ones_sum(l4));
        let folded = ((s & 0xffff) + (s >> 16)) as u16;
        let c = !folded;
        if udp && c == 0 {
            0xffff
        } else {
            c
        }
    };
    l4[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

/// Where a TCP or UDP header keeps its checksum.
fn csum_at(p: u8) -> Option<usize> {
    match p {
        proto::TCP => Some(16),
        proto::UDP => Some(6),
        _ => None,
    }
}

/// The offload state of a translated frame: a partial checksum moves with the L4 header; a
/// segment keeps its size and changes family (a UDP segment stays one).
fn translated_offload(off: Offload, l4_start: usize, hdr_delta: i32, v4: bool) -> Offload {
    Offload {
        csum: off.csum.map(|c| CsumPartial {
            start: l4_start as u16,
            offset: c.offset,
        }),
        gso: off.gso.map(|g| Gso {
            kind: match (g.kind, v4) {
                (GsoKind::Udp, _) => GsoKind::Udp,
                (_, true) => GsoKind::Tcp4,
                (_, false) => GsoKind::Tcp6,
            },
            hdr_len: (i32::from(g.hdr_len) + hdr_delta).max(0) as u16,
            ..g
        }),
        data_valid: off.data_valid,
    }
}

/// The IPv4 frame NAT64 sends for IPv6 frame `f`: header `h` (the gateway's address and
/// mapped port or echo identifier, the embedded IPv4 destination), TTL = hop limit - 1.
/// None: a hop limit that runs out, a packet IPv4 cannot carry (over 65,535 bytes), or an
/// upper layer NAT64 does not translate (only TCP, UDP and ICMPv6 echo). MACs are left zero
/// for the delivery to set.
pub fn to_ipv4(f: &Frame6<'_>, h: &Header, off: Offload) -> Option<(Vec<u8>, Offload)> {
    let ip6 = &f.bytes[ETH_LEN..];
    let hops = ip6[7];
    if hops <= 1 {
        return None;
    }
    let tclass = ((ip6[0] & 0x0f) << 4) | (ip6[1] >> 4);
    let mut l4 = f.payload.to_vec();
    let p = match f.header.proto {
        proto::TCP | proto::UDP => {
            let at = csum_at(f.header.proto)?;
            l4[0..2].copy_from_slice(&h.sport.to_be_bytes());
            l4[2..4].copy_from_slice(&h.dport.to_be_bytes());
            let pseudo = pseudo4(h.src, h.dst, f.header.proto, l4.len());
            l4_checksum(
                &mut l4,
                at,
                pseudo,
                off.csum.is_some(),
                f.header.proto == proto::UDP,
            );
            f.header.proto
        }
        proto::ICMPV6 => {
            let t = match f.header.icmp_type() {
                128 => 8,
                129 => 0,
                _ => return None,
            };
            l4[0] = t;
            l4[1] = 0;
            l4[4..6].copy_from_slice(&h.sport.to_be_bytes());
            l4[2] = 0;
            l4[3] = 0;
            let c = !ones_sum(&l4);
            l4[2..4].copy_from_slice(&c.to_be_bytes());
            proto::ICMP
        }
        _ => return None,
    };
    let total = IP_LEN + l4.len();
    if total > usize::from(u16::MAX) {
        return None;
    }
    let mut v = Vec::with_capacity(ETH_LEN + total);
    v.extend_from_slice(&[0u8; 12]);
    v.extend_from_slice(&0x0800u16.to_be_bytes());
    // RFC 7915 §5.1: DF set unless the packet is under 88 bytes.
    let flags: u16 = if total < 88 { 0 } else { 0x4000 };
    let mut ip = [0u8; IP_LEN];
    ip[0] = 0x45;
    ip[1] = tclass;
    ip[2..4].copy_from_slice(&(total as u16).to_be_bytes());
    ip[6..8].copy_from_slice(&flags.to_be_bytes());
    ip[8] = hops - 1;
    ip[9] = p;
    ip[12..16].copy_from_slice(&h.src.octets());
    ip[16..20].copy_from_slice(&h.dst.octets());
    let c = !ones_sum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    v.extend_from_slice(&ip);
    v.extend_from_slice(&l4);
    let off = translated_offload(off, ETH_LEN + IP_LEN, -20, true);
    Some((v, off))
}

/// The IPv4 datagram of an Ethernet frame (no options: what `wire::parse` accepts): its TTL,
/// type of service and L4 bytes up to the total length.
fn ipv4_parts(frame: &[u8]) -> Option<(u8, u8, &[u8])> {
    let ip = frame.get(ETH_LEN..)?;
    if ip.len() < IP_LEN || ip[0] != 0x45 {
        return None;
    }
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    Some((ip[8], ip[1], ip.get(IP_LEN..total)?))
}

/// An Ethernet frame carrying IPv6 header `src` → `dst` (next header `p`, traffic class
/// `tclass`, hop limit `hops`) around `l4`.
fn frame_v6(src: Ipv6Addr, dst: Ipv6Addr, p: u8, tclass: u8, hops: u8, l4: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(ETH_LEN + IP6_LEN + l4.len());
    v.extend_from_slice(&[0u8; 12]);
    v.extend_from_slice(&ETHERTYPE_IPV6.to_be_bytes());
    v.extend_from_slice(&[0x60 | (tclass >> 4), tclass << 4, 0, 0]);
    v.extend_from_slice(&(l4.len() as u16).to_be_bytes());
    v.push(p);
    v.push(hops);
    v.extend_from_slice(&src.octets());
    v.extend_from_slice(&dst.octets());
    v.extend_from_slice(l4);
    v
}

/// The IPv6 frame NAT64 sends back for IPv4 `frame`: header `h6` (the sender's address
/// inside 64:ff9b::/96, the client's address and port or echo identifier), hop limit =
/// TTL - 1. None: a TTL that runs out, or an upper layer not translated here (TCP, UDP, ICMP
/// echo; errors go through [`error_to_ipv6`]). MACs are left zero.
pub fn to_ipv6(frame: &[u8], h6: &Header6, off: Offload) -> Option<(Vec<u8>, Offload)> {
    let (ttl, tos, payload) = ipv4_parts(frame)?;
    if ttl <= 1 {
        return None;
    }
    let mut l4 = payload.to_vec();
    let p = match h6.proto {
        proto::TCP | proto::UDP => {
            let at = csum_at(h6.proto)?;
            if l4.len() < at + 2 {
                return None;
            }
            l4[0..2].copy_from_slice(&h6.sport.to_be_bytes());
            l4[2..4].copy_from_slice(&h6.dport.to_be_bytes());
            let pseudo = pseudo6(h6.src, h6.dst, h6.proto, l4.len());
            l4_checksum(
                &mut l4,
                at,
                pseudo,
                off.csum.is_some(),
                h6.proto == proto::UDP,
            );
            h6.proto
        }
        proto::ICMPV6 if matches!(h6.icmp_type(), 128 | 129) && l4.len() >= 8 => {
            l4[0] = h6.icmp_type();
            l4[1] = 0;
            l4[4..6].copy_from_slice(&h6.sport.to_be_bytes());
            l4[2] = 0;
            l4[3] = 0;
            let c = checksum6(h6.src, h6.dst, proto::ICMPV6, &l4);
            l4[2..4].copy_from_slice(&c.to_be_bytes());
            proto::ICMPV6
        }
        _ => return None,
    };
    let v = frame_v6(h6.src, h6.dst, p, tos, ttl - 1, &l4);
    Some((v, translated_offload(off, ETH_LEN + IP6_LEN, 20, false)))
}

/// ICMPv6's type and code for an ICMP error (RFC 7915 §4.2), with the value of its 32-bit
/// field (packet too big: the MTU, 20 bytes more and at least 1280; parameter problem: the
/// pointer). None for what the RFC says to drop (and parameter problems, which vpclab drops).
pub fn icmp_error_to_v6(t: u8, code: u8, mtu: u16) -> Option<(u8, u8, u32)> {
    match (t, code) {
        (3, 0 | 1 | 5..=8 | 11 | 12) => Some((1, 0, 0)),
        (3, 2) => Some((4, 1, 6)),
        (3, 3) => Some((1, 4, 0)),
        (3, 4) => Some((2, 0, u32::from(mtu).saturating_add(20).max(1280))),
        (3, 9 | 10 | 13 | 15) => Some((1, 1, 0)),
        (11, c @ (0 | 1)) => Some((3, c, 0)),
        _ => None,
    }
}

/// The ICMPv6 error NAT64 sends back for the ICMP error in IPv4 `frame`, from `src` (the
/// error's sender inside 64:ff9b::/96) to `inner.src` (the client): the quoted datagram
/// becomes an IPv6 header `inner` (the client's packet as it sent it) and the first 8 bytes
/// of its upper layer with the client's ports. None when the error is one RFC 7915 drops.
pub fn error_to_ipv6(frame: &[u8], src: Ipv6Addr, inner: &Header6) -> Option<Vec<u8>> {
    let (ttl, tos, payload) = ipv4_parts(frame)?;
    if ttl <= 1 || payload.len() < 8 + IP_LEN + 8 {
        return None;
    }
    let mtu = u16::from_be_bytes([payload[6], payload[7]]);
    let (t, code, field) = icmp_error_to_v6(payload[0], payload[1], mtu)?;
    let quoted = &payload[8..];
    let q_total = usize::from(u16::from_be_bytes([quoted[2], quoted[3]]));
    let mut q_l4 = quoted[IP_LEN..IP_LEN + 8].to_vec();
    match inner.proto {
        proto::TCP | proto::UDP => {
            q_l4[0..2].copy_from_slice(&inner.sport.to_be_bytes());
            q_l4[2..4].copy_from_slice(&inner.dport.to_be_bytes());
        }
        proto::ICMPV6 => {
            q_l4[0] = inner.icmp_type();
            q_l4[4..6].copy_from_slice(&inner.sport.to_be_bytes());
        }
        _ => {}
    }
    let mut q = frame_v6(
        inner.src,
        inner.dst,
        inner.proto,
        quoted[1],
        quoted[8],
        &q_l4,
    );
    // The quoted IPv6 header states the original payload length, not the 8 bytes quoted.
    let plen = q_total.saturating_sub(IP_LEN) as u16;
    q[ETH_LEN + 4..ETH_LEN + 6].copy_from_slice(&plen.to_be_bytes());
    let mut icmp = vec![t, code, 0, 0];
    icmp.extend_from_slice(&field.to_be_bytes());
    icmp.extend_from_slice(&q[ETH_LEN..]);
    let c = checksum6(src, inner.src, proto::ICMPV6, &icmp);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    Some(frame_v6(src, inner.src, proto::ICMPV6, tos, ttl - 1, &icmp))
}
