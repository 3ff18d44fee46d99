//! The analyzer over IPv6 (`reach -6`, library API): the cases of issue 16's "Done when" —
//! internet to a dual-stack instance through the internet gateway with an SG for `::/0`
//! (reachable) and for `0.0.0.0/0` only (blocked); an egress-only gateway (out works with its
//! replies, in is blocked); NACL IPv4 and IPv6 rules deciding independently; an IPv6-only
//! subnet reaching an IPv4-only internet host through DNS64 and NAT64; IPv6 across a peering.

use crate::common::net;
use vpclab::model::Network;
use vpclab::reach::ipv6::analyze6;
use vpclab::reach::{analyze, resolve, resolve_source, Analysis, Query};

fn q(n: &Network, from: &str, to: &str, proto: u8, port: u16) -> Query {
    Query {
        from: resolve_source(n, from, None).unwrap(),
        to: resolve(n, to).unwrap(),
        proto,
        port,
        src_port: None,
    }
}

fn six(n: &Network, from: &str, to: &str, port: u16) -> Analysis {
    analyze6(n, &q(n, from, to, 6, port)).expect("an IPv6 question")
}

fn four(n: &Network, from: &str, to: &str, port: u16) -> Analysis {
    analyze(n, &q(n, from, to, 6, port))
}

fn code(a: &Analysis) -> String {
    a.blocked
        .as_ref()
        .map(|b| format!("{} {}", b.decision.component, b.code()))
        .unwrap_or_default()
}

/// A dual-stack VPC: `web` public (igw both families), `app` private (NAT gateway and
/// egress-only gateway), `worker` IPv6-only with DNS64; SG of web given by `web_sg`.
fn dual(web_sg: &str, nacl: &str) -> Network {
    net(&format!(
        "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    internet_gateway: true
    egress_only_internet_gateways:
      egress: {{}}
    subnets:
      public: {{ cidr: 10.0.0.0/24, ipv6_cidr: 0, route_table: public, map_public_ip: true, assign_ipv6_address_on_creation: true{nacl} }}
      private: {{ cidr: 10.0.1.0/24, ipv6_cidr: 1, route_table: private, assign_ipv6_address_on_creation: true }}
      v6only: {{ cidr: 10.0.2.0/24, ipv6_cidr: 2, ipv6_only: true, dns64: true, route_table: v6only }}
      nodns64: {{ cidr: 10.0.3.0/24, ipv6_cidr: 3, ipv6_only: true, route_table: v6only }}
    route_tables:
      public:
        routes:
          - {{ destination: 0.0.0.0/0, target: igw }}
          - {{ destination: \"::/0\", target: igw }}
      private:
        routes:
          - {{ destination: 0.0.0.0/0, target: nat:nat-a }}
          - {{ destination: \"::/0\", target: eigw:egress }}
      v6only:
        routes:
          - {{ destination: \"::/0\", target: eigw:egress }}
          - {{ destination: \"64:ff9b::/96\", target: nat:nat-a }}
    network_acls:
      split:
        inbound:
          - {{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }}
          - {{ rule: 101, action: deny, protocol: all, cidr: \"::/0\" }}
        outbound:
          - {{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }}
          - {{ rule: 101, action: allow, protocol: all, cidr: \"::/0\" }}
    nat_gateways:
      nat-a: {{ subnet: public }}
    security_groups:
      web:
        inbound:
{web_sg}
    instances:
      web: {{ subnet: public, security_groups: [web] }}
      app: {{ subnet: private }}
      worker: {{ subnet: v6only }}
      lonely: {{ subnet: nodns64 }}
internet:
  hosts:
    client: {{ ip: 198.51.100.10, ipv6: \"2001:db8::10\" }}
    legacy: {{ ip: 198.51.100.20 }}
"
    ))
}

const BOTH: &str = "          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n          - { protocol: tcp, ports: 80, source: \"::/0\" }";
const V4_ONLY: &str = "          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }";

#[test]
fn internet_to_dual_stack_instance_needs_an_ipv6_rule() {
    let n = dual(BOTH, "");
    let a = six(&n, "client", "web", 80);
    assert!(a.reachable, "{a:#?}");
    assert_eq!(
        a.destination_ipv6,
        Some("2600:1f18:4000::4".parse().unwrap())
    );
    assert!(a.forward.iter().any(|h| h.component == "igw-main"));
    let a = six(&n, "internet", "web", 80);
    assert!(a.reachable, "{a:#?}");
    assert!(a.from.contains("2001:db8::"), "{}", a.from);

    let n = dual(V4_ONLY, "");
    assert!(four(&n, "client", "web", 80).reachable);
    let a = six(&n, "client", "web", 80);
    assert!(!a.reachable);
    assert_eq!(code(&a), "sg-web ENI_SG_RULES_MISMATCH");
    assert!(a.blocked.unwrap().fix.contains("::/0"));
}

#[test]
fn egress_only_gateway_lets_out_and_replies_but_nothing_in() {
    let n = dual(BOTH, "");
    let out = six(&n, "app", "client", 80);
    assert!(out.reachable, "{out:#?}");
    assert!(out.forward.iter().any(|h| h.component == "eigw-egress"));
    assert!(
        out.return_path.iter().any(|h| h.component == "eigw-egress"),
        "the reply comes back through it"
    );
    let inbound = six(&n, "client", "app", 80);
    assert!(!inbound.reachable);
    assert_eq!(code(&inbound), "eigw-egress EIGW_NO_INBOUND_INITIATION");
}

#[test]
fn nacl_ipv4_and_ipv6_rules_decide_independently() {
    let n = dual(BOTH, ", network_acl: split");
    assert!(
        four(&n, "client", "web", 80).reachable,
        "the IPv4 rule 100 allows IPv4"
    );
    let a = six(&n, "client", "web", 80);
    assert!(!a.reachable);
    assert_eq!(code(&a), "acl-split SUBNET_ACL_RESTRICTION");
    assert_eq!(
        a.blocked.unwrap().decision.rule,
        vpclab::policy::RuleId::Number(101)
    );
}

#[test]
fn ipv6_only_subnet_reaches_an_ipv4_only_host_through_dns64_and_nat64() {
    let n = dual(BOTH, "");
    let a = six(&n, "worker", "legacy", 80);
    assert!(a.reachable, "{a:#?}");
    assert_eq!(
        a.destination_ipv6,
        Some("64:ff9b::c633:6414".parse().unwrap())
    );
    let nat = a
        .forward
        .iter()
        .position(|h| h.component == "nat-a")
        .expect("through the NAT gateway");
    assert!(
        a.forward[nat..].iter().any(|h| h.component == "igw-main"),
        "IPv4 on from the gateway"
    );
    assert!(a.return_path.iter().any(|h| h.component == "eni-worker"));
    // No DNS64 in its subnet: the IPv4-only name has no IPv6 address for it.
    let a = six(&n, "lonely", "legacy", 80);
    assert!(!a.reachable);
    assert_eq!(code(&a), "internet ADDRESS_FAMILY_MISMATCH");
    assert!(a.blocked.unwrap().decision.detail.contains("DNS64"));
}

#[test]
fn ipv6_crosses_a_peering_with_routes_on_both_sides() {
    let y = |routes: &str| {
        format!(
            "name: t
vpcs:
  a:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    subnets:
      s: {{ cidr: 10.0.0.0/24, ipv6_cidr: 0, route_table: r, assign_ipv6_address_on_creation: true }}
    route_tables:
      r:
        routes:
          - {{ destination: \"2600:1f18:4000:100::/56\", target: pcx:ab }}
    instances:
      one: {{ subnet: s }}
  b:
    cidr: 10.1.0.0/16
    ipv6_cidr: amazon
    subnets:
      s: {{ cidr: 10.1.0.0/24, ipv6_cidr: 0, route_table: r, assign_ipv6_address_on_creation: true }}
    route_tables:
      r:
        routes:
{routes}
    security_groups:
      db:
        inbound:
          - {{ protocol: tcp, ports: 5432, source: \"2600:1f18:4000::/56\" }}
    instances:
      two: {{ subnet: s, security_groups: [db] }}
peerings:
  ab: {{ requester: a, accepter: b }}
"
        )
    };
    let n = net(&y(
        "          - { destination: \"2600:1f18:4000::/56\", target: pcx:ab }",
    ));
    let a = six(&n, "one", "two", 5432);
    assert!(a.reachable, "{a:#?}");
    assert!(a.forward.iter().any(|h| h.component == "pcx-ab"));
    // Without the route back, the reply finds no way home.
    let n = net(&y(
        "          - { destination: 10.0.0.0/16, target: pcx:ab }",
    ));
    let a = six(&n, "one", "two", 5432);
    assert!(!a.reachable);
    assert_eq!(code(&a), "rtb-r NO_ROUTE_TO_DESTINATION");
    assert_eq!(a.blocked.unwrap().path, vpclab::reach::PathLeg::Return);
}
