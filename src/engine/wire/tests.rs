//! Unit tests of parsing, building and rewriting in place.

use super::*;
use smoltcp::wire::{Icmpv4Packet, IpAddress, Ipv4Packet, TcpPacket, UdpPacket};

/// `frame` with every checksum recomputed from scratch (what the copying rewrite did).
fn full_checksums(frame: &[u8]) -> Vec<u8> {
    let mut v = frame.to_vec();
    let Ok(Frame::Ip(ip)) = parse(frame) else {
        panic!("not IPv4")
    };
    let h = ip.header;
    let end = ETH_LEN + usize::from(ip.len);
    Ipv4Packet::new_unchecked(&mut v[ETH_LEN..end]).fill_checksum();
    let (sa, da) = (IpAddress::Ipv4(h.src), IpAddress::Ipv4(h.dst));
    let l4 = &mut v[ETH_LEN + IP_LEN..end];
    match h.proto {
        6 => TcpPacket::new_unchecked(l4).fill_checksum(&sa, &da),
        17 => UdpPacket::new_unchecked(l4).fill_checksum(&sa, &da),
        1 => Icmpv4Packet::new_unchecked(l4).fill_checksum(),
        _ => {}
    }
    v
}

/// Parses, sets MACs and translates in place.
fn translated(f: &[u8], h: &Header, inner: Option<&Header>) -> Vec<u8> {
    let Ok(Parsed::Ip(mut p)) = parse_packet(f.to_vec()) else {
        panic!("not IPv4")
    };
    p.set_macs([6; 6], [8; 6]);
    p.translate(h, inner);
    p.into_inner()
}

#[test]
fn build_parse_rewrite_round_trip() {
    let h = Header::l4(
        "10.0.0.4".parse().unwrap(),
        "10.0.1.4".parse().unwrap(),
        6,
        40000,
        80,
    );
    let f = build(
        [2; 6],
        [4; 6],
        &h,
        Tcp {
            flags: 2,
            seq: 7,
            ack: 0,
        },
        0,
        b"hi",
    );
    let Ok(Frame::Ip(ip)) = parse(&f) else {
        panic!()
    };
    assert_eq!((ip.header, ip.tcp_flags), (h, 2));
    let h2 = Header {
        src: "203.0.113.9".parse().unwrap(),
        sport: 1024,
        ..h
    };
    let g = translated(&f, &h2, None);
    assert_eq!((&g[..6], &g[6..12]), (&[8; 6][..], &[6; 6][..]));
    // The incremental checksums are bit for bit a full recomputation.
    assert_eq!(g, full_checksums(&g));
    let Ok(Frame::Ip(ip)) = parse(&g) else {
        panic!()
    };
    assert_eq!(ip.header, h2);
    let mut bad = g.clone();
    let n = bad.len() - 1;
    bad[n] ^= 0xff;
    assert_eq!(parse(&bad), Err(Bad::Malformed));
    for p in [17u8, 1] {
        let h = if p == 1 {
            Header::icmp(h.src, h.dst, 8, 0, 9)
        } else {
            Header { proto: p, ..h }
        };
        let f = build([2; 6], [4; 6], &h, Tcp::default(), 1, b"xyz");
        let Ok(Frame::Ip(ip)) = parse(&f) else {
            panic!()
        };
        assert_eq!(ip.header, h);
        let h2 = Header {
            dst: "198.51.100.7".parse().unwrap(),
            sport: 4242,
            ..h
        };
        let g = translated(&f, &h2, None);
        assert_eq!(g, full_checksums(&g));
        let Ok(Frame::Ip(ip)) = parse(&g) else {
            panic!()
        };
        assert_eq!(ip.header, h2);
    }
}

#[test]
fn icmp_error_inner_header() {
    let orig = Header::l4(
        "10.0.0.4".parse().unwrap(),
        "10.0.1.4".parse().unwrap(),
        17,
        40000,
        9,
    );
    let of = build([2; 6], [4; 6], &orig, Tcp::default(), 0, b"q");
    let err = Header::icmp(orig.dst, orig.src, 3, 3, 0);
    let f = build([4; 6], [2; 6], &err, Tcp::default(), 0, ip_prefix(&of, 8));
    let Ok(Frame::Ip(ip)) = parse(&f) else {
        panic!()
    };
    assert_eq!(ip.inner, Some(orig));
    // NAT of the error and its embedded header, in place.
    let inner = Header {
        src: "203.0.113.9".parse().unwrap(),
        sport: 1024,
        ..orig
    };
    let err2 = Header {
        dst: inner.src,
        ..err
    };
    let g = translated(&f, &err2, Some(&inner));
    assert_eq!(g, full_checksums(&g));
    let Ok(Frame::Ip(ip)) = parse(&g) else {
        panic!()
    };
    assert_eq!((ip.header, ip.inner), (err2, Some(inner)));
    let mut emb = g[ETH_LEN + IP_LEN + 8..ETH_LEN + 2 * IP_LEN + 8].to_vec();
    assert!(Ipv4Packet::new_unchecked(&mut emb[..]).verify_checksum());
}

#[test]
fn packet_fields_without_a_second_parse() {
    let h = Header::l4(
        "10.0.0.4".parse().unwrap(),
        "10.0.1.2".parse().unwrap(),
        6,
        40000,
        53,
    );
    let t = Tcp {
        flags: 0x18,
        seq: 77,
        ack: 99,
    };
    let f = build([2; 6], [4; 6], &h, t, 0, b"query");
    let Ok(Parsed::Ip(p)) = parse_packet(&f[..]) else {
        panic!()
    };
    assert_eq!((p.tcp(), p.l4_payload()), (t, &b"query"[..]));
    assert_eq!(wire_l4(&f), (t, b"query".to_vec()));
    let u = build(
        [2; 6],
        [4; 6],
        &Header { proto: 17, ..h },
        Tcp::default(),
        0,
        b"q",
    );
    let Ok(Parsed::Ip(p)) = parse_packet(&u[..]) else {
        panic!()
    };
    assert_eq!((p.tcp(), p.l4_payload()), (Tcp::default(), &b"q"[..]));
}

fn wire_l4(f: &[u8]) -> (Tcp, Vec<u8>) {
    let (t, p) = l4_payload(f).unwrap();
    (t, p.to_vec())
}

#[test]
fn arp() {
    let r = arp_request(
        [2; 6],
        "10.0.0.4".parse().unwrap(),
        "10.0.0.1".parse().unwrap(),
    );
    let Ok(Frame::Arp(a)) = parse(&r) else {
        panic!()
    };
    assert_eq!(a.target_ip, "10.0.0.1".parse::<Ipv4Addr>().unwrap());
    assert_eq!(a.sender_mac, [2; 6]);
}

/// A SYN of `h` whose TCP header carries `options` (padded to 32 bits), every checksum
/// valid.
fn syn_with_options(h: &Header, options: &[u8]) -> Vec<u8> {
    let mut opts = options.to_vec();
    while !opts.len().is_multiple_of(4) {
        opts.push(0);
    }
    let tcp = Tcp {
        flags: 0x02,
        seq: 1,
        ack: 0,
    };
    // Built with the options as payload, then the data offset moved past them.
    let mut f = build([2; 6], [4; 6], h, tcp, 0, &opts);
    let l4 = ETH_LEN + IP_LEN;
    f[l4 + 12] = (((20 + opts.len()) / 4) as u8) << 4;
    let (sa, da) = (IpAddress::Ipv4(h.src), IpAddress::Ipv4(h.dst));
    TcpPacket::new_unchecked(&mut f[l4..]).fill_checksum(&sa, &da);
    f
}

/// MSS clamping: an MSS above the limit is lowered, aligned or not (after a NOP), the TCP
/// checksum still verifies and equals a full recompute; a smaller MSS, a non-SYN and a SYN
/// without the option are left alone.
#[test]
fn clamp_mss_lowers_the_option_and_keeps_the_checksum() {
    let h = Header::l4(
        "10.0.0.4".parse().unwrap(),
        "10.1.0.4".parse().unwrap(),
        6,
        40000,
        5201,
    );
    let mss = |v: u16| [2u8, 4, (v >> 8) as u8, v as u8];
    let aligned = [&mss(8961)[..], &[1, 1, 4, 2]].concat();
    let unaligned = [&[1u8][..], &mss(8961), &[4, 2]].concat();
    for (what, opts, want) in [
        ("aligned", aligned, Some(8460u16)),
        ("after a NOP", unaligned, Some(8460)),
        ("already small", mss(1460).to_vec(), None),
        ("no MSS option", vec![1, 1, 4, 2], None),
        // Malformed options are left alone: a zero length, and an MSS running past the header.
        ("zero-length option", vec![3, 0, 2, 4, 0x23, 0x01], None),
        ("MSS past the header", vec![1, 1, 1, 1, 1, 1, 2, 4], None),
    ] {
        let f = syn_with_options(&h, &opts);
        let Ok(Parsed::Ip(mut p)) = parse_packet(f.clone()) else {
            panic!("{what}: a valid SYN")
        };
        assert_eq!(p.clamp_mss(8460), want.is_some(), "{what}");
        let out = p.into_inner();
        assert!(
            matches!(parse(&out), Ok(Frame::Ip(_))),
            "{what}: checksums verify"
        );
        assert_eq!(
            out,
            full_checksums(&out),
            "{what}: same as a full recompute"
        );
        let l4 = ETH_LEN + IP_LEN;
        let at = l4 + 20 + opts.iter().position(|b| *b == 2).unwrap_or(0);
        if let Some(v) = want {
            assert_eq!(u16::from_be_bytes([out[at + 2], out[at + 3]]), v, "{what}");
        } else {
            assert_eq!(out, f, "{what}: unchanged");
        }
    }
    // Not a SYN: untouched.
    let ack = Header { dport: 5202, ..h };
    let mut ack = syn_with_options(&ack, &mss(8961));
    ack[ETH_LEN + IP_LEN + 13] = 0x10;
    let (sa, da) = (IpAddress::Ipv4(h.src), IpAddress::Ipv4(h.dst));
    TcpPacket::new_unchecked(&mut ack[ETH_LEN + IP_LEN..]).fill_checksum(&sa, &da);
    let Ok(Parsed::Ip(mut p)) = parse_packet(ack.clone()) else {
        panic!("a valid ACK")
    };
    assert!(!p.clamp_mss(8460));
    assert_eq!(p.into_inner(), ack);
}
