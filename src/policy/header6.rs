//! The IPv6 header fields policy reads ([`Header6`], the IPv6 twin of `Header`, ICMPv6 type and
//! code packed into `dport` the same way), and [`IpHeader`], a header of either family for the
//! places that carry both (an analyzer blocker).

use super::header::IcmpFamily;
use crate::model::proto;
use serde::Serialize;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// ICMPv6 echo request (RFC 4443).
pub const ICMPV6_ECHO_REQUEST: u8 = 128;
/// ICMPv6 echo reply.
pub const ICMPV6_ECHO_REPLY: u8 = 129;

/// The header fields policy looks at for an IPv6 packet (after any translation upstream).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Header6 {
    /// Source address.
    pub src: Ipv6Addr,
    /// Destination address.
    pub dst: Ipv6Addr,
    /// Next header after any extension headers (6 TCP, 17 UDP, 58 ICMPv6).
    pub proto: u8,
    /// TCP/UDP source port; ICMPv6: the echo identifier (0 otherwise).
    pub sport: u16,
    /// TCP/UDP destination port; ICMPv6: `type << 8 | code`.
    pub dport: u16,
}

impl Header6 {
    /// A header with these ports (meant for TCP and UDP).
    pub fn l4(src: Ipv6Addr, dst: Ipv6Addr, proto: u8, sport: u16, dport: u16) -> Self {
        Header6 {
            src,
            dst,
            proto,
            sport,
            dport,
        }
    }
    /// An ICMPv6 header: `dport` carries `type << 8 | code`, `sport` the echo identifier.
    pub fn icmp(src: Ipv6Addr, dst: Ipv6Addr, icmp_type: u8, code: u8, id: u16) -> Self {
        Header6 {
            src,
            dst,
            proto: proto::ICMPV6,
            sport: id,
            dport: (icmp_type as u16) << 8 | code as u16,
        }
    }
    /// ICMPv6 type (high byte of `dport`).
    pub fn icmp_type(&self) -> u8 {
        (self.dport >> 8) as u8
    }
    /// ICMPv6 code (low byte of `dport`).
    pub fn icmp_code(&self) -> u8 {
        (self.dport & 0xff) as u8
    }
    /// True for TCP or UDP.
    pub fn has_ports(&self) -> bool {
        self.proto == proto::TCP || self.proto == proto::UDP
    }
    /// The same flow seen from the other end (echo request ↔ reply).
    pub fn reversed(&self) -> Header6 {
        let (sport, dport) = ICMP6.reversed_ports(self.proto, self.sport, self.dport);
        Header6 {
            src: self.dst,
            dst: self.src,
            proto: self.proto,
            sport,
            dport,
        }
    }
}

/// ICMPv6 for the header code shared with IPv4 (`header::IcmpFamily`).
const ICMP6: IcmpFamily = IcmpFamily {
    proto: proto::ICMPV6,
    echo_request: ICMPV6_ECHO_REQUEST,
    echo_reply: ICMPV6_ECHO_REPLY,
    word: "icmpv6",
};

impl fmt::Display for Header6 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ICMP6.fmt_header(
            f, self.proto, self.src, self.dst, self.sport, self.dport, true,
        )
    }
}

/// A header of either family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum IpHeader {
    /// An IPv4 packet's.
    V4(super::Header),
    /// An IPv6 packet's.
    V6(Header6),
}

impl IpHeader {
    /// The destination port (tcp/udp) or ICMP type/code word.
    pub fn dport(&self) -> u16 {
        match self {
            IpHeader::V4(h) => h.dport,
            IpHeader::V6(h) => h.dport,
        }
    }
    /// The IPv4 header, when it is one.
    pub fn v4(&self) -> Option<&super::Header> {
        match self {
            IpHeader::V4(h) => Some(h),
            IpHeader::V6(_) => None,
        }
    }
    /// The IPv6 header, when it is one.
    pub fn v6(&self) -> Option<&Header6> {
        match self {
            IpHeader::V4(_) => None,
            IpHeader::V6(h) => Some(h),
        }
    }
    /// True for an IPv6 header.
    pub fn is_ipv6(&self) -> bool {
        matches!(self, IpHeader::V6(_))
    }
    /// The source address.
    pub fn src(&self) -> IpAddr {
        match self {
            IpHeader::V4(h) => h.src.into(),
            IpHeader::V6(h) => h.src.into(),
        }
    }
    /// The destination address.
    pub fn dst(&self) -> IpAddr {
        match self {
            IpHeader::V4(h) => h.dst.into(),
            IpHeader::V6(h) => h.dst.into(),
        }
    }
    /// The protocol number (IANA: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6).
    pub fn proto(&self) -> u8 {
        match self {
            IpHeader::V4(h) => h.proto,
            IpHeader::V6(h) => h.proto,
        }
    }
    /// The source port (tcp/udp) or ICMP echo identifier.
    pub fn sport(&self) -> u16 {
        match self {
            IpHeader::V4(h) => h.sport,
            IpHeader::V6(h) => h.sport,
        }
    }
    /// True for TCP or UDP.
    pub fn has_ports(&self) -> bool {
        match self {
            IpHeader::V4(h) => h.has_ports(),
            IpHeader::V6(h) => h.has_ports(),
        }
    }
    /// The ICMP (or ICMPv6) type, the high byte of `dport`.
    pub fn icmp_type(&self) -> u8 {
        (self.dport() >> 8) as u8
    }
    /// The ICMP (or ICMPv6) code, the low byte of `dport`.
    pub fn icmp_code(&self) -> u8 {
        (self.dport() & 0xff) as u8
    }
    /// A header of the family of `src` and `dst` with these fields; None when the two
    /// addresses are of different families.
    pub fn from_parts(src: IpAddr, dst: IpAddr, proto: u8, sport: u16, dport: u16) -> Option<Self> {
        match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                Some(IpHeader::V4(super::Header::l4(s, d, proto, sport, dport)))
            }
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                Some(IpHeader::V6(Header6::l4(s, d, proto, sport, dport)))
            }
            _ => None,
        }
    }
}

impl From<super::Header> for IpHeader {
    fn from(h: super::Header) -> Self {
        IpHeader::V4(h)
    }
}

impl From<Header6> for IpHeader {
    fn from(h: Header6) -> Self {
        IpHeader::V6(h)
    }
}

impl fmt::Display for IpHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpHeader::V4(h) => h.fmt(f),
            IpHeader::V6(h) => h.fmt(f),
        }
    }
}
