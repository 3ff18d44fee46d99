//! Unit tests of offloaded frames: partial checksums kept valid through NAT, segments counted
//! as their wire packets, the virtio-net header round trip.

use super::checksum::ones_sum;
use super::*;

/// A TCP (or UDP) frame of `payload` bytes as a kernel with checksum offload hands it over:
/// the L4 checksum field holds the folded pseudo-header sum.
fn partial_frame(h: &Header, payload: usize) -> (Vec<u8>, CsumPartial) {
    let body: Vec<u8> = (0..payload).map(|i| (i * 7 + 3) as u8).collect();
    let mut f = build([2; 6], [4; 6], h, Tcp::default(), 0, &body);
    let l4 = ETH_LEN + IP_LEN;
    let at = if h.proto == 6 { 16 } else { 6 };
    let len = (f.len() - l4) as u16;
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&h.src.octets());
    pseudo.extend_from_slice(&h.dst.octets());
    pseudo.extend_from_slice(&[0, h.proto]);
    pseudo.extend_from_slice(&len.to_be_bytes());
    f[l4 + at..l4 + at + 2].copy_from_slice(&ones_sum(&pseudo).to_be_bytes());
    (
        f,
        CsumPartial {
            start: l4 as u16,
            offset: at as u16,
        },
    )
}

fn hdr(proto: u8) -> Header {
    Header::l4(
        "10.0.1.4".parse().unwrap(),
        "198.51.100.10".parse().unwrap(),
        proto,
        40000,
        80,
    )
}

/// NAT (addresses and ports) on a partial checksum: once the receiver completes it, it is the
/// checksum of the translated packet, for TCP and UDP.
#[test]
fn nat_keeps_a_partial_checksum_valid() {
    for proto in [6u8, 17] {
        let h = hdr(proto);
        let (f, c) = partial_frame(&h, 3000);
        assert!(parse(&f).is_err(), "a partial checksum does not verify");
        let off = Offload {
            csum: Some(c),
            gso: None,
            data_valid: false,
        };
        let Ok(Parsed::Ip(mut p)) = parse_packet_offload(f, off) else {
            panic!("proto {proto}: an offloaded frame parses")
        };
        let to = Header {
            src: "203.0.113.7".parse().unwrap(),
            sport: 1027,
            ..h
        };
        p.translate(&to, None);
        assert_eq!(
            p.offload(),
            off,
            "the offload state goes out with the frame"
        );
        let done = p.completed();
        let Ok(Frame::Ip(ip)) = parse(&done) else {
            panic!("proto {proto}: completed checksum valid after NAT")
        };
        assert_eq!(ip.header, to);
    }
}

/// A TSO segment of 10,000 payload bytes at an MSS of 1448 is 7 wire packets, each with its
/// own 40 bytes of IP and TCP header; its largest wire packet is 1488 bytes.
#[test]
fn a_segment_counts_its_wire_packets() {
    let (f, c) = partial_frame(&hdr(6), 10_000);
    let g = Gso {
        kind: GsoKind::Tcp4,
        size: 1448,
        hdr_len: 54,
        ecn: false,
    };
    let off = Offload {
        csum: Some(c),
        gso: Some(g),
        data_valid: false,
    };
    let Ok(Parsed::Ip(p)) = parse_packet_offload(f, off) else {
        panic!("a segment parses")
    };
    assert_eq!(p.wire_packets(), (7, 10_040 + 6 * 40));
    assert_eq!(p.wire_mtu_needed(), 1488);
    let mut v = off.encode().to_vec();
    assert_eq!(Offload::decode(&v), Ok(off), "header round trip");
    v[1] = 3; // UFO
    assert_eq!(Offload::decode(&v), Err(Bad::Unsupported));
    assert_eq!(Offload::decode(&v[..4]), Err(Bad::Malformed));
}

/// A segment whose partial checksum is not where TCP's is, or that claims TSO for UDP, is
/// unsupported; a plain frame with a checksum to complete elsewhere is completed and parsed.
#[test]
fn odd_offloads_are_refused_or_completed() {
    let (f, c) = partial_frame(&hdr(17), 100);
    let tso = Offload {
        csum: Some(c),
        gso: Some(Gso {
            kind: GsoKind::Tcp4,
            size: 1000,
            hdr_len: 42,
            ecn: false,
        }),
        data_valid: false,
    };
    assert!(matches!(
        parse_packet_offload(f.clone(), tso),
        Err(Bad::Unsupported)
    ));
    // UDP's partial checksum described from the IP header on (offset 26): completed in software.
    let odd = Offload {
        csum: Some(CsumPartial {
            start: ETH_LEN as u16,
            offset: (IP_LEN + 6) as u16,
        }),
        gso: None,
        data_valid: false,
    };
    let mut g = f.clone();
    g[ETH_LEN + IP_LEN + 6..ETH_LEN + IP_LEN + 8].copy_from_slice(&[0, 0]);
    let r = parse_packet_offload(g, odd);
    assert!(
        matches!(r, Err(Bad::Malformed)),
        "summing over the IP header gives a wrong checksum: {r:?}"
    );
    let short = Offload {
        csum: Some(CsumPartial {
            start: 60_000,
            offset: 6,
        }),
        gso: None,
        data_valid: false,
    };
    assert!(matches!(
        parse_packet_offload(f, short),
        Err(Bad::Malformed)
    ));
}
