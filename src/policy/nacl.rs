//! Network ACL evaluation (part of `policy`, rank 2): stateless, rules in ascending number,
//! first match decides, `*` denies.

use super::{ComponentKind, Decision, Direction, ExplanationCode, Header, RuleId, Verdict};
use crate::model::proto;
use crate::model::{Action, NaclEntry, NaclId, Network};

/// True when an entry matches the packet (CIDR against the source inbound, the destination
/// outbound). Ports are checked for tcp/udp entries (the destination port), ICMP type and
/// code for icmp entries; an `all` entry matches any port and ICMP message.
pub fn entry_matches(e: &NaclEntry, dir: Direction, h: &Header) -> bool {
    let addr = match dir {
        Direction::Inbound => h.src,
        Direction::Outbound => h.dst,
    };
    if !e.cidr.contains(&addr) || !e.protocol.matches(h.proto) {
        return false;
    }
    if e.protocol.has_ports() {
        return e.ports.contains(h.dport);
    }
    if h.proto == proto::ICMP && !matches!(e.protocol, crate::model::Protocol::All) {
        return e.icmp.matches(h.icmp_type(), h.icmp_code());
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
            let verdict = match e.action {
                Action::Allow => Verdict::Accept,
                Action::Deny => Verdict::Reject,
            };
            return Decision {
                verdict,
                component: a.aws_id.clone(),
                kind: ComponentKind::NetworkAcl,
                direction: Some(dir),
                rule: RuleId::Number(e.number),
                code: (verdict == Verdict::Reject).then_some(ExplanationCode::SubnetAclRestriction),
                detail: format!(
                    "{dir} rule {} {} {} {}{}",
                    e.number,
                    if verdict == Verdict::Accept {
                        "allows"
                    } else {
                        "denies"
                    },
                    e.protocol,
                    e.cidr,
                    if e.protocol.has_ports() {
                        format!(" ports {}", e.ports)
                    } else {
                        String::new()
                    }
                ),
            };
        }
    }
    Decision {
        verdict: Verdict::Reject,
        component: a.aws_id.clone(),
        kind: ComponentKind::NetworkAcl,
        direction: Some(dir),
        rule: RuleId::Star,
        code: Some(ExplanationCode::SubnetAclRestriction),
        detail: format!("no {dir} rule matches {h}; the final * rule denies it"),
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
