//! The topology file as written: serde structs that mirror the YAML exactly (see
//! `docs/topology.md`). Every value that validation may complain about keeps its position.
//! Nothing here is checked beyond YAML types; `validate` and `model::build` do the rest.

use super::span::{NamedMap, Sp, Word};
use super::strict;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole topology file.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// `[a-z0-9-]{1,12}`; prefixes namespaces and devices.
    pub name: Sp<String>,
    /// Default region of every VPC (default `us-east-1`).
    #[serde(default)]
    pub region: Option<Sp<String>>,
    /// The default AWS account id of every VPC: 12 digits, quoted (default `"123456789012"`).
    #[serde(default)]
    pub account: Option<Sp<String>>,
    /// Where public IPs and Elastic IPs come from: a CIDR or a list of CIDRs, drawn from in
    /// order (default `203.0.113.0/24`).
    #[serde(default)]
    pub public_ip_pool: Option<Sp<PublicIpPool>>,
    /// VPCs by name.
    #[serde(default)]
    pub vpcs: NamedMap<Vpc>,
    /// VPC peering connections by name.
    #[serde(default)]
    pub peerings: NamedMap<Peering>,
    /// Customer-managed prefix lists by name (`pl:NAME` in routes and SG rules).
    #[serde(default)]
    pub prefix_lists: NamedMap<PrefixList>,
    /// The emulated internet.
    #[serde(default)]
    pub internet: Option<Internet>,
    /// Route 53.
    #[serde(default)]
    pub dns: Option<Dns>,
    /// Flow-log definitions.
    #[serde(default)]
    pub flow_logs: Vec<FlowLog>,
    /// Engine limits (vpclab extension).
    #[serde(default)]
    pub engine: Option<EngineSettings>,
    /// AWS services on the emulated internet (S3, DynamoDB, SQS, …); off by default.
    #[serde(default)]
    pub aws_services: Vec<Sp<super::spec_endpoints::AwsServiceDecl>>,
    /// Transit gateways by name.
    #[serde(default)]
    pub transit_gateways: NamedMap<super::transit::TransitGateway>,
    /// Virtual private gateways by name.
    #[serde(default)]
    pub vpn_gateways: NamedMap<super::transit::VpnGateway>,
    /// Customer gateways by name.
    #[serde(default)]
    pub customer_gateways: NamedMap<super::transit::CustomerGateway>,
    /// Site-to-Site VPN connections by name.
    #[serde(default)]
    pub vpn_connections: NamedMap<super::transit::VpnConnection>,
    /// Direct Connect gateways by name.
    #[serde(default)]
    pub direct_connect_gateways: NamedMap<super::transit::DirectConnectGateway>,
    /// Direct Connect virtual interfaces by name.
    #[serde(default)]
    pub virtual_interfaces: NamedMap<super::transit::VirtualInterface>,
    /// Networks outside AWS (data centers, branches) by name.
    #[serde(default)]
    pub on_premises: NamedMap<super::transit::OnPremises>,
    /// Elastic Load Balancing: network and application load balancers by name.
    #[serde(default)]
    pub load_balancers: NamedMap<super::load_balancer::LoadBalancer>,
}

/// `public_ip_pool:`: one CIDR, or a list of CIDRs drawn from in order.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum PublicIpPool {
    /// One CIDR (the short form).
    One(String),
    /// Several CIDRs, each with its position.
    Many(Vec<Sp<String>>),
}

impl Topology {
    /// The pool CIDRs as written, in order, each with its position (the short form at the
    /// key's value); empty when `public_ip_pool` is absent.
    pub fn pools(&self) -> Vec<Sp<String>> {
        match &self.public_ip_pool {
            None => vec![],
            Some(p) => match &p.value {
                PublicIpPool::One(c) => vec![Sp::at(c.clone(), p.loc)],
                PublicIpPool::Many(l) => l.clone(),
            },
        }
    }
}

impl<'de> Deserialize<'de> for PublicIpPool {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PublicIpPool;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a CIDR or a list of CIDRs")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(PublicIpPool::One(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(PublicIpPool::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                let mut out = vec![];
                while let Some(c) = s.next_element::<Sp<String>>()? {
                    out.push(c);
                }
                Ok(PublicIpPool::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// An instance's `public_ip:`: auto-assigned from the pool (`true`) or not (`false`), or a fixed
/// address.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum PublicIp {
    /// `true`: the next free pool address; `false`: none.
    Auto(bool),
    /// A fixed public address as written (an import keeps the real one).
    Fixed(String),
}

impl<'de> Deserialize<'de> for PublicIp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PublicIp;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("true, false or a public IPv4 address")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(PublicIp::Auto(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(PublicIp::Fixed(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(PublicIp::Fixed(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(PublicIp::Fixed(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Engine limits (a vpclab extension, not an AWS object).
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EngineSettings {
    /// Maximum tracked connections per ENI (AWS's conntrack allowance); default 65536.
    #[serde(default)]
    pub conntrack_max: Option<Sp<u64>>,
}

/// A VPC.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    /// Primary IPv4 CIDR, /16 to /28.
    pub cidr: Sp<String>,
    /// The object's AWS id (`vpc-0a1b2c3d4e5f60718`): printed instead of the derived id in every output.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text (an import keeps the `Name` tag here), at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
    /// Secondary IPv4 CIDRs.
    #[serde(default)]
    pub secondary_cidrs: Vec<Sp<String>>,
    /// Region (default: the topology's).
    #[serde(default)]
    pub region: Option<Sp<String>>,
    /// The owner's AWS account id (12 digits, quoted; default the topology's `account`): flow
    /// logs' `account-id`.
    #[serde(default)]
    pub account: Option<Sp<String>>,
    /// DNS attributes.
    #[serde(default)]
    pub dns: Option<VpcDns>,
    /// Attach an internet gateway: `true` (id `igw-NAME`) or `{ aws_id: igw-… }`.
    #[serde(default)]
    pub internet_gateway: Option<Sp<InternetGateway>>,
    /// Subnets by name.
    #[serde(default)]
    pub subnets: NamedMap<Subnet>,
    /// Route tables by name (the implicit `main` holds only the local routes).
    #[serde(default)]
    pub route_tables: NamedMap<RouteTable>,
    /// Which table is main (default the implicit `main`).
    #[serde(default)]
    pub main_route_table: Option<Sp<String>>,
    /// Network ACLs by name (the implicit `default` allows all).
    #[serde(default)]
    pub network_acls: NamedMap<NetworkAcl>,
    /// Security groups by name (the implicit `default` exists always).
    #[serde(default)]
    pub security_groups: NamedMap<SecurityGroup>,
    /// NAT gateways by name.
    #[serde(default)]
    pub nat_gateways: NamedMap<NatGateway>,
    /// Instances by name (names are unique in the whole topology).
    #[serde(default)]
    pub instances: NamedMap<Instance>,
    /// VPC endpoints by name (gateway and interface).
    #[serde(default)]
    pub endpoints: NamedMap<super::spec_endpoints::VpcEndpoint>,
    /// IPv6 block: `amazon` (an Amazon-provided /56) or a CIDR /44../60 (`topology::ipv6`).
    #[serde(default)]
    pub ipv6_cidr: Option<Sp<String>>,
    /// Egress-only internet gateways by name (at most one per VPC); routes name them
    /// `eigw:NAME`.
    #[serde(default)]
    pub egress_only_internet_gateways: NamedMap<super::ipv6::EgressOnlyInternetGateway>,
}

/// A VPC's `internet_gateway:`: `true`/`false`, or a gateway object with its AWS id.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum InternetGateway {
    /// `true` attaches a gateway with the derived id `igw-NAME`; `false` attaches none.
    Attached(bool),
    /// An attached gateway described by its keys.
    Gateway(GatewayObject),
}

impl InternetGateway {
    /// True when a gateway is attached (`true` or the object form).
    pub fn attached(&self) -> bool {
        !matches!(self, InternetGateway::Attached(false))
    }
    /// The written AWS id, if any.
    pub fn aws_id(&self) -> Option<&Sp<String>> {
        match self {
            InternetGateway::Gateway(g) => g.aws_id.as_ref(),
            InternetGateway::Attached(_) => None,
        }
    }
}

/// The object form of `internet_gateway:` (attached).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GatewayObject {
    /// The gateway's AWS id (`igw-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

impl<'de> Deserialize<'de> for InternetGateway {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = InternetGateway;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("true, false or { aws_id: igw-… }")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(InternetGateway::Attached(v))
            }
            // The strict booleans' message, so `"yes"` reads as it does for every boolean.
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Err(E::custom(format!(
                    "expected true or false, found the string {v:?}"
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Err(E::custom(format!(
                    "expected true or false, found the number {v}"
                )))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Err(E::custom(format!(
                    "expected true or false, found the number {v}"
                )))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Err(E::custom(format!(
                    "expected true or false, found the number {v}"
                )))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Err(E::custom(
                    "expected true or false, found nothing (an empty value)",
                ))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
                Err(de::Error::custom("expected true or false, found a list"))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
                GatewayObject::deserialize(de::value::MapAccessDeserializer::new(m))
                    .map(InternetGateway::Gateway)
            }
        }
        d.deserialize_any(V)
    }
}

/// `enableDnsSupport` / `enableDnsHostnames`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcDns {
    /// enableDnsSupport (default true).
    #[serde(default)]
    pub support: Option<Sp<bool>>,
    /// enableDnsHostnames (default false).
    #[serde(default)]
    pub hostnames: Option<Sp<bool>>,
}

/// A subnet.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    /// IPv4 CIDR inside a VPC CIDR.
    pub cidr: Sp<String>,
    /// The object's AWS id (`subnet-…`): printed instead of the derived id in every output.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text (an import keeps the `Name` tag here), at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
    /// Availability zone (default REGION + `a`).
    #[serde(default)]
    pub az: Option<Sp<String>>,
    /// Route table name (default: the VPC's main table).
    #[serde(default)]
    pub route_table: Option<Sp<String>>,
    /// Network ACL name (default `default`).
    #[serde(default)]
    pub network_acl: Option<Sp<String>>,
    /// MapPublicIpOnLaunch (default false).
    #[serde(default)]
    pub map_public_ip: Option<Sp<bool>>,
    /// IPv6 block: a /64 inside the VPC's `ipv6_cidr`, or its index N (0..) among the VPC
    /// block's /64s.
    #[serde(default)]
    pub ipv6_cidr: Option<Sp<Word>>,
    /// An IPv6-only subnet (AWS's IPv6-native): its instances have no IPv4 traffic.
    #[serde(default)]
    pub ipv6_only: Option<Sp<bool>>,
    /// AWS's `EnableDns64`: the VPC resolver synthesises 64:ff9b::/96 AAAA answers for
    /// IPv4-only names asked from this subnet.
    #[serde(default)]
    pub dns64: Option<Sp<bool>>,
    /// AWS's `AssignIpv6AddressOnCreation` (default: true for IPv6-only subnets, else false).
    #[serde(default)]
    pub assign_ipv6_address_on_creation: Option<Sp<bool>>,
}

/// A route table.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteTable {
    /// Routes besides the implicit local ones.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Virtual private gateways whose routes propagate into this table (AWS's `PropagatingVgws`).
    #[serde(default)]
    pub propagating_vgws: Vec<Sp<String>>,
    /// The object's AWS id (`rtb-…`): printed instead of the derived id in every output.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text (an import keeps the `Name` tag here), at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A route.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Destination CIDR, or `pl:NAME` (every entry of a prefix list).
    pub destination: Sp<String>,
    /// `igw`, `nat:NAME`, `pcx:NAME`, `instance:NAME` (or `local`).
    pub target: Sp<String>,
}

/// A network ACL.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkAcl {
    /// Inbound entries.
    #[serde(default)]
    pub inbound: Vec<NaclRule>,
    /// Outbound entries.
    #[serde(default)]
    pub outbound: Vec<NaclRule>,
    /// The object's AWS id (`acl-…`): printed instead of the derived id in every output.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text (an import keeps the `Name` tag here), at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// One NACL entry.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NaclRule {
    /// Rule number 1..32766.
    pub rule: Sp<i64>,
    /// `allow` or `deny`.
    pub action: Sp<String>,
    /// `tcp`, `udp`, `icmp`, `all` or a protocol number.
    pub protocol: Sp<Word>,
    /// `80` or `1024-65535` (tcp/udp).
    #[serde(default)]
    pub ports: Option<Sp<Word>>,
    /// The CIDR (source for inbound, destination for outbound).
    pub cidr: Sp<String>,
    /// ICMP type and code (default all).
    #[serde(default)]
    pub icmp: Option<Icmp>,
}

/// ICMP type and code; omitted = all.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Icmp {
    /// ICMP type (-1 or omitted = all).
    #[serde(default, rename = "type")]
    pub icmp_type: Option<Sp<i64>>,
    /// ICMP code (-1 or omitted = all).
    #[serde(default)]
    pub code: Option<Sp<i64>>,
}

/// A security group.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    /// The group's AWS id (`sg-…`): printed instead of the derived id in every output.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text (AWS's group description), at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
    /// Inbound rules (omitted = none).
    #[serde(default)]
    pub inbound: Option<Vec<SgRule>>,
    /// Outbound rules (omitted = allow all; `[]` = none).
    #[serde(default)]
    pub outbound: Option<Vec<SgRule>>,
}

/// One SG rule.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SgRule {
    /// `tcp`, `udp`, `icmp`, `all` or a protocol number.
    pub protocol: Sp<Word>,
    /// `80` or `1024-65535` (required for tcp/udp).
    #[serde(default)]
    pub ports: Option<Sp<Word>>,
    /// Inbound only: a CIDR, `sg:NAME`, `sg:VPC/NAME` or `pl:NAME`.
    #[serde(default)]
    pub source: Option<Sp<String>>,
    /// Outbound only: a CIDR, `sg:NAME`, `sg:VPC/NAME` or `pl:NAME`.
    #[serde(default)]
    pub destination: Option<Sp<String>>,
    /// ICMP type and code.
    #[serde(default)]
    pub icmp: Option<Icmp>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

/// A NAT gateway.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatGateway {
    /// Its subnet (should be public).
    pub subnet: Sp<String>,
    /// Its Elastic IP (default: drawn from the pool).
    #[serde(default)]
    pub elastic_ip: Option<Sp<String>>,
    /// Its private IP (default: next free in the subnet).
    #[serde(default)]
    pub ip: Option<Sp<String>>,
    /// `public` (default) or `private`.
    #[serde(default)]
    pub connectivity: Option<Sp<String>>,
    /// The object's AWS id (`nat-…`): printed instead of the derived id in every output.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text (an import keeps the `Name` tag here), at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// An EC2 instance with one ENI.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// Its subnet.
    pub subnet: Sp<String>,
    /// Primary private IP (default: next free from base+4).
    #[serde(default)]
    pub ip: Option<Sp<String>>,
    /// More private IPs of the primary interface (same rules as `ip`).
    #[serde(default)]
    pub secondary_ips: Vec<Sp<String>>,
    /// Auto-assigned public IP (`true`/`false`, default the subnet's `map_public_ip`), or a
    /// fixed public address (`54.1.2.3`, need not be in the pool).
    #[serde(default)]
    pub public_ip: Option<Sp<PublicIp>>,
    /// An Elastic IP from the pool, or `true` for the next free one.
    #[serde(default)]
    pub elastic_ip: Option<Sp<Word>>,
    /// SG names (default `[default]`).
    #[serde(default)]
    pub security_groups: Option<Vec<Sp<String>>>,
    /// Source/destination check (default true).
    #[serde(default)]
    pub source_dest_check: Option<Sp<bool>>,
    /// `nat` for a NAT instance.
    #[serde(default)]
    pub role: Option<Sp<String>>,
    /// Built-in listeners: `http:80`, `tcp:5432`, `udp:9000`.
    #[serde(default)]
    pub services: Vec<Sp<String>>,
    /// Shell commands started inside the instance (netns backend).
    #[serde(default)]
    pub run: Vec<Sp<String>>,
    /// `running` (default) or `stopped`.
    #[serde(default)]
    pub state: Option<Sp<String>>,
    /// Client ephemeral source ports (default Linux `32768-60999`).
    #[serde(default)]
    pub ephemeral_ports: Option<Sp<Word>>,
    /// The AWS id of the primary interface (`eni-…`, device 0).
    #[serde(default)]
    pub eni_aws_id: Option<Sp<String>>,
    /// Further interfaces, device index 1, 2, … in order.
    #[serde(default)]
    pub network_interfaces: Vec<NetworkInterface>,
    /// IPv6 addresses of the primary interface, inside its subnet's IPv6 block.
    #[serde(default)]
    pub ipv6_addresses: Vec<Sp<String>>,
    /// How many IPv6 addresses to assign automatically (besides `ipv6_addresses`); default 1
    /// when the subnet assigns on creation, else 0.
    #[serde(default)]
    pub ipv6_address_count: Option<Sp<i64>>,
    /// The object's AWS id (`i-…`): printed instead of the derived id in every output.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text (an import keeps the `Name` tag here), at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A customer-managed prefix list: a named set of CIDRs that routes (`destination: pl:NAME`)
/// and SG rules (`source`/`destination: pl:NAME`) use as one.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrefixList {
    /// Its CIDRs: `CIDR` or `{ cidr, description }` (IPv4, no duplicates).
    #[serde(default)]
    pub entries: Vec<Sp<PrefixListEntry>>,
    /// AWS's MaxEntries, 1..1000 (default the number of entries): a route to the list counts
    /// this many routes.
    #[serde(default)]
    pub max_entries: Option<Sp<i64>>,
    /// Its AWS id (`pl-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// One entry of a prefix list: a CIDR, or a CIDR with a description.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum PrefixListEntry {
    /// The short form: a CIDR.
    Cidr(String),
    /// A CIDR with its description.
    Described(DescribedCidr),
}

impl PrefixListEntry {
    /// The CIDR as written.
    pub fn cidr(&self) -> &str {
        match self {
            PrefixListEntry::Cidr(c) => c,
            PrefixListEntry::Described(d) => &d.cidr,
        }
    }
}

/// `{ cidr, description }` in a prefix list.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DescribedCidr {
    /// The CIDR.
    pub cidr: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

impl<'de> Deserialize<'de> for PrefixListEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::short_form::string_or_map::<D, DescribedCidr, _>(
            d,
            "a CIDR or { cidr, description }",
            PrefixListEntry::Cidr,
            PrefixListEntry::Described,
        )
    }
}

/// A further network interface of an instance (`network_interfaces:`, device index 1, 2, …).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkInterface {
    /// Its subnet: of the instance's VPC, in the primary's AZ.
    pub subnet: Sp<String>,
    /// Primary private IP (default: next free from base+4).
    #[serde(default)]
    pub ip: Option<Sp<String>>,
    /// More private IPs (same rules as `ip`).
    #[serde(default)]
    pub secondary_ips: Vec<Sp<String>>,
    /// SG names (default `[default]`).
    #[serde(default)]
    pub security_groups: Option<Vec<Sp<String>>>,
    /// Source/destination check (default true).
    #[serde(default)]
    pub source_dest_check: Option<Sp<bool>>,
    /// `true` (an address drawn from the pool, Elastic-IP-like) or a fixed public address.
    #[serde(default)]
    pub public_ip: Option<Sp<PublicIp>>,
    /// Its AWS id (`eni-…`); default `eni-INSTANCE-N`.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A VPC peering connection.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Peering {
    /// Requester VPC name.
    pub requester: Sp<String>,
    /// Accepter VPC name.
    pub accepter: Sp<String>,
    /// AllowDnsResolutionFromRemoteVpc on both sides.
    #[serde(default)]
    pub dns_resolution: Option<Sp<bool>>,
    /// The object's AWS id (`pcx-…`): printed instead of the derived id in every output.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text (an import keeps the `Name` tag here), at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// The emulated internet.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Internet {
    /// Hosts by name.
    #[serde(default)]
    pub hosts: NamedMap<InternetHost>,
}

/// A host on the emulated internet.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InternetHost {
    /// A public address outside every VPC.
    pub ip: Sp<String>,
    /// Where it is (geolocation routing).
    #[serde(default)]
    pub location: Option<GeoLocation>,
    /// Nearest AWS region (latency routing).
    #[serde(default)]
    pub region: Option<Sp<String>>,
    /// Built-in listeners.
    #[serde(default)]
    pub services: Vec<Sp<String>>,
    /// Shell commands started inside the host (netns backend).
    #[serde(default)]
    pub run: Vec<Sp<String>>,
    /// Client ephemeral source ports (default `32768-60999`).
    #[serde(default)]
    pub ephemeral_ports: Option<Sp<Word>>,
    /// The host's IPv6 address: global unicast, outside every VPC block.
    #[serde(default)]
    pub ipv6: Option<Sp<String>>,
}

/// A geographic location.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GeoLocation {
    /// AF, AN, AS, EU, OC, NA, SA.
    #[serde(default)]
    pub continent: Option<String>,
    /// ISO 3166-1 alpha-2, or `*` for default.
    #[serde(default)]
    pub country: Option<String>,
    /// Subdivision (e.g. a US state).
    #[serde(default)]
    pub subdivision: Option<String>,
}

/// Route 53.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    /// Hosted zones.
    #[serde(default)]
    pub zones: Vec<Zone>,
    /// Health checks by name.
    #[serde(default)]
    pub health_checks: NamedMap<HealthCheck>,
    /// Latency table override: record region → client region → milliseconds.
    #[serde(default, deserialize_with = "latency_table")]
    pub latency: Option<BTreeMap<String, BTreeMap<String, u32>>>,
}

/// A hosted zone.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// The zone's domain name.
    pub name: Sp<String>,
    /// Private hosted zone.
    #[serde(default)]
    pub private: Option<Sp<bool>>,
    /// Associated VPCs (private zones).
    #[serde(default)]
    pub vpcs: Vec<Sp<String>>,
    /// Record sets.
    #[serde(default)]
    pub records: Vec<Record>,
}

/// One record (one member of a record set for non-simple routing).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Name relative to the zone (`www`, `@` for the apex) or fully qualified with a dot.
    pub name: Sp<String>,
    /// A, AAAA, CNAME, MX, TXT, NS, SOA, SRV, PTR.
    #[serde(rename = "type")]
    pub rtype: Sp<String>,
    /// TTL in seconds (default 300).
    #[serde(default)]
    pub ttl: Option<Sp<i64>>,
    /// Record values.
    #[serde(default)]
    pub values: Vec<Sp<Word>>,
    /// Alias target: `instance:NAME`, `nat:NAME`, or a record name in the same zone.
    #[serde(default)]
    pub alias: Option<Sp<String>>,
    /// EvaluateTargetHealth for aliases.
    #[serde(default, deserialize_with = "strict::option")]
    pub evaluate_target_health: Option<bool>,
    /// simple (default), weighted, latency, failover, geolocation, geoproximity, multivalue.
    #[serde(default)]
    pub routing: Option<Sp<String>>,
    /// SetIdentifier.
    #[serde(default)]
    pub set: Option<Sp<String>>,
    /// Weight 0..255 (weighted).
    #[serde(default)]
    pub weight: Option<Sp<i64>>,
    /// `primary` or `secondary` (failover).
    #[serde(default)]
    pub role: Option<Sp<String>>,
    /// Geolocation: a location, or the word `default`.
    #[serde(default)]
    pub location: Option<Sp<RecordLocation>>,
    /// AWS region (latency, geoproximity).
    #[serde(default)]
    pub region: Option<Sp<String>>,
    /// Geoproximity coordinates instead of a region.
    #[serde(default)]
    pub coordinates: Option<Coordinates>,
    /// Geoproximity bias -99..99.
    #[serde(default)]
    pub bias: Option<Sp<i64>>,
    /// Health check name.
    #[serde(default)]
    pub health_check: Option<Sp<String>>,
}

/// A geolocation record's location: `default` or a continent/country/subdivision.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum RecordLocation {
    /// The word `default` (country `*`).
    Default(String),
    /// A location.
    Place(GeoLocation),
}

impl<'de> Deserialize<'de> for RecordLocation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::short_form::string_or_map::<D, GeoLocation, _>(
            d,
            "`default` or { continent, country, subdivision }",
            RecordLocation::Default,
            RecordLocation::Place,
        )
    }
}

/// Latitude and longitude.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Coordinates {
    /// Latitude in degrees.
    #[serde(deserialize_with = "strict::value")]
    pub lat: f64,
    /// Longitude in degrees.
    #[serde(deserialize_with = "strict::value")]
    pub lon: f64,
}

/// A Route 53 health check.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// Target address (public IP) or `instance:NAME`.
    pub target: Sp<String>,
    /// `http` or `tcp`.
    pub protocol: Sp<String>,
    /// Port (default 80).
    #[serde(default)]
    pub port: Option<Sp<i64>>,
    /// HTTP path (default `/`).
    #[serde(default)]
    pub path: Option<String>,
    /// HTTP_STR_MATCH: a string that must appear in the first 5,120 bytes.
    #[serde(default)]
    pub search_string: Option<String>,
    /// Seconds between checks: 10 or 30 (default 30).
    #[serde(default)]
    pub interval: Option<Sp<i64>>,
    /// Consecutive results to flip state, 1..10 (default 3).
    #[serde(default)]
    pub failure_threshold: Option<Sp<i64>>,
    /// Invert the status.
    #[serde(default, deserialize_with = "strict::option")]
    pub inverted: Option<bool>,
}

/// A flow-log definition.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowLog {
    /// `vpc:NAME`, `subnet:VPC/NAME` or `instance:NAME`.
    pub resource: Sp<String>,
    /// ACCEPT, REJECT or ALL (default ALL).
    #[serde(default)]
    pub traffic: Option<Sp<String>>,
    /// `aws` (default), `pcap` or `pcapng`.
    #[serde(default)]
    pub format: Option<Sp<String>>,
    /// Output file (relative to the topology file's folder).
    pub path: Sp<String>,
    /// 60 or 600 seconds (default 600).
    #[serde(default)]
    pub aggregation_interval: Option<Sp<i64>>,
    /// Custom field list for `aws` (default the 14 version-2 fields).
    #[serde(default)]
    pub fields: Option<Vec<Sp<String>>>,
}

/// `dns.latency`: record region → client region → milliseconds.
type LatencyTable = BTreeMap<String, BTreeMap<String, u32>>;

/// Reads `dns.latency` with strict numbers (a quoted `"80"` is an error, as everywhere).
fn latency_table<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<LatencyTable>, D::Error> {
    let t = Option::<BTreeMap<String, BTreeMap<String, Sp<u32>>>>::deserialize(d)?;
    Ok(t.map(|t| {
        t.into_iter()
            .map(|(k, row)| (k, row.into_iter().map(|(c, ms)| (c, ms.value)).collect()))
            .collect()
    }))
}
