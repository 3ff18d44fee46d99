//! The compiled Route 53 configuration: hosted zones with record sets grouped by name and type,
//! health-check definitions and the latency table, built from a resolved `Network`. Invalid
//! entries are skipped here: `topology::validate` reports them.

use super::geo::{self, LatencyTable};
use super::rdata::{domain, RType, Soa, Value};
use crate::model::{InstanceId, NatId, Network, VpcId};
pub use crate::topology::records::{in_zone, record_fqdn, GeoMatch, Policy};
use crate::topology::spec;
use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;
use std::sync::Arc;

/// Default record TTL (the console's default).
pub const DEFAULT_TTL: u32 = 300;
/// SOA record TTL.
pub const SOA_TTL: u32 = 900;
/// NS record TTL.
pub const NS_TTL: u32 = 172_800;

/// A failover role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// PRIMARY.
    Primary,
    /// SECONDARY.
    Secondary,
}

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

/// A health check's protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckProtocol {
    /// HTTP (2xx/3xx; optional string match).
    Http,
    /// TCP connect.
    Tcp,
}

/// A compiled health check.
#[derive(Clone, Debug)]
pub struct CheckDef {
    /// Its name.
    pub name: String,
    /// Address probed.
    pub target: Ipv4Addr,
    /// Protocol.
    pub protocol: CheckProtocol,
    /// Port.
    pub port: u16,
    /// HTTP path.
    pub path: String,
    /// HTTP_STR_MATCH string.
    pub search: Option<String>,
    /// Seconds between checks (10 or 30).
    pub interval: u32,
    /// Consecutive results that flip the state (1..10).
    pub threshold: u32,
    /// Inverted status.
    pub inverted: bool,
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
    /// Compiles `net.topology.dns`.
    pub fn build(net: Arc<Network>) -> Zones {
        let t = net.topology.clone();
        let empty = spec::Dns::default();
        let dns = t.dns.as_ref().unwrap_or(&empty);
        let mut checks = Vec::new();
        let mut check_idx = HashMap::new();
        for (name, c) in dns.health_checks.iter() {
            let Some(target) = check_target(&net, &c.target) else {
                continue;
            };
            let protocol = if c.protocol.value == "tcp" {
                CheckProtocol::Tcp
            } else {
                CheckProtocol::Http
            };
            check_idx.insert(name.value.clone(), checks.len());
            checks.push(CheckDef {
                name: name.value.clone(),
                target,
                protocol,
                port: c
                    .port
                    .as_ref()
                    .map(|p| p.value)
                    .unwrap_or(80)
                    .clamp(1, 65535) as u16,
                path: c.path.clone().unwrap_or_else(|| "/".into()),
                search: c.search_string.clone(),
                interval: c
                    .interval
                    .as_ref()
                    .map(|i| i.value)
                    .unwrap_or(30)
                    .clamp(1, 3600) as u32,
                threshold: c
                    .failure_threshold
                    .as_ref()
                    .map(|i| i.value)
                    .unwrap_or(3)
                    .clamp(1, 10) as u32,
                inverted: c.inverted.unwrap_or(false),
            });
        }
        let mut zones = Vec::new();
        for z in &dns.zones {
            let Ok(zname) = domain(&z.name) else { continue };
            let private = z.private.as_ref().is_some_and(|p| p.value);
            let vpcs = z.vpcs.iter().filter_map(|v| net.vpc_by_name(v)).collect();
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
                let Some(m) = compile_record(&net, &zname, r, &check_idx) else {
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
            overrides: dns.latency.clone().unwrap_or_default(),
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

/// A health check's target address: an IPv4 address, or an instance's public (else private) IP.
pub fn check_target(net: &Network, s: &str) -> Option<Ipv4Addr> {
    if let Some(n) = s.strip_prefix("instance:") {
        let i = net.instance_by_name(n)?;
        let eni = net.eni(net.instance(i).eni);
        return Some(eni.public_ip.unwrap_or(eni.private_ip));
    }
    s.trim().parse().ok()
}

type Compiled = (String, RType, Policy, Member);

fn compile_record(
    net: &Network,
    zone: &str,
    r: &spec::Record,
    checks: &HashMap<String, usize>,
) -> Option<Compiled> {
    let owner = record_fqdn(zone, &r.name).ok()?;
    let rtype = RType::parse(&r.rtype)?;
    let policy = match &r.routing {
        Some(p) => Policy::parse(p)?,
        None => Policy::Simple,
    };
    let mut values = Vec::new();
    for v in &r.values {
        values.push(Value::parse(rtype, v.as_str()).ok()?);
    }
    let alias = match &r.alias {
        None => None,
        Some(a) => Some(if let Some(n) = a.strip_prefix("instance:") {
            Alias::Instance(net.instance_by_name(n)?)
        } else if let Some(n) = a.strip_prefix("nat:") {
            Alias::Nat(net.nat_gateways.iter().find(|g| g.name == n)?.id)
        } else {
            Alias::Record(record_fqdn(zone, a).ok()?)
        }),
    };
    let role = match r.role.as_ref().map(|r| r.value.as_str()) {
        Some("primary") => Some(Role::Primary),
        Some("secondary") => Some(Role::Secondary),
        _ => None,
    };
    let location = r.location.as_ref().and_then(|l| GeoMatch::from_spec(l));
    let coords = r.coordinates.as_ref().map(|c| (c.lat, c.lon));
    let region = r.region.as_ref().map(|s| s.value.clone());
    let set = match &r.set {
        Some(s) => s.value.clone(),
        None => match policy {
            Policy::Failover => r.role.as_ref().map(|s| s.value.clone()).unwrap_or_default(),
            Policy::Geolocation => format!("{location:?}"),
            Policy::Latency => region.clone().unwrap_or_default(),
            Policy::Geoproximity => region.clone().unwrap_or_else(|| format!("{coords:?}")),
            _ => String::new(),
        },
    };
    let member = Member {
        set,
        ttl: r
            .ttl
            .as_ref()
            .map(|t| t.value.clamp(0, i32::MAX as i64) as u32)
            .unwrap_or(DEFAULT_TTL),
        values,
        alias,
        evaluate_target_health: r.evaluate_target_health.unwrap_or(false),
        weight: r
            .weight
            .as_ref()
            .map(|w| w.value.clamp(0, 255) as u32)
            .unwrap_or(0),
        role,
        location,
        region,
        coords,
        bias: r.bias.as_ref().map(|b| b.value).unwrap_or(0),
        health: r
            .health_check
            .as_ref()
            .and_then(|h| checks.get(&h.value).copied()),
    };
    Some((owner, rtype, policy, member))
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
