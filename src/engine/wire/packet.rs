//! [`Packet`]: a checked IPv4 frame in the caller's buffer, rewritten in place for forwarding.
//! The panic contract is on the parent module: every index below is at a fixed offset inside
//! the IP total length that [`parse_packet`] checked against the buffer.

use super::checksum::{adjust, ones_sum};
use super::offload::{complete_checksum, GsoKind, Offload};
use super::{parse, parse_frame, ArpRequest, Bad, Frame, Ip, Tcp, ETH_LEN, IP_LEN};
use crate::model::proto;
use crate::model::Mac;
use crate::policy::Header;
use smoltcp::wire::{IpAddress, UdpPacket};

/// Where the IPv4 header starts.
const IP: usize = ETH_LEN;
/// The IPv4 header checksum.
const IP_CSUM: usize = IP + 10;
/// Source and destination addresses (8 bytes, also the pseudo-header's).
const ADDRS: usize = IP + 12;
/// Where the L4 header starts (no IP options).
const L4: usize = IP + IP_LEN;
/// An ICMP error's embedded datagram.
const EMB: usize = L4 + 8;
/// The embedded datagram's L4 header (its IP header has no options either, or it is not parsed).
const EMB_L4: usize = EMB + IP_LEN;

/// What [`parse_packet`] found: the IPv4 frames the engine forwards wrap the caller's buffer.
#[derive(Debug)]
pub enum Parsed<T> {
    /// An ARP request (the buffer is not needed any more).
    Arp(ArpRequest),
    /// Another ARP operation (replies, gratuitous): ignored.
    OtherArp,
    /// An IPv4 frame.
    Ip(Packet<T>),
}

/// Parses a frame held in `buf` ([`parse`]'s checks); an IPv4 frame keeps the buffer, as a
/// [`Packet`] to rewrite in place.
#[inline]
pub fn parse_packet<T: AsRef<[u8]>>(buf: T) -> Result<Parsed<T>, Bad> {
    Ok(match parse(buf.as_ref())? {
        Frame::Arp(a) => Parsed::Arp(a),
        Frame::OtherArp => Parsed::OtherArp,
        Frame::Ip(ip) => Parsed::Ip(Packet {
            buf,
            ip,
            off: Offload::NONE,
        }),
    })
}

/// [`parse_packet`] for a frame read with its offload header (`off`). A partial checksum at
/// the usual place (TCP's or UDP's field, L4 right after an option-less IPv4 header) is kept
/// partial and not verified; one anywhere else is completed in software first, and the frame
/// parsed as an ordinary one. A segment (GSO) must be TCP (TSO4) or UDP (USO) over IPv4 with
/// its checksum partial at the usual place, else it is unsupported.
pub fn parse_packet_offload<T: AsRef<[u8]> + AsMut<[u8]>>(
    mut buf: T,
    off: Offload,
) -> Result<Parsed<T>, Bad> {
    let Some(c) = off.csum else {
        if off.gso.is_some() {
            return Err(Bad::Unsupported);
        }
        return parse_packet(buf);
    };
    let b = buf.as_ref();
    let proto = b.get(IP + 9).copied();
    let usual = c.start as usize == L4
        && b.get(12..14) == Some(&[0x08, 0x00][..])
        && b.get(IP) == Some(&0x45)
        && b.get(IP + 6).is_some_and(|f| f & 0x3f == 0)
        && b.get(IP + 7) == Some(&0)
        && matches!(
            (proto, c.offset),
            (Some(proto::TCP), 16) | (Some(proto::UDP), 6)
        );
    let gso_ok = match off.gso {
        None => true,
        Some(g) => {
            g.size > 0
                && matches!(
                    (g.kind, proto),
                    (GsoKind::Tcp4, Some(proto::TCP)) | (GsoKind::Udp, Some(proto::UDP))
                )
        }
    };
    if !usual || !gso_ok {
        if off.gso.is_some() {
            return Err(Bad::Unsupported);
        }
        let end = buf.as_ref().len();
        if !complete_checksum(buf.as_mut(), c, end) {
            return Err(Bad::Malformed);
        }
        return parse_packet(buf);
    }
    Ok(match parse_frame(buf.as_ref(), true)? {
        Frame::Arp(a) => Parsed::Arp(a),
        Frame::OtherArp => Parsed::OtherArp,
        Frame::Ip(ip) => Parsed::Ip(Packet { buf, ip, off }),
    })
}

impl Parsed<&[u8]> {
    /// The same, an IPv4 frame copied into a buffer of its own (ARP needs no buffer).
    pub fn into_owned(self) -> Parsed<Vec<u8>> {
        match self {
            Parsed::Arp(a) => Parsed::Arp(a),
            Parsed::OtherArp => Parsed::OtherArp,
            Parsed::Ip(p) => Parsed::Ip(Packet {
                buf: p.buf.to_vec(),
                ip: p.ip,
                off: p.off,
            }),
        }
    }
}

/// A checked Ethernet/IPv4 frame and what parsing it found. Its methods cannot panic: see the
/// module's panic contract.
#[derive(Clone, Debug)]
pub struct Packet<T> {
    buf: T,
    ip: Ip,
    off: Offload,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// What parsing found (header as on the wire, flags, length, fragment, embedded header).
    pub fn ip(&self) -> &Ip {
        &self.ip
    }

    /// The frame's offload state ([`Offload::NONE`] unless read with its offload header); it
    /// goes out with the frame.
    pub fn offload(&self) -> Offload {
        self.off
    }

    /// The wire packets this frame stands for and their bytes (IP total lengths): one for an
    /// ordinary frame; for a segment, one per `gso_size` bytes of L4 payload, each with a copy
    /// of the IP and L4 headers (what AWS, seeing the packets one by one, counts).
    pub fn wire_packets(&self) -> (u32, u32) {
        let len = u32::from(self.ip.len);
        let Some(g) = self.off.gso else {
            return (1, len);
        };
        let hdrs = (IP_LEN + usize::from(self.ip.l4_hlen)) as u32;
        let payload = len.saturating_sub(hdrs);
        let n = payload.div_ceil(u32::from(g.size.max(1))).max(1);
        (n, len + (n - 1) * hdrs)
    }

    /// The largest wire packet (IP total length) this frame stands for: the IP total length,
    /// or for a segment its headers plus `gso_size` (the last wire packet may be smaller).
    pub fn wire_mtu_needed(&self) -> u16 {
        match self.off.gso {
            None => self.ip.len,
            Some(g) => {
                let hdrs = (IP_LEN + usize::from(self.ip.l4_hlen)) as u16;
                self.ip.len.min(hdrs.saturating_add(g.size))
            }
        }
    }

    /// The whole frame (with any Ethernet padding after the IP datagram).
    pub fn bytes(&self) -> &[u8] {
        self.buf.as_ref()
    }

    /// Gives the buffer back (rewritten, if it was).
    #[must_use]
    pub fn into_inner(self) -> T {
        self.buf
    }

    fn end(&self) -> usize {
        ETH_LEN + usize::from(self.ip.len)
    }

    fn u16_at(&self, at: usize) -> u16 {
        let b = self.buf.as_ref();
        u16::from_be_bytes([b[at], b[at + 1]])
    }

    fn u32_at(&self, at: usize) -> u32 {
        let b = self.buf.as_ref();
        u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    /// TCP's flags, sequence and acknowledgement numbers (all zero for other protocols and for
    /// fragments).
    pub fn tcp(&self) -> Tcp {
        if self.ip.header.proto != proto::TCP || self.ip.l4_hlen == 0 {
            return Tcp::default();
        }
        Tcp {
            flags: self.ip.tcp_flags,
            seq: self.u32_at(L4 + 4),
            ack: self.u32_at(L4 + 8),
        }
    }

    /// The L4 payload (after the TCP, UDP or ICMP header) up to the IP total length; for other
    /// protocols the whole IP payload, for fragments empty.
    pub fn l4_payload(&self) -> &[u8] {
        if self.ip.frag.is_some() {
            return &[];
        }
        &self.buf.as_ref()[L4 + usize::from(self.ip.l4_hlen)..self.end()]
    }

    /// A copy of the frame with new MACs (for a capture), everything else as received, made in
    /// `buf` (whatever it held is replaced; its allocation is reused).
    #[must_use]
    pub fn copy_with_macs(&self, buf: Vec<u8>, src_mac: Mac, dst_mac: Mac) -> Vec<u8> {
        let mut p = self.copy_into(buf);
        p.set_macs(src_mac, dst_mac);
        p.completed()
    }

    /// A copy of this frame in `buf` (cleared first).
    fn copy_into(&self, mut buf: Vec<u8>) -> Packet<Vec<u8>> {
        buf.clear();
        buf.extend_from_slice(self.bytes());
        Packet {
            buf,
            ip: self.ip,
            off: self.off,
        }
    }

    /// A copy of the frame rewritten as [`Packet::translate`] does (for a capture), made in
    /// `buf` as [`Packet::copy_with_macs`] does.
    #[must_use]
    pub fn copy_translated(
        &self,
        buf: Vec<u8>,
        h: &Header,
        inner: Option<&Header>,
        (src_mac, dst_mac): (Mac, Mac),
    ) -> Vec<u8> {
        let mut p = self.copy_into(buf);
        p.set_macs(src_mac, dst_mac);
        p.translate(h, inner);
        p.completed()
    }

    /// A copy of the frame rewritten as [`Packet::translate_fragment`] does (for a capture),
    /// made in `buf` as [`Packet::copy_with_macs`] does.
    #[must_use]
    pub fn copy_translated_fragment(
        &self,
        buf: Vec<u8>,
        h: &Header,
        (src_mac, dst_mac): (Mac, Mac),
    ) -> Vec<u8> {
        let mut p = self.copy_into(buf);
        p.set_macs(src_mac, dst_mac);
        p.translate_fragment(h);
        p.completed()
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// The buffer with a partial checksum completed in software (captures, and receivers that
    /// take no offloads): the frame then reads as an ordinary one (a segment stays one frame).
    #[must_use]
    pub fn completed(mut self) -> T {
        if let Some(c) = self.off.csum.take() {
            let end = self.end();
            complete_checksum(self.buf.as_mut(), c, end);
        }
        self.buf
    }

    fn put16(&mut self, at: usize, v: u16) {
        self.buf.as_mut()[at..at + 2].copy_from_slice(&v.to_be_bytes());
    }

    /// Sets the Ethernet source and destination; nothing else changes, no checksum covers them.
    pub fn set_macs(&mut self, src_mac: Mac, dst_mac: Mac) {
        let b = self.buf.as_mut();
        b[0..6].copy_from_slice(&dst_mac);
        b[6..12].copy_from_slice(&src_mac);
    }

    /// Writes `h`'s addresses into the IP header, updating its checksum incrementally; returns
    /// the old address words (for the L4 checksums that cover them through the pseudo-header).
    fn set_addrs(&mut self, h: &Header) -> [u16; 4] {
        let old = [
            self.u16_at(ADDRS),
            self.u16_at(ADDRS + 2),
            self.u16_at(ADDRS + 4),
            self.u16_at(ADDRS + 6),
        ];
        let new = addr_words(h);
        for (i, w) in new.iter().enumerate() {
            self.put16(ADDRS + 2 * i, *w);
        }
        let c = adjust(self.u16_at(IP_CSUM), &old, &new);
        self.put16(IP_CSUM, c);
        old
    }

    /// TCP MSS clamping, as a transit gateway does to every SYN: lowers the MSS option of a SYN
    /// (or SYN-ACK) above `max` to `max`, keeping the TCP checksum valid (updated incrementally;
    /// a partial checksum, which covers only the pseudo-header, is left as it is). True when it
    /// changed the option; other packets, and options that do not parse, are left alone.
    pub fn clamp_mss(&mut self, max: u16) -> bool {
        if self.ip.header.proto != proto::TCP
            || self.ip.tcp_flags & 0x02 == 0
            || self.ip.frag.is_some()
        {
            return false;
        }
        let end = (L4 + usize::from(self.ip.l4_hlen)).min(self.end());
        let mut at = L4 + 20;
        while at + 1 < end {
            let b = self.buf.as_ref();
            let (kind, len) = (b[at], usize::from(b[at + 1]));
            match kind {
                0 => return false,
                1 => {
                    at += 1;
                    continue;
                }
                _ if len < 2 || at + len > end => return false,
                2 if len == 4 => {
                    if self.u16_at(at + 2) <= max {
                        return false;
                    }
                    // The 16-bit words of the segment the value lies in (two when it is not
                    // aligned on one), before and after.
                    let first = L4 + ((at + 2 - L4) & !1);
                    let words = if (at + 2 - L4).is_multiple_of(2) {
                        1
                    } else {
                        2
                    };
                    let read = |p: &Self| [p.u16_at(first), p.u16_at(first + 2)];
                    let old = read(self);
                    self.put16(at + 2, max);
                    if self.off.csum.is_none() {
                        let new = read(self);
                        let c = adjust(self.u16_at(L4 + 16), &old[..words], &new[..words]);
                        self.put16(L4 + 16, c);
                    }
                    return true;
                }
                _ => at += len,
            }
        }
        false
    }

    /// NAT: rewrites the packet's addresses and ports (ICMP echo: the identifier) to `h`, and an
    /// ICMP error's embedded header to `inner`, keeping every checksum valid. The IP, TCP, UDP
    /// and ICMP checksums are updated incrementally (they were verified when parsing); a UDP
    /// datagram sent without a checksum gets a full one, and the embedded IP header's checksum
    /// is recomputed (it was never verified). For fragments use [`Packet::translate_fragment`].
    pub fn translate(&mut self, h: &Header, inner: Option<&Header>) {
        let old_addrs = self.set_addrs(h);
        let new_addrs = addr_words(h);
        let (sport, dport) = (self.ip.header.sport, self.ip.header.dport);
        match self.ip.header.proto {
            proto::TCP | proto::UDP if self.off.csum.is_some() => {
                // A partial checksum holds the pseudo-header sum, not its complement, and the
                // ports are summed later with the data: only the addresses change it.
                self.put16(L4, h.sport);
                self.put16(L4 + 2, h.dport);
                let at = L4
                    + if self.ip.header.proto == proto::TCP {
                        16
                    } else {
                        6
                    };
                let c = !adjust(!self.u16_at(at), &old_addrs, &new_addrs);
                self.put16(at, c);
            }
            proto::TCP => {
                self.put16(L4, h.sport);
                self.put16(L4 + 2, h.dport);
                let at = L4 + 16;
                let c = adjust(self.u16_at(at), &old_addrs, &new_addrs);
                let c = adjust(c, &[sport, dport], &[h.sport, h.dport]);
                self.put16(at, c);
            }
            proto::UDP => {
                self.put16(L4, h.sport);
                self.put16(L4 + 2, h.dport);
                let at = L4 + 6;
                let old = self.u16_at(at);
                if old == 0 {
                    // Sent without a checksum: give it one, as a full recompute always did.
                    let (sa, da) = (IpAddress::Ipv4(h.src), IpAddress::Ipv4(h.dst));
                    let end = self.end();
                    let mut u = UdpPacket::new_unchecked(&mut self.buf.as_mut()[L4..end]);
                    u.fill_checksum(&sa, &da);
                } else {
                    let c = adjust(old, &old_addrs, &new_addrs);
                    let c = adjust(c, &[sport, dport], &[h.sport, h.dport]);
                    self.put16(at, if c == 0 { 0xffff } else { c });
                }
            }
            proto::ICMP => self.translate_icmp(h, inner),
            _ => {}
        }
    }

    /// The ICMP part of [`Packet::translate`]: the echo identifier and an error's embedded
    /// header, then the ICMP checksum adjusted over the words that changed (at most 36 bytes
    /// from the ICMP header on; ICMP has no pseudo-header).
    fn translate_icmp(&mut self, h: &Header, inner: Option<&Header>) {
        const SPAN: usize = EMB_L4 + 8 - L4;
        let end = self.end();
        let span = (end - L4).min(SPAN) & !1;
        let mut before = [0u8; SPAN];
        before[..span].copy_from_slice(&self.buf.as_ref()[L4..L4 + span]);
        if matches!(h.icmp_type(), 0 | 8) {
            self.put16(L4 + 4, h.sport);
        }
        if let (Some(i), Some(_)) = (inner, self.ip.inner) {
            self.translate_embedded(i, end);
        }
        let old = words_of(&before[..span]);
        let new = words_of(&self.buf.as_ref()[L4..L4 + span]);
        let c = adjust(self.u16_at(L4 + 2), &old[..span / 2], &new[..span / 2]);
        self.put16(L4 + 2, c);
    }

    /// Rewrites an ICMP error's embedded header (as the original datagram was sent) to `i`:
    /// addresses, the quoted ports or echo identifier, and the embedded IP header's checksum
    /// (receivers that check it expect it valid).
    fn translate_embedded(&mut self, i: &Header, end: usize) {
        let w = addr_words(i);
        for (k, v) in w.iter().enumerate() {
            self.put16(EMB + 12 + 2 * k, *v);
        }
        let quoted = end - EMB_L4;
        match i.proto {
            proto::TCP | proto::UDP if quoted >= 4 => {
                self.put16(EMB_L4, i.sport);
                self.put16(EMB_L4 + 2, i.dport);
            }
            proto::ICMP if quoted >= 8 && matches!(i.icmp_type(), 0 | 8) => {
                self.put16(EMB_L4 + 4, i.sport);
            }
            _ => {}
        }
        self.put16(EMB + 10, 0);
        let sum = !ones_sum(&self.buf.as_ref()[EMB..EMB_L4]);
        self.put16(EMB + 10, sum);
    }

    /// NAT for a fragment (`h` as the datagram should read): the IP addresses and, in a first
    /// fragment, the UDP or TCP ports (or an ICMP echo identifier), with the L4 checksum (which
    /// covers the whole datagram, so cannot be recomputed here) updated incrementally.
    pub fn translate_fragment(&mut self, h: &Header) {
        let old = self.ip.header;
        let old_addrs = self.set_addrs(h);
        let first = self.ip.frag.is_some_and(|f| f.first);
        if !first {
            return;
        }
        match h.proto {
            proto::UDP | proto::TCP => {
                self.put16(L4, h.sport);
                self.put16(L4 + 2, h.dport);
                let at = if h.proto == proto::UDP {
                    L4 + 6
                } else {
                    L4 + 16
                };
                let c = self.u16_at(at);
                if c != 0 || h.proto == proto::TCP {
                    let n = adjust(c, &old_addrs, &addr_words(h));
                    let n = adjust(n, &[old.sport, old.dport], &[h.sport, h.dport]);
                    let udp_zero = h.proto == proto::UDP && n == 0;
                    self.put16(at, if udp_zero { 0xffff } else { n });
                }
            }
            // The echo identifier (a NAT instance may change it); no pseudo-header in ICMP's
            // checksum.
            proto::ICMP if matches!(h.icmp_type(), 0 | 8 | 13 | 14) && old.sport != h.sport => {
                self.put16(L4 + 4, h.sport);
                let c = self.u16_at(L4 + 2);
                self.put16(L4 + 2, adjust(c, &[old.sport], &[h.sport]));
            }
            _ => {}
        }
    }
}

fn addr_words(h: &Header) -> [u16; 4] {
    let (s, d) = (h.src.octets(), h.dst.octets());
    [
        u16::from_be_bytes([s[0], s[1]]),
        u16::from_be_bytes([s[2], s[3]]),
        u16::from_be_bytes([d[0], d[1]]),
        u16::from_be_bytes([d[2], d[3]]),
    ]
}

/// The 16-bit words of an even-length span of at most 36 bytes.
fn words_of(b: &[u8]) -> [u16; 18] {
    let mut w = [0u16; 18];
    for (o, c) in w.iter_mut().zip(b.chunks_exact(2)) {
        *o = u16::from_be_bytes([c[0], c[1]]);
    }
    w
}
