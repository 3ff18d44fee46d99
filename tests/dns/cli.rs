//! `vpclab dns` through the binary: JSON shape, human output and exit codes.

use std::process::Command;

fn topo() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/topologies/dns.yaml").to_string()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .args(args)
        .output()
        .expect("run vpclab");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let (code, out, err) = run(args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

#[test]
fn json_answer_and_geolocation_from_internet_hosts() {
    let t = topo();
    let (code, v) = json(&["dns", &t, "--from", "de", "geo.example.com", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(v["rcode"], "NOERROR");
    assert_eq!(v["answers"][0]["name"], "geo.example.com.");
    assert_eq!(v["answers"][0]["type"], "A");
    assert_eq!(v["answers"][0]["ttl"], 300);
    assert_eq!(v["answers"][0]["value"], "203.0.113.21");
    let (_, v) = json(&["dns", &t, "--from", "jp", "geo.example.com", "--json"]);
    assert_eq!(v["answers"][0]["value"], "203.0.113.23");
    let (_, v) = json(&["dns", &t, "--from", "us", "geo.example.com", "--json"]);
    assert_eq!(v["answers"][0]["value"], "203.0.113.24");
}

#[test]
fn nxdomain_is_an_answer_and_private_zone_from_the_vpc() {
    let t = topo();
    let (code, v) = json(&["dns", &t, "--from", "web", "nope.example.com", "--json"]);
    assert_eq!((code, v["rcode"].as_str()), (0, Some("NXDOMAIN")));
    assert_eq!(v["authority"][0]["type"], "SOA");
    let (_, v) = json(&["dns", &t, "--from", "web", "db.example.com", "--json"]);
    assert_eq!(v["answers"][0]["value"], "10.0.1.50");
    let (_, v) = json(&["dns", &t, "--from", "de", "db.example.com", "--json"]);
    assert_eq!(v["answers"][0]["value"], "203.0.113.50");
}

#[test]
fn type_and_seed_flags() {
    let t = topo();
    let (code, v) = json(&[
        "dns",
        &t,
        "--from",
        "de",
        "example.com",
        "--type",
        "mx",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["answers"][0]["value"], "10 mail.example.com.");
    let a = json(&[
        "dns",
        &t,
        "--from",
        "de",
        "many.example.com",
        "--seed",
        "7",
        "--json",
    ])
    .1;
    let b = json(&[
        "dns",
        &t,
        "--from",
        "de",
        "many.example.com",
        "--seed",
        "7",
        "--json",
    ])
    .1;
    assert_eq!(a, b, "same seed, same answer");
}

#[test]
fn human_output_looks_like_dig() {
    let (code, out, _) = run(&["dns", &topo(), "--from", "de", "docs.example.com"]);
    assert_eq!(code, 0);
    assert!(out.contains("status: NOERROR"), "{out}");
    assert!(out.contains(";; ANSWER SECTION:"), "{out}");
    assert!(
        out.contains("docs.example.com.\t300\tIN\tCNAME\twww.example.com."),
        "{out}"
    );
}

#[test]
fn exit_codes_for_bad_input_and_no_answer() {
    let t = topo();
    let (code, _, err) = run(&["dns", &t, "--from", "ghost", "www.example.com"]);
    assert_eq!(code, 2);
    assert!(err.contains("ghost") && err.contains("hint:"), "{err}");
    let (code, _, err) = run(&[
        "dns",
        &t,
        "--from",
        "de",
        "www.example.com",
        "--type",
        "BOGUS",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, v) = json(&["dns", &t, "--from", "lonely", "www.example.com", "--json"]);
    assert_eq!(code, 1, "dns.support false: no answer");
    assert_eq!(v["rcode"], "TIMEOUT");
}
