//! The compiled Route 53 configuration: hosted zones with record sets grouped by name and type,
//! health-check definitions and the latency table, compiled from the model's `Route53`. Names,
//! types and values that do not parse are skipped here: `topology::validate` reports them.

use super::geo::{self, LatencyTable};
use super::rdata::{domain, RType, Soa, Value};
use crate::model::route53::{self, AliasTarget};
use crate::model::{InstanceId, NatId, Network, VpcId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use crate::model::route53::HealthCheck as CheckDef;
pub use crate::model::route53::{CheckProtocol, GeoMatch, Policy, Role, DEFAULT_TTL};
pub use crate::topology::records::{in_zone, record_fqdn};
/// SOA record TTL.
pub const SOA_TTL: u32 = 900;
/// NS record TTL.
pub const NS_TTL: u32 = 172_800;

/// An alias target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Alias {
    /// An instance's address.
    Instance(InstanceId),
    /// A NAT gateway's address.
    Nat(NatId),
    /// Another record of the same type in the same zone (FQDN).
    Record(String),
}

/// One record of a record set (one `records:` entry).
#[derive(Clone, Debug)]
pub struct Member {
    /// SetIdentifier (derived for policies that do not need one written).
    pub set: String,
    /// TTL.
    pub ttl: u32,
    /// Values (empty for aliases).
    pub values: Vec<Value>,
    /// Alias target.
    pub alias: Option<Alias>,
    /// EvaluateTargetHealth.
    pub evaluate_target_health: bool,
    /// Weight (weighted).
    pub weight: u32,
    /// Role (failover).
    pub role: Option<Role>,
    /// Area (geolocation).
    pub location: Option<GeoMatch>,
    /// Region (latency, geoproximity).
    pub region: Option<String>,
    /// Coordinates (geoproximity).
    pub coords: Option<(f64, f64)>,
    /// Bias (geoproximity).
    pub bias: i64,
    /// Index into `Zones::checks`.
    pub health: Option<usize>,
}

/// All records sharing a name and type.
#[derive(Clone, Debug)]
pub struct Group {
    /// The type.
    pub rtype: RType,
    /// The routing policy (one per group).
    pub policy: Policy,
    /// The records.
    pub members: Vec<Member>,
}

/// A compiled hosted zone.
#[derive(Clone, Debug)]
pub struct Zone {
    /// Apex (lowercase, no trailing dot).
    pub name: String,
    /// Private hosted zone.
    pub private: bool,
    /// Associated VPCs (private zones).
    pub vpcs: Vec<VpcId>,
    /// The SOA.
    pub soa: Soa,
    /// Record sets by (owner name, type).
    pub groups: HashMap<(String, RType), Group>,
    /// Every owner name and its ancestors inside the zone (to tell NODATA from NXDOMAIN).
    pub names: HashSet<String>,
}

impl Zone {
    /// True when `name` is the apex or below it.
    pub fn contains(&self, name: &str) -> bool {
        in_zone(name, &self.name)
    }
}

/// Everything `answer` needs: zones, health-check definitions, the latency table and the model
/// (for aliases, EC2 hostnames and VPC DNS attributes).
#[derive(Clone, Debug)]
pub struct Zones {
    /// The resolved network.
    pub net: Arc<Network>,
    /// Hosted zones.
    pub zones: Vec<Zone>,
    /// Health checks (index = `Member::health`).
    pub checks: Vec<CheckDef>,
    /// Latency between regions.
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
    /// Compiles `net.route53`.
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

fn plain_member(ttl: u32, values: Vec<Value>) -> Member {
    Member {
        set: String::new(),
        ttl,
        values,
        alias: None,
        evaluate_target_health: false,
        weight: 0,
        role: None,
        location: None,
        region: None,
        coords: None,
        bias: 0,
        health: None,
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
        None => None,
        Some(AliasTarget::Instance(i)) => Some(Alias::Instance(*i)),
        Some(AliasTarget::Nat(g)) => Some(Alias::Nat(*g)),
        Some(AliasTarget::Record(name)) => Some(Alias::Record(record_fqdn(zone, name).ok()?)),
    };
    let member = Member {
        set: r.set.clone(),
        ttl: r.ttl,
        values,
        alias,
        evaluate_target_health: r.evaluate_target_health,
        weight: r.weight,
        role: r.role,
        location: r.location.clone(),
        region: r.region.clone(),
        coords: r.coords,
        bias: r.bias,
        health: r.health,
    };
    Some((owner, rtype, r.policy, member))
}

/// Coordinates of a member for geoproximity (its own, else its region's).
pub fn member_coords(m: &Member) -> Option<(f64, f64)> {
    m.coords
        .or_else(|| m.region.as_deref().and_then(geo::region_coords))
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
