//! The loopback listener: real `dig` over UDP and TCP, and malformed datagrams.

use crate::common::require::{self, DIG};
use std::net::{SocketAddr, UdpSocket};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use vpclab::dns::server::{spawn, ServerHandle};
use vpclab::dns::{Client, HealthTable, Zones};

fn start(from: Option<&str>) -> (ServerHandle, Arc<Zones>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/topologies/dns.yaml");
    let t = vpclab::topology::load(std::path::Path::new(path)).unwrap();
    let net = Arc::new(vpclab::model::build(&t, path).unwrap());
    let zones = Arc::new(Zones::build(net.clone()));
    let view = match from {
        None => Client::internet("198.51.100.10".parse().unwrap(), None, None),
        Some(n) => Client::endpoint(&net, net.endpoint_by_name(n).unwrap()),
    };
    let health = Arc::new(HealthTable::new(zones.checks.len()));
    let h = spawn(
        zones.clone(),
        health,
        view,
        "127.0.0.1:0".parse().unwrap(),
        1,
    )
    .unwrap();
    (h, zones)
}

fn dig(addr: SocketAddr, args: &[&str]) -> String {
    let port = addr.port().to_string();
    let mut cmd = Command::new("dig");
    cmd.args(["@127.0.0.1", "-p", &port, "+time=5", "+tries=3"])
        .args(args);
    let o = cmd.output().expect("dig");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
#[ignore = "needs dig: run the README's test command (scripts/test.sh)"]
fn dig_over_udp_and_tcp() {
    require::tools(&[DIG]);
    let (h, _) = start(None);
    let out = dig(h.addr(), &["www.example.com", "A", "+short"]);
    assert_eq!(out.trim(), "203.0.113.10");
    let out = dig(h.addr(), &["+tcp", "docs.example.com", "A"]);
    assert!(out.contains("status: NOERROR"), "{out}");
    assert!(out.contains("CNAME\twww.example.com."), "{out}");
    let out = dig(h.addr(), &["nope.example.com", "A"]);
    assert!(out.contains("status: NXDOMAIN"), "{out}");
    assert!(out.contains("SOA"), "{out}");
    let out = dig(h.addr(), &["example.com", "NS", "+short"]);
    assert_eq!(out.lines().count(), 4, "{out}");
}

#[test]
#[ignore = "needs dig: run the README's test command (scripts/test.sh)"]
fn dig_from_a_vpc_vantage_point() {
    require::tools(&[DIG]);
    let (h, _) = start(Some("web"));
    assert_eq!(
        dig(h.addr(), &["db.example.com", "+short"]).trim(),
        "10.0.1.50"
    );
    assert_eq!(
        dig(h.addr(), &["-x", "10.0.0.10", "+short"]).trim(),
        "ip-10-0-0-10.ec2.internal."
    );
}

#[test]
fn malformed_datagrams_do_not_kill_the_server() {
    let (h, _) = start(None);
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    for junk in [
        &b""[..],
        b"\x00",
        b"\x12\x34\x01\x00\x00\x01",
        b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xff\xff",
    ] {
        s.send_to(junk, h.addr()).unwrap();
    }
    let q = vpclab::dns::wire::query_bytes(77, "www.example.com", hickory_proto::rr::RecordType::A)
        .unwrap();
    let mut buf = [0u8; 1500];
    // Replies to the junk (FORMERR) may come first; wait for the one with our id.
    let mut got = false;
    for _ in 0..10 {
        s.send_to(&q, h.addr()).unwrap();
        match s.recv_from(&mut buf) {
            Ok((n, _)) if n >= 12 && buf[0..2] == [0, 77] => {
                let m = hickory_proto::op::Message::from_vec(&buf[..n]).unwrap();
                assert_eq!(m.answers.len(), 1);
                got = true;
                break;
            }
            Ok(_) => continue,
            Err(e) => panic!("no reply: {e}"),
        }
    }
    assert!(got, "the server still answers");
}

#[test]
fn wire_handler_never_panics_on_random_bytes() {
    let (_, zones) = start(None);
    let client = Client::internet("198.51.100.10".parse().unwrap(), None, None);
    let mut rng = vpclab::dns::Rng::new(9);
    let h = vpclab::dns::AllHealthy;
    let valid =
        vpclab::dns::wire::query_bytes(1, "www.example.com", hickory_proto::rr::RecordType::A)
            .unwrap();
    for i in 0..20_000u64 {
        let mut b: Vec<u8> = if i % 2 == 0 {
            valid.clone()
        } else {
            (0..(rng.below(64) as usize))
                .map(|_| rng.next_u64() as u8)
                .collect()
        };
        for _ in 0..rng.below(4) {
            if !b.is_empty() {
                let j = rng.below(b.len() as u64) as usize;
                b[j] = rng.next_u64() as u8;
            }
        }
        let _ = vpclab::dns::wire::handle(
            &zones,
            &h,
            &b,
            &client,
            &mut rng,
            vpclab::dns::wire::Transport::Udp,
        );
    }
}
