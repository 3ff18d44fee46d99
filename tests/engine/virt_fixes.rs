//! Engine fixes on the virtual backend: ICMP errors through IGW 1:1 NAT (admitted by the
//! sender's SG rule for destination unreachable).
use crate::common::*;
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
          - { protocol: icmp, icmp: { type: 3 }, source: 0.0.0.0/0 }
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
fn port_unreachable_through_two_igws_is_admitted_by_the_senders_sg_rule() {
    let mut l = lab(TWO_VPCS);
    let r = probe(&mut l, "x", "y", ProbeProto::Udp, 9000);
    assert!(r.delivered, "the datagram reaches y: {:?}", r.blocked);
    assert!(
        r.reply,
        "y's ICMP port unreachable gets back to x (sg-x admits destination unreachable): {:?}\n{:#?}",
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

/// The NAT-gateway topology of `nat.rs`, its public subnet routed to the IGW, app's SG
/// admitting ICMP destination unreachable (errors pass an SG only by a rule).
fn ngw() -> String {
    super::nat::NGW.replace("PUBRT", "pub").replace(
        "    instances:\n      app: { subnet: priv }",
        "    security_groups:
      app:
        inbound:
          - { protocol: icmp, icmp: { type: 3 }, source: 0.0.0.0/0 }
    instances:
      app: { subnet: priv, security_groups: [app] }",
    )
}

#[test]
fn port_unreachable_back_through_a_nat_gateway() {
    let mut l = lab(&ngw());
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

/// Splits a UDP frame into two IP fragments (first 40 bytes of IP payload, then the rest).
pub(crate) fn fragments(frame: &[u8], id: u16) -> Vec<Vec<u8>> {
    use smoltcp::wire::Ipv4Packet;
    let (eth, ip) = frame.split_at(14);
    let p = Ipv4Packet::new_checked(ip).unwrap();
    let payload = p.payload().to_vec();
    let mut out = Vec::new();
    for (off, chunk, more) in [(0usize, &payload[..40], true), (40, &payload[40..], false)] {
        let mut f = eth.to_vec();
        let mut ipb = ip[..20].to_vec();
        ipb.extend_from_slice(chunk);
        let mut q = Ipv4Packet::new_unchecked(&mut ipb[..]);
        q.set_total_len((20 + chunk.len()) as u16);
        q.set_ident(id);
        q.set_dont_frag(false);
        q.set_more_frags(more);
        q.set_frag_offset(off as u16);
        q.fill_checksum();
        f.extend_from_slice(&ipb);
        out.push(f);
    }
    out
}

/// Reassembles two fragment frames into one unfragmented frame.
pub(crate) fn reassemble(a: &[u8], b: &[u8]) -> Vec<u8> {
    use smoltcp::wire::Ipv4Packet;
    let pa = Ipv4Packet::new_checked(&a[14..]).unwrap();
    let pb = Ipv4Packet::new_checked(&b[14..]).unwrap();
    let mut ipb = a[14..34].to_vec();
    ipb.extend_from_slice(pa.payload());
    ipb.extend_from_slice(pb.payload());
    let len = ipb.len() as u16;
    let mut q = Ipv4Packet::new_unchecked(&mut ipb[..]);
    q.set_total_len(len);
    q.set_more_frags(false);
    q.set_frag_offset(0);
    q.fill_checksum();
    let mut f = a[..14].to_vec();
    f.extend_from_slice(&ipb);
    f
}

#[test]
fn udp_fragments_follow_their_first_fragment_through_igw_nat() {
    use vpclab::engine::wire::{self, Tcp};
    use vpclab::engine::{Engine, Output};
    use vpclab::policy::Header;
    let n = std::sync::Arc::new(net(ngw()
        .replace(
            "app: { subnet: priv, security_groups: [app] }",
            "app: { subnet: pub, public_ip: true, security_groups: [app] }",
        )
        .as_str()));
    let app = n.instance(n.instance_by_name("app").unwrap()).clone();
    let client = n
        .internet_host(n.internet_host_by_name("client").unwrap())
        .clone();
    let pub_ip = n.eni(app.eni).public_ip.unwrap();
    let ap = n.port(app.port).clone();
    let h = Header::l4(ap.ip, client.ip, 17, 40000, 9000);
    let payload: Vec<u8> = (0..64u8).collect();
    let full = wire::build(ap.mac, n.router_mac, &h, Tcp::default(), 0, &payload);
    let frags = fragments(&full, 0x4242);
    let mut e = Engine::new(n.clone(), Default::default());
    // A later fragment alone (its first never passed) is dropped.
    e.handle_frame(app.port, &fragments(&full, 7)[1], 1);
    let mut out = Vec::new();
    for f in &frags {
        e.handle_frame(app.port, f, 2);
    }
    while let Some(o) = e.poll_output() {
        if let Output::Frame { port, data } = o {
            out.push((port, data));
        }
    }
    assert_eq!(
        out.len(),
        2,
        "both fragments forwarded, the stray one dropped"
    );
    assert!(out.iter().all(|(p, _)| *p == client.port));
    let whole = reassemble(&out[0].1, &out[1].1);
    let wire::Frame::Ip(ip) =
        wire::parse(&whole).expect("the reassembled datagram parses, checksums valid")
    else {
        panic!("not IP");
    };
    assert_eq!(
        ip.header,
        Header::l4(pub_ip, client.ip, 17, 40000, 9000),
        "IGW 1:1 NAT applied"
    );
    assert_eq!(wire::l4_payload(&whole).unwrap().1, &payload[..]);
    // TCP fragments cross the internet gateway too (only a NAT gateway drops them:
    // tests/engine/fragments.rs).
    let t = Header::l4(ap.ip, client.ip, 6, 40001, 80);
    let tcp = wire::build(
        ap.mac,
        n.router_mac,
        &t,
        Tcp {
            flags: 2,
            seq: 1,
            ack: 0,
        },
        0,
        &payload,
    );
    for f in fragments(&tcp, 9) {
        e.handle_frame(app.port, &f, 3);
    }
    let out: Vec<Vec<u8>> = std::iter::from_fn(|| e.poll_output())
        .filter_map(|o| match o {
            Output::Frame { port, data } if port == client.port => Some(data),
            _ => None,
        })
        .collect();
    assert_eq!(out.len(), 2, "both TCP fragments forwarded");
    let whole = reassemble(&out[0], &out[1]);
    let wire::Frame::Ip(ip) = wire::parse(&whole).expect("TCP checksum valid after the 1:1 NAT")
    else {
        panic!("not IP");
    };
    assert_eq!(ip.header, Header { src: pub_ip, ..t });
}
