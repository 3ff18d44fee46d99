//! IPv6 in the format (`docs/topology.md`, "IPv6"): `show --json` of the dual-stack example
//! lists the Amazon-provided block, the subnets' /64s, the assigned addresses, the implicit
//! IPv6 rules AWS adds (default NACL rule 101, `::/0` outbound) and the routes to the internet
//! gateway, the egress-only gateway and NAT64; IPv4-only topologies print no IPv6 key.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn show(file: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .args(["show", file, "--json"])
        .output()
        .expect("runs vpclab");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn dual_stack_example_resolves_blocks_addresses_and_implicit_rules() {
    let d = show("topologies/dual-stack.yaml");
    let vpc = &d["vpcs"][0];
    assert_eq!(vpc["ipv6_cidr"], "2600:1f18:4000::/56");
    let subnets: Vec<(&str, &str, bool)> = vpc["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap(),
                s["ipv6_cidr"].as_str().unwrap(),
                s["ipv6_only"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        subnets,
        [
            ("subnet-public", "2600:1f18:4000::/64", false),
            ("subnet-private", "2600:1f18:4000:1::/64", false),
            ("subnet-v6only", "2600:1f18:4000:2::/64", true)
        ]
    );
    let addr = |name: &str| -> Vec<String> {
        let i = d["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap();
        serde_json::from_value(i["ipv6_addresses"].clone()).unwrap()
    };
    assert_eq!(addr("web"), ["2600:1f18:4000::4"]);
    assert_eq!(addr("worker"), ["2600:1f18:4000:2::4"]);
    assert_eq!(d["egress_only_internet_gateways"][0]["id"], "eigw-egress");
    let acl: Vec<(String, u64)> = d["ipv6_network_acl_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                format!("{} {} {}", e["network_acl"], e["direction"], e["cidr"]),
                e["rule"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        acl.contains(&("\"acl-default\" \"inbound\" \"::/0\"".into(), 101)),
        "{acl:?}"
    );
    let routes: Vec<String> = d["ipv6_routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["route_table"].as_str().unwrap(),
                r["destination"].as_str().unwrap(),
                r["target"].as_str().unwrap()
            )
        })
        .collect();
    for want in [
        "rtb-public ::/0 igw-main",
        "rtb-private ::/0 eigw-egress",
        "rtb-v6only 64:ff9b::/96 nat-a",
        "rtb-main 2600:1f18:4000::/56 local",
    ] {
        assert!(routes.iter().any(|r| r == want), "{want} not in {routes:?}");
    }
    let sg: Vec<String> = d["ipv6_security_group_rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {}",
                r["security_group"].as_str().unwrap(),
                r["direction"].as_str().unwrap(),
                r["protocol"].as_str().unwrap(),
                r["peer"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        sg.contains(&"sg-web inbound icmpv6 ::/0".to_string()),
        "{sg:?}"
    );
    assert!(
        sg.contains(&"sg-web outbound all ::/0".to_string()),
        "{sg:?}"
    );
    assert_eq!(d["internet_hosts"][0]["ipv6"], "2001:db8::10");
}

#[test]
fn ipv4_only_topologies_have_no_ipv6_keys() {
    let d = show("topologies/three-tier.yaml");
    assert!(d.get("ipv6_routes").is_none());
    assert!(d["vpcs"][0].get("ipv6_cidr").is_none());
}

#[test]
fn ipv4_rules_never_take_ipv6_and_the_reverse() {
    // A v4 CIDR in an IPv6 route target set, and an IPv4 route to an egress-only gateway.
    let y = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    ipv6_cidr: amazon\n    egress_only_internet_gateways:\n      e: {}\n    subnets:\n      a: { cidr: 10.0.0.0/24, route_table: r }\n    route_tables:\n      r:\n        routes:\n          - { destination: 0.0.0.0/0, target: eigw:e }\n";
    let dir = std::env::temp_dir().join(format!("vpclab-ipv6-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("t.yaml");
    std::fs::write(&f, y).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("validate")
        .arg(&f)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(":13:") && err.contains("eigw:e"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
