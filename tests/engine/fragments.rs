//! IPv4 fragments of TCP, UDP and ICMP through the internet gateway, the NAT gateway and VPC
//! peering, as AWS forwards them: everywhere they pass (the first fragment judged like its
//! datagram, the later ones following it), except that a NAT gateway drops TCP and ICMP
//! fragments and translates UDP ones.

use super::virt_fixes::{fragments, reassemble};
use crate::common::*;
use vpclab::engine::wire::{self, Tcp};
use vpclab::engine::{Engine, Output};
use vpclab::model::{Network, PortId};
use vpclab::policy::Header;

/// Frame `full` split in two fragments (id `id`) sent from `from`: the frames that left, by port.
fn send_fragments(e: &mut Engine, from: PortId, full: &[u8], id: u16) -> Vec<(PortId, Vec<u8>)> {
    for f in fragments(full, id) {
        e.handle_frame(from, &f, 1);
    }
    std::iter::from_fn(|| e.poll_output())
        .filter_map(|o| match o {
            Output::Frame { port, data } => Some((port, data)),
            Output::Packet(_) => None,
        })
        .collect()
}

/// The datagram the two fragments in `out` (both to `port`) make, parsed with every checksum
/// checked.
fn whole(out: &[(PortId, Vec<u8>)], port: PortId) -> wire::Ip {
    assert_eq!(out.len(), 2, "both fragments forwarded");
    assert!(out.iter().all(|(p, _)| *p == port), "to the destination");
    let w = reassemble(&out[0].1, &out[1].1);
    match wire::parse(&w) {
        Ok(wire::Frame::Ip(ip)) => ip,
        r => panic!("the reassembled datagram is valid: {r:?}"),
    }
}

/// The frame of `h` from the instance `name`, with a 64-byte payload (a TCP SYN for TCP).
fn frame(n: &Network, name: &str, h: &Header) -> (PortId, Vec<u8>) {
    let i = n.instance(n.instance_by_name(name).unwrap());
    let p = n.port(i.port);
    let payload: Vec<u8> = (0..64u8).collect();
    let tcp = Tcp {
        flags: 2,
        seq: 1,
        ack: 0,
    };
    (
        i.port,
        wire::build(p.mac, n.router_mac, h, tcp, 3, &payload),
    )
}

#[test]
fn a_nat_gateway_translates_udp_fragments_and_drops_tcp_and_icmp_ones() {
    let n = std::sync::Arc::new(net(&super::nat::NGW.replace("PUBRT", "pub")));
    let app = n
        .port(n.instance(n.instance_by_name("app").unwrap()).port)
        .ip;
    let client = n
        .internet_host(n.internet_host_by_name("client").unwrap())
        .clone();
    let eip = n.nat_gateways[0].elastic_ip.unwrap();
    let mut e = Engine::new(n.clone(), Default::default());
    let udp = Header::l4(app, client.ip, 17, 40000, 9000);
    let (port, f) = frame(&n, "app", &udp);
    let ip = whole(&send_fragments(&mut e, port, &f, 1), client.port);
    assert_eq!(
        (ip.header.src, ip.header.dst, ip.header.dport),
        (eip, client.ip, 9000),
        "UDP fragments leave translated to the EIP, the UDP checksum still valid"
    );
    let dropped = e.stats().unsupported;
    for (id, h) in [
        (2, Header::l4(app, client.ip, 6, 40001, 80)),
        (3, Header::icmp(app, client.ip, 8, 0, 77)),
    ] {
        let (port, f) = frame(&n, "app", &h);
        let out = send_fragments(&mut e, port, &f, id);
        assert!(out.is_empty(), "{h}: fragments dropped at the NAT gateway");
        // Unfragmented, the same packet passes.
        e.handle_frame(port, &f, 2);
        let sent = std::iter::from_fn(|| e.poll_output())
            .filter(|o| matches!(o, Output::Frame { port, .. } if *port == client.port))
            .count();
        assert_eq!(sent, 1, "{h} unfragmented crosses the NAT gateway");
    }
    assert_eq!(
        e.stats().unsupported,
        dropped + 4,
        "each first fragment counted, each later one (no first passed) too"
    );
}

#[test]
fn icmp_fragments_cross_the_internet_gateway_translated() {
    let y = super::nat::NGW.replace("PUBRT", "pub").replace(
        "app: { subnet: priv }",
        "app: { subnet: pub, public_ip: true }",
    );
    let n = std::sync::Arc::new(net(&y));
    let app = n.instance(n.instance_by_name("app").unwrap());
    let (ip, public) = (n.port(app.port).ip, n.eni(app.eni).public_ip.unwrap());
    let client = n
        .internet_host(n.internet_host_by_name("client").unwrap())
        .clone();
    let mut e = Engine::new(n.clone(), Default::default());
    let h = Header::icmp(ip, client.ip, 8, 0, 77);
    let (port, f) = frame(&n, "app", &h);
    let got = whole(&send_fragments(&mut e, port, &f, 5), client.port);
    assert_eq!(
        got.header,
        Header { src: public, ..h },
        "ICMP checksum valid"
    );
}

#[test]
fn tcp_udp_and_icmp_fragments_cross_a_peering() {
    let n = std::sync::Arc::new(net(super::peering::PEER));
    let ia = n
        .port(n.instance(n.instance_by_name("ia").unwrap()).port)
        .ip;
    let ib = n.instance(n.instance_by_name("ib").unwrap());
    let (ib_ip, ib_port) = (n.port(ib.port).ip, ib.port);
    let mut e = Engine::new(n.clone(), Default::default());
    for (id, h) in [
        (1, Header::l4(ia, ib_ip, 6, 40000, 80)),
        (2, Header::l4(ia, ib_ip, 17, 40000, 9000)),
        (3, Header::icmp(ia, ib_ip, 8, 0, 9)),
    ] {
        let (port, f) = frame(&n, "ia", &h);
        let got = whole(&send_fragments(&mut e, port, &f, id), ib_port);
        assert_eq!(got.header, h, "{h}: unchanged over the peering");
    }
}
