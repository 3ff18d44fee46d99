//! Route 53 as the model resolves it from `dns:`: hosted zones with their records, health
//! checks and latency overrides. References are resolved (VPCs, alias instances and NAT
//! gateways, health checks, check targets), enumerations typed and defaults applied; record
//! names, types and values stay as written, for `dns::zones` to compile with the DNS rules.

use super::ids::{InstanceId, NatId, VpcId};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// Default record TTL in seconds (300, the Route 53 console's default).
pub const DEFAULT_TTL: u32 = 300;

/// The `dns:` section, resolved. Empty (no zones, no checks) when the file has none.
#[derive(Clone, Debug, Default)]
pub struct Route53 {
    /// Hosted zones in file order.
    pub zones: Vec<HostedZone>,
    /// Health checks in file order (`Record::health` indexes this).
    pub health_checks: Vec<HealthCheck>,
    /// Latency overrides between regions in ms (`dns.latency`), both orders as written.
    pub latency: BTreeMap<String, BTreeMap<String, u32>>,
}

/// A hosted zone.
#[derive(Clone, Debug)]
pub struct HostedZone {
    /// Its name as written (`dns::zones` normalises it).
    pub name: String,
    /// True for a private hosted zone (`private: true`; default false, a public zone).
    pub private: bool,
    /// VPCs a private zone is associated with (answered only to their resolvers); empty for public
    /// zones.
    pub vpcs: Vec<VpcId>,
    /// Records in file order.
    pub records: Vec<Record>,
}

/// One `records:` entry.
#[derive(Clone, Debug)]
pub struct Record {
    /// Owner name as written (`@`, relative or absolute).
    pub name: String,
    /// Record type as written (`A`, `CNAME`, ...); `dns::zones` parses it.
    pub rtype: String,
    /// Values as written, in order (empty for aliases).
    pub values: Vec<String>,
    /// Alias target (Route 53's alias record); None for a plain record.
    pub alias: Option<AliasTarget>,
    /// Routing policy (`simple` when not written).
    pub policy: Policy,
    /// TTL in seconds (`DEFAULT_TTL` when not written; clamped to 0..=i32::MAX).
    pub ttl: u32,
    /// How the record takes part in its record set's routing; `dns::zones` carries it over as is.
    pub routing: Routing,
}

/// A record's part in the routing of its record set (the records sharing its name and type):
/// what Route 53 reads to choose among them and to judge their health. The default is a plain
/// `simple` record's (no set identifier, weight 0, no health check).
#[derive(Clone, Debug, Default)]
pub struct Routing {
    /// SetIdentifier: as written, else derived from the role, location or region for the
    /// policies that do not need one written.
    pub set: String,
    /// Route 53's `EvaluateTargetHealth` for aliases (default false): the alias counts as healthy
    /// only while its target is (a record alias: one healthy member; an instance alias: the
    /// instance running).
    pub evaluate_target_health: bool,
    /// Weight for weighted routing, clamped to 0..=255 (0 when not written).
    pub weight: u32,
    /// Failover role (failover routing); None for other policies.
    pub role: Option<Role>,
    /// Area matched by geolocation routing; None for other policies.
    pub location: Option<GeoMatch>,
    /// AWS region for latency and geoproximity routing; None when not written.
    pub region: Option<String>,
    /// Coordinates `(latitude, longitude)` in degrees for geoproximity routing instead of a region.
    pub coords: Option<(f64, f64)>,
    /// Geoproximity bias, -99..=99 as validated (0 when not written): positive grows the
    /// record's area, negative shrinks it.
    pub bias: i64,
    /// Index into `Route53::health_checks` (the same order as `dns::Zones::checks`) of the
    /// record's health check; None when it has none.
    pub health: Option<usize>,
}

/// What an alias record points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AliasTarget {
    /// An instance's address (`instance:NAME`): private in a private zone, else public (or
    /// private when it has none).
    Instance(InstanceId),
    /// A NAT gateway's address (`nat:NAME`): private in a private zone, else its Elastic IP
    /// (or private when it has none).
    Nat(NatId),
    /// Another record of the same type in the same zone: its name as written in the model, its
    /// FQDN (lowercase, no trailing dot) once `dns::zones` compiled it.
    Record(String),
    /// A load balancer (`lb:NAME`): its nodes' addresses, as its DNS name answers.
    LoadBalancer(crate::model::LoadBalancerId),
}

pub use crate::topology::records::{GeoMatch, Policy};

/// A failover record's role (Route 53's `Failover` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `PRIMARY`: answered while healthy.
    Primary,
    /// `SECONDARY`: answered when the primary is unhealthy.
    Secondary,
}

/// A health check's protocol (Route 53's `Type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckProtocol {
    /// `HTTP`: healthy on a 2xx or 3xx status; with `search`, AWS's `HTTP_STR_MATCH`.
    Http,
    /// `TCP`: healthy when a TCP connection opens.
    Tcp,
}

/// A health check, with its target resolved to the address probed.
#[derive(Clone, Debug)]
pub struct HealthCheck {
    /// Its key under `dns: health_checks:`.
    pub name: String,
    /// Address probed: the one written, or an instance's public (else private) IP.
    pub target: Ipv4Addr,
    /// How the target is probed.
    pub protocol: CheckProtocol,
    /// Port probed (80 when not written; 1..=65535).
    pub port: u16,
    /// HTTP request path (`/` when not written).
    pub path: String,
    /// AWS's `SearchString` (`search_string:`): the body must contain it (`HTTP_STR_MATCH`); None
    /// when not written.
    pub search: Option<String>,
    /// Seconds between probes (AWS's `RequestInterval`; 30 when not written, 1..=3600).
    pub interval: u32,
    /// Consecutive results that flip the state (1..10, 3 when not written).
    pub threshold: u32,
    /// AWS's `Inverted`: the check reports healthy when the probe fails, and the reverse.
    pub inverted: bool,
}
