//! Security-group evaluation (part of `policy`, rank 2): allow-only, the rules of every group on
//! the ENI merged, CIDR and group-reference peers. Also tells whether a flow is *untracked* (AWS's
//! rule: admitted by an all-addresses rule while the opposite direction allows all addresses on all
//! ports).

use super::{ComponentKind, Decision, Direction, ExplanationCode, Header, RuleId, Verdict};
use crate::model::proto;
use crate::model::{EniId, Network, Protocol, SecurityGroup, SgPeer, SgRule};
use std::fmt;
use std::net::Ipv4Addr;

/// True when an SG rule's peer covers `addr`. A group reference matches the *private* IPs of
/// ENIs in the group's VPC carrying that group (never public IPs).
pub fn peer_matches(net: &Network, peer: &SgPeer, addr: Ipv4Addr) -> bool {
    match peer {
        SgPeer::Cidr(c) => c.contains(&addr),
        SgPeer::PrefixList(p) => net
            .prefix_list(*p)
            .entries
            .iter()
            .any(|c| c.contains(&addr)),
        SgPeer::Group(g) => {
            let vpc = net.sg(*g).vpc;
            net.eni_by_private_ip(vpc, addr)
                .is_some_and(|e| net.eni_has_sg(e, *g))
        }
    }
}

/// True when a rule matches the packet (peer = source inbound, destination outbound).
pub fn rule_matches(net: &Network, r: &SgRule, dir: Direction, h: &Header) -> bool {
    if !super::nacl::matches_l4(&r.protocol, r.ports, &r.icmp, proto::ICMP, h.proto, h.dport) {
        return false;
    }
    let addr = match dir {
        Direction::Inbound => h.src,
        Direction::Outbound => h.dst,
    };
    peer_matches(net, &r.peer, addr)
}

/// Evaluates the ENI's security groups for a packet entering (`Inbound`) or leaving
/// (`Outbound`) the ENI. Tracked replies are the caller's business: they skip this call.
/// Groups are tried in the ENI's order and the first matching rule accepts; otherwise the
/// rejection (`RuleId::NoMatch`) names the first group and carries `ENI_SG_RULES_MISMATCH`,
/// or `SG_HAS_NO_RULES` when no group has a rule in that direction.
pub fn evaluate(net: &Network, eni: EniId, dir: Direction, h: &Header) -> Decision {
    let e = net.eni(eni);
    let mut any_rule = false;
    for &g in &e.sgs {
        let sg = net.sg(g);
        let rules = match dir {
            Direction::Inbound => &sg.inbound,
            Direction::Outbound => &sg.outbound,
        };
        any_rule |= !rules.is_empty();
        for r in rules {
            if rule_matches(net, r, dir, h) {
                let peer = describe_peer(net, &r.peer);
                return rule_accepts(sg, dir, r.index, &r.protocol, &peer);
            }
        }
    }
    no_rule_matches(net, eni, dir, any_rule, h, "")
}

/// The acceptance by rule `index` (1-based, in `dir`) of group `sg`, whose peer reads `peer`
/// (see [`describe_peer`]). Shared by the IPv4 and IPv6 evaluations.
pub(crate) fn rule_accepts(
    sg: &SecurityGroup,
    dir: Direction,
    index: usize,
    protocol: &Protocol,
    peer: &str,
) -> Decision {
    Decision {
        verdict: Verdict::Accept,
        component: sg.aws_id.clone(),
        kind: ComponentKind::SecurityGroup,
        direction: Some(dir),
        rule: RuleId::SgRule {
            group: sg.aws_id.clone(),
            index,
        },
        code: None,
        detail: format!("{dir} rule {index} allows {protocol} {peer}"),
    }
}

/// The rejection when no rule of the ENI's groups admits header `h`: it names the first group
/// (the ENI when it has none) and carries `ENI_SG_RULES_MISMATCH`, or `SG_HAS_NO_RULES` when
/// `any_rule` is false. `note` is appended to the detail (the IPv6 evaluation explains there
/// that IPv4 rules never match).
pub(crate) fn no_rule_matches(
    net: &Network,
    eni: EniId,
    dir: Direction,
    any_rule: bool,
    h: &dyn fmt::Display,
    note: &str,
) -> Decision {
    let e = net.eni(eni);
    let component = e
        .sgs
        .first()
        .map(|g| net.sg(*g).aws_id.clone())
        .unwrap_or_else(|| e.aws_id.clone());
    let names: Vec<&str> = e.sgs.iter().map(|g| net.sg(*g).aws_id.as_str()).collect();
    Decision {
        verdict: Verdict::Reject,
        component,
        kind: ComponentKind::SecurityGroup,
        direction: Some(dir),
        rule: RuleId::NoMatch,
        code: Some(if any_rule {
            ExplanationCode::EniSgRulesMismatch
        } else {
            ExplanationCode::SgHasNoRules
        }),
        detail: format!(
            "no {dir} rule of {} on {} allows {h}{note}",
            if names.is_empty() {
                "any group".to_string()
            } else {
                names.join(", ")
            },
            e.aws_id
        ),
    }
}

/// A rule's peer as decision details write it: `from/to 0.0.0.0/0`, `members of sg-web` or
/// `from/to pl-corp`.
pub fn describe_peer(net: &Network, p: &SgPeer) -> String {
    match p {
        SgPeer::Cidr(c) => format!("from/to {c}"),
        SgPeer::Group(g) => format!("members of {}", net.sg(*g).aws_id),
        SgPeer::PrefixList(p) => format!("from/to {}", net.prefix_list(*p).aws_id),
    }
}

/// AWS's untracked-flow rule for a flow *admitted* in direction `dir` at this ENI: TCP or UDP,
/// admitted by a rule allowing all addresses, while the opposite direction has a rule allowing
/// all addresses on all ports for the protocol. ICMP (and other protocols) are always tracked.
pub fn is_untracked(net: &Network, eni: EniId, dir: Direction, h: &Header) -> bool {
    if !h.has_ports() {
        return false;
    }
    let e = net.eni(eni);
    let opposite = match dir {
        Direction::Inbound => Direction::Outbound,
        Direction::Outbound => Direction::Inbound,
    };
    let all_addr = |r: &SgRule| matches!(r.peer, SgPeer::Cidr(c) if c.prefix_len() == 0);
    let admitted_by_all = e.sgs.iter().any(|g| {
        let sg = net.sg(*g);
        let rules = if dir == Direction::Inbound {
            &sg.inbound
        } else {
            &sg.outbound
        };
        rules
            .iter()
            .any(|r| all_addr(r) && rule_matches(net, r, dir, h))
    });
    if !admitted_by_all {
        return false;
    }
    e.sgs.iter().any(|g| {
        let sg = net.sg(*g);
        let rules = if opposite == Direction::Inbound {
            &sg.inbound
        } else {
            &sg.outbound
        };
        rules.iter().any(|r| {
            all_addr(r)
                && r.protocol.matches(h.proto)
                && (!r.protocol.has_ports() || r.ports.is_all())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const Y: &str = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24 }\n    security_groups:\n      web:\n        inbound:\n          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n      app:\n        inbound:\n          - { protocol: tcp, ports: 8080, source: sg:web }\n        outbound: []\n      ssh:\n        inbound:\n          - { protocol: tcp, ports: 22, source: 192.0.2.1/32 }\n    instances:\n      web: { subnet: a, security_groups: [web] }\n      app: { subnet: a, security_groups: [app] }\n      other: { subnet: a, security_groups: [ssh] }\n";

    fn n() -> Network {
        crate::model::from_yaml(Y)
    }

    fn ip(n: &Network, name: &str) -> Ipv4Addr {
        n.eni(n.instance(n.instance_by_name(name).unwrap()).eni)
            .private_ip
    }

    #[test]
    fn reference_matches_private_ips_of_members() {
        let n = n();
        let app = n.instance(n.instance_by_name("app").unwrap()).eni;
        let ok = Header::l4(ip(&n, "web"), ip(&n, "app"), 6, 40000, 8080);
        let d = evaluate(&n, app, Direction::Inbound, &ok);
        assert!(d.accepted(), "{d}");
        assert_eq!(
            d.rule,
            RuleId::SgRule {
                group: "sg-app".into(),
                index: 1
            }
        );
        let bad = Header::l4(ip(&n, "other"), ip(&n, "app"), 6, 40000, 8080);
        let d = evaluate(&n, app, Direction::Inbound, &bad);
        assert!(!d.accepted());
        assert_eq!(d.code, Some(ExplanationCode::EniSgRulesMismatch));
        // outbound: [] → no rules at all.
        let out = Header::l4(ip(&n, "app"), ip(&n, "web"), 6, 40000, 80);
        assert_eq!(
            evaluate(&n, app, Direction::Outbound, &out).code,
            Some(ExplanationCode::SgHasNoRules)
        );
    }

    #[test]
    fn default_outbound_allows_all_and_untracked_rule() {
        let n = n();
        let web = n.instance(n.instance_by_name("web").unwrap()).eni;
        let h = Header::l4("198.51.100.1".parse().unwrap(), ip(&n, "web"), 6, 40000, 80);
        assert!(evaluate(&n, web, Direction::Inbound, &h).accepted());
        assert!(evaluate(&n, web, Direction::Outbound, &h.reversed()).accepted());
        // 80 from 0.0.0.0/0 with all-outbound: untracked.
        assert!(is_untracked(&n, web, Direction::Inbound, &h));
        // 22 from a /32: tracked.
        let other = n.instance(n.instance_by_name("other").unwrap()).eni;
        let s = Header::l4("192.0.2.1".parse().unwrap(), ip(&n, "other"), 6, 40000, 22);
        assert!(!is_untracked(&n, other, Direction::Inbound, &s));
        // ICMP is always tracked.
        let i = Header::icmp("198.51.100.1".parse().unwrap(), ip(&n, "web"), 8, 0, 1);
        assert!(!is_untracked(&n, web, Direction::Inbound, &i));
    }
}
