//! No input crashes the engine; malformed frames are counted, not forwarded.
use crate::common::*;
use proptest::prelude::*;
use std::sync::Arc;
use vpclab::engine::wire::{self, Tcp};
use vpclab::engine::{Engine, Output};
use vpclab::model::PortId;
use vpclab::policy::Header;

fn valid_frame(l: &vpclab::model::Network) -> (PortId, Vec<u8>) {
    let web = l.instance(l.instance_by_name("web").unwrap());
    let p = l.port(web.port);
    let h = Header::l4(p.ip, "198.51.100.10".parse().unwrap(), 6, 40000, 80);
    (
        web.port,
        wire::build(
            p.mac,
            l.router_mac,
            &h,
            Tcp {
                flags: 2,
                seq: 1,
                ack: 0,
            },
            0,
            b"hello",
        ),
    )
}

fn tt() -> vpclab::model::Network {
    net(include_str!("../../topologies/three-tier.yaml"))
}

fn drain(e: &mut Engine) -> usize {
    let mut n = 0;
    while let Some(o) = e.poll_output() {
        if matches!(o, Output::Frame { .. }) {
            n += 1;
        }
    }
    n
}

#[test]
fn malformed_frames_are_counted_not_forwarded() {
    let n = Arc::new(tt());
    let (port, good) = valid_frame(&n);
    let mut e = Engine::new(n.clone(), Default::default());
    e.handle_frame(port, &good, 1);
    assert_eq!(drain(&mut e), 1, "the valid SYN is forwarded to the client");
    // Truncated.
    for cut in [0, 5, 14, 20, 33, good.len() - 1] {
        e.handle_frame(port, &good[..cut], 2);
    }
    // Bad IP checksum, bad TCP checksum, bad total length.
    let mut bad = good.clone();
    bad[14 + 10] ^= 0xff;
    e.handle_frame(port, &bad, 3);
    let mut bad = good.clone();
    let l = bad.len();
    bad[l - 1] ^= 0x55;
    e.handle_frame(port, &bad, 3);
    let mut bad = good.clone();
    bad[14 + 2] = 0xff;
    e.handle_frame(port, &bad, 3);
    assert_eq!(drain(&mut e), 0);
    assert!(e.stats().malformed >= 8, "{:?}", e.stats());
    // Odd ethertype (IEEE's local experimental one; IPv6 is carried now), IP options, first
    // fragments of a protocol other than TCP, UDP and ICMP (GRE): unsupported.
    let mut odd = good.clone();
    odd[12] = 0x88;
    odd[13] = 0xb5;
    e.handle_frame(port, &odd, 4);
    let mut frag = good.clone();
    frag[14 + 6] = 0x20; // more fragments
    frag[14 + 9] = 47; // GRE
    smoltcp::wire::Ipv4Packet::new_unchecked(&mut frag[14..]).fill_checksum();
    e.handle_frame(port, &frag, 4);
    assert_eq!(drain(&mut e), 0);
    assert!(e.stats().unsupported >= 2, "{:?}", e.stats());
    // Unknown port: ignored.
    e.handle_frame(PortId(999), &good, 5);
    // The engine still works.
    e.handle_frame(port, &good, 6);
    assert_eq!(drain(&mut e), 1);
}

#[test]
fn arp_is_answered_for_router_and_subnet_addresses_only() {
    let n = Arc::new(tt());
    let web = n.instance(n.instance_by_name("web").unwrap());
    let p = n.port(web.port).clone();
    let mut e = Engine::new(n.clone(), Default::default());
    for (target, answered) in [
        ("10.0.0.1", true),
        ("10.0.0.77", true),
        ("10.0.1.5", false),
        ("10.0.0.255", false),
    ] {
        e.handle_frame(
            web.port,
            &wire::arp_request(p.mac, p.ip, target.parse().unwrap()),
            1,
        );
        assert_eq!(drain(&mut e), usize::from(answered), "ARP for {target}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]
    #[test]
    fn random_frames_never_crash(bytes in proptest::collection::vec(any::<u8>(), 0..1600), port in 0u32..8) {
        let n = Arc::new(tt());
        let mut e = Engine::new(n, Default::default());
        e.handle_frame(PortId(port), &bytes, 1);
        while e.poll_output().is_some() {}
    }

    #[test]
    fn mutated_valid_frames_never_crash(idx in proptest::collection::vec((0usize..80, any::<u8>()), 1..6), cut in 0usize..200, extra in proptest::collection::vec(any::<u8>(), 0..64)) {
        let n = Arc::new(tt());
        let (port, good) = valid_frame(&n);
        let mut f = good.clone();
        for (i, b) in idx { if i < f.len() { f[i] = b; } }
        f.truncate(cut.min(f.len()));
        f.extend_from_slice(&extra);
        let mut e = Engine::new(n, Default::default());
        e.handle_frame(port, &f, 1);
        e.handle_timeout(1_000_000_000_000);
        while e.poll_output().is_some() {}
    }
}
