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

const FIXED: &str = "name: fx
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      a: { cidr: 10.0.0.0/24, route_table: r }
    route_tables:
      r:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      open:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: a, public_ip: 54.1.2.3, security_groups: [open], services: [http:80] }
internet:
  hosts:
    client: { ip: 198.51.100.10, services: [http:80] }
";

#[test]
fn fixed_public_ip_outside_the_pool_is_translated_by_the_gateway() {
    let mut l = lab(FIXED);
    let r = probe(&mut l, "client", "web", ProbeProto::Tcp, 80);
    assert_ok(&r);
    assert_eq!(r.target, Some("54.1.2.3".parse().unwrap()));
    let a = reach(FIXED, "client", "54.1.2.3", 80);
    assert_eq!(a["reachable"], true, "{a:#}");
    // Outbound, the internet host sees the fixed address as the source.
    let r = probe(&mut l, "web", "client", ProbeProto::Tcp, 80);
    assert_ok(&r);
    assert!(
        r.trace
            .iter()
            .any(|h| h.component == "igw-v" && h.detail.contains("10.0.0.4 → 54.1.2.3")),
        "{:#?}",
        r.trace
    );
}

const PREFIX: &str = "name: pl
prefix_lists:
  corp:
    aws_id: pl-0corp
    entries: [192.0.2.0/24, { cidr: 198.51.100.0/24, description: office }]
  blocked:
    entries: [198.51.100.0/25]
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      a: { cidr: 10.0.0.0/24, route_table: r, map_public_ip: true }
    route_tables:
      r:
        routes:
          - { destination: pl:corp, target: igw }
          - { destination: pl:blocked, target: blackhole }
          - { destination: 192.0.2.0/24, target: blackhole }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: pl:corp }
    instances:
      web: { subnet: a, security_groups: [web], services: [http:80] }
internet:
  hosts:
    office: { ip: 198.51.100.200, services: [http:80] }
    branch: { ip: 198.51.100.20, services: [http:80] }
    dc: { ip: 192.0.2.10, services: [http:80] }
    other: { ip: 203.0.113.200, services: [http:80] }
";

#[test]
fn prefix_lists_in_routes_and_security_groups() {
    let mut l = lab(PREFIX);
    // An entry routes like its own route: 198.51.100.0/24 → igw, both ways.
    let r = probe(&mut l, "office", "web", ProbeProto::Tcp, 80);
    assert_ok(&r);
    assert!(
        r.trace.iter().any(|h| h
            .detail
            .contains("route 198.51.100.0/24 (pl-0corp) → igw-v")),
        "{:#?}",
        r.trace
    );
    assert!(
        r.trace
            .iter()
            .any(|h| h.detail.contains("from/to pl-0corp")),
        "{:#?}",
        r.trace
    );
    // Longest prefix over the entries: the other list's /25 is a blackhole for .20.
    let r = probe(&mut l, "branch", "web", ProbeProto::Tcp, 80);
    assert!(r.delivered, "the SG admits it (inside pl:corp)");
    assert_blocked(&r, "rtb-r", ComponentKind::RouteTable);
    let b = r.blocked.as_ref().unwrap();
    assert!(
        b.detail
            .contains("route 198.51.100.0/25 (pl-blocked) is a blackhole"),
        "{}",
        b.detail
    );
    // The CIDR route beats the entry of the same CIDR: 192.0.2.0/24 is a blackhole.
    let r = probe(&mut l, "dc", "web", ProbeProto::Tcp, 80);
    assert!(r.delivered);
    assert_blocked(&r, "rtb-r", ComponentKind::RouteTable);
    // Outside the list: the SG has no rule for it.
    let r = probe(&mut l, "other", "web", ProbeProto::Tcp, 80);
    assert_blocked(&r, "sg-web", ComponentKind::SecurityGroup);
    // reach agrees on each.
    for (from, ok) in [
        ("office", true),
        ("branch", false),
        ("dc", false),
        ("other", false),
    ] {
        let a = reach(PREFIX, from, "web", 80);
        assert_eq!(a["reachable"], ok, "{from}: {a:#}");
    }
    let a = reach(PREFIX, "office", "web", 80);
    assert!(a.to_string().contains("pl-0corp"), "{a:#}");
}

const SECONDARY: &str = "name: sec
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      a: { cidr: 10.0.0.0/24, route_table: r }
      b: { cidr: 10.0.1.0/24 }
    route_tables:
      r:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      web:
        outbound:
          - { protocol: all, destination: 0.0.0.0/0 }
      db:
        inbound:
          - { protocol: tcp, ports: 80, source: sg:web }
    instances:
      web: { subnet: a, ip: 10.0.0.10, security_groups: [web], public_ip: true }
      db: { subnet: a, ip: 10.0.0.20, secondary_ips: [10.0.0.21, 10.0.0.22], security_groups: [db], services: [http:80] }
      app: { subnet: b, ip: 10.0.1.10, security_groups: [web] }
internet:
  hosts:
    client: { ip: 198.51.100.10 }
";

#[test]
fn secondary_ips_belong_to_their_eni() {
    let mut l = lab(SECONDARY);
    let net = l.engine().network().clone();
    let db = net.instance(net.instance_by_name("db").unwrap());
    let db_eni = db.eni;
    // Delivered to the ENI and answered from the secondary, same subnet and across subnets.
    for from in ["web", "app"] {
        let r = probe(&mut l, from, "10.0.0.21", ProbeProto::Tcp, 80);
        assert_ok(&r);
        assert!(
            r.events.iter().any(|e| e.eni == db_eni
                && e.header.dst() == "10.0.0.21".parse::<std::net::IpAddr>().unwrap()),
            "db's ENI sees the packet to its secondary"
        );
        let a = reach(SECONDARY, from, "10.0.0.22", 80);
        assert_eq!(a["reachable"], true, "{a:#}");
    }
    // `--to` a secondary names the instance (the JSON's `to` is `NAME (IP)`).
    assert_eq!(
        reach(SECONDARY, "web", "10.0.0.22", 80)["to"],
        "db (10.0.0.22)"
    );
    assert_eq!(
        net.eni_by_private_ip(db.vpc, "10.0.0.22".parse().unwrap()),
        Some(db_eni)
    );
    // The engine answers ARP for a secondary with the owner's MAC.
    let web = net.instance(net.instance_by_name("web").unwrap());
    let wp = net.port(web.port).clone();
    let mut e = vpclab::engine::Engine::new(net.clone(), Default::default());
    e.handle_frame(
        web.port,
        &vpclab::engine::wire::arp_request(wp.mac, wp.ip, "10.0.0.21".parse().unwrap()),
        1,
    );
    let mut macs = vec![];
    while let Some(o) = e.poll_output() {
        if let vpclab::engine::Output::Frame { data, .. } = o {
            macs.push(data[6..12].to_vec());
        }
    }
    assert_eq!(macs, vec![net.eni(db_eni).mac.to_vec()]);
    // The public IP maps to the primary only: from the internet, the secondary has none.
    let a = reach(SECONDARY, "client", "10.0.0.21", 80);
    assert_eq!(a["reachable"], false);
}

const TWO_ENIS: &str = "name: two
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      front: { cidr: 10.0.0.0/24, route_table: r }
      back: { cidr: 10.0.1.0/24 }
    route_tables:
      r:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      public:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
      admin:
        inbound:
          - { protocol: tcp, ports: 22, source: 10.0.1.0/24 }
    instances:
      gw: { subnet: front, ip: 10.0.0.10, public_ip: true, security_groups: [public], services: [http:80, tcp:22],
            network_interfaces: [{ subnet: back, ip: 10.0.1.10, secondary_ips: [10.0.1.11], security_groups: [admin], aws_id: eni-0back }] }
      ops: { subnet: back, ip: 10.0.1.20 }
      web: { subnet: front, ip: 10.0.0.20 }
internet:
  hosts:
    client: { ip: 198.51.100.10 }
";

#[test]
fn a_second_interface_has_its_own_security_groups() {
    let mut l = lab(TWO_ENIS);
    let net = l.engine().network().clone();
    let gw = net.instance(net.instance_by_name("gw").unwrap());
    assert_eq!(gw.enis.len(), 2);
    let back = gw.enis[1];
    assert_eq!(net.eni(back).aws_id, "eni-0back");
    // ops reaches gw's back interface on 22 (admin group), not on 80.
    let r = probe(&mut l, "ops", "10.0.1.10", ProbeProto::Tcp, 22);
    assert_ok(&r);
    assert!(
        r.events.iter().any(|e| e.eni == back),
        "logged at the back ENI"
    );
    assert!(
        r.events.iter().all(|e| e.eni != gw.eni),
        "nothing at the front ENI"
    );
    let r = probe(&mut l, "ops", "10.0.1.10", ProbeProto::Tcp, 80);
    assert_blocked(&r, "sg-admin", ComponentKind::SecurityGroup);
    // The secondary IP of the second interface is the instance too.
    assert_ok(&probe(&mut l, "ops", "10.0.1.11", ProbeProto::Tcp, 22));
    // web (front subnet) is not in admin's source range.
    let r = probe(&mut l, "web", "10.0.1.10", ProbeProto::Tcp, 22);
    assert_blocked(&r, "sg-admin", ComponentKind::SecurityGroup);
    // The front interface keeps its own groups: 80 from the internet, 22 not.
    assert_ok(&probe(&mut l, "client", "gw", ProbeProto::Tcp, 80));
    let r = probe(&mut l, "client", "gw", ProbeProto::Tcp, 22);
    assert_blocked(&r, "sg-public", ComponentKind::SecurityGroup);
    // reach agrees, and `--to eni-0back` names the instance.
    for (from, to, port, ok) in [
        ("ops", "10.0.1.10", 22, true),
        ("ops", "10.0.1.10", 80, false),
        ("web", "10.0.1.10", 22, false),
        ("client", "gw", 80, true),
        ("client", "gw", 22, false),
    ] {
        let a = reach(TWO_ENIS, from, to, port);
        assert_eq!(a["reachable"], ok, "{from} → {to}:{port}: {a:#}");
    }
    assert_eq!(net.instance_by_display_id("eni-0back"), Some(gw.id));
    // The virtual host answers on the second interface's addresses.
    assert_eq!(net.port_extra_addrs(gw.port).len(), 2);
}
