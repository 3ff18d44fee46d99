//! The resolved network: typed ids, allocated addresses and MACs, the implicit AWS objects and
//! lookup indexes. Immutable; a change builds a new `Network` (cheap) and swaps it in.

mod build;
pub mod graph;
pub mod ids;
pub mod show;
pub mod types;

pub use build::build;
pub use ids::*;
pub use types::*;

use crate::topology::parse::PortRange;
use crate::topology::Topology;
use ipnet::Ipv4Net;
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// Default client ephemeral port range (Linux `ip_local_port_range`).
pub const LINUX_EPHEMERAL: PortRange = PortRange {
    from: 32768,
    to: 60999,
};
/// The VPC resolver's link-local address.
pub const RESOLVER_LINK_LOCAL: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 253);
/// Default per-ENI conntrack maximum.
pub const DEFAULT_CONNTRACK_MAX: usize = 65536;
/// The emulated public resolver internet hosts use (inside the engine, never a real host).
pub const PUBLIC_RESOLVER: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 53);

/// The resolved network.
#[derive(Clone, Debug)]
pub struct Network {
    /// Topology name (prefix of namespaces and devices).
    pub name: String,
    /// Default region.
    pub region: String,
    /// Pool of public addresses.
    pub public_pool: Ipv4Net,
    /// Per-ENI connection-tracking maximum.
    pub conntrack_max: usize,
    /// VPCs.
    pub vpcs: Vec<Vpc>,
    /// Subnets.
    pub subnets: Vec<Subnet>,
    /// Route tables.
    pub route_tables: Vec<RouteTable>,
    /// NACLs.
    pub nacls: Vec<NetworkAcl>,
    /// Security groups.
    pub sgs: Vec<SecurityGroup>,
    /// ENIs.
    pub enis: Vec<Eni>,
    /// Instances.
    pub instances: Vec<Instance>,
    /// NAT gateways.
    pub nat_gateways: Vec<NatGateway>,
    /// Peerings.
    pub peerings: Vec<Peering>,
    /// Internet hosts.
    pub internet_hosts: Vec<InternetHost>,
    /// Engine ports (instances first, then internet hosts).
    pub ports: Vec<Port>,
    /// MAC of the VPC routers and of the internet's router, as hosts see it.
    pub router_mac: Mac,
    /// The source topology (for DNS, flow logs and other sections read as written).
    pub topology: Arc<Topology>,
    pub(crate) idx: Indexes,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Indexes {
    pub eni_by_private: HashMap<(VpcId, Ipv4Addr), EniId>,
    pub eni_by_public: HashMap<Ipv4Addr, EniId>,
    pub host_by_ip: HashMap<Ipv4Addr, InternetHostId>,
    pub instance_by_name: HashMap<String, InstanceId>,
    pub host_by_name: HashMap<String, InternetHostId>,
    pub vpc_by_name: HashMap<String, VpcId>,
    pub subnets_by_vpc: HashMap<VpcId, prefix_trie::PrefixMap<Ipv4Net, SubnetId>>,
}

/// Something a command can name as a source or destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// An instance.
    Instance(InstanceId),
    /// An internet host.
    Internet(InternetHostId),
}

impl Network {
    /// Builds from a topology (see `build`).
    pub fn vpc(&self, id: VpcId) -> &Vpc {
        &self.vpcs[id.idx()]
    }
    /// A subnet.
    pub fn subnet(&self, id: SubnetId) -> &Subnet {
        &self.subnets[id.idx()]
    }
    /// A route table.
    pub fn route_table(&self, id: RouteTableId) -> &RouteTable {
        &self.route_tables[id.idx()]
    }
    /// A NACL.
    pub fn nacl(&self, id: NaclId) -> &NetworkAcl {
        &self.nacls[id.idx()]
    }
    /// A security group.
    pub fn sg(&self, id: SgId) -> &SecurityGroup {
        &self.sgs[id.idx()]
    }
    /// An ENI.
    pub fn eni(&self, id: EniId) -> &Eni {
        &self.enis[id.idx()]
    }
    /// An instance.
    pub fn instance(&self, id: InstanceId) -> &Instance {
        &self.instances[id.idx()]
    }
    /// A NAT gateway.
    pub fn nat(&self, id: NatId) -> &NatGateway {
        &self.nat_gateways[id.idx()]
    }
    /// A peering.
    pub fn peering(&self, id: PeeringId) -> &Peering {
        &self.peerings[id.idx()]
    }
    /// An internet host.
    pub fn internet_host(&self, id: InternetHostId) -> &InternetHost {
        &self.internet_hosts[id.idx()]
    }
    /// An engine port.
    pub fn port(&self, id: PortId) -> &Port {
        &self.ports[id.idx()]
    }
    /// The VPC with this name.
    pub fn vpc_by_name(&self, name: &str) -> Option<VpcId> {
        self.idx.vpc_by_name.get(name).copied()
    }
    /// The instance with this name.
    pub fn instance_by_name(&self, name: &str) -> Option<InstanceId> {
        self.idx.instance_by_name.get(name).copied()
    }
    /// The internet host with this name.
    pub fn internet_host_by_name(&self, name: &str) -> Option<InternetHostId> {
        self.idx.host_by_name.get(name).copied()
    }
    /// An instance or internet host by name.
    pub fn endpoint_by_name(&self, name: &str) -> Option<Endpoint> {
        self.instance_by_name(name)
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
    /// The ENI with this private IP in this VPC.
    pub fn eni_by_private_ip(&self, vpc: VpcId, ip: Ipv4Addr) -> Option<EniId> {
        self.idx.eni_by_private.get(&(vpc, ip)).copied()
    }
    /// The ENI whose public IP / EIP this is.
    pub fn eni_by_public_ip(&self, ip: Ipv4Addr) -> Option<EniId> {
        self.idx.eni_by_public.get(&ip).copied()
    }
    /// The internet host with this address.
    pub fn internet_host_by_ip(&self, ip: Ipv4Addr) -> Option<InternetHostId> {
        self.idx.host_by_ip.get(&ip).copied()
    }
    /// The subnet of this VPC containing `ip`.
    pub fn subnet_of(&self, vpc: VpcId, ip: Ipv4Addr) -> Option<SubnetId> {
        let trie = self.idx.subnets_by_vpc.get(&vpc)?;
        let host = Ipv4Net::new(ip, 32).ok()?;
        trie.get_lpm(&host).map(|(_, s)| *s)
    }
    /// The VPC whose CIDRs contain `ip` among `candidates` (used for peering checks).
    pub fn vpc_containing(&self, ip: Ipv4Addr) -> Option<VpcId> {
        self.vpcs.iter().find(|v| v.contains(ip)).map(|v| v.id)
    }
    /// The peering joining two VPCs, if any.
    pub fn peering_between(&self, a: VpcId, b: VpcId) -> Option<PeeringId> {
        self.vpc(a)
            .peerings
            .iter()
            .copied()
            .find(|p| self.peering(*p).other(a) == Some(b))
    }
    /// The ENI behind a port, if it is an instance's.
    pub fn port_eni(&self, port: PortId) -> Option<EniId> {
        match self.port(port).owner {
            PortOwner::Instance(i) => Some(self.instance(i).eni),
            PortOwner::Internet(_) => None,
        }
    }
    /// The instance owning an ENI.
    pub fn eni_instance(&self, eni: EniId) -> Option<InstanceId> {
        match self.eni(eni).owner {
            EniOwner::Instance(i) => Some(i),
            EniOwner::NatGateway(_) => None,
        }
    }
    /// A display name for an ENI: the instance's or NAT gateway's name.
    pub fn eni_owner_name(&self, eni: EniId) -> &str {
        match self.eni(eni).owner {
            EniOwner::Instance(i) => &self.instance(i).name,
            EniOwner::NatGateway(n) => &self.nat(n).name,
        }
    }
    /// True when the ENI carries a security group.
    pub fn eni_has_sg(&self, eni: EniId, sg: SgId) -> bool {
        self.eni(eni).sgs.contains(&sg)
    }
}
