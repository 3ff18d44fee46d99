//! `vpclab reach` through the binary: JSON contract of spec/cli.md, exit codes, the matrix.

use std::process::Command;

fn reach(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("reach")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/topologies/three-tier.yaml"
        ))
        .args(args)
        .output()
        .expect("vpclab runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut a = args.to_vec();
    a.push("--json");
    let (code, out, err) = reach(&a);
    let v = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {out}\nstderr: {err}"));
    (code, v)
}

#[test]
fn reachable_json_shape_and_exit_0() {
    let (code, v) = json(&["--from", "app", "--to", "db", "--port", "5432"]);
    assert_eq!(code, 0);
    assert_eq!(v["reachable"], true);
    assert!(v["blocked"].is_null());
    assert_eq!(v["blockers"], serde_json::json!([]));
    for key in ["forward", "return"] {
        let hops = v[key].as_array().unwrap();
        assert!(!hops.is_empty(), "{key}");
        for h in hops {
            assert!(
                h["component"].is_string() && h["kind"].is_string() && h["detail"].is_string(),
                "{h}"
            );
        }
    }
    let kinds: Vec<&str> = v["forward"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"security_group")
            && kinds.contains(&"network_acl")
            && kinds.contains(&"route_table"),
        "{kinds:?}"
    );
}

#[test]
fn blocked_json_names_component_kind_direction_rule_code_fix() {
    // web → db: acl-data lets only 10.0.1.0/24 in on 5432; sg-db only sg:app.
    let (code, v) = json(&[
        "--from",
        "web",
        "--to",
        "db",
        "--protocol",
        "tcp",
        "--port",
        "5432",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["reachable"], false);
    let b = &v["blocked"];
    assert_eq!(b["component"], "acl-data");
    assert_eq!(b["kind"], "network_acl");
    assert_eq!(b["direction"], "inbound");
    assert_eq!(b["rule"], "*");
    assert_eq!(b["code"], "SUBNET_ACL_RESTRICTION");
    assert!(b["fix"]
        .as_str()
        .unwrap()
        .starts_with("add to vpcs.main.network_acls.data.inbound:"));
    let all: Vec<(String, String)> = v["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["component"].as_str().unwrap().to_string(),
                b["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        all,
        vec![
            ("acl-data".into(), "SUBNET_ACL_RESTRICTION".into()),
            ("sg-db".into(), "ENI_SG_RULES_MISMATCH".into()),
            ("acl-data".into(), "SUBNET_ACL_RESTRICTION".into()),
        ]
    );
    assert_eq!(v["blockers"][1]["fix"], "add to vpcs.main.security_groups.db.inbound: `- { protocol: tcp, ports: 5432, source: sg:web }`");
    assert_eq!(v["blockers"][2]["direction"], "outbound");
}

#[test]
fn internet_to_private_instance_is_an_answer_not_an_error() {
    let (code, v) = json(&["--from", "internet", "--to", "app", "--port", "8080"]);
    assert_eq!(code, 1);
    assert_eq!(
        v["blocked"]["code"],
        "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
    );
    assert_eq!(v["blocked"]["kind"], "eni");
}

#[test]
fn unknown_name_is_exit_2() {
    let (code, out, err) = reach(&["--from", "nobody", "--to", "db"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("nobody"), "{err}");
}

#[test]
fn human_output_shows_paths_verdict_and_fix() {
    let (code, out, _) = reach(&["--from", "client", "--to", "web"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Forward path") && out.contains("Return path") && out.contains("REACHABLE"),
        "{out}"
    );
    let (code, out, _) = reach(&["--from", "db", "--to", "internet", "--port", "443"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("NOT REACHABLE")
            && out.contains("SG_HAS_NO_RULES")
            && out.contains("to allow this flow: add to vpcs.main.security_groups.db.outbound"),
        "{out}"
    );
}

#[test]
fn matrix_json_and_table() {
    let (code, v) = json(&["--matrix", "--port", "80"]);
    assert_eq!(code, 0);
    let cells = v.as_array().unwrap();
    // 3 instances + internet as sources, 3 destinations, no diagonal.
    assert_eq!(cells.len(), 4 * 3 - 3);
    let cell = |f: &str, t: &str| {
        cells
            .iter()
            .find(|c| c["from"] == f && c["to"] == t)
            .unwrap()
            .clone()
    };
    assert_eq!(cell("internet", "web")["reachable"], true);
    assert_eq!(
        cell("internet", "app")["code"],
        "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
    );
    let (code, out, _) = reach(&["--matrix", "--port", "80"]);
    assert_eq!(code, 0);
    assert!(out.contains("✓") && out.contains("✗"), "{out}");
}

#[test]
fn matrix_over_ipv6_is_refused_not_answered_over_ipv4() {
    // `-6` is refused by the argument parser (it conflicts with --matrix); icmpv6 by reach.
    let (code, out, err) = reach(&["--matrix", "-6"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty() && err.contains("--matrix"), "{out}{err}");
    let (code, out, err) = reach(&["--matrix", "--protocol", "icmpv6"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "no matrix is printed: {out}");
    assert!(err.contains("--matrix is IPv4 only"), "{err}");
}
