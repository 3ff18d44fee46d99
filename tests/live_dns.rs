//! The daemon's Route 53 listener on loopback (root): `status --json` gives its port and
//! `dig @127.0.0.1 -p PORT` gets the public zone's answers (internet view).

mod netns_common;

use netns_common::{privileged, vpclab, Topo};
use std::process::Command;

const DNS_LAB: &str = include_str!("../topologies/dns.yaml");

#[test]
fn dig_on_loopback() {
    if !privileged() {
        return;
    }
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
