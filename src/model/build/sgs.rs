//! Security groups: shells first (the implicit `default` unless declared, then the declared
//! ones), so that rules can name any group; then the rules, with `sg:NAME` and `sg:VPC/NAME`
//! peers resolved. An undeclared `default` group allows inbound from itself; a group without
//! `outbound` allows everything out.

use super::nacls::{icmp_match, rule_ports, rule_protocol};
use super::{display_id, text, Builder, Built, Unresolved};
use crate::model::*;
use crate::topology::parse::{self, PeerRef};
use crate::topology::{spec, Loc, Sp};

impl Builder<'_> {
    /// The security groups of a VPC, without rules or members.
    pub(super) fn sg_shells(&mut self, vid: VpcId, v: &spec::Vpc) {
        let implicit = (!v.security_groups.contains("default")).then(|| "default".to_string());
        let declared = v.security_groups.iter().map(|(k, _)| k.value.clone());
        for name in implicit.into_iter().chain(declared) {
            let id = SgId(self.n.sgs.len() as u32);
            let written = v.security_groups.get(&name);
            self.n.sgs.push(SecurityGroup {
                id,
                aws_id: display_id(written.and_then(|w| w.aws_id.as_ref()), "sg", &name),
                description: written.and_then(|w| text(&w.description)),
                default: name == "default",
                name,
                vpc: vid,
                inbound: vec![],
                outbound: vec![],
                members: vec![],
            });
            self.n.vpcs[vid.idx()].sgs.push(id);
        }
    }

    /// The rules of every security group of a VPC.
    pub(super) fn sg_rules(&mut self, vid: VpcId, v: &spec::Vpc) -> Built<()> {
        let everywhere = || vec![allow_all(SgPeer::Cidr(Ipv4Net::default()))];
        for sg in self.n.vpcs[vid.idx()].sgs.clone() {
            let (inbound, outbound) = match v.security_groups.get(&self.n.sg(sg).name) {
                Some(g) => (
                    self.rules(vid, g.inbound.as_deref().unwrap_or(&[]), true)?,
                    match &g.outbound {
                        Some(o) => self.rules(vid, o, false)?,
                        None => everywhere(),
                    },
                ),
                None => (vec![allow_all(SgPeer::Group(sg))], everywhere()),
            };
            let g = &mut self.n.sgs[sg.idx()];
            g.inbound = inbound;
            g.outbound = outbound;
        }
        Ok(())
    }

    /// One direction's rules, numbered from 1 in the order written.
    fn rules(&self, vid: VpcId, rules: &[spec::SgRule], inbound: bool) -> Built<Vec<SgRule>> {
        let mut out = Vec::with_capacity(rules.len());
        for (i, r) in rules.iter().enumerate() {
            let peer = if inbound { &r.source } else { &r.destination };
            let peer = peer
                .as_ref()
                .ok_or_else(|| Unresolved::new(r.protocol.loc, "the peer of a rule"))?;
            if crate::topology::ipv6::is_ipv6_text(&peer.value) {
                continue; // an IPv6 rule: `build/ipv6.rs`
            }
            let protocol = rule_protocol(&r.protocol)?;
            out.push(SgRule {
                index: i + 1,
                protocol,
                ports: rule_ports(&protocol, r.ports.as_ref(), r.protocol.loc)?,
                icmp: icmp_match(r.icmp.as_ref()),
                peer: self.peer(vid, peer)?,
                loc: r.protocol.loc,
            });
        }
        Ok(out)
    }

    /// A rule's `source` or `destination`: a CIDR, a group of this VPC, or a group of a VPC
    /// (validation proves it is peered with this one).
    pub(super) fn peer(&self, vid: VpcId, s: &Sp<String>) -> Built<SgPeer> {
        let missing = || Unresolved::new(s.loc, format!("security group peer `{}`", s.value));
        match parse::peer_ref(&s.value).map_err(|_| missing())? {
            PeerRef::Cidr(c) => Ok(SgPeer::Cidr(c)),
            PeerRef::PrefixList(name) => {
                Ok(SgPeer::PrefixList(self.prefix_list_named(&name, s.loc)?))
            }
            PeerRef::Sg { vpc: None, name } => Ok(SgPeer::Group(self.sg_named(vid, &name, s.loc)?)),
            PeerRef::Sg { vpc: Some(v), name } => {
                let other = self.n.vpc_by_name(&v).ok_or_else(missing)?;
                Ok(SgPeer::Group(self.sg_named(other, &name, s.loc)?))
            }
        }
    }
}

/// A rule allowing every protocol and port to or from `peer`.
fn allow_all(peer: SgPeer) -> SgRule {
    SgRule {
        index: 1,
        protocol: Protocol::All,
        ports: PortRange::ALL,
        icmp: IcmpMatch::default(),
        peer,
        loc: Loc::default(),
    }
}
