//! The document an importer builds: a typed, Serialize-only mirror of the topology YAML
//! (`docs/topology.md`, the import keys of its last section included). Importers fill it and
//! [`super::yaml::to_yaml`] writes it; nothing reads it back (the written text goes through
//! `vpclab::load` like any topology). Maps are `BTreeMap`s keyed by object name, so the output
//! order is the names' order whatever the input's; a `None`, `false`-by-default or empty field
//! is left out of the YAML. Names must already be valid (`super::names`).

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Objects by name, written in name order.
pub type Named<T> = BTreeMap<String, T>;

fn is_false(b: &bool) -> bool {
    !*b
}

/// The whole topology file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Document {
    /// `[a-z0-9-]{1,12}` (see `names::topology_name`).
    pub name: String,
    /// Default region of every VPC (each VPC also names its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Default account of every VPC: 12 digits (written quoted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// CIDRs public IPs and Elastic IPs are drawn from, first to last; empty = the default.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub public_ip_pool: Vec<Ipv4Net>,
    /// Customer-managed prefix lists, referenced as `pl:NAME`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub prefix_lists: Named<PrefixList>,
    /// The VPCs.
    pub vpcs: Named<Vpc>,
    /// VPC peering connections.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub peerings: Named<Peering>,
    /// AWS services with the prefix lists the dump holds (`aws_services:`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aws_services: Vec<super::doc_endpoints::AwsService>,
    /// Transit gateways.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub transit_gateways: Named<super::doc_transit::TransitGateway>,
    /// Virtual private gateways.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub vpn_gateways: Named<super::doc_transit::VpnGateway>,
    /// Customer gateways.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub customer_gateways: Named<super::doc_transit::CustomerGateway>,
    /// Site-to-Site VPN connections.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub vpn_connections: Named<super::doc_transit::VpnConnection>,
    /// Direct Connect gateways.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub direct_connect_gateways: Named<super::doc_transit::DirectConnectGateway>,
    /// Direct Connect virtual interfaces.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub virtual_interfaces: Named<super::doc_transit::VirtualInterface>,
    /// Networks outside AWS.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub on_premises: Named<super::doc_transit::OnPremises>,
    /// Elastic Load Balancing load balancers.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub load_balancers: Named<super::doc_lb::LoadBalancer>,
}

/// A customer-managed prefix list.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PrefixList {
    /// `pl-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the AWS name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its CIDRs.
    pub entries: Vec<PrefixListEntry>,
    /// AWS's `MaxEntries` (counts against route and rule quotas); None = the entry count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_entries: Option<u32>,
}

/// One prefix-list entry: a bare CIDR when it has no description, else `{cidr, description}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixListEntry {
    /// The CIDR.
    pub cidr: Ipv4Net,
    /// AWS's entry description.
    pub description: Option<String>,
}

impl Serialize for PrefixListEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Full<'a> {
            cidr: String,
            description: &'a str,
        }
        match &self.description {
            None => s.serialize_str(&self.cidr.to_string()),
            Some(d) => Full {
                cidr: self.cidr.to_string(),
                description: d,
            }
            .serialize(s),
        }
    }
}

/// One VPC.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Vpc {
    /// `vpc-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Owner account (12 digits); None = the top level's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Primary CIDR.
    pub cidr: Ipv4Net,
    /// Further CIDRs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secondary_cidrs: Vec<Ipv4Net>,
    /// The VPC's IPv6 block (AWS's associated `Ipv6CidrBlock`), written as a CIDR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr: Option<super::doc_ipv6::VpcBlock>,
    /// Region; None = the top level's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// enableDnsSupport / enableDnsHostnames, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<VpcDns>,
    /// The attached internet gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internet_gateway: Option<InternetGateway>,
    /// Subnets.
    pub subnets: Named<Subnet>,
    /// Route tables (the main one named `main`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub route_tables: Named<RouteTable>,
    /// Which table is main, when it is not the one named `main`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_route_table: Option<String>,
    /// Network ACLs (the default one named `default`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub network_acls: Named<NetworkAcl>,
    /// Security groups (the default one named `default`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub security_groups: Named<SecurityGroup>,
    /// NAT gateways (names unique in the topology).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub nat_gateways: Named<NatGateway>,
    /// Instances (names unique in the topology).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub instances: Named<Instance>,
    /// VPC endpoints (`endpoints:`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub endpoints: Named<super::doc_endpoints::Endpoint>,
    /// Egress-only internet gateways (at most one; routes name it `eigw:NAME`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub egress_only_internet_gateways: Named<super::doc_ipv6::EgressOnlyInternetGateway>,
}

/// A VPC's DNS attributes.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct VpcDns {
    /// enableDnsSupport.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support: Option<bool>,
    /// enableDnsHostnames.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostnames: Option<bool>,
}

/// `internet_gateway:`: `true` without an id, `{ aws_id: igw-… }` with one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InternetGateway {
    /// `igw-…`.
    pub aws_id: Option<String>,
}

impl Serialize for InternetGateway {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct WithId<'a> {
            aws_id: &'a str,
        }
        match &self.aws_id {
            None => s.serialize_bool(true),
            Some(id) => WithId { aws_id: id }.serialize(s),
        }
    }
}

/// One subnet.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Subnet {
    /// `subnet-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The subnet's CIDR.
    pub cidr: Ipv4Net,
    /// Availability zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub az: Option<String>,
    /// Route table name; None = main.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table: Option<String>,
    /// NACL name; None = default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_acl: Option<String>,
    /// MapPublicIpOnLaunch.
    #[serde(skip_serializing_if = "is_false")]
    pub map_public_ip: bool,
    /// The subnet's IPv6 /64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr: Option<super::doc_ipv6::SubnetBlock>,
    /// AWS's `Ipv6Native`: an IPv6-only subnet (its IPv4 `cidr` is then a placeholder).
    #[serde(skip_serializing_if = "is_false")]
    pub ipv6_only: bool,
    /// AWS's `EnableDns64`.
    #[serde(skip_serializing_if = "is_false")]
    pub dns64: bool,
    /// AWS's `AssignIpv6AddressOnCreation`, written when it differs from the format's default
    /// (`true` for `ipv6_only`, else `false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assign_ipv6_address_on_creation: Option<bool>,
}

/// One route table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RouteTable {
    /// `rtb-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Routes other than the local ones (which every table gets).
    pub routes: Vec<Route>,
    /// VGWs (by name) whose routes propagate into the table.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub propagating_vgws: Vec<String>,
}

/// One route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Where it goes.
    pub destination: Destination,
    /// What it goes to.
    pub target: Target,
}

/// A route destination: a CIDR or every entry of a prefix list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Destination {
    /// A CIDR.
    Cidr(Ipv4Net),
    /// `pl:NAME`.
    PrefixList(String),
    /// An IPv6 CIDR (AWS's `DestinationIpv6CidrBlock`).
    Cidr6(Ipv6Net),
}

impl Serialize for Destination {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Destination::Cidr(c) => s.serialize_str(&c.to_string()),
            Destination::PrefixList(n) => s.serialize_str(&format!("pl:{n}")),
            Destination::Cidr6(c) => s.serialize_str(&c.to_string()),
        }
    }
}

/// A route target, written `local`, `igw`, `nat:NAME`, `pcx:NAME`, `instance:NAME`,
/// `blackhole`, `tgw:NAME`, `vgw:NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The VPC itself (only with a VPC CIDR destination).
    Local,
    /// The VPC's internet gateway.
    Igw,
    /// A NAT gateway of the VPC, by name.
    Nat(String),
    /// A peering, by name.
    Pcx(String),
    /// An instance (its primary interface) of the VPC, by name.
    Instance(String),
    /// A route whose target is gone or not expressible: drops what it matches.
    Blackhole,
    /// A transit gateway, by name.
    Tgw(String),
    /// A virtual private gateway, by name.
    Vgw(String),
    /// An egress-only internet gateway of the VPC, by name (IPv6 routes only).
    Eigw(String),
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = match self {
            Target::Local => "local".to_string(),
            Target::Igw => "igw".to_string(),
            Target::Nat(n) => format!("nat:{n}"),
            Target::Pcx(n) => format!("pcx:{n}"),
            Target::Instance(n) => format!("instance:{n}"),
            Target::Blackhole => "blackhole".to_string(),
            Target::Tgw(n) => format!("tgw:{n}"),
            Target::Vgw(n) => format!("vgw:{n}"),
            Target::Eigw(n) => format!("eigw:{n}"),
        };
        s.serialize_str(&text)
    }
}

/// One network ACL.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NetworkAcl {
    /// `acl-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Inbound rules (the implicit `*` left out).
    pub inbound: Vec<NaclRule>,
    /// Outbound rules (the implicit `*` left out).
    pub outbound: Vec<NaclRule>,
}

/// One NACL entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NaclRule {
    /// 1..32766.
    pub rule: u16,
    /// allow / deny.
    pub action: Action,
    /// The protocol.
    pub protocol: Protocol,
    /// Ports (tcp/udp only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Ports>,
    /// Source (inbound) or destination (outbound): IPv4 or IPv6 (`Ipv6CidrBlock`).
    pub cidr: IpNet,
    /// ICMP type/code (icmp only; None = all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icmp: Option<Icmp>,
}

/// A NACL rule's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// allow.
    Allow,
    /// deny.
    Deny,
}

/// An IP protocol: `tcp`, `udp`, `icmp`, `all`, or a number written as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// 6.
    Tcp,
    /// 17.
    Udp,
    /// 1.
    Icmp,
    /// Every protocol (AWS's `-1`).
    All,
    /// Any other protocol number.
    Number(u8),
    /// 58, ICMPv6 (written `icmpv6`; takes `icmp: { type, code }` as ICMP does).
    Icmpv6,
}

impl Protocol {
    /// Whether the format requires `ports` for it.
    pub fn takes_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    /// From an IANA number (6, 17 and 1 by their words).
    pub fn from_number(n: u8) -> Protocol {
        match n {
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            1 => Protocol::Icmp,
            58 => Protocol::Icmpv6,
            n => Protocol::Number(n),
        }
    }
}

impl Serialize for Protocol {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Protocol::Tcp => s.serialize_str("tcp"),
            Protocol::Udp => s.serialize_str("udp"),
            Protocol::Icmp => s.serialize_str("icmp"),
            Protocol::All => s.serialize_str("all"),
            Protocol::Number(n) => s.serialize_u8(*n),
            Protocol::Icmpv6 => s.serialize_str("icmpv6"),
        }
    }
}

/// A port range, inclusive; one port is written as a number, a range as `FROM-TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// First port.
    pub from: u16,
    /// Last port.
    pub to: u16,
}

impl Ports {
    /// Every port.
    pub const ALL: Ports = Ports { from: 0, to: 65535 };
}

impl Serialize for Ports {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.from == self.to {
            s.serialize_u16(self.from)
        } else {
            s.serialize_str(&format!("{}-{}", self.from, self.to))
        }
    }
}

/// ICMP type and code; None = any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Icmp {
    /// ICMP type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<u8>,
    /// ICMP code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u8>,
}

/// One security group.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SecurityGroup {
    /// `sg-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the group's name and description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Inbound rules; None = the format's default (the `default` SG's self rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound: Option<Vec<SgRule>>,
    /// Outbound rules; None = allow all, `Some([])` = none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound: Option<Vec<SgRule>>,
}

/// One SG rule, one peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SgRule {
    /// The protocol.
    pub protocol: Protocol,
    /// Ports (tcp/udp only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Ports>,
    /// Inbound: who may send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Peer>,
    /// Outbound: where to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<Peer>,
    /// ICMP type/code (icmp only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icmp: Option<Icmp>,
    /// AWS's rule description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The other side of an SG rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Peer {
    /// A CIDR.
    Cidr(Ipv4Net),
    /// `sg:NAME`, a group of the same VPC.
    Sg(String),
    /// `sg:VPC/NAME`, a group of another (peered) VPC.
    SgIn {
        /// The VPC's name.
        vpc: String,
        /// The group's name.
        sg: String,
    },
    /// `pl:NAME`.
    PrefixList(String),
    /// An IPv6 CIDR (`Ipv6Ranges`, `CidrIpv6`).
    Cidr6(Ipv6Net),
}

impl Serialize for Peer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = match self {
            Peer::Cidr(c) => c.to_string(),
            Peer::Sg(n) => format!("sg:{n}"),
            Peer::SgIn { vpc, sg } => format!("sg:{vpc}/{sg}"),
            Peer::PrefixList(n) => format!("pl:{n}"),
            Peer::Cidr6(c) => c.to_string(),
        };
        s.serialize_str(&text)
    }
}

/// One NAT gateway.
#[derive(Debug, Clone, Serialize)]
pub struct NatGateway {
    /// `nat-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Subnet name.
    pub subnet: String,
    /// Its Elastic IP (must be inside `public_ip_pool`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elastic_ip: Option<Ipv4Addr>,
    /// Its private IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// public / private; None = public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connectivity: Option<Connectivity>,
}

/// A NAT gateway's connectivity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Connectivity {
    /// With an Elastic IP, to the internet through the IGW.
    Public,
    /// No Elastic IP: source NAT to its private address.
    Private,
}

/// `public_ip:`: `true` (auto-assigned from the pool), `false` (none, even in a subnet that
/// maps public IPs: AWS assigns at launch only) or a fixed address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicIp {
    /// Drawn from the pool.
    Auto,
    /// No public IP.
    No,
    /// This address (a real import keeps AWS's).
    Fixed(Ipv4Addr),
}

impl Serialize for PublicIp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PublicIp::Auto => s.serialize_bool(true),
            PublicIp::No => s.serialize_bool(false),
            PublicIp::Fixed(a) => s.serialize_str(&a.to_string()),
        }
    }
}

/// An instance's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceState {
    /// Running (the default, left out).
    Running,
    /// Stopped: routes to it are blackholes.
    Stopped,
}

/// One instance: its primary interface's fields inline, further interfaces listed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Instance {
    /// `i-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (Name tag; for interfaces that are not EC2 instances, what owns them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Subnet name of the primary interface.
    pub subnet: String,
    /// Primary private IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// More private IPs of the primary interface.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secondary_ips: Vec<Ipv4Addr>,
    /// Public IP of the primary interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<PublicIp>,
    /// SG names of the primary interface; empty = `[default]` (left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    /// None = true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_dest_check: Option<bool>,
    /// None = running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<InstanceState>,
    /// `eni-…` of the primary interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eni_aws_id: Option<String>,
    /// Interfaces of device index 1, 2, … in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub network_interfaces: Vec<NetworkInterface>,
    /// IPv6 addresses of the primary interface.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ipv6_addresses: Vec<Ipv6Addr>,
    /// How many IPv6 addresses to assign besides `ipv6_addresses`: written `0` when the subnet
    /// assigns on creation but AWS shows none (the format would assign one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_address_count: Option<u8>,
}

/// A further interface of an instance.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkInterface {
    /// `eni-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Subnet name (same VPC and AZ as the primary's).
    pub subnet: String,
    /// Primary private IP of this interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// More private IPs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secondary_ips: Vec<Ipv4Addr>,
    /// SG names; empty = `[default]` (left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    /// None = true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_dest_check: Option<bool>,
    /// A public address of this interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<PublicIp>,
}

/// One VPC peering connection.
#[derive(Debug, Clone, Serialize)]
pub struct Peering {
    /// `pcx-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Requester VPC name.
    pub requester: String,
    /// Accepter VPC name.
    pub accepter: String,
    /// AllowDnsResolutionFromRemoteVpc on either side.
    #[serde(skip_serializing_if = "is_false")]
    pub dns_resolution: bool,
}
