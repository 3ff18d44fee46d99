//! Parsing the small textual values of the format (CIDRs, port ranges, protocols, references),
//! shared by validation and the model so both read them the same way.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// An inclusive port range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct PortRange {
    /// First port.
    pub from: u16,
    /// Last port (inclusive).
    pub to: u16,
}

impl PortRange {
    /// Every port.
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };
    /// True when `p` is inside.
    pub fn contains(&self, p: u16) -> bool {
        self.from <= p && p <= self.to
    }
    /// True when this is 0-65535.
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

/// Parses `80`, `1024-65535` (also `all`/`*` = 0-65535).
pub fn port_range(s: &str) -> Result<PortRange, String> {
    let s = s.trim();
    if s == "all" || s == "*" {
        return Ok(PortRange::ALL);
    }
    let parse = |p: &str| -> Result<u16, String> {
        let n: i64 = p
            .trim()
            .parse()
            .map_err(|_| format!("`{p}` is not a port number"))?;
        u16::try_from(n).map_err(|_| format!("port {n} is outside 0..65535"))
    };
    match s.split_once('-') {
        Some((a, b)) if !a.trim().is_empty() => {
            let (from, to) = (parse(a)?, parse(b)?);
            if from > to {
                return Err(format!("the range {from}-{to} runs backwards"));
            }
            Ok(PortRange { from, to })
        }
        _ => {
            let p = parse(s)?;
            Ok(PortRange { from: p, to: p })
        }
    }
}

/// IP protocol numbers used by the format.
pub mod proto {
    /// ICMP.
    pub const ICMP: u8 = 1;
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
}

/// A rule's protocol: one IP protocol or all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Protocol {
    /// Every protocol (`all`, `-1`).
    All,
    /// One IP protocol number.
    Number(u8),
}

impl Protocol {
    /// True when the rule's protocol covers packet protocol `p`.
    pub fn matches(&self, p: u8) -> bool {
        match self {
            Protocol::All => true,
            Protocol::Number(n) => *n == p,
        }
    }
    /// True for tcp or udp (which take port ranges).
    pub fn has_ports(&self) -> bool {
        matches!(
            self,
            Protocol::Number(proto::TCP) | Protocol::Number(proto::UDP)
        )
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Protocol::All => f.write_str("all"),
            Protocol::Number(n) => f.write_str(&protocol_name(*n)),
        }
    }
}

/// `tcp`, `udp`, `icmp` or the number.
pub fn protocol_name(n: u8) -> String {
    match n {
        proto::TCP => "tcp".into(),
        proto::UDP => "udp".into(),
        proto::ICMP => "icmp".into(),
        n => n.to_string(),
    }
}

/// Parses `tcp`, `udp`, `icmp`, `all`, `-1` or a number 0..255.
pub fn protocol(s: &str) -> Result<Protocol, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "tcp" | "6" => Ok(Protocol::Number(proto::TCP)),
        "udp" | "17" => Ok(Protocol::Number(proto::UDP)),
        "icmp" | "1" => Ok(Protocol::Number(proto::ICMP)),
        "all" | "-1" | "*" => Ok(Protocol::All),
        other => match other.parse::<u8>() {
            Ok(n) => Ok(Protocol::Number(n)),
            Err(_) => Err(format!(
                "`{s}` is not a protocol (tcp, udp, icmp, all, or a number 0..255)"
            )),
        },
    }
}

/// Parses an IPv4 CIDR strictly: the address must be the network address.
pub fn cidr(s: &str) -> Result<Ipv4Net, String> {
    let s = s.trim();
    let net: Ipv4Net = s.parse().map_err(|_| {
        if s.contains(':') {
            format!("`{s}` is IPv6; vpclab models IPv4 only")
        } else if !s.contains('/') && s.parse::<Ipv4Addr>().is_ok() {
            format!("`{s}` has no prefix length (write it as {s}/32 for one address)")
        } else {
            format!("`{s}` is not an IPv4 CIDR such as 10.0.0.0/16")
        }
    })?;
    if net.network() != net.addr() {
        return Err(format!(
            "`{s}` has host bits set; its network address is {}",
            net.trunc()
        ));
    }
    Ok(net)
}

/// Parses an IPv4 address.
pub fn ipv4(s: &str) -> Result<Ipv4Addr, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("`{s}` is not an IPv4 address such as 10.0.1.10"))
}

/// True when the name matches `[a-z0-9-]+`.
pub fn is_valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A parsed SG peer (`source` / `destination`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerRef {
    /// A CIDR.
    Cidr(Ipv4Net),
    /// `sg:NAME` (VPC None) or `sg:VPC/NAME`.
    Sg {
        /// The VPC of the group, when named.
        vpc: Option<String>,
        /// The group's name.
        name: String,
    },
}

/// Parses an SG peer.
pub fn peer_ref(s: &str) -> Result<PeerRef, String> {
    if let Some(rest) = s.strip_prefix("sg:") {
        return match rest.split_once('/') {
            Some((v, n)) if !v.is_empty() && !n.is_empty() => Ok(PeerRef::Sg {
                vpc: Some(v.to_string()),
                name: n.to_string(),
            }),
            None if !rest.is_empty() => Ok(PeerRef::Sg {
                vpc: None,
                name: rest.to_string(),
            }),
            _ => Err(format!("`{s}` is not `sg:NAME` or `sg:VPC/NAME`")),
        };
    }
    if s.starts_with("sg-") {
        return Err(format!(
            "`{s}` looks like an AWS id; refer to groups by name as `sg:NAME`"
        ));
    }
    cidr(s).map(PeerRef::Cidr)
}

/// A parsed route target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetRef {
    /// `local` (only allowed where AWS allows it: it is implicit).
    Local,
    /// `igw`.
    Igw,
    /// `nat:NAME`.
    Nat(String),
    /// `pcx:NAME`.
    Pcx(String),
    /// `instance:NAME`.
    Instance(String),
}

/// Parses a route target.
pub fn target_ref(s: &str) -> Result<TargetRef, String> {
    let bad = || format!("`{s}` is not a route target (igw, nat:NAME, pcx:NAME or instance:NAME)");
    match s.split_once(':') {
        None if s == "igw" => Ok(TargetRef::Igw),
        None if s == "local" => Ok(TargetRef::Local),
        Some(("igw", _)) => Ok(TargetRef::Igw),
        Some((k, n)) if !n.is_empty() => match k {
            "nat" => Ok(TargetRef::Nat(n.to_string())),
            "pcx" => Ok(TargetRef::Pcx(n.to_string())),
            "instance" => Ok(TargetRef::Instance(n.to_string())),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// Parses a service `KIND:PORT` (`http:80`, `tcp:5432`, `udp:9000`) into its kind word
/// (`http`, `tcp` or `udp`) and a port 1..65535; the error says what is wrong.
pub fn service(s: &str) -> Result<(&str, u16), String> {
    let (k, p) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not a service such as http:80, tcp:5432 or udp:9000"))?;
    let port: u16 = p
        .parse()
        .map_err(|_| format!("`{p}` is not a port number 1..65535"))?;
    if port == 0 {
        return Err("port 0 cannot be listened on".into());
    }
    match k {
        "http" | "tcp" | "udp" => Ok((k, port)),
        _ => Err(format!("`{k}` is not a service kind (http, tcp or udp)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        assert_eq!(port_range("80").unwrap(), PortRange { from: 80, to: 80 });
        assert_eq!(
            port_range("1024-65535").unwrap(),
            PortRange {
                from: 1024,
                to: 65535
            }
        );
        assert!(port_range("70000").is_err());
        assert!(port_range("90-80").is_err());
        assert!(port_range("x").is_err());
        assert!(port_range("-1").is_err());
    }

    #[test]
    fn cidrs() {
        assert!(cidr("10.0.0.0/16").is_ok());
        assert!(cidr("10.0.0.1/16").unwrap_err().contains("host bits"));
        assert!(cidr("10.0.0.0").unwrap_err().contains("prefix"));
        assert!(cidr("10.0.0.0/33").is_err());
    }

    #[test]
    fn protocols_and_refs() {
        assert_eq!(protocol("tcp").unwrap(), Protocol::Number(6));
        assert_eq!(protocol("-1").unwrap(), Protocol::All);
        assert!(protocol("tcpp").is_err());
        assert_eq!(
            peer_ref("sg:shared/db").unwrap(),
            PeerRef::Sg {
                vpc: Some("shared".into()),
                name: "db".into()
            }
        );
        assert_eq!(
            target_ref("nat:nat-a").unwrap(),
            TargetRef::Nat("nat-a".into())
        );
        assert!(target_ref("vgw").is_err());
    }
}
