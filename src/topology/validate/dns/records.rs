//! Records: owner names, types, TTLs, values per type, aliases (what they may target), and
//! CNAMEs and SOAs where AWS allows them.

use super::policies;
use crate::topology::records::{record_fqdn, Policy, RType, Value};
use crate::topology::spec::{Dns, Record, Topology, Zone};
use crate::topology::Report;

const TYPES_HINT: &str = "record types: A, AAAA, CNAME, MX, TXT, NS, SOA, SRV, PTR";
const POLICIES_HINT: &str =
    "routing: simple, weighted, latency, failover, geolocation, geoproximity, multivalue";

/// What validation remembers about each record.
pub(super) struct Seen<'a> {
    /// The record as written.
    pub rec: &'a Record,
    /// Its owner name (FQDN).
    pub owner: String,
    /// Its type.
    pub rtype: RType,
    /// Its routing policy.
    pub policy: Policy,
}

/// Checks the records of zone `zname`: names, types, policies, values, then the record sets
/// they form.
pub(super) fn check(t: &Topology, dns: &Dns, z: &Zone, zname: &str, private: bool, r: &mut Report) {
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
        policies::check_fields(dns, rec, rtype, policy, private, r);
        seen.push(Seen {
            rec,
            owner,
            rtype,
            policy,
        });
    }
    policies::check_groups(zname, &seen, r);
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
            }
            // An AAAA alias answers the instance's IPv6 address (NODATA when it has none).
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
        } else if let Some(n) = a.strip_prefix("lb:") {
            if !t.load_balancers.contains(n) {
                r.error(
                    a.loc,
                    format!("load balancer `{n}` does not exist"),
                    "name a key of `load_balancers:`",
                );
            } else if rtype == RType::Aaaa {
                r.error(
                    a.loc,
                    "load balancers have no IPv6 address in vpclab",
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
