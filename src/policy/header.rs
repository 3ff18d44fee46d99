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
        if self.proto == proto::ICMP {
            let t = match self.icmp_type() {
                8 => 0,
                0 => 8,
                t => t,
            };
            Header::icmp(self.dst, self.src, t, self.icmp_code(), self.sport)
        } else {
            Header {
                src: self.dst,
                dst: self.src,
                proto: self.proto,
                sport: self.dport,
                dport: self.sport,
            }
        }
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = crate::model::protocol_name(self.proto);
        if self.has_ports() {
            write!(
                f,
                "{p} {}:{} → {}:{}",
                self.src, self.sport, self.dst, self.dport
            )
        } else if self.proto == proto::ICMP {
            write!(
                f,
                "icmp {} → {} type {} code {}",
                self.src,
                self.dst,
                self.icmp_type(),
                self.icmp_code()
            )
        } else {
            write!(f, "{p} {} → {}", self.src, self.dst)
        }
    }
}
