//! The compiled form against the plain evaluation: random security groups, NACLs and prefix
//! lists, random packets, every ENI and direction; SG, NACL, tracking and tracked decisions
//! must be equal, provenance included.

use super::Compiled;
use crate::model::Network;
use crate::policy::path::{tracked_decision, tracks};
use crate::policy::{nacl, sg, Direction, Header};
use proptest::prelude::*;
use std::fmt::Write;

/// A rule's protocol and match, as the YAML writes it.
fn proto_match() -> BoxedStrategy<String> {
    let ports = (0u16..120, 0u16..120).prop_map(|(a, b)| {
        let (lo, hi) = (a.min(b) * 10, a.max(b) * 10);
        if lo == hi {
            lo.to_string()
        } else {
            format!("{lo}-{hi}")
        }
    });
    let icmp = (-1i16..5, -1i16..3).prop_map(|(t, c)| format!("icmp: {{ type: {t}, code: {c} }}"));
    prop_oneof![
        ports
            .clone()
            .prop_map(|p| format!("protocol: tcp, ports: {p}")),
        ports.prop_map(|p| format!("protocol: udp, ports: {p}")),
        Just("protocol: tcp, ports: all".to_string()),
        Just("protocol: icmp".to_string()),
        icmp.prop_map(|i| format!("protocol: icmp, {i}")),
        Just("protocol: all".to_string()),
        Just("protocol: 47".to_string()),
    ]
    .boxed()
}

/// A CIDR from a small set that overlaps the VPC, the internet and itself.
fn cidr() -> BoxedStrategy<&'static str> {
    prop::sample::select(vec![
        "0.0.0.0/0",
        "10.0.0.0/16",
        "10.0.0.0/24",
        "10.0.1.0/24",
        "10.0.0.16/28",
        "198.51.100.0/24",
        "198.51.100.7/32",
        "192.0.2.0/25",
    ])
    .boxed()
}

/// An SG rule's peer: a CIDR, a group or the prefix list.
fn peer() -> BoxedStrategy<String> {
    prop_oneof![
        3 => cidr().prop_map(str::to_string),
        1 => (0usize..3).prop_map(|g| format!("sg:g{g}")),
        1 => Just("pl:corp".to_string()),
    ]
    .boxed()
}

/// The topology: three groups, one NACL on subnet a, three instances with groups in a random
/// order.
fn topology() -> impl Strategy<Value = String> {
    let sg_rule = (proto_match(), peer());
    let groups = prop::collection::vec(
        (
            prop::collection::vec(sg_rule.clone(), 0..6),
            prop::option::of(prop::collection::vec(sg_rule, 0..6)),
        ),
        3,
    );
    let entry = (1u16..60, any::<bool>(), proto_match(), cidr());
    let nacl = (
        prop::collection::vec(entry.clone(), 0..8),
        prop::collection::vec(entry, 0..8),
    );
    let attach = prop::collection::vec(prop::sample::subsequence(vec![0usize, 1, 2], 0..=3), 3);
    (groups, nacl, attach).prop_map(|(groups, (inb, outb), attach)| {
        let mut y = String::from("name: p\nprefix_lists:\n  corp: { entries: [198.51.100.0/28, 10.0.1.0/25] }\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24, network_acl: n }\n      b: { cidr: 10.0.1.0/24 }\n    network_acls:\n      n:\n");
        for (name, list) in [("inbound", inb), ("outbound", outb)] {
            let mut seen = std::collections::BTreeSet::new();
            let lines: Vec<String> = list
                .into_iter()
                .filter(|(n, ..)| seen.insert(*n))
                .map(|(n, allow, m, c)| {
                    let a = if allow { "allow" } else { "deny" };
                    format!("          - {{ rule: {n}, action: {a}, {m}, cidr: {c} }}\n")
                })
                .collect();
            list_to(&mut y, "        ", name, &lines);
        }
        y.push_str("    security_groups:\n");
        for (g, (inb, outb)) in groups.into_iter().enumerate() {
            let _ = writeln!(y, "      g{g}:");
            let rule = |key: &str, (m, p): (String, String)| format!("          - {{ {m}, {key}: \"{p}\" }}\n");
            let inb: Vec<String> = inb.into_iter().map(|r| rule("source", r)).collect();
            list_to(&mut y, "        ", "inbound", &inb);
            if let Some(outb) = outb {
                let outb: Vec<String> = outb.into_iter().map(|r| rule("destination", r)).collect();
                list_to(&mut y, "        ", "outbound", &outb);
            }
        }
        y.push_str("    instances:\n");
        for (i, (name, sub)) in [("x", "a"), ("y", "a"), ("z", "b")].into_iter().enumerate() {
            let gs: Vec<String> = attach[i].iter().map(|g| format!("g{g}")).collect();
            let _ = writeln!(y, "      {name}: {{ subnet: {sub}, security_groups: [{}] }}", gs.join(", "));
        }
        y
    })
}

/// Writes `key:` and its list items (`lines`), or `key: []` when there are none.
fn list_to(y: &mut String, indent: &str, key: &str, lines: &[String]) {
    if lines.is_empty() {
        let _ = writeln!(y, "{indent}{key}: []");
    } else {
        let _ = writeln!(y, "{indent}{key}:");
        lines.iter().for_each(|l| y.push_str(l));
    }
}

/// A packet between addresses of the VPC and of the internet, with ports at rule boundaries.
fn header(net: &Network) -> impl Strategy<Value = Header> {
    let mut addrs: Vec<std::net::Ipv4Addr> = net.enis.iter().map(|e| e.private_ip).collect();
    addrs.extend(
        [
            "10.0.1.99",
            "10.0.0.20",
            "198.51.100.7",
            "198.51.100.200",
            "192.0.2.1",
        ]
        .map(|a| a.parse::<std::net::Ipv4Addr>().unwrap()),
    );
    let addr = prop::sample::select(addrs);
    let port = prop_oneof![
        (0u16..120).prop_map(|p| p * 10),
        (0u16..120).prop_map(|p| p * 10 + 1),
        (0u16..1200).prop_map(|p| p.saturating_sub(1)),
        Just(65535u16),
    ];
    (
        addr.clone(),
        addr,
        prop::sample::select(vec![6u8, 17, 1, 47]),
        any::<u16>(),
        port,
        0u8..5,
        0u8..3,
    )
        .prop_map(|(src, dst, p, sport, dport, t, c)| {
            if p == 1 {
                Header::icmp(src, dst, t, c, sport)
            } else {
                Header::l4(src, dst, p, sport, dport)
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn compiled_decides_as_the_plain_evaluation(
        (y, hs) in topology().prop_flat_map(|y| {
            let net = crate::model::from_yaml(&y);
            let hs = prop::collection::vec(header(&net), 40);
            (Just(y), hs)
        })
    ) {
        let net = crate::model::from_yaml(&y);
        let c = Compiled::new(&net);
        for h in &hs {
            for dir in [Direction::Inbound, Direction::Outbound] {
                for e in &net.enis {
                    prop_assert_eq!(&*c.sg(&net, e.id, dir, h), &sg::evaluate(&net, e.id, dir, h), "{}", y);
                    prop_assert_eq!(c.tracks(&net, e.id, dir, h), tracks(&net, e.id, dir, h));
                    prop_assert_eq!(&*c.tracked(&net, e.id, dir), &tracked_decision(&net, e.id, dir));
                }
                for a in &net.nacls {
                    prop_assert_eq!(&*c.nacl(&net, a.id, dir, h), &nacl::evaluate(&net, a.id, dir, h), "{}", y);
                }
            }
        }
    }
}
