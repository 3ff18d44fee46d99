//! Routing policies: the fields each policy needs or forbids, and the record sets they form
//! (one policy per name and type, unique set identifiers, failover pairs, alias targets).

use super::records::Seen;
use crate::topology::records::{in_zone, record_fqdn, GeoMatch, Policy, RType};
use crate::topology::regions::{self, CONTINENT_CODES};
use crate::topology::spec::{Dns, Record};
use crate::topology::{Loc, Report};
use std::collections::{HashMap, HashSet};

/// Checks the fields that belong to a routing policy (`set`, `weight`, `role`, `location`,
/// `region`, `coordinates`, `bias`, `health_check`) against the record's policy.
pub(super) fn check_fields(
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
        regions::region(s).is_some() || dns.latency.as_ref().is_some_and(|m| m.contains_key(s))
    };
    match (&rec.region, p) {
        (Some(x), Policy::Latency | Policy::Geoproximity) if !known_region(x) => r.error(
            x.loc,
            format!("`{}` is not a region vpclab knows", x.value),
            format!(
                "one of: {} (or add it to `dns.latency`)",
                regions::REGIONS
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

/// Checks the record sets (records of one name and type) of a zone: CNAMEs beside other data,
/// alias targets, one policy per set, unique set identifiers, failover pairs.
pub(super) fn check_groups(zname: &str, seen: &[Seen], r: &mut Report) {
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
