//! IPv6 frames on the wire (part of `engine::wire`): a read-only view of an Ethernet frame
//! carrying IPv6 ([`Frame6`]: the fixed header, the upper-layer header it names, its ports or
//! ICMPv6 type, code and identifier), and the frames the engine writes itself: neighbour
//! advertisements (the VPC router answering neighbour discovery) and ICMPv6 packet-too-big.
//! Checksums are RFC 8200's pseudo-header sums.

use crate::model::{proto, Mac};
use crate::policy::Header6;
use std::net::Ipv6Addr;

/// The Ethernet type of IPv6.
pub const ETHERTYPE_IPV6: u16 = 0x86dd;
/// Ethernet header length.
const ETH: usize = 14;
/// IPv6 fixed header length.
const IP6: usize = 40;
/// ICMPv6 neighbour solicitation.
pub const NDP_NS: u8 = 135;
/// ICMPv6 neighbour advertisement.
pub const NDP_NA: u8 = 136;
/// ICMPv6 packet too big.
pub const PACKET_TOO_BIG: u8 = 2;

/// Next-header values of extension headers (RFC 8200 and its registry): hop-by-hop, routing,
/// fragment, ESP, AH, destination options, mobility, HIP, shim6, experiments.
const EXTENSION_HEADERS: [u8; 10] = [0, 43, 44, 50, 51, 60, 135, 139, 140, 253];

/// True when the frame's Ethernet type is IPv6.
pub fn is_ipv6(frame: &[u8]) -> bool {
    frame.len() >= ETH && u16::from_be_bytes([frame[12], frame[13]]) == ETHERTYPE_IPV6
}

/// Why an IPv6 frame is not forwarded as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bad6 {
    /// Too short, wrong version, or a length that does not fit the frame.
    Malformed,
    /// It carries an extension header (or fragment header), which vpclab drops and counts.
    Extension,
}

/// A parsed IPv6 frame (borrowed).
#[derive(Clone, Copy, Debug)]
pub struct Frame6<'a> {
    /// The whole frame.
    pub bytes: &'a [u8],
    /// Destination and source MACs.
    pub dst_mac: Mac,
    /// Source MAC.
    pub src_mac: Mac,
    /// The policy header (ports, or ICMPv6 type/code/identifier).
    pub header: Header6,
    /// The upper-layer payload (after the fixed header).
    pub payload: &'a [u8],
}

impl Frame6<'_> {
    /// The IPv6 packet's size (fixed header and payload), what an MTU limits.
    pub fn ip_len(&self) -> usize {
        IP6 + self.payload.len()
    }
}

fn mac(b: &[u8]) -> Mac {
    let mut m = [0u8; 6];
    m.copy_from_slice(&b[..6]);
    m
}

fn addr(b: &[u8]) -> Ipv6Addr {
    let mut a = [0u8; 16];
    a.copy_from_slice(&b[..16]);
    Ipv6Addr::from(a)
}

/// Parses an Ethernet frame holding IPv6. Trailing Ethernet padding is ignored.
pub fn parse6(frame: &[u8]) -> Result<Frame6<'_>, Bad6> {
    if frame.len() < ETH + IP6 || !is_ipv6(frame) {
        return Err(Bad6::Malformed);
    }
    let ip = &frame[ETH..];
    if ip[0] >> 4 != 6 {
        return Err(Bad6::Malformed);
    }
    let plen = u16::from_be_bytes([ip[4], ip[5]]) as usize;
    if IP6 + plen > ip.len() {
        return Err(Bad6::Malformed);
    }
    let next = ip[6];
    if EXTENSION_HEADERS.contains(&next) {
        return Err(Bad6::Extension);
    }
    let (src, dst) = (addr(&ip[8..24]), addr(&ip[24..40]));
    let payload = &ip[IP6..IP6 + plen];
    let header = match next {
        proto::TCP | proto::UDP => {
            let need = if next == proto::TCP { 20 } else { 8 };
            if payload.len() < need {
                return Err(Bad6::Malformed);
            }
            let sport = u16::from_be_bytes([payload[0], payload[1]]);
            let dport = u16::from_be_bytes([payload[2], payload[3]]);
            Header6::l4(src, dst, next, sport, dport)
        }
        proto::ICMPV6 => {
            if payload.len() < 8 || checksum6(src, dst, next, payload) != 0 {
                return Err(Bad6::Malformed);
            }
            // RFC 4861: neighbour discovery (133..=137) with a hop limit below 255 may come
            // from off-link; it is discarded.
            if (133..=137).contains(&payload[0]) && ip[7] != 255 {
                return Err(Bad6::Malformed);
            }
            let id = match payload[0] {
                128 | 129 => u16::from_be_bytes([payload[4], payload[5]]),
                _ => 0,
            };
            Header6::icmp(src, dst, payload[0], payload[1], id)
        }
        p => Header6::l4(src, dst, p, 0, 0),
    };
    Ok(Frame6 {
        bytes: frame,
        dst_mac: mac(&frame[0..6]),
        src_mac: mac(&frame[6..12]),
        header,
        payload,
    })
}

/// The Internet checksum of an upper-layer packet with IPv6's pseudo-header.
pub fn checksum6(src: Ipv6Addr, dst: Ipv6Addr, next: u8, upper: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let mut add = |b: &[u8]| {
        for c in b.chunks(2) {
            let w = if c.len() == 2 {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], 0])
            };
            sum += w as u32;
        }
    };
    add(&src.octets());
    add(&dst.octets());
    add(&(upper.len() as u32).to_be_bytes());
    add(&[0, 0, 0, next]);
    add(upper);
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An Ethernet frame with an IPv6 packet around `upper` (hop limit 255 for NDP, 64 otherwise),
/// the ICMPv6 checksum filled in at bytes 2..4 of `upper` when `next` is ICMPv6.
pub fn frame6(
    dst_mac: Mac,
    src_mac: Mac,
    src: Ipv6Addr,
    dst: Ipv6Addr,
    next: u8,
    hops: u8,
    mut upper: Vec<u8>,
) -> Vec<u8> {
    if next == proto::ICMPV6 && upper.len() >= 4 {
        upper[2] = 0;
        upper[3] = 0;
        let c = checksum6(src, dst, next, &upper);
        upper[2..4].copy_from_slice(&c.to_be_bytes());
    }
    let mut f = Vec::with_capacity(ETH + IP6 + upper.len());
    f.extend_from_slice(&dst_mac);
    f.extend_from_slice(&src_mac);
    f.extend_from_slice(&ETHERTYPE_IPV6.to_be_bytes());
    f.extend_from_slice(&[0x60, 0, 0, 0]);
    f.extend_from_slice(&(upper.len() as u16).to_be_bytes());
    f.push(next);
    f.push(hops);
    f.extend_from_slice(&src.octets());
    f.extend_from_slice(&dst.octets());
    f.extend_from_slice(&upper);
    f
}

/// The target address of a neighbour solicitation (ICMPv6 type 135); None for anything else.
pub fn ns_target(f: &Frame6<'_>) -> Option<Ipv6Addr> {
    (f.header.proto == proto::ICMPV6 && f.header.icmp_type() == NDP_NS && f.payload.len() >= 24)
        .then(|| addr(&f.payload[8..24]))
}

/// A solicited neighbour advertisement answering `ns` for `target` at `target_mac` (router
/// and override flags set when `router`), sent to the solicitor.
pub fn neighbour_advert(
    ns: &Frame6<'_>,
    target: Ipv6Addr,
    target_mac: Mac,
    router: bool,
) -> Vec<u8> {
    let flags: u8 = 0x40 | 0x20 | if router { 0x80 } else { 0 };
    let mut icmp = vec![NDP_NA, 0, 0, 0, flags, 0, 0, 0];
    icmp.extend_from_slice(&target.octets());
    // Option 2: target link-layer address.
    icmp.extend_from_slice(&[2, 1]);
    icmp.extend_from_slice(&target_mac);
    let dst = if ns.header.src.is_unspecified() {
        "ff02::1".parse().expect("constant")
    } else {
        ns.header.src
    };
    frame6(
        ns.src_mac,
        target_mac,
        target,
        dst,
        proto::ICMPV6,
        255,
        icmp,
    )
}

/// An ICMPv6 packet-too-big (RFC 4443 §3.2) from `from` to the sender of `f`, quoting as much
/// of `f`'s packet as fits in the minimum MTU, in a frame addressed `(dst_mac, src_mac)`.
pub fn packet_too_big(f: &Frame6<'_>, from: Ipv6Addr, macs: (Mac, Mac), mtu: u16) -> Vec<u8> {
    let mut icmp = vec![PACKET_TOO_BIG, 0, 0, 0];
    icmp.extend_from_slice(&u32::from(mtu).to_be_bytes());
    let quote = &f.bytes[ETH..];
    let room = 1280 - IP6 - 8;
    icmp.extend_from_slice(&quote[..quote.len().min(room)]);
    frame6(macs.0, macs.1, from, f.header.src, proto::ICMPV6, 64, icmp)
}

/// The frame `f` re-addressed for its next link (MACs only: the VPC router does not change
/// an IPv6 packet, and does not decrement its hop limit, as AWS's does not).
pub fn readdress(f: &Frame6<'_>, dst_mac: Mac, src_mac: Mac) -> Vec<u8> {
    let mut v = f.bytes.to_vec();
    v[0..6].copy_from_slice(&dst_mac);
    v[6..12].copy_from_slice(&src_mac);
    v
}

/// A complete Ethernet/IPv6 frame carrying UDP (`tcp` None) or TCP (`tcp`: flags, sequence
/// and acknowledgement numbers, no options) from `src`:`sport` to `dst`:`dport` around
/// `payload`, checksum set (hop limit 64): the resolver's answers to IPv6 clients.
pub fn l4_frame6(
    dst_mac: Mac,
    src_mac: Mac,
    (src, sport): (Ipv6Addr, u16),
    (dst, dport): (Ipv6Addr, u16),
    tcp: Option<super::Tcp>,
    payload: &[u8],
) -> Vec<u8> {
    let (next, hlen) = match tcp {
        Some(_) => (proto::TCP, 20),
        None => (proto::UDP, 8),
    };
    let mut l4 = vec![0u8; hlen];
    l4[0..2].copy_from_slice(&sport.to_be_bytes());
    l4[2..4].copy_from_slice(&dport.to_be_bytes());
    match tcp {
        Some(t) => {
            l4[4..8].copy_from_slice(&t.seq.to_be_bytes());
            l4[8..12].copy_from_slice(&t.ack.to_be_bytes());
            l4[12] = 5 << 4;
            l4[13] = t.flags;
            l4[14..16].copy_from_slice(&65535u16.to_be_bytes());
        }
        None => {
            let len = (hlen + payload.len()) as u16;
            l4[4..6].copy_from_slice(&len.to_be_bytes());
        }
    }
    l4.extend_from_slice(payload);
    let at = if tcp.is_some() { 16 } else { 6 };
    let mut c = checksum6(src, dst, next, &l4);
    if next == proto::UDP && c == 0 {
        c = 0xffff;
    }
    l4[at..at + 2].copy_from_slice(&c.to_be_bytes());
    frame6(dst_mac, src_mac, src, dst, next, 64, l4)
}
