//! The header fields every policy decision reads ([`Header`]), with the ICMP type/code and echo
//! id packed into the port fields so one shape serves TCP, UDP and ICMP.

use crate::model::proto;
use serde::Serialize;
use std::fmt;
use std::net::Ipv4Addr;

/// The header fields policy looks at (IPv4), after any NAT upstream of the component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Header {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// IP protocol number (IANA: 6 TCP, 17 UDP, 1 ICMP).
    pub proto: u8,
    /// TCP/UDP source port; ICMP: the echo identifier (0 otherwise).
    pub sport: u16,
    /// TCP/UDP destination port; ICMP: `type << 8 | code`.
    pub dport: u16,
}

impl Header {
    /// A header with these ports (meant for TCP and UDP; no check is made).
    pub fn l4(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, sport: u16, dport: u16) -> Self {
        Header {
            src,
            dst,
            proto,
            sport,
            dport,
        }
    }
    /// An ICMP header: `dport` carries `icmp_type << 8 | code`, `sport` the echo identifier `id`.
    pub fn icmp(src: Ipv4Addr, dst: Ipv4Addr, icmp_type: u8, code: u8, id: u16) -> Self {
        Header {
            src,
            dst,
            proto: proto::ICMP,
            sport: id,
            dport: (icmp_type as u16) << 8 | code as u16,
        }
    }
    /// ICMP type (the high byte of `dport`); meaningless for other protocols.
    pub fn icmp_type(&self) -> u8 {
        (self.dport >> 8) as u8
    }
    /// ICMP code (the low byte of `dport`); meaningless for other protocols.
    pub fn icmp_code(&self) -> u8 {
        (self.dport & 0xff) as u8
    }
    /// True for TCP or UDP, the protocols whose ports rules match.
    pub fn has_ports(&self) -> bool {
        self.proto == proto::TCP || self.proto == proto::UDP
    }
    /// The same flow seen from the other end (ICMP echo request ↔ reply).
    pub fn reversed(&self) -> Header {
        let (sport, dport) = ICMP4.reversed_ports(self.proto, self.sport, self.dport);
        Header {
            src: self.dst,
            dst: self.src,
            proto: self.proto,
            sport,
            dport,
        }
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ICMP4.fmt_header(
            f, self.proto, self.src, self.dst, self.sport, self.dport, false,
        )
    }
}

/// What the IPv4 and IPv6 headers' shared code needs to know of their ICMP: the protocol number,
/// the echo request/reply types a reversed flow swaps, and the word a header is printed with.
pub(crate) struct IcmpFamily {
    /// IP protocol number of this family's ICMP (1, or 58 for ICMPv6).
    pub proto: u8,
    /// Echo request type (8, or 128).
    pub echo_request: u8,
    /// Echo reply type (0, or 129).
    pub echo_reply: u8,
    /// How `Display` names the protocol (`icmp`, `icmpv6`).
    pub word: &'static str,
}

/// IPv4's ICMP (RFC 792).
pub(crate) const ICMP4: IcmpFamily = IcmpFamily {
    proto: proto::ICMP,
    echo_request: 8,
    echo_reply: 0,
    word: "icmp",
};

impl IcmpFamily {
    /// The `(sport, dport)` of the flow seen from the other end: ports swapped, or for this
    /// family's ICMP the echo id kept and an echo request ↔ reply type swapped (code kept).
    #[inline]
    pub fn reversed_ports(&self, proto: u8, sport: u16, dport: u16) -> (u16, u16) {
        if proto != self.proto {
            return (dport, sport);
        }
        let t = match (dport >> 8) as u8 {
            t if t == self.echo_request => self.echo_reply,
            t if t == self.echo_reply => self.echo_request,
            t => t,
        };
        (sport, (t as u16) << 8 | (dport & 0xff))
    }

    /// Writes a header as decisions print it: `tcp SRC:SPORT → DST:DPORT` (addresses in
    /// brackets when `bracket`, as IPv6 wants), `WORD SRC → DST type T code C` for this family's
    /// ICMP, `PROTO SRC → DST` for the rest.
    #[allow(clippy::too_many_arguments)]
    pub fn fmt_header<A: fmt::Display>(
        &self,
        f: &mut fmt::Formatter<'_>,
        proto: u8,
        src: A,
        dst: A,
        sport: u16,
        dport: u16,
        bracket: bool,
    ) -> fmt::Result {
        let p = crate::model::protocol_name(proto);
        if proto == proto::TCP || proto == proto::UDP {
            if bracket {
                write!(f, "{p} [{src}]:{sport} → [{dst}]:{dport}")
            } else {
                write!(f, "{p} {src}:{sport} → {dst}:{dport}")
            }
        } else if proto == self.proto {
            write!(
                f,
                "{} {src} → {dst} type {} code {}",
                self.word,
                dport >> 8,
                dport & 0xff
            )
        } else {
            write!(f, "{p} {src} → {dst}")
        }
    }
}
