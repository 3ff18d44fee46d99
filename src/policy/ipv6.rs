//! NACL and security-group evaluation for IPv6 packets (part of `policy`, rank 2): the rules
//! of `model::ipv6` (IPv6 CIDR entries and rules, group references), with the same decisions,
//! rule ids and explanation codes as the IPv4 evaluation in `nacl` and `sg`. An IPv4 rule never
//! matches here and an IPv6 one never there, as in AWS.

use super::{Decision, Direction, Header6};
use crate::model::ipv6::{NaclEntry6, SgPeer6, SgRule6};
use crate::model::{proto, EniId, NaclId, Network, Protocol};
use std::net::Ipv6Addr;

/// True when the protocol, ports and ICMPv6 filter of a rule cover the packet.
fn matches_l4(
    p: &Protocol,
    ports: crate::model::PortRange,
    icmp: &crate::model::IcmpMatch,
    h: &Header6,
) -> bool {
    super::nacl::matches_l4(p, ports, icmp, proto::ICMPV6, h.proto, h.dport)
}

/// The address a rule matches: the source inbound, the destination outbound.
fn peer_addr(dir: Direction, h: &Header6) -> Ipv6Addr {
    match dir {
        Direction::Inbound => h.src,
        Direction::Outbound => h.dst,
    }
}

/// True when an IPv6 NACL entry matches the packet.
pub fn nacl_entry_matches(e: &NaclEntry6, dir: Direction, h: &Header6) -> bool {
    e.cidr.contains(&peer_addr(dir, h)) && matches_l4(&e.protocol, e.ports, &e.icmp, h)
}

/// Evaluates a NACL's IPv6 entries: first match by number decides, else `*` rejects.
pub fn nacl_evaluate(net: &Network, acl: NaclId, dir: Direction, h: &Header6) -> Decision {
    let a = net.nacl(acl);
    let e6 = net.nacl6(acl);
    let entries = match dir {
        Direction::Inbound => e6.inbound,
        Direction::Outbound => e6.outbound,
    };
    for e in entries {
        if nacl_entry_matches(e, dir, h) {
            return super::nacl::entry_decision(
                a,
                dir,
                e.number,
                e.action,
                &e.protocol,
                &e.cidr,
                e.ports,
            );
        }
    }
    super::nacl::star_decision(a, dir, "IPv6 rule", h)
}

/// True when an IPv6 SG rule's peer covers `a` (a group: its members' IPv6 addresses).
pub fn sg_peer_matches(net: &Network, p: &SgPeer6, a: Ipv6Addr) -> bool {
    match p {
        SgPeer6::Cidr(c) => c.contains(&a),
        SgPeer6::Group(g) => net
            .eni_by_ipv6(a)
            .is_some_and(|e| net.eni(e).vpc == net.sg(*g).vpc && net.eni_has_sg(e, *g)),
    }
}

/// True when an IPv6 SG rule matches the packet.
pub fn sg_rule_matches(net: &Network, r: &SgRule6, dir: Direction, h: &Header6) -> bool {
    matches_l4(&r.protocol, r.ports, &r.icmp, h) && sg_peer_matches(net, &r.peer, peer_addr(dir, h))
}

/// Evaluates the ENI's security groups for an IPv6 packet (tracked replies skip this call).
pub fn sg_evaluate(net: &Network, eni: EniId, dir: Direction, h: &Header6) -> Decision {
    let e = net.eni(eni);
    let mut any_rule = false;
    for &g in &e.sgs {
        let sg = net.sg(g);
        let r6 = net.sg6(g);
        let all_rules = match dir {
            Direction::Inbound => &sg.inbound,
            Direction::Outbound => &sg.outbound,
        };
        let rules = match dir {
            Direction::Inbound => r6.inbound,
            Direction::Outbound => r6.outbound,
        };
        any_rule |= !rules.is_empty() || !all_rules.is_empty();
        for r in rules {
            if sg_rule_matches(net, r, dir, h) {
                let peer = match &r.peer {
                    SgPeer6::Cidr(c) => format!("from/to {c}"),
                    SgPeer6::Group(g) => format!("members of {}", net.sg(*g).aws_id),
                };
                return super::sg::rule_accepts(sg, dir, r.index, &r.protocol, &peer);
            }
        }
    }
    super::sg::no_rule_matches(
        net,
        eni,
        dir,
        any_rule,
        h,
        " (IPv4 rules such as 0.0.0.0/0 never match IPv6)",
    )
}

/// AWS's untracked-flow rule for IPv6 (see `sg::is_untracked`): TCP or UDP admitted by a `::/0`
/// rule while the opposite direction allows `::/0` on all ports for the protocol.
pub fn sg_is_untracked(net: &Network, eni: EniId, dir: Direction, h: &Header6) -> bool {
    if !h.has_ports() {
        return false;
    }
    let e = net.eni(eni);
    let all = |r: &SgRule6| matches!(r.peer, SgPeer6::Cidr(c) if c.prefix_len() == 0);
    let side = |g, d: Direction| {
        let r6 = net.sg6(g);
        match d {
            Direction::Inbound => r6.inbound,
            Direction::Outbound => r6.outbound,
        }
    };
    let opposite = match dir {
        Direction::Inbound => Direction::Outbound,
        Direction::Outbound => Direction::Inbound,
    };
    e.sgs.iter().any(|g| {
        side(*g, dir)
            .iter()
            .any(|r| all(r) && sg_rule_matches(net, r, dir, h))
    }) && e.sgs.iter().any(|g| {
        side(*g, opposite).iter().any(|r| {
            all(r) && r.protocol.matches(h.proto) && (!r.protocol.has_ports() || r.ports.is_all())
        })
    })
}
