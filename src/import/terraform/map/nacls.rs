//! Network ACLs: `aws_network_acl` (inline `ingress`/`egress`, `subnet_ids`),
//! `aws_default_network_acl` (adoption: Terraform removes every rule it was not given, so the
//! rules written are all there is), `aws_network_acl_rule` and `aws_network_acl_association`.

use super::{Builder, InVpc, Link, SUBNET, VPC};
use crate::import::doc::{Action, Icmp, NaclRule, NetworkAcl, Protocol};
use crate::import::report::Outcome;
use crate::import::terraform::resolve::ResId;
use crate::import::terraform::values::{
    aws_id, blocks, cidr, flag, icmp_part, int, name_tag, ports, protocol_at, text, Attrs,
};

/// Field names of one rule shape: inline blocks or `aws_network_acl_rule`.
struct Shape {
    number: &'static str,
    action: &'static str,
}

const INLINE: Shape = Shape {
    number: "rule_no",
    action: "action",
};

const SEPARATE: Shape = Shape {
    number: "rule_number",
    action: "rule_action",
};

impl Builder<'_> {
    /// Every NACL, its rules and its subnets.
    pub fn network_acls(&mut self) {
        for i in self.each("aws_network_acl") {
            let Some(vpc) = self.vpc_at(i, "vpc_id") else {
                self.note(i, Outcome::Skipped, "its VPC is not in the input");
                continue;
            };
            let a = self.at(i);
            let name = self.scoped_name(&vpc, "acl", i, None);
            self.add_acl(
                i,
                &vpc,
                name,
                aws_id(a, "acl-"),
                name_tag(a).map(str::to_string),
            );
        }
        for i in self.each("aws_default_network_acl") {
            let vpc = match self.link(i, "default_network_acl_id", VPC) {
                Link::Found(v) => self.vpc_of.get(&v).cloned(),
                _ => None,
            };
            let Some(vpc) = vpc else {
                self.note(i, Outcome::Skipped, "its VPC is not in the input");
                continue;
            };
            let id = aws_id(self.at(i), "acl-");
            self.add_acl(i, &vpc, "default".into(), id, None);
        }
        let all: Vec<ResId> = self
            .each("aws_network_acl")
            .into_iter()
            .chain(self.each("aws_default_network_acl"))
            .collect();
        for i in all {
            let Some(owner) = self.acl_of.get(&i).cloned() else {
                continue;
            };
            for (key, egress) in [("ingress", false), ("egress", true)] {
                for b in blocks(self.at(i), key) {
                    self.add_rule(i, &owner, b, &INLINE, egress);
                }
            }
            let (subs, ext) = self.links(i, "subnet_ids", SUBNET);
            for s in subs {
                self.associate(i, &owner, s);
            }
            for id in ext {
                self.note(
                    i,
                    Outcome::Skipped,
                    format!("subnet {id} is not in the input"),
                );
            }
        }
        for i in self.each("aws_network_acl_rule") {
            let Some(owner) = self.acl_owner(i) else {
                continue;
            };
            let egress = flag(self.at(i), "egress").unwrap_or(false);
            self.add_rule(i, &owner, self.at(i), &SEPARATE, egress);
        }
        for i in self.each("aws_network_acl_association") {
            let Some(owner) = self.acl_owner(i) else {
                continue;
            };
            match self.link(i, "subnet_id", SUBNET) {
                Link::Found(s) => self.associate(i, &owner, s),
                _ => self.note(i, Outcome::Skipped, "its subnet is not in the input"),
            }
        }
    }

    fn add_acl(
        &mut self,
        i: ResId,
        vpc: &str,
        name: String,
        aws_id: Option<String>,
        description: Option<String>,
    ) {
        if let Some(v) = self.vpc_mut(vpc) {
            v.network_acls.insert(
                name.clone(),
                NetworkAcl {
                    aws_id,
                    description,
                    inbound: vec![],
                    outbound: vec![],
                },
            );
        }
        self.acl_of.insert(i, (vpc.to_string(), name));
    }

    fn acl_owner(&mut self, i: ResId) -> Option<InVpc> {
        match self.link(
            i,
            "network_acl_id",
            &["aws_network_acl", "aws_default_network_acl"],
        ) {
            Link::Found(n) => self.acl_of.get(&n).cloned(),
            _ => {
                self.note(i, Outcome::Skipped, "its network ACL is not in the input");
                None
            }
        }
    }

    /// Subnet resource `s` uses NACL `owner` (same VPC only).
    fn associate(&mut self, i: ResId, owner: &InVpc, s: ResId) {
        let Some((vpc, sub)) = self.subnet_of.get(&s).cloned() else {
            return;
        };
        if vpc != owner.0 {
            self.note(
                i,
                Outcome::Skipped,
                format!("subnet {sub} is in another VPC"),
            );
            return;
        }
        let acl = (owner.1 != "default").then(|| owner.1.clone());
        if let Some(sn) = self.vpc_mut(&vpc).and_then(|v| v.subnets.get_mut(&sub)) {
            sn.network_acl = acl;
        }
    }

    /// One rule into NACL `owner`; rule numbers stay unique per direction.
    fn add_rule(&mut self, i: ResId, owner: &InVpc, a: &Attrs, s: &Shape, egress: bool) {
        let number = int(a, s.number)
            .and_then(|n| u16::try_from(n).ok())
            .filter(|n| (1..=32766).contains(n));
        let action = match text(a, s.action).map(str::to_ascii_lowercase).as_deref() {
            Some("allow") => Some(Action::Allow),
            Some("deny") => Some(Action::Deny),
            _ => None,
        };
        let (Some(rule), Some(action), Some(protocol), Some(c)) = (
            number,
            action,
            protocol_at(a, "protocol"),
            match self.nacl_cidr6(i, a) {
                Some(c6) => c6,
                None => cidr(a, "cidr_block").map(ipnet::IpNet::V4),
            },
        ) else {
            self.note(
                i,
                Outcome::Skipped,
                "a rule's number, action, protocol or CIDR is not known",
            );
            return;
        };
        let port_range = if protocol.takes_ports() {
            match ports(a, "from_port", "to_port") {
                Some(p) => Some(p),
                None => {
                    self.note(
                        i,
                        Outcome::Skipped,
                        format!("rule {rule}'s port range is not valid"),
                    );
                    return;
                }
            }
        } else {
            None
        };
        let icmp = matches!(protocol, Protocol::Icmp | Protocol::Icmpv6)
            .then(|| Icmp {
                icmp_type: icmp_part(int(a, "icmp_type")),
                code: icmp_part(int(a, "icmp_code")),
            })
            .filter(|i| i.icmp_type.is_some());
        let r = NaclRule {
            rule,
            action,
            protocol,
            ports: port_range,
            cidr: c,
            icmp,
        };
        let Some(acl) = self
            .vpc_mut(&owner.0)
            .and_then(|v| v.network_acls.get_mut(&owner.1))
        else {
            return;
        };
        let list = if egress {
            &mut acl.outbound
        } else {
            &mut acl.inbound
        };
        match list.iter().find(|x| x.rule == rule) {
            Some(x) if *x == r => {}
            Some(_) => self.note(
                i,
                Outcome::Skipped,
                format!("rule {rule} is written twice with different contents; the first kept"),
            ),
            None => {
                list.push(r);
                list.sort_by_key(|x| x.rule);
            }
        }
    }
}
