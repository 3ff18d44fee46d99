//! The reference's transit-gateway and hybrid rules that no other test pins
//! (`aws-vpc-semantics.md` §10.1, `import-and-next-wave.md` §4.1, §4.2): which NACLs of the
//! attachment subnet a packet meets on its way to and from a transit gateway, and the local
//! route beating a more specific propagated VPN route. Each test names its rule.

use super::transit::hybrid_net;
use vpclab::model::Network;
use vpclab::reach::{analyze, resolve, resolve_source, Analysis, Query};

/// Two VPCs on one transit gateway. `a` has a separate attachment subnet `tgw-a` (NACL
/// `TGWACL` replaced); in `b` the workload subnet `b1` is the attachment subnet too (NACL
/// `B1ACL` replaced).
const TWO: &str = "name: t
vpcs:
  a:
    cidr: 10.1.0.0/16
    subnets:
      a1: { cidr: 10.1.1.0/24, az: us-east-1a, route_table: r }
      tgw-a: { cidr: 10.1.255.0/28, az: us-east-1a, network_acl: tgwacl }
    route_tables:
      r: { routes: [ { destination: 10.2.0.0/16, target: tgw:hub } ] }
    network_acls:
      tgwacl:
TGWACL
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      va: { subnet: a1, security_groups: [open] }
  b:
    cidr: 10.2.0.0/16
    subnets:
      b1: { cidr: 10.2.1.0/24, az: us-east-1a, route_table: r, network_acl: b1acl }
    route_tables:
      r: { routes: [ { destination: 10.1.0.0/16, target: tgw:hub } ] }
    network_acls:
      b1acl:
B1ACL
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      vb: { subnet: b1, security_groups: [open] }
transit_gateways:
  hub:
    attachments:
      att-a: { vpc: a, subnets: [tgw-a] }
      att-b: { vpc: b, subnets: [b1] }
";

/// A NACL allowing everything both ways.
const OPEN: &str =
    "        inbound: [ { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 } ]
        outbound: [ { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 } ]";
/// A NACL denying everything inbound (outbound open).
const NO_IN: &str = "        inbound: []
        outbound: [ { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 } ]";
/// A NACL denying everything outbound (inbound open).
const NO_OUT: &str =
    "        inbound: [ { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 } ]
        outbound: []";

fn two(tgw_acl: &str, b1_acl: &str) -> Network {
    hybrid_net(&TWO.replace("TGWACL", tgw_acl).replace("B1ACL", b1_acl))
}

fn tcp(n: &Network, from: &str, to: &str, port: u16) -> Analysis {
    let q = Query {
        from: resolve_source(n, from, None).unwrap(),
        to: resolve(n, to).unwrap(),
        proto: 6,
        port,
        src_port: None,
    };
    analyze(n, &q)
}

/// The blocker as `component path` (`acl-tgwacl forward`), or `reachable`.
fn verdict(a: &Analysis) -> String {
    match &a.blocked {
        None if a.reachable => "reachable".into(),
        None => format!("unreachable without a blocker: {a:#?}"),
        Some(b) => format!("{} {}", b.decision.component, b.path.as_str()),
    }
}

#[test]
fn separate_attachment_subnet_instance_to_tgw_meets_its_inbound_rules_only() {
    // §4.2 "Different subnets", instance → TGW: instance subnet outbound, then the TGW
    // subnet's inbound; its outbound is not evaluated.
    let n = two(NO_IN, OPEN);
    assert_eq!(verdict(&tcp(&n, "va", "vb", 80)), "acl-tgwacl forward");
    let n = two(NO_OUT, OPEN);
    let a = tcp(&n, "va", "vb", 80);
    assert_ne!(
        verdict(&a),
        "acl-tgwacl forward",
        "the TGW subnet's outbound rules are not met leaving for the TGW"
    );
}

#[test]
fn separate_attachment_subnet_tgw_to_vpc_meets_its_outbound_rules_only() {
    // §4.2 "Different subnets", TGW → VPC: the TGW subnet's outbound, not its inbound, then
    // the instance subnet's inbound.
    let n = two(NO_OUT, OPEN);
    assert_eq!(verdict(&tcp(&n, "vb", "va", 80)), "acl-tgwacl forward");
    let n = two(NO_IN, OPEN);
    let a = tcp(&n, "vb", "va", 80);
    assert_ne!(
        verdict(&a),
        "acl-tgwacl forward",
        "the TGW subnet's inbound rules are not met entering from the TGW"
    );
    // The reply va → TGW meets tgw-a's inbound rules: that is where it stops.
    assert_eq!(verdict(&a), "acl-tgwacl return");
}

#[test]
fn shared_attachment_subnet_tgw_to_vpc_meets_no_rules_of_it() {
    // §4.2 "Same subnet", TGW → VPC: neither the inbound nor the outbound rules of the shared
    // subnet are evaluated: b1 admits only its own VPC inbound, yet va reaches vb (and the
    // reply, by source vb, passes b1's rules on its way to the TGW).
    let own = "        inbound:
          - { rule: 100, action: allow, protocol: all, cidr: 10.2.0.0/16 }
        outbound:
          - { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }";
    let n = two(OPEN, own);
    assert_eq!(verdict(&tcp(&n, "va", "vb", 80)), "reachable");
}

/// A VPC with a VGW whose VPN advertises a prefix inside the VPC's CIDR (ADV replaced).
const LOCAL_WINS: &str = "name: t
vpcs:
  main:
    cidr: 10.1.0.0/16
    subnets:
      m1: { cidr: 10.1.1.0/24, route_table: r }
      m2: { cidr: 10.1.2.0/24, route_table: r }
    route_tables:
      r: { propagating_vgws: [vgw-main] }
    security_groups:
      open: { inbound: [ { protocol: all, source: 0.0.0.0/0 } ] }
    instances:
      app: { subnet: m1, security_groups: [open] }
      db: { subnet: m2, security_groups: [open], ip: 10.1.2.10 }
vpn_gateways:
  vgw-main: { vpc: main }
customer_gateways:
  dc-router: { on_premises: dc, ip: 198.51.100.7 }
vpn_connections:
  dc-vpn: { customer_gateway: dc-router, vpn_gateway: vgw-main, routing: dynamic, advertised_prefixes: [ADV] }
on_premises:
  dc:
    cidrs: [172.16.0.0/16]
    hosts:
      dc-db: { ip: 172.16.1.10, services: [tcp:5432] }
";

#[test]
fn a_propagated_vpn_route_inside_the_vpc_cidr_loses_to_the_local_route() {
    // §4.1 "Route priority": a propagated VPN/DX route that overlaps the local route loses
    // even when it is more specific.
    let n = hybrid_net(&LOCAL_WINS.replace("ADV", "172.16.0.0/16, 10.1.2.0/24"));
    let a = tcp(&n, "app", "db", 5432);
    assert_eq!(verdict(&a), "reachable");
    assert!(
        !a.forward.iter().any(|h| h.component == "vgw-main"),
        "the packet to db stays local: {a:#?}"
    );
    // The data center itself is still reached through the VGW.
    let a = tcp(&n, "app", "dc-db", 5432);
    assert!(
        a.forward.iter().any(|h| h.component == "vgw-main"),
        "{a:#?}"
    );
}
