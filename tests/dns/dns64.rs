//! DNS64 and AAAA answers: a client in a subnet with `dns64: true` gets 64:ff9b::/96 AAAA
//! records for names with only A records (private addresses too, CNAMEs kept, the TTL capped
//! by the negative answer's), never for names that have AAAA; other subnets get NODATA; an
//! alias to an instance answers AAAA with its IPv6 address; and the engine's resolver at
//! fd00:ec2::253 answers IPv6 clients over UDP and TCP.

use crate::common::dns::{ask, values, zones};
use std::sync::Arc;
use vpclab::dns::service::Route53;
use vpclab::dns::{HealthTable, RType, Rcode, Value};
use vpclab::engine::wire::ipv6::{checksum6, frame6, parse6};
use vpclab::engine::{Engine, EngineConfig, Output};
use vpclab::model::Network;

const TOPO: &str = r#"name: d64
region: us-east-1
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    dns: { support: true, hostnames: true }
    internet_gateway: true
    subnets:
      public: { cidr: 10.0.0.0/24, ipv6_cidr: 0, route_table: public, assign_ipv6_address_on_creation: true }
      v6only: { cidr: 10.0.2.0/24, ipv6_cidr: 2, ipv6_only: true, dns64: true, route_table: v6only }
    route_tables:
      public:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
          - { destination: "::/0", target: igw }
      v6only:
        routes:
          - { destination: "64:ff9b::/96", target: nat:nat-a }
    nat_gateways:
      nat-a: { subnet: public }
    instances:
      worker: { subnet: v6only }
      web: { subnet: public }
internet:
  hosts:
    legacy: { ip: 198.51.100.20 }
dns:
  zones:
    - name: example.com
      records:
        - { name: legacy, type: A, ttl: 600, values: [198.51.100.20] }
        - { name: modern, type: A, ttl: 60, values: [198.51.100.30] }
        - { name: modern, type: AAAA, ttl: 60, values: ["2001:db8::30"] }
        - { name: db, type: A, ttl: 60, values: [10.0.0.50] }
        - { name: www, type: CNAME, ttl: 60, values: [legacy.example.com] }
        - { name: site, type: AAAA, alias: instance:web }
"#;

#[test]
fn a_dns64_subnet_gets_synthesised_aaaa_for_names_with_only_a_records() {
    let z = zones(TOPO);
    let r = ask(&z, "worker", "legacy.example.com", RType::Aaaa).unwrap();
    assert_eq!(r.rcode, Rcode::NoError);
    assert_eq!(values(&r), ["64:ff9b::c633:6414"]);
    // RFC 6147: no longer than the negative AAAA answer (the zone's SOA minimum) allows.
    assert!(r.answers[0].ttl <= 600);
    // A name with an AAAA record keeps it; A questions are not touched.
    let r = ask(&z, "worker", "modern.example.com", RType::Aaaa).unwrap();
    assert_eq!(values(&r), ["2001:db8::30"]);
    let r = ask(&z, "worker", "legacy.example.com", RType::A).unwrap();
    assert_eq!(values(&r), ["198.51.100.20"]);
    // AWS documents no excluded range: a private address is synthesised too.
    let r = ask(&z, "worker", "db.example.com", RType::Aaaa).unwrap();
    assert_eq!(values(&r), ["64:ff9b::a00:32"]);
    // The CNAME is kept, its target's A synthesised.
    let r = ask(&z, "worker", "www.example.com", RType::Aaaa).unwrap();
    assert!(matches!(r.answers[0].value, Value::Cname(_)), "{r:?}");
    assert_eq!(values(&r)[1], "64:ff9b::c633:6414");
    // A name that does not exist stays NXDOMAIN.
    let r = ask(&z, "worker", "nope.example.com", RType::Aaaa).unwrap();
    assert_eq!(r.rcode, Rcode::NxDomain);
}

#[test]
fn other_subnets_get_nodata_and_aliases_to_instances_answer_aaaa() {
    let z = zones(TOPO);
    let r = ask(&z, "web", "legacy.example.com", RType::Aaaa).unwrap();
    assert_eq!(
        (r.rcode, r.answers.len()),
        (Rcode::NoError, 0),
        "no DNS64 here"
    );
    let web = z.net.instance(z.net.instance_by_name("web").unwrap()).eni;
    let web6 = z.net.eni_ipv6(web)[0];
    let r = ask(&z, "worker", "site.example.com", RType::Aaaa).unwrap();
    assert_eq!(values(&r), [web6.to_string()]);
}

/// Sends one frame from worker to the engine and returns the frames sent back to it.
fn exchange(e: &mut Engine, net: &Network, f: Vec<u8>) -> Vec<Vec<u8>> {
    let port = net.instance(net.instance_by_name("worker").unwrap()).port;
    e.handle_frame(port, &f, 1_000);
    let mut out = vec![];
    while let Some(o) = e.poll_output() {
        if let Output::Frame { port: p, data } = o {
            assert_eq!(p, port, "answered to the asker");
            out.push(data);
        }
    }
    out
}

#[test]
fn the_engine_answers_ipv6_clients_at_fd00_ec2_253_over_udp_and_tcp() {
    let z = zones(TOPO);
    let net = z.net.clone();
    let dns = Route53::new(Arc::new(zones(TOPO)), Arc::new(HealthTable::new(0)), 1);
    let mut e = Engine::new(net.clone(), EngineConfig::default());
    e.set_dns(Box::new(dns));
    let worker = net.instance(net.instance_by_name("worker").unwrap());
    let (src, mac) = (net.eni_ipv6(worker.eni)[0], net.port(worker.port).mac);
    let resolver = "fd00:ec2::253".parse().unwrap();
    let q = vpclab::dns::wire::query_bytes(
        7,
        "legacy.example.com",
        hickory_proto::rr::RecordType::AAAA,
    )
    .unwrap();
    // UDP.
    let mut udp = vec![0u8; 8];
    udp[0..2].copy_from_slice(&40000u16.to_be_bytes());
    udp[2..4].copy_from_slice(&53u16.to_be_bytes());
    udp[4..6].copy_from_slice(&((8 + q.len()) as u16).to_be_bytes());
    udp.extend_from_slice(&q);
    let c = checksum6(src, resolver, 17, &udp);
    udp[6..8].copy_from_slice(&c.to_be_bytes());
    let out = exchange(
        &mut e,
        &net,
        frame6(net.router_mac, mac, src, resolver, 17, 64, udp),
    );
    assert_eq!(out.len(), 1, "one answer");
    let p = parse6(&out[0]).unwrap();
    assert_eq!(
        (p.header.src, p.header.sport, p.header.dport),
        (resolver, 53, 40000)
    );
    assert_eq!(checksum6(p.header.src, p.header.dst, 17, p.payload), 0);
    let m = hickory_proto::op::Message::from_vec(&p.payload[8..]).unwrap();
    let got: Vec<String> = m.answers.iter().map(|r| r.data.to_string()).collect();
    assert_eq!(got, ["64:ff9b::c633:6414"]);
    // TCP: the handshake, then the length-prefixed query in one segment.
    let seg = |flags: u8, seq: u32, data: &[u8]| {
        let mut t = vec![0u8; 20];
        t[0..2].copy_from_slice(&40001u16.to_be_bytes());
        t[2..4].copy_from_slice(&53u16.to_be_bytes());
        t[4..8].copy_from_slice(&seq.to_be_bytes());
        t[12] = 5 << 4;
        t[13] = flags;
        t.extend_from_slice(data);
        let c = checksum6(src, resolver, 6, &t);
        t[16..18].copy_from_slice(&c.to_be_bytes());
        frame6(net.router_mac, mac, src, resolver, 6, 64, t)
    };
    let out = exchange(&mut e, &net, seg(0x02, 100, &[]));
    let p = parse6(&out[0]).unwrap();
    assert_eq!(p.payload[13], 0x12, "SYN-ACK");
    let mut data = (q.len() as u16).to_be_bytes().to_vec();
    data.extend_from_slice(&q);
    let out = exchange(&mut e, &net, seg(0x18, 101, &data));
    let p = parse6(&out[0]).unwrap();
    assert_eq!(checksum6(p.header.src, p.header.dst, 6, p.payload), 0);
    let m = hickory_proto::op::Message::from_vec(&p.payload[22..]).unwrap();
    assert_eq!(m.answers.len(), 1);
}
