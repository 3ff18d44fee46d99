//! Security groups: `aws_security_group` (inline `ingress`/`egress`), `aws_default_security_group`
//! (adoption: exactly the rules written), `aws_security_group_rule`, and the newer
//! `aws_vpc_security_group_ingress_rule`/`_egress_rule`; inline and separate rules may meet on
//! one group (a state lists separate rules inline too: duplicates are merged). Terraform's
//! default differs from AWS's: a group whose `egress` it was not given has **no** outbound
//! rule (it removes AWS's allow-all), so every imported group writes `outbound` explicitly.

use super::{Builder, InVpc, Link, SG};
use crate::import::doc::{Icmp, Peer, Protocol, SecurityGroup, SgRule};
use crate::import::report::Outcome;
use crate::import::terraform::resolve::{ResId, Resolution};
use crate::import::terraform::values::{
    aws_id, blocks, flag, icmp_part, int, name_tag, parse_cidr, ports, protocol_at, strings, text,
    Attrs,
};

/// Field names of one rule shape.
struct Shape {
    protocol: &'static str,
    cidrs: &'static str,
    cidrs6: &'static str,
    lists: &'static str,
    groups: &'static str,
}

/// Inline blocks and `aws_security_group_rule`.
const CLASSIC: Shape = Shape {
    protocol: "protocol",
    cidrs: "cidr_blocks",
    cidrs6: "ipv6_cidr_blocks",
    lists: "prefix_list_ids",
    groups: "security_groups",
};

/// `aws_vpc_security_group_*_rule`.
const SINGLE: Shape = Shape {
    protocol: "ip_protocol",
    cidrs: "cidr_ipv4",
    cidrs6: "cidr_ipv6",
    lists: "prefix_list_id",
    groups: "referenced_security_group_id",
};

/// A list attribute, or a single string attribute as a one-entry list.
fn one_or_many<'a>(a: &'a Attrs, k: &str) -> Vec<&'a str> {
    match text(a, k) {
        Some(s) => vec![s],
        None => strings(a, k),
    }
}

impl Builder<'_> {
    /// Every security group, then every rule.
    pub fn security_groups(&mut self) {
        for i in self.each("aws_security_group") {
            let vpc = match self.vpc_at(i, "vpc_id") {
                Some(v) => v,
                None => self.default_vpc(),
            };
            let a = self.at(i);
            let tag = name_tag(a).or(text(a, "name"));
            let name = self.scoped_name(&vpc, "sg", i, tag);
            let description = match (text(a, "name"), text(a, "description")) {
                (Some(n), Some(d)) if d != "Managed by Terraform" => Some(format!("{n}: {d}")),
                (Some(n), _) => Some(n.to_string()),
                (None, d) => d.map(str::to_string),
            };
            self.add_sg(i, &vpc, name, aws_id(a, "sg-"), description);
        }
        for i in self.each("aws_default_security_group") {
            let vpc = match self.vpc_at(i, "vpc_id") {
                Some(v) => v,
                None => self.default_vpc(),
            };
            let id = aws_id(self.at(i), "sg-");
            self.add_sg(i, &vpc, "default".into(), id, None);
        }
        for i in self
            .each("aws_security_group")
            .into_iter()
            .chain(self.each("aws_default_security_group"))
        {
            let Some(owner) = self.sg_of.get(&i).cloned() else {
                continue;
            };
            for (key, inbound) in [("ingress", true), ("egress", false)] {
                let list: Vec<&Attrs> = blocks(self.at(i), key);
                for (n, b) in list.into_iter().enumerate() {
                    let unknown_groups = self
                        .res(i)
                        .unknown
                        .get(key)
                        .and_then(|u| u.get(n))
                        .and_then(|u| u.get("security_groups"))
                        .is_some_and(|v| {
                            v == &serde_json::Value::Bool(true)
                                || v.as_array().is_some_and(|a| {
                                    a.iter().any(|x| x == &serde_json::Value::Bool(true))
                                })
                        });
                    let mut peers = self.peers(i, &owner, b, &CLASSIC);
                    if unknown_groups {
                        peers.extend(self.block_groups(i, key, &owner));
                    }
                    self.add_rules(i, &owner, b, &CLASSIC, peers, inbound);
                }
            }
        }
        for i in self.each("aws_security_group_rule") {
            let Some(owner) = self.owner(i) else { continue };
            let a = self.at(i);
            let inbound = match text(a, "type") {
                Some("ingress") => true,
                Some("egress") => false,
                _ => {
                    self.note(i, Outcome::Skipped, "type is neither ingress nor egress");
                    continue;
                }
            };
            let mut peers = self.peers(i, &owner, a, &CLASSIC);
            match self.link(i, "source_security_group_id", SG) {
                Link::Found(g) => peers.extend(self.peer_of(i, &owner, g)),
                Link::External(id) => self.note(
                    i,
                    Outcome::Skipped,
                    format!("source_security_group_id {id} is not in the input"),
                ),
                Link::Missing => {}
            }
            self.add_rules(i, &owner, a, &CLASSIC, peers, inbound);
        }
        for (t, inbound) in [
            ("aws_vpc_security_group_ingress_rule", true),
            ("aws_vpc_security_group_egress_rule", false),
        ] {
            for i in self.each(t) {
                let Some(owner) = self.owner(i) else { continue };
                let a = self.at(i);
                let mut peers = self.peers(i, &owner, a, &SINGLE);
                match self.link(i, "referenced_security_group_id", SG) {
                    Link::Found(g) => peers.extend(self.peer_of(i, &owner, g)),
                    Link::External(id) => self.note(
                        i,
                        Outcome::Skipped,
                        format!("referenced_security_group_id {id} is not in the input"),
                    ),
                    Link::Missing => {}
                }
                self.add_rules(i, &owner, a, &SINGLE, peers, inbound);
            }
        }
    }

    fn add_sg(
        &mut self,
        i: ResId,
        vpc: &str,
        name: String,
        aws_id: Option<String>,
        description: Option<String>,
    ) {
        let sg = SecurityGroup {
            aws_id,
            description,
            inbound: Some(vec![]),
            outbound: Some(vec![]),
        };
        if let Some(v) = self.vpc_mut(vpc) {
            v.security_groups.insert(name.clone(), sg);
        }
        self.sg_of.insert(i, (vpc.to_string(), name));
    }

    /// The group a separate rule belongs to.
    fn owner(&mut self, i: ResId) -> Option<InVpc> {
        match self.link(i, "security_group_id", SG) {
            Link::Found(g) => {
                let o = self.sg_of.get(&g).cloned();
                if o.is_none() {
                    self.note(i, Outcome::Skipped, "its security group was not imported");
                }
                o
            }
            Link::External(id) => {
                self.note(
                    i,
                    Outcome::Skipped,
                    format!("its security group {id} is not in the input"),
                );
                None
            }
            Link::Missing => {
                self.note(i, Outcome::Skipped, "its security group is not known");
                None
            }
        }
    }

    /// `sg:NAME` (same VPC) or `sg:VPC/NAME` for group resource `g`, seen from `owner`.
    fn peer_of(&mut self, i: ResId, owner: &InVpc, g: ResId) -> Option<Peer> {
        let (vpc, sg) = self.sg_of.get(&g)?.clone();
        if vpc == owner.0 {
            return Some(Peer::Sg(sg));
        }
        let peered = self.doc.peerings.values().any(|p| {
            (p.requester == vpc && p.accepter == owner.0)
                || (p.requester == owner.0 && p.accepter == vpc)
        });
        if peered {
            Some(Peer::SgIn { vpc, sg })
        } else {
            self.note(
                i,
                Outcome::Skipped,
                format!(
                    "a rule names group {sg} of VPC {vpc}, which is not peered with {}",
                    owner.0
                ),
            );
            None
        }
    }

    /// Groups an inline block's expression references, for `security_groups` known only
    /// after apply.
    fn block_groups(&mut self, i: ResId, key: &str, owner: &InVpc) -> Vec<Peer> {
        match self.ix.in_block(i, key, SG) {
            Resolution::Found { targets, guess } => {
                if let Some(g) = guess {
                    self.note(i, Outcome::Guessed, g);
                }
                targets
                    .into_iter()
                    .filter_map(|g| self.peer_of(i, owner, g))
                    .collect()
            }
            _ => {
                self.note(i, Outcome::Skipped, format!("a rule of {key} names groups known only after apply that the plan does not say"));
                vec![]
            }
        }
    }

    /// The peers written in a rule (CIDRs, prefix lists, groups by id, `self`).
    fn peers(&mut self, i: ResId, owner: &InVpc, a: &Attrs, s: &Shape) -> Vec<Peer> {
        let mut out = vec![];
        for c in one_or_many(a, s.cidrs) {
            match parse_cidr(c) {
                Some(n) => out.push(Peer::Cidr(n)),
                None => self.note(i, Outcome::Skipped, format!("{c} is not an IPv4 network")),
            }
        }
        let six = one_or_many(a, s.cidrs6);
        out.extend(self.peers6(i, six));
        for id in one_or_many(a, s.lists) {
            match self
                .ix
                .by_id(id, &["aws_ec2_managed_prefix_list"])
                .and_then(|p| self.pl_of.get(&p))
            {
                Some(n) => out.push(Peer::PrefixList(n.clone())),
                None => match self.managed_list_name(id) {
                    Some(n) => out.push(Peer::PrefixList(n)),
                    None => self.note(
                        i,
                        Outcome::Unsupported,
                        format!(
                            "prefix list {id} is not in the input, nor a known AWS-managed list"
                        ),
                    ),
                },
            }
        }
        if s.groups == "security_groups" {
            for id in strings(a, s.groups) {
                match self.ix.by_id(id, SG) {
                    Some(g) => out.extend(self.peer_of(i, owner, g)),
                    None => self.note(
                        i,
                        Outcome::Skipped,
                        format!("group {id} of a rule is not in the input"),
                    ),
                }
            }
        }
        if flag(a, "self") == Some(true) {
            out.push(Peer::Sg(owner.1.clone()));
        }
        out
    }

    /// One format rule per peer, added to the owner's inbound or outbound list.
    fn add_rules(
        &mut self,
        i: ResId,
        owner: &InVpc,
        a: &Attrs,
        s: &Shape,
        peers: Vec<Peer>,
        inbound: bool,
    ) {
        let Some(protocol) = protocol_at(a, s.protocol) else {
            self.note(i, Outcome::Skipped, "a rule's protocol is not known");
            return;
        };
        let port_range = if protocol.takes_ports() {
            match ports(a, "from_port", "to_port") {
                Some(p) => Some(p),
                None => {
                    self.note(
                        i,
                        Outcome::Skipped,
                        "a rule's port range is not known or not valid",
                    );
                    return;
                }
            }
        } else {
            None
        };
        let icmp = matches!(protocol, Protocol::Icmp | Protocol::Icmpv6)
            .then(|| Icmp {
                icmp_type: icmp_part(int(a, "from_port")),
                code: icmp_part(int(a, "to_port")),
            })
            .filter(|i| i.icmp_type.is_some());
        let description = text(a, "description").map(str::to_string);
        let Some(v) = self.doc.vpcs.get_mut(&owner.0) else {
            return;
        };
        let Some(sg) = v.security_groups.get_mut(&owner.1) else {
            return;
        };
        let list = if inbound {
            &mut sg.inbound
        } else {
            &mut sg.outbound
        };
        let list = list.get_or_insert_with(Vec::new);
        for p in peers {
            let rule = SgRule {
                protocol,
                ports: port_range,
                source: inbound.then(|| p.clone()),
                destination: (!inbound).then_some(p),
                icmp,
                description: description.clone(),
            };
            if !list.iter().any(|r| same_rule(r, &rule)) {
                list.push(rule);
            }
        }
    }
}

/// Whether two rules allow the same traffic (descriptions aside).
fn same_rule(a: &SgRule, b: &SgRule) -> bool {
    a.protocol == b.protocol
        && a.ports == b.ports
        && a.source == b.source
        && a.destination == b.destination
        && a.icmp == b.icmp
}
