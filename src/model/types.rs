//! The resolved network's objects. Every reference is a typed id; every object carries its
//! AWS-style display id (`aws_id`) used in all output.

use super::ids::*;
use crate::topology::parse::{PortRange, Protocol};
use crate::topology::spec::GeoLocation;
use crate::topology::Loc;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::net::Ipv4Addr;

/// A MAC address.
pub type Mac = [u8; 6];

/// A VPC.
#[derive(Clone, Debug, Serialize)]
pub struct Vpc {
    /// Index.
    pub id: VpcId,
    /// User's name.
    pub name: String,
    /// `vpc-NAME`.
    pub aws_id: String,
    /// Primary CIDR first, then secondaries.
    pub cidrs: Vec<Ipv4Net>,
    /// Region.
    pub region: String,
    /// enableDnsSupport.
    pub dns_support: bool,
    /// enableDnsHostnames.
    pub dns_hostnames: bool,
    /// `igw-NAME` when an internet gateway is attached.
    pub igw: Option<String>,
    /// Subnets in declaration order.
    pub subnets: Vec<SubnetId>,
    /// Route tables (main first).
    pub route_tables: Vec<RouteTableId>,
    /// The main route table.
    pub main_route_table: RouteTableId,
    /// Network ACLs (default first).
    pub nacls: Vec<NaclId>,
    /// Security groups (default first).
    pub sgs: Vec<SgId>,
    /// NAT gateways.
    pub nat_gateways: Vec<NatId>,
    /// Instances.
    pub instances: Vec<InstanceId>,
    /// Peerings this VPC is part of.
    pub peerings: Vec<PeeringId>,
}

impl Vpc {
    /// The primary CIDR.
    pub fn primary_cidr(&self) -> Ipv4Net {
        self.cidrs[0]
    }
    /// True when `ip` is inside one of the VPC's CIDRs.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        self.cidrs.iter().any(|c| c.contains(&ip))
    }
    /// The VPC resolver's address (primary CIDR base+2).
    pub fn resolver_ip(&self) -> Ipv4Addr {
        offset(self.primary_cidr().network(), 2)
    }
}

/// A subnet.
#[derive(Clone, Debug, Serialize)]
pub struct Subnet {
    /// Index.
    pub id: SubnetId,
    /// User's name.
    pub name: String,
    /// `subnet-NAME`.
    pub aws_id: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// CIDR.
    pub cidr: Ipv4Net,
    /// Availability zone.
    pub az: String,
    /// Associated route table.
    pub route_table: RouteTableId,
    /// Associated NACL.
    pub nacl: NaclId,
    /// MapPublicIpOnLaunch.
    pub map_public_ip: bool,
}

impl Subnet {
    /// The VPC router's address in this subnet (base+1).
    pub fn router_ip(&self) -> Ipv4Addr {
        offset(self.cidr.network(), 1)
    }
    /// True for the 5 reserved addresses (network, +1, +2, +3, broadcast).
    pub fn is_reserved(&self, ip: Ipv4Addr) -> bool {
        let base = u32::from(self.cidr.network());
        let v = u32::from(ip);
        v.wrapping_sub(base) <= 3 || ip == self.cidr.broadcast()
    }
}

/// `base + n`.
pub fn offset(base: Ipv4Addr, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(base).wrapping_add(n))
}

/// A route's target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Target {
    /// The VPC's local route.
    Local,
    /// The VPC's internet gateway (may be missing: then a blackhole).
    Igw,
    /// A NAT gateway.
    Nat(NatId),
    /// A peering connection.
    Peering(PeeringId),
    /// An instance's primary ENI.
    Instance(InstanceId),
}

/// A route.
#[derive(Clone, Debug, Serialize)]
pub struct Route {
    /// Destination.
    pub destination: Ipv4Net,
    /// Target.
    pub target: Target,
    /// Where it was written (0:0 for implicit local routes).
    #[serde(skip)]
    pub loc: Loc,
}

/// A route table.
#[derive(Clone, Debug, Serialize)]
pub struct RouteTable {
    /// Index.
    pub id: RouteTableId,
    /// User's name (`main` for the implicit one).
    pub name: String,
    /// `rtb-NAME`.
    pub aws_id: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Local routes first, then the user's, in declaration order.
    pub routes: Vec<Route>,
    /// True for the VPC's main table.
    pub main: bool,
    /// Longest-prefix index: destination → index in `routes`.
    #[serde(skip)]
    pub lpm: prefix_trie::PrefixMap<Ipv4Net, usize>,
}

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Allow.
    Allow,
    /// Deny.
    Deny,
}

/// ICMP type/code filter (None = any).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IcmpMatch {
    /// Type, None = all.
    pub icmp_type: Option<u8>,
    /// Code, None = all.
    pub code: Option<u8>,
}

impl IcmpMatch {
    /// True when it covers this type and code.
    pub fn matches(&self, t: u8, c: u8) -> bool {
        self.icmp_type.is_none_or(|x| x == t) && self.code.is_none_or(|x| x == c)
    }
}

/// One NACL entry.
#[derive(Clone, Debug, Serialize)]
pub struct NaclEntry {
    /// Rule number (1..32766).
    pub number: u16,
    /// Allow or deny.
    pub action: Action,
    /// Protocol.
    pub protocol: Protocol,
    /// Ports (tcp/udp; ALL otherwise).
    pub ports: PortRange,
    /// ICMP filter (icmp only).
    pub icmp: IcmpMatch,
    /// Source (inbound) or destination (outbound).
    pub cidr: Ipv4Net,
    /// Where it was written.
    #[serde(skip)]
    pub loc: Loc,
}

/// A network ACL.
#[derive(Clone, Debug, Serialize)]
pub struct NetworkAcl {
    /// Index.
    pub id: NaclId,
    /// User's name (`default` for the implicit one).
    pub name: String,
    /// `acl-NAME`.
    pub aws_id: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Inbound entries sorted by number.
    pub inbound: Vec<NaclEntry>,
    /// Outbound entries sorted by number.
    pub outbound: Vec<NaclEntry>,
    /// True for the VPC's default NACL.
    pub default: bool,
}

/// An SG rule's peer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SgPeer {
    /// A CIDR.
    Cidr(Ipv4Net),
    /// The private IPs of every ENI carrying this group.
    Group(SgId),
}

/// One SG rule.
#[derive(Clone, Debug, Serialize)]
pub struct SgRule {
    /// 1-based position in its list (for display: "inbound rule 2").
    pub index: usize,
    /// Protocol.
    pub protocol: Protocol,
    /// Ports (tcp/udp; ALL otherwise).
    pub ports: PortRange,
    /// ICMP filter.
    pub icmp: IcmpMatch,
    /// Source (inbound) or destination (outbound).
    pub peer: SgPeer,
    /// Where it was written (0:0 for implicit rules).
    #[serde(skip)]
    pub loc: Loc,
}

/// A security group.
#[derive(Clone, Debug, Serialize)]
pub struct SecurityGroup {
    /// Index.
    pub id: SgId,
    /// User's name.
    pub name: String,
    /// `sg-NAME`.
    pub aws_id: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Inbound rules.
    pub inbound: Vec<SgRule>,
    /// Outbound rules.
    pub outbound: Vec<SgRule>,
    /// ENIs carrying it.
    pub members: Vec<EniId>,
    /// True for the VPC's default group.
    pub default: bool,
}

/// What an ENI belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum EniOwner {
    /// An instance's primary ENI.
    Instance(InstanceId),
    /// A NAT gateway's requester-managed ENI.
    NatGateway(NatId),
}

/// An elastic network interface.
#[derive(Clone, Debug, Serialize)]
pub struct Eni {
    /// Index.
    pub id: EniId,
    /// `eni-NAME`.
    pub aws_id: String,
    /// Owner.
    pub owner: EniOwner,
    /// Its VPC.
    pub vpc: VpcId,
    /// Its subnet.
    pub subnet: SubnetId,
    /// Primary private IP.
    pub private_ip: Ipv4Addr,
    /// Public IP or Elastic IP mapped 1:1 at the IGW.
    pub public_ip: Option<Ipv4Addr>,
    /// True when `public_ip` is an Elastic IP.
    pub elastic: bool,
    /// MAC address.
    #[serde(serialize_with = "ser_mac")]
    pub mac: Mac,
    /// Security groups (none for NAT gateway ENIs).
    pub sgs: Vec<SgId>,
    /// Source/destination check.
    pub source_dest_check: bool,
}

fn ser_mac<S: serde::Serializer>(m: &Mac, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&mac_string(m))
}

/// `02:ab:...`.
pub fn mac_string(m: &Mac) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A built-in service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "port")]
pub enum Service {
    /// HTTP server answering with the host's name.
    Http(u16),
    /// TCP echo.
    Tcp(u16),
    /// UDP echo.
    Udp(u16),
}

impl Service {
    /// Parses `http:80`, `tcp:5432`, `udp:9000`.
    pub fn parse(s: &str) -> Result<Service, String> {
        // The grammar is the file's (`topology::parse::service`, which validation uses too).
        let (k, port) = crate::topology::parse::service(s)?;
        Ok(match k {
            "http" => Service::Http(port),
            "tcp" => Service::Tcp(port),
            // `service` accepts only http, tcp and udp.
            _ => Service::Udp(port),
        })
    }
    /// Its port.
    pub fn port(&self) -> u16 {
        match self {
            Service::Http(p) | Service::Tcp(p) | Service::Udp(p) => *p,
        }
    }
    /// Its IP protocol.
    pub fn protocol(&self) -> u8 {
        match self {
            Service::Udp(_) => crate::topology::parse::proto::UDP,
            _ => crate::topology::parse::proto::TCP,
        }
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Service::Http(p) => write!(f, "http:{p}"),
            Service::Tcp(p) => write!(f, "tcp:{p}"),
            Service::Udp(p) => write!(f, "udp:{p}"),
        }
    }
}

/// An EC2 instance.
#[derive(Clone, Debug, Serialize)]
pub struct Instance {
    /// Index.
    pub id: InstanceId,
    /// User's name (unique in the topology).
    pub name: String,
    /// `i-NAME`.
    pub aws_id: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Its subnet.
    pub subnet: SubnetId,
    /// Its primary ENI.
    pub eni: EniId,
    /// `role: nat`.
    pub nat: bool,
    /// `state: running`.
    pub running: bool,
    /// Built-in services.
    pub services: Vec<Service>,
    /// `run:` commands.
    pub run: Vec<String>,
    /// Client ephemeral port range.
    pub ephemeral: PortRange,
    /// Its engine port.
    pub port: PortId,
}

/// A NAT gateway.
#[derive(Clone, Debug, Serialize)]
pub struct NatGateway {
    /// Index.
    pub id: NatId,
    /// User's name.
    pub name: String,
    /// `nat-NAME`.
    pub aws_id: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Its subnet.
    pub subnet: SubnetId,
    /// Its ENI.
    pub eni: EniId,
    /// Elastic IP (None for private NAT gateways).
    pub elastic_ip: Option<Ipv4Addr>,
    /// `connectivity: private`.
    pub private: bool,
}

/// A VPC peering connection.
#[derive(Clone, Debug, Serialize)]
pub struct Peering {
    /// Index.
    pub id: PeeringId,
    /// User's name.
    pub name: String,
    /// `pcx-NAME`.
    pub aws_id: String,
    /// Requester VPC.
    pub requester: VpcId,
    /// Accepter VPC.
    pub accepter: VpcId,
    /// DNS resolution from the remote VPC.
    pub dns_resolution: bool,
}

impl Peering {
    /// The VPC on the other side of `vpc`, if `vpc` is part of it.
    pub fn other(&self, vpc: VpcId) -> Option<VpcId> {
        if self.requester == vpc {
            Some(self.accepter)
        } else if self.accepter == vpc {
            Some(self.requester)
        } else {
            None
        }
    }
}

/// A host on the emulated internet.
#[derive(Clone, Debug, Serialize)]
pub struct InternetHost {
    /// Index.
    pub id: InternetHostId,
    /// User's name.
    pub name: String,
    /// Its public address.
    pub ip: Ipv4Addr,
    /// Geolocation.
    pub location: Option<GeoLocation>,
    /// Nearest region.
    pub region: Option<String>,
    /// Built-in services.
    pub services: Vec<Service>,
    /// `run:` commands.
    pub run: Vec<String>,
    /// Client ephemeral port range.
    pub ephemeral: PortRange,
    /// Its engine port.
    pub port: PortId,
}

/// What sits behind an engine port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum PortOwner {
    /// An instance (through its primary ENI).
    Instance(InstanceId),
    /// An internet host.
    Internet(InternetHostId),
}

/// An engine port: the link of one host, with the settings its interface needs.
#[derive(Clone, Debug, Serialize)]
pub struct Port {
    /// Index.
    pub id: PortId,
    /// The host's name.
    pub name: String,
    /// Owner.
    pub owner: PortOwner,
    /// The host's MAC.
    #[serde(serialize_with = "ser_mac")]
    pub mac: Mac,
    /// The host's address.
    pub ip: Ipv4Addr,
    /// Prefix length of the host's interface address (subnet size; 32 for internet hosts).
    pub prefix_len: u8,
    /// Default gateway (the subnet router base+1; None for internet hosts, which use an
    /// on-link default route answered by proxy ARP).
    pub gateway: Option<Ipv4Addr>,
    /// DNS resolver the host is configured with.
    pub resolver: Option<Ipv4Addr>,
}
