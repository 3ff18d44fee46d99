//! Typed reads of provider attributes. Terraform writes numbers and booleans as JSON numbers
//! and booleans, but a raw v3 state (and some providers) write them as strings, so both are
//! accepted; a value of the wrong shape reads as absent, never as an error.

use crate::import::doc::{Ports, Protocol};
use ipnet::Ipv4Net;
use serde_json::{Map, Value};
use std::net::Ipv4Addr;

/// Attributes of one resource (or one nested block).
pub type Attrs = Map<String, Value>;

/// A non-empty string attribute.
pub fn text<'a>(a: &'a Attrs, k: &str) -> Option<&'a str> {
    a.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A boolean (`true`, or the string `"true"`).
pub fn flag(a: &Attrs, k: &str) -> Option<bool> {
    match a.get(k)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// An integer (a JSON number or a decimal string).
pub fn int(a: &Attrs, k: &str) -> Option<i64> {
    match a.get(k)? {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An IPv4 CIDR written as its network address; None when absent or not one.
pub fn cidr(a: &Attrs, k: &str) -> Option<Ipv4Net> {
    parse_cidr(text(a, k)?)
}

/// `s` as an IPv4 network (host bits refused, as the format refuses them).
pub fn parse_cidr(s: &str) -> Option<Ipv4Net> {
    let n: Ipv4Net = s.trim().parse().ok()?;
    (n.trunc() == n).then_some(n)
}

/// An IPv4 address attribute.
pub fn addr(a: &Attrs, k: &str) -> Option<Ipv4Addr> {
    text(a, k)?.trim().parse().ok()
}

/// A list of strings (entries of other types left out).
pub fn strings<'a>(a: &'a Attrs, k: &str) -> Vec<&'a str> {
    match a.get(k) {
        Some(Value::Array(v)) => v
            .iter()
            .filter_map(Value::as_str)
            .filter(|s| !s.is_empty())
            .collect(),
        _ => vec![],
    }
}

/// A list of nested blocks (`ingress`, `route`); an object alone counts as one.
pub fn blocks<'a>(a: &'a Attrs, k: &str) -> Vec<&'a Attrs> {
    match a.get(k) {
        Some(Value::Array(v)) => v.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(o)) => vec![o],
        _ => vec![],
    }
}

/// The `Name` tag.
pub fn name_tag(a: &Attrs) -> Option<&str> {
    a.get("tags")?
        .get("Name")?
        .as_str()
        .filter(|s| !s.is_empty())
}

/// An AWS id attribute (`id`) when it has the expected prefix (`vpc-`) and the format's
/// shape.
pub fn aws_id(a: &Attrs, prefix: &str) -> Option<String> {
    valid_id(text(a, "id")?, prefix)
}

/// `id` when it is `PREFIX` + `[a-z0-9-]`, at most 64 characters, as the format takes ids
/// (a test's `vpc-32E071F6` is not).
pub fn valid_id(id: &str, prefix: &str) -> Option<String> {
    let rest = id.strip_prefix(prefix)?;
    let ok = !rest.is_empty()
        && id.len() <= 64
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then(|| id.to_string())
}

/// A protocol as Terraform writes it: a name (`tcp`, `all`) or a number (`"6"`, `-1`).
/// `icmpv6` and 58 are ICMPv6.
pub fn protocol(s: &str) -> Option<Protocol> {
    match s.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => Some(Protocol::All),
        "tcp" => Some(Protocol::Tcp),
        "udp" => Some(Protocol::Udp),
        "icmp" => Some(Protocol::Icmp),
        "icmpv6" => Some(Protocol::Icmpv6),
        n => n.parse::<u8>().ok().map(Protocol::from_number),
    }
}

/// The protocol attribute `k`, as a string or a number.
pub fn protocol_at(a: &Attrs, k: &str) -> Option<Protocol> {
    match a.get(k)? {
        Value::String(s) => protocol(s),
        Value::Number(n) => protocol(&n.to_string()),
        _ => None,
    }
}

/// The port range of a tcp/udp rule from `from_key`..`to_key`; None when not a valid range.
/// Terraform writes every port of "all" traffic as 0..0, and 0..65535 for a whole range.
pub fn ports(a: &Attrs, from_key: &str, to_key: &str) -> Option<Ports> {
    let from = int(a, from_key)?;
    let to = int(a, to_key).unwrap_or(from);
    if from == -1 && to == -1 {
        return Some(Ports::ALL);
    }
    let (from, to) = (u16::try_from(from).ok()?, u16::try_from(to).ok()?);
    (from <= to).then_some(Ports { from, to })
}

/// An ICMP type or code: -1 (any) reads as None, anything outside 0..255 as None too.
pub fn icmp_part(v: Option<i64>) -> Option<u8> {
    v.and_then(|n| u8::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_and_flags_from_strings_or_json() {
        let a = json!({"n": "80", "m": 443, "b": "true", "c": false, "cidr": "10.0.0.1/24", "ok": "10.0.0.0/24"});
        let a = a.as_object().unwrap();
        assert_eq!(int(a, "n"), Some(80));
        assert_eq!(int(a, "m"), Some(443));
        assert_eq!(flag(a, "b"), Some(true));
        assert_eq!(flag(a, "c"), Some(false));
        assert_eq!(cidr(a, "cidr"), None, "host bits are refused");
        assert!(cidr(a, "ok").is_some());
    }

    #[test]
    fn protocols_and_ports() {
        assert_eq!(protocol("-1"), Some(Protocol::All));
        assert_eq!(protocol("6"), Some(Protocol::Tcp));
        assert_eq!(protocol("50"), Some(Protocol::Number(50)));
        assert_eq!(protocol("58"), Some(Protocol::Icmpv6));
        assert_eq!(protocol("bogus"), None);
        let a = json!({"f": 1024, "t": 65535, "bad": 70000});
        let a = a.as_object().unwrap();
        assert_eq!(
            ports(a, "f", "t"),
            Some(Ports {
                from: 1024,
                to: 65535
            })
        );
        assert_eq!(ports(a, "t", "f"), None);
        assert_eq!(ports(a, "f", "bad"), None);
    }
}
