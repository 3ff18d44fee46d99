//! The resolved network's objects (rank 1, `model`): what `model::build` produces and policy,
//! engine, reach and the backends read. Every reference is a typed id indexing a table of
//! `Network`; every object carries its AWS-style display id (`aws_id`) used in all output.

use super::ids::*;
use super::primitives::{proto, IcmpMatch, PortRange, Protocol};
use crate::topology::Loc;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::net::Ipv4Addr;

/// A MAC address, most significant byte first (generated ones are locally administered, `02:...`).
pub type Mac = [u8; 6];

/// A VPC with the ids of everything it contains.
#[derive(Clone, Debug, Serialize)]
pub struct Vpc {
    /// Its position in `Network::vpcs`.
    pub id: VpcId,
    /// The key it has under `vpcs:` in the file.
    pub name: String,
    /// Display id: `aws_id:` as written, else `vpc-NAME` (see `ids::aws_id`); the same rule
    /// holds for every object's `aws_id` below.
    pub aws_id: String,
    /// `description:` as written (an import keeps the `Name` tag there); None when absent.
    pub description: Option<String>,
    /// Primary CIDR first, then secondaries; never empty.
    pub cidrs: Vec<Ipv4Net>,
    /// AWS region, e.g. `us-east-1`: the VPC's `region:`, else the topology's, else `us-east-1`.
    pub region: String,
    /// The owner's 12-digit AWS account id: the VPC's `account:`, else the topology's, else
    /// `DEFAULT_ACCOUNT` (flow logs' `account-id`).
    pub account: String,
    /// AWS's `enableDnsSupport` (default true): when false, hosts get no VPC resolver.
    pub dns_support: bool,
    /// AWS's `enableDnsHostnames` (default false): with DNS support, instances get public DNS
    /// hostnames.
    pub dns_hostnames: bool,
    /// Display id of the attached internet gateway (`internet_gateway: { aws_id }`, else
    /// `igw-NAME`); None when the VPC has none.
    pub igw: Option<String>,
    /// Subnets in declaration order.
    pub subnets: Vec<SubnetId>,
    /// Route tables: the implicit `main` first when the file declares no table of that name, then
    /// the declared ones in order.
    pub route_tables: Vec<RouteTableId>,
    /// The main route table (`main_route_table:`, else `main`): used by subnets with no explicit
    /// association.
    pub main_route_table: RouteTableId,
    /// Network ACLs: the implicit `default` first when not declared, then the declared ones.
    pub nacls: Vec<NaclId>,
    /// Security groups: the implicit `default` first when not declared, then the declared ones.
    pub sgs: Vec<SgId>,
    /// NAT gateways in declaration order.
    pub nat_gateways: Vec<NatId>,
    /// Instances in declaration order.
    pub instances: Vec<InstanceId>,
    /// Peering connections in which this VPC is requester or accepter.
    pub peerings: Vec<PeeringId>,
}

impl Vpc {
    /// The primary CIDR (`cidrs[0]`).
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
    /// Its position in `Network::subnets`.
    pub id: SubnetId,
    /// The key it has under its VPC's `subnets:`.
    pub name: String,
    /// Display id: `subnet-NAME`.
    pub aws_id: String,
    /// `description:` as written (an import keeps the `Name` tag there); None when absent.
    pub description: Option<String>,
    /// The VPC it belongs to.
    pub vpc: VpcId,
    /// Its CIDR, inside one of the VPC's CIDRs.
    pub cidr: Ipv4Net,
    /// Availability zone: `az:`, else the VPC's region with `a` appended (`us-east-1a`).
    pub az: String,
    /// Associated route table: the explicit association, else the VPC's main table.
    pub route_table: RouteTableId,
    /// Associated network ACL: the explicit association, else the VPC's NACL named `default`.
    pub nacl: NaclId,
    /// AWS's `MapPublicIpOnLaunch` (default false): its instances get a public IP unless they say
    /// otherwise.
    pub map_public_ip: bool,
}

impl Subnet {
    /// The VPC router's address in this subnet (base+1).
    pub fn router_ip(&self) -> Ipv4Addr {
        offset(self.cidr.network(), 1)
    }
}

/// `base + n`, wrapping around past 255.255.255.255.
pub fn offset(base: Ipv4Addr, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(base).wrapping_add(n))
}

/// Where a route sends matching traffic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Target {
    /// `local`: the destination is inside the VPC and is delivered to the ENI owning the address.
    Local,
    /// The VPC's internet gateway. The VPC may have none: the route is then a blackhole.
    Igw,
    /// A NAT gateway.
    Nat(NatId),
    /// A peering connection.
    Peering(PeeringId),
    /// An instance's primary ENI (e.g. a NAT instance); a stopped instance makes it a blackhole.
    Instance(InstanceId),
    /// `target: blackhole`: the target is gone (AWS's `State: blackhole`); matching packets are
    /// dropped at the route table.
    Blackhole,
    /// A gateway endpoint (the route of its service's managed prefix list).
    VpcEndpoint(VpcEndpointId),
    /// A transit gateway (`tgw:NAME`): the VPC's attachment to it carries the packet.
    TransitGateway(super::transit::TgwIdx),
    /// The VPC's virtual private gateway (`vgw:NAME`); `propagated` for a route the gateway
    /// propagated into the table (`propagating_vgws:`).
    VpnGateway {
        /// The gateway.
        vgw: super::transit::VgwIdx,
        /// True for a propagated route (AWS's `Origin: EnableVgwRoutePropagation`).
        propagated: bool,
    },
}

/// One route of a route table.
#[derive(Clone, Debug, Serialize)]
pub struct Route {
    /// Destination CIDR, matched by longest prefix.
    pub destination: Ipv4Net,
    /// Where matching traffic goes.
    pub target: Target,
    /// The prefix list this route is an entry of (`destination: pl:NAME`: one `Route` per
    /// entry, so that each entry takes part in longest-prefix match); None for a CIDR route.
    pub prefix_list: Option<PrefixListId>,
    /// Where it was written (0:0 for implicit local routes).
    #[serde(skip)]
    pub loc: Loc,
}

/// A customer-managed prefix list (`prefix_lists:`).
#[derive(Clone, Debug, Serialize)]
pub struct PrefixList {
    /// Its position in `Network::prefix_lists`.
    pub id: PrefixListId,
    /// The key it has under `prefix_lists:`.
    pub name: String,
    /// Display id: `aws_id:`, else `pl-NAME`.
    pub aws_id: String,
    /// `description:` as written; None when absent.
    pub description: Option<String>,
    /// Its CIDRs in file order.
    pub entries: Vec<Ipv4Net>,
    /// AWS's MaxEntries (`max_entries:`, else the number of entries).
    pub max_entries: u32,
}

/// A route table.
#[derive(Clone, Debug, Serialize)]
pub struct RouteTable {
    /// Its position in `Network::route_tables`.
    pub id: RouteTableId,
    /// The key it has under `route_tables:` (`main` for the implicit one).
    pub name: String,
    /// Display id: `rtb-NAME`.
    pub aws_id: String,
    /// `description:` as written (an import keeps the `Name` tag there); None when absent.
    pub description: Option<String>,
    /// The VPC it belongs to.
    pub vpc: VpcId,
    /// One `local` route per VPC CIDR first, then the user's routes in declaration order.
    pub routes: Vec<Route>,
    /// True for the VPC's main table (`Vpc::main_route_table`).
    pub main: bool,
    /// Longest-prefix index over `routes`: destination CIDR → index in `routes`.
    #[serde(skip)]
    pub lpm: prefix_trie::PrefixMap<Ipv4Net, usize>,
}

/// A NACL entry's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The traffic is let through.
    Allow,
    /// The traffic is dropped.
    Deny,
}

/// One NACL entry (entries are evaluated by ascending number; the first match decides).
#[derive(Clone, Debug, Serialize)]
pub struct NaclEntry {
    /// Rule number, 1..=32766 as in AWS; the final `*` rule that denies the rest is not an entry.
    pub number: u16,
    /// What a match does.
    pub action: Action,
    /// IP protocol matched (`Protocol::All` for `-1`/`all`).
    pub protocol: Protocol,
    /// Port range matched (tcp and udp only; `PortRange::ALL` for other protocols).
    pub ports: PortRange,
    /// ICMP type and code matched (icmp only).
    pub icmp: IcmpMatch,
    /// Source CIDR for an inbound entry, destination CIDR for an outbound one.
    pub cidr: Ipv4Net,
    /// Where the entry is written in the file (0:0 for the implicit default rule 100).
    #[serde(skip)]
    pub loc: Loc,
}

/// A network ACL: stateless, checked at the subnet boundary in each direction.
#[derive(Clone, Debug, Serialize)]
pub struct NetworkAcl {
    /// Its position in `Network::nacls`.
    pub id: NaclId,
    /// The key it has under `network_acls:` (`default` for the implicit one).
    pub name: String,
    /// Display id: `acl-NAME`.
    pub aws_id: String,
    /// `description:` as written (an import keeps the `Name` tag there); None when absent.
    pub description: Option<String>,
    /// The VPC it belongs to.
    pub vpc: VpcId,
    /// Inbound entries, sorted by ascending rule number.
    pub inbound: Vec<NaclEntry>,
    /// Outbound entries, sorted by ascending rule number.
    pub outbound: Vec<NaclEntry>,
    /// True for the VPC's NACL named `default` (used by subnets without an explicit association).
    pub default: bool,
}

/// The other end an SG rule allows: a source (inbound) or destination (outbound).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SgPeer {
    /// Any address inside this CIDR.
    Cidr(Ipv4Net),
    /// AWS's security group reference (`sg:NAME`, `sg:VPC/NAME` across a peering): the private IPs
    /// of every ENI carrying this group.
    Group(SgId),
    /// `pl:NAME`: any address inside one of the prefix list's CIDRs.
    PrefixList(PrefixListId),
}

/// One SG rule. SG rules only allow: there is no deny and no order of evaluation.
#[derive(Clone, Debug, Serialize)]
pub struct SgRule {
    /// 1-based position in its direction's list, for display ("inbound rule 2").
    pub index: usize,
    /// IP protocol matched (`Protocol::All` for `-1`/`all`).
    pub protocol: Protocol,
    /// Port range matched (tcp and udp only; `PortRange::ALL` for other protocols).
    pub ports: PortRange,
    /// ICMP type and code matched (icmp only).
    pub icmp: IcmpMatch,
    /// Source (inbound rule) or destination (outbound rule).
    pub peer: SgPeer,
    /// Where it is written in the file (0:0 for the implicit rules).
    #[serde(skip)]
    pub loc: Loc,
}

/// A security group: stateful, attached to ENIs.
#[derive(Clone, Debug, Serialize)]
pub struct SecurityGroup {
    /// Its position in `Network::sgs`.
    pub id: SgId,
    /// The key it has under `security_groups:` (`default` for the implicit one).
    pub name: String,
    /// Display id: `sg-NAME`.
    pub aws_id: String,
    /// `description:` as written (an import keeps the `Name` tag there); None when absent.
    pub description: Option<String>,
    /// The VPC it belongs to.
    pub vpc: VpcId,
    /// Inbound rules in file order (an undeclared `default` group allows inbound from itself).
    pub inbound: Vec<SgRule>,
    /// Outbound rules in file order (a group without `outbound:` allows everything out).
    pub outbound: Vec<SgRule>,
    /// The ENIs carrying this group, in build order; `SgPeer::Group` references expand to them.
    pub members: Vec<EniId>,
    /// True for the group named `default` (given to instances that name no group).
    pub default: bool,
}

/// What an ENI belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum EniOwner {
    /// An instance's primary ENI (display id `eni-NAME`).
    Instance(InstanceId),
    /// A NAT gateway's requester-managed ENI (display id `eni-nat-NAME`).
    NatGateway(NatId),
    /// An interface endpoint's requester-managed ENI (served by its service's host).
    VpcEndpoint(VpcEndpointId),
    /// A load balancer's node in one Availability Zone (display id `eni-lb-NAME-AZ`).
    LoadBalancer(LoadBalancerId),
}

/// An elastic network interface: one per instance and per NAT gateway.
#[derive(Clone, Debug, Serialize)]
pub struct Eni {
    /// Its position in `Network::enis`.
    pub id: EniId,
    /// Display id: `eni-INSTANCE`, or `eni-nat-NAME` for a NAT gateway's.
    pub aws_id: String,
    /// `description:` as written (an import keeps the `Name` tag there); None when absent.
    pub description: Option<String>,
    /// What it is attached to.
    pub owner: EniOwner,
    /// The VPC of its subnet.
    pub vpc: VpcId,
    /// The subnet it sits in.
    pub subnet: SubnetId,
    /// Primary private IP: the one written in the file, else allocated from the subnet.
    pub private_ip: Ipv4Addr,
    /// Device index on its instance: 0 for the primary (and a NAT gateway's ENI), 1, 2, … for
    /// `network_interfaces:`.
    pub device: u32,
    /// Secondary private IPs (`secondary_ips:`), in the ENI's subnet; the ENI owns them as it
    /// owns `private_ip` (delivery, SG references, the source/destination check), but public
    /// IPs map to `private_ip` only.
    pub secondary_ips: Vec<Ipv4Addr>,
    /// Public IP or Elastic IP, mapped 1:1 by the internet gateway; taken from the topology's
    /// `public_ip_pool` unless written. None when the ENI has no public address.
    pub public_ip: Option<Ipv4Addr>,
    /// True when `public_ip` is an Elastic IP (always, for a public NAT gateway's ENI).
    pub elastic: bool,
    /// MAC address, from the topology name and the ENI's index (`02:HH:HH:00:II:II`).
    #[serde(serialize_with = "ser_mac")]
    pub mac: Mac,
    /// Security groups, each once, in the order the instance names them (`default` when it names
    /// none; empty for NAT gateway ENIs).
    pub sgs: Vec<SgId>,
    /// AWS's source/destination check: when true the ENI only takes traffic from or to its own
    /// addresses. `source_dest_check:` for instances (default true); false for NAT gateway ENIs.
    pub source_dest_check: bool,
}

impl Eni {
    /// True when `ip` is the primary or a secondary private IP of this ENI.
    pub fn owns(&self, ip: Ipv4Addr) -> bool {
        self.private_ip == ip || self.secondary_ips.contains(&ip)
    }
}

fn ser_mac<S: serde::Serializer>(m: &Mac, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&mac_string(m))
}

/// The MAC as lowercase colon-separated hex (`02:ab:cd:00:00:01`).
pub fn mac_string(m: &Mac) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A built-in service a host runs on one port (written `KIND:PORT` under `services:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "port")]
pub enum Service {
    /// HTTP server on this TCP port, answering with the host's name.
    Http(u16),
    /// TCP echo server on this port.
    Tcp(u16),
    /// UDP echo server on this port.
    Udp(u16),
}

impl Service {
    /// Parses `http:80`, `tcp:5432`, `udp:9000` (the grammar of `topology::parse::service`); the
    /// error is that parser's message.
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
    /// The port number it listens on.
    pub fn port(&self) -> u16 {
        match self {
            Service::Http(p) | Service::Tcp(p) | Service::Udp(p) => *p,
        }
    }
    /// Its IP protocol number: UDP for `udp:`, TCP for `http:` and `tcp:`.
    pub fn protocol(&self) -> u8 {
        match self {
            Service::Udp(_) => proto::UDP,
            _ => proto::TCP,
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

/// An EC2 instance: one primary ENI and one engine port.
#[derive(Clone, Debug, Serialize)]
pub struct Instance {
    /// Its position in `Network::instances`.
    pub id: InstanceId,
    /// The key it has under `instances:` (unique in the whole topology, across VPCs).
    pub name: String,
    /// Display id: `i-NAME`.
    pub aws_id: String,
    /// `description:` as written (an import keeps the `Name` tag there); None when absent.
    pub description: Option<String>,
    /// The VPC of its subnet.
    pub vpc: VpcId,
    /// The subnet its primary ENI sits in.
    pub subnet: SubnetId,
    /// Its primary ENI (device 0): the one `Port`, routes (`instance:NAME`) and commands use.
    pub eni: EniId,
    /// Every ENI by device index: `eni` first, then `network_interfaces:` in order.
    pub enis: Vec<EniId>,
    /// `role: nat`: a NAT instance (the netns backend turns on forwarding and masquerading).
    pub nat: bool,
    /// False for `state: stopped` (default running); routes targeting a stopped instance are
    /// blackholes.
    pub running: bool,
    /// Built-in services, in file order.
    pub services: Vec<Service>,
    /// `run:` commands, in file order, started in the host's namespace by the netns backend.
    pub run: Vec<String>,
    /// Ephemeral port range its clients use: `ephemeral_ports:`, else Linux's 32768-60999.
    pub ephemeral: PortRange,
    /// The engine port linking it (set once ports are built).
    pub port: PortId,
    /// Where its name is written in the file.
    #[serde(skip)]
    pub loc: Loc,
}

/// A NAT gateway: public (translates to its Elastic IP) or private (to its private IP).
#[derive(Clone, Debug, Serialize)]
pub struct NatGateway {
    /// Its position in `Network::nat_gateways`.
    pub id: NatId,
    /// The key it has under its VPC's `nat_gateways:`.
    pub name: String,
    /// Display id: `nat-NAME`.
    pub aws_id: String,
    /// `description:` as written (an import keeps the `Name` tag there); None when absent.
    pub description: Option<String>,
    /// The VPC of its subnet.
    pub vpc: VpcId,
    /// The subnet it sits in.
    pub subnet: SubnetId,
    /// Its requester-managed ENI.
    pub eni: EniId,
    /// Elastic IP: written, else the next free address of the public pool; None for private NAT
    /// gateways.
    pub elastic_ip: Option<Ipv4Addr>,
    /// `connectivity: private`: no Elastic IP.
    pub private: bool,
    /// Where its name is written in the file.
    #[serde(skip)]
    pub loc: Loc,
}

/// A VPC peering connection between two VPCs.
#[derive(Clone, Debug, Serialize)]
pub struct Peering {
    /// Its position in `Network::peerings`.
    pub id: PeeringId,
    /// The key it has under `peerings:`.
    pub name: String,
    /// Display id: `pcx-NAME`.
    pub aws_id: String,
    /// `description:` as written (an import keeps the `Name` tag there); None when absent.
    pub description: Option<String>,
    /// Requester VPC.
    pub requester: VpcId,
    /// Accepter VPC.
    pub accepter: VpcId,
    /// AWS's "DNS resolution from the remote VPC" (default false): public DNS hostnames of the
    /// other VPC's instances resolve to their private IPs.
    pub dns_resolution: bool,
}

impl Peering {
    /// The VPC on the other side of `vpc`; None if `vpc` is neither requester nor accepter.
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

/// Where a host is, for geolocation routing: continent, country (ISO 3166-1 alpha-2) and
/// subdivision codes as written under `location:`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GeoLocation {
    /// Continent code: AF, AN, AS, EU, OC, NA or SA. None when not written.
    pub continent: Option<String>,
    /// Country, ISO 3166-1 alpha-2, or `*` for Route 53's default location. None when not written.
    pub country: Option<String>,
    /// Subdivision code (e.g. a US state); None when not written.
    pub subdivision: Option<String>,
}

impl From<&crate::topology::spec::GeoLocation> for GeoLocation {
    fn from(l: &crate::topology::spec::GeoLocation) -> Self {
        GeoLocation {
            continent: l.continent.clone(),
            country: l.country.clone(),
            subdivision: l.subdivision.clone(),
        }
    }
}

/// A host on the emulated internet (`internet: hosts:`), outside every VPC.
#[derive(Clone, Debug, Serialize)]
pub struct InternetHost {
    /// Its position in `Network::internet_hosts`.
    pub id: InternetHostId,
    /// The key it has under `internet: hosts:`.
    pub name: String,
    /// Its public address, as written; its port gets it as a /32 with an on-link default route.
    pub ip: Ipv4Addr,
    /// Where it is, for Route 53 geolocation routing; None when not written.
    pub location: Option<GeoLocation>,
    /// AWS region it is nearest to, for Route 53 latency routing; None when not written.
    pub region: Option<String>,
    /// Built-in services, in file order.
    pub services: Vec<Service>,
    /// `run:` commands, in file order, started in the host's namespace by the netns backend.
    pub run: Vec<String>,
    /// Ephemeral port range its clients use: `ephemeral_ports:`, else Linux's 32768-60999.
    pub ephemeral: PortRange,
    /// The engine port linking it (set once ports are built).
    pub port: PortId,
}

/// The host behind an engine port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum PortOwner {
    /// An instance; the port carries its primary ENI's MAC and address.
    Instance(InstanceId),
    /// A host on the emulated internet.
    Internet(InternetHostId),
    /// An Application Load Balancer's node (its ENI): the host that terminates HTTP for it
    /// (the netns backend runs `backend::alb` there; `docs/load-balancers.md`).
    LoadBalancerNode(EniId),
}

/// An engine port: the link of one host, with the settings its interface needs.
#[derive(Clone, Debug, Serialize)]
pub struct Port {
    /// Its position in `Network::ports`: instances first, then internet hosts.
    pub id: PortId,
    /// The host's name (instance or internet host).
    pub name: String,
    /// The host it links.
    pub owner: PortOwner,
    /// The host's MAC: its ENI's for an instance, generated (`02:HH:HH:01:II:II`) for an internet
    /// host.
    #[serde(serialize_with = "ser_mac")]
    pub mac: Mac,
    /// The host's address: the ENI's private IP, or the internet host's public one.
    pub ip: Ipv4Addr,
    /// Prefix length of the host's interface address (subnet size; 32 for internet hosts).
    pub prefix_len: u8,
    /// Default gateway (the subnet router base+1; None for internet hosts, which use an
    /// on-link default route answered by proxy ARP).
    pub gateway: Option<Ipv4Addr>,
    /// DNS resolver the host is configured with: the VPC resolver (base+2) when the VPC has
    /// `enableDnsSupport`, else None; `PUBLIC_RESOLVER` for internet hosts.
    pub resolver: Option<Ipv4Addr>,
}
