//! AWS's MTUs on the netns backend (root): instances run `eth0` at 9001; with an internet host
//! at 9001 too, TCP both ways across the internet gateway learns the IGW's 1500 from its
//! ICMP "fragmentation needed" (path MTU discovery) and the data arrives intact, once web's SG
//! has the inbound rule for ICMP type 3 code 4 that EC2's "Network MTU" page asks for; without
//! that rule (SGs admit no ICMP error as related to a flow), or with a NACL that denies inbound
//! ICMP on web's subnet, web's sends black-hole as on AWS. The same over IPv6
//! (`topologies/dual-stack.yaml`, whose web SG admits ICMPv6): `ping -6 -s 3000 -M do` gets the
//! VPC router's ICMPv6 packet too big, the kernel caches 1500 and an IPv6 TCP transfer both
//! ways completes; with a NACL denying ICMPv6 into web's subnet, no packet too big arrives and
//! the upload black-holes.

use super::offload::{send, transfer};
use crate::common::netns::*;
use crate::common::require::{self, IP, PING};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// `THREE_TIER` with web's SG admitting ICMP "fragmentation needed" (type 3 code 4) from
/// anywhere, the rule path MTU discovery needs.
fn with_pmtud_rule() -> String {
    let http = "          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n";
    assert!(THREE_TIER.contains(http));
    THREE_TIER.replacen(
        http,
        &format!("{http}          - {{ protocol: icmp, icmp: {{ type: 3, code: 4 }}, source: 0.0.0.0/0 }}\n"),
        1,
    )
}

/// web's subnet with a NACL that denies inbound ICMP (rule 90) and allows everything else.
fn no_icmp(yaml: &str) -> String {
    yaml.replace(
        "route_table: public, map_public_ip: true }",
        "route_table: public, map_public_ip: true, network_acl: noicmp }",
    )
    .replace(
        "    network_acls:                 # the implicit `default` NACL allows all (rule 100) both ways\n",
        "    network_acls:
      noicmp:
        inbound:
          - { rule: 90, protocol: icmp, cidr: 0.0.0.0/0, action: deny }
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
        outbound:
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
",
    )
}

fn mtu_of(t: &Topo, host: &str) -> String {
    let o = std::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            &t.ns(host),
            "cat",
            "/sys/class/net/eth0/mtu",
        ])
        .output()
        .expect("read mtu");
    stdout(&o).trim().to_string()
}

/// Puts the internet host's `eth0` at 9001 (internet hosts start at 1500).
fn jumbo_client(t: &Topo) {
    let st = std::process::Command::new("ip")
        .args(["-n", &t.ns("client"), "link", "set", "eth0", "mtu", "9001"])
        .status()
        .expect("ip link set mtu");
    assert!(st.success());
}

#[test]
#[ignore = "needs root and ip: run the README's test command (scripts/test.sh)"]
fn pmtud_across_the_igw_at_9001() {
    require::netns(&[IP]);
    let t = Topo::new("npmtu", &with_pmtud_rule());
    t.up();
    assert_eq!(mtu_of(&t, "web"), "9001", "instances run eth0 at 9001");
    assert_eq!(mtu_of(&t, "client"), "1500", "internet hosts at 1500");
    jumbo_client(&t);
    // web → client uploads through the IGW's 1:1 NAT; the client's answers come back.
    transfer(&t, "web", "client", "198.51.100.10");
    // The path MTU web learned from the IGW's ICMP.
    let o = std::process::Command::new("ip")
        .args(["-n", &t.ns("web"), "route", "get", "198.51.100.10"])
        .output()
        .expect("ip route get");
    assert!(
        stdout(&o).contains("mtu 1500"),
        "web cached the IGW's MTU: {}",
        stdout(&o)
    );
}

/// web's 1 MiB upload to the client (at 9001) through the IGW stalls: its full-sized segments
/// vanish at the IGW's 1500 and no ICMP reaches web to say so.
fn upload_black_holes(t: &Topo) {
    let l = in_ns(&t.ns("client"), || TcpListener::bind("0.0.0.0:7100")).expect("listen");
    let server = std::thread::spawn(move || -> usize {
        let Ok((mut s, _)) = l.accept() else { return 0 };
        let _ = s.set_read_timeout(Some(Duration::from_secs(6)));
        let mut n = 0;
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(k) = std::io::Read::read(&mut s, &mut buf) {
            if k == 0 {
                break;
            }
            n += k;
        }
        n
    });
    let addr: SocketAddr = "198.51.100.10:7100".parse().unwrap();
    let mut c = in_ns(&t.ns("web"), move || {
        let s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        s.set_write_timeout(Some(Duration::from_secs(5)))?;
        Ok(s)
    })
    .expect("the handshake is small: it connects");
    let t0 = Instant::now();
    let sent = send(&mut c, 1);
    drop(c);
    let got = server.join().expect("server thread");
    assert!(
        sent.is_err(),
        "the upload should stall (black hole), it finished in {:?}",
        t0.elapsed()
    );
    assert!(
        got < 1 << 20,
        "the client got {got} bytes through a black hole"
    );
}

#[test]
#[ignore = "needs root and ip: run the README's test command (scripts/test.sh)"]
fn a_nacl_blocking_icmp_black_holes_pmtud() {
    require::netns(&[IP]);
    let t = Topo::new("nphole", &no_icmp(&with_pmtud_rule()));
    t.up();
    jumbo_client(&t);
    upload_black_holes(&t);
}

/// web's SG without the ICMP rule (`THREE_TIER` as it is): the IGW's "fragmentation needed"
/// is dropped at web's SG, since SGs admit no ICMP error as related to a flow.
#[test]
#[ignore = "needs root and ip: run the README's test command (scripts/test.sh)"]
fn an_sg_without_the_icmp_rule_black_holes_pmtud() {
    require::netns(&[IP]);
    let t = Topo::new("npsg", THREE_TIER);
    t.up();
    jumbo_client(&t);
    upload_black_holes(&t);
}

/// `topologies/dual-stack.yaml` (web's SG admits ICMPv6, packet too big included), web's
/// subnet behind a NACL denying ICMPv6 in when `deny_icmp6`.
fn dual_stack(deny_icmp6: bool) -> String {
    let y = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/topologies/dual-stack.yaml"
    ))
    .expect("example");
    assert!(y.contains("          - { protocol: icmpv6, source: \"::/0\" }\n"));
    if !deny_icmp6 {
        return y;
    }
    y.replace(
        "map_public_ip: true, assign_ipv6_address_on_creation: true }",
        "map_public_ip: true, assign_ipv6_address_on_creation: true, network_acl: noicmp6 }",
    )
    .replace(
        "    security_groups:\n",
        "    network_acls:
      noicmp6:
        inbound:
          - { rule: 90, protocol: icmpv6, cidr: \"::/0\", action: deny }
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
          - { rule: 101, protocol: all, cidr: \"::/0\", action: allow }
        outbound:
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
          - { rule: 101, protocol: all, cidr: \"::/0\", action: allow }
    security_groups:\n",
    )
}

/// web's `ping -6 -s 3000 -M do` to the client (3048 bytes, past the IGW's 1500) and web's
/// cached route to it afterwards.
fn big_ping6(t: &Topo) -> (String, String) {
    let o = t.exec(
        "web",
        &[
            "ping", "-6", "-c", "1", "-W", "3", "-s", "3000", "-M", "do", CLIENT6,
        ],
    );
    let ping = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    let r = t.exec("web", &["ip", "-6", "route", "get", CLIENT6]);
    (ping, stdout(&r))
}

const CLIENT6: &str = "2001:db8::10";

#[test]
#[ignore = "needs root, ip and ping: run the README's test command (scripts/test.sh)"]
fn ipv6_pmtud_across_the_igw_at_9001() {
    require::netns(&[IP, PING]);
    let t = Topo::new("n6pmtu", &dual_stack(false));
    t.up();
    assert_eq!(mtu_of(&t, "web"), "9001", "instances run eth0 at 9001");
    jumbo_client(&t);
    let (ping, route) = big_ping6(&t);
    assert!(
        ping.contains("Packet too big") && ping.contains("mtu=1500"),
        "the VPC router's packet too big reached web: {ping}"
    );
    assert!(
        route.contains("mtu 1500"),
        "web cached the IGW's MTU: {route}"
    );
    // A packet that fits the learned MTU goes through (1448 bytes, DF as IPv6 always is).
    let o = t.exec(
        "web",
        &[
            "ping", "-6", "-c", "1", "-W", "3", "-s", "1400", "-M", "do", CLIENT6,
        ],
    );
    assert!(o.status.success(), "ping -6 -s 1400: {}", stdout(&o));
    // TCP over IPv6 with both ends at 9001: segments past 1500 both ways, PMTUD shrinks them.
    transfer(&t, "web", "client", CLIENT6);
}

#[test]
#[ignore = "needs root, ip and ping: run the README's test command (scripts/test.sh)"]
fn a_nacl_denying_icmpv6_black_holes_ipv6_pmtud() {
    require::netns(&[IP, PING]);
    let t = Topo::new("n6hole", &dual_stack(true));
    t.up();
    jumbo_client(&t);
    let (ping, route) = big_ping6(&t);
    assert!(
        !ping.contains("Packet too big"),
        "the NACL should drop the packet too big: {ping}"
    );
    assert!(!route.contains("mtu 1500"), "nothing learned: {route}");
    // An IPv6 upload from web stalls: its full-sized segments vanish, no error comes back.
    let l = in_ns(&t.ns("client"), || TcpListener::bind("[::]:7100")).expect("listen");
    let server = std::thread::spawn(move || -> usize {
        let Ok((mut s, _)) = l.accept() else { return 0 };
        let _ = s.set_read_timeout(Some(Duration::from_secs(6)));
        let (mut n, mut buf) = (0, vec![0u8; 1 << 16]);
        while let Ok(k) = std::io::Read::read(&mut s, &mut buf) {
            if k == 0 {
                break;
            }
            n += k;
        }
        n
    });
    let addr: SocketAddr = format!("[{CLIENT6}]:7100").parse().unwrap();
    let mut c = in_ns(&t.ns("web"), move || {
        let s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        s.set_write_timeout(Some(Duration::from_secs(5)))?;
        Ok(s)
    })
    .expect("the handshake is small: it connects");
    let sent = send(&mut c, 1);
    drop(c);
    let got = server.join().expect("server thread");
    assert!(sent.is_err(), "the IPv6 upload should stall (black hole)");
    assert!(
        got < 1 << 20,
        "the client got {got} bytes through a black hole"
    );
}
