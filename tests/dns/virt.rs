//! Route 53 on the virtual backend: health checks probed through the engine from the checker
//! addresses (failover follows the service and the security group), and queries sent as real
//! UDP packets to the VPC resolver.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;
use vpclab::backend::virt::route53::Route53Lab;
use vpclab::model::Service;

const TOPO: &str = "name: r53
vpcs:
  main:
    cidr: 10.0.0.0/16
    internet_gateway: true
    DNS
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    network_acls:
      closed: {}
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: WEBSRC }
      none:
        inbound: []
        outbound: []
    instances:
      web1: { subnet: pub, elastic_ip: 203.0.113.11, security_groups: [web], services: [http:80] }
      web2: { subnet: pub, elastic_ip: 203.0.113.12, security_groups: [web], services: [http:80] }
      cli: { subnet: CLISUBNET, security_groups: [none] }
SUBNET2
dns:
  zones:
    - name: example.com
      records:
        - { name: svc, type: A, ttl: 60, routing: failover, role: primary, values: [203.0.113.11], health_check: primary }
        - { name: svc, type: A, ttl: 60, routing: failover, role: secondary, values: [203.0.113.12] }
  health_checks:
    primary: { target: 203.0.113.11, protocol: http, port: 80, path: /, search_string: web1, interval: 10, failure_threshold: 3 }
";

fn topo(websrc: &str, dns: &str, closed_subnet: bool) -> String {
    let t = TOPO
        .replace("WEBSRC", websrc)
        .replace("DNS", dns)
        .replace("CLISUBNET", if closed_subnet { "locked" } else { "pub" });
    let s2 = if closed_subnet {
        "      locked: { cidr: 10.0.1.0/24, route_table: pub, network_acl: closed }"
    } else {
        ""
    };
    // The extra subnet goes with the others.
    t.replace("SUBNET2\n", "")
        .replace(
            "      pub: { cidr: 10.0.0.0/24, route_table: pub }\n",
            &format!("      pub: {{ cidr: 10.0.0.0/24, route_table: pub }}\n{s2}\n"),
        )
        .replace("\n\n", "\n")
}

fn lab(y: &str) -> Route53Lab {
    let t = vpclab::topology::parse_str("t.yaml", y).expect("topology parses");
    let net = vpclab::model::build(&t, "t.yaml").expect("topology builds");
    Route53Lab::new(Arc::new(net), 0)
}

fn query(name: &str) -> Vec<u8> {
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for l in name.trim_end_matches('.').split('.') {
        q.push(l.len() as u8);
        q.extend_from_slice(l.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    q
}

fn skip_name(m: &[u8], mut i: usize) -> usize {
    while i < m.len() {
        let l = m[i];
        if l == 0 {
            return i + 1;
        }
        if l & 0xc0 == 0xc0 {
            return i + 2;
        }
        i += 1 + l as usize;
    }
    m.len()
}

/// The A records of a response.
fn a_records(m: &[u8]) -> Vec<Ipv4Addr> {
    assert!(m.len() >= 12, "a DNS message: {m:?}");
    assert_eq!(&m[..2], &[0x12, 0x34], "the query's id");
    let an = u16::from_be_bytes([m[6], m[7]]);
    let mut i = skip_name(m, 12) + 4;
    let mut out = Vec::new();
    for _ in 0..an {
        i = skip_name(m, i);
        let t = u16::from_be_bytes([m[i], m[i + 1]]);
        let len = u16::from_be_bytes([m[i + 8], m[i + 9]]) as usize;
        i += 10;
        if t == 1 && len == 4 {
            out.push(Ipv4Addr::new(m[i], m[i + 1], m[i + 2], m[i + 3]));
        }
        i += len;
    }
    out
}

fn resolve(l: &mut Route53Lab, from: &str, resolver: &str) -> Option<Vec<Ipv4Addr>> {
    let ex = l
        .lab()
        .udp_send(from, resolver, 5353, 53, &query("svc.example.com"))
        .expect("query sent");
    ex.replied.then(|| a_records(&ex.data))
}

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

#[test]
fn failover_follows_the_primarys_service() {
    let mut l = lab(&topo("0.0.0.0/0", "", false));
    assert_eq!(l.settle_time(), Duration::from_secs(30));
    assert_eq!(
        resolve(&mut l, "cli", "10.0.0.2"),
        Some(vec![ip("203.0.113.11")])
    );
    assert!(l.health()[0].healthy && l.health()[0].probes >= 1);
    l.lab().set_service("web1", Service::Http(80), false);
    // Two failures (20 s) are not enough; the third (at 30 s from the stop) flips it.
    l.advance(Duration::from_secs(15));
    assert_eq!(
        resolve(&mut l, "cli", "10.0.0.2"),
        Some(vec![ip("203.0.113.11")])
    );
    l.advance(Duration::from_secs(15));
    assert!(!l.health()[0].healthy, "{:?}", l.health());
    assert_eq!(
        resolve(&mut l, "cli", "10.0.0.2"),
        Some(vec![ip("203.0.113.12")])
    );
    assert_eq!(
        resolve(&mut l, "cli", "169.254.169.253"),
        Some(vec![ip("203.0.113.12")])
    );
    l.lab().set_service("web1", Service::Http(80), true);
    l.advance(Duration::from_secs(15));
    assert_eq!(
        resolve(&mut l, "cli", "10.0.0.2"),
        Some(vec![ip("203.0.113.12")])
    );
    l.advance(Duration::from_secs(15));
    assert!(l.health()[0].healthy);
    assert_eq!(
        resolve(&mut l, "cli", "10.0.0.2"),
        Some(vec![ip("203.0.113.11")])
    );
}

#[test]
fn an_sg_that_blocks_the_checkers_makes_the_target_unhealthy() {
    // Only the VPC may reach port 80: the checkers (15.177.0.0/18) are refused.
    let mut l = lab(&topo("10.0.0.0/16", "", false));
    l.advance(l.settle_time());
    assert!(!l.health()[0].healthy, "{:?}", l.health());
    assert_eq!(
        resolve(&mut l, "cli", "10.0.0.2"),
        Some(vec![ip("203.0.113.12")])
    );
    // Allowing the checkers' range fixes it.
    let mut l = lab(&topo("15.177.0.0/18", "", false));
    l.advance(l.settle_time());
    assert!(l.health()[0].healthy, "{:?}", l.health());
    assert_eq!(
        resolve(&mut l, "cli", "10.0.0.2"),
        Some(vec![ip("203.0.113.11")])
    );
}

#[test]
fn the_resolver_is_never_filtered_and_dns_support_false_is_silent() {
    // cli: deny-all NACL, SG with no rules at all.
    let mut l = lab(&topo("0.0.0.0/0", "", true));
    assert_eq!(
        resolve(&mut l, "cli", "10.0.0.2"),
        Some(vec![ip("203.0.113.11")])
    );
    assert_eq!(
        resolve(&mut l, "cli", "169.254.169.253"),
        Some(vec![ip("203.0.113.11")])
    );
    let mut l = lab(&topo("0.0.0.0/0", "dns: { support: false }", false));
    assert_eq!(resolve(&mut l, "cli", "10.0.0.2"), None);
    assert_eq!(resolve(&mut l, "cli", "169.254.169.253"), None);
}

fn cli_answer(y: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r53.yaml");
    std::fs::write(&f, y).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("dns")
        .arg(&f)
        .args(["--from", "cli", "svc.example.com", "--json"])
        .output()
        .expect("vpclab runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    v["answers"][0]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn dns_command_uses_probed_health() {
    assert_eq!(cli_answer(&topo("0.0.0.0/0", "", false)), "203.0.113.11");
    assert_eq!(cli_answer(&topo("10.0.0.0/16", "", false)), "203.0.113.12");
}

#[test]
fn dns_over_tcp_to_the_resolver() {
    let mut l = lab(&topo("0.0.0.0/0", "", true));
    for resolver in ["10.0.0.2", "169.254.169.253"] {
        let (mut flow, ex) = l.lab().tcp_connect("cli", resolver, 53).unwrap();
        assert!(ex.replied && !ex.reset, "SYN-ACK from {resolver}: {ex:?}");
        let q = query("svc.example.com");
        let mut msg = (q.len() as u16).to_be_bytes().to_vec();
        msg.extend_from_slice(&q);
        let ex = l.lab().tcp_send(&mut flow, &msg);
        assert!(ex.data.len() > 2, "an answer over TCP: {ex:?}");
        let n = u16::from_be_bytes([ex.data[0], ex.data[1]]) as usize;
        assert_eq!(ex.data.len(), 2 + n, "length-prefixed");
        assert_eq!(a_records(&ex.data[2..]), vec![ip("203.0.113.11")]);
    }
}
