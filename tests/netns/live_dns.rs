//! The daemon's Route 53 listener on loopback (root): `status --json` gives its port and
//! `dig @127.0.0.1 -p PORT` gets the public zone's answers (internet view).

use crate::common::netns::{vpclab, Topo};
use crate::common::require::{self, DIG};
use std::process::Command;

const DNS_LAB: &str = include_str!("../../topologies/dns.yaml");

#[test]
#[ignore = "needs root and dig: run the README's test command (scripts/test.sh)"]
fn dig_on_loopback() {
    require::netns(&[DIG]);
    let t = Topo::new("ldns", DNS_LAB);
    t.up();
    let out = vpclab()
        .args(["status", &t.name, "--json"])
        .output()
        .expect("status");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    let port = v["topologies"][0]["dns_port"]
        .as_u64()
        .unwrap_or_else(|| panic!("no dns_port: {v}"));
    let dig = |name: &str, extra: &[&str]| {
        let out = Command::new("dig")
            .args([
                "@127.0.0.1",
                "-p",
                &port.to_string(),
                "+short",
                "+tries=3",
                "+time=5",
            ])
            .args(extra)
            .arg(name)
            .output()
            .expect("run dig");
        assert!(out.status.success(), "dig: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(dig("www.example.com", &[]), "203.0.113.10");
    // The public zone (the private zone's db record is invisible from the internet).
    assert_eq!(dig("db.example.com", &[]), "203.0.113.50");
    assert_eq!(dig("www.example.com", &["+tcp"]), "203.0.113.10");
}

/// The `blue` check of the DNS lab (`status --json`), once it satisfies `f`.
fn wait_check(t: &Topo, f: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let start = std::time::Instant::now();
    loop {
        let out = vpclab()
            .args(["status", &t.name, "--json"])
            .output()
            .expect("status");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
        let h = &v["topologies"][0]["health"];
        if let Some(c) = h["checks"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["name"] == "blue"))
        {
            if f(c) {
                assert_eq!(h["checker"], format!("{}-de", t.name), "{v}");
                return c.clone();
            }
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(120),
            "health check never got there: {v}"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn health_check_probes_through_the_engine() {
    require::netns(&[]);
    let t = Topo::new("lhc", DNS_LAB);
    t.up();
    // web serves HTTP on 80 and its SG admits the internet: a probe succeeds.
    let c = wait_check(&t, |c| c["last_result"] == true);
    assert_eq!(c["healthy"], true, "{c}");
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn health_check_blocked_by_sg_goes_unhealthy() {
    require::netns(&[]);
    let yaml = DNS_LAB.replace(
        "- { protocol: tcp, ports: 80, source: 0.0.0.0/0 }",
        "- { protocol: tcp, ports: 81, source: 0.0.0.0/0 }",
    );
    assert_ne!(yaml, DNS_LAB, "the web SG rule is in the lab file");
    let t = Topo::new("lhcx", &yaml);
    t.up();
    // Interval 10 s, threshold 3: unhealthy after three failed probes.
    let c = wait_check(&t, |c| c["healthy"] == false);
    assert_eq!(c["last_result"], false, "{c}");
}
