//! The IPv6 side of the network (`model::ipv6`): VPC blocks (`amazon` drawn as validation
//! draws it, `topology::ipv6::vpc_blocks`), egress-only gateways, subnet blocks, instances'
//! addresses (written ones first, then each instance in file order gets the next free address
//! from base+4 of its /64, as IPv4 allocation does; AWS picks at random), IPv6 routes, NACL
//! entries (the implicit default NACL's rule 101 allows all IPv6 both ways, as AWS adds it) and
//! SG rules (IPv6 CIDRs and group references; a group without `outbound:` and the implicit
//! default also allow all IPv6 out).

use super::nacls::{icmp_match, rule_ports, rule_protocol};
use super::{display_id, text, Builder, Built, Unresolved};
use crate::model::ipv6::*;
use crate::model::*;
use crate::topology::ipv6::{self as v6, is_ipv6_text};
use crate::topology::{spec, Loc, Sp};
use ipnet::Ipv6Net;
use std::collections::HashSet;
use std::net::Ipv6Addr;

impl Builder<'_> {
    /// Fills `Network::ipv6`; runs after ENIs, routes, SGs and internet hosts exist.
    pub(super) fn ipv6(&mut self) -> Built<()> {
        let t = self.t;
        let n = &mut self.n;
        n.ipv6 = Ipv6 {
            vpcs: v6::vpc_blocks(t),
            eigws: vec![None; n.vpcs.len()],
            subnets: vec![SubnetIpv6::default(); n.subnets.len()],
            enis: vec![Vec::new(); n.enis.len()],
            hosts: vec![None; n.internet_hosts.len()],
            routes: vec![Vec::new(); n.route_tables.len()],
            nacls: vec![Nacl6::default(); n.nacls.len()],
            sgs: vec![Sg6::default(); n.sgs.len()],
            ..Ipv6::default()
        };
        let mut used: HashSet<Ipv6Addr> = HashSet::new();
        let mut wanted: Vec<(EniId, SubnetId, usize)> = vec![];
        for (vname, v) in t.vpcs.iter() {
            let vid = self.vpc_named(vname)?;
            let block = self.n.ipv6.vpcs[vid.idx()];
            if let Some((gname, g)) = v.egress_only_internet_gateways.iter().next() {
                self.n.ipv6.eigws[vid.idx()] = Some(Eigw {
                    name: gname.value.clone(),
                    aws_id: display_id(g.aws_id.as_ref(), "eigw", &gname.value),
                    description: text(&g.description),
                });
            }
            for (sname, s) in v.subnets.iter() {
                let sid = self.subnet_named(vid, sname)?;
                let cidr = match &s.ipv6_cidr {
                    Some(w) => Some(v6::subnet_block(block, w.value.as_str()).map_err(|_| {
                        Unresolved::new(w.loc, format!("IPv6 block `{}`", w.value))
                    })?),
                    None => None,
                };
                let on = |f: &Option<Sp<bool>>| f.as_ref().is_some_and(|f| f.value);
                self.n.ipv6.subnets[sid.idx()] = SubnetIpv6 {
                    cidr,
                    ipv6_only: on(&s.ipv6_only),
                    dns64: on(&s.dns64),
                };
            }
            for (iname, i) in v.instances.iter() {
                let id = self.n.instance_by_name(&iname.value).ok_or_else(|| {
                    Unresolved::new(iname.loc, format!("instance `{}`", iname.value))
                })?;
                let (eni, sid) = (self.n.instance(id).eni, self.n.instance(id).subnet);
                let sub = self.n.ipv6.subnets[sid.idx()];
                for a in &i.ipv6_addresses {
                    let ip = v6::ipv6(&a.value)
                        .map_err(|_| Unresolved::new(a.loc, format!("address `{}`", a.value)))?;
                    used.insert(ip);
                    self.n.ipv6.enis[eni.idx()].push(ip);
                }
                let assign = s_assign(v, &i.subnet.value, sub.ipv6_only);
                let count = match &i.ipv6_address_count {
                    Some(c) => c.value.max(0) as usize,
                    None if i.ipv6_addresses.is_empty() && assign && sub.cidr.is_some() => 1,
                    None => 0,
                };
                if count > 0 {
                    wanted.push((eni, sid, count));
                }
            }
            self.routes6(vid, v, block)?;
            self.nacls6(vid, v, block)?;
            self.sgs6(vid, v, block)?;
        }
        for (eni, sid, count) in wanted {
            let Some(net) = self.n.ipv6.subnets[sid.idx()].cidr else {
                continue;
            };
            for k in 0..count {
                let ip = (4u128..1 << 20)
                    .map(|o| v6::offset6(net.network(), o))
                    .find(|a| !used.contains(a))
                    .ok_or_else(|| {
                        Unresolved::new(
                            Loc::default(),
                            format!("a free IPv6 address in {net} (address {k})"),
                        )
                    })?;
                used.insert(ip);
                self.n.ipv6.enis[eni.idx()].push(ip);
            }
        }
        if let Some(inet) = &t.internet {
            for (i, (_, h)) in inet.hosts.iter().enumerate() {
                if let Some(a) = &h.ipv6 {
                    let ip = v6::ipv6(&a.value)
                        .map_err(|_| Unresolved::new(a.loc, format!("address `{}`", a.value)))?;
                    self.n.ipv6.hosts[i] = Some(ip);
                    self.n.ipv6.host_by_ip.insert(ip, InternetHostId(i as u32));
                }
            }
        }
        for (i, addrs) in self.n.ipv6.enis.clone().iter().enumerate() {
            for a in addrs {
                self.n.ipv6.eni_by_ip.insert(*a, EniId(i as u32));
            }
        }
        Ok(())
    }

    fn routes6(&mut self, vid: VpcId, v: &spec::Vpc, block: Option<Ipv6Net>) -> Built<()> {
        let local = block.map(|b| Route6 {
            destination: b,
            target: Target6::Local,
            loc: Loc::default(),
        });
        for rt in self.n.vpc(vid).route_tables.clone() {
            self.n.ipv6.routes[rt.idx()].extend(local.clone());
        }
        for (tname, table) in v.route_tables.iter() {
            let rt = self.route_table_named(vid, tname)?;
            for route in &table.routes {
                if !is_ipv6_text(&route.destination.value) {
                    continue;
                }
                let destination = v6::cidr6(&route.destination.value).map_err(|_| {
                    Unresolved::new(
                        route.destination.loc,
                        format!("CIDR `{}`", route.destination.value),
                    )
                })?;
                let target = if route.target.value.starts_with("eigw:") {
                    Target6::Eigw
                } else {
                    match self.target(vid, &route.target)? {
                        Target::Local => Target6::Local,
                        Target::Igw => Target6::Igw,
                        Target::Nat(g) => Target6::Nat(g),
                        Target::Peering(p) => Target6::Peering(p),
                        Target::Instance(i) => Target6::Instance(i),
                        Target::Blackhole => Target6::Blackhole,
                        Target::VpcEndpoint(_)
                        | Target::TransitGateway(_)
                        | Target::VpnGateway { .. } => {
                            self.r.error(
                                route.target.loc,
                                format!(
                                    "vpclab does not carry IPv6 through `{}` yet (IPv6 routes go to local, igw, eigw, nat, a peering, an instance or blackhole)",
                                    route.target.value
                                ),
                                "route this IPv6 destination to one of those targets, or remove the route",
                            );
                            continue;
                        }
                    }
                };
                self.n.ipv6.routes[rt.idx()].push(Route6 {
                    destination,
                    target,
                    loc: route.destination.loc,
                });
            }
        }
        Ok(())
    }

    fn nacls6(&mut self, vid: VpcId, v: &spec::Vpc, block: Option<Ipv6Net>) -> Built<()> {
        for acl in self.n.vpc(vid).nacls.clone() {
            let name = self.n.nacl(acl).name.clone();
            let mut nacl = match v.network_acls.get(&name) {
                Some(w) => Nacl6 {
                    inbound: entries6(&w.inbound)?,
                    outbound: entries6(&w.outbound)?,
                },
                None if block.is_some() => {
                    let all = vec![NaclEntry6 {
                        number: 101,
                        action: Action::Allow,
                        protocol: Protocol::All,
                        ports: PortRange::ALL,
                        icmp: IcmpMatch::default(),
                        cidr: Ipv6Net::default(),
                        loc: Loc::default(),
                    }];
                    Nacl6 {
                        inbound: all.clone(),
                        outbound: all,
                    }
                }
                None => Nacl6::default(),
            };
            nacl.inbound.sort_by_key(|e| e.number);
            nacl.outbound.sort_by_key(|e| e.number);
            self.n.ipv6.nacls[acl.idx()] = nacl;
        }
        Ok(())
    }

    fn sgs6(&mut self, vid: VpcId, v: &spec::Vpc, block: Option<Ipv6Net>) -> Built<()> {
        let everywhere = || {
            block
                .map(|_| SgRule6 {
                    index: 1,
                    protocol: Protocol::All,
                    ports: PortRange::ALL,
                    icmp: IcmpMatch::default(),
                    peer: SgPeer6::Cidr(Ipv6Net::default()),
                    loc: Loc::default(),
                })
                .into_iter()
                .collect::<Vec<_>>()
        };
        for sg in self.n.vpc(vid).sgs.clone() {
            let name = self.n.sg(sg).name.clone();
            let g6 = match v.security_groups.get(&name) {
                Some(g) => Sg6 {
                    inbound: self.rules6(vid, g.inbound.as_deref().unwrap_or(&[]), true)?,
                    outbound: match &g.outbound {
                        Some(o) => self.rules6(vid, o, false)?,
                        None => everywhere(),
                    },
                },
                None => Sg6 {
                    inbound: vec![SgRule6 {
                        index: 1,
                        protocol: Protocol::All,
                        ports: PortRange::ALL,
                        icmp: IcmpMatch::default(),
                        peer: SgPeer6::Group(sg),
                        loc: Loc::default(),
                    }],
                    outbound: everywhere(),
                },
            };
            self.n.ipv6.sgs[sg.idx()] = g6;
        }
        Ok(())
    }

    /// One direction's rules that apply to IPv6: IPv6 CIDRs and group references, numbered by
    /// their place in the file's list.
    fn rules6(&self, vid: VpcId, rules: &[spec::SgRule], inbound: bool) -> Built<Vec<SgRule6>> {
        let mut out = vec![];
        for (i, r) in rules.iter().enumerate() {
            let Some(peer) = (if inbound { &r.source } else { &r.destination }) else {
                continue;
            };
            let peer = if is_ipv6_text(&peer.value) {
                SgPeer6::Cidr(
                    v6::cidr6(&peer.value)
                        .map_err(|_| Unresolved::new(peer.loc, format!("CIDR `{}`", peer.value)))?,
                )
            } else if peer.value.starts_with("sg:") {
                match self.peer(vid, peer)? {
                    SgPeer::Group(g) => SgPeer6::Group(g),
                    _ => continue,
                }
            } else {
                continue;
            };
            let protocol = rule_protocol(&r.protocol)?;
            out.push(SgRule6 {
                index: i + 1,
                protocol,
                ports: rule_ports(&protocol, r.ports.as_ref(), r.protocol.loc)?,
                icmp: icmp_match(r.icmp.as_ref()),
                peer,
                loc: r.protocol.loc,
            });
        }
        Ok(out)
    }
}

/// Whether a subnet of `v` assigns an IPv6 address to new instances: its
/// `assign_ipv6_address_on_creation:`, else true for an IPv6-only subnet.
fn s_assign(v: &spec::Vpc, subnet: &str, ipv6_only: bool) -> bool {
    v.subnets
        .get(subnet)
        .and_then(|s| s.assign_ipv6_address_on_creation.as_ref())
        .map_or(ipv6_only, |a| a.value)
}

/// The IPv6 entries of one direction of a written NACL.
fn entries6(rules: &[spec::NaclRule]) -> Built<Vec<NaclEntry6>> {
    let mut out = vec![];
    for r in rules.iter().filter(|r| is_ipv6_text(&r.cidr.value)) {
        let protocol = rule_protocol(&r.protocol)?;
        out.push(NaclEntry6 {
            number: u16::try_from(r.rule.value).map_err(|_| {
                Unresolved::new(r.rule.loc, format!("rule number {}", r.rule.value))
            })?,
            action: if r.action.value.eq_ignore_ascii_case("deny") {
                Action::Deny
            } else {
                Action::Allow
            },
            protocol,
            ports: rule_ports(&protocol, r.ports.as_ref(), r.protocol.loc)?,
            icmp: icmp_match(r.icmp.as_ref()),
            cidr: v6::cidr6(&r.cidr.value)
                .map_err(|_| Unresolved::new(r.cidr.loc, format!("CIDR `{}`", r.cidr.value)))?,
            loc: r.rule.loc,
        });
    }
    Ok(out)
}
