//! Gateways as sources (`--from nat-…`): the flow a NAT gateway starts at its own ENI, through
//! the library and the binary.

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
