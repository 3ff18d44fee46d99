//! VPC peering through the engine.
use crate::common::*;
use vpclab::backend::virt::ProbeProto;
use vpclab::policy::ComponentKind;

pub(crate) const PEER: &str = "name: peer
vpcs:
  a:
    cidr: 10.0.0.0/16
    subnets:
      s: { cidr: 10.0.0.0/24, route_table: r }
    route_tables:
      r:
        routes:
          - { destination: 10.1.0.0/16, target: pcx:ab }
          - { destination: 10.2.0.0/16, target: pcx:ab }
          - { destination: 10.9.0.0/16, target: pcx:ab }
    instances:
      ia: { subnet: s }
  b:
    cidr: 10.1.0.0/16
    subnets:
      s: { cidr: 10.1.0.0/24, route_table: r }
    route_tables:
      r:
        routes:
          - { destination: 10.0.0.0/16, target: pcx:ab }
          - { destination: 10.2.0.0/16, target: pcx:bc }
    security_groups:
      open:
        inbound:
          - { protocol: all, source: 0.0.0.0/0 }
    instances:
      ib: { subnet: s, security_groups: [open], services: [http:80] }
  c:
    cidr: 10.2.0.0/16
    subnets:
      s: { cidr: 10.2.0.0/24, route_table: r }
    route_tables:
      r:
        routes:
          - { destination: 10.1.0.0/16, target: pcx:bc }
          - { destination: 10.0.0.0/16, target: pcx:bc }
    security_groups:
      open:
        inbound:
          - { protocol: all, source: 0.0.0.0/0 }
    instances:
      ic: { subnet: s, security_groups: [open], services: [http:80] }
peerings:
  ab: { requester: a, accepter: b }
  bc: { requester: b, accepter: c }
";

#[test]
fn peering_a_b_works_and_a_c_has_no_path() {
    let mut l = lab(PEER);
    let r = probe(&mut l, "ia", "ib", ProbeProto::Tcp, 80);
    assert_ok(&r);
    assert!(r.trace.iter().any(|h| h.kind == ComponentKind::Peering));
    assert_eq!(
        r.events
            .iter()
            .find(|e| e.direction == vpclab::policy::Direction::Outbound)
            .unwrap()
            .traffic_path
            .map(|p| p.number()),
        Some(4)
    );
    // ic is not peered with a: no private path, no public IP.
    let r = probe(&mut l, "ia", "ic", ProbeProto::Tcp, 80);
    assert!(!r.reply);
    // Even by address, with routes on every side, there is no transit through b.
    let ic = l.resolve("ib", "ic").unwrap().unwrap();
    let r = probe(&mut l, "ia", &ic.to_string(), ProbeProto::Tcp, 80);
    assert_blocked(&r, "pcx-ab", ComponentKind::Peering);
    assert_eq!(
        r.blocked.unwrap().code.map(|c| c.as_str()),
        Some("PCX_REQUIRES_ADDRESS_IN_VPC_CIDR")
    );
}

#[test]
fn route_to_pcx_outside_peer_cidr_drops() {
    let mut l = lab(PEER);
    let r = probe(&mut l, "ia", "10.9.0.5", ProbeProto::Icmp, 0);
    assert_blocked(&r, "pcx-ab", ComponentKind::Peering);
}
