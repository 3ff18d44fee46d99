//! Gateways as sources: the flow a NAT gateway starts at its own ENI (`--from nat-…`) and one
//! arriving over a peering (`--from pcx-… --src-ip IP`), through the library and the binary.

use crate::common::net;
use std::process::Command;
use vpclab::reach::{analyze, resolve, resolve_source, Query};

const NAT: &str = "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: public }
      locked: { cidr: 10.0.2.0/24, route_table: public, network_acl: shut }
      priv: { cidr: 10.0.1.0/24, route_table: private }
    route_tables:
      public:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
      private:
        routes:
          - { destination: 0.0.0.0/0, target: nat:nat-a }
    network_acls:
      shut:
        inbound:
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
        outbound: []
    nat_gateways:
      nat-a: { subnet: pub }
      nat-shut: { subnet: locked }
    security_groups:
      open:
        inbound:
          - { protocol: all, source: 0.0.0.0/0 }
    instances:
      app: { subnet: priv, security_groups: [open] }
internet:
  hosts:
    client: { ip: 198.51.100.10 }
";

fn ask(n: &vpclab::model::Network, from: &str, to: &str, port: u16) -> vpclab::reach::Analysis {
    let q = Query {
        from: resolve_source(n, from, None).unwrap(),
        to: resolve(n, to).unwrap(),
        proto: 6,
        port,
        src_port: None,
    };
    analyze(n, &q)
}

#[test]
fn nat_gateway_reaches_the_internet_and_its_vpc_from_its_own_address() {
    let n = net(NAT);
    let a = ask(&n, "nat-a", "client", 443);
    assert!(a.reachable, "{:#?}", a.blockers);
    assert!(a.forward.iter().any(|h| h.component == "rtb-public"));
    // Its reply comes back to the gateway itself, not translated on to anyone.
    assert!(a
        .return_path
        .last()
        .is_some_and(|h| h.detail.contains("delivered to nat-a")));
    let a = ask(&n, "nat-a", "app", 22);
    assert!(a.reachable, "{:#?}", a.blockers);
}

#[test]
fn nat_gateway_source_is_blocked_by_its_subnets_nacl_outbound() {
    let n = net(NAT);
    let a = ask(&n, "nat-shut", "app", 22);
    assert!(!a.reachable);
    let b = a.blocked.unwrap();
    assert_eq!(
        (
            b.decision.component.as_str(),
            b.decision.kind.to_string(),
            b.code().as_str()
        ),
        ("acl-shut", "network_acl".into(), "SUBNET_ACL_RESTRICTION")
    );
}

#[test]
fn nat_gateway_does_not_spoof() {
    let n = net(NAT);
    let own = resolve_source(&n, "nat-a", None).unwrap();
    let ip = own.source_ip(&n);
    assert_eq!(resolve_source(&n, "nat-a", Some(ip)), Ok(own));
    let e = resolve_source(&n, "nat-a", Some("10.0.0.99".parse().unwrap())).unwrap_err();
    assert!(e.contains("do not spoof"), "{e}");
}

#[test]
fn binary_reach_from_a_nat_gateway() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
            .arg("reach")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/topologies/three-tier.yaml"
            ))
            .args(args)
            .output()
            .expect("vpclab runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["--from", "nat-a", "--to", "internet", "--port", "443"]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = run(&[
        "--from",
        "nat-a",
        "--src-ip",
        "10.0.0.99",
        "--to",
        "internet",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("do not spoof"), "{err}");
}

/// Two peered VPCs: `b` routes back to `a` over the peering from `good` only; `shut` denies
/// every inbound packet on its NACL.
const PCX: &str = "name: t
vpcs:
  a:
    cidr: 10.0.0.0/16
    subnets:
      s: { cidr: 10.0.0.0/24, route_table: r }
    route_tables:
      r:
        routes:
          - { destination: 10.1.0.0/16, target: pcx:a-b }
  b:
    cidr: 10.1.0.0/16
    subnets:
      good: { cidr: 10.1.0.0/24, route_table: back }
      noroute: { cidr: 10.1.1.0/24 }
      shut: { cidr: 10.1.2.0/24, route_table: back, network_acl: shut }
    route_tables:
      back:
        routes:
          - { destination: 10.0.0.0/16, target: pcx:a-b }
    network_acls:
      shut:
        inbound: []
        outbound:
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 10.0.0.0/16 }
    instances:
      y: { subnet: good, security_groups: [web] }
      lost: { subnet: noroute, security_groups: [web] }
      locked: { subnet: shut, security_groups: [web] }
peerings:
  a-b: { requester: a, accepter: b }
";

fn from_pcx(n: &vpclab::model::Network, ip: &str, to: &str) -> vpclab::reach::Analysis {
    let q = Query {
        from: resolve_source(n, "pcx-a-b", Some(ip.parse().unwrap())).unwrap(),
        to: resolve(n, to).unwrap(),
        proto: 6,
        port: 80,
        src_port: None,
    };
    analyze(n, &q)
}

#[test]
fn peering_source_arrives_in_the_destination_vpc_and_returns_over_it() {
    let n = net(PCX);
    let a = from_pcx(&n, "10.0.0.50", "y");
    assert!(a.reachable, "{:#?}", a.blockers);
    assert_eq!(a.forward[0].component, "pcx-a-b");
    assert!(a.return_path.iter().any(|h| h.component == "rtb-back"));
    assert_eq!(a.return_path.last().unwrap().component, "pcx-a-b");
    // The SG sees the peer address: one outside 10.0.0.0/16 is not admitted (nor in a's CIDR).
    assert!(resolve_source(&n, "pcx-a-b", Some("10.9.0.1".parse().unwrap())).is_err());
    assert!(resolve_source(&n, "pcx-a-b", None).is_err());
}

#[test]
fn peering_source_blocked_by_the_nacl_on_arrival() {
    let n = net(PCX);
    let a = from_pcx(&n, "10.0.0.50", "locked");
    assert!(!a.reachable);
    let b = a.blocked.unwrap();
    assert_eq!(
        (b.decision.component.as_str(), b.code().as_str()),
        ("acl-shut", "SUBNET_ACL_RESTRICTION")
    );
    assert_eq!(
        b.decision.direction.map(|d| d.to_string()),
        Some("inbound".into())
    );
}

#[test]
fn peering_source_blocked_by_a_missing_return_route() {
    let n = net(PCX);
    let a = from_pcx(&n, "10.0.0.50", "lost");
    assert!(!a.reachable);
    let b = a.blocked.unwrap();
    assert_eq!(
        (b.decision.component.as_str(), b.code().as_str()),
        ("rtb-main", "NO_ROUTE_TO_DESTINATION")
    );
}

#[test]
fn binary_reach_from_a_peering() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
            .arg("reach")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/topologies/peering.yaml"
            ))
            .args(args)
            .output()
            .expect("vpclab runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&[
        "--from",
        "pcx-a-b",
        "--src-ip",
        "10.2.1.50",
        "--to",
        "alpha",
        "--port",
        "80",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // bravo admits only members of vpc-a's group: an address arriving over the peering is not.
    let (code, out, err) = run(&[
        "--from",
        "pcx-a-b",
        "--src-ip",
        "10.1.1.50",
        "--to",
        "bravo",
        "--port",
        "80",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let (code, _, err) = run(&["--from", "pcx-a-b", "--to", "alpha"]);
    assert_eq!(code, 2, "{err}");
}
