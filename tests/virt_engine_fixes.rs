//! Engine fixes on the virtual backend: ICMP errors through IGW 1:1 NAT.
mod common;
use common::*;
use vpclab::backend::virt::ProbeProto;
use vpclab::policy::Verdict;

const TWO_VPCS: &str = "name: icmperr
vpcs:
  a:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      x:
        inbound:
          - { protocol: all, source: 198.51.100.0/24 }
    instances:
      x: { subnet: pub, public_ip: true, security_groups: [x] }
  b:
    cidr: 10.1.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.1.0.0/24, route_table: pub }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      y:
        inbound:
          - { protocol: udp, ports: 9000, source: 0.0.0.0/0 }
    instances:
      y: { subnet: pub, public_ip: true, security_groups: [y] }
";

#[test]
fn port_unreachable_through_two_igws_is_admitted_by_the_senders_conntrack() {
    let mut l = lab(TWO_VPCS);
    let r = probe(&mut l, "x", "y", ProbeProto::Udp, 9000);
    assert!(r.delivered, "the datagram reaches y: {:?}", r.blocked);
    assert!(
        r.reply,
        "y's ICMP port unreachable gets back to x (related to the tracked flow): {:?}\n{:#?}",
        r.blocked, r.trace
    );
    let net = l.engine().network().clone();
    let xe = net.instance(net.instance_by_name("x").unwrap()).eni;
    assert!(
        r.events
            .iter()
            .filter(|e| e.eni == xe)
            .all(|e| e.verdict == Verdict::Accept),
        "no REJECT at x"
    );
}

#[test]
fn the_embedded_header_reads_as_the_sender_sent_it() {
    let mut l = lab(TWO_VPCS);
    let net = l.engine().network().clone();
    let x = net
        .eni(net.instance(net.instance_by_name("x").unwrap()).eni)
        .clone();
    let y = net
        .eni(net.instance(net.instance_by_name("y").unwrap()).eni)
        .clone();
    let ex = l.udp_send("x", "y", 40123, 9000, b"hi").unwrap();
    assert!(ex.replied);
    let got = &l.host_mut("x").unwrap().received;
    let err = got
        .iter()
        .find(|r| r.inner.is_some())
        .expect("an ICMP error at x");
    let i = err.inner.unwrap();
    assert_eq!(
        (err.header.src, err.header.dst),
        (y.public_ip.unwrap(), x.private_ip)
    );
    assert_eq!(
        (i.src, i.sport, i.dst, i.dport),
        (x.private_ip, 40123, y.public_ip.unwrap(), 9000)
    );
}

const NGW: &str = "name: ngwerr
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub }
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
    client: { ip: 198.51.100.10, services: [http:80] }
";

#[test]
fn port_unreachable_back_through_a_nat_gateway() {
    let mut l = lab(NGW);
    let net = l.engine().network().clone();
    let app = net
        .eni(net.instance(net.instance_by_name("app").unwrap()).eni)
        .clone();
    let ex = l.udp_send("app", "client", 40500, 9999, b"hi").unwrap();
    let evs = l.take_events();
    assert!(
        ex.replied,
        "the port unreachable comes back through the NAT gateway: {:#?}",
        evs.iter()
            .map(|e| (e.eni, e.header, e.verdict, e.decision.detail.clone()))
            .collect::<Vec<_>>()
    );
    let got = &l.host_mut("app").unwrap().received;
    let i = got
        .iter()
        .find_map(|r| r.inner)
        .expect("an ICMP error at app");
    assert_eq!(
        (i.src, i.sport, i.dst, i.dport),
        (
            app.private_ip,
            40500,
            "198.51.100.10".parse().unwrap(),
            9999
        )
    );
}
