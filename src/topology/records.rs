//! The Route 53 vocabulary of a topology file: record types and values (parsed from their
//! text, printed as dig prints them), domain and record names, routing policies and
//! geolocation areas. Validation and `dns` share these; the conversions to and from
//! hickory-proto's wire types are `dns::rdata`'s.

use crate::topology::spec::RecordLocation;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The record types vpclab serves (a subset of Route 53's; no CAA, DS, NAPTR, SPF).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RType {
    /// `A`: an IPv4 address.
    A,
    /// `AAAA`: an IPv6 address.
    Aaaa,
    /// `CNAME`: another name; alone at its name, as DNS requires.
    Cname,
    /// `MX`: a mail exchange with a priority.
    Mx,
    /// `TXT`: text strings.
    Txt,
    /// `NS`: a name server of the zone or of a delegated subzone.
    Ns,
    /// `SOA`: the zone's start of authority.
    Soa,
    /// `SRV`: a service's priority, weight, port and target.
    Srv,
    /// `PTR`: a name, for reverse DNS.
    Ptr,
}

impl RType {
    /// Every type, in display order (A, AAAA, CNAME, MX, TXT, NS, SOA, SRV, PTR).
    pub const ALL: [RType; 9] = [
        RType::A,
        RType::Aaaa,
        RType::Cname,
        RType::Mx,
        RType::Txt,
        RType::Ns,
        RType::Soa,
        RType::Srv,
        RType::Ptr,
    ];
    /// Parses a type name, case-insensitive and trimmed; None for a type vpclab does not serve.
    pub fn parse(s: &str) -> Option<RType> {
        RType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }
    /// The type's upper-case name (`AAAA`), as dig prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            RType::A => "A",
            RType::Aaaa => "AAAA",
            RType::Cname => "CNAME",
            RType::Mx => "MX",
            RType::Txt => "TXT",
            RType::Ns => "NS",
            RType::Soa => "SOA",
            RType::Srv => "SRV",
            RType::Ptr => "PTR",
        }
    }
}

impl fmt::Display for RType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fields of an SOA record, as RFC 1035 names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Soa {
    /// Primary name server (`MNAME`).
    pub mname: String,
    /// Responsible mailbox (`hostmaster.example.com`).
    pub rname: String,
    /// Zone serial number (`SERIAL`).
    pub serial: u32,
    /// Seconds between secondary refreshes (`REFRESH`).
    pub refresh: i32,
    /// Seconds before a failed refresh is retried (`RETRY`).
    pub retry: i32,
    /// Seconds after which a secondary stops answering (`EXPIRE`).
    pub expire: i32,
    /// Negative-caching TTL in seconds (`MINIMUM`, RFC 2308).
    pub minimum: u32,
}

/// A record value (names are lowercase, without the trailing dot).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `A`: an IPv4 address.
    A(Ipv4Addr),
    /// `AAAA`: an IPv6 address.
    Aaaa(Ipv6Addr),
    /// `CNAME`: the canonical name.
    Cname(String),
    /// `MX`: preference (lower first), then the exchange's name.
    Mx(u16, String),
    /// TXT strings (each ≤ 255 bytes on the wire).
    Txt(String),
    /// `NS`: a name server's name.
    Ns(String),
    /// `SOA`: the zone's start of authority.
    Soa(Soa),
    /// `SRV`: priority, weight, port, then the target's name.
    Srv(u16, u16, u16, String),
    /// `PTR`: the name an address points to.
    Ptr(String),
}

impl Value {
    /// The value's record type.
    pub fn rtype(&self) -> RType {
        match self {
            Value::A(_) => RType::A,
            Value::Aaaa(_) => RType::Aaaa,
            Value::Cname(_) => RType::Cname,
            Value::Mx(..) => RType::Mx,
            Value::Txt(_) => RType::Txt,
            Value::Ns(_) => RType::Ns,
            Value::Soa(_) => RType::Soa,
            Value::Srv(..) => RType::Srv,
            Value::Ptr(_) => RType::Ptr,
        }
    }

    /// Parses a topology value of a type; the error says what is wrong.
    pub fn parse(t: RType, s: &str) -> Result<Value, String> {
        let s = s.trim();
        let words: Vec<&str> = s.split_whitespace().collect();
        let num = |w: &str, what: &str| -> Result<u16, String> {
            w.parse::<u16>()
                .map_err(|_| format!("`{w}` is not a {what} 0..65535"))
        };
        Ok(match t {
            RType::A => Value::A({
                super::parse::leading_zero(s)?;
                s.parse().map_err(|_| format!("`{s}` is not an IPv4 address such as 203.0.113.10"))?
            }),
            RType::Aaaa => Value::Aaaa(
                s.parse().map_err(|_| format!("`{s}` is not an IPv6 address such as 2001:db8::1"))?,
            ),
            RType::Cname => Value::Cname(domain(s)?),
            RType::Ns => Value::Ns(domain(s)?),
            RType::Ptr => Value::Ptr(domain(s)?),
            RType::Mx => match words.as_slice() {
                [p, n] => Value::Mx(num(p, "priority")?, domain(n)?),
                _ => return Err(format!("`{s}` is not `PRIORITY NAME` such as `10 mail.example.com`")),
            },
            RType::Srv => match words.as_slice() {
                [p, w, port, n] => Value::Srv(num(p, "priority")?, num(w, "weight")?, num(port, "port")?, domain(n)?),
                _ => {
                    return Err(format!(
                        "`{s}` is not `PRIORITY WEIGHT PORT TARGET` such as `10 5 5060 sip.example.com`"
                    ))
                }
            },
            RType::Txt => {
                let t = s.trim_matches('"');
                if t.len() > 4000 {
                    return Err(format!("the TXT value is {} characters, more than 4,000", t.len()));
                }
                Value::Txt(t.to_string())
            }
            RType::Soa => match words.as_slice() {
                [m, r, serial, refresh, retry, expire, min] => {
                    let n32 = |w: &str| w.parse::<u32>().map_err(|_| format!("`{w}` is not a number"));
                    let i32_ = |w: &str| w.parse::<i32>().map_err(|_| format!("`{w}` is not a number"));
                    Value::Soa(Soa {
                        mname: domain(m)?,
                        rname: domain(r)?,
                        serial: n32(serial)?,
                        refresh: i32_(refresh)?,
                        retry: i32_(retry)?,
                        expire: i32_(expire)?,
                        minimum: n32(min)?,
                    })
                }
                _ => return Err(format!("`{s}` is not `MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM`")),
            },
        })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::A(a) => write!(f, "{a}"),
            Value::Aaaa(a) => write!(f, "{a}"),
            Value::Cname(n) | Value::Ns(n) | Value::Ptr(n) => write!(f, "{n}."),
            Value::Mx(p, n) => write!(f, "{p} {n}."),
            Value::Srv(p, w, port, n) => write!(f, "{p} {w} {port} {n}."),
            Value::Txt(t) => write!(f, "\"{}\"", t.replace('"', "\\\"")),
            Value::Soa(s) => write!(
                f,
                "{}. {}. {} {} {} {} {}",
                s.mname, s.rname, s.serial, s.refresh, s.retry, s.expire, s.minimum
            ),
        }
    }
}

/// Normalises a domain name: lowercase, no trailing dot; checks label syntax and lengths.
pub fn domain(s: &str) -> Result<String, String> {
    let t = s.trim().trim_end_matches('.').to_ascii_lowercase();
    if t.is_empty() {
        return Err("the name is empty".into());
    }
    if t.len() > 253 {
        return Err(format!("`{s}` is longer than 253 characters"));
    }
    for label in t.split('.') {
        if label.is_empty() {
            return Err(format!("`{s}` has an empty label (two dots in a row)"));
        }
        if label.len() > 63 {
            return Err(format!("`{s}` has a label longer than 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'*')
        {
            return Err(format!(
                "`{s}` has a character outside letters, digits, `-`, `_` and `*`"
            ));
        }
    }
    Ok(t)
}

/// The FQDN of a record name written in a zone: `@` is the apex, a name ending in a dot or
/// in the zone's name is absolute, anything else is relative.
pub fn record_fqdn(zone: &str, name: &str) -> Result<String, String> {
    let n = name.trim();
    if n == "@" || n.is_empty() {
        return Ok(zone.to_string());
    }
    let d = domain(n)?;
    if n.ends_with('.') {
        if in_zone(&d, zone) {
            return Ok(d);
        }
        return Err(format!("`{n}` is not inside the zone {zone}"));
    }
    if in_zone(&d, zone) {
        return Ok(d);
    }
    Ok(format!("{d}.{zone}"))
}

/// True when `name` equals `zone` or is below it.
pub fn in_zone(name: &str, zone: &str) -> bool {
    name == zone
        || (name.len() > zone.len()
            && name.ends_with(zone)
            && name.as_bytes()[name.len() - zone.len() - 1] == b'.')
}

/// A Route 53 routing policy (`routing:`; `simple` when not written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// `simple`: every value of the record, no health checks.
    Simple,
    /// `weighted`: one record chosen at random in proportion to its `weight`.
    Weighted,
    /// `latency`: the record whose region has the lowest latency to the resolver's region.
    Latency,
    /// `failover`: the `PRIMARY` record while healthy, else the `SECONDARY`.
    Failover,
    /// `geolocation`: the record with the most specific location matching the client (subdivision,
    /// country, continent, then the default `*`).
    Geolocation,
    /// `geoproximity`: the record nearest the client after each record's `bias`.
    Geoproximity,
    /// `multivalue`: up to 8 healthy records, each with its own values.
    Multivalue,
}

impl Policy {
    /// Parses a `routing:` value (lower case); None for any other word.
    pub fn parse(s: &str) -> Option<Policy> {
        Some(match s {
            "simple" => Policy::Simple,
            "weighted" => Policy::Weighted,
            "latency" => Policy::Latency,
            "failover" => Policy::Failover,
            "geolocation" => Policy::Geolocation,
            "geoproximity" => Policy::Geoproximity,
            "multivalue" => Policy::Multivalue,
            _ => return None,
        })
    }
    /// The `routing:` word for this policy (lower case).
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Simple => "simple",
            Policy::Weighted => "weighted",
            Policy::Latency => "latency",
            Policy::Failover => "failover",
            Policy::Geolocation => "geolocation",
            Policy::Geoproximity => "geoproximity",
            Policy::Multivalue => "multivalue",
        }
    }
}

/// A geolocation record's area (Route 53's `GeoLocation`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GeoMatch {
    /// Country `*`: everyone not matched otherwise.
    Default,
    /// A continent code (AF, AN, AS, EU, OC, NA, SA).
    Continent(String),
    /// An ISO 3166-1 alpha-2 country code.
    Country(String),
    /// A country code and a subdivision code in it (e.g. `US`, `CA`).
    Subdivision(String, String),
}

impl GeoMatch {
    /// From the topology's `location:` (None when malformed).
    pub fn from_spec(l: &RecordLocation) -> Option<GeoMatch> {
        match l {
            RecordLocation::Default(s) if s == "default" || s == "*" => Some(GeoMatch::Default),
            RecordLocation::Default(_) => None,
            RecordLocation::Place(p) => match (&p.continent, &p.country, &p.subdivision) {
                (_, Some(c), _) if c == "*" => Some(GeoMatch::Default),
                (_, Some(c), Some(s)) => Some(GeoMatch::Subdivision(c.clone(), s.clone())),
                (_, Some(c), None) => Some(GeoMatch::Country(c.clone())),
                (Some(k), None, None) => Some(GeoMatch::Continent(k.clone())),
                _ => None,
            },
        }
    }
    /// Specificity: 3 subdivision, 2 country, 1 continent, 0 default.
    pub fn rank(&self) -> u8 {
        match self {
            GeoMatch::Subdivision(..) => 3,
            GeoMatch::Country(_) => 2,
            GeoMatch::Continent(_) => 1,
            GeoMatch::Default => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_per_type() {
        assert_eq!(
            Value::parse(RType::A, "10.0.0.1").unwrap(),
            Value::A(Ipv4Addr::new(10, 0, 0, 1))
        );
        assert!(Value::parse(RType::A, "::1").is_err());
        assert_eq!(
            Value::parse(RType::Mx, "10 Mail.Example.com.").unwrap(),
            Value::Mx(10, "mail.example.com".into())
        );
        assert!(Value::parse(RType::Mx, "mail.example.com").is_err());
        assert!(Value::parse(RType::Srv, "1 2 70000 x.example").is_err());
        assert!(Value::parse(RType::Srv, "1 2 443 x.example").is_ok());
        assert!(Value::parse(RType::Cname, "a..b").is_err());
        assert_eq!(RType::parse("aaaa"), Some(RType::Aaaa));
        assert_eq!(
            Value::parse(RType::Txt, "\"hi\"").unwrap().to_string(),
            "\"hi\""
        );
    }
}
