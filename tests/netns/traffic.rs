//! End-to-end traffic through the netns backend and the engine: the acceptance tests
//! (IGW, SGs, NACLs, NAT gateway with its EIP, `apply` cutting a live flow, peering).

use crate::common::netns::*;
use crate::common::require::{self, CURL, NC, SS};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

const PEERING: &str = include_str!("data/peering.yaml");

/// Connects from inside `ns` to `addr` (the socket lives in that namespace).
fn connect_from(ns: &str, addr: SocketAddr) -> std::io::Result<TcpStream> {
    in_ns(ns, move || {
        let s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        Ok(s)
    })
}

/// Writes `msg` and reads the echo back.
fn echo(s: &mut TcpStream, msg: &[u8]) -> std::io::Result<Vec<u8>> {
    s.write_all(msg)?;
    let mut buf = vec![0u8; msg.len()];
    s.read_exact(&mut buf)?;
    Ok(buf)
}

fn web_public_ip(t: &Topo) -> String {
    let net = t.network();
    let web = net.instance(net.instance_by_name("web").expect("web"));
    net.eni(web.eni)
        .public_ip
        .expect("web has a public IP")
        .to_string()
}

#[test]
#[ignore = "needs root and curl: run the README's test command (scripts/test.sh)"]
fn internet_host_reaches_web_on_its_public_ip() {
    require::netns(&[CURL]);
    let t = Topo::new("ntw", THREE_TIER);
    t.up();
    let url = format!("http://{}/", web_public_ip(&t));
    let o = t.exec("client", &["curl", "-s", "-m", "10", &url]);
    assert_eq!(
        stdout(&o),
        "web\n",
        "curl {url}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
#[ignore = "needs root and nc: run the README's test command (scripts/test.sh)"]
fn app_reaches_db_and_web_does_not() {
    require::netns(&[NC]);
    let t = Topo::new("ntd", THREE_TIER);
    t.up();
    let ok = t.exec("app", &["nc", "-z", "-w", "5", "10.0.2.4", "5432"]);
    assert_eq!(ok.status.code(), Some(0), "app → db:5432");
    let no = t.exec("web", &["nc", "-z", "-w", "3", "10.0.2.4", "5432"]);
    assert_ne!(no.status.code(), Some(0), "web → db:5432 must be blocked");
}

#[test]
#[ignore = "needs root and ss: run the README's test command (scripts/test.sh)"]
fn app_reaches_internet_through_nat_gateway_with_its_eip() {
    require::netns(&[SS]);
    let yaml = THREE_TIER.replace(
        "client: { ip: 198.51.100.10, location: { country: DE } }",
        "client: { ip: 198.51.100.10, location: { country: DE }, services: [tcp:7000] }",
    );
    let t = Topo::new("ntn", &yaml);
    let net = t.network();
    let eip = net.nat_gateways[0]
        .elastic_ip
        .expect("the NAT gateway has an EIP")
        .to_string();
    t.up();
    let mut s =
        connect_from(&t.ns("app"), "198.51.100.10:7000".parse().unwrap()).expect("app → internet");
    assert_eq!(
        echo(&mut s, b"hello").expect("echo through the NAT gateway"),
        b"hello"
    );
    let ss = stdout(&t.exec(
        "client",
        &["ss", "-Htn", "state", "established", "( sport = :7000 )"],
    ));
    // The built-in servers listen dual-stack, so ss may print the peer v4-mapped.
    assert!(
        ss.contains(&format!(" {eip}:")) || ss.contains(&format!("[::ffff:{eip}]:")),
        "the internet host should see {eip}: {ss}"
    );
    assert!(!ss.contains("10.0.1."), "private address leaked: {ss}");
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn nacl_change_with_apply_cuts_an_existing_flow() {
    require::netns(&[]);
    let t = Topo::new("nta", THREE_TIER);
    t.up();
    let mut s = connect_from(&t.ns("app"), "10.0.2.4:5432".parse().unwrap()).expect("app → db");
    assert_eq!(
        echo(&mut s, b"before").expect("echo before apply"),
        b"before"
    );
    let denied = THREE_TIER.replace(
        "{ rule: 100, protocol: tcp, ports: 5432, cidr: 10.0.1.0/24, action: allow }",
        "{ rule: 100, protocol: tcp, ports: 5432, cidr: 10.0.1.0/24, action: deny }",
    );
    assert_ne!(denied, THREE_TIER, "the NACL rule to change exists");
    let f = t.rewrite(&denied);
    let o = vpclab().arg("apply").arg(&f).output().unwrap();
    assert!(
        o.status.success(),
        "apply: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    assert!(
        echo(&mut s, b"after!").is_err(),
        "the NACL change must cut the live flow"
    );
}

#[test]
#[ignore = "needs root and curl: run the README's test command (scripts/test.sh)"]
fn peering_is_not_transitive() {
    require::netns(&[CURL]);
    let t = Topo::new("ntp", PEERING);
    t.up();
    let ab = t.exec("ha", &["curl", "-s", "-m", "10", "http://10.2.0.10/"]);
    assert_eq!(stdout(&ab), "hb\n", "A → B over the peering");
    let ac = t.exec("ha", &["curl", "-s", "-m", "3", "http://10.3.0.10/"]);
    assert_ne!(
        ac.status.code(),
        Some(0),
        "A → C must fail (peering is not transitive)"
    );
}

#[test]
fn traffic_tests_topologies_are_valid() {
    let t = Topo::new("ntv", PEERING);
    let net = t.network();
    assert_eq!(net.peerings.len(), 2);
    let t = Topo::new("ntv", THREE_TIER);
    assert!(!t.network().nat_gateways.is_empty());
}
