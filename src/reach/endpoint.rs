//! The ends of a query ([`Party`], resolved by `reach::resolve`) and the address the source
//! would use for the destination. Part of `reach` (rank 4).

use crate::model::PortRange;
use crate::model::{EniId, InstanceId, Network, SubnetId, LINUX_EPHEMERAL};
use crate::policy::ExplanationCode;
use std::net::Ipv4Addr;

/// One end of a query, resolved against the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Party {
    /// An instance, at the address the other end would use (its primary ENI's).
    Instance(InstanceId),
    /// An instance named by one of its addresses (`--to 10.1.0.4`): that address is used.
    InstanceAt(InstanceId, Ipv4Addr),
    /// An instance sending from this address (`--src-ip`), spoofed when not its own: dropped
    /// where AWS drops it (the source/destination check of its ENI).
    InstanceFrom(InstanceId, Ipv4Addr),
    /// A flow starting inside a subnet from `ip`, an address no ENI holds (`--from subnet-app`).
    Subnet {
        /// The subnet.
        subnet: SubnetId,
        /// The address the flow is sent from.
        ip: Ipv4Addr,
    },
    /// A flow entering the network through an internet gateway from `ip` on the internet.
    Gateway {
        /// The gateway's display id (`igw-main`).
        id: String,
        /// The internet address the flow comes from.
        ip: Ipv4Addr,
    },
    /// A flow a NAT gateway starts itself, from its own ENI and private IP (`--from nat-…`):
    /// routed by its subnet's route table and NACL outbound; a NAT gateway has no SG.
    NatGateway(crate::model::NatId),
    /// A flow arriving over a peering connection from `ip` in one of its VPCs (`--from pcx-…
    /// --src-ip IP`), into the other VPC, where the destination is.
    Peering {
        /// The peering connection.
        peering: crate::model::PeeringId,
        /// The address (in one peer VPC) the flow comes from.
        ip: Ipv4Addr,
    },
    /// A destination address no host owns, or a gateway's own address: the walk tells what
    /// happens to a packet sent there (dropped inside a VPC, or out of the network).
    Address(Ipv4Addr),
    /// A named internet host (`internet: hosts:`).
    Host {
        /// Its key under `internet: hosts:`.
        name: String,
        /// Its public address.
        ip: Ipv4Addr,
    },
    /// Any public address (`internet`), represented by `ip`.
    Internet {
        /// The representative address (see `internet_address`), or the public address given.
        ip: Ipv4Addr,
    },
    /// An interface endpoint's ENI (`--to eni-…`, `--to vpce-…`, or its address): the walk
    /// delivers to it and its service answers from it.
    EndpointEni(EniId),
    /// A load balancer (`--to NAME`, its DNS name or ARN, or a node's address), reached at
    /// `node`; the flow ends at the target it forwards to (or at the node for a fixed
    /// response).
    LoadBalancer {
        /// The load balancer.
        lb: crate::model::LoadBalancerId,
        /// The node addressed (the first one, unless named by its address).
        node: EniId,
        /// The HTTP request an ALB's rules match (`--http-path`, `--http-host`).
        http: crate::policy::path::HttpRequest,
    },
}

/// Where the destination's address comes from, or why the source has none to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The address the source sends to.
    Addr(Ipv4Addr),
    /// No usable address: the explanation code, the component and the reason.
    Unaddressable {
        /// AWS explanation code (`IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS` or `NO_PATH`).
        code: ExplanationCode,
        /// Display id of the component blamed (the destination's ENI).
        component: String,
        /// One sentence on why the source has no address for the destination.
        detail: String,
    },
}

/// A representative public address for `internet`: the first of 198.51.100.0/24, then
/// 192.0.2.0/24 (documentation ranges), not used by any internet host or public IP (an
/// internet host named `internet` is its own representative).
pub fn internet_address(net: &Network) -> Ipv4Addr {
    if let Some(h) = net
        .internet_hosts
        .iter()
        .find(|h| h.name == super::walk::INTERNET)
    {
        return h.ip;
    }
    let taken = |ip: Ipv4Addr| {
        net.internet_host_by_ip(ip).is_some()
            || net.eni_by_public_ip(ip).is_some()
            || net.vpcs.iter().any(|v| v.contains(ip))
    };
    for base in [[198u8, 51, 100, 0], [192, 0, 2, 0]] {
        for last in 200..=254u8 {
            let ip = Ipv4Addr::new(base[0], base[1], base[2], last);
            if !taken(ip) {
                return ip;
            }
        }
    }
    Ipv4Addr::new(198, 51, 100, 254)
}

impl Party {
    /// Display name: the instance or host name, `NAME (IP)` for an instance named by address,
    /// `internet (IP)` for the internet.
    pub fn name(&self, net: &Network) -> String {
        match self {
            Party::Instance(i) => net.instance(*i).name.clone(),
            Party::InstanceAt(i, ip) => format!("{} ({ip})", net.instance(*i).name),
            Party::InstanceFrom(i, ip) => format!("{} (from {ip})", net.instance(*i).name),
            Party::Subnet { subnet, ip } => format!("{} ({ip})", net.subnet(*subnet).aws_id),
            Party::Gateway { id, ip } => format!("{id} (from {ip})"),
            Party::NatGateway(n) => net.nat(*n).aws_id.clone(),
            Party::Peering { peering, ip } => {
                format!("{} (from {ip})", net.peering(*peering).aws_id)
            }
            Party::Host { name, .. } => name.clone(),
            Party::Internet { ip } => format!("internet ({ip})"),
            Party::Address(ip) => ip.to_string(),
            Party::EndpointEni(e) => {
                let eni = net.eni(*e);
                format!("{} ({})", eni.aws_id, eni.private_ip)
            }
            Party::LoadBalancer { lb, node, .. } => {
                format!(
                    "{} ({})",
                    net.load_balancer(*lb).name,
                    net.eni(*node).private_ip
                )
            }
        }
    }
    /// The ENI of an instance: the primary, or for an instance named by an address the ENI
    /// owning it; None for every other party (a subnet source gets one only in the network
    /// `reach::analyze` builds for it).
    pub fn eni(&self, net: &Network) -> Option<EniId> {
        match self {
            Party::Instance(i) | Party::InstanceFrom(i, _) => Some(net.instance(*i).eni),
            // The interface that owns the address (a further ENI's, or the primary).
            Party::InstanceAt(i, ip) => Some(net.instance_eni_for_source(*i, *ip)),
            Party::NatGateway(n) => Some(net.nat(*n).eni),
            Party::EndpointEni(e) => Some(*e),
            _ => None,
        }
    }
    /// The address it sends from (private IP for an instance; for an instance named by one of
    /// its private IPs, that one; `--src-ip` when given).
    pub fn source_ip(&self, net: &Network) -> Ipv4Addr {
        match self {
            Party::InstanceAt(i, ip) if net.eni(net.instance_eni_for_source(*i, *ip)).owns(*ip) => {
                *ip
            }
            Party::Instance(i) | Party::InstanceAt(i, _) => {
                net.eni(net.instance(*i).eni).private_ip
            }
            Party::NatGateway(n) => net.eni(net.nat(*n).eni).private_ip,
            Party::EndpointEni(e) => net.eni(*e).private_ip,
            Party::InstanceFrom(_, ip)
            | Party::Subnet { ip, .. }
            | Party::Gateway { ip, .. }
            | Party::Peering { ip, .. }
            | Party::Host { ip, .. }
            | Party::Internet { ip }
            | Party::Address(ip) => *ip,
            Party::LoadBalancer { node, .. } => net.eni(*node).private_ip,
        }
    }
    /// The VPC whose resolver this party asks when it looks a name up (an instance's, a
    /// subnet's, a NAT gateway's, a peering source's address's); None on the internet.
    pub fn resolver_vpc(&self, net: &Network) -> Option<crate::model::VpcId> {
        match self {
            Party::Instance(a) | Party::InstanceAt(a, _) | Party::InstanceFrom(a, _) => {
                Some(net.instance(*a).vpc)
            }
            Party::Subnet { subnet, .. } => Some(net.subnet(*subnet).vpc),
            Party::NatGateway(n) => Some(net.nat(*n).vpc),
            Party::Peering { ip, .. } => net.vpc_containing(*ip),
            _ => None,
        }
    }
    /// The availability zone this party sends from (its subnet's), when it has one.
    pub fn az<'n>(&self, net: &'n Network) -> Option<&'n str> {
        match self {
            Party::Subnet { subnet, .. } => Some(net.subnet(*subnet).az.as_str()),
            _ => self
                .eni(net)
                .map(|s| net.subnet(net.eni(s).subnet).az.as_str()),
        }
    }
    /// An interface endpoint's ENI as the destination of `from`: the endpoint's ENI in the
    /// source's AZ, else the one named (`--to vpce-…` picks the first). Any other party as is.
    pub fn in_source_az(&self, net: &Network, from: &Party) -> Party {
        let Party::EndpointEni(e) = self else {
            return self.clone();
        };
        let crate::model::EniOwner::VpcEndpoint(ep) = net.eni(*e).owner else {
            return self.clone();
        };
        let az = from.az(net);
        let same = az.is_some_and(|az| net.subnet(net.eni(*e).subnet).az == az);
        match net.endpoint_eni_for_az(ep, az) {
            Some(pick) if !same && net.vpc_endpoint(ep).enis().first() == Some(e) => {
                Party::EndpointEni(pick)
            }
            _ => self.clone(),
        }
    }
    /// The client ephemeral port range (the model's, default Linux 32768-60999).
    pub fn ephemeral(&self, net: &Network) -> PortRange {
        match self {
            Party::Instance(i) | Party::InstanceAt(i, _) | Party::InstanceFrom(i, _) => {
                net.instance(*i).ephemeral
            }
            Party::Host { ip, .. } => net
                .internet_host_by_ip(*ip)
                .map(|h| net.internet_host(h).ephemeral)
                .unwrap_or(LINUX_EPHEMERAL),
            _ => LINUX_EPHEMERAL,
        }
    }
}

/// The address `from` would use for `to`: the private IP within a VPC or across a peering, the
/// public IP from anywhere else. An instance in another, unpeered VPC without a public IP is
/// addressed by its private IP (the walk then shows where that fails, e.g. a transitive
/// peering); from the internet such an instance has no address at all.
pub fn target_address(net: &Network, from: &Party, to: &Party) -> Target {
    match to {
        Party::Host { ip, .. }
        | Party::Internet { ip }
        | Party::InstanceAt(_, ip)
        | Party::InstanceFrom(_, ip)
        | Party::Subnet { ip, .. }
        | Party::Gateway { ip, .. }
        | Party::Peering { ip, .. }
        | Party::Address(ip) => Target::Addr(*ip),
        Party::NatGateway(n) => Target::Addr(net.eni(net.nat(*n).eni).private_ip),
        Party::EndpointEni(e) => Target::Addr(net.eni(*e).private_ip),
        Party::LoadBalancer { lb, node, .. } => lb_address(net, from, *lb, *node),
        Party::Instance(i) => {
            let inst = net.instance(*i);
            let eni = net.eni(inst.eni);
            if let Some(va) = from.resolver_vpc(net) {
                if va == inst.vpc
                    || net.peering_between(va, inst.vpc).is_some()
                    || net.hybrid.privately_connected(va, inst.vpc)
                {
                    return Target::Addr(eni.private_ip);
                }
            }
            if let Party::Host { ip, .. } = from {
                if net.hybrid.on_premises_of(*ip).is_some() {
                    return Target::Addr(eni.private_ip);
                }
            }
            match eni.public_ip {
                Some(p) => Target::Addr(p),
                None => {
                    let vpc = net.vpc(inst.vpc);
                    let (code, why) = match (from, &vpc.igw) {
                        (Party::Instance(_) | Party::InstanceAt(..) | Party::InstanceFrom(..) | Party::Subnet { .. } | Party::NatGateway(_) | Party::Peering { .. }, _) => return Target::Addr(eni.private_ip),
                        (_, Some(_)) => (ExplanationCode::IgwPrivateIpAssociationForIngress, format!("{} has no public IP or Elastic IP: nothing on the internet can address it", inst.name)),
                        (_, None) => (ExplanationCode::NoPath, format!("{} has no public IP and {} has no internet gateway", inst.name, vpc.aws_id)),
                    };
                    Target::Unaddressable {
                        code,
                        component: eni.aws_id.clone(),
                        detail: why,
                    }
                }
            }
        }
    }
}

/// The address `from` uses for load balancer `lb`'s node `node`: its private address inside
/// the VPC (or a peered one), else its public one; an internal load balancer has none on the
/// internet.
fn lb_address(
    net: &Network,
    from: &Party,
    lb: crate::model::LoadBalancerId,
    node: EniId,
) -> Target {
    let l = net.load_balancer(lb);
    let e = net.eni(node);
    let from_vpc = match from {
        Party::Instance(a) | Party::InstanceAt(a, _) | Party::InstanceFrom(a, _) => {
            Some(net.instance(*a).vpc)
        }
        Party::Subnet { subnet, .. } => Some(net.subnet(*subnet).vpc),
        Party::NatGateway(n) => Some(net.nat(*n).vpc),
        Party::Peering { ip, .. } => net.vpc_containing(*ip),
        _ => None,
    };
    if from_vpc.is_some_and(|v| v == l.vpc || net.peering_between(v, l.vpc).is_some()) {
        return Target::Addr(e.private_ip);
    }
    match (e.public_ip, from_vpc) {
        (Some(p), _) => Target::Addr(p),
        (None, Some(_)) => Target::Addr(e.private_ip),
        (None, None) => Target::Unaddressable {
            code: ExplanationCode::IgwPrivateIpAssociationForIngress,
            component: l.name.clone(),
            detail: format!(
                "{} is internal: its DNS name resolves to private addresses only, which nothing on the internet can reach",
                l.name
            ),
        },
    }
}
