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

/// NGW with a second instance behind the NAT gateway: `attacker` floods, `app` connects.
fn flood_lab() -> vpclab::backend::virt::Lab {
    lab(&NGW.replace("PUBRT", "pub").replace(
        "      app: { subnet: priv }",
        "      app: { subnet: priv }\n      attacker: { subnet: priv }",
    ))
}

/// Sends one TCP segment with `fl` from `from` (behind the NAT) to the internet client's :80.
fn segment_out(l: &mut vpclab::backend::virt::Lab, from: &str, sport: u16, fl: u8) {
    use vpclab::engine::wire::Tcp;
    let dst = l.resolve(from, "client").unwrap().unwrap();
    let host = l.host_mut(from).unwrap();
    let h = vpclab::policy::Header::l4(host.ip, dst, vpclab::model::proto::TCP, sport, 80);
    let f = host.frame(
        &h,
        Tcp {
            flags: fl,
            seq: 1,
            ack: 0,
        },
        0,
        &[],
    );
    let port = host.port;
    l.inject(port, &f);
}

/// A SYN flood through a NAT gateway (issue 18): one instance sends more never-completed
/// handshakes to one destination than the gateway's 55,000 ports for it. Before, every
/// half-open mapping held its port for 350 s, so another instance behind the same gateway got
/// ErrorPortAllocation; now the oldest half-open mapping is evicted first, the table stays at
/// the allowance, and the connection that was open before the flood survives.
#[test]
fn a_syn_flood_through_a_nat_gateway_does_not_lock_another_instance_out() {
    use vpclab::backend::virt::host::flags;
    use vpclab::engine::nat::MAX_PER_DEST;
    let mut l = flood_lab();
    let (mut before, e) = l.tcp_connect("app", "client", 80).unwrap();
    assert!(e.replied && !e.reset);
    let flood = MAX_PER_DEST + 1_000;
    for i in 0..flood {
        segment_out(&mut l, "attacker", (1024 + i % 64_000) as u16, flags::SYN);
    }
    let size = l.engine().nat_mappings();
    assert!(
        size <= MAX_PER_DEST as usize,
        "{size} mappings after {flood} SYNs"
    );
    for i in 0..20 {
        let (_, e) = l.tcp_connect("app", "client", 80).unwrap();
        assert!(
            e.replied && !e.reset,
            "app's connection {i} during the flood: {e:?}"
        );
        segment_out(&mut l, "attacker", 1024 + i, flags::SYN);
    }
    assert_eq!(l.engine().stats().nat_port_exhausted, 0);
    let ex = l.tcp_send(&mut before, b"GET / HTTP/1.0\r\n\r\n");
    assert!(
        ex.replied && !ex.reset,
        "the connection from before: {ex:?}"
    );
    assert!(l.engine().nat_mappings() <= MAX_PER_DEST as usize);
}

/// Half-open NAT gateway mappings live Linux's SYN_SENT lifetime (120 s), not 350 s; an
/// established one stays until the idle timeout.
#[test]
fn half_open_nat_mappings_expire_before_established_ones() {
    use vpclab::backend::virt::host::flags;
    let mut l = flood_lab();
    let (mut est, _) = l.tcp_connect("app", "client", 80).unwrap();
    l.host_mut("client").unwrap().running = false;
    segment_out(&mut l, "attacker", 4000, flags::SYN);
    l.host_mut("client").unwrap().running = true;
    assert_eq!(l.engine().nat_mappings(), 2);
    for _ in 0..13 {
        l.advance(Duration::from_secs(10));
    }
    assert_eq!(l.engine().nat_mappings(), 1, "SYN_SENT lives 120 s");
    let ex = l.tcp_send(&mut est, b"GET / HTTP/1.0\r\n\r\n");
    assert!(ex.replied && !ex.reset, "established after 130 s: {ex:?}");
}
