//! Parsing the small textual values of the format (CIDRs, port ranges, protocols, references),
//! shared by validation and the model so both read them the same way. Part of `topology`
//! (rank 0). Values come out as plain numbers and addresses; the model wraps them into its typed
//! primitives (`model::PortRange`, `model::Protocol`). Errors are one-line messages for a
//! diagnostic.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Parses `80`, `1024-65535` (also `all`/`*` = 0-65535) into its first and last port
/// (inclusive). The model wraps the pair as `model::PortRange`.
pub fn port_range(s: &str) -> Result<(u16, u16), String> {
    let s = s.trim();
    if s == "all" || s == "*" {
        return Ok((0, 65535));
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
            Ok((from, to))
        }
        _ => {
            let p = parse(s)?;
            Ok((p, p))
        }
    }
}

/// The IANA numbers of the protocols the format names by word (the model's `proto` holds the
/// ones the decision core uses).
const ICMP: u8 = 1;
const TCP: u8 = 6;
const UDP: u8 = 17;
/// ICMPv6 (58): AWS's `icmpv6` (SG `IpProtocol "icmpv6"`, NACL `Protocol "58"`).
const ICMPV6: u8 = 58;

/// Parses `tcp`, `udp`, `icmp`, `all`, `-1` or a number 0..255 into an IP protocol number,
/// `None` meaning every protocol. The model wraps it as `model::Protocol`.
pub fn protocol(s: &str) -> Result<Option<u8>, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "tcp" | "6" => Ok(Some(TCP)),
        "udp" | "17" => Ok(Some(UDP)),
        "icmp" | "1" => Ok(Some(ICMP)),
        "icmpv6" | "58" => Ok(Some(ICMPV6)),
        "all" | "-1" | "*" => Ok(None),
        other => match other.parse::<u8>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(format!(
                "`{s}` is not a protocol (tcp, udp, icmp, all, or a number 0..255)"
            )),
        },
    }
}

/// How the format writes a protocol (`None` = every protocol): `all`, `tcp`, `udp`, `icmp`
/// or the number.
pub fn protocol_word(p: Option<u8>) -> String {
    match p {
        None => "all".into(),
        Some(TCP) => "tcp".into(),
        Some(UDP) => "udp".into(),
        Some(ICMP) => "icmp".into(),
        Some(ICMPV6) => "icmpv6".into(),
        Some(n) => n.to_string(),
    }
}

/// True when rules of this protocol take `ports` (tcp and udp only).
pub fn takes_ports(p: Option<u8>) -> bool {
    matches!(p, Some(TCP) | Some(UDP))
}

/// True when this protocol is ICMP or ICMPv6 (the ones that take an `icmp:` filter).
pub fn is_icmp(p: Option<u8>) -> bool {
    p == Some(ICMP) || p == Some(ICMPV6)
}

/// Refuses a dotted IPv4 address (or the address of a CIDR) with a leading zero in an octet:
/// `010.010.0.0` is 10.10.0.0 to some tools and 8.8.0.0 (octal) to others, so it is neither.
pub fn leading_zero(s: &str) -> Result<(), String> {
    let addr = s.trim().split('/').next().unwrap_or("");
    let octets: Vec<&str> = addr.split('.').collect();
    let dotted = octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.bytes().all(|b| b.is_ascii_digit()));
    match octets.iter().find(|o| o.len() > 1 && o.starts_with('0')) {
        Some(o) if dotted => Err(format!(
            "`{}` has a leading zero in `{o}`, which some tools read as octal",
            s.trim()
        )),
        _ => Ok(()),
    }
}

/// The hint for [`leading_zero`]'s error: the value in decimal without the zeros.
pub fn leading_zero_hint(s: &str) -> Option<String> {
    leading_zero(s).err()?;
    let s = s.trim();
    let (addr, prefix) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
    let fixed: Vec<String> = addr
        .split('.')
        .map(|o| o.trim_start_matches('0'))
        .map(|o| {
            if o.is_empty() {
                "0".into()
            } else {
                o.to_string()
            }
        })
        .collect();
    let fixed = fixed.join(".");
    let fixed = prefix.map_or(fixed.clone(), |p| format!("{fixed}/{p}"));
    Some(format!("write it without leading zeros: {fixed}"))
}

/// Parses an IPv4 CIDR strictly: the address must be the network address, written in
/// decimal without leading zeros.
pub fn cidr(s: &str) -> Result<Ipv4Net, String> {
    let s = s.trim();
    leading_zero(s)?;
    let net: Ipv4Net = s.parse().map_err(|_| {
        if s.contains(':') {
            format!("`{s}` is IPv6; this key takes an IPv4 CIDR")
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

/// Parses a dotted-quad IPv4 address (surrounding spaces ignored; decimal octets, a leading zero
/// is an error since other tools read it as octal); the error suggests the form.
pub fn ipv4(s: &str) -> Result<Ipv4Addr, String> {
    leading_zero(s)?;
    s.trim()
        .parse()
        .map_err(|_| format!("`{s}` is not an IPv4 address such as 10.0.1.10"))
}

/// True when the name is non-empty and matches `[a-z0-9-]+` (the rule for every user-chosen
/// name).
pub fn is_valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A parsed SG peer (`source` / `destination`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerRef {
    /// A CIDR (`10.0.0.0/16`, `0.0.0.0/0`).
    Cidr(Ipv4Net),
    /// A security group reference: `sg:NAME` (a group of the rule's own VPC, `vpc` None) or
    /// `sg:VPC/NAME` (a group of a peered VPC).
    Sg {
        /// The VPC of the group, when the reference names one.
        vpc: Option<String>,
        /// The group's name (its key under `security_groups:`).
        name: String,
    },
    /// `pl:NAME`: every CIDR of a prefix list (its key under `prefix_lists:`).
    PrefixList(String),
}

/// `pl:NAME` → `NAME`; None for anything else.
pub fn prefix_list_ref(s: &str) -> Option<&str> {
    s.strip_prefix("pl:").filter(|n| !n.is_empty())
}

/// Parses an SG rule's `source` / `destination`: `sg:NAME`, `sg:VPC/NAME`, `pl:NAME` or a
/// CIDR. An AWS id (`sg-...`) is refused with a hint to use the name.
pub fn peer_ref(s: &str) -> Result<PeerRef, String> {
    if let Some(n) = prefix_list_ref(s) {
        return Ok(PeerRef::PrefixList(n.to_string()));
    }
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
    /// `igw`: the VPC's internet gateway (`igw:ANYTHING` is read as `igw` too).
    Igw,
    /// `nat:NAME`: a NAT gateway of the VPC.
    Nat(String),
    /// `pcx:NAME`: a peering connection.
    Pcx(String),
    /// `instance:NAME`: an instance's primary ENI (a NAT instance, say).
    Instance(String),
    /// `blackhole`: a route whose target is gone (AWS's `State: blackhole`); it drops.
    Blackhole,
    /// `tgw:NAME` or an id `tgw-…` (written `aws_id` or derived): a transit gateway.
    Tgw(String),
    /// `vgw:NAME` or an id `vgw-…`: a virtual private gateway.
    Vgw(String),
}

/// Parses a route's `target`: `igw`, `local`, `nat:NAME`, `pcx:NAME`, `instance:NAME`,
/// `tgw:NAME`, `vgw:NAME` (or a `tgw-…`/`vgw-…` id, resolved by validation) or `blackhole`;
/// the error lists the forms.
pub fn target_ref(s: &str) -> Result<TargetRef, String> {
    let bad = || {
        format!("`{s}` is not a route target (igw, nat:NAME, pcx:NAME, instance:NAME, tgw:NAME, vgw:NAME or blackhole)")
    };
    if s.len() > 4 && (s.starts_with("tgw-") || s.starts_with("vgw-")) && !s.contains(':') {
        return Ok(if s.starts_with("tgw-") {
            TargetRef::Tgw(s.to_string())
        } else {
            TargetRef::Vgw(s.to_string())
        });
    }
    match s.split_once(':') {
        None if s == "igw" => Ok(TargetRef::Igw),
        None if s == "blackhole" => Ok(TargetRef::Blackhole),
        None if s == "local" => Ok(TargetRef::Local),
        Some(("igw", _)) => Ok(TargetRef::Igw),
        Some((k, n)) if !n.is_empty() => match k {
            "nat" => Ok(TargetRef::Nat(n.to_string())),
            "pcx" => Ok(TargetRef::Pcx(n.to_string())),
            "instance" => Ok(TargetRef::Instance(n.to_string())),
            "tgw" => Ok(TargetRef::Tgw(n.to_string())),
            "vgw" => Ok(TargetRef::Vgw(n.to_string())),
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
        assert_eq!(port_range("80").unwrap(), (80, 80));
        assert_eq!(port_range("1024-65535").unwrap(), (1024, 65535));
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
    fn octal_looking_addresses_are_refused() {
        assert!(cidr("010.010.0.0/16")
            .unwrap_err()
            .contains("leading zero in `010`"));
        assert!(ipv4("10.0.1.010")
            .unwrap_err()
            .contains("leading zero in `010`"));
        assert!(peer_ref("00.0.0.0/0").is_err());
        assert!(cidr("0.0.0.0/0").is_ok() && ipv4("10.0.0.0").is_ok());
        assert_eq!(
            leading_zero_hint("010.010.0.0/16").as_deref(),
            Some("write it without leading zeros: 10.10.0.0/16")
        );
    }

    #[test]
    fn protocols_and_refs() {
        assert_eq!(protocol("tcp").unwrap(), Some(6));
        assert_eq!(protocol("-1").unwrap(), None);
        assert_eq!(protocol_word(Some(17)), "udp");
        assert!(takes_ports(Some(6)) && !takes_ports(None) && is_icmp(Some(1)));
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
        assert_eq!(target_ref("tgw:hub").unwrap(), TargetRef::Tgw("hub".into()));
        assert_eq!(
            target_ref("vgw-0a1b").unwrap(),
            TargetRef::Vgw("vgw-0a1b".into())
        );
    }
}
