//! The check kinds that pin a step's intent (part of `lab`, rank 8), as `lab.yaml` writes
//! them: `path` (the analyzer's path goes through, or avoids, components), `no_public_ip`,
//! `value` (an exact address, CIDR or association) and `rules_within` (no rule broader than
//! needed). `intent` judges them; `docs/labs.md` describes them for lab authors.

use crate::policy::ComponentKind;
use crate::topology::parse;
use crate::topology::strict;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::Ipv4Addr;

fn default_proto() -> String {
    "tcp".into()
}

/// One component a path must pass through or avoid: its kind, its display id, or both (a hop
/// matches when every written field matches; `component` compares case-insensitively). Kinds
/// are policy's names, so a kind added there (a transit gateway, an endpoint, a load
/// balancer) is written here with no new check kind.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HopSpec {
    /// The component's kind (`nat_gateway`, `internet_gateway`, `peering`, ...).
    #[serde(default)]
    pub kind: Option<ComponentKind>,
    /// The component's display id (`nat-a`, `igw-main`, `pcx-b-c`).
    #[serde(default)]
    pub component: Option<String>,
}

impl fmt::Display for HopSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.kind, &self.component) {
            (Some(k), Some(c)) => write!(f, "{k} {c}"),
            (Some(k), None) => write!(f, "{k}"),
            (None, Some(c)) => write!(f, "{c}"),
            (None, None) => f.write_str("any component"),
        }
    }
}

/// A `path` check: the analyzer finds the flow reachable, and its forward path passes through
/// every `through` component and none of the `avoids` ones.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PathCheck {
    /// Source, as `vpclab reach --from` takes it.
    pub from: String,
    /// Destination, as `vpclab reach --to` takes it.
    pub to: String,
    /// `tcp`, `udp` or `icmp` (default `tcp`).
    #[serde(default = "default_proto")]
    pub protocol: String,
    /// Destination port (tcp/udp); None for icmp.
    #[serde(default, deserialize_with = "strict::option")]
    pub port: Option<u16>,
    /// True: ask over IPv6 (`vpclab reach -6`); default IPv4.
    #[serde(default, deserialize_with = "strict::value")]
    pub ipv6: bool,
    /// Components the forward path must pass through (any order).
    #[serde(default)]
    pub through: Vec<HopSpec>,
    /// Components the forward path must not pass through.
    #[serde(default)]
    pub avoids: Vec<HopSpec>,
}

/// A `no_public_ip` check: none of the instance's ENIs has a public IPv4 or Elastic IP, so
/// the internet has no address for it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NoPublicIpCheck {
    /// The instance's name.
    pub instance: String,
}

/// The attribute a `value` check reads.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ValueField {
    /// An instance's primary private IPv4 (an address).
    PrivateIp,
    /// An instance's public IPv4 or Elastic IP (an address).
    PublicIp,
    /// The subnet an instance or NAT gateway sits in (the subnet's name).
    Subnet,
    /// A subnet's CIDR, or a VPC's primary CIDR.
    Cidr,
    /// The route table a subnet is associated with (its name).
    RouteTable,
    /// The network ACL a subnet is associated with (its name).
    NetworkAcl,
    /// A Route 53 record's weight (weighted routing; a number).
    Weight,
    /// The health check a Route 53 record uses (its name under `health_checks:`).
    HealthCheck,
    /// The area a geolocation record matches: `default`, `continent EU`, `country JP` or
    /// `country US subdivision CA`.
    Location,
    /// The AWS region of a latency record (`ap-northeast-1`).
    Region,
    /// The virtual private gateways whose routes are propagated into a route table (their
    /// names, comma-separated in name order; a gateway that propagates no prefix is not seen).
    PropagatingVgws,
    /// A virtual interface's or VPN connection's state: `up` or `down`.
    State,
    /// A static VPN connection's `static_routes` (CIDRs, comma-separated; compared as a set of
    /// networks, so `172.16.0.0/12` is not `172.16.0.0/16`).
    StaticRoutes,
    /// The traffic type of the flow logs of a resource (`ACCEPT`, `REJECT`, `ALL`; several
    /// logs on one resource: comma-separated in name order).
    Traffic,
    /// The output format of the flow logs of a resource (`aws`, `pcap`, `pcapng`; as `traffic`).
    Format,
    /// Whether an interface endpoint's private DNS is on (`true` or `false`).
    PrivateDns,
}

impl ValueField {
    /// The name as written in `lab.yaml`.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueField::PrivateIp => "private_ip",
            ValueField::PublicIp => "public_ip",
            ValueField::Subnet => "subnet",
            ValueField::Cidr => "cidr",
            ValueField::RouteTable => "route_table",
            ValueField::NetworkAcl => "network_acl",
            ValueField::Weight => "weight",
            ValueField::HealthCheck => "health_check",
            ValueField::Location => "location",
            ValueField::Region => "region",
            ValueField::PropagatingVgws => "propagating_vgws",
            ValueField::State => "state",
            ValueField::StaticRoutes => "static_routes",
            ValueField::Traffic => "traffic",
            ValueField::Format => "format",
            ValueField::PrivateDns => "private_dns",
        }
    }
}

/// A `value` check's resource: `instance:NAME`, `subnet:VPC/NAME`, `vpc:NAME`,
/// `nat_gateway:VPC/NAME` (the forms flow logs use, plus NAT gateways) or
/// `record:ZONE/NAME/SET` (a Route 53 record by zone, name as written and set identifier; the
/// first zone of that name), `route_table:VPC/NAME`, `vpn_connection:NAME` or
/// `virtual_interface:NAME`, `flow_log:RESOURCE` (the flow logs whose `resource:` is written
/// `RESOURCE`, e.g. `flow_log:subnet:main/data-a`) or `endpoint:VPC/NAME`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueResource {
    /// An instance by name.
    Instance(String),
    /// A subnet: VPC name, subnet name.
    Subnet(String, String),
    /// A VPC by name.
    Vpc(String),
    /// A NAT gateway: VPC name, gateway name.
    NatGateway(String, String),
    /// A Route 53 record: zone name, record name as written, set identifier.
    Record(String, String, String),
    /// A VPC route table: VPC name, table name.
    RouteTable(String, String),
    /// A Site-to-Site VPN connection by name.
    VpnConnection(String),
    /// A Direct Connect virtual interface by name.
    VirtualInterface(String),
    /// The flow logs of a resource, by the resource as written (`subnet:main/data-a`).
    FlowLog(String),
    /// A VPC endpoint: VPC name, endpoint name.
    Endpoint(String, String),
}

impl ValueResource {
    /// Parses the written form; the error lists the forms.
    pub fn parse(s: &str) -> Result<ValueResource, String> {
        let bad = || {
            format!(
                "`{s}` is not instance:NAME, subnet:VPC/NAME, vpc:NAME, nat_gateway:VPC/NAME, record:ZONE/NAME/SET, route_table:VPC/NAME, vpn_connection:NAME, virtual_interface:NAME, flow_log:RESOURCE or endpoint:VPC/NAME"
            )
        };
        let (kind, name) = s.split_once(':').ok_or_else(bad)?;
        let pair = |n: &str| {
            n.split_once('/')
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .ok_or_else(bad)
        };
        match kind {
            _ if name.is_empty() => Err(bad()),
            "instance" => Ok(ValueResource::Instance(name.into())),
            "vpc" => Ok(ValueResource::Vpc(name.into())),
            "subnet" => pair(name).map(|(v, n)| ValueResource::Subnet(v, n)),
            "nat_gateway" => pair(name).map(|(v, n)| ValueResource::NatGateway(v, n)),
            "route_table" => pair(name).map(|(v, n)| ValueResource::RouteTable(v, n)),
            "vpn_connection" => Ok(ValueResource::VpnConnection(name.into())),
            "virtual_interface" => Ok(ValueResource::VirtualInterface(name.into())),
            "flow_log" => Ok(ValueResource::FlowLog(name.into())),
            "endpoint" => pair(name).map(|(v, n)| ValueResource::Endpoint(v, n)),
            "record" => match name.split('/').collect::<Vec<_>>().as_slice() {
                [z, n, set] if !z.is_empty() && !n.is_empty() && !set.is_empty() => Ok(
                    ValueResource::Record(z.to_string(), n.to_string(), set.to_string()),
                ),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        }
    }
    /// The fields this resource has.
    pub fn fields(&self) -> &'static [ValueField] {
        use ValueField::*;
        match self {
            ValueResource::Instance(_) => &[PrivateIp, PublicIp, Subnet],
            ValueResource::Subnet(..) => &[Cidr, RouteTable, NetworkAcl],
            ValueResource::Vpc(_) => &[Cidr],
            ValueResource::NatGateway(..) => &[Subnet],
            ValueResource::Record(..) => &[Weight, HealthCheck, Location, Region],
            ValueResource::RouteTable(..) => &[PropagatingVgws],
            ValueResource::VpnConnection(_) => &[State, StaticRoutes],
            ValueResource::VirtualInterface(_) => &[State],
            ValueResource::FlowLog(_) => &[Traffic, Format],
            ValueResource::Endpoint(..) => &[PrivateDns],
        }
    }
}

/// What a `value` check compares with, typed by its field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// An IPv4 address (`private_ip`, `public_ip`).
    Addr(Ipv4Addr),
    /// A CIDR (`cidr`), compared as a network (`10.0.2.0/28`).
    Cidr(Ipv4Net),
    /// The name of a subnet, route table, network ACL or health check, compared exactly.
    Name(String),
    /// A number (`weight`).
    Number(u32),
    /// A set of CIDRs (`static_routes`), sorted and without duplicates.
    Cidrs(Vec<Ipv4Net>),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Addr(a) => write!(f, "{a}"),
            Expected::Cidr(c) => write!(f, "{c}"),
            Expected::Name(n) => f.write_str(n),
            Expected::Number(n) => write!(f, "{n}"),
            Expected::Cidrs(c) => {
                let all: Vec<String> = c.iter().map(|c| c.to_string()).collect();
                f.write_str(&all.join(", "))
            }
        }
    }
}

/// A `value` check: one attribute of one resource of the learner's file equals this value
/// exactly (the neighbouring address fails it).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ValueCheck {
    /// `instance:NAME`, `subnet:VPC/NAME`, `vpc:NAME` or `nat_gateway:VPC/NAME`.
    pub resource: String,
    /// The attribute.
    pub field: ValueField,
    /// The value, as the topology would write it.
    pub equals: String,
}

impl ValueCheck {
    /// The resource and the expected value, typed; the error says what is wrong with the check
    /// as written (`parse_lab` reports it with the check's position).
    pub fn typed(&self) -> Result<(ValueResource, Expected), String> {
        let r = ValueResource::parse(&self.resource)?;
        if !r.fields().contains(&self.field) {
            let names: Vec<&str> = r.fields().iter().map(|f| f.as_str()).collect();
            return Err(format!(
                "`{}` has no field `{}` (it has {})",
                self.resource,
                self.field.as_str(),
                names.join(", ")
            ));
        }
        let want = match self.field {
            ValueField::PrivateIp | ValueField::PublicIp => {
                Expected::Addr(parse::ipv4(&self.equals)?)
            }
            ValueField::Cidr => Expected::Cidr(parse::cidr(&self.equals)?),
            ValueField::Weight => Expected::Number(
                self.equals
                    .parse()
                    .map_err(|_| format!("`{}` is not a whole number", self.equals))?,
            ),
            ValueField::StaticRoutes => Expected::Cidrs(cidr_set(&self.equals)?),
            ValueField::PrivateDns if !matches!(self.equals.as_str(), "true" | "false") => {
                return Err(format!("`{}` is not true or false", self.equals))
            }
            ValueField::State if !matches!(self.equals.as_str(), "up" | "down") => {
                return Err(format!("`{}` is not a state (up or down)", self.equals))
            }
            ValueField::PropagatingVgws => Expected::Name(name_list(&self.equals)),
            ValueField::Traffic | ValueField::Format => {
                let known: &[&str] = if self.field == ValueField::Traffic {
                    &["ACCEPT", "REJECT", "ALL"]
                } else {
                    &["aws", "pcap", "pcapng"]
                };
                let v = name_list(&self.equals);
                if let Some(bad) = v.split(", ").find(|x| !known.contains(x)) {
                    return Err(format!("`{bad}` is not one of {}", known.join(", ")));
                }
                Expected::Name(v)
            }
            _ => Expected::Name(self.equals.clone()),
        };
        Ok((r, want))
    }
}

/// Comma-separated CIDRs as a sorted set (`static_routes`).
fn cidr_set(s: &str) -> Result<Vec<Ipv4Net>, String> {
    let mut v = s
        .split(',')
        .map(|c| parse::cidr(c.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    v.sort();
    v.dedup();
    Ok(v)
}

/// Comma-separated names in name order, joined by `, ` (`propagating_vgws`).
pub(crate) fn name_list(s: &str) -> String {
    let mut v: Vec<&str> = s
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    v.sort();
    v.dedup();
    v.join(", ")
}

/// Which direction's rules a `rules_within` check reads.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum RuleDirection {
    /// Inbound rules (the default).
    #[default]
    Inbound,
    /// Outbound rules.
    Outbound,
}

impl fmt::Display for RuleDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleDirection::Inbound => "inbound",
            RuleDirection::Outbound => "outbound",
        })
    }
}

/// One allowance of a `rules_within` check: a rule is within it when its protocol is this one
/// (or this is `all`), its ports lie inside `ports` and its peer inside `peer`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Allowance {
    /// `tcp`, `udp`, `icmp`, `all` or a number, as in the topology.
    pub protocol: String,
    /// `80`, `1024-65535` or `all` (default `all`); ignored for protocols without ports.
    #[serde(default)]
    pub ports: Option<String>,
    /// The rule's source (inbound) or destination (outbound): a CIDR, `sg:NAME` or `pl:NAME`,
    /// as an SG rule writes it; a NACL entry's `cidr`. A CIDR rule is within a wider CIDR; a
    /// group or prefix list only within itself.
    pub peer: String,
}

/// A `rules_within` check: every rule of a security group (or of every group on an
/// instance), or every `allow` entry of a network ACL, in `direction` lies within one of
/// `allow`. A rule wider than the tier that needs it, or a port range wider than the port,
/// fails it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RulesWithinCheck {
    /// A security group, `NAME` or `VPC/NAME`.
    #[serde(default)]
    pub security_group: Option<String>,
    /// An instance: the rules of every group on its ENIs.
    #[serde(default)]
    pub instance: Option<String>,
    /// A network ACL, `NAME` or `VPC/NAME`: its `allow` entries (denies narrow, never widen).
    #[serde(default)]
    pub network_acl: Option<String>,
    /// Inbound (default) or outbound.
    #[serde(default)]
    pub direction: RuleDirection,
    /// What the step needs; everything else is broader than needed. Empty: no rule at all
    /// (a group that must keep `outbound: []`).
    pub allow: Vec<Allowance>,
}

impl RulesWithinCheck {
    /// What the check reads, as the label names it (`security group app`, `app's security
    /// groups`, `network ACL public`);
    /// the error says the check does not name exactly one.
    pub fn subject(&self) -> Result<String, String> {
        match (&self.security_group, &self.instance, &self.network_acl) {
            (Some(g), None, None) => Ok(format!("security group {g}")),
            (None, Some(i), None) => Ok(format!("{i}'s security groups")),
            (None, None, Some(a)) => Ok(format!("network ACL {a}")),
            _ => {
                Err("name exactly one of `security_group`, `instance` or `network_acl`".to_string())
            }
        }
    }
    /// Checks the allowances as written; the error names the bad one.
    pub fn validate(&self) -> Result<(), String> {
        self.subject()?;
        for a in &self.allow {
            parse::protocol(&a.protocol)?;
            if let Some(p) = &a.ports {
                parse::port_range(p)?;
            }
            parse::peer_ref(&a.peer)?;
        }
        Ok(())
    }
}

impl fmt::Display for Allowance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ports {
            Some(p) => write!(f, "{}/{} {}", self.protocol, p, self.peer),
            None => write!(f, "{} {}", self.protocol, self.peer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_resources_parse_and_list_their_fields() {
        assert_eq!(
            ValueResource::parse("subnet:main/data").unwrap(),
            ValueResource::Subnet("main".into(), "data".into())
        );
        assert!(ValueResource::parse("subnet:data").is_err());
        assert!(ValueResource::parse("eni:x").is_err());
        let c = ValueCheck {
            resource: "vpc:main".into(),
            field: ValueField::PrivateIp,
            equals: "10.0.0.1".into(),
        };
        assert!(c.typed().unwrap_err().contains("no field `private_ip`"));
        let c = ValueCheck {
            resource: "instance:db".into(),
            field: ValueField::PrivateIp,
            equals: "10.0.2.300".into(),
        };
        assert!(c.typed().is_err());
    }

    #[test]
    fn hybrid_route53_and_flow_log_values_are_typed() {
        let c = |resource: &str, field, equals: &str| ValueCheck {
            resource: resource.into(),
            field,
            equals: equals.into(),
        };
        assert_eq!(
            ValueResource::parse("flow_log:subnet:main/data-a").unwrap(),
            ValueResource::FlowLog("subnet:main/data-a".into())
        );
        let (_, want) = c(
            "vpn_connection:dc",
            ValueField::StaticRoutes,
            "172.16.0.0/16, 10.9.0.0/16, 172.16.0.0/16",
        )
        .typed()
        .unwrap();
        assert_eq!(want.to_string(), "10.9.0.0/16, 172.16.0.0/16");
        assert!(c("virtual_interface:x", ValueField::State, "sideways")
            .typed()
            .unwrap_err()
            .contains("up or down"));
        assert!(c("flow_log:vpc:main", ValueField::Traffic, "reject")
            .typed()
            .unwrap_err()
            .contains("ACCEPT, REJECT, ALL"));
        assert!(c(
            "virtual_interface:x",
            ValueField::StaticRoutes,
            "10.0.0.0/8"
        )
        .typed()
        .unwrap_err()
        .contains("no field `static_routes`"));
        let (_, want) = c("route_table:app/app", ValueField::PropagatingVgws, "b, a")
            .typed()
            .unwrap();
        assert_eq!(want, Expected::Name("a, b".into()));
    }

    #[test]
    fn rules_within_names_exactly_one_subject() {
        let mut c = RulesWithinCheck {
            security_group: Some("app".into()),
            instance: Some("app".into()),
            network_acl: None,
            direction: RuleDirection::Inbound,
            allow: vec![],
        };
        assert!(c.validate().is_err());
        c.instance = None;
        assert!(
            c.validate().is_ok(),
            "an empty allow list means no rule at all"
        );
        c.allow.push(Allowance {
            protocol: "tcp".into(),
            ports: Some("8080".into()),
            peer: "sg:web".into(),
        });
        assert!(c.validate().is_ok());
    }
}
