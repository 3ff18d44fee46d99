//! AWS's MTUs through the engine: 1500 at the internet gateway (both ways, with and without
//! the NAT gateway), 8500 over inter-Region peering, 9001 inside a VPC; DF packets refused
//! with ICMP "fragmentation needed" that a NACL can black-hole, others fragmented; segments
//! (TSO) judged by their wire packets' size.
use std::net::Ipv4Addr;
use std::sync::Arc;
use vpclab::engine::wire::{self, CsumPartial, Frame, Gso, GsoKind, Offload, Tcp};
use vpclab::engine::{Engine, EngineConfig, Output};
use vpclab::model::{Network, PortId};
use vpclab::policy::Header;

const T: &str = "name: mtu
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub, network_acl: NACL }
      priv: { cidr: 10.0.1.0/24, route_table: priv }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
          - { destination: 10.1.0.0/16, target: pcx:far }
      priv:
        routes:
          - { destination: 0.0.0.0/0, target: nat:nat-a }
    nat_gateways:
      nat-a: { subnet: pub }
    network_acls:
      noicmp:
        inbound:
          - { rule: 90, protocol: icmp, cidr: 0.0.0.0/0, action: deny }
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
        outbound:
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
          - { protocol: icmp, icmp: { type: 3, code: 4 }, source: 0.0.0.0/0 }
      app:
        inbound:
          - { protocol: icmp, icmp: { type: 3, code: 4 }, source: 0.0.0.0/0 }
    instances:
      web: { subnet: pub, public_ip: true, security_groups: [web] }
      app: { subnet: priv, security_groups: [app] }
  w:
    cidr: 10.1.0.0/16
    region: eu-west-1
    subnets:
      s: { cidr: 10.1.0.0/24, route_table: r }
    route_tables:
      r:
        routes:
          - { destination: 10.0.0.0/16, target: pcx:far }
    security_groups:
      open:
        inbound:
          - { protocol: all, source: 0.0.0.0/0 }
    instances:
      far: { subnet: s, security_groups: [open] }
peerings:
  far: { requester: v, accepter: w }
internet:
  hosts:
    client: { ip: 198.51.100.10, services: [http:80, udp:9000] }
";

struct Rig {
    net: Arc<Network>,
    e: Engine,
}

/// The inbound rule web's SG needs for path MTU discovery (EC2's "Network MTU" page).
const PMTUD_RULE: &str =
    "          - { protocol: icmp, icmp: { type: 3, code: 4 }, source: 0.0.0.0/0 }\n      app:";

fn rig(nacl: &str) -> Rig {
    rig_of(&T.replace("NACL", nacl))
}

fn rig_of(y: &str) -> Rig {
    let net = Arc::new(crate::common::net(y));
    let e = Engine::new(net.clone(), EngineConfig::default());
    Rig { net, e }
}

impl Rig {
    fn port(&self, host: &str) -> PortId {
        let n = &self.net;
        match n.instance_by_name(host) {
            Some(i) => n.instance(i).port,
            None => n.internet_host(n.internet_host_by_name(host).unwrap()).port,
        }
    }
    fn ip(&self, host: &str) -> Ipv4Addr {
        self.net.port(self.port(host)).ip
    }
    fn public(&self, host: &str) -> Ipv4Addr {
        let n = &self.net;
        n.eni(n.instance(n.instance_by_name(host).unwrap()).eni)
            .public_ip
            .unwrap()
    }
    /// Sends `frame` from `host` and returns what came out.
    fn send(
        &mut self,
        host: &str,
        frame: Vec<u8>,
        off: Offload,
    ) -> Vec<(PortId, Vec<u8>, Offload)> {
        let p = self.port(host);
        self.e.handle_frame_offload(p, frame, off, 1);
        let mut v = Vec::new();
        while let Some((o, off)) = self.e.poll_output_offload() {
            if let Output::Frame { port, data } = o {
                v.push((port, data, off));
            }
        }
        v
    }
    /// A TCP or UDP frame of `payload` bytes from `host` (DF as given).
    fn frame(&self, host: &str, h: &Header, flags: u8, payload: usize, df: bool) -> Vec<u8> {
        let mac = self.net.port(self.port(host)).mac;
        let body = vec![0x5a; payload];
        let tcp = Tcp {
            flags,
            seq: 1,
            ack: 1,
        };
        let mut f = wire::build(mac, self.net.router_mac, h, tcp, 0, &body);
        if !df {
            f[20] &= !0x40;
            f[24] = 0;
            f[25] = 0;
            let sum = ip_sum(&f[14..34]);
            f[24..26].copy_from_slice(&sum.to_be_bytes());
        }
        f
    }
}

fn ip_sum(b: &[u8]) -> u16 {
    let mut s: u32 = b
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

/// The ICMP "fragmentation needed" in `out` sent to `port`: (source, destination, MTU, inner).
fn frag_needed(
    out: &[(PortId, Vec<u8>, Offload)],
    port: PortId,
) -> Option<(Ipv4Addr, Ipv4Addr, u16, Header)> {
    out.iter()
        .filter(|(p, _, _)| *p == port)
        .find_map(|(_, f, _)| {
            let Ok(Frame::Ip(ip)) = wire::parse(f) else {
                return None;
            };
            let h = ip.header;
            (h.proto == 1 && h.icmp_type() == 3 && h.icmp_code() == 4).then(|| {
                let mtu = u16::from_be_bytes([f[40], f[41]]);
                (h.src, h.dst, mtu, ip.inner.expect("quoted header"))
            })
        })
}

/// An instance at 9001 sending a DF packet of 9001 bytes to the internet: the IGW's 1500
/// refuses it, the ICMP reaches the sender from the destination's address quoting the packet
/// as the sender sent it (the IGW translated the quote back); a 1500-byte one passes.
#[test]
fn igw_refuses_jumbo_df_packets_with_icmp() {
    let mut r = rig("default");
    let (web, client) = (r.ip("web"), r.ip("client"));
    let h = Header::l4(web, client, 6, 40000, 80);
    let syn = r.frame("web", &h, 0x02, 0, true);
    assert_eq!(r.send("web", syn, Offload::NONE).len(), 1, "SYN forwarded");
    let big = r.frame("web", &h, 0x10, 9001 - 40, true);
    let out = r.send("web", big, Offload::NONE);
    let (src, dst, mtu, inner) = frag_needed(&out, r.port("web")).expect("ICMP to web");
    assert_eq!((src, dst, mtu), (client, web, 1500));
    assert_eq!(inner, h);
    assert!(
        out.iter().all(|(p, _, _)| *p != r.port("client")),
        "nothing reached the client"
    );
    assert_eq!(r.e.stats().too_big, 1);
    assert_eq!(r.e.stats().policy_drops, 0);
    let ok = r.frame("web", &h, 0x10, 1500 - 40, true);
    let out = r.send("web", ok, Offload::NONE);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, r.port("client"));
}

/// The same with a NACL denying inbound ICMP on web's subnet: the ICMP is dropped there, the
/// sender never learns the MTU (the PMTUD black hole).
#[test]
fn a_nacl_blocking_icmp_black_holes_pmtud() {
    let mut r = rig("noicmp");
    let h = Header::l4(r.ip("web"), r.ip("client"), 6, 40000, 80);
    let syn = r.frame("web", &h, 0x02, 0, true);
    r.send("web", syn, Offload::NONE);
    let big = r.frame("web", &h, 0x10, 8000, true);
    let out = r.send("web", big, Offload::NONE);
    assert!(out.is_empty(), "nothing delivered: {} frames", out.len());
    assert_eq!(r.e.stats().too_big, 1);
    assert_eq!(r.e.stats().policy_drops, 1, "the ICMP, at the NACL");
}

/// The same with web's SG lacking the rule for ICMP type 3 code 4: SGs admit no ICMP error as
/// related to the flow it quotes, so the ICMP is dropped at web's SG and path MTU discovery
/// black-holes, as on AWS without that rule.
#[test]
fn an_sg_without_the_icmp_rule_black_holes_pmtud() {
    let y = T
        .replace("NACL", "default")
        .replacen(PMTUD_RULE, "      app:", 1);
    assert_ne!(y, T.replace("NACL", "default"), "web's ICMP rule is gone");
    let mut r = rig_of(&y);
    let h = Header::l4(r.ip("web"), r.ip("client"), 6, 40000, 80);
    let syn = r.frame("web", &h, 0x02, 0, true);
    assert_eq!(
        r.send("web", syn, Offload::NONE).len(),
        1,
        "the SYN goes out"
    );
    let big = r.frame("web", &h, 0x10, 8000, true);
    let out = r.send("web", big, Offload::NONE);
    assert!(out.is_empty(), "nothing delivered: {} frames", out.len());
    assert_eq!(r.e.stats().too_big, 1);
    assert_eq!(r.e.stats().policy_drops, 1, "the ICMP, at web's SG");
}

/// Through the NAT gateway: the ICMP comes back to app with the quote translated to app's
/// own address and port.
#[test]
fn pmtud_through_the_nat_gateway() {
    let mut r = rig("default");
    let h = Header::l4(r.ip("app"), r.ip("client"), 6, 40001, 80);
    let syn = r.frame("app", &h, 0x02, 0, true);
    assert_eq!(r.send("app", syn, Offload::NONE).len(), 1);
    let big = r.frame("app", &h, 0x10, 4000, true);
    let out = r.send("app", big, Offload::NONE);
    let (src, dst, mtu, inner) = frag_needed(&out, r.port("app")).expect("ICMP to app");
    assert_eq!((src, dst, mtu), (r.ip("client"), r.ip("app"), 1500));
    assert_eq!(inner, h);
}

/// An internet host sending a DF packet over 1500 to web's public IP: the IGW answers it
/// from that address. Without DF a packet crosses the IGW in fragments of at most 1500 bytes.
#[test]
fn inbound_through_the_igw_refused_or_fragmented() {
    let mut r = rig("default");
    let (client, public) = (r.ip("client"), r.public("web"));
    let h = Header::l4(client, public, 6, 50000, 80);
    let syn = r.frame("client", &h, 0x02, 0, true);
    assert_eq!(r.send("client", syn, Offload::NONE).len(), 1);
    let big = r.frame("client", &h, 0x10, 3000, true);
    let out = r.send("client", big, Offload::NONE);
    let (src, dst, mtu, inner) = frag_needed(&out, r.port("client")).expect("ICMP to client");
    assert_eq!((src, dst, mtu, inner), (public, client, 1500, h));
    // Without DF (UDP, out to the client): fragments of at most 1500 bytes, from the public IP.
    let u = Header::l4(r.ip("web"), client, 17, 4000, 9000);
    let frag = r.frame("web", &u, 0, 4000, false);
    let out = r.send("web", frag, Offload::NONE);
    assert_eq!(out.len(), 3, "4028 bytes in fragments of at most 1500");
    let mut payload = 0;
    for (p, f, _) in &out {
        assert_eq!(*p, r.port("client"));
        assert!(f.len() <= 14 + 1500);
        let Ok(Frame::Ip(ip)) = wire::parse(f) else {
            panic!("a valid fragment")
        };
        assert_eq!(ip.header.src, public, "translated to the public IP");
        assert!(ip.frag.is_some() && !ip.df);
        payload += usize::from(ip.len) - 20;
    }
    assert_eq!(payload, 4008, "the UDP header and payload, all of it");
}

/// Inter-Region peering: 8500. A 9001-byte DF packet is refused with MTU 8500, an 8500-byte
/// one passes; inside the VPC 9001 passes.
#[test]
fn inter_region_peering_is_8500() {
    let mut r = rig("default");
    let h = Header::l4(r.ip("web"), r.ip("far"), 17, 4000, 5000);
    let big = r.frame("web", &h, 0, 9001 - 28, true);
    let out = r.send("web", big, Offload::NONE);
    let (_, _, mtu, _) = frag_needed(&out, r.port("web")).expect("ICMP to web");
    assert_eq!(mtu, 8500);
    let ok = r.frame("web", &h, 0, 8500 - 28, true);
    let out = r.send("web", ok, Offload::NONE);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, r.port("far"));
}

/// A TSO segment of 20,000 bytes: with an MSS of 1448 its wire packets fit the IGW and it goes
/// out whole, offload header kept; with an MSS of 8000 it is refused (ICMP) as its wire
/// packets would be.
#[test]
fn segments_are_judged_by_their_wire_packets() {
    let mut r = rig("default");
    let (web, client) = (r.ip("web"), r.ip("client"));
    let h = Header::l4(web, client, 6, 40002, 80);
    let syn = r.frame("web", &h, 0x02, 0, true);
    r.send("web", syn, Offload::NONE);
    for (mss, passes) in [(1448u16, true), (8000, false)] {
        let mut f = r.frame("web", &h, 0x10, 20_000, true);
        // Leave the TCP checksum partial: the pseudo-header sum, as the kernel hands it over.
        let len = (f.len() - 34) as u16;
        let mut p = Vec::new();
        p.extend_from_slice(&web.octets());
        p.extend_from_slice(&client.octets());
        p.extend_from_slice(&[0, 6]);
        p.extend_from_slice(&len.to_be_bytes());
        f[50..52].copy_from_slice(&(!ip_sum(&p)).to_be_bytes());
        let off = Offload {
            csum: Some(CsumPartial {
                start: 34,
                offset: 16,
            }),
            gso: Some(Gso {
                kind: GsoKind::Tcp4,
                size: mss,
                hdr_len: 54,
                ecn: false,
            }),
            data_valid: false,
        };
        let out = r.send("web", f, off);
        if passes {
            assert_eq!(out.len(), 1);
            assert_eq!((out[0].0, out[0].2), (r.port("client"), off));
        } else {
            let (_, _, mtu, _) = frag_needed(&out, r.port("web")).expect("ICMP to web");
            assert_eq!(mtu, 1500);
        }
    }
}
