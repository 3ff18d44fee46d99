//! The primitives the decision core matches packets with: IP protocol numbers, a rule's
//! protocol, port ranges and ICMP type/code filters. `topology::parse` reads their text; these
//! types wrap what it returns, so policy, engine and reach never look at the file format.

use crate::topology::parse;
use serde::Serialize;

/// IP protocol numbers (IANA) the emulator handles by name.
pub mod proto {
    /// ICMP (1).
    pub const ICMP: u8 = 1;
    /// TCP (6).
    pub const TCP: u8 = 6;
    /// UDP (17).
    pub const UDP: u8 = 17;
    /// ICMPv6 (58).
    pub const ICMPV6: u8 = 58;
}

/// An inclusive port range; `from <= to` for every range the parser builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PortRange {
    /// First port.
    pub from: u16,
    /// Last port, inclusive.
    pub to: u16,
}

impl PortRange {
    /// Every port, 0-65535: what a rule without ports (or a non-tcp/udp rule) matches.
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };
    /// Parses the format's `80`, `1024-65535`, `all` or `*` (see `topology::parse::port_range`).
    pub fn parse(s: &str) -> Result<PortRange, String> {
        parse::port_range(s).map(|(from, to)| PortRange { from, to })
    }
    /// True when `from <= p <= to`.
    pub fn contains(&self, p: u16) -> bool {
        self.from <= p && p <= self.to
    }
    /// True when this is 0-65535 (displayed by outputs as "all ports").
    pub fn is_all(&self) -> bool {
        *self == Self::ALL
    }
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// A rule's protocol: one IP protocol number or all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Protocol {
    /// Every protocol (written `all` or `-1`, as AWS's `-1`).
    All,
    /// One IP protocol number (IANA), e.g. 6 for TCP.
    Number(u8),
}

impl Protocol {
    /// Parses the format's `tcp`, `udp`, `icmp`, `all`, `-1` or a number (see
    /// `topology::parse::protocol`).
    pub fn parse(s: &str) -> Result<Protocol, String> {
        parse::protocol(s).map(Protocol::from)
    }
    /// The protocol number; None for `All`.
    pub fn number(&self) -> Option<u8> {
        match self {
            Protocol::All => None,
            Protocol::Number(n) => Some(*n),
        }
    }
    /// True when the rule's protocol covers packet protocol `p`.
    pub fn matches(&self, p: u8) -> bool {
        match self {
            Protocol::All => true,
            Protocol::Number(n) => *n == p,
        }
    }
    /// True for tcp or udp, the protocols whose rules take port ranges (AWS ignores ports for
    /// the others).
    pub fn has_ports(&self) -> bool {
        parse::takes_ports(self.number())
    }
}

impl From<Option<u8>> for Protocol {
    /// `None` (what `topology::parse::protocol` returns for `all`) is every protocol.
    fn from(p: Option<u8>) -> Protocol {
        p.map_or(Protocol::All, Protocol::Number)
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&parse::protocol_word(self.number()))
    }
}

/// `tcp`, `udp`, `icmp` or the number, as the format and every output write it.
pub fn protocol_name(n: u8) -> String {
    parse::protocol_word(Some(n))
}

/// ICMP type/code filter; a None field matches any value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IcmpMatch {
    /// ICMP type; None matches every type.
    pub icmp_type: Option<u8>,
    /// ICMP code; None matches every code.
    pub code: Option<u8>,
}

impl IcmpMatch {
    /// True when both the type and the code are covered.
    pub fn matches(&self, t: u8, c: u8) -> bool {
        self.icmp_type.is_none_or(|x| x == t) && self.code.is_none_or(|x| x == c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_the_format() {
        assert_eq!(
            PortRange::parse("80").unwrap(),
            PortRange { from: 80, to: 80 }
        );
        assert!(PortRange::parse("all").unwrap().is_all());
        assert_eq!(
            Protocol::parse("tcp").unwrap(),
            Protocol::Number(proto::TCP)
        );
        assert_eq!(Protocol::parse("-1").unwrap(), Protocol::All);
        assert!(Protocol::Number(proto::UDP).has_ports() && !Protocol::All.has_ports());
        assert_eq!(Protocol::Number(proto::ICMP).to_string(), "icmp");
        assert_eq!(Protocol::All.to_string(), "all");
        assert_eq!(protocol_name(47), "47");
    }
}
