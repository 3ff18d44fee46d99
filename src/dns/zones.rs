//! The compiled Route 53 configuration (part of `dns`, rank 4): hosted zones with record sets
//! grouped by name and type, health-check definitions and the latency table, compiled from the
//! model's `Route53`. Names, types and values that do not parse are skipped here:
//! `topology::validate` reports them.

use super::geo::{self, LatencyTable};
use super::rdata::{domain, RType, Soa, Value};
use crate::model::route53::{self, AliasTarget, Routing};
use crate::model::{Network, VpcId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use crate::model::route53::HealthCheck as CheckDef;
pub use crate::model::route53::{CheckProtocol, GeoMatch, Policy, Role, DEFAULT_TTL};
pub use crate::topology::records::{in_zone, record_fqdn};
/// TTL in seconds of each zone's SOA record (900, as Route 53 creates it).
pub const SOA_TTL: u32 = 900;
/// TTL in seconds of each zone's NS record (172800, two days, as Route 53 creates it).
pub const NS_TTL: u32 = 172_800;

/// One record of a record set (one `records:` entry), its values parsed.
#[derive(Clone, Debug)]
pub struct Member {
    /// TTL in seconds of the values; unused by aliases (an instance or NAT gateway alias answers
    /// with 60, a record alias with its target's TTL).
    pub ttl: u32,
    /// Values, parsed, in file order (empty for aliases).
    pub values: Vec<Value>,
    /// Alias target, a record alias's name made an FQDN; None for a plain record.
    pub alias: Option<AliasTarget>,
    /// The model record's routing, as resolved (`routing.health` indexes `Zones::checks`).
    pub routing: Routing,
}

/// All records sharing a name and type: a Route 53 record set.
#[derive(Clone, Debug)]
pub struct Group {
    /// The record type shared by the members.
    pub rtype: RType,
    /// The routing policy (one per group, as Route 53 requires of a record set).
    pub policy: Policy,
    /// The records, in file order.
    pub members: Vec<Member>,
}

/// A compiled hosted zone.
#[derive(Clone, Debug)]
pub struct Zone {
    /// Apex name (lowercase, no trailing dot).
    pub name: String,
    /// True for a private hosted zone, answered only to its associated VPCs' resolvers.
    pub private: bool,
    /// VPCs a private zone is associated with; empty for public zones.
    pub vpcs: Vec<VpcId>,
    /// The zone's SOA, with Route 53's defaults (`awsdns-hostmaster.amazon.com`, serial 1).
    pub soa: Soa,
    /// Record sets keyed by (owner name, lowercase without the trailing dot; type).
    pub groups: HashMap<(String, RType), Group>,
    /// Every owner name and its ancestors inside the zone (to tell NODATA from NXDOMAIN).
    pub names: HashSet<String>,
}

impl Zone {
    /// True when `name` (lowercase, no trailing dot) is the apex or below it.
    pub fn contains(&self, name: &str) -> bool {
        in_zone(name, &self.name)
    }
}

/// Everything `answer` needs: zones, health-check definitions, the latency table and the model
/// (for aliases, EC2 hostnames and VPC DNS attributes).
#[derive(Clone, Debug)]
pub struct Zones {
    /// The resolved network (for aliases, EC2 hostnames and VPC DNS attributes).
    pub net: Arc<Network>,
    /// Hosted zones in file order.
    pub zones: Vec<Zone>,
    /// Health-check definitions, in file order (`Member::health` indexes this).
    pub checks: Vec<CheckDef>,
    /// Latency in ms between regions: the built-in table with `dns: latency:` overrides.
    pub latency: LatencyTable,
}

/// The four AWS name servers of a zone (deterministic from its name).
pub fn name_servers(zone: &str) -> Vec<String> {
    let h = zone
        .bytes()
        .fold(5381u32, |h, b| h.wrapping_mul(33) ^ b as u32);
    let tlds = ["com", "net", "org", "co.uk"];
    (0..4)
        .map(|i| {
            let n = (h.rotate_left(i * 8) % 512) + 512 * i;
            format!(
                "ns-{n}.awsdns-{:02}.{}",
                (h >> (i * 3)) % 64,
                tlds[i as usize]
            )
        })
        .collect()
}

impl Zones {
    /// Compiles `net.route53`. Never fails: a zone, name or value that does not parse is skipped
    /// (validation reports it).
    pub fn build(net: Arc<Network>) -> Zones {
        let checks = net.route53.health_checks.clone();
        let mut zones = Vec::new();
        for z in &net.route53.zones {
            let Ok(zname) = domain(&z.name) else { continue };
            let private = z.private;
            let vpcs = z.vpcs.clone();
            let ns = name_servers(&zname);
            let soa = Soa {
                mname: ns[0].clone(),
                rname: "awsdns-hostmaster.amazon.com".to_string(),
                serial: 1,
                refresh: 7200,
                retry: 900,
                expire: 1_209_600,
                minimum: 86_400,
            };
            let mut zone = Zone {
                name: zname.clone(),
                private,
                vpcs,
                soa,
                groups: HashMap::new(),
                names: HashSet::new(),
            };
            zone.names.insert(zname.clone());
            zone.groups.insert(
                (zname.clone(), RType::Ns),
                Group {
                    rtype: RType::Ns,
                    policy: Policy::Simple,
                    members: vec![plain_member(
                        NS_TTL,
                        ns.into_iter().map(Value::Ns).collect(),
                    )],
                },
            );
            let mut user_apex: HashSet<RType> = HashSet::new();
            for r in &z.records {
                let Some(m) = compile_record(&zname, r) else {
                    continue;
                };
                let (owner, rtype, policy, member) = m;
                if owner == zname
                    && (rtype == RType::Ns || rtype == RType::Soa)
                    && user_apex.insert(rtype)
                {
                    zone.groups.remove(&(owner.clone(), rtype));
                }
                if rtype == RType::Soa && owner == zname {
                    if let Some(Value::Soa(s)) = member.values.first() {
                        zone.soa = s.clone();
                    }
                }
                let mut cur = owner.clone();
                while in_zone(&cur, &zname) && zone.names.insert(cur.clone()) {
                    match cur.split_once('.') {
                        Some((_, rest)) => cur = rest.to_string(),
                        None => break,
                    }
                }
                zone.groups
                    .entry((owner, rtype))
                    .or_insert_with(|| Group {
                        rtype,
                        policy,
                        members: Vec::new(),
                    })
                    .members
                    .push(member);
            }
            zones.push(zone);
        }
        let latency = LatencyTable {
            overrides: net.route53.latency.clone(),
        };
        Zones {
            net,
            zones,
            checks,
            latency,
        }
    }
}

/// A member with values and nothing else (the NS record set Route 53 creates at the apex).
fn plain_member(ttl: u32, values: Vec<Value>) -> Member {
    Member {
        ttl,
        values,
        alias: None,
        routing: Routing::default(),
    }
}

type Compiled = (String, RType, Policy, Member);

/// One record of the model compiled for answering: its owner's FQDN, its type, its policy and
/// the member with parsed values. None when a name, type or value does not parse.
fn compile_record(zone: &str, r: &route53::Record) -> Option<Compiled> {
    let owner = record_fqdn(zone, &r.name).ok()?;
    let rtype = RType::parse(&r.rtype)?;
    let values = r
        .values
        .iter()
        .map(|v| Value::parse(rtype, v).ok())
        .collect::<Option<Vec<_>>>()?;
    let alias = match &r.alias {
        Some(AliasTarget::Record(name)) => Some(AliasTarget::Record(record_fqdn(zone, name).ok()?)),
        other => other.clone(),
    };
    let member = Member {
        ttl: r.ttl,
        values,
        alias,
        routing: r.routing.clone(),
    };
    Some((owner, rtype, r.policy, member))
}

/// Coordinates of a member for geoproximity (its own, else its region's).
pub fn member_coords(m: &Member) -> Option<(f64, f64)> {
    let r = &m.routing;
    r.coords
        .or_else(|| r.region.as_deref().and_then(geo::region_coords))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fqdn_rules() {
        assert_eq!(record_fqdn("example.com", "@").unwrap(), "example.com");
        assert_eq!(
            record_fqdn("example.com", "www").unwrap(),
            "www.example.com"
        );
        assert_eq!(
            record_fqdn("example.com", "www.example.com.").unwrap(),
            "www.example.com"
        );
        assert_eq!(
            record_fqdn("example.com", "www.example.com").unwrap(),
            "www.example.com"
        );
        assert!(record_fqdn("example.com", "www.other.org.").is_err());
        assert!(in_zone("a.b.example.com", "example.com"));
        assert!(!in_zone("badexample.com", "example.com"));
    }

    #[test]
    fn four_name_servers() {
        let ns = name_servers("example.com");
        assert_eq!(ns.len(), 4);
        assert!(ns[0].contains("awsdns"));
    }
}
