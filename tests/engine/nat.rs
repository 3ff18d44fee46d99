//! NAT gateways and NAT instances through the engine.
use crate::common::*;
use std::time::Duration;
use vpclab::backend::virt::ProbeProto;
use vpclab::policy::ComponentKind;

/// A private instance behind a NAT gateway; `PUBRT` is the public subnet's route table (`pub`
/// routes to the IGW, `main` does not). Shared with `virt_fixes.rs`.
pub(crate) const NGW: &str = "name: ngw
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: PUBRT }
      priv: { cidr: 10.0.1.0/24, route_table: priv }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
      priv:
        routes:
          - { destination: 0.0.0.0/0, target: nat:nat-a }
    nat_gateways:
      nat-a: { subnet: pub }
    instances:
      app: { subnet: priv }
internet:
  hosts:
    client: { ip: 198.51.100.10, services: [http:80, udp:9000] }
";

#[test]
fn nat_gateway_egress_works_and_inbound_is_refused() {
    let mut l = lab(&NGW.replace("PUBRT", "pub"));
    let r = probe(&mut l, "app", "client", ProbeProto::Tcp, 80);
    assert_ok(&r);
    assert!(r.trace.iter().any(|h| h.kind == ComponentKind::NatGateway));
    let net = l.engine().network().clone();
    let eip = net.nat_gateways[0].elastic_ip.unwrap();
    let seen = &l.host_mut("client").unwrap().received;
    assert!(
        seen.iter().all(|p| p.header.src == eip),
        "the internet sees only the EIP"
    );
    assert!(seen.iter().all(|p| p.header.sport >= 1024));
    // NAT gateway ENI logs both legs (ingress from app, egress to the internet, and back).
    let nat_eni = net.nat_gateways[0].eni;
    assert!(r.events.iter().filter(|e| e.eni == nat_eni).count() >= 4);
    // UDP and ICMP too.
    assert_ok(&probe(&mut l, "app", "client", ProbeProto::Udp, 9000));
    assert_ok(&probe(&mut l, "app", "client", ProbeProto::Icmp, 0));
    // Unsolicited inbound to the EIP.
    let r = probe(&mut l, "client", &eip.to_string(), ProbeProto::Tcp, 80);
    assert_blocked(&r, "nat-a", ComponentKind::NatGateway);
    assert_eq!(
        r.blocked.unwrap().code.map(|c| c.as_str()),
        Some("NGW_NO_INBOUND_INITIATION")
    );
}

#[test]
fn nat_gateway_in_subnet_without_igw_route_fails() {
    let mut l = lab(&NGW.replace("PUBRT", "main"));
    let r = probe(&mut l, "app", "client", ProbeProto::Tcp, 80);
    assert_blocked(&r, "rtb-main", ComponentKind::RouteTable);
    assert_eq!(
        r.blocked.unwrap().code.map(|c| c.as_str()),
        Some("NO_ROUTE_TO_DESTINATION")
    );
}

#[test]
fn nat_idle_timeout_sends_rst() {
    let mut l = lab(&NGW.replace("PUBRT", "pub"));
    let (mut flow, ex) = l.tcp_connect("app", "client", 80).unwrap();
    assert!(ex.replied && !ex.reset);
    l.advance(Duration::from_secs(300));
    // Not idle long enough: the connection still works (client's http answers).
    let ex = l.tcp_send(&mut flow, b"GET / HTTP/1.0\r\n\r\n");
    assert!(ex.replied && !ex.reset, "{ex:?}");
    let (mut flow, _) = l.tcp_connect("app", "client", 80).unwrap();
    l.advance(Duration::from_secs(351));
    let ex = l.tcp_send(&mut flow, b"x");
    assert!(
        ex.reset,
        "after 350 s idle the NAT gateway answers RST: {ex:?}"
    );
}

const NATI: &str = "name: nati
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub, map_public_ip: true }
      priv: { cidr: 10.0.1.0/24, route_table: priv }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
      priv:
        routes:
          - { destination: 0.0.0.0/0, target: instance:natbox }
    security_groups:
      nat:
        inbound:
          - { protocol: all, source: 10.0.0.0/16 }
    instances:
      natbox: { subnet: pub, role: nat, source_dest_check: SDC, security_groups: [nat] }
      x: { subnet: priv }
internet:
  hosts:
    client: { ip: 198.51.100.10, services: [http:80] }
";

#[test]
fn nat_instance_needs_source_dest_check_off() {
    let mut l = lab(&NATI.replace("SDC", "false"));
    let r = probe(&mut l, "x", "client", ProbeProto::Tcp, 80);
    assert_ok(&r);
    let net = l.engine().network().clone();
    let natbox_pub = net
        .eni(net.instance(net.instance_by_name("natbox").unwrap()).eni)
        .public_ip
        .unwrap();
    assert!(l
        .host_mut("client")
        .unwrap()
        .received
        .iter()
        .all(|p| p.header.src == natbox_pub));
    let mut l = lab(&NATI.replace("SDC", "true"));
    let r = probe(&mut l, "x", "client", ProbeProto::Tcp, 80);
    assert_blocked(&r, "eni-natbox", ComponentKind::Eni);
    assert_eq!(
        r.blocked.unwrap().code.map(|c| c.as_str()),
        Some("ENI_SOURCE_DEST_CHECK_RESTRICTION")
    );
}
