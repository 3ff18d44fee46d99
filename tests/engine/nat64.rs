//! NAT64 on the NAT gateway (raw frames in, frames out): an IPv6-only instance's TCP to
//! 64:ff9b::a.b.c.d leaves as IPv4 from the gateway's Elastic IP with valid checksums and the
//! TTL one less than the hop limit; the reply comes back as IPv6 from 64:ff9b::a.b.c.d; ICMPv6
//! echo becomes ICMP echo and back; an ICMP port unreachable becomes ICMPv6's; nothing
//! unsolicited gets in; IPv4 and NAT64 flows share the gateway's ports; a packet too big for
//! the internet gateway gets packet-too-big for 1520 bytes.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use vpclab::engine::wire::ipv6::{checksum6, frame6, parse6};
use vpclab::engine::wire::{self, Frame, Tcp};
use vpclab::engine::{Engine, EngineConfig, Output};
use vpclab::model::{Network, PortId};
use vpclab::policy::Header;

const TOPO: &str = "name: n64
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    internet_gateway: true
    subnets:
      public: { cidr: 10.0.0.0/24, ipv6_cidr: 0, route_table: public }
      v6only: { cidr: 10.0.2.0/24, ipv6_cidr: 2, ipv6_only: true, dns64: true, route_table: v6only }
      private: { cidr: 10.0.3.0/24, route_table: v6only }
    route_tables:
      public:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
          - { destination: \"::/0\", target: igw }
      v6only:
        routes:
          - { destination: 0.0.0.0/0, target: nat:nat-a }
          - { destination: \"64:ff9b::/96\", target: nat:nat-a }
    nat_gateways:
      nat-a: { subnet: public }
    security_groups:
      out:
        inbound:                  # errors pass an SG only by a rule (as path MTU discovery needs)
          - { protocol: icmpv6, icmp: { type: 1 }, source: \"::/0\" }
        outbound:
          - { protocol: all, destination: \"::/0\" }
          - { protocol: all, destination: 0.0.0.0/0 }
    instances:
      worker: { subnet: v6only, security_groups: [out] }
      old: { subnet: private, security_groups: [out] }
internet:
  hosts:
    legacy: { ip: 198.51.100.20, services: [http:80] }
";

struct Lab {
    net: Arc<Network>,
    e: Engine,
    now: u64,
}

const LEGACY: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 20);

fn synth() -> Ipv6Addr {
    "64:ff9b::c633:6414".parse().unwrap()
}

impl Lab {
    fn new() -> Lab {
        let net = Arc::new(crate::common::net(TOPO));
        Lab {
            e: Engine::new(net.clone(), EngineConfig::default()),
            net,
            now: 1_000,
        }
    }
    fn port(&self, name: &str) -> PortId {
        self.net.ports.iter().find(|p| p.name == name).unwrap().id
    }
    fn worker6(&self) -> Ipv6Addr {
        let i = self.net.instance_by_name("worker").unwrap();
        self.net.eni_ipv6(self.net.instance(i).eni)[0]
    }
    fn eip(&self) -> Ipv4Addr {
        self.net.nat_gateways[0].elastic_ip.unwrap()
    }
    fn send(&mut self, from: &str, f: Vec<u8>) -> Vec<(PortId, Vec<u8>)> {
        self.now += 1_000;
        self.e.handle_frame(self.port(from), &f, self.now);
        let mut out = vec![];
        while let Some(o) = self.e.poll_output() {
            if let Output::Frame { port, data } = o {
                out.push((port, data));
            }
        }
        out
    }
    /// A TCP segment from worker to 64:ff9b::legacy, with `extra` payload bytes.
    fn tcp6(&mut self, sport: u16, flags: u8, extra: usize) -> Vec<(PortId, Vec<u8>)> {
        let (src, dst) = (self.worker6(), synth());
        let mut seg = vec![0u8; 20 + extra];
        seg[0..2].copy_from_slice(&sport.to_be_bytes());
        seg[2..4].copy_from_slice(&80u16.to_be_bytes());
        seg[4..8].copy_from_slice(&7u32.to_be_bytes());
        seg[12] = 5 << 4;
        seg[13] = flags;
        seg[14] = 0xff;
        let c = checksum6(src, dst, 6, &seg);
        seg[16..18].copy_from_slice(&c.to_be_bytes());
        let mac = self.net.port(self.port("worker")).mac;
        let f = frame6(self.net.router_mac, mac, src, dst, 6, 64, seg);
        self.send("worker", f)
    }
    /// An IPv4 packet from legacy (`h`'s source) with these TCP fields.
    fn send_legacy(&mut self, h: Header, tcp: Tcp, payload: &[u8]) -> Vec<(PortId, Vec<u8>)> {
        let mac = self.net.port(self.port("legacy")).mac;
        let f = wire::build(mac, self.net.router_mac, &h, tcp, 1, payload);
        self.send("legacy", f)
    }
}

/// The IPv4 header of a frame whose checksums are all valid (else the test fails).
fn ipv4(f: &[u8]) -> (Header, u8) {
    match wire::parse(f) {
        Ok(Frame::Ip(ip)) => (ip.header, f[14 + 8]),
        other => panic!("not a valid IPv4 frame: {other:?}"),
    }
}

/// Asserts the upper layer's checksum of an IPv6 frame.
fn valid6(f: &[u8]) {
    let p = parse6(f).unwrap();
    assert_eq!(
        checksum6(p.header.src, p.header.dst, p.header.proto, p.payload),
        0,
        "valid checksum"
    );
}

#[test]
fn tcp_goes_out_as_ipv4_from_the_elastic_ip_and_comes_back_as_ipv6() {
    let mut l = Lab::new();
    let out = l.tcp6(40000, 0x02, 0);
    assert_eq!(out.len(), 1, "translated and forwarded");
    let (port, f) = &out[0];
    assert_eq!(*port, l.port("legacy"));
    let (h, ttl) = ipv4(f);
    assert_eq!((h.src, h.dst, h.proto, h.dport), (l.eip(), LEGACY, 6, 80));
    assert!(h.sport >= 1024, "a port of the gateway's pool: {}", h.sport);
    assert_eq!(ttl, 63, "hop limit 64, less one");
    assert_eq!(f[14 + 20 + 14], 0xff, "the TCP window is kept");
    // SYN-ACK back to the Elastic IP and the mapped port.
    let back = Header::l4(LEGACY, l.eip(), 6, 80, h.sport);
    let tcp = Tcp {
        flags: 0x12,
        seq: 100,
        ack: 8,
    };
    let got = l.send_legacy(back, tcp, b"");
    assert_eq!(got.len(), 1, "translated back");
    let (port, f) = &got[0];
    assert_eq!(*port, l.port("worker"));
    let p = parse6(f).unwrap();
    assert_eq!(
        (p.header.src, p.header.dst, p.header.sport, p.header.dport),
        (synth(), l.worker6(), 80, 40000)
    );
    assert_eq!(p.payload[13], 0x12);
    assert_eq!(f[14 + 7], 63, "TTL 64, less one");
    valid6(f);
    // The connection continues on the same mapping, with data.
    let out = l.tcp6(40000, 0x10, 100);
    assert_eq!(ipv4(&out[0].1).0.sport, h.sport);
    let got = l.send_legacy(back, Tcp { flags: 0x18, ..tcp }, &[7u8; 333]);
    assert_eq!(parse6(&got[0].1).unwrap().payload.len(), 20 + 333);
    valid6(&got[0].1);
    assert_eq!(l.e.ipv6_stats().nat64, 4);
}

#[test]
fn ping_is_translated_both_ways_and_nothing_unsolicited_gets_in() {
    let mut l = Lab::new();
    let (src, dst) = (l.worker6(), synth());
    let mut echo = vec![128, 0, 0, 0, 0x12, 0x34, 0, 1];
    echo.extend_from_slice(b"ping data");
    let mac = l.net.port(l.port("worker")).mac;
    let f = frame6(l.net.router_mac, mac, src, dst, 58, 64, echo);
    let out = l.send("worker", f);
    assert_eq!(out.len(), 1);
    let (h, _) = ipv4(&out[0].1);
    assert_eq!((h.proto, h.icmp_type(), h.dst), (1, 8, LEGACY));
    // The echo reply to the translated identifier.
    let reply = Header::icmp(LEGACY, l.eip(), 0, 0, h.sport);
    let got = l.send_legacy(reply, Tcp::default(), b"ping data");
    assert_eq!(got.len(), 1);
    let p = parse6(&got[0].1).unwrap();
    assert_eq!(
        (p.header.icmp_type(), p.header.sport, p.header.src),
        (129, 0x1234, synth())
    );
    valid6(&got[0].1);
    // Unsolicited: no mapping, nothing reaches worker.
    let stray = Header::l4(LEGACY, l.eip(), 6, 80, 2000);
    let none = l.send_legacy(
        stray,
        Tcp {
            flags: 0x02,
            seq: 1,
            ack: 0,
        },
        b"",
    );
    assert!(none.is_empty(), "{none:?}");
}

#[test]
fn a_port_unreachable_comes_back_as_icmpv6_destination_unreachable() {
    let mut l = Lab::new();
    let (src, dst) = (l.worker6(), synth());
    let mut udp = vec![0u8; 8 + 4];
    udp[0..2].copy_from_slice(&5353u16.to_be_bytes());
    udp[2..4].copy_from_slice(&9999u16.to_be_bytes());
    udp[4..6].copy_from_slice(&12u16.to_be_bytes());
    let c = checksum6(src, dst, 17, &udp);
    udp[6..8].copy_from_slice(&c.to_be_bytes());
    let mac = l.net.port(l.port("worker")).mac;
    let out = l.send(
        "worker",
        frame6(l.net.router_mac, mac, src, dst, 17, 64, udp),
    );
    let sent = &out[0].1;
    let (h, _) = ipv4(sent);
    // legacy answers port unreachable, quoting the datagram as it received it.
    let err = Header::icmp(LEGACY, l.eip(), 3, 3, 0);
    let got = l.send_legacy(err, Tcp::default(), &sent[14..]);
    assert_eq!(got.len(), 1, "translated to ICMPv6");
    let p = parse6(&got[0].1).unwrap();
    assert_eq!((p.header.icmp_type(), p.header.dport & 0xff), (1, 4));
    assert_eq!(p.header.dst, l.worker6());
    // The quoted packet is the client's own: its addresses and port.
    let q = &p.payload[8..];
    assert_eq!(&q[8..24], &l.worker6().octets());
    assert_eq!(&q[24..40], &synth().octets());
    assert_eq!(u16::from_be_bytes([q[40], q[41]]), 5353);
    assert_ne!(h.sport, 0);
    valid6(&got[0].1);
}

#[test]
fn ipv4_and_nat64_flows_share_the_gateways_ports() {
    let mut l = Lab::new();
    let out = l.tcp6(40000, 0x02, 0);
    let p6 = ipv4(&out[0].1).0.sport;
    let i = l.net.instance_by_name("old").unwrap();
    let old = l.net.instance(i).clone();
    let h = Header::l4(l.net.port(old.port).ip, LEGACY, 6, 40000, 80);
    let f = wire::build(
        l.net.port(old.port).mac,
        l.net.router_mac,
        &h,
        Tcp {
            flags: 0x02,
            seq: 1,
            ack: 0,
        },
        0,
        b"",
    );
    let out = l.send("old", f);
    let p4 = ipv4(&out[0].1).0.sport;
    assert_ne!(p4, p6, "one pool: two flows to one destination, two ports");
    assert_eq!(l.e.nat_mappings(), 2);
}

#[test]
fn too_big_for_the_internet_gateway_gets_packet_too_big_for_1520() {
    let mut l = Lab::new();
    // 40 + 20 + 1461: its IPv4 translation is 1501 bytes.
    let out = l.tcp6(40000, 0x10, 1461);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, l.port("worker"));
    let p = parse6(&out[0].1).unwrap();
    assert_eq!(p.header.icmp_type(), 2);
    assert_eq!(
        u32::from_be_bytes(p.payload[4..8].try_into().unwrap()),
        1520
    );
    // 1520 bytes of IPv6 are 1500 of IPv4: they fit.
    let out = l.tcp6(40000, 0x10, 1460);
    assert_eq!(out[0].0, l.port("legacy"));
}
