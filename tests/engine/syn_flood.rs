//! Connection tracking under load (issue 18, item 2): per-state TCP lifetimes and early drop.
//! A SYN flood or many short connections must not fill an ENI's table with entries that are no
//! live connection (half-open or closed), locking other clients out; the table stays bounded.
use crate::common::*;
use std::sync::Arc;
use std::time::Duration;
use vpclab::backend::virt::host::flags;
use vpclab::backend::virt::Lab;
use vpclab::engine::wire::Tcp;
use vpclab::model::{proto, EniId, PortId};
use vpclab::policy::Header;

/// A web server behind an SG open to one internet /24 only (so its flows are tracked), a
/// legitimate client and an attacker in that /24.
const WEB: &str = "name: flood
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub, map_public_ip: true }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 198.51.100.0/24 }
    instances:
      web: { subnet: pub, security_groups: [web], services: [http:80] }
internet:
  hosts:
    client: { ip: 198.51.100.10 }
    attacker: { ip: 198.51.100.66 }
";

const MAX: usize = 2000;

fn web_lab() -> (Lab, EniId) {
    let mut n = net(WEB);
    n.conntrack_max = MAX;
    let eni = n.instance(n.instance_by_name("web").unwrap()).eni;
    (Lab::new(Arc::new(n)), eni)
}

/// Sends one TCP segment from an internet host to the web server's public IP.
fn segment(l: &mut Lab, from: &str, sport: u16, fl: u8) {
    let dst = l.resolve(from, "web").unwrap().unwrap();
    let host = l.host_mut(from).unwrap();
    let h = Header::l4(host.ip, dst, proto::TCP, sport, 80);
    let f = host.frame(
        &h,
        Tcp {
            flags: fl,
            seq: 1,
            ack: 1,
        },
        0,
        &[],
    );
    let port: PortId = host.port;
    l.inject(port, &f);
}

/// A complete short HTTP exchange from `client`: handshake, request (the server answers and
/// closes), the client's FIN and last ACK. True when the handshake and the request got answers.
fn short_connection(l: &mut Lab) -> bool {
    let Ok((mut f, e)) = l.tcp_connect("client", "web", 80) else {
        return false;
    };
    if !e.replied || e.reset {
        return false;
    }
    let ex = l.tcp_send(&mut f, b"GET / HTTP/1.0\r\n\r\n");
    segment(l, "client", f.header.sport, flags::FIN | flags::ACK);
    segment(l, "client", f.header.sport, flags::ACK);
    ex.replied && String::from_utf8_lossy(&ex.data).contains("web")
}

#[test]
fn sequential_short_connections_beyond_the_table_size_all_get_through() {
    let (mut l, eni) = web_lab();
    for i in 0..MAX + 200 {
        assert!(short_connection(&mut l), "connection {} timed out", i + 1);
        assert!(l.engine().tracked_connections(eni) <= MAX);
    }
    assert_eq!(l.engine().stats().conntrack_full, 0);
}

#[test]
fn a_syn_flood_from_one_host_does_not_lock_another_client_out() {
    let (mut l, eni) = web_lab();
    // A connection that was open before the flood.
    let (mut before, e) = l.tcp_connect("client", "web", 80).unwrap();
    assert!(e.replied);
    // Never-completed handshakes, more than the table holds, all at one instant.
    for i in 0..(3 * MAX) as u16 {
        segment(&mut l, "attacker", 1024 + i, flags::SYN);
        assert!(l.engine().tracked_connections(eni) <= MAX);
    }
    assert_eq!(
        l.engine().tracked_connections(eni),
        MAX,
        "the flood filled the table"
    );
    for i in 0..50 {
        assert!(
            short_connection(&mut l),
            "legitimate connection {i} during the flood"
        );
        segment(&mut l, "attacker", 20_000 + i, flags::SYN);
    }
    let ex = l.tcp_send(&mut before, b"GET / HTTP/1.0\r\n\r\n");
    assert!(
        ex.replied && !ex.reset,
        "the established connection survives: {ex:?}"
    );
    assert!(l.engine().tracked_connections(eni) <= MAX);
}

#[test]
fn half_open_entries_expire_after_linux_timeouts_established_ones_stay() {
    let (mut l, eni) = web_lab();
    let (mut est, _) = l.tcp_connect("client", "web", 80).unwrap();
    // SYN_SENT (120 s): the server is down and answers nothing.
    l.host_mut("web").unwrap().running = false;
    segment(&mut l, "attacker", 5000, flags::SYN);
    l.host_mut("web").unwrap().running = true;
    // SYN_RECV (60 s): the server answers, the attacker never completes.
    segment(&mut l, "attacker", 5001, flags::SYN);
    assert_eq!(l.engine().tracked_connections(eni), 3);
    // Each advance is at least the sweep interval (10 s), so each one sweeps.
    l.advance(Duration::from_secs(59));
    assert_eq!(l.engine().tracked_connections(eni), 3);
    l.advance(Duration::from_secs(11));
    assert_eq!(
        l.engine().tracked_connections(eni),
        2,
        "SYN_RECV lives 60 s"
    );
    l.advance(Duration::from_secs(49));
    assert_eq!(l.engine().tracked_connections(eni), 2);
    l.advance(Duration::from_secs(11));
    assert_eq!(
        l.engine().tracked_connections(eni),
        1,
        "SYN_SENT lives 120 s"
    );
    l.advance(Duration::from_secs(86_400));
    assert_eq!(l.engine().tracked_connections(eni), 1, "established stays");
    let ex = l.tcp_send(&mut est, b"GET / HTTP/1.0\r\n\r\n");
    assert!(ex.replied && !ex.reset, "{ex:?}");
    // The server closed with its answer (and the virtual client's stack, which has no socket,
    // answered its FIN with RST): the entry lives at most TIME_WAIT's 120 s.
    l.advance(Duration::from_secs(121));
    assert_eq!(l.engine().tracked_connections(eni), 0, "closed entries go");
}
