//! Protocols and ports as AWS writes them in SG permissions and NACL entries (`-1`, words or
//! numbers as text; `-1` ports meaning all; ICMP type and code in the port fields of SGs) →
//! the format's values; IPv6's ICMP (`icmpv6`, 58) is `icmpv6`, with type and code as ICMP's.

use super::super::doc::{Icmp, Ports, Protocol};

/// A protocol as imported.
pub fn protocol(text: &str) -> Result<Protocol, String> {
    let t = text.trim().to_ascii_lowercase();
    Ok(match t.as_str() {
        "-1" | "all" => Protocol::All,
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "icmp" => Protocol::Icmp,
        "icmpv6" | "58" => Protocol::Icmpv6,
        n => match n.parse::<u8>() {
            Ok(n) => Protocol::from_number(n),
            Err(_) => return Err(format!("`{text}` is not a protocol")),
        },
    })
}

/// A port of AWS (`-1` or absent = none given) as a u16.
fn port(p: Option<i64>) -> Option<u16> {
    p.and_then(|p| u16::try_from(p).ok())
}

/// The port range of a tcp/udp rule (all when AWS gives none or `-1`; a backwards range is
/// read the right way round).
pub fn ports(from: Option<i64>, to: Option<i64>) -> Ports {
    match (port(from), port(to)) {
        (Some(a), Some(b)) => Ports {
            from: a.min(b),
            to: a.max(b),
        },
        (Some(a), None) | (None, Some(a)) if from != Some(-1) && to != Some(-1) => {
            Ports { from: a, to: a }
        }
        _ => Ports::ALL,
    }
}

/// An ICMP type and code (-1 or out of range = any; a code only counts with a type).
pub fn icmp(icmp_type: Option<i64>, code: Option<i64>) -> Option<Icmp> {
    let t = icmp_type.and_then(|t| u8::try_from(t).ok())?;
    Some(Icmp {
        icmp_type: Some(t),
        code: code.and_then(|c| u8::try_from(c).ok()),
    })
}

/// The ports and ICMP fields of a rule of protocol `p`.
pub fn fields(p: Protocol, from: Option<i64>, to: Option<i64>) -> (Option<Ports>, Option<Icmp>) {
    match p {
        Protocol::Tcp | Protocol::Udp => (Some(ports(from, to)), None),
        Protocol::Icmp | Protocol::Icmpv6 => (None, icmp(from, to)),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_protocols_and_ports() {
        assert_eq!(protocol("-1"), Ok(Protocol::All));
        assert_eq!(protocol("6"), Ok(Protocol::Tcp));
        assert_eq!(protocol("50"), Ok(Protocol::Number(50)));
        assert_eq!(protocol("icmpv6"), Ok(Protocol::Icmpv6));
        assert_eq!(protocol("58"), Ok(Protocol::Icmpv6));
        assert!(protocol("gre").is_err());
        assert_eq!(ports(None, None), Ports::ALL);
        assert_eq!(ports(Some(-1), Some(-1)), Ports::ALL);
        assert_eq!(ports(Some(443), Some(80)), Ports { from: 80, to: 443 });
        // FromPort 8, ToPort -1: echo request, any code.
        let i = icmp(Some(8), Some(-1)).unwrap();
        assert_eq!((i.icmp_type, i.code), (Some(8), None));
        assert_eq!(icmp(Some(-1), Some(0)), None);
    }
}
