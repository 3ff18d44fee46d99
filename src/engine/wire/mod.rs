//! Frame parsing and emitting for the engine (and the virtual hosts), on `smoltcp::wire` views:
//! Ethernet + IPv4 (no options) + TCP/UDP/ICMP, checksums verified (`checksum`, summing 32-bit
//! words) and set. Fragments: a UDP first fragment (ports read, checksum not verifiable) and
//! later fragments of any protocol are parsed (`Ip::frag`); TCP and ICMP first fragments are
//! unsupported.
//!
//! The engine parses a frame once: [`parse_packet`] checks it and wraps the caller's buffer in a
//! [`Packet`] view holding what the check found (header, TCP flags, lengths; the layout is fixed
//! because IP options are unsupported: IPv4 at 14, L4 at 34, an ICMP error's embedded datagram at
//! 42). Forwarding then rewrites that buffer in place ([`Packet::set_macs`],
//! [`Packet::translate`], [`Packet::translate_fragment`]) with incremental checksum updates
//! (RFC 1624), and hands the same buffer on: no copy, no second parse.
//!
//! # Panics
//!
//! [`parse`], [`parse_ip`], [`parse_packet`], [`l4_payload`], [`ip_prefix`] and [`src_mac`]
//! never panic, whatever the bytes: a frame that is truncated, has a bad length or checksum is
//! [`Bad::Malformed`], one the engine does not handle is [`Bad::Unsupported`], and the engine
//! counts and drops both. [`Packet`]'s methods index its buffer directly at the fixed offsets
//! above and up to the IP total length; they cannot panic because a `Packet` is only made by
//! `parse_packet` after those bytes were checked, its buffer is never exposed mutably, and its
//! [`Ip`] is private (only `parse` makes an `Ip`, through private fields). This holds for
//! buffers whose `as_ref` always returns the same bytes (`Vec`, slices, arrays). [`build`],
//! [`arp_reply`] and [`arp_request`] size their own buffers and cannot panic either.

mod build;
mod checksum;
mod fragment;
pub mod ipv6;
pub mod nat64;
mod offload;
mod packet;
mod simple;

pub use build::{arp_reply, arp_request, build, Tcp};
pub use fragment::{frag_needed, fragment};
pub use offload::{complete_checksum, CsumPartial, Gso, GsoKind, Offload, VNET_HDR_LEN};
pub use packet::{parse_packet, parse_packet_offload, Packet, Parsed};

use crate::model::proto;
use crate::model::Mac;
use crate::policy::Header;
use smoltcp::wire::{
    ArpOperation, ArpPacket, EthernetAddress, EthernetFrame, EthernetProtocol, Icmpv4Packet,
    IpProtocol, Ipv4Packet, TcpPacket, UdpPacket,
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
    /// The Don't Fragment flag: a packet too big for a link is dropped with an ICMP
    /// "fragmentation needed" rather than fragmented.
    pub df: bool,
    /// The L4 header's length: TCP's data offset, 8 for UDP and ICMP, 0 for other protocols,
    /// fragments and embedded headers (private: only `parse` makes an `Ip`).
    l4_hlen: u8,
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
    parse_frame(frame, false)
}

/// [`parse`], with the TCP or UDP checksum left unverified when `partial` (offloaded: it holds
/// only the pseudo-header sum until the receiving kernel completes it).
fn parse_frame(frame: &[u8], partial: bool) -> Result<Frame, Bad> {
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
        EthernetProtocol::Ipv4 => parse_ip_with(eth.payload(), true, partial).map(Frame::Ip),
        _ => Err(Bad::Unsupported),
    }
}

/// Parses an IPv4 packet (`outer`: also parse an ICMP error's embedded header).
pub fn parse_ip(buf: &[u8], outer: bool) -> Result<Ip, Bad> {
    parse_ip_with(buf, outer, false)
}

/// [`parse_ip`]; `partial`: see [`parse_frame`].
fn parse_ip_with(buf: &[u8], outer: bool, partial: bool) -> Result<Ip, Bad> {
    if outer {
        // The forwarding path's common case, at fixed offsets (`simple`); the rest below.
        if let Some(ip) = simple::parse(buf, partial) {
            return Ok(ip);
        }
    }
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
    if outer && !checksum::valid(&buf[..usize::from(ip.header_len())]) {
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
    let p = u8::from(ip.next_header());
    if !outer {
        return parse_quoted(Header::l4(src, dst, p, 0, 0), len, &buf[IP_LEN..]);
    }
    let payload = ip.payload();
    let mut tcp_flags = 0;
    let mut inner = None;
    let mut l4_hlen = 8;
    let header = match ip.next_header() {
        IpProtocol::Tcp => {
            let t = TcpPacket::new_checked(payload).map_err(|_| Bad::Malformed)?;
            if !partial && !checksum::valid_l4(src, dst, p, payload) {
                return Err(Bad::Malformed);
            }
            tcp_flags = payload.get(13).copied().unwrap_or(0) & 0x3f;
            l4_hlen = t.header_len();
            Header::l4(src, dst, p, t.src_port(), t.dst_port())
        }
        IpProtocol::Udp => {
            let u = UdpPacket::new_checked(payload).map_err(|_| Bad::Malformed)?;
            if !partial
                && u.checksum() != 0
                && !checksum::valid_l4(src, dst, p, &payload[..usize::from(u.len())])
            {
                return Err(Bad::Malformed);
            }
            Header::l4(src, dst, p, u.src_port(), u.dst_port())
        }
        IpProtocol::Icmp => {
            Icmpv4Packet::new_checked(payload).map_err(|_| Bad::Malformed)?;
            if !checksum::valid(payload) {
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
        _ => {
            l4_hlen = 0;
            Header::l4(src, dst, p, 0, 0)
        }
    };
    Ok(Ip {
        header,
        tcp_flags,
        len,
        inner,
        frag: None,
        df: ip.dont_frag(),
        l4_hlen,
    })
}

/// A fragment: a first fragment with its ports (UDP, TCP; a TCP one also its flags) or ICMP
/// type, code and echo identifier (the checksum covers the whole datagram and is not
/// verified), or a later fragment of any protocol (no ports). A first fragment of another
/// protocol, or too short to hold those fields, is unsupported. The NAT gateway drops TCP and
/// ICMP fragments (`engine::fragments`), as AWS's does.
fn parse_fragment(ip: &Ipv4Packet<&[u8]>) -> Result<Ip, Bad> {
    let (src, dst) = (ip.src_addr(), ip.dst_addr());
    let p = u8::from(ip.next_header());
    let payload = ip.payload();
    let first = ip.frag_offset() == 0;
    let be16 = |at: usize| u16::from_be_bytes([payload[at], payload[at + 1]]);
    let mut tcp_flags = 0;
    let (sport, dport) = match (first, p) {
        (false, _) => (0, 0),
        (true, proto::UDP | proto::ICMP) if payload.len() < 8 => return Err(Bad::Malformed),
        (true, proto::TCP) if payload.len() < 20 => return Err(Bad::Malformed),
        (true, proto::UDP) => (be16(0), be16(2)),
        (true, proto::TCP) => {
            tcp_flags = payload[13] & 0x3f;
            (be16(0), be16(2))
        }
        (true, proto::ICMP) => {
            let t = payload[0];
            let id = if matches!(t, 0 | 8 | 13 | 14) {
                be16(4)
            } else {
                0
            };
            (id, u16::from(t) << 8 | u16::from(payload[1]))
        }
        (true, _) => return Err(Bad::Unsupported),
    };
    Ok(Ip {
        header: Header {
            src,
            dst,
            proto: p,
            sport,
            dport,
        },
        tcp_flags,
        len: ip.total_len(),
        inner: None,
        frag: Some(Frag {
            id: ip.ident(),
            first,
        }),
        df: ip.dont_frag(),
        l4_hlen: 0,
    })
}

/// The L4 payload and TCP fields of a (valid) IPv4 frame (parses it again: the engine uses
/// [`Packet::tcp`] and [`Packet::l4_payload`] on the frame it already parsed).
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

/// The datagram an ICMP error quotes: its IP header `h` (no ports yet, total length `len`) and
/// `payload`, of which an ICMP error quotes only the first 8 bytes: TCP and UDP ports, ICMP type,
/// code and id (any ICMP type's). No checksum is checked and nothing nests further.
fn parse_quoted(h: Header, len: u16, payload: &[u8]) -> Result<Ip, Bad> {
    let byte = |i: usize| payload.get(i).copied().ok_or(Bad::Malformed);
    let header = match h.proto {
        proto::TCP | proto::UDP => {
            let port = |i| -> Result<u16, Bad> { Ok(u16::from_be_bytes([byte(i)?, byte(i + 1)?])) };
            Header::l4(h.src, h.dst, h.proto, port(0)?, port(2)?)
        }
        proto::ICMP => {
            let id = u16::from_be_bytes([byte(4)?, byte(5)?]);
            Header::icmp(h.src, h.dst, byte(0)?, byte(1)?, id)
        }
        _ => h,
    };
    Ok(Ip {
        header,
        tcp_flags: 0,
        len,
        inner: None,
        frag: None,
        df: false,
        l4_hlen: 0,
    })
}

#[cfg(test)]
mod offload_tests;
#[cfg(test)]
mod tests;
