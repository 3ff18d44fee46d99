//! Every example topology validates (exit 0) and `show --json` of three-tier lists each
//! instance with the ids and addresses the spec describes.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn vpclab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("runs vpclab")
}

#[test]
fn every_example_validates() {
    let mut files: Vec<String> = std::fs::read_dir(root().join("topologies"))
        .expect("topologies/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    for required in [
        "minimal.yaml",
        "public-private.yaml",
        "three-tier.yaml",
        "peering.yaml",
    ] {
        assert!(
            files.iter().any(|f| f.ends_with(required)),
            "missing topologies/{required}"
        );
    }
    let mut args = vec!["validate"];
    args.extend(files.iter().map(|s| s.as_str()));
    let out = vpclab(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("warning:"),
        "examples should be warning-free:\n{stderr}"
    );
}

#[test]
fn three_tier_show_json_lists_instances_as_the_spec_says() {
    let out = vpclab(&["show", "topologies/three-tier.yaml", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let inst = v["instances"].as_array().expect("instances array");
    let get = |name: &str| {
        inst.iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("instance {name}"))
    };
    let web = get("web");
    assert_eq!(web["id"], "i-web");
    assert_eq!(web["eni"], "eni-web");
    assert_eq!(web["subnet"], "subnet-public-a");
    assert_eq!(web["vpc"], "vpc-main");
    assert_eq!(web["private_ip"], "10.0.0.10");
    let public: std::net::Ipv4Addr = web["public_ip"]
        .as_str()
        .expect("web has a public IP")
        .parse()
        .expect("an address");
    assert_eq!(public.octets()[..3], [203, 0, 113]);
    assert_eq!(web["security_groups"], serde_json::json!(["sg-web"]));
    for (name, subnet, ip) in [
        ("app", "subnet-private-a", "10.0.1.4"),
        ("db", "subnet-data-a", "10.0.2.4"),
    ] {
        let i = get(name);
        assert_eq!(i["id"], format!("i-{name}"));
        assert_eq!(i["eni"], format!("eni-{name}"));
        assert_eq!(i["subnet"], subnet);
        assert_eq!(i["private_ip"], ip);
        assert!(i["public_ip"].is_null(), "{name} has no public IP");
        assert!(i["mac"].as_str().is_some_and(|m| m.starts_with("02:")));
    }
    let vpc = &v["vpcs"][0];
    assert_eq!(
        (vpc["id"].as_str(), vpc["cidr"].as_str()),
        (Some("vpc-main"), Some("10.0.0.0/16"))
    );
    let data = vpc["subnets"]
        .as_array()
        .expect("subnets")
        .iter()
        .find(|s| s["name"] == "data-a")
        .expect("data-a");
    assert_eq!(
        (data["route_table"].as_str(), data["network_acl"].as_str()),
        (Some("rtb-private"), Some("acl-data"))
    );
    // Implicit objects: local routes, the `*` rule.
    let rtb = v["route_tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == "rtb-private")
        .expect("rtb-private");
    assert_eq!(rtb["routes"][0]["target"], "local");
    let acl = v["network_acls"]
        .as_array()
        .expect("acls")
        .iter()
        .find(|a| a["id"] == "acl-data")
        .expect("acl-data");
    assert_eq!(
        acl["inbound"]
            .as_array()
            .and_then(|a| a.last())
            .map(|r| r["rule"].clone()),
        Some(serde_json::json!("*"))
    );
}

#[test]
fn show_tables_and_graphs_work_on_every_example() {
    for f in ["minimal", "public-private", "three-tier", "peering"] {
        let path = format!("topologies/{f}.yaml");
        let out = vpclab(&["show", &path]);
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Instances") && text.contains("Route tables"),
            "{text}"
        );
        let dot = vpclab(&["graph", &path, "--format", "dot"]);
        assert!(String::from_utf8_lossy(&dot.stdout).starts_with("digraph"));
        let mm = vpclab(&["graph", &path, "--format", "mermaid"]);
        assert!(String::from_utf8_lossy(&mm.stdout).starts_with("flowchart"));
    }
}

#[test]
fn warnings_are_printed_with_a_hint_and_exit_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("warn.yaml");
    std::fs::write(
        &path,
        "name: warn\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24, map_public_ip: true }\n    instances:\n      x: { subnet: a }\n",
    )
    .expect("write");
    let p = path.display().to_string();
    let out = vpclab(&["validate", &p]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.starts_with(&format!("{p}:8:7: warning:")),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
}
