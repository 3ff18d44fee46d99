//! Sources, destinations and protocols of spec/cli.md through the binary: addresses nobody owns
//! (and `reach` agreeing with `probe` on them), a NAT gateway's own address, protocol names and
//! numbers, spoofed, subnet and internet sources, hops after a blocker, and the fixes both
//! commands print.

use std::process::Command;

const THREE_TIER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/topologies/three-tier.yaml");

/// Runs `vpclab CMD FILE ARGS...`: (exit code, stdout, stderr).
fn run(cmd: &str, file: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg(cmd)
        .arg(file)
        .args(args)
        .output()
        .expect("vpclab runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `run` with `--json`, parsed.
fn json(cmd: &str, file: &str, args: &[&str]) -> (i32, serde_json::Value) {
    let mut a = args.to_vec();
    a.push("--json");
    let (code, out, err) = run(cmd, file, &a);
    let v = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {out}\nstderr: {err}"));
    (code, v)
}

/// The codes of a reach answer's blockers, in order.
fn codes(v: &serde_json::Value) -> Vec<String> {
    v["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_address_outside_every_vpc_exits_the_network_in_reach_and_probe() {
    for from in ["web", "app"] {
        let (code, v) = json("reach", THREE_TIER, &["--from", from, "--to", "54.1.2.3"]);
        assert_eq!(code, 0, "{v}");
        assert_eq!(v["reachable"], true);
        assert_eq!(v["exits_network"], true);
        let fwd = v["forward"].as_array().unwrap();
        assert_eq!(fwd.last().unwrap()["component"], "igw-main", "{v}");
        assert!(!v["return"].as_array().unwrap().is_empty());
        let (code, p) = json("probe", THREE_TIER, &["--from", from, "--to", "54.1.2.3"]);
        assert_eq!(code, 0, "{p}");
        assert_eq!(
            (&p["exited"], &p["delivered"], &p["reply"]),
            (
                &serde_json::json!(true),
                &serde_json::json!(false),
                &serde_json::json!(false)
            )
        );
    }
    // The keyword `internet` stays a modelled host that answers.
    let (_, v) = json("reach", THREE_TIER, &["--from", "web", "--to", "internet"]);
    assert_eq!(
        (v["reachable"].clone(), v["exits_network"].clone()),
        (true.into(), false.into())
    );
}

/// A subnet whose NACL drops the replies of what leaves: the return leg from the gateway fails.
const EXIT_NACL: &str = "name: t
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub, map_public_ip: true, network_acl: strict }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    network_acls:
      strict:
        inbound:
          - { rule: 100, protocol: tcp, ports: 80, cidr: 0.0.0.0/0, action: allow }
        outbound:
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
    instances:
      web: { subnet: pub }
";

#[test]
fn a_nacl_dropping_the_replies_of_an_exit_makes_it_not_reachable() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.yaml");
    std::fs::write(&f, EXIT_NACL).unwrap();
    let f = f.to_str().unwrap();
    let (code, v) = json(
        "reach",
        f,
        &["--from", "web", "--to", "54.1.2.3", "--port", "443"],
    );
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["exits_network"], true);
    assert_eq!(v["blocked"]["path"], "return");
    assert_eq!(v["blocked"]["code"], "SUBNET_ACL_RESTRICTION");
    assert!(
        v["blocked"]["fix"]
            .as_str()
            .unwrap()
            .contains("ports: 32768-60999"),
        "{v}"
    );
}

#[test]
fn unowned_addresses_inside_a_vpc_and_a_nat_gateway_are_answers_not_errors() {
    for (to, code) in [
        ("10.0.1.99", "NO_ENI_AT_ADDRESS"),
        ("10.0.200.1", "NO_ROUTE_TO_DESTINATION"),
        ("nat-a", "NGW_NO_INBOUND_INITIATION"),
    ] {
        let (rc, v) = json("reach", THREE_TIER, &["--from", "web", "--to", to]);
        assert_eq!(rc, 1, "{to}: {v}");
        assert_eq!(v["blocked"]["code"], code, "{to}: {v}");
        assert_eq!(v["exits_network"], false);
        let (rc, p) = json("probe", THREE_TIER, &["--from", "web", "--to", to]);
        assert_eq!(rc, 1, "{to}: {p}");
        assert_eq!(p["blocked"]["code"], code, "{to}: {p}");
        assert_eq!(p["blocked"]["fix"], v["blocked"]["fix"], "{to}");
    }
}

#[test]
fn protocols_by_name_in_any_case_or_number() {
    for p in ["TCP", "Udp", "icmp", "ICMPv6", "0", "47", "255"] {
        let (rc, _, err) = run(
            "reach",
            THREE_TIER,
            &["--from", "app", "--to", "db", "--protocol", p],
        );
        assert!(rc == 0 || rc == 1, "{p}: {rc} {err}");
    }
    for bad in [
        &["--protocol", "256"][..],
        &["--protocol", "gre"],
        &["--protocol", "icmp", "--port", "5"],
        &["--protocol", "47", "--port", "5"],
        &["--protocol", "47", "--src-port", "5"],
    ] {
        let mut a = vec!["--from", "app", "--to", "db"];
        a.extend_from_slice(bad);
        let (rc, _, err) = run("reach", THREE_TIER, &a);
        assert_eq!(rc, 2, "{bad:?}: {err}");
        let (rc, _, err) = run("probe", THREE_TIER, &a);
        assert_eq!(rc, 2, "probe {bad:?}: {err}");
    }
}

#[test]
fn protocol_0_is_rejected_by_a_group_that_allows_only_tcp() {
    // web → app: the default NACLs allow all; sg-app allows only tcp 8080 from sg-web.
    let (rc, v) = json(
        "reach",
        THREE_TIER,
        &["--from", "web", "--to", "app", "--protocol", "0"],
    );
    assert_eq!(rc, 1);
    assert_eq!(v["protocol"], "0");
    assert!(v["port"].is_null());
    assert_eq!(codes(&v), ["ENI_SG_RULES_MISMATCH"]);
    assert_eq!(v["blocked"]["component"], "sg-app");
    let (rc, p) = json(
        "probe",
        THREE_TIER,
        &["--from", "web", "--to", "app", "--protocol", "0"],
    );
    assert_eq!(rc, 1);
    assert_eq!(p["blocked"]["component"], "sg-app");
    // The same flow in tcp on the allowed port gets there and back.
    let (rc, _) = json(
        "reach",
        THREE_TIER,
        &["--from", "web", "--to", "app", "--port", "8080"],
    );
    assert_eq!(rc, 0);
}

#[test]
fn a_spoofed_source_is_dropped_by_the_source_dest_check_and_later_hops_are_marked() {
    let args = [
        "--from",
        "app",
        "--src-ip",
        "10.0.1.99",
        "--to",
        "db",
        "--port",
        "5432",
    ];
    let (rc, v) = json("reach", THREE_TIER, &args);
    assert_eq!(rc, 1);
    assert_eq!(v["from"], "app (from 10.0.1.99)");
    assert_eq!(codes(&v)[0], "ENI_SOURCE_DEST_CHECK_RESTRICTION");
    let fwd = v["forward"].as_array().unwrap();
    assert!(fwd[0].get("after_block").is_none(), "{v}");
    assert!(fwd[1..].iter().all(|h| h["after_block"] == true), "{v}");
    let (_, text, _) = run("reach", THREE_TIER, &args);
    assert!(
        text.contains("what follows would happen only if it were allowed"),
        "{text}"
    );
    assert!(text.contains("(if allowed) delivered to i-db"), "{text}");
    let (rc, p) = json("probe", THREE_TIER, &args);
    assert_eq!(rc, 1);
    assert_eq!(p["blocked"]["code"], "ENI_SOURCE_DEST_CHECK_RESTRICTION");
}

#[test]
fn subnet_and_internet_sources() {
    let (rc, v) = json(
        "reach",
        THREE_TIER,
        &["--from", "subnet-public-a", "--to", "web"],
    );
    assert_eq!(rc, 0, "{v}");
    assert!(
        v["from"]
            .as_str()
            .unwrap()
            .starts_with("subnet-public-a (10.0.0."),
        "{v}"
    );
    let (rc, p) = json(
        "probe",
        THREE_TIER,
        &["--from", "subnet-public-a", "--to", "web"],
    );
    assert_eq!((rc, &p["reply"]), (0, &serde_json::json!(true)), "{p}");
    // sg-db admits only members of sg-app: a subnet source (no group) is refused.
    let (rc, v) = json(
        "reach",
        THREE_TIER,
        &[
            "--from",
            "subnet-private-a",
            "--src-ip",
            "10.0.1.50",
            "--to",
            "db",
            "--port",
            "5432",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(v["blocked"]["component"], "sg-db");
    assert!(
        v["blocked"]["fix"]
            .as_str()
            .unwrap()
            .contains("source: 10.0.1.0/24"),
        "{v}"
    );
    let (rc, _, err) = run(
        "reach",
        THREE_TIER,
        &[
            "--from",
            "subnet-private-a",
            "--src-ip",
            "10.0.2.9",
            "--to",
            "db",
        ],
    );
    assert_eq!(rc, 2, "{err}");
    for from in [
        &["--from", "internet", "--src-ip", "8.8.8.8"][..],
        &["--from", "igw-main", "--src-ip", "8.8.8.8"],
    ] {
        let mut a = from.to_vec();
        a.extend(["--to", "web"]);
        let (rc, v) = json("reach", THREE_TIER, &a);
        assert_eq!(rc, 0, "{from:?}: {v}");
        let (rc, p) = json("probe", THREE_TIER, &a);
        assert_eq!(rc, 0, "{from:?}: {p}");
    }
    // Display ids and AWS ids name instances and ENIs.
    for from in ["i-web", "eni-web"] {
        let (rc, _) = json(
            "reach",
            THREE_TIER,
            &["--from", from, "--to", "app", "--port", "8080"],
        );
        assert_eq!(rc, 0, "{from}");
    }
}

/// The reply of `client → web` is dropped by the public subnet's NACL outbound.
const REPLY_NACL: &str = "name: t
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub, map_public_ip: true, network_acl: out80 }
      priv: { cidr: 10.0.1.0/24, route_table: wrong }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
      wrong:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    nat_gateways:
      nat-a: { subnet: pub }
    network_acls:
      out80:
        inbound:
          - { rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow }
        outbound:
          - { rule: 100, protocol: tcp, ports: 80, cidr: 0.0.0.0/0, action: allow }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: pub, security_groups: [web], services: [http:80] }
      worker: { subnet: priv }
internet:
  hosts:
    client: { ip: 198.51.100.10 }
";

#[test]
fn probe_and_reach_print_the_same_fix_and_keep_the_design_first() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.yaml");
    std::fs::write(&f, REPLY_NACL).unwrap();
    let f = f.to_str().unwrap();
    let (rc, v) = json("reach", f, &["--from", "client", "--to", "web"]);
    assert_eq!(rc, 1, "{v}");
    let (rc, p) = json("probe", f, &["--from", "client", "--to", "web"]);
    assert_eq!(rc, 1, "{p}");
    let fix = v["blocked"]["fix"].as_str().unwrap();
    assert!(fix.contains("ports: 32768-60999"), "{fix}");
    assert_eq!(p["blocked"]["fix"], v["blocked"]["fix"]);
    // A private instance routed to the IGW: the NAT gateway route comes before a public IP.
    let (rc, v) = json("reach", f, &["--from", "worker", "--to", "client"]);
    assert_eq!(rc, 1);
    let fix = v["blocked"]["fix"].as_str().unwrap();
    let nat = fix.find("target: nat:nat-a").expect(fix);
    let public = fix.find("public_ip: true").expect(fix);
    assert!(nat < public, "{fix}");
    let (_, text, _) = run("reach", f, &["--from", "worker", "--to", "client"]);
    assert!(
        text.contains("to allow this flow: route it through nat-a"),
        "{text}"
    );
    let (_, text, _) = run("probe", f, &["--from", "worker", "--to", "client"]);
    assert!(
        text.contains("to allow this flow: route it through nat-a"),
        "{text}"
    );
}
