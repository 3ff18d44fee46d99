//! Frame parsing and emitting for the engine (and the virtual hosts), on `smoltcp::wire` views:
//! Ethernet + IPv4 (no options) + TCP/UDP/ICMP, checksums verified and set. Fragments: a UDP
//! first fragment (ports read, checksum not verifiable) and later fragments of any protocol are
//! parsed (`Ip::frag`); TCP and ICMP first fragments are unsupported.

use crate::model::proto;
use crate::model::Mac;
use crate::policy::Header;
use smoltcp::wire::{
    ArpOperation, ArpPacket, EthernetAddress, EthernetFrame, EthernetProtocol, Icmpv4Packet,
    IpAddress, IpProtocol, Ipv4Packet, TcpPacket, UdpPacket,
};
use std::net::Ipv4Addr;

/// Ethernet header length.
pub const ETH_LEN: usize = 14;
/// IPv4 header length (no options).
pub const IP_LEN: usize = 20;

/// Why a frame was not forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bad {
    /// Truncated, bad length or bad checksum.
    Malformed,
    /// An ethertype, IP option, fragment or protocol the engine does not handle.
    Unsupported,
}

/// An ARP request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArpRequest {
    /// Sender MAC.
    pub sender_mac: Mac,
    /// Sender IP.
    pub sender_ip: Ipv4Addr,
    /// Asked address.
    pub target_ip: Ipv4Addr,
}

/// A parsed IPv4 packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ip {
    /// Policy header.
    pub header: Header,
    /// TCP flags (0 for non-TCP).
    pub tcp_flags: u8,
    /// IP total length.
    pub len: u16,
    /// For ICMP errors: the embedded header (as the original packet was sent).
    pub inner: Option<Header>,
    /// An IP fragment (only UDP first fragments and non-first fragments are parsed).
    pub frag: Option<Frag>,
}

/// An IPv4 fragment's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frag {
    /// The IP identification.
    pub id: u16,
    /// The first fragment (offset 0; carries the UDP header).
    pub first: bool,
}

/// A parsed frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// An ARP request.
    Arp(ArpRequest),
    /// An IPv4 packet.
    Ip(Ip),
    /// Another ARP operation (replies, gratuitous): ignored.
    OtherArp,
}

fn mac(a: EthernetAddress) -> Mac {
    a.0
}

fn ip4(b: &[u8]) -> Option<Ipv4Addr> {
    Some(Ipv4Addr::new(
        *b.first()?,
        *b.get(1)?,
        *b.get(2)?,
        *b.get(3)?,
    ))
}

/// Parses an Ethernet frame.
pub fn parse(frame: &[u8]) -> Result<Frame, Bad> {
    let eth = EthernetFrame::new_checked(frame).map_err(|_| Bad::Malformed)?;
    match eth.ethertype() {
        EthernetProtocol::Arp => {
            let a = ArpPacket::new_checked(eth.payload()).map_err(|_| Bad::Malformed)?;
            if a.hardware_len() != 6 || a.protocol_len() != 4 {
                return Err(Bad::Unsupported);
            }
            if a.operation() != ArpOperation::Request {
                return Ok(Frame::OtherArp);
            }
            let sm = a.source_hardware_addr();
            let mut sender_mac = [0u8; 6];
            sender_mac.copy_from_slice(sm.get(..6).ok_or(Bad::Malformed)?);
            Ok(Frame::Arp(ArpRequest {
                sender_mac,
                sender_ip: ip4(a.source_protocol_addr()).ok_or(Bad::Malformed)?,
                target_ip: ip4(a.target_protocol_addr()).ok_or(Bad::Malformed)?,
            }))
        }
        EthernetProtocol::Ipv4 => parse_ip(eth.payload(), true).map(Frame::Ip),
        _ => Err(Bad::Unsupported),
    }
}

/// Parses an IPv4 packet (`outer`: also parse an ICMP error's embedded header).
pub fn parse_ip(buf: &[u8], outer: bool) -> Result<Ip, Bad> {
    if buf.len() < IP_LEN {
        return Err(Bad::Malformed);
    }
    let ip = if outer {
        Ipv4Packet::new_checked(buf).map_err(|_| Bad::Malformed)?
    } else {
        Ipv4Packet::new_unchecked(buf)
    };
    if ip.version() != 4 {
        return Err(Bad::Malformed);
    }
    if outer && !ip.verify_checksum() {
        return Err(Bad::Malformed);
    }
    if ip.header_len() as usize != IP_LEN {
        return Err(Bad::Unsupported);
    }
    if ip.more_frags() || ip.frag_offset() != 0 {
        if !outer {
            return Err(Bad::Unsupported);
        }
        let ro = Ipv4Packet::new_unchecked(buf);
        return parse_fragment(&ro);
    }
    let (src, dst) = (ip.src_addr(), ip.dst_addr());
    let len = ip.total_len();
    let payload = if outer { ip.payload() } else { &buf[IP_LEN..] };
    let (sa, da) = (IpAddress::Ipv4(src), IpAddress::Ipv4(dst));
    let p = u8::from(ip.next_header());
    let mut tcp_flags = 0;
    let mut inner = None;
    let header = match ip.next_header() {
        IpProtocol::Tcp => {
            if !outer {
                // An ICMP error quotes only the first 8 bytes of the datagram: the ports.
                let (sp, dp) = quoted_ports(payload)?;
                return Ok(Ip {
                    header: Header::l4(src, dst, p, sp, dp),
                    tcp_flags: 0,
                    len,
                    inner: None,
                    frag: None,
                });
            }
            let t = TcpPacket::new_checked(payload).map_err(|_| Bad::Malformed)?;
            if !t.verify_checksum(&sa, &da) {
                return Err(Bad::Malformed);
            }
            tcp_flags = payload.get(13).copied().unwrap_or(0) & 0x3f;
            Header::l4(src, dst, p, t.src_port(), t.dst_port())
        }
        IpProtocol::Udp => {
            if !outer {
                // An ICMP error quotes only the first 8 bytes of the datagram: the ports.
                let (sp, dp) = quoted_ports(payload)?;
                return Ok(Ip {
                    header: Header::l4(src, dst, p, sp, dp),
                    tcp_flags: 0,
                    len,
                    inner: None,
                    frag: None,
                });
            }
            let u = UdpPacket::new_checked(payload).map_err(|_| Bad::Malformed)?;
            if u.checksum() != 0 && !u.verify_checksum(&sa, &da) {
                return Err(Bad::Malformed);
            }
            Header::l4(src, dst, p, u.src_port(), u.dst_port())
        }
        IpProtocol::Icmp => {
            if !outer {
                let t = *payload.first().ok_or(Bad::Malformed)?;
                let c = *payload.get(1).ok_or(Bad::Malformed)?;
                let id = u16::from_be_bytes([
                    *payload.get(4).ok_or(Bad::Malformed)?,
                    *payload.get(5).ok_or(Bad::Malformed)?,
                ]);
                return Ok(Ip {
                    header: Header::icmp(src, dst, t, c, id),
                    tcp_flags: 0,
                    len,
                    inner: None,
                    frag: None,
                });
            }
            let c = Icmpv4Packet::new_checked(payload).map_err(|_| Bad::Malformed)?;
            if !c.verify_checksum() {
                return Err(Bad::Malformed);
            }
            let t = payload[0];
            let code = payload[1];
            let id = if matches!(t, 0 | 8 | 13 | 14) {
                u16::from_be_bytes([payload[4], payload[5]])
            } else {
                0
            };
            if matches!(t, 3 | 11 | 12) {
                inner = parse_ip(payload.get(8..).unwrap_or(&[]), false)
                    .ok()
                    .map(|i| i.header);
            }
            Header::icmp(src, dst, t, code, id)
        }
        _ => Header {
            src,
            dst,
            proto: p,
            sport: 0,
            dport: 0,
        },
    };
    Ok(Ip {
        header,
        tcp_flags,
        len,
        inner,
        frag: None,
    })
}

/// A fragment: a UDP first fragment with its ports (the checksum covers the whole datagram and
/// is not verified), or a later fragment of any protocol (no ports). TCP and ICMP first
/// fragments are unsupported (a NAT gateway drops them).
fn parse_fragment(ip: &Ipv4Packet<&[u8]>) -> Result<Ip, Bad> {
    let (src, dst) = (ip.src_addr(), ip.dst_addr());
    let p = u8::from(ip.next_header());
    let payload = ip.payload();
    let first = ip.frag_offset() == 0;
    let (sport, dport) = if first {
        if p != proto::UDP {
            return Err(Bad::Unsupported);
        }
        if payload.len() < 8 {
            return Err(Bad::Malformed);
        }
        (
            u16::from_be_bytes([payload[0], payload[1]]),
            u16::from_be_bytes([payload[2], payload[3]]),
        )
    } else {
        (0, 0)
    };
    Ok(Ip {
        header: Header {
            src,
            dst,
            proto: p,
            sport,
            dport,
        },
        tcp_flags: 0,
        len: ip.total_len(),
        inner: None,
        frag: Some(Frag {
            id: ip.ident(),
            first,
        }),
    })
}

/// RFC 1624 incremental checksum update: `old` after 16-bit words `from` became `to`.
fn csum_adjust(old: u16, from: &[u16], to: &[u16]) -> u16 {
    let mut sum = u32::from(!old);
    for w in from {
        sum += u32::from(!*w);
    }
    for w in to {
        sum += u32::from(*w);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn words(h: &Header, ports: bool) -> [u16; 6] {
    let (s, d) = (h.src.octets(), h.dst.octets());
    let (sp, dp) = if ports { (h.sport, h.dport) } else { (0, 0) };
    [
        u16::from_be_bytes([s[0], s[1]]),
        u16::from_be_bytes([s[2], s[3]]),
        u16::from_be_bytes([d[0], d[1]]),
        u16::from_be_bytes([d[2], d[3]]),
        sp,
        dp,
    ]
}

/// Rewrites a fragment from `old` to `h` and sets the MACs: IP addresses (header checksum
/// recomputed) and, in a UDP first fragment, the ports with the UDP checksum updated
/// incrementally (it covers the whole datagram). None if the frame is not IPv4.
pub fn rewrite_fragment(
    frame: &[u8],
    old: &Header,
    h: &Header,
    first: bool,
    src_mac: Mac,
    dst_mac: Mac,
) -> Option<Vec<u8>> {
    let mut v = set_macs(frame, src_mac, dst_mac)?;
    let ip_buf = v.get_mut(ETH_LEN..)?;
    let mut ip = Ipv4Packet::new_checked(&mut ip_buf[..]).ok()?;
    ip.set_src_addr(h.src);
    ip.set_dst_addr(h.dst);
    ip.fill_checksum();
    let hl = ip.header_len() as usize;
    if first && h.proto == proto::UDP {
        let u = ip_buf.get_mut(hl..hl + 8)?;
        u[0..2].copy_from_slice(&h.sport.to_be_bytes());
        u[2..4].copy_from_slice(&h.dport.to_be_bytes());
        let c = u16::from_be_bytes([u[6], u[7]]);
        if c != 0 {
            let mut n = csum_adjust(c, &words(old, true), &words(h, true));
            if n == 0 {
                n = 0xffff;
            }
            u[6..8].copy_from_slice(&n.to_be_bytes());
        }
    }
    Some(v)
}

/// Rewrites a frame's IPv4 addresses and ports to `h` (and an ICMP error's embedded header to
/// `inner`), sets the MACs, and recomputes checksums. None if the frame is not IPv4.
pub fn rewrite(
    frame: &[u8],
    h: &Header,
    inner: Option<&Header>,
    src_mac: Mac,
    dst_mac: Mac,
) -> Option<Vec<u8>> {
    let mut v = frame.to_vec();
    {
        let mut eth = EthernetFrame::new_checked(&mut v[..]).ok()?;
        eth.set_src_addr(EthernetAddress(src_mac));
        eth.set_dst_addr(EthernetAddress(dst_mac));
    }
    let ip_buf = v.get_mut(ETH_LEN..)?;
    let total = {
        let ip = Ipv4Packet::new_checked(&ip_buf[..]).ok()?;
        ip.total_len() as usize
    };
    let ip_buf = ip_buf.get_mut(..total)?;
    rewrite_ip(ip_buf, h, inner, true)?;
    Some(v)
}

fn rewrite_ip(buf: &mut [u8], h: &Header, inner: Option<&Header>, checksums: bool) -> Option<()> {
    if buf.len() < IP_LEN {
        return None;
    }
    let mut ip = if checksums {
        Ipv4Packet::new_checked(&mut buf[..]).ok()?
    } else {
        Ipv4Packet::new_unchecked(&mut buf[..])
    };
    ip.set_src_addr(h.src);
    ip.set_dst_addr(h.dst);
    if checksums {
        ip.fill_checksum();
    }
    let (sa, da) = (IpAddress::Ipv4(h.src), IpAddress::Ipv4(h.dst));
    let hl = ip.header_len() as usize;
    let payload = buf.get_mut(hl..)?;
    match h.proto {
        proto::TCP => {
            if payload.len() < 4 {
                return Some(());
            }
            payload[0..2].copy_from_slice(&h.sport.to_be_bytes());
            payload[2..4].copy_from_slice(&h.dport.to_be_bytes());
            if checksums {
                let mut t = TcpPacket::new_checked(payload).ok()?;
                t.fill_checksum(&sa, &da);
            }
        }
        proto::UDP => {
            if payload.len() < 4 {
                return Some(());
            }
            payload[0..2].copy_from_slice(&h.sport.to_be_bytes());
            payload[2..4].copy_from_slice(&h.dport.to_be_bytes());
            if checksums {
                let mut u = UdpPacket::new_checked(payload).ok()?;
                u.fill_checksum(&sa, &da);
            }
        }
        proto::ICMP => {
            if payload.len() < 8 {
                return Some(());
            }
            if matches!(h.icmp_type(), 0 | 8) {
                payload[4..6].copy_from_slice(&h.sport.to_be_bytes());
            }
            if let Some(i) = inner {
                if let Some(emb) = payload.get_mut(8..) {
                    if rewrite_ip(emb, i, None, false).is_some() {
                        // Keep the embedded IP header checksum valid for receivers that check it.
                        Ipv4Packet::new_unchecked(&mut emb[..]).fill_checksum();
                    }
                }
            }
            if checksums {
                let mut c = Icmpv4Packet::new_checked(payload).ok()?;
                c.fill_checksum();
            }
        }
        _ => {}
    }
    Some(())
}

/// A copy of an Ethernet frame with new MACs.
pub fn set_macs(frame: &[u8], src_mac: Mac, dst_mac: Mac) -> Option<Vec<u8>> {
    if frame.len() < ETH_LEN {
        return None;
    }
    let mut v = frame.to_vec();
    v[0..6].copy_from_slice(&dst_mac);
    v[6..12].copy_from_slice(&src_mac);
    Some(v)
}

/// An ARP reply to `req` saying `ip` is at `mac`.
pub fn arp_reply(req: &ArpRequest, mac: Mac) -> Vec<u8> {
    let mut v = vec![0u8; ETH_LEN + 28];
    {
        let mut eth = EthernetFrame::new_unchecked(&mut v[..]);
        eth.set_src_addr(EthernetAddress(mac));
        eth.set_dst_addr(EthernetAddress(req.sender_mac));
        eth.set_ethertype(EthernetProtocol::Arp);
    }
    let mut a = ArpPacket::new_unchecked(&mut v[ETH_LEN..]);
    a.set_hardware_type(smoltcp::wire::ArpHardware::Ethernet);
    a.set_protocol_type(EthernetProtocol::Ipv4);
    a.set_hardware_len(6);
    a.set_protocol_len(4);
    a.set_operation(ArpOperation::Reply);
    a.set_source_hardware_addr(&mac);
    a.set_source_protocol_addr(&req.target_ip.octets());
    a.set_target_hardware_addr(&req.sender_mac);
    a.set_target_protocol_addr(&req.sender_ip.octets());
    v
}

/// An ARP request (for tests and hosts).
pub fn arp_request(sender_mac: Mac, sender_ip: Ipv4Addr, target_ip: Ipv4Addr) -> Vec<u8> {
    let mut v = arp_reply(
        &ArpRequest {
            sender_mac: [0xff; 6],
            sender_ip: target_ip,
            target_ip: sender_ip,
        },
        sender_mac,
    );
    let mut a = ArpPacket::new_unchecked(&mut v[ETH_LEN..]);
    a.set_operation(ArpOperation::Request);
    a.set_target_hardware_addr(&[0; 6]);
    v
}

/// TCP segment fields for [`build`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tcp {
    /// Flags (FIN=1, SYN=2, RST=4, PSH=8, ACK=16).
    pub flags: u8,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
}

/// Builds a complete Ethernet/IPv4 frame for `h` with this L4 payload (TCP: `tcp` fields;
/// ICMP: `h`'s type/code/id, `icmp_seq` and `payload`; an ICMP error carries `payload` as the
/// embedded original datagram).
pub fn build(
    src_mac: Mac,
    dst_mac: Mac,
    h: &Header,
    tcp: Tcp,
    icmp_seq: u16,
    payload: &[u8],
) -> Vec<u8> {
    let l4_len = match h.proto {
        proto::TCP => 20 + payload.len(),
        proto::UDP => 8 + payload.len(),
        proto::ICMP => 8 + payload.len(),
        _ => payload.len(),
    };
    let total = IP_LEN + l4_len;
    let mut v = vec![0u8; ETH_LEN + total];
    {
        let mut eth = EthernetFrame::new_unchecked(&mut v[..]);
        eth.set_src_addr(EthernetAddress(src_mac));
        eth.set_dst_addr(EthernetAddress(dst_mac));
        eth.set_ethertype(EthernetProtocol::Ipv4);
    }
    {
        let mut ip = Ipv4Packet::new_unchecked(&mut v[ETH_LEN..]);
        ip.set_version(4);
        ip.set_header_len(IP_LEN as u8);
        ip.set_total_len(total as u16);
        ip.set_hop_limit(64);
        ip.set_dont_frag(true);
        ip.set_next_header(IpProtocol::from(h.proto));
        ip.set_src_addr(h.src);
        ip.set_dst_addr(h.dst);
        ip.fill_checksum();
    }
    let (sa, da) = (IpAddress::Ipv4(h.src), IpAddress::Ipv4(h.dst));
    let l4 = &mut v[ETH_LEN + IP_LEN..];
    match h.proto {
        proto::TCP => {
            l4[20..].copy_from_slice(payload);
            let mut t = TcpPacket::new_unchecked(&mut l4[..]);
            t.set_src_port(h.sport);
            t.set_dst_port(h.dport);
            t.set_seq_number(smoltcp::wire::TcpSeqNumber(tcp.seq as i32));
            t.set_ack_number(smoltcp::wire::TcpSeqNumber(tcp.ack as i32));
            t.set_header_len(20);
            t.set_window_len(65535);
            l4[13] = tcp.flags;
            let mut t = TcpPacket::new_unchecked(&mut l4[..]);
            t.fill_checksum(&sa, &da);
        }
        proto::UDP => {
            l4[8..].copy_from_slice(payload);
            let mut u = UdpPacket::new_unchecked(&mut l4[..]);
            u.set_src_port(h.sport);
            u.set_dst_port(h.dport);
            u.set_len(l4_len as u16);
            u.fill_checksum(&sa, &da);
        }
        proto::ICMP => {
            l4[0] = h.icmp_type();
            l4[1] = h.icmp_code();
            if matches!(h.icmp_type(), 0 | 8) {
                l4[4..6].copy_from_slice(&h.sport.to_be_bytes());
                l4[6..8].copy_from_slice(&icmp_seq.to_be_bytes());
            }
            l4[8..].copy_from_slice(payload);
            let mut c = Icmpv4Packet::new_unchecked(&mut l4[..]);
            c.fill_checksum();
        }
        _ => l4.copy_from_slice(payload),
    }
    v
}

/// The L4 payload and TCP fields of a (valid) IPv4 frame.
pub fn l4_payload(frame: &[u8]) -> Option<(Tcp, &[u8])> {
    let ip = Ipv4Packet::new_checked(frame.get(ETH_LEN..)?).ok()?;
    let hl = ip.header_len() as usize;
    let total = ip.total_len() as usize;
    let body = frame.get(ETH_LEN + hl..ETH_LEN + total)?;
    match ip.next_header() {
        IpProtocol::Tcp => {
            let t = TcpPacket::new_checked(body).ok()?;
            let flags = body[13] & 0x3f;
            Some((
                Tcp {
                    flags,
                    seq: t.seq_number().0 as u32,
                    ack: t.ack_number().0 as u32,
                },
                t.payload(),
            ))
        }
        IpProtocol::Udp => Some((Tcp::default(), body.get(8..)?)),
        IpProtocol::Icmp => Some((Tcp::default(), body.get(8..)?)),
        _ => Some((Tcp::default(), body)),
    }
}

/// The IPv4 datagram inside a frame (for ICMP errors' embedded copy: header + 8 bytes).
pub fn ip_prefix(frame: &[u8], n: usize) -> &[u8] {
    let b = frame.get(ETH_LEN..).unwrap_or(&[]);
    &b[..b.len().min(IP_LEN + n)]
}

/// The source MAC of a frame.
pub fn src_mac(frame: &[u8]) -> Option<Mac> {
    EthernetFrame::new_checked(frame)
        .ok()
        .map(|e| mac(e.src_addr()))
}

/// Source and destination ports from the first 4 bytes of a (possibly truncated) TCP/UDP header.
fn quoted_ports(payload: &[u8]) -> Result<(u16, u16), Bad> {
    match payload {
        [a, b, c, d, ..] => Ok((u16::from_be_bytes([*a, *b]), u16::from_be_bytes([*c, *d]))),
        _ => Err(Bad::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_parse_rewrite_round_trip() {
        let h = Header::l4(
            "10.0.0.4".parse().unwrap(),
            "10.0.1.4".parse().unwrap(),
            6,
            40000,
            80,
        );
        let f = build(
            [2; 6],
            [4; 6],
            &h,
            Tcp {
                flags: 2,
                seq: 7,
                ack: 0,
            },
            0,
            b"hi",
        );
        let Ok(Frame::Ip(ip)) = parse(&f) else {
            panic!()
        };
        assert_eq!((ip.header, ip.tcp_flags), (h, 2));
        let h2 = Header {
            src: "203.0.113.9".parse().unwrap(),
            sport: 1024,
            ..h
        };
        let g = rewrite(&f, &h2, None, [6; 6], [8; 6]).unwrap();
        let Ok(Frame::Ip(ip)) = parse(&g) else {
            panic!()
        };
        assert_eq!(ip.header, h2);
        let mut bad = g.clone();
        let n = bad.len() - 1;
        bad[n] ^= 0xff;
        assert_eq!(parse(&bad), Err(Bad::Malformed));
        for p in [17u8, 1] {
            let h = if p == 1 {
                Header::icmp(h.src, h.dst, 8, 0, 9)
            } else {
                Header { proto: p, ..h }
            };
            let f = build([2; 6], [4; 6], &h, Tcp::default(), 1, b"xyz");
            let Ok(Frame::Ip(ip)) = parse(&f) else {
                panic!()
            };
            assert_eq!(ip.header, h);
        }
    }

    #[test]
    fn icmp_error_inner_header() {
        let orig = Header::l4(
            "10.0.0.4".parse().unwrap(),
            "10.0.1.4".parse().unwrap(),
            17,
            40000,
            9,
        );
        let of = build([2; 6], [4; 6], &orig, Tcp::default(), 0, b"q");
        let err = Header::icmp(orig.dst, orig.src, 3, 3, 0);
        let f = build([4; 6], [2; 6], &err, Tcp::default(), 0, ip_prefix(&of, 8));
        let Ok(Frame::Ip(ip)) = parse(&f) else {
            panic!()
        };
        assert_eq!(ip.inner, Some(orig));
    }

    #[test]
    fn arp() {
        let r = arp_request(
            [2; 6],
            "10.0.0.4".parse().unwrap(),
            "10.0.0.1".parse().unwrap(),
        );
        let Ok(Frame::Arp(a)) = parse(&r) else {
            panic!()
        };
        assert_eq!(a.target_ip, "10.0.0.1".parse::<Ipv4Addr>().unwrap());
        assert_eq!(a.sender_mac, [2; 6]);
    }
}
