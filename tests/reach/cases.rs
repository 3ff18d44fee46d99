//! The analyzer's classic cases: verdict, blocking component, kind, direction, code and path
//! pinned for each (library API).

use crate::common::net;
use vpclab::model::Network;
use vpclab::reach::{analyze, resolve, resolve_source, Analysis, Query};

fn ask(n: &Network, from: &str, to: &str, proto: u8, port: u16) -> Analysis {
    let q = Query {
        from: resolve_source(n, from, None).unwrap(),
        to: resolve(n, to).unwrap(),
        proto,
        port,
        src_port: None,
    };
    analyze(n, &q)
}

fn tcp(n: &Network, from: &str, to: &str, port: u16) -> Analysis {
    ask(n, from, to, 6, port)
}

/// (component, kind, direction, code, path) of every blocker.
fn blockers(a: &Analysis) -> Vec<(String, String, Option<String>, String, &'static str)> {
    a.blockers
        .iter()
        .map(|b| {
            (
                b.decision.component.clone(),
                b.decision.kind.to_string(),
                b.decision.direction.map(|d| d.to_string()),
                b.code().to_string(),
                b.path.as_str(),
            )
        })
        .collect()
}

/// Asserts that `a`'s blockers are exactly `want`, one row each (see [`row`]).
#[track_caller]
fn assert_blockers(a: &Analysis, want: &[&'static str]) {
    let want: Vec<_> = want.iter().map(|r| row(r)).collect();
    assert_eq!(blockers(a), want);
}

/// Asserts that `a`'s first blocker is `want` (others may follow).
#[track_caller]
fn assert_first_blocker(a: &Analysis, want: &'static str) {
    assert_eq!(blockers(a)[0], row(want));
}

/// A blocker written `"component kind direction code path"`, `-` for no direction.
fn row(r: &'static str) -> (String, String, Option<String>, String, &'static str) {
    let f: Vec<&'static str> = r.split_whitespace().collect();
    let [c, k, d, code, p] = f[..] else {
        panic!("a blocker row has five fields: {r}");
    };
    let d = (d != "-").then(|| d.to_string());
    (c.into(), k.into(), d, code.into(), p)
}

const PUBLIC: &str = "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: public, map_public_ip: true }
      noroute: { cidr: 10.0.1.0/24, map_public_ip: true }
    route_tables:
      public:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: pub, security_groups: [web] }
      lost: { subnet: noroute, security_groups: [web] }
      private: { subnet: pub, public_ip: false, security_groups: [web] }
internet:
  hosts:
    client: { ip: 198.51.100.10 }
";

#[test]
fn internet_to_public_web_is_reachable_both_ways() {
    let n = net(PUBLIC);
    let a = tcp(&n, "client", "web", 80);
    assert!(a.reachable, "{a:#?}");
    assert!(a.blocked.is_none() && a.blockers.is_empty());
    assert!(a
        .forward
        .iter()
        .any(|h| h.kind.to_string() == "internet_gateway"));
    assert!(a
        .return_path
        .iter()
        .any(|h| h.kind.to_string() == "route_table"));
    let sp = a.source_ports.unwrap();
    assert_eq!((sp.range.as_str(), sp.blocked.len()), ("32768-60999", 0));
}

#[test]
fn missing_igw_route() {
    let n = net(PUBLIC);
    let a = tcp(&n, "lost", "internet", 443);
    assert!(!a.reachable);
    assert_blockers(
        &a,
        &["rtb-main route_table - NO_ROUTE_TO_DESTINATION forward"],
    );
    assert!(
        a.blocked.as_ref().unwrap().fix.contains("target: igw"),
        "{}",
        a.blocked.unwrap().fix
    );
    // Inbound gets there, the reply has no route out.
    let a = tcp(&n, "client", "lost", 80);
    assert!(!a.reachable);
    assert_blockers(
        &a,
        &["rtb-main route_table - NO_ROUTE_TO_DESTINATION return"],
    );
}

#[test]
fn no_public_ip() {
    let n = net(PUBLIC);
    let a = tcp(&n, "client", "private", 80);
    assert!(!a.reachable);
    assert_blockers(
        &a,
        &["eni-private eni inbound IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS forward"],
    );
    assert!(a
        .blocked
        .unwrap()
        .fix
        .contains("instances.private.public_ip: true"));
    let a = tcp(&n, "private", "client", 443);
    assert_blockers(
        &a,
        &["igw-main internet_gateway - IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS forward"],
    );
}

#[test]
fn sg_missing_rule() {
    let n = net(PUBLIC);
    let a = tcp(&n, "client", "web", 22);
    assert!(!a.reachable);
    assert_blockers(
        &a,
        &["sg-web security_group inbound ENI_SG_RULES_MISMATCH forward"],
    );
    let fix = &a.blocked.unwrap().fix;
    assert_eq!(fix, "add to vpcs.main.security_groups.web.inbound: `- { protocol: tcp, ports: 22, source: 198.51.100.10/32 }`");
}

const TIERS: &str = "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      a: { cidr: 10.0.0.0/24 }
      b: { cidr: 10.0.1.0/24, network_acl: locked }
      c: { cidr: 10.0.2.0/24, network_acl: trap }
      d: { cidr: 10.0.3.0/24, network_acl: sshdeny }
    network_acls:
      locked: {}
      trap:
        inbound:
          - { rule: 100, protocol: tcp, ports: 5432, cidr: 10.0.0.0/16, action: allow }
        outbound:
          - { rule: 100, protocol: tcp, ports: 1024-40000, cidr: 10.0.0.0/16, action: allow }
      sshdeny:
        inbound:
          - { rule: 90, protocol: tcp, ports: 22, cidr: 0.0.0.0/0, action: deny }
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
        outbound:
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
    security_groups:
      app:
        inbound:
          - { protocol: tcp, ports: 22, source: 0.0.0.0/0 }
      db:
        inbound:
          - { protocol: tcp, ports: 5432, source: sg:app }
          - { protocol: tcp, ports: 22, source: 10.0.0.0/16 }
          - { protocol: all, source: sg:db }
    instances:
      app: { subnet: a, security_groups: [app] }
      other: { subnet: a }
      db: { subnet: c, security_groups: [db] }
      b1: { subnet: b, security_groups: [db] }
      b2: { subnet: b, security_groups: [db] }
      jump: { subnet: d, security_groups: [db] }
";

#[test]
fn sg_reference() {
    let n = net(TIERS);
    let a = tcp(&n, "other", "db", 5432);
    // other carries the default group, not sg-app: the reference does not match it. (The trap NACL also
    // fails the return for part of the ephemeral range.)
    assert_first_blocker(
        &a,
        "sg-db security_group inbound ENI_SG_RULES_MISMATCH forward",
    );
    let a = tcp(&n, "app", "db", 5432);
    assert!(
        a.forward
            .iter()
            .any(|h| h.detail.contains("members of sg-app")),
        "{:#?}",
        a.forward
    );
    assert!(!a
        .blockers
        .iter()
        .any(|b| b.decision.kind.to_string() == "security_group"));
}

#[test]
fn nacl_inbound_deny_rule() {
    let n = net(TIERS);
    let a = tcp(&n, "app", "jump", 22);
    assert!(!a.reachable);
    assert_blockers(
        &a,
        &["acl-sshdeny network_acl inbound SUBNET_ACL_RESTRICTION forward"],
    );
    let b = a.blocked.unwrap();
    assert_eq!(
        vpclab::reach::rule_json(&b.decision.rule),
        serde_json::json!(90)
    );
    assert!(b.fix.contains("rule: 89"), "{}", b.fix);
}

#[test]
fn nacl_return_path_ephemeral_trap() {
    let n = net(TIERS);
    let a = tcp(&n, "app", "db", 5432);
    assert!(
        !a.reachable,
        "only part of the client's ephemeral range gets replies"
    );
    let sp = a.source_ports.clone().unwrap();
    assert_eq!(sp.reachable, vec!["32768-40000".to_string()]);
    assert_eq!(sp.blocked, vec!["40001-60999".to_string()]);
    assert_blockers(
        &a,
        &["acl-trap network_acl outbound SUBNET_ACL_RESTRICTION return"],
    );
    assert_eq!(
        vpclab::reach::rule_json(&a.blocked.as_ref().unwrap().decision.rule),
        serde_json::json!("*")
    );
    assert!(a
        .blocked
        .unwrap()
        .fix
        .contains("ports: 40001-60999, cidr: 10.0.0.0/24"));
}

#[test]
fn same_subnet_bypasses_nacls() {
    let n = net(TIERS);
    let a = tcp(&n, "b1", "b2", 5432);
    assert!(a.reachable, "{:#?}", a.blockers);
    assert!(a.forward.iter().any(|h| h.kind.to_string() == "subnet"));
    assert!(!a
        .forward
        .iter()
        .any(|h| h.kind.to_string() == "network_acl"));
    // Across subnets the empty custom NACL denies everything.
    let a = tcp(&n, "app", "b1", 22);
    assert_first_blocker(
        &a,
        "acl-locked network_acl inbound SUBNET_ACL_RESTRICTION forward",
    );
}

const NAT: &str = "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: public }
      priv: { cidr: 10.0.1.0/24, route_table: private }
    route_tables:
      public:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
      private:
        routes:
          - { destination: 0.0.0.0/0, target: nat:nat-a }
          - { destination: 10.1.0.0/16, target: pcx:main-spoke }
    nat_gateways:
      nat-a: { subnet: pub }
    instances:
      app: { subnet: priv }
  spoke:
    cidr: 10.1.0.0/16
    subnets:
      s: { cidr: 10.1.0.0/24, route_table: r }
    route_tables:
      r:
        routes:
          - { destination: 0.0.0.0/0, target: pcx:main-spoke }
    security_groups:
      open:
        inbound:
          - { protocol: all, source: 0.0.0.0/0 }
    instances:
      edge: { subnet: s, security_groups: [open] }
  third:
    cidr: 10.2.0.0/16
    subnets:
      s: { cidr: 10.2.0.0/24, route_table: r }
    route_tables:
      r:
        routes:
          - { destination: 10.1.0.0/16, target: pcx:spoke-third }
    security_groups:
      open:
        inbound:
          - { protocol: all, source: 0.0.0.0/0 }
    instances:
      far: { subnet: s, security_groups: [open] }
peerings:
  main-spoke: { requester: main, accepter: spoke }
  spoke-third: { requester: spoke, accepter: third }
internet:
  hosts:
    client: { ip: 198.51.100.10 }
";

#[test]
fn nat_gateway_egress_and_no_inbound() {
    let n = net(NAT);
    let a = tcp(&n, "app", "client", 443);
    assert!(a.reachable, "{:#?}", a.blockers);
    assert!(a
        .forward
        .iter()
        .any(|h| h.kind.to_string() == "nat_gateway"));
    assert!(a
        .return_path
        .iter()
        .any(|h| h.kind.to_string() == "nat_gateway"));
    // Nothing on the internet can address app; the NAT gateway's EIP accepts no new flow.
    let a = tcp(&n, "client", "app", 80);
    assert_eq!(blockers(&a)[0].3, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS");
    let eip = n.nat_gateways[0].elastic_ip.unwrap().to_string();
    let a = tcp(&n, "client", &eip, 80);
    assert!(!a.reachable);
    let b = a.blocked.unwrap();
    assert_eq!(
        (b.decision.kind.to_string(), b.code().as_str()),
        ("nat_gateway".into(), "NGW_NO_INBOUND_INITIATION")
    );
}

#[test]
fn peering_without_the_return_route() {
    let n = net(NAT);
    // main → spoke goes through; spoke routes 10.0.0.0/16 only via its 0/0 → pcx, which works;
    // third → spoke has a route but spoke has none back to third (only 0/0 → main-spoke).
    let a = tcp(&n, "app", "edge", 80);
    assert!(a.reachable, "{:#?}", a.blockers);
    let a = tcp(&n, "far", "edge", 80);
    assert!(!a.reachable);
    assert_blockers(
        &a,
        &["pcx-main-spoke peering - PCX_REQUIRES_ADDRESS_IN_VPC_CIDR return"],
    );
}

#[test]
fn non_transitive_peering() {
    let n = net(NAT);
    // main → third over main-spoke (main routes 10.1/16 only; 0/0 goes to the NAT gateway →
    // IGW drops the private destination). Ask for third's private address explicitly.
    let far_ip = n.enis[n.instance(n.instance_by_name("far").unwrap()).eni.idx()].private_ip;
    let a = tcp(&n, "edge", &far_ip.to_string(), 80);
    assert!(!a.reachable);
    assert!(a.blockers.is_empty() || a.blocked.is_some());
    assert_first_blocker(
        &a,
        "pcx-main-spoke peering - PCX_REQUIRES_ADDRESS_IN_VPC_CIDR forward",
    );
}

#[test]
fn edge_to_edge_through_a_peers_nat_gateway() {
    let n = net(NAT);
    let a = tcp(&n, "edge", "client", 443);
    assert!(!a.reachable);
    assert_blockers(
        &a,
        &["pcx-main-spoke peering - PCX_REQUIRES_ADDRESS_IN_VPC_CIDR forward"],
    );
    assert!(a.blocked.unwrap().fix.contains("its own internet_gateway"));
}

#[test]
fn icmp_echo() {
    let n = net(PUBLIC);
    let a = ask(&n, "client", "web", 1, 0);
    assert!(!a.reachable, "sg-web allows only tcp 80");
    assert!(a.source_ports.is_none() && a.port.is_none());
    assert_eq!(blockers(&a)[0].3, "ENI_SG_RULES_MISMATCH");
}

#[test]
fn unknown_names_are_input_errors() {
    let n = net(PUBLIC);
    assert!(resolve(&n, "nobody").is_err());
    // An address nobody owns is a question (spec/cli.md), an unusable one an input error.
    assert_eq!(
        resolve(&n, "10.0.0.200"),
        Ok(vpclab::reach::Party::Address("10.0.0.200".parse().unwrap()))
    );
    assert!(resolve(&n, "127.0.0.1").is_err());
    assert!(resolve(&n, "0.0.0.0").is_err());
    assert!(resolve(&n, "internet").is_ok());
    assert!(resolve(&n, "8.8.8.8").is_ok());
}

const PEER: &str = "name: t
vpcs:
  a:
    cidr: 10.0.0.0/16
    subnets:
      s: { cidr: 10.0.0.0/24, route_table: r }
    route_tables:
      r:
        routes:
          - { destination: 10.1.0.0/16, target: pcx:a-b }
    instances:
      x: { subnet: s }
  b:
    cidr: 10.1.0.0/16
    subnets:
      s: { cidr: 10.1.0.0/24 }
    security_groups:
      open:
        inbound:
          - { protocol: tcp, ports: 80, source: 10.0.0.0/16 }
    instances:
      y: { subnet: s, security_groups: [open] }
peerings:
  a-b: { requester: a, accepter: b }
";

#[test]
fn peering_missing_return_route() {
    let n = net(PEER);
    let a = tcp(&n, "x", "y", 80);
    assert!(!a.reachable);
    assert_eq!(a.destination_ip.unwrap().to_string(), "10.1.0.4");
    assert!(a.forward.iter().any(|h| h.kind.to_string() == "peering"));
    assert_blockers(
        &a,
        &["rtb-main route_table - NO_ROUTE_TO_DESTINATION return"],
    );
    let fix = &a.blocked.unwrap().fix;
    assert!(fix.starts_with("add to vpcs.b.route_tables.main.routes: `- { destination: 10.0.0.0/16, target: pcx:a-b }`"), "{fix}");
}

#[test]
fn public_ip_behind_a_nat_route_is_asymmetric() {
    // An instance with a public IP in a subnet whose default route is a NAT gateway: the request
    // comes in through the IGW, the reply leaves through the NAT gateway from another address.
    let y = NAT.replace(
        "      app: { subnet: priv }",
        "      app: { subnet: priv, public_ip: true }",
    );
    let n = net(&y);
    let a = tcp(&n, "client", "app", 80);
    assert!(!a.reachable);
    // Every blocker: the default group admits only its members, and the reply is asymmetric.
    assert_blockers(
        &a,
        &[
            "sg-default security_group inbound ENI_SG_RULES_MISMATCH forward",
            "nat-a nat_gateway - NO_PATH return",
        ],
    );
}
