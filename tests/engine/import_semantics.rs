//! Packets through the engine for the keys imports need (docs/topology.md, last section):
//! blackhole routes, prefix lists in routes and SG rules, secondary private IPs and extra
//! network interfaces. Each agrees with `reach` on the same question.

use crate::common::*;
use vpclab::backend::virt::ProbeProto;
use vpclab::policy::{ComponentKind, ExplanationCode, RuleId};

/// `vpclab reach FILE --from FROM --to TO --port PORT --json` on a topology text: the
/// analyzer's answer through the binary (its JSON is the contract of spec/cli.md).
fn reach(y: &str, from: &str, to: &str, port: u16) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.yaml");
    std::fs::write(&f, y).unwrap();
    let port = port.to_string();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("reach")
        .arg(&f)
        .args(["--from", from, "--to", to, "--port", &port, "--json"])
        .output()
        .expect("vpclab runs");
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&o.stderr)))
}

const BLACKHOLE: &str = "name: bh
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      a: { cidr: 10.0.0.0/24, route_table: r, map_public_ip: true }
      b: { cidr: 10.0.1.0/24 }
    route_tables:
      r:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
          - { destination: 192.0.2.0/24, target: blackhole }
          - { destination: 10.0.1.0/24, target: blackhole }
    security_groups:
      open:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: a, security_groups: [open], services: [http:80] }
      db: { subnet: b, security_groups: [open], services: [http:80] }
internet:
  hosts:
    far: { ip: 192.0.2.10, services: [http:80] }
    near: { ip: 198.51.100.10, services: [http:80] }
";

#[test]
fn blackhole_route_drops_at_the_route_table() {
    let mut l = lab(BLACKHOLE);
    let drops = l.engine().stats().policy_drops;
    let r = probe(&mut l, "web", "far", ProbeProto::Tcp, 80);
    assert!(!r.delivered);
    assert_blocked(&r, "rtb-r", ComponentKind::RouteTable);
    let b = r.blocked.as_ref().unwrap();
    assert_eq!(b.code, Some(ExplanationCode::BadStateRoute));
    assert_eq!(b.rule, RuleId::Route("192.0.2.0/24".parse().unwrap()));
    assert!(b.detail.contains("blackhole"), "{}", b.detail);
    assert!(
        l.engine().stats().policy_drops > drops,
        "the engine counts the drop"
    );
    // The longer blackhole wins over 0.0.0.0/0; other internet addresses still get out.
    assert_ok(&probe(&mut l, "web", "near", ProbeProto::Tcp, 80));
    // A blackholed subnet route: nothing arrives at db, so db's ENI logs nothing (AWS: the
    // packet never reaches the destination's interface).
    let r = probe(&mut l, "web", "db", ProbeProto::Tcp, 80);
    assert_blocked(&r, "rtb-r", ComponentKind::RouteTable);
    let net = l.engine().network().clone();
    let db = net.instance(net.instance_by_name("db").unwrap()).eni;
    assert!(r.events.iter().all(|e| e.eni != db), "{:?}", r.events);
    // reach names the same blocker.
    let a = reach(BLACKHOLE, "web", "far", 80);
    assert_eq!(a["reachable"], false);
    assert_eq!(a["blocked"]["component"], "rtb-r", "{a:#}");
    assert_eq!(a["blocked"]["code"], "BAD_STATE_ROUTE", "{a:#}");
    assert_eq!(reach(BLACKHOLE, "web", "near", 80)["reachable"], true);
}
