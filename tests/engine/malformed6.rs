//! Malformed and unsupported IPv6 packets, one case each (the IPv6 twin of `malformed`): each
//! is dropped — no frame out — and counted under the counter the engine uses for it
//! (`Stats::malformed` and `Stats6::ignored` for what cannot be parsed, `Stats6::extension_drops`
//! and `Stats::unsupported` for extension headers and fragments, `Stats6::ignored` for the
//! multicast the VPC router does not answer, `Stats6::policy_drops` for a protocol no rule
//! allows); random IPv6 frames never panic.

use proptest::prelude::*;
use std::net::Ipv6Addr;
use std::sync::Arc;
use vpclab::engine::ipv6::Stats6;
use vpclab::engine::wire::ipv6::frame6;
use vpclab::engine::{Engine, EngineConfig, Output};
use vpclab::model::{Network, PortId};

/// A dual-stack VPC: `web` on a public subnet admits TCP 80 and all ICMPv6 from `::/0`; an
/// internet host `client` with an IPv6 address.
const TOPO: &str = "name: bad6
vpcs:
  v:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, ipv6_cidr: 0, route_table: pub, assign_ipv6_address_on_creation: true }
    route_tables:
      pub:
        routes:
          - { destination: \"::/0\", target: igw }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: \"::/0\" }
          - { protocol: icmpv6, source: \"::/0\" }
    instances:
      web: { subnet: pub, security_groups: [web] }
      peer: { subnet: pub, security_groups: [web] }
internet:
  hosts:
    client: { ip: 198.51.100.10, ipv6: \"2001:db8::10\" }
";

/// The engine with the addresses and ports the cases use.
struct Lab {
    net: Arc<Network>,
    e: Engine,
}

impl Lab {
    fn new() -> Lab {
        let net = Arc::new(crate::common::net(TOPO));
        Lab {
            e: Engine::new(net.clone(), EngineConfig::default()),
            net,
        }
    }
    fn port(&self, name: &str) -> PortId {
        self.net.ports.iter().find(|p| p.name == name).unwrap().id
    }
    fn web(&self) -> Ipv6Addr {
        let i = self.net.instance_by_name("web").unwrap();
        self.net.eni_ipv6(self.net.instance(i).eni)[0]
    }
    fn client(&self) -> Ipv6Addr {
        let h = self.net.internet_hosts.iter().find(|h| h.name == "client");
        self.net.host_ipv6(h.unwrap().id).unwrap()
    }
    /// A frame from `client` to `dst` with next header `next`, hop limit `hops`.
    fn frame(&self, dst: Ipv6Addr, next: u8, hops: u8, upper: Vec<u8>) -> Vec<u8> {
        let mac = self.net.port(self.port("client")).mac;
        frame6(
            self.net.router_mac,
            mac,
            self.client(),
            dst,
            next,
            hops,
            upper,
        )
    }
    /// Sends `f` from `from`; returns how many frames came out.
    fn send(&mut self, from: &str, f: &[u8]) -> usize {
        self.e.handle_frame(self.port(from), f, 1_000);
        let mut n = 0;
        while let Some(o) = self.e.poll_output() {
            n += usize::from(matches!(o, Output::Frame { .. }));
        }
        n
    }
    /// Sends `f` from the client; asserts nothing came out and returns the counters'
    /// increase `(malformed, unsupported, IPv6 counters)`.
    fn dropped(&mut self, f: &[u8], what: &str) -> (u64, u64, Stats6) {
        let (m, u, s) = (
            self.e.stats().malformed,
            self.e.stats().unsupported,
            self.e.ipv6_stats(),
        );
        assert_eq!(self.send("client", f), 0, "{what}: nothing is forwarded");
        let now = self.e.ipv6_stats();
        let d = Stats6 {
            rx: now.rx - s.rx,
            forwarded: now.forwarded - s.forwarded,
            ndp_answered: now.ndp_answered - s.ndp_answered,
            policy_drops: now.policy_drops - s.policy_drops,
            extension_drops: now.extension_drops - s.extension_drops,
            ignored: now.ignored - s.ignored,
            too_big: now.too_big - s.too_big,
            nat64: now.nat64 - s.nat64,
            nat64_drops: now.nat64_drops - s.nat64_drops,
        };
        assert_eq!(d.rx, 1, "{what}: received once");
        (
            self.e.stats().malformed - m,
            self.e.stats().unsupported - u,
            d,
        )
    }
}

/// A TCP SYN to port 80 (checksum left zero: the IPv6 path does not verify TCP's).
fn syn() -> Vec<u8> {
    let mut seg = vec![0u8; 20];
    seg[0..2].copy_from_slice(&40000u16.to_be_bytes());
    seg[2..4].copy_from_slice(&80u16.to_be_bytes());
    seg[12] = 5 << 4;
    seg[13] = 0x02;
    seg
}

/// An ICMPv6 echo request (type 128) with identifier 7 (`frame6` fills its checksum).
fn echo() -> Vec<u8> {
    vec![128, 0, 0, 0, 0, 7, 0, 1, b'p', b'i', b'n', b'g']
}

/// A fragment header (next header TCP) at `offset` (8-byte units) with the more-fragments flag.
fn fragment(offset: u16, more: bool, id: u32, data: &[u8]) -> Vec<u8> {
    let off = offset << 3 | u16::from(more);
    let mut v = vec![6, 0];
    v.extend_from_slice(&off.to_be_bytes());
    v.extend_from_slice(&id.to_be_bytes());
    v.extend_from_slice(data);
    v
}

/// What a case must have counted: malformed (`Stats::malformed` and `Stats6::ignored`).
fn is_malformed(c: (u64, u64, Stats6)) -> bool {
    c.0 == 1 && c.1 == 0 && c.2.ignored == 1 && c.2.extension_drops == 0
}

/// What a case must have counted: an extension header (`extension_drops` and `unsupported`).
fn is_extension(c: (u64, u64, Stats6)) -> bool {
    c.0 == 0 && c.1 == 1 && c.2.extension_drops == 1 && c.2.ignored == 0
}

#[test]
fn valid_packets_of_the_cases_are_forwarded() {
    // The baselines the cases below break: a SYN and an echo request reach web.
    let mut l = Lab::new();
    let f = l.frame(l.web(), 6, 64, syn());
    assert_eq!(l.send("client", &f), 1, "the SYN is forwarded");
    let f = l.frame(l.web(), 58, 64, echo());
    assert_eq!(l.send("client", &f), 1, "the echo request is forwarded");
}

#[test]
fn truncated_and_badly_sized_packets_are_malformed() {
    let mut l = Lab::new();
    let good = l.frame(l.web(), 6, 64, syn());
    // Truncated after the Ethernet type (shorter is not IPv6 at all), inside the fixed IPv6
    // header, inside the TCP header.
    for cut in [14, 30, 53, 54, 60, good.len() - 1] {
        let c = l.dropped(&good[..cut], &format!("cut at {cut}"));
        assert!(is_malformed(c), "cut at {cut}: {c:?}");
    }
    // Payload length beyond the frame.
    let mut bad = good.clone();
    bad[14 + 4..14 + 6].copy_from_slice(&100u16.to_be_bytes());
    assert!(is_malformed(l.dropped(&bad, "payload length too long")));
    // Payload length shorter than the TCP header it announces.
    let mut bad = good.clone();
    bad[14 + 4..14 + 6].copy_from_slice(&12u16.to_be_bytes());
    assert!(is_malformed(l.dropped(&bad, "payload shorter than TCP")));
    // Version 4 in an IPv6 Ethernet frame.
    let mut bad = good.clone();
    bad[14] = 0x45;
    assert!(is_malformed(l.dropped(&bad, "version 4")));
    // A UDP header cut short, an ICMPv6 message shorter than its 8 bytes.
    let f = l.frame(l.web(), 17, 64, vec![0; 6]);
    assert!(is_malformed(l.dropped(&f, "short UDP")));
    let f = l.frame(l.web(), 58, 64, vec![128, 0, 0, 0]);
    assert!(is_malformed(l.dropped(&f, "short ICMPv6")));
    // The engine still forwards.
    assert_eq!(l.send("client", &good), 1);
}

#[test]
fn extension_header_chains_are_dropped_as_unsupported() {
    let mut l = Lab::new();
    // Hop-by-hop → destination options → routing → TCP: a chain of three.
    let mut chain = vec![60, 0, 1, 4, 0, 0, 0, 0];
    chain.extend_from_slice(&[43, 0, 1, 4, 0, 0, 0, 0]);
    chain.extend_from_slice(&[6, 0, 0, 0, 0, 0, 0, 0]);
    chain.extend_from_slice(&syn());
    let f = l.frame(l.web(), 0, 64, chain);
    assert!(is_extension(l.dropped(&f, "hop-by-hop chain")));
    // A chain longer than the packet: the first header's length runs past the end.
    let f = l.frame(l.web(), 60, 64, vec![60, 200, 0, 0, 0, 0, 0, 0]);
    assert!(is_extension(l.dropped(&f, "chain past the end")));
    // ESP, AH, mobility, HIP, shim6 and the experimental ones are extension headers too.
    for next in [50, 51, 135, 139, 140, 253] {
        let f = l.frame(l.web(), next, 64, vec![0; 24]);
        let c = l.dropped(&f, &format!("next header {next}"));
        assert!(is_extension(c), "next header {next}: {c:?}");
    }
}

#[test]
fn unknown_next_headers_are_decided_by_policy() {
    // An upper-layer protocol vpclab does not parse (No Next Header, an unassigned number)
    // is judged as a port-less protocol: web's tcp/icmpv6 rules do not admit it.
    let mut l = Lab::new();
    for next in [59, 200] {
        let f = l.frame(l.web(), next, 64, vec![0; 16]);
        let c = l.dropped(&f, &format!("protocol {next}"));
        assert_eq!((c.0, c.1, c.2.policy_drops), (0, 0, 1), "{next}: {c:?}");
    }
}

#[test]
fn fragments_are_dropped_as_unsupported() {
    let mut l = Lab::new();
    let data = syn();
    // An atomic fragment (offset 0, no more fragments).
    let f = l.frame(l.web(), 44, 64, fragment(0, false, 1, &data));
    assert!(is_extension(l.dropped(&f, "atomic fragment")));
    // A tiny first fragment: 8 bytes, the TCP header cut in the middle.
    let f = l.frame(l.web(), 44, 64, fragment(0, true, 2, &data[..8]));
    assert!(is_extension(l.dropped(&f, "tiny first fragment")));
    // Overlapping fragments: 0..16 then 8..24 of one datagram.
    let f = l.frame(l.web(), 44, 64, fragment(0, true, 3, &data[..16]));
    assert!(is_extension(l.dropped(&f, "first of overlapping")));
    let f = l.frame(l.web(), 44, 64, fragment(1, false, 3, &data[..16]));
    assert!(is_extension(l.dropped(&f, "overlapping second")));
    // A fragment header cut short.
    let f = l.frame(l.web(), 44, 64, vec![6, 0, 0]);
    assert!(is_extension(l.dropped(&f, "cut fragment header")));
}

#[test]
fn icmpv6_with_a_bad_checksum_is_malformed() {
    let mut l = Lab::new();
    let mut f = l.frame(l.web(), 58, 64, echo());
    let last = f.len() - 1;
    f[last] ^= 0x5a;
    assert!(is_malformed(l.dropped(&f, "echo with a bad checksum")));
    let mut f = l.frame(l.web(), 58, 64, echo());
    f[14 + 40 + 2] ^= 0xff;
    assert!(is_malformed(l.dropped(&f, "checksum field flipped")));
}

#[test]
fn neighbour_discovery_with_a_hop_limit_below_255_is_malformed() {
    // RFC 4861 §7.1.1: a solicitation whose hop limit is not 255 may come from off-link and
    // is discarded; with 255 the router answers.
    let mut l = Lab::new();
    let target = l.web();
    let mut ns = vec![135, 0, 0, 0, 0, 0, 0, 0];
    ns.extend_from_slice(&target.octets());
    let s = target.segments();
    let solicited = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 1, 0xff00 | (s[6] & 0xff), s[7]);
    let f = l.frame(solicited, 58, 64, ns.clone());
    let c = l.dropped(&f, "NS with hop limit 64");
    assert!(is_malformed(c), "{c:?}");
    assert_eq!(c.2.ndp_answered, 0);
    let f = l.frame(solicited, 58, 255, ns);
    assert_eq!(
        l.send("client", &f),
        1,
        "the same NS with hop limit 255 is answered"
    );
    // A router advertisement (type 134) with hop limit 64 is discarded likewise.
    let f = l.frame(
        l.web(),
        58,
        64,
        vec![134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    assert!(is_malformed(l.dropped(&f, "RA with hop limit 64")));
}

#[test]
fn multicast_the_router_does_not_answer_is_ignored() {
    let mut l = Lab::new();
    let cases: [(&str, &str, Vec<u8>); 4] = [
        (
            "router solicitation",
            "ff02::2",
            vec![133, 0, 0, 0, 0, 0, 0, 0],
        ),
        ("MLDv2 report", "ff02::16", vec![143, 0, 0, 0, 0, 0, 0, 0]),
        ("echo to all nodes", "ff02::1", echo()),
        ("echo to a global group", "ff0e::1234", echo()),
    ];
    for (what, dst, upper) in cases {
        let f = l.frame(dst.parse().unwrap(), 58, 255, upper);
        let c = l.dropped(&f, what);
        assert_eq!((c.0, c.1, c.2.ignored), (0, 0, 1), "{what}: {c:?}");
    }
    // UDP to a multicast group (mDNS).
    let mut udp = vec![0u8; 8];
    udp[0..2].copy_from_slice(&5353u16.to_be_bytes());
    udp[2..4].copy_from_slice(&5353u16.to_be_bytes());
    udp[4..6].copy_from_slice(&8u16.to_be_bytes());
    let f = l.frame("ff02::fb".parse().unwrap(), 17, 255, udp);
    assert_eq!(l.dropped(&f, "mDNS").2.ignored, 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
    #[test]
    fn mutated_ipv6_frames_never_panic(
        idx in proptest::collection::vec((0usize..90, any::<u8>()), 1..6),
        cut in 0usize..120,
        next in prop::sample::select(vec![0u8, 6, 17, 44, 58, 59, 60]),
    ) {
        let mut l = Lab::new();
        let upper = match next { 58 => echo(), _ => syn() };
        let mut f = l.frame(l.web(), next, 64, upper);
        for (i, b) in idx { if i < f.len() { f[i] = b; } }
        f.truncate(cut.min(f.len()));
        l.send("client", &f);
        l.e.handle_timeout(1_000_000_000_000);
        while l.e.poll_output().is_some() {}
    }
}
