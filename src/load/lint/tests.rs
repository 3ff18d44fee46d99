//! Unit tests of the lints on small inline topologies.

use super::lint;
use crate::topology::{parse_str, validate::validate};

fn warnings(y: &str) -> Vec<String> {
    let t = parse_str("t.yaml", y).expect("parses");
    assert!(!validate(&t, "t.yaml").has_errors());
    let n = crate::model::build(&t, "t.yaml").expect("builds");
    lint(&n).warnings().map(|d| d.render("t.yaml")).collect()
}

const BASE: &str = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24 }\n";

#[test]
fn nacl_blocking_replies_warns() {
    let y = format!("{BASE}    network_acls:\n      x:\n        inbound:\n          - {{ rule: 100, action: allow, protocol: tcp, ports: 80, cidr: 0.0.0.0/0 }}\n        outbound:\n          - {{ rule: 100, action: allow, protocol: tcp, ports: 80, cidr: 0.0.0.0/0 }}\n");
    let y = y.replace(
        "a: { cidr: 10.0.0.0/24 }",
        "a: { cidr: 10.0.0.0/24, network_acl: x }",
    );
    let w = warnings(&y);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("ephemeral"), "{w:?}");
    let fixed = y.replace("ports: 80, cidr: 0.0.0.0/0 }\n\n", "").replace(
        "        outbound:\n          - { rule: 100, action: allow, protocol: tcp, ports: 80,",
        "        outbound:\n          - { rule: 100, action: allow, protocol: tcp, ports: 1024-65535,",
    );
    assert!(warnings(&fixed).is_empty());
}

#[test]
fn public_instance_without_igw_route_warns() {
    let y = format!("{BASE}    instances:\n      x: {{ subnet: a, public_ip: true }}\n");
    let w = warnings(&y);
    assert!(
        w.len() == 1 && w[0].contains("no route to the internet gateway"),
        "{w:?}"
    );
}

#[test]
fn route_to_stopped_instance_warns() {
    let y = format!("{BASE}    route_tables:\n      main:\n        routes:\n          - {{ destination: 0.0.0.0/0, target: instance:nb }}\n    instances:\n      nb: {{ subnet: a, role: nat, source_dest_check: false, state: stopped }}\n");
    let w = warnings(&y);
    assert!(w.len() == 1 && w[0].contains("blackhole"), "{w:?}");
}

#[test]
fn nat_gateway_without_igw_route_warns_at_its_name() {
    let y = format!("{BASE}    nat_gateways:\n      nat-a: {{ subnet: a }}\n");
    let w = warnings(&y);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("t.yaml:8:7: warning: NAT gateway `nat-a`"),
        "{w:?}"
    );
    let private = y.replace("{ subnet: a }", "{ subnet: a, connectivity: private }");
    assert!(warnings(&private).is_empty());
}

#[test]
fn service_behind_nacl_without_reply_rule_warns() {
    // An `all` inbound allow lets the instance's service in; outbound only allows port 53.
    let y = format!("{BASE}    network_acls:\n      x:\n        inbound:\n          - {{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }}\n        outbound:\n          - {{ rule: 100, action: allow, protocol: udp, ports: 53, cidr: 0.0.0.0/0 }}\n    instances:\n      x: {{ subnet: a, services: [http:80] }}\n")
        .replace("a: { cidr: 10.0.0.0/24 }", "a: { cidr: 10.0.0.0/24, network_acl: x }");
    let w = warnings(&y);
    assert!(w.len() == 1 && w[0].contains("tcp port 80"), "{w:?}");
}
