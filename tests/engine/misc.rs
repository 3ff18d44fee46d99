//! ICMP errors of tracked flows (judged by SG rules), blackholes, stopped instances, the VPC resolver, internet to
//! internet.
use crate::common::*;
use std::sync::Arc;
use vpclab::backend::virt::ProbeProto;
use vpclab::engine::wire::{self, Tcp};
use vpclab::engine::{DnsClient, DnsService, Engine, Nanos, Output};
use vpclab::policy::{ComponentKind, Header};

const T: &str = "name: misc
vpcs:
  v:
    cidr: 10.0.0.0/16
    dns: { support: true, hostnames: true }
    subnets:
      a: { cidr: 10.0.0.0/24, route_table: r }
      b: { cidr: 10.0.1.0/24 }
    route_tables:
      r:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
          - { destination: 10.0.9.0/24, target: instance:gone }
    security_groups:
      srv:
        inbound:
          - { protocol: udp, ports: 1-65535, source: 10.0.0.0/16 }
          - { protocol: tcp, ports: 80, source: 10.0.0.0/16 }
      cli:
        inbound: []
    instances:
      x: { subnet: a, security_groups: [cli] }
      y: { subnet: b, security_groups: [srv], services: [udp:9000, http:80] }
      gone: { subnet: b, state: stopped, security_groups: [srv], services: [http:80] }
internet:
  hosts:
    h1: { ip: 198.51.100.1, services: [http:80] }
    h2: { ip: 198.51.100.2 }
";

/// An ICMP error is judged by the SG's rules, not admitted as related to the flow it quotes
/// (`../shared/reference/aws-vpc-semantics.md` §2.1; EC2's "Network MTU" page asks for an
/// inbound rule for the ICMP that path MTU discovery needs): y's port unreachable for x's
/// tracked UDP flow is dropped by x's SG without an ICMP rule, and reaches x with one.
#[test]
fn icmp_errors_of_a_tracked_flow_need_an_sg_rule() {
    let mut l = lab(T);
    // sg-cli has no inbound rule at all: only tracked replies get in.
    assert_ok(&probe(&mut l, "x", "y", ProbeProto::Udp, 9000));
    let r = probe(&mut l, "x", "y", ProbeProto::Udp, 9999);
    assert!(r.delivered, "the datagram reaches y: {:?}", r.blocked);
    assert_blocked(&r, "sg-cli", ComponentKind::SecurityGroup);

    let open = T.replace(
        "      cli:\n        inbound: []",
        "      cli:\n        inbound:\n          - { protocol: icmp, icmp: { type: 3 }, source: 10.0.0.0/16 }",
    );
    assert_ne!(open, T);
    let mut l = lab(&open);
    let r = probe(&mut l, "x", "y", ProbeProto::Udp, 9999);
    assert!(
        r.delivered && r.reply,
        "an inbound rule for destination unreachable lets the error reach x: {:?}",
        r.blocked
    );
}

#[test]
fn blackholes_and_stopped_instances() {
    let mut l = lab(T);
    // Route to the IGW, but the VPC has none.
    let r = probe(&mut l, "x", "h1", ProbeProto::Tcp, 80);
    assert_blocked(&r, "rtb-r", ComponentKind::RouteTable);
    assert_eq!(
        r.blocked.unwrap().code.map(|c| c.as_str()),
        Some("BAD_STATE_ROUTE")
    );
    // Route to a stopped instance.
    let r = probe(&mut l, "x", "10.0.9.9", ProbeProto::Icmp, 0);
    assert_eq!(
        r.blocked.unwrap().code.map(|c| c.as_str()),
        Some("BAD_STATE_ROUTE")
    );
    // A stopped instance never answers.
    let r = probe(&mut l, "x", "gone", ProbeProto::Tcp, 80);
    assert!(!r.reply);
    assert_eq!(
        r.blocked.unwrap().code.map(|c| c.as_str()),
        Some("INSTANCE_STOPPED")
    );
}

#[test]
fn internet_hosts_reach_each_other() {
    let mut l = lab(T);
    assert_ok(&probe(&mut l, "h2", "h1", ProbeProto::Tcp, 80));
}

struct Echo;
impl DnsService for Echo {
    fn answer(&mut self, q: &[u8], c: DnsClient, _: Nanos) -> Option<Vec<u8>> {
        let mut v = q.to_vec();
        v.extend_from_slice(&c.src.octets());
        Some(v)
    }
}

#[test]
fn resolver_is_answered_through_dns_service_and_not_logged() {
    let n = Arc::new(net(T));
    let x = n.instance(n.instance_by_name("x").unwrap());
    let p = n.port(x.port).clone();
    let mut e = Engine::new(n.clone(), Default::default());
    for dst in ["10.0.0.2", "169.254.169.253"] {
        let h = Header::l4(p.ip, dst.parse().unwrap(), 17, 40000, 53);
        let f = wire::build(p.mac, n.router_mac, &h, Tcp::default(), 0, b"q");
        // No DNS service yet: dropped silently.
        e.handle_frame(x.port, &f, 1);
        assert!(e.poll_output().is_none());
    }
    e.set_dns(Box::new(Echo));
    let h = Header::l4(p.ip, "10.0.0.2".parse().unwrap(), 17, 40000, 53);
    let f = wire::build(p.mac, n.router_mac, &h, Tcp::default(), 0, b"q");
    e.handle_frame(x.port, &f, 2);
    let mut frames = 0;
    while let Some(o) = e.poll_output() {
        match o {
            Output::Frame { port, data } => {
                frames += 1;
                assert_eq!(port, x.port);
                let Ok(wire::Frame::Ip(ip)) = wire::parse(&data) else {
                    panic!("bad reply")
                };
                assert_eq!(ip.header, h.reversed());
                let (_, payload) = wire::l4_payload(&data).unwrap();
                assert_eq!(&payload[..1], b"q");
            }
            Output::Packet(_) => panic!("resolver traffic is never logged"),
        }
    }
    assert_eq!(frames, 1);
}
