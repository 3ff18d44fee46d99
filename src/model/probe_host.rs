//! A copy of the network with one more host placed in a subnet at a given address, standing for
//! "a flow that starts inside this subnet from this address" (`reach`/`probe --from subnet-…
//! --src-ip IP`). The host has an ENI of its own whose security group lets everything through
//! (a subnet has no security group: only its NACL and route table filter such a flow), so the
//! analyzer, the engine and the virtual backend all see the same flow through the same walk.

use super::{
    Eni, EniId, EniOwner, IcmpMatch, Instance, InstanceId, Network, Port, PortId, PortOwner,
    PortRange, Protocol, SecurityGroup, SgId, SgPeer, SgRule, SubnetId, LINUX_EPHEMERAL,
};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// The display id of the security group of a subnet source (which has none in AWS terms).
pub const SUBNET_SOURCE_SG: &str = "sg-none";

impl Network {
    /// The first address of `subnet` no ENI holds, after AWS's four reserved ones (network,
    /// router, resolver, future use) and before the broadcast address.
    pub fn first_free_address(&self, subnet: SubnetId) -> Option<Ipv4Addr> {
        let s = self.subnet(subnet);
        let base = u32::from(s.cidr.network());
        let last = u32::from(s.cidr.broadcast());
        (base.saturating_add(4)..last)
            .map(Ipv4Addr::from)
            .find(|ip| self.eni_by_private_ip(s.vpc, *ip).is_none())
    }

    /// A copy with a host named `name` at `ip` in `subnet` (see the module doc), and its id.
    /// Its instance and ENI take the subnet's display id, so paths name the subnet.
    /// None when an ENI of the subnet's VPC already holds `ip` or `ip` is outside the subnet.
    pub fn with_subnet_source(
        &self,
        name: &str,
        subnet: SubnetId,
        ip: Ipv4Addr,
    ) -> Option<(Network, InstanceId)> {
        let s = self.subnet(subnet).clone();
        if !s.cidr.contains(&ip) || self.eni_by_private_ip(s.vpc, ip).is_some() {
            return None;
        }
        let mut n = self.clone();
        let id = InstanceId(n.instances.len() as u32);
        let eni = EniId(n.enis.len() as u32);
        let sg = SgId(n.sgs.len() as u32);
        let port = PortId(n.ports.len() as u32);
        let i = (port.0 as u16).to_be_bytes();
        let mac = [0x02, 0x53, 0x55, 0xfe, i[0], i[1]];
        let all = |index| SgRule {
            index,
            protocol: Protocol::All,
            ports: PortRange::ALL,
            icmp: IcmpMatch::default(),
            peer: SgPeer::Cidr(Ipv4Net::default()),
            loc: Default::default(),
        };
        n.sgs.push(SecurityGroup {
            id: sg,
            name: "none".into(),
            aws_id: SUBNET_SOURCE_SG.into(),
            vpc: s.vpc,
            inbound: vec![all(1)],
            outbound: vec![all(1)],
            members: vec![eni],
            default: false,
            description: None,
        });
        n.enis.push(Eni {
            id: eni,
            aws_id: s.aws_id.clone(),
            owner: EniOwner::Instance(id),
            vpc: s.vpc,
            subnet,
            private_ip: ip,
            public_ip: None,
            elastic: false,
            mac,
            sgs: vec![sg],
            source_dest_check: true,
            description: None,
            device: 0,
            secondary_ips: Vec::new(),
        });
        n.instances.push(Instance {
            id,
            name: name.to_string(),
            aws_id: s.aws_id.clone(),
            vpc: s.vpc,
            subnet,
            eni,
            enis: vec![eni],
            nat: false,
            running: true,
            services: Vec::new(),
            run: Vec::new(),
            ephemeral: LINUX_EPHEMERAL,
            port,
            loc: Default::default(),
            description: None,
        });
        let vpc = n.vpc(s.vpc);
        let resolver = vpc.dns_support.then(|| vpc.resolver_ip());
        n.ports.push(Port {
            id: port,
            name: name.to_string(),
            owner: PortOwner::Instance(id),
            mac,
            ip,
            prefix_len: s.cidr.prefix_len(),
            gateway: Some(s.router_ip()),
            resolver,
        });
        n.idx.eni_by_private.insert((s.vpc, ip), eni);
        Some((n, id))
    }
}
