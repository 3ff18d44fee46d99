//! Validation of `dns:` (zones, records, routing policies, health checks), each finding at
//! `file:line:col` with a hint.

use super::geo::{self, CONTINENT_CODES};
use super::rdata::{domain, RType, Value};
use super::zones::{in_zone, record_fqdn, GeoMatch, Policy};
use crate::topology::spec::{Dns, Record, Topology, Zone};
use crate::topology::{Loc, Report};
use std::collections::{HashMap, HashSet};

const TYPES_HINT: &str = "record types: A, AAAA, CNAME, MX, TXT, NS, SOA, SRV, PTR";
const POLICIES_HINT: &str =
    "routing: simple, weighted, latency, failover, geolocation, geoproximity, multivalue";

pub(super) fn check(t: &Topology, r: &mut Report) {
    let Some(dns) = &t.dns else { return };
    check_health_checks(t, dns, r);
    let mut seen: Vec<(String, bool, Vec<String>, Loc)> = Vec::new();
    for z in &dns.zones {
        let Ok(zname) = domain(&z.name).map_err(|e| {
            r.error(
                z.name.loc,
                format!("zone name: {e}"),
                "write a domain name such as example.com",
            )
        }) else {
            continue;
        };
        let private = z.private.as_ref().is_some_and(|p| p.value);
        check_zone_vpcs(t, z, private, r);
        let vpcs: Vec<String> = z.vpcs.iter().map(|v| v.value.clone()).collect();
        if let Some((_, _, _, loc)) = seen.iter().find(|(n, p, v, _)| {
            *n == zname && *p == private && (!private || v.iter().any(|x| vpcs.contains(x)))
        }) {
            r.error(
                z.name.loc,
                format!(
                    "a {} hosted zone named {zname} is already defined at line {}",
                    if private { "private" } else { "public" },
                    loc.line
                ),
                "merge the two zones' records into one zone",
            );
        }
        seen.push((zname.clone(), private, vpcs, z.name.loc));
        check_records(t, dns, z, &zname, private, r);
    }
}

fn check_zone_vpcs(t: &Topology, z: &Zone, private: bool, r: &mut Report) {
    if private && z.vpcs.is_empty() {
        r.error(
            z.name.loc,
            "a private hosted zone needs at least one VPC",
            "add `vpcs: [VPC]` listing the VPCs that may resolve it",
        );
    }
    if !private && !z.vpcs.is_empty() {
        r.error(
            z.vpcs[0].loc,
            "a public hosted zone is not associated with VPCs",
            "add `private: true` to make it a private hosted zone, or remove `vpcs:`",
        );
    }
    for v in &z.vpcs {
        match t.vpcs.get(v) {
            None => r.error(
                v.loc,
                format!("VPC `{}` does not exist", v.value),
                format!(
                    "one of: {}",
                    t.vpcs
                        .iter()
                        .map(|(k, _)| k.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Some(vpc) if private => {
                let d = vpc.dns.as_ref();
                let support = d.and_then(|d| d.support.as_ref()).is_none_or(|s| s.value);
                let hostnames = d
                    .and_then(|d| d.hostnames.as_ref())
                    .is_some_and(|s| s.value);
                if !support || !hostnames {
                    r.warning(
                        v.loc,
                        format!("VPC `{}` has dns support {support} and hostnames {hostnames}: the private zone will not resolve there", v.value),
                        "set `dns: { support: true, hostnames: true }` on the VPC (AWS requires both for private hosted zones)",
                    );
                }
            }
            Some(_) => {}
        }
    }
}

fn check_health_checks(t: &Topology, dns: &Dns, r: &mut Report) {
    for (name, c) in dns.health_checks.iter() {
        let target = c.target.value.as_str();
        if let Some(n) = target.strip_prefix("instance:") {
            if !t.vpcs.iter().any(|(_, v)| v.instances.contains(n)) {
                r.error(
                    c.target.loc,
                    format!("instance `{n}` does not exist"),
                    "name an instance of this topology, or an IPv4 address",
                );
            }
        } else {
            match target.parse::<std::net::Ipv4Addr>() {
                Err(_) => r.error(c.target.loc, format!("`{target}` is not an IPv4 address or `instance:NAME`"), "health checks probe an address such as 203.0.113.11"),
                Ok(ip) if ip.is_private() => r.warning(
                    c.target.loc,
                    format!("health check `{}` probes the private address {ip}: Route 53's checkers are on the internet and cannot reach it", name.value),
                    "probe a public IP or Elastic IP of the endpoint",
                ),
                Ok(_) => {}
            }
        }
        if c.protocol.value != "http" && c.protocol.value != "tcp" {
            r.error(
                c.protocol.loc,
                format!("`{}` is not a health check protocol", c.protocol.value),
                "use `http` (2xx/3xx, optional search_string) or `tcp`",
            );
        }
        if let Some(p) = &c.port {
            if !(1..=65535).contains(&p.value) {
                r.error(
                    p.loc,
                    format!("port {} is outside 1..65535", p.value),
                    "use the port the endpoint listens on",
                );
            }
        }
        if let Some(i) = &c.interval {
            if i.value != 10 && i.value != 30 {
                r.error(
                    i.loc,
                    format!("interval {} is not 10 or 30", i.value),
                    "Route 53 checks every 30 s (standard) or 10 s (fast)",
                );
            }
        }
        if let Some(f) = &c.failure_threshold {
            if !(1..=10).contains(&f.value) {
                r.error(
                    f.loc,
                    format!("failure_threshold {} is outside 1..10", f.value),
                    "the default is 3",
                );
            }
        }
        if let Some(s) = &c.search_string {
            if c.protocol.value == "tcp" {
                r.error(
                    c.protocol.loc,
                    "search_string needs protocol http",
                    "use `protocol: http`, or remove `search_string`",
                );
            }
            if s.len() > 255 {
                r.error(
                    name.loc,
                    "search_string is longer than 255 characters",
                    "shorten it",
                );
            }
        }
        if let Some(p) = &c.path {
            if !p.starts_with('/') {
                r.error(
                    name.loc,
                    format!("path `{p}` does not start with `/`"),
                    "write it as `/health`",
                );
            }
        }
    }
}

/// What validation remembers about each record.
struct Seen<'a> {
    rec: &'a Record,
    owner: String,
    rtype: RType,
    policy: Policy,
}

fn check_records(t: &Topology, dns: &Dns, z: &Zone, zname: &str, private: bool, r: &mut Report) {
    let mut seen: Vec<Seen> = Vec::new();
    for rec in &z.records {
        let loc = rec.name.loc;
        let owner = match record_fqdn(zname, &rec.name) {
            Ok(o) => o,
            Err(e) => {
                r.error(
                    loc,
                    format!("record name: {e}"),
                    "write `www`, `@` for the apex, or a name ending in the zone's name",
                );
                continue;
            }
        };
        let Some(rtype) = RType::parse(&rec.rtype) else {
            r.error(
                rec.rtype.loc,
                format!("`{}` is not a record type vpclab serves", rec.rtype.value),
                TYPES_HINT,
            );
            continue;
        };
        let policy = match &rec.routing {
            None => Policy::Simple,
            Some(p) => match Policy::parse(p) {
                Some(p) => p,
                None => {
                    r.error(
                        p.loc,
                        format!("`{}` is not a routing policy", p.value),
                        POLICIES_HINT,
                    );
                    continue;
                }
            },
        };
        check_values(t, zname, rec, rtype, &owner, r);
        check_policy_fields(dns, rec, rtype, policy, private, r);
        seen.push(Seen {
            rec,
            owner,
            rtype,
            policy,
        });
    }
    check_groups(zname, &seen, r);
}

fn check_values(
    t: &Topology,
    zname: &str,
    rec: &Record,
    rtype: RType,
    owner: &str,
    r: &mut Report,
) {
    let loc = rec.name.loc;
    if let Some(ttl) = &rec.ttl {
        if rec.alias.is_some() {
            r.error(
                ttl.loc,
                "an alias record's TTL cannot be set",
                "remove `ttl:`; the alias uses its target's TTL",
            );
        } else if !(0..=2_147_483_647).contains(&ttl.value) {
            r.error(
                ttl.loc,
                format!("TTL {} is outside 0..2147483647", ttl.value),
                "300 is the usual default",
            );
        }
    }
    if rtype == RType::Cname && owner == zname {
        r.error(
            loc,
            format!("a CNAME cannot be at the zone apex ({zname})"),
            "use an alias A record at the apex (`alias: www`), or put the CNAME on a subdomain",
        );
    }
    if (rtype == RType::Soa) && owner != zname {
        r.error(
            loc,
            "an SOA record belongs at the zone apex only",
            "use `name: \"@\"`, or remove it (every zone has an automatic SOA)",
        );
    }
    if let Some(a) = &rec.alias {
        if !rec.values.is_empty() {
            r.error(
                a.loc,
                "a record has either `alias:` or `values:`, not both",
                "remove `values:` from the alias record",
            );
        }
        if rtype != RType::A && rtype != RType::Aaaa {
            r.error(
                a.loc,
                format!("an alias must be an A or AAAA record, not {rtype}"),
                "change `type:` to A, or use a CNAME record with `values:`",
            );
            return;
        }
        if let Some(n) = a.strip_prefix("instance:") {
            if !t.vpcs.iter().any(|(_, v)| v.instances.contains(n)) {
                r.error(
                    a.loc,
                    format!("instance `{n}` does not exist"),
                    "name an instance of this topology",
                );
            } else if rtype == RType::Aaaa {
                r.error(
                    a.loc,
                    "instances have no IPv6 address in vpclab",
                    "use `type: A`",
                );
            }
        } else if let Some(n) = a.strip_prefix("nat:") {
            if !t.vpcs.iter().any(|(_, v)| v.nat_gateways.contains(n)) {
                r.error(
                    a.loc,
                    format!("NAT gateway `{n}` does not exist"),
                    "name a NAT gateway of this topology",
                );
            } else if rtype == RType::Aaaa {
                r.error(
                    a.loc,
                    "NAT gateways have no IPv6 address in vpclab",
                    "use `type: A`",
                );
            }
        } else {
            match record_fqdn(zname, a) {
                Err(e) => r.error(a.loc, format!("alias target: {e}"), "an alias targets `instance:NAME`, `nat:NAME`, or a record of the same type in this zone"),
                Ok(target) if target == owner => r.error(a.loc, "an alias cannot point at itself", "point it at another record"),
                Ok(_) => {} // existence is checked with the groups
            }
        }
        return;
    }
    if rec.values.is_empty() {
        r.error(
            loc,
            format!("the {rtype} record has no `values:`"),
            "add `values: [...]`, or `alias:` for an A/AAAA alias",
        );
    }
    for v in &rec.values {
        if let Err(e) = Value::parse(rtype, v.as_str()) {
            r.error(v.loc, format!("{rtype} value: {e}"), value_hint(rtype));
        }
    }
    if matches!(rtype, RType::Cname | RType::Soa) && rec.values.len() > 1 {
        r.error(
            rec.values[1].loc,
            format!("a {rtype} record has exactly one value"),
            "keep one value; use weighted records to spread a name over several targets",
        );
    }
}

fn value_hint(t: RType) -> &'static str {
    match t {
        RType::A => "an A value is an IPv4 address such as 203.0.113.10",
        RType::Aaaa => "an AAAA value is an IPv6 address such as 2001:db8::10",
        RType::Mx => "an MX value is `PRIORITY NAME`, e.g. `10 mail.example.com`",
        RType::Srv => {
            "an SRV value is `PRIORITY WEIGHT PORT TARGET`, e.g. `10 5 5060 sip.example.com`"
        }
        RType::Soa => "an SOA value is `MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM`",
        RType::Txt => "a TXT value is text of at most 4,000 characters",
        _ => "the value is a domain name such as www.example.com",
    }
}

fn check_policy_fields(
    dns: &Dns,
    rec: &Record,
    rtype: RType,
    p: Policy,
    private: bool,
    r: &mut Report,
) {
    let loc = rec.name.loc;
    let ps = p.as_str();
    let needs_set = matches!(p, Policy::Weighted | Policy::Multivalue);
    match (&rec.set, p) {
        (Some(s), Policy::Simple) => r.error(
            s.loc,
            "a simple record takes no `set`",
            "remove `set:`, or choose a `routing:` policy",
        ),
        (None, _) if needs_set => r.error(
            loc,
            format!("a {ps} record needs a `set` identifier"),
            "add `set: NAME`, unique among the records of this name and type",
        ),
        _ => {}
    }
    let only = |field: &str, floc: Loc, want: &str, r: &mut Report| {
        r.error(
            floc,
            format!("`{field}` applies to {want} records, not {ps}"),
            format!("remove `{field}:` or use `routing: {want}`"),
        );
    };
    match (&rec.weight, p) {
        (Some(w), Policy::Weighted) if !(0..=255).contains(&w.value) => r.error(
            w.loc,
            format!("weight {} is outside 0..255", w.value),
            "0 disables the record; weights are relative to the group's sum",
        ),
        (Some(_), Policy::Weighted) => {}
        (None, Policy::Weighted) => r.error(
            loc,
            "a weighted record needs `weight:` (0..255)",
            "add `weight: 10`",
        ),
        (Some(w), _) => only("weight", w.loc, "weighted", r),
        _ => {}
    }
    match (&rec.role, p) {
        (Some(x), Policy::Failover) if x.value != "primary" && x.value != "secondary" => r.error(
            x.loc,
            format!("`{}` is not a failover role", x.value),
            "use `role: primary` or `role: secondary`",
        ),
        (Some(_), Policy::Failover) => {}
        (None, Policy::Failover) => r.error(
            loc,
            "a failover record needs `role:`",
            "add `role: primary` or `role: secondary`",
        ),
        (Some(x), _) => only("role", x.loc, "failover", r),
        _ => {}
    }
    match (&rec.location, p) {
        (Some(l), Policy::Geolocation) => match GeoMatch::from_spec(l) {
            None => r.error(l.loc, "the location is not `default` or { continent | country [, subdivision] }", "e.g. `location: { continent: EU }`, `{ country: US, subdivision: CA }` or `default`"),
            Some(GeoMatch::Continent(c)) if !CONTINENT_CODES.contains(&c.as_str()) => {
                r.error(l.loc, format!("`{c}` is not a continent code"), "use AF, AN, AS, EU, OC, NA or SA")
            }
            Some(GeoMatch::Country(c) | GeoMatch::Subdivision(c, _)) if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) => {
                r.error(l.loc, format!("`{c}` is not an ISO 3166-1 alpha-2 country code"), "use two capital letters such as DE, US, JP, or `*` for default")
            }
            _ => {}
        },
        (None, Policy::Geolocation) => r.error(loc, "a geolocation record needs `location:`", "add `location: { country: DE }` or `location: default`"),
        (Some(l), _) => only("location", l.loc, "geolocation", r),
        _ => {}
    }
    let known_region = |s: &str| {
        geo::region(s).is_some() || dns.latency.as_ref().is_some_and(|m| m.contains_key(s))
    };
    match (&rec.region, p) {
        (Some(x), Policy::Latency | Policy::Geoproximity) if !known_region(x) => r.error(
            x.loc,
            format!("`{}` is not a region vpclab knows", x.value),
            format!(
                "one of: {} (or add it to `dns.latency`)",
                geo::REGIONS
                    .iter()
                    .map(|r| r.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        (Some(_), Policy::Latency | Policy::Geoproximity) => {}
        (None, Policy::Latency) => r.error(
            loc,
            "a latency record needs `region:`",
            "add `region: eu-west-1`",
        ),
        (Some(x), _) => only("region", x.loc, "latency or geoproximity", r),
        _ => {}
    }
    if p == Policy::Geoproximity {
        match (&rec.region, &rec.coordinates) {
            (None, None) => r.error(
                loc,
                "a geoproximity record needs `region:` or `coordinates:`",
                "add `region: eu-central-1` or `coordinates: { lat: 50.1, lon: 8.7 }`",
            ),
            (Some(x), Some(_)) => r.error(
                x.loc,
                "a geoproximity record has `region:` or `coordinates:`, not both",
                "remove one",
            ),
            (_, Some(c))
                if !(-90.0..=90.0).contains(&c.lat) || !(-180.0..=180.0).contains(&c.lon) =>
            {
                r.error(
                    loc,
                    "coordinates are outside lat -90..90 / lon -180..180",
                    "write degrees such as { lat: 50.1, lon: 8.7 }",
                )
            }
            _ => {}
        }
        if private {
            r.warning(
                loc,
                "geoproximity was not allowed in private hosted zones (2023 docs)",
                "use latency or geolocation routing in a private zone",
            );
        }
    } else if rec.coordinates.is_some() {
        only("coordinates", loc, "geoproximity", r);
    }
    match (&rec.bias, p) {
        (Some(b), Policy::Geoproximity) if !(-99..=99).contains(&b.value) => r.error(
            b.loc,
            format!("bias {} is outside -99..99", b.value),
            "+50 halves the distance, -50 doubles it",
        ),
        (Some(b), p) if p != Policy::Geoproximity => only("bias", b.loc, "geoproximity", r),
        _ => {}
    }
    if let Some(h) = &rec.health_check {
        if !dns.health_checks.contains(h) {
            let names: Vec<&str> = dns
                .health_checks
                .iter()
                .map(|(k, _)| k.value.as_str())
                .collect();
            r.error(
                h.loc,
                format!("health check `{}` does not exist", h.value),
                if names.is_empty() {
                    "define it under `dns.health_checks`".to_string()
                } else {
                    format!("one of: {}", names.join(", "))
                },
            );
        } else if p == Policy::Simple {
            r.error(
                h.loc,
                "simple records take no health check",
                "use a failover, weighted, latency, geolocation or multivalue policy",
            );
        }
    }
    if p == Policy::Multivalue {
        if matches!(rtype, RType::Cname | RType::Ns) {
            r.error(
                rec.rtype.loc,
                format!("multivalue answer records cannot be {rtype}"),
                "use A, AAAA, TXT, MX, SRV or PTR",
            );
        }
        if rec.values.len() > 1 {
            r.error(
                rec.values[1].loc,
                "a multivalue answer record has exactly one value",
                "make one record (with its own `set`) per value",
            );
        }
    }
}

fn check_groups(zname: &str, seen: &[Seen], r: &mut Report) {
    let mut groups: HashMap<(&str, RType), Vec<&Seen>> = HashMap::new();
    for s in seen {
        groups
            .entry((s.owner.as_str(), s.rtype))
            .or_default()
            .push(s);
    }
    let names: HashSet<&str> = seen.iter().map(|s| s.owner.as_str()).collect();
    for s in seen {
        // CNAME beside other data.
        if s.rtype == RType::Cname {
            if let Some(o) = seen
                .iter()
                .find(|o| o.owner == s.owner && o.rtype != RType::Cname)
            {
                r.error(
                    s.rec.name.loc,
                    format!("{} has a CNAME and also a {} record (line {})", s.owner, o.rtype, o.rec.name.loc.line),
                    "a CNAME cannot share its name with other records; use an alias A record or rename one",
                );
            }
        }
        // Alias to a same-zone record.
        if let Some(a) = &s.rec.alias {
            if !a.contains(':') {
                if let Ok(t) = record_fqdn(zname, a) {
                    if in_zone(&t, zname)
                        && t != s.owner
                        && !groups.contains_key(&(t.as_str(), s.rtype))
                    {
                        let hint = if groups.contains_key(&(t.as_str(), RType::Cname)) {
                            "an alias cannot target a CNAME record; target an A/AAAA record"
                                .to_string()
                        } else if names.contains(t.as_str()) {
                            format!(
                                "{t} has no {} record; an alias targets a record of its own type",
                                s.rtype
                            )
                        } else {
                            format!(
                                "add a {} record named {t}, or use `instance:NAME` / `nat:NAME`",
                                s.rtype
                            )
                        };
                        r.error(
                            a.loc,
                            format!("alias target {t} is not a {} record in this zone", s.rtype),
                            hint,
                        );
                    }
                }
            }
        }
    }
    let mut keys: Vec<_> = groups.keys().copied().collect();
    keys.sort();
    for k in keys {
        let g = &groups[&k];
        let first = g[0];
        if let Some(o) = g.iter().find(|o| o.policy != first.policy) {
            r.error(
                o.rec.name.loc,
                format!(
                    "{} {} mixes routing policies: {} (line {}) and {}",
                    k.0,
                    k.1,
                    first.policy.as_str(),
                    first.rec.name.loc.line,
                    o.policy.as_str()
                ),
                "every record of one name and type uses the same `routing:`",
            );
            continue;
        }
        if first.policy == Policy::Simple && g.len() > 1 {
            r.error(
                g[1].rec.name.loc,
                format!(
                    "{} {} is defined twice (line {})",
                    k.0, k.1, first.rec.name.loc.line
                ),
                "merge the values into one record's `values:` list",
            );
            continue;
        }
        let mut ids: HashMap<String, u32> = HashMap::new();
        for s in g {
            let id = set_id(s);
            if let Some(line) = ids.get(&id) {
                let what = match s.policy {
                    Policy::Failover => format!(
                        "a second {} record",
                        s.rec
                            .role
                            .as_ref()
                            .map(|r| r.value.as_str())
                            .unwrap_or("failover")
                    ),
                    Policy::Geolocation => "a second record for the same location".into(),
                    Policy::Latency => "a second record for the same region".into(),
                    _ => format!("set `{id}` again"),
                };
                r.error(s.rec.name.loc, format!("{} {}: {what} (first at line {line})", k.0, k.1), "set identifiers (and failover roles, locations, regions) are unique within a record set");
            } else if !id.is_empty() {
                ids.insert(id, s.rec.name.loc.line);
            }
        }
        if first.policy == Policy::Failover {
            let has = |role: &str| {
                g.iter()
                    .any(|s| s.rec.role.as_ref().is_some_and(|r| r.value == role))
            };
            for role in ["primary", "secondary"] {
                let same: Vec<_> = g
                    .iter()
                    .filter(|s| s.rec.role.as_ref().is_some_and(|r| r.value == role))
                    .collect();
                if same.len() > 1 && same.iter().all(|s| s.rec.set.is_some()) {
                    r.error(
                        same[1].rec.name.loc,
                        format!("{} {} has two {role} failover records", k.0, k.1),
                        "failover pairs one `role: primary` with one `role: secondary`",
                    );
                }
            }
            if !has("primary") || !has("secondary") {
                r.warning(
                    first.rec.name.loc,
                    format!(
                        "{} {} has no {} failover record",
                        k.0,
                        k.1,
                        if has("primary") {
                            "secondary"
                        } else {
                            "primary"
                        }
                    ),
                    "failover pairs one `role: primary` with one `role: secondary`",
                );
            }
        }
    }
}

fn set_id(s: &Seen) -> String {
    if let Some(x) = &s.rec.set {
        return x.value.clone();
    }
    match s.policy {
        Policy::Failover => s
            .rec
            .role
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_default(),
        Policy::Geolocation => s
            .rec
            .location
            .as_ref()
            .and_then(|l| GeoMatch::from_spec(l))
            .map(|g| format!("{g:?}"))
            .unwrap_or_default(),
        Policy::Latency => s
            .rec
            .region
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_default(),
        _ => String::new(),
    }
}
