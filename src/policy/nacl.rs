//! Network ACL evaluation (part of `policy`, rank 2): stateless, rules in ascending number,
//! first match decides, `*` denies.

use super::{ComponentKind, Decision, Direction, ExplanationCode, Header, RuleId, Verdict};
use crate::model::proto;
use crate::model::{
    Action, IcmpMatch, NaclEntry, NaclId, Network, NetworkAcl, PortRange, Protocol,
};
use std::fmt;

/// True when an entry matches the packet (CIDR against the source inbound, the destination
/// outbound). Ports are checked for tcp/udp entries (the destination port), ICMP type and
/// code for icmp entries; an `all` entry matches any port and ICMP message.
pub fn entry_matches(e: &NaclEntry, dir: Direction, h: &Header) -> bool {
    let addr = match dir {
        Direction::Inbound => h.src,
        Direction::Outbound => h.dst,
    };
    e.cidr.contains(&addr)
        && matches_l4(&e.protocol, e.ports, &e.icmp, proto::ICMP, h.proto, h.dport)
}

/// True when a rule's protocol, ports and ICMP filter cover a packet of protocol `proto` whose
/// `dport` is the destination port or the `type << 8 | code` word of `icmp_proto` (ICMP or
/// ICMPv6: the family's). Shared by NACL entries and SG rules of both families.
pub(crate) fn matches_l4(
    p: &Protocol,
    ports: PortRange,
    icmp: &IcmpMatch,
    icmp_proto: u8,
    proto: u8,
    dport: u16,
) -> bool {
    if !p.matches(proto) {
        return false;
    }
    if p.has_ports() {
        return ports.contains(dport);
    }
    if proto == icmp_proto && !matches!(p, Protocol::All) {
        return icmp.matches((dport >> 8) as u8, (dport & 0xff) as u8);
    }
    true
}

/// Evaluates a NACL for a packet entering (`Inbound`) or leaving (`Outbound`) its subnet:
/// the first matching entry by ascending number decides (`RuleId::Number`), else the final
/// `*` rule rejects (`RuleId::Star`). Every rejection carries `SUBNET_ACL_RESTRICTION`.
pub fn evaluate(net: &Network, acl: NaclId, dir: Direction, h: &Header) -> Decision {
    let a = net.nacl(acl);
    let entries = match dir {
        Direction::Inbound => &a.inbound,
        Direction::Outbound => &a.outbound,
    };
    for e in entries {
        if entry_matches(e, dir, h) {
            return entry_decision(a, dir, e.number, e.action, &e.protocol, &e.cidr, e.ports);
        }
    }
    star_decision(a, dir, "rule", h)
}

/// The decision of the matching entry `number` of `acl` (either family's: `cidr` is printed).
pub(crate) fn entry_decision(
    acl: &NetworkAcl,
    dir: Direction,
    number: u16,
    action: Action,
    protocol: &Protocol,
    cidr: &dyn fmt::Display,
    ports: PortRange,
) -> Decision {
    let verdict = match action {
        Action::Allow => Verdict::Accept,
        Action::Deny => Verdict::Reject,
    };
    Decision {
        verdict,
        component: acl.aws_id.clone(),
        kind: ComponentKind::NetworkAcl,
        direction: Some(dir),
        rule: RuleId::Number(number),
        code: (verdict == Verdict::Reject).then_some(ExplanationCode::SubnetAclRestriction),
        detail: format!(
            "{dir} rule {number} {} {protocol} {cidr}{}",
            if verdict == Verdict::Accept {
                "allows"
            } else {
                "denies"
            },
            if protocol.has_ports() {
                format!(" ports {ports}")
            } else {
                String::new()
            }
        ),
    }
}

/// The final `*` rule's rejection of header `h`, which no `what` (`rule`, `IPv6 rule`) matched.
pub(crate) fn star_decision(
    acl: &NetworkAcl,
    dir: Direction,
    what: &str,
    h: &dyn fmt::Display,
) -> Decision {
    Decision {
        verdict: Verdict::Reject,
        component: acl.aws_id.clone(),
        kind: ComponentKind::NetworkAcl,
        direction: Some(dir),
        rule: RuleId::Star,
        code: Some(ExplanationCode::SubnetAclRestriction),
        detail: format!("no {dir} {what} matches {h}; the final * rule denies it"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(acl: &str) -> Network {
        let y = format!("name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: {{ cidr: 10.0.0.0/24, network_acl: x }}\n    network_acls:\n      x:\n{acl}");
        crate::model::from_yaml(&y)
    }

    fn h(src: &str, dst: &str, p: u16) -> Header {
        Header::l4(src.parse().unwrap(), dst.parse().unwrap(), 6, 40000, p)
    }

    #[test]
    fn first_match_in_number_order_and_star() {
        let n = net("        inbound:\n          - { rule: 200, action: allow, protocol: tcp, ports: 1-65535, cidr: 0.0.0.0/0 }\n          - { rule: 100, action: deny, protocol: tcp, ports: 22, cidr: 0.0.0.0/0 }\n");
        let acl = n.subnets[0].nacl;
        let d = evaluate(&n, acl, Direction::Inbound, &h("1.2.3.4", "10.0.0.5", 22));
        assert_eq!(
            (d.verdict, d.rule.clone()),
            (Verdict::Reject, RuleId::Number(100))
        );
        let d = evaluate(&n, acl, Direction::Inbound, &h("1.2.3.4", "10.0.0.5", 80));
        assert_eq!(
            (d.verdict, d.rule.clone()),
            (Verdict::Accept, RuleId::Number(200))
        );
        let d = evaluate(&n, acl, Direction::Outbound, &h("10.0.0.5", "1.2.3.4", 80));
        assert_eq!((d.verdict, d.rule.clone()), (Verdict::Reject, RuleId::Star));
        assert_eq!(d.code, Some(ExplanationCode::SubnetAclRestriction));
        assert_eq!(d.summary(), "REJECT acl-x outbound rule *");
    }

    #[test]
    fn cidr_is_source_inbound_destination_outbound() {
        let n = net("        inbound:\n          - { rule: 100, action: allow, protocol: all, cidr: 10.1.0.0/16 }\n        outbound:\n          - { rule: 100, action: allow, protocol: all, cidr: 10.1.0.0/16 }\n");
        let acl = n.subnets[0].nacl;
        assert!(evaluate(&n, acl, Direction::Inbound, &h("10.1.2.3", "10.0.0.5", 1)).accepted());
        assert!(!evaluate(&n, acl, Direction::Inbound, &h("10.0.0.9", "10.1.2.3", 1)).accepted());
        assert!(evaluate(&n, acl, Direction::Outbound, &h("10.0.0.5", "10.1.2.3", 1)).accepted());
    }

    #[test]
    fn default_nacl_allows_all() {
        let y = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24 }\n";
        let n = crate::model::from_yaml(y);
        let d = evaluate(
            &n,
            n.subnets[0].nacl,
            Direction::Inbound,
            &h("8.8.8.8", "10.0.0.5", 9),
        );
        assert_eq!((d.verdict, d.rule), (Verdict::Accept, RuleId::Number(100)));
    }
}
