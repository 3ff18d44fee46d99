//! Route 53 as the model resolves it from `dns:`: hosted zones with their records, health
//! checks and latency overrides. References are resolved (VPCs, alias instances and NAT
//! gateways, health checks, check targets), enumerations typed and defaults applied; record
//! names, types and values stay as written, for `dns::zones` to compile with the DNS rules.

use super::ids::{InstanceId, NatId, VpcId};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// Default record TTL (the console's default).
pub const DEFAULT_TTL: u32 = 300;

/// The `dns:` section, resolved.
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
    /// A private hosted zone.
    pub private: bool,
    /// Associated VPCs (private zones).
    pub vpcs: Vec<VpcId>,
    /// Records in file order.
    pub records: Vec<Record>,
}

/// One `records:` entry.
#[derive(Clone, Debug)]
pub struct Record {
    /// Owner name as written (`@`, relative or absolute).
    pub name: String,
    /// Record type as written (`A`, `CNAME`, ...).
    pub rtype: String,
    /// Values as written (empty for aliases).
    pub values: Vec<String>,
    /// Alias target.
    pub alias: Option<AliasTarget>,
    /// Routing policy (`simple` when not written).
    pub policy: Policy,
    /// SetIdentifier: as written, else derived from the role, location or region for the
    /// policies that do not need one written.
    pub set: String,
    /// TTL (`DEFAULT_TTL` when not written).
    pub ttl: u32,
    /// EvaluateTargetHealth.
    pub evaluate_target_health: bool,
    /// Weight (weighted; 0..255).
    pub weight: u32,
    /// Role (failover).
    pub role: Option<Role>,
    /// Area (geolocation).
    pub location: Option<GeoMatch>,
    /// Region (latency, geoproximity).
    pub region: Option<String>,
    /// Coordinates `(lat, lon)` (geoproximity).
    pub coords: Option<(f64, f64)>,
    /// Bias (geoproximity).
    pub bias: i64,
    /// Index into `Route53::health_checks`.
    pub health: Option<usize>,
}

/// What an alias points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AliasTarget {
    /// An instance's address (`instance:NAME`).
    Instance(InstanceId),
    /// A NAT gateway's address (`nat:NAME`).
    Nat(NatId),
    /// Another record of the same type in the same zone, its name as written.
    Record(String),
}

pub use crate::topology::records::{GeoMatch, Policy};

/// A failover role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// PRIMARY.
    Primary,
    /// SECONDARY.
    Secondary,
}

/// A health check's protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckProtocol {
    /// HTTP (2xx/3xx; optional string match).
    Http,
    /// TCP connect.
    Tcp,
}

/// A health check, with its target resolved to the address probed.
#[derive(Clone, Debug)]
pub struct HealthCheck {
    /// Its name.
    pub name: String,
    /// Address probed: the one written, or an instance's public (else private) IP.
    pub target: Ipv4Addr,
    /// Protocol.
    pub protocol: CheckProtocol,
    /// Port (80 when not written).
    pub port: u16,
    /// HTTP path (`/` when not written).
    pub path: String,
    /// HTTP_STR_MATCH string.
    pub search: Option<String>,
    /// Seconds between checks (30 when not written).
    pub interval: u32,
    /// Consecutive results that flip the state (1..10, 3 when not written).
    pub threshold: u32,
    /// Inverted status.
    pub inverted: bool,
}
