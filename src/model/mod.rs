//! The resolved network (rank 1, `model`, above `topology` only): typed ids, allocated addresses
//! and MACs, the implicit AWS objects and lookup indexes, built from a validated topology by
//! `model::build` and rendered by `model::show` and `model::graph`. Policy, engine, reach, DNS,
//! flow logs and the backends all read it. Immutable; a change builds a new `Network` (cheap)
//! and swaps it in.

pub mod aws_names;
mod build;
pub mod endpoints;
pub mod flow_logs;
pub mod fxhash;
pub mod graph;
mod graph_transit;
pub mod ids;
pub mod ipv6;
pub mod load_balancer;
pub mod primitives;
pub mod probe_host;
pub mod route53;
pub mod show;
pub mod show6;
pub mod show_endpoints;
pub mod show_load_balancers;
mod show_transit;
pub mod transit;
pub mod types;

pub use build::build;
#[cfg(test)]
pub(crate) use build::from_yaml;
pub use endpoints::{AwsService, EndpointKind, VpcEndpoint};
pub use flow_logs::FlowLog;
pub use ids::*;
pub use load_balancer::LoadBalancer;
pub use primitives::{proto, protocol_name, IcmpMatch, PortRange, Protocol};
pub use route53::Route53;
pub use types::*;

use crate::topology::Topology;
use ipnet::Ipv4Net;
use std::collections::HashMap;
use std::net::Ipv4Addr;

/// Default client ephemeral port range (Linux `ip_local_port_range`).
pub const LINUX_EPHEMERAL: PortRange = PortRange {
    from: 32768,
    to: 60999,
};
/// The VPC resolver's link-local address (AWS's 169.254.169.253, also answered besides base+2).
pub const RESOLVER_LINK_LOCAL: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 253);
/// The account id of a VPC when neither it nor the topology writes `account:`.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// Default per-ENI conntrack maximum, overridden by `engine: conntrack_max:` (at least 1).
pub const DEFAULT_CONNTRACK_MAX: usize = 65536;
/// The emulated public resolver internet hosts use (inside the engine, never a real host).
pub const PUBLIC_RESOLVER: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 53);

/// The resolved network. Every table is indexed by its typed id (`VpcId(3)` is `vpcs[3]`); the
/// accessors below panic on an id from another network.
#[derive(Clone, Debug)]
pub struct Network {
    /// Topology name (prefix of namespaces and devices).
    pub name: String,
    /// The topology's `region:` (default `us-east-1`), used by VPCs that write none.
    pub region: String,
    /// The first pool that public IPs and Elastic IPs not written in the file are taken from:
    /// `public_ip_pool:`, default 203.0.113.0/24 (TEST-NET-3); `public_pools[0]`.
    pub public_pool: Ipv4Net,
    /// Every pool of `public_ip_pool:` in order (addresses are drawn from the first, then the
    /// next); never empty.
    pub public_pools: Vec<Ipv4Net>,
    /// Per-ENI connection-tracking maximum (`engine: conntrack_max:`, default 65536).
    pub conntrack_max: usize,
    /// VPCs in declaration order.
    pub vpcs: Vec<Vpc>,
    /// Subnets of every VPC, VPC by VPC.
    pub subnets: Vec<Subnet>,
    /// Route tables of every VPC, VPC by VPC (see `Vpc::route_tables` for the order within one).
    pub route_tables: Vec<RouteTable>,
    /// Network ACLs of every VPC, VPC by VPC.
    pub nacls: Vec<NetworkAcl>,
    /// Security groups of every VPC, VPC by VPC.
    pub sgs: Vec<SecurityGroup>,
    /// ENIs of every instance and NAT gateway.
    pub enis: Vec<Eni>,
    /// Instances of every VPC.
    pub instances: Vec<Instance>,
    /// NAT gateways of every VPC.
    pub nat_gateways: Vec<NatGateway>,
    /// Peering connections in declaration order.
    pub peerings: Vec<Peering>,
    /// Customer-managed prefix lists in declaration order.
    pub prefix_lists: Vec<PrefixList>,
    /// Internet hosts in declaration order (plus hidden ones, see `with_hidden_internet_host`).
    pub internet_hosts: Vec<InternetHost>,
    /// Engine ports (instances first, then internet hosts).
    pub ports: Vec<Port>,
    /// MAC of the VPC routers and of the internet's router, as hosts see it.
    pub router_mac: Mac,
    /// Route 53: hosted zones, records and health checks (`dns:`).
    pub route53: Route53,
    /// Flow-log definitions (`flow_logs:`), in file order.
    pub flow_logs: Vec<FlowLog>,
    /// Transit gateways, VPN, Direct Connect and on-premises networks.
    pub hybrid: transit::Hybrid,
    /// Elastic Load Balancing load balancers in declaration order.
    pub load_balancers: Vec<LoadBalancer>,
    pub(crate) idx: Indexes,
    /// AWS services on the emulated internet (declared or implied; empty by default).
    pub aws_services: Vec<AwsService>,
    /// VPC endpoints, gateway and interface.
    pub vpc_endpoints: Vec<VpcEndpoint>,
    /// The IPv6 half: blocks, addresses, routes and rules (`model::ipv6`).
    pub ipv6: ipv6::Ipv6,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Indexes {
    pub eni_by_private: HashMap<(VpcId, Ipv4Addr), EniId>,
    pub eni_by_public: HashMap<Ipv4Addr, EniId>,
    pub host_by_ip: HashMap<Ipv4Addr, InternetHostId>,
    pub instance_by_name: HashMap<String, InstanceId>,
    /// Display ids of instances and of their ENIs → the instance.
    pub instance_by_id: HashMap<String, InstanceId>,
    pub host_by_name: HashMap<String, InternetHostId>,
    pub vpc_by_name: HashMap<String, VpcId>,
    pub subnets_by_vpc: HashMap<VpcId, prefix_trie::PrefixMap<Ipv4Net, SubnetId>>,
}

/// Something a command can name as a source or destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// An instance, named by its `instances:` key.
    Instance(InstanceId),
    /// An internet host, named by its `internet: hosts:` key.
    Internet(InternetHostId),
}

impl Network {
    /// The VPC with this id (panics on an id of another network, as do the accessors below).
    pub fn vpc(&self, id: VpcId) -> &Vpc {
        &self.vpcs[id.idx()]
    }
    /// The subnet with this id.
    pub fn subnet(&self, id: SubnetId) -> &Subnet {
        &self.subnets[id.idx()]
    }
    /// The route table with this id.
    pub fn route_table(&self, id: RouteTableId) -> &RouteTable {
        &self.route_tables[id.idx()]
    }
    /// The network ACL with this id.
    pub fn nacl(&self, id: NaclId) -> &NetworkAcl {
        &self.nacls[id.idx()]
    }
    /// The security group with this id.
    pub fn sg(&self, id: SgId) -> &SecurityGroup {
        &self.sgs[id.idx()]
    }
    /// The ENI with this id.
    pub fn eni(&self, id: EniId) -> &Eni {
        &self.enis[id.idx()]
    }
    /// The instance with this id.
    pub fn instance(&self, id: InstanceId) -> &Instance {
        &self.instances[id.idx()]
    }
    /// The NAT gateway with this id.
    pub fn nat(&self, id: NatId) -> &NatGateway {
        &self.nat_gateways[id.idx()]
    }
    /// The prefix list with this id.
    pub fn prefix_list(&self, id: PrefixListId) -> &PrefixList {
        &self.prefix_lists[id.idx()]
    }
    /// The peering connection with this id.
    pub fn peering(&self, id: PeeringId) -> &Peering {
        &self.peerings[id.idx()]
    }
    /// The internet host with this id.
    pub fn internet_host(&self, id: InternetHostId) -> &InternetHost {
        &self.internet_hosts[id.idx()]
    }
    /// The engine port with this id.
    pub fn port(&self, id: PortId) -> &Port {
        &self.ports[id.idx()]
    }
    /// The VPC whose `vpcs:` key is `name`; None when there is none.
    pub fn vpc_by_name(&self, name: &str) -> Option<VpcId> {
        self.idx.vpc_by_name.get(name).copied()
    }
    /// The instance whose `instances:` key is `name`; None when there is none.
    pub fn instance_by_name(&self, name: &str) -> Option<InstanceId> {
        self.idx.instance_by_name.get(name).copied()
    }
    /// The instance whose display id (`aws_id:` or the derived `i-NAME`) is `id`, or that owns
    /// the ENI with that display id (`eni-…`); None when no instance has it.
    pub fn instance_by_display_id(&self, id: &str) -> Option<InstanceId> {
        self.idx.instance_by_id.get(id).copied()
    }
    /// The internet host whose `internet: hosts:` key is `name`; None when there is none (hidden
    /// hosts cannot be named).
    pub fn internet_host_by_name(&self, name: &str) -> Option<InternetHostId> {
        self.idx.host_by_name.get(name).copied()
    }
    /// An instance or internet host by name (an instance also by its or its ENIs' display id);
    /// an instance wins when both have the name.
    pub fn endpoint_by_name(&self, name: &str) -> Option<Endpoint> {
        self.instance_by_name(name)
            .or_else(|| self.instance_by_display_id(name))
            .map(Endpoint::Instance)
            .or_else(|| self.internet_host_by_name(name).map(Endpoint::Internet))
    }
    /// A copy with one more internet host at `ip` that cannot be named (not in
    /// `endpoint_by_name`, so commands never list or accept it): emulated AWS-side sources such
    /// as the Route 53 health checkers. Returns the copy and the host's port. None when `ip` is
    /// already an internet host's or a public IP of an ENI.
    pub fn with_hidden_internet_host(
        &self,
        name: &str,
        ip: Ipv4Addr,
        services: Vec<Service>,
    ) -> Option<(Network, PortId)> {
        if self.idx.host_by_ip.contains_key(&ip) || self.idx.eni_by_public.contains_key(&ip) {
            return None;
        }
        let mut n = self.clone();
        let id = InternetHostId(n.internet_hosts.len() as u32);
        let port = PortId(n.ports.len() as u32);
        let i = (port.0 as u16).to_be_bytes();
        let mac = [0x02, 0x52, 0x53, 0xfe, i[0], i[1]];
        n.internet_hosts.push(InternetHost {
            id,
            name: name.to_string(),
            ip,
            location: None,
            region: None,
            services,
            run: Vec::new(),
            ephemeral: LINUX_EPHEMERAL,
            port,
        });
        n.ports.push(Port {
            id: port,
            name: name.to_string(),
            owner: PortOwner::Internet(id),
            mac,
            ip,
            prefix_len: 32,
            gateway: None,
            resolver: Some(PUBLIC_RESOLVER),
        });
        n.idx.host_by_ip.insert(ip, id);
        Some((n, port))
    }
    /// The ENIs a flow log or a capture covers, in model order: `vpc:NAME` (every ENI in
    /// it, NAT gateway ENIs included), `subnet:VPC/NAME` (ENIs in the subnet), `instance:NAME`
    /// or a bare instance name (its ENIs, primary first). The error says what is unknown.
    pub fn resource_enis(&self, resource: &str) -> Result<Vec<EniId>, String> {
        let (kind, name) = resource.split_once(':').unwrap_or(("instance", resource));
        let vpc = |name: &str| {
            self.vpc_by_name(name)
                .ok_or_else(|| format!("no VPC named `{name}`"))
        };
        let enis = |keep: &dyn Fn(&Eni) -> bool| -> Vec<EniId> {
            self.enis.iter().filter(|e| keep(e)).map(|e| e.id).collect()
        };
        match kind {
            "vpc" => {
                let v = vpc(name)?;
                Ok(enis(&|e| e.vpc == v))
            }
            "subnet" => {
                let (vn, sn) = name.split_once('/').ok_or_else(|| {
                    format!("`{resource}` does not name a VPC and a subnet (subnet:VPC/NAME)")
                })?;
                let v = vpc(vn)?;
                let s = self
                    .subnets
                    .iter()
                    .find(|s| s.vpc == v && s.name == sn)
                    .ok_or_else(|| format!("VPC `{vn}` has no subnet named `{sn}`"))?;
                Ok(enis(&|e| e.subnet == s.id))
            }
            "instance" => {
                let i = self
                    .instance_by_name(name)
                    .ok_or_else(|| format!("no instance named `{name}`"))?;
                Ok(self.instance(i).enis.clone())
            }
            _ => Err(format!(
                "`{resource}` is not an instance, subnet:VPC/NAME or vpc:NAME"
            )),
        }
    }
    /// The ENI with this primary or secondary private IP in this VPC (private addresses may
    /// repeat across VPCs).
    pub fn eni_by_private_ip(&self, vpc: VpcId, ip: Ipv4Addr) -> Option<EniId> {
        self.idx.eni_by_private.get(&(vpc, ip)).copied()
    }
    /// The ENI whose public IP or Elastic IP this is; None for any other address.
    pub fn eni_by_public_ip(&self, ip: Ipv4Addr) -> Option<EniId> {
        self.idx.eni_by_public.get(&ip).copied()
    }
    /// The internet host with this public address (hidden hosts included).
    pub fn internet_host_by_ip(&self, ip: Ipv4Addr) -> Option<InternetHostId> {
        self.idx.host_by_ip.get(&ip).copied()
    }
    /// The subnet of this VPC containing `ip` (longest prefix); None when no subnet does.
    pub fn subnet_of(&self, vpc: VpcId, ip: Ipv4Addr) -> Option<SubnetId> {
        let trie = self.idx.subnets_by_vpc.get(&vpc)?;
        let host = Ipv4Net::new(ip, 32).ok()?;
        trie.get_lpm(&host).map(|(_, s)| *s)
    }
    /// The first VPC (in declaration order) with a CIDR containing `ip`; None when no VPC has one.
    /// Unpeered VPCs may overlap, so prefer an ENI's `vpc` when the sender is known.
    pub fn vpc_containing(&self, ip: Ipv4Addr) -> Option<VpcId> {
        self.vpcs.iter().find(|v| v.contains(ip)).map(|v| v.id)
    }
    /// The peering connection joining `a` and `b` (either way round); None when not peered.
    pub fn peering_between(&self, a: VpcId, b: VpcId) -> Option<PeeringId> {
        self.vpc(a)
            .peerings
            .iter()
            .copied()
            .find(|p| self.peering(*p).other(a) == Some(b))
    }
    /// The addresses of a port's interface besides `Port::ip`, each with its subnet's prefix
    /// length: the instance's secondary private IPs (and the addresses of its other ENIs,
    /// which share the port); empty for an internet host.
    pub fn port_extra_addrs(&self, port: PortId) -> Vec<Ipv4Net> {
        let i = match self.port(port).owner {
            PortOwner::Instance(i) => i,
            // An AWS service's host answers on its interface endpoints' ENIs too.
            PortOwner::Internet(h) => {
                let enis = self.service_host_enis(h);
                return enis
                    .iter()
                    .filter_map(|e| Ipv4Net::new(self.eni(*e).private_ip, 32).ok())
                    .collect();
            }
            PortOwner::LoadBalancerNode(_) => return Vec::new(),
        };
        let mut out = Vec::new();
        for (k, id) in self.instance(i).enis.iter().enumerate() {
            let e = self.eni(*id);
            let len = self.subnet(e.subnet).cidr.prefix_len();
            let primary = (k > 0).then_some(e.private_ip);
            for a in primary.iter().chain(&e.secondary_ips) {
                out.extend(Ipv4Net::new(*a, len).ok());
            }
        }
        out
    }
    /// The ENI of instance `inst` a packet from `src` leaves by: the one owning `src` (the
    /// instance's own routing picks the interface of the source address), else the primary
    /// (a packet a NAT instance or appliance forwards).
    pub fn instance_eni_for_source(&self, inst: InstanceId, src: Ipv4Addr) -> EniId {
        let i = self.instance(inst);
        i.enis
            .iter()
            .copied()
            .find(|e| self.eni(*e).owns(src))
            .unwrap_or(i.eni)
    }
    /// The ENI behind a port; None for an internet host's port.
    pub fn port_eni(&self, port: PortId) -> Option<EniId> {
        match self.port(port).owner {
            PortOwner::Instance(i) => Some(self.instance(i).eni),
            PortOwner::Internet(_) => None,
            PortOwner::LoadBalancerNode(e) => Some(e),
        }
    }
    /// The instance owning an ENI; None for a NAT gateway's ENI.
    pub fn eni_instance(&self, eni: EniId) -> Option<InstanceId> {
        match self.eni(eni).owner {
            EniOwner::Instance(i) => Some(i),
            EniOwner::NatGateway(_) | EniOwner::VpcEndpoint(_) | EniOwner::LoadBalancer(_) => None,
        }
    }
    /// A display name for an ENI: the instance's or NAT gateway's name.
    pub fn eni_owner_name(&self, eni: EniId) -> &str {
        match self.eni(eni).owner {
            EniOwner::Instance(i) => &self.instance(i).name,
            EniOwner::NatGateway(n) => &self.nat(n).name,
            EniOwner::VpcEndpoint(e) => &self.vpc_endpoint(e).name,
            EniOwner::LoadBalancer(l) => &self.load_balancer(l).name,
        }
    }
    /// True when the ENI carries the security group `sg`.
    pub fn eni_has_sg(&self, eni: EniId, sg: SgId) -> bool {
        self.eni(eni).sgs.contains(&sg)
    }
}
