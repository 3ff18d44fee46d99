//! The IPv6 half of the resolved network (rank 1, `model`): kept beside the IPv4 tables, each
//! vector indexed by the same typed id as the IPv4 object it belongs to (`vpcs[VpcId]`,
//! `subnets[SubnetId]`, `enis[EniId]`, `routes[RouteTableId]`, `nacls[NaclId]`, `sgs[SgId]`,
//! `hosts[InternetHostId]`), so an IPv4-only network has empty blocks and no rules here and
//! every IPv4 type is unchanged. Built by `model::build` (`build/ipv6.rs`).

use super::ids::*;
use super::primitives::{IcmpMatch, PortRange, Protocol};
use super::types::Action;
use super::Network;
use crate::topology::Loc;
use ipnet::Ipv6Net;
use serde::Serialize;
use std::collections::HashMap;
use std::net::Ipv6Addr;

/// Every IPv6 fact of the network.
#[derive(Clone, Debug, Default)]
pub struct Ipv6 {
    /// Each VPC's IPv6 block (`ipv6_cidr:`; `amazon` resolved to its /56); None: IPv4 only.
    pub vpcs: Vec<Option<Ipv6Net>>,
    /// Each VPC's egress-only internet gateway; None when it has none.
    pub eigws: Vec<Option<Eigw>>,
    /// Each subnet's IPv6 settings.
    pub subnets: Vec<SubnetIpv6>,
    /// Each ENI's IPv6 addresses (given first, then assigned); empty for IPv4-only ENIs and
    /// NAT gateways' ENIs.
    pub enis: Vec<Vec<Ipv6Addr>>,
    /// Each internet host's IPv6 address (`ipv6:`).
    pub hosts: Vec<Option<Ipv6Addr>>,
    /// Each route table's IPv6 routes: the VPC block's `local` route first (when the VPC has a
    /// block), then the file's IPv6 routes in order.
    pub routes: Vec<Vec<Route6>>,
    /// Each NACL's IPv6 entries.
    pub nacls: Vec<Nacl6>,
    /// Each security group's IPv6 rules.
    pub sgs: Vec<Sg6>,
    /// IPv6 address → the ENI owning it (addresses are unique across the topology).
    pub eni_by_ip: HashMap<Ipv6Addr, EniId>,
    /// IPv6 address → the internet host owning it.
    pub host_by_ip: HashMap<Ipv6Addr, InternetHostId>,
}

/// An egress-only internet gateway.
#[derive(Clone, Debug, Serialize)]
pub struct Eigw {
    /// Its key under `egress_only_internet_gateways:`.
    pub name: String,
    /// Display id: `aws_id:`, else `eigw-NAME`.
    pub aws_id: String,
    /// `description:` as written.
    pub description: Option<String>,
}

/// A subnet's IPv6 side.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct SubnetIpv6 {
    /// Its /64; None for an IPv4-only subnet.
    pub cidr: Option<Ipv6Net>,
    /// `ipv6_only: true`: the subnet's instances send and receive no IPv4.
    pub ipv6_only: bool,
    /// AWS's `EnableDns64` (the resolver synthesises 64:ff9b::/96 answers for this subnet).
    pub dns64: bool,
}

/// Where an IPv6 route sends matching traffic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Target6 {
    /// The VPC's IPv6 block: delivered to the ENI owning the address.
    Local,
    /// The VPC's internet gateway (no translation: the address is the address).
    Igw,
    /// The VPC's egress-only internet gateway: out and replies only.
    Eigw,
    /// A NAT gateway, for NAT64 (64:ff9b::/96).
    Nat(NatId),
    /// A peering connection.
    Peering(PeeringId),
    /// An instance's primary ENI.
    Instance(InstanceId),
    /// The target is gone: matching packets are dropped.
    Blackhole,
}

/// One IPv6 route.
#[derive(Clone, Debug, Serialize)]
pub struct Route6 {
    /// Destination block, matched by longest prefix.
    pub destination: Ipv6Net,
    /// Where matching traffic goes.
    pub target: Target6,
    /// Where it was written (0:0 for the local route).
    #[serde(skip)]
    pub loc: Loc,
}

/// One IPv6 NACL entry (AWS's `Ipv6CidrBlock` entries; they share the rule numbers of their
/// direction with the IPv4 ones but match only IPv6 packets).
#[derive(Clone, Debug, Serialize)]
pub struct NaclEntry6 {
    /// Rule number, 1..=32766.
    pub number: u16,
    /// What a match does.
    pub action: Action,
    /// IP protocol matched.
    pub protocol: Protocol,
    /// Port range (tcp and udp only).
    pub ports: PortRange,
    /// ICMPv6 type and code (icmpv6 entries only).
    pub icmp: IcmpMatch,
    /// Source (inbound) or destination (outbound) block.
    pub cidr: Ipv6Net,
    /// Where the entry is written (0:0 for the default NACL's rule 101).
    #[serde(skip)]
    pub loc: Loc,
}

/// A NACL's IPv6 entries, each direction sorted by number.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Nacl6 {
    /// Inbound entries.
    pub inbound: Vec<NaclEntry6>,
    /// Outbound entries.
    pub outbound: Vec<NaclEntry6>,
}

/// The other end of an IPv6 SG rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SgPeer6 {
    /// Any IPv6 address inside this block (`::/0` never matches IPv4, nor `0.0.0.0/0` IPv6).
    Cidr(Ipv6Net),
    /// A group reference: the IPv6 addresses of the group's members (AWS's references cover
    /// both families).
    Group(SgId),
}

/// One SG rule as it applies to IPv6 packets.
#[derive(Clone, Debug, Serialize)]
pub struct SgRule6 {
    /// 1-based position in its direction's list in the file (the IPv4 rules' numbering).
    pub index: usize,
    /// IP protocol matched.
    pub protocol: Protocol,
    /// Port range (tcp and udp only).
    pub ports: PortRange,
    /// ICMPv6 type and code (icmpv6 rules only).
    pub icmp: IcmpMatch,
    /// Source (inbound) or destination (outbound).
    pub peer: SgPeer6,
    /// Where it is written (0:0 for implicit rules).
    #[serde(skip)]
    pub loc: Loc,
}

/// A security group's rules for IPv6: its IPv6 CIDR rules and its group references.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Sg6 {
    /// Inbound rules.
    pub inbound: Vec<SgRule6>,
    /// Outbound rules.
    pub outbound: Vec<SgRule6>,
}

impl Network {
    /// The VPC's IPv6 block.
    pub fn vpc_ipv6(&self, v: VpcId) -> Option<Ipv6Net> {
        self.ipv6.vpcs.get(v.idx()).copied().flatten()
    }
    /// The subnet's IPv6 side (default: IPv4 only).
    pub fn subnet_ipv6(&self, s: SubnetId) -> SubnetIpv6 {
        self.ipv6.subnets.get(s.idx()).copied().unwrap_or_default()
    }
    /// The ENI's IPv6 addresses.
    pub fn eni_ipv6(&self, e: EniId) -> &[Ipv6Addr] {
        self.ipv6.enis.get(e.idx()).map_or(&[], |v| v.as_slice())
    }
    /// The ENI owning this IPv6 address.
    pub fn eni_by_ipv6(&self, a: Ipv6Addr) -> Option<EniId> {
        self.ipv6.eni_by_ip.get(&a).copied()
    }
    /// The internet host owning this IPv6 address.
    pub fn host_by_ipv6(&self, a: Ipv6Addr) -> Option<InternetHostId> {
        self.ipv6.host_by_ip.get(&a).copied()
    }
    /// The internet host's IPv6 address.
    pub fn host_ipv6(&self, h: InternetHostId) -> Option<Ipv6Addr> {
        self.ipv6.hosts.get(h.idx()).copied().flatten()
    }
    /// The subnet of this VPC whose /64 holds `a`.
    pub fn subnet_by_ipv6(&self, v: VpcId, a: Ipv6Addr) -> Option<SubnetId> {
        self.vpc(v)
            .subnets
            .iter()
            .copied()
            .find(|s| self.subnet_ipv6(*s).cidr.is_some_and(|c| c.contains(&a)))
    }
    /// The VPC's egress-only internet gateway.
    pub fn eigw(&self, v: VpcId) -> Option<&Eigw> {
        self.ipv6.eigws.get(v.idx()).and_then(|g| g.as_ref())
    }
    /// The longest-prefix IPv6 route of a table for `a`, with its index in the table.
    pub fn route6(&self, rt: RouteTableId, a: Ipv6Addr) -> Option<&Route6> {
        self.ipv6
            .routes
            .get(rt.idx())?
            .iter()
            .filter(|r| r.destination.contains(&a))
            .max_by_key(|r| r.destination.prefix_len())
    }
    /// The NACL's IPv6 entries (empty when it has none).
    pub fn nacl6(&self, a: NaclId) -> Nacl6Ref<'_> {
        let n = self.ipv6.nacls.get(a.idx());
        Nacl6Ref {
            inbound: n.map_or(&[], |n| n.inbound.as_slice()),
            outbound: n.map_or(&[], |n| n.outbound.as_slice()),
        }
    }
    /// The group's IPv6 rules (empty when it has none).
    pub fn sg6(&self, g: SgId) -> Sg6Ref<'_> {
        let s = self.ipv6.sgs.get(g.idx());
        Sg6Ref {
            inbound: s.map_or(&[], |s| s.inbound.as_slice()),
            outbound: s.map_or(&[], |s| s.outbound.as_slice()),
        }
    }
    /// True when some VPC has an IPv6 block (the IPv6 paths of the analyzer and engine have
    /// nothing to do otherwise).
    pub fn has_ipv6(&self) -> bool {
        self.ipv6.vpcs.iter().any(|v| v.is_some())
    }
}

/// A NACL's IPv6 entries, borrowed ([`Network::nacl6`]).
#[derive(Clone, Copy, Debug)]
pub struct Nacl6Ref<'a> {
    /// Inbound entries by ascending number.
    pub inbound: &'a [NaclEntry6],
    /// Outbound entries by ascending number.
    pub outbound: &'a [NaclEntry6],
}

/// A group's IPv6 rules, borrowed ([`Network::sg6`]).
#[derive(Clone, Copy, Debug)]
pub struct Sg6Ref<'a> {
    /// Inbound rules in file order.
    pub inbound: &'a [SgRule6],
    /// Outbound rules in file order.
    pub outbound: &'a [SgRule6],
}
