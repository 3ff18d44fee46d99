//! Unit tests of validation on small inline topologies.

use super::*;
use crate::topology::parse_str;

fn errors(y: &str) -> Vec<String> {
    let t = parse_str("t.yaml", y).expect("parses");
    validate(&t, "t.yaml")
        .errors()
        .map(|d| d.render("t.yaml"))
        .collect()
}

const BASE: &str = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24 }\n";

#[test]
fn valid_base_has_no_errors() {
    assert!(errors(BASE).is_empty());
}

#[test]
fn collects_every_error() {
    let y = "name: T\nvpcs:\n  main:\n    cidr: 10.0.0.0/8\n    subnets:\n      a: { cidr: 10.1.0.1/24 }\n";
    let e = errors(y);
    assert_eq!(e.len(), 3, "{e:?}");
    assert!(e[0].starts_with("t.yaml:1:7: error:"), "{e:?}");
    assert!(e[1].contains("/8"), "{e:?}");
    assert!(e[2].contains("network address is 10.1.0.0/24"), "{e:?}");
}

#[test]
fn reserved_and_duplicate_addresses() {
    let y = format!("{BASE}    instances:\n      x: {{ subnet: a, ip: 10.0.0.3 }}\n      y: {{ subnet: a, ip: 10.0.0.9 }}\n      z: {{ subnet: a, ip: 10.0.0.9 }}\n");
    let e = errors(&y);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].contains("reserved"), "{e:?}");
    assert!(e[1].contains("already taken"), "{e:?}");
}

#[test]
fn sg_references_across_peering() {
    let y = "name: t\nvpcs:\n  a:\n    cidr: 10.0.0.0/16\n    security_groups:\n      x:\n        inbound:\n          - { protocol: tcp, ports: 80, source: sg:b/y }\n  b:\n    cidr: 10.1.0.0/16\n    security_groups:\n      y: {}\n";
    let e = errors(y);
    assert!(e.len() == 1 && e[0].contains("not peered"), "{e:?}");
    let peered = format!("{y}peerings:\n  ab: {{ requester: a, accepter: b }}\n");
    assert!(errors(&peered).is_empty());
}
