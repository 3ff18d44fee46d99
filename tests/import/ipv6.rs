//! IPv6 in `vpclab import aws` and `import terraform` (issue 16): the describe-* files of
//! `ipv6_fixtures/aws/` (our own, in AWS's shapes: a dual-stack VPC with an internet gateway,
//! an egress-only gateway, NAT64 on a NAT gateway and an IPv6-only subnet with DNS64) import
//! into a topology that `show`s the same network as the hand-written
//! `ipv6_fixtures/dual-stack.yaml` and gets the same `reach -6` (and `-4`) answers to the same
//! questions; the Terraform plan `ipv6_fixtures/plan.json` of the same network (blocks and ids
//! known only after apply) likewise against `ipv6_fixtures/dual-stack-plan.yaml`.

use crate::support::{reported, vpclab};
use serde_json::Value;
use std::path::{Path, PathBuf};
use vpclab::import::{aws, terraform, yaml};

/// The fixtures folder.
fn fixtures() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/import/ipv6_fixtures"
    ))
}

/// The internet hosts both topologies get (a dump holds none; `docs/import.md`: add them).
const HOSTS: &str = "internet:
  hosts:
    client: { ip: 198.51.100.10, ipv6: \"2001:db8::10\" }
    legacy: { ip: 198.51.100.20 }
";

/// Writes `text` + [`HOSTS`] to a file of this test process and returns its path.
fn with_hosts(label: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vpclab-import-ipv6-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    let p = dir.join(format!("{label}.yaml"));
    std::fs::write(&p, format!("{text}{HOSTS}")).expect("writes the topology");
    p
}

/// The JSON a `vpclab` command prints (exit 0 or 1: reach answers unreachable with 1).
fn json(args: &[&str]) -> Value {
    let o = vpclab(args);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// `v` with every array sorted (declaration order differs between an import, which writes
/// names in order, and a hand-written file).
fn sorted(v: Value) -> Value {
    match v {
        Value::Array(a) => {
            let mut a: Vec<Value> = a.into_iter().map(sorted).collect();
            a.sort_by_key(|x| x.to_string());
            Value::Array(a)
        }
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, x)| (k, sorted(x))).collect()),
        x => x,
    }
}

/// The imported topology and the hand-written one, both with [`HOSTS`].
fn both() -> (PathBuf, PathBuf) {
    let i = aws::import(&[fixtures().join("aws")], Some("dualstack")).expect("imports");
    assert!(
        reported(
            &i,
            "Subnet",
            "approximated",
            "subnet-0d5a1e0000000003",
            "placeholder"
        ),
        "{}",
        i.report.to_text()
    );
    assert!(reported(
        &i,
        "VpcIpv6CidrBlock",
        "skipped",
        "2600:1f18:4000:900::/56",
        "disassociated"
    ));
    assert!(
        i.report.entries().iter().all(|e| e.issue.is_none()),
        "nothing is left for issue 16: {}",
        i.report.to_text()
    );
    let imported = yaml::to_yaml(&i.doc, "a test").expect("writes YAML");
    let hand = std::fs::read_to_string(fixtures().join("dual-stack.yaml")).expect("fixture");
    (with_hosts("imported", &imported), with_hosts("hand", &hand))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn imported_dual_stack_shows_the_hand_written_network() {
    let (imp, hand) = both();
    let a = sorted(json(&["show", path(&imp), "--json"]));
    let b = sorted(json(&["show", path(&hand), "--json"]));
    assert_eq!(a, b);
    assert_eq!(
        a["egress_only_internet_gateways"].as_array().map(Vec::len),
        Some(1),
        "{a}"
    );
}

/// The Terraform plan's import and its hand-written topology, both with [`HOSTS`].
fn both_terraform() -> (PathBuf, PathBuf) {
    let i = terraform::import(&fixtures().join("plan.json"), Some("dualstack")).expect("imports");
    for (id, why) in [
        ("aws_vpc.main", "ipv6_cidr: amazon"),
        ("aws_subnet.public", "number 0, by position"),
        ("aws_subnet.v6only", "number 2, by position"),
    ] {
        assert!(
            i.report
                .entries()
                .iter()
                .any(|e| e.id == id && e.reason.contains(why)),
            "{id}: {}",
            i.report.to_text()
        );
    }
    assert!(
        i.report
            .entries()
            .iter()
            .all(|e| e.issue.is_none() && e.outcome != vpclab::import::report::Outcome::Skipped),
        "nothing skipped, nothing left for issue 16: {}",
        i.report.to_text()
    );
    let imported = yaml::to_yaml(&i.doc, "a test").expect("writes YAML");
    let hand = std::fs::read_to_string(fixtures().join("dual-stack-plan.yaml")).expect("fixture");
    (
        with_hosts("tf-imported", &imported),
        with_hosts("tf-hand", &hand),
    )
}

#[test]
fn terraform_plan_shows_the_hand_written_network() {
    let (imp, hand) = both_terraform();
    let a = sorted(json(&["show", path(&imp), "--json"]));
    let b = sorted(json(&["show", path(&hand), "--json"]));
    assert_eq!(a, b);
}

#[test]
fn terraform_plan_answers_reach_as_the_hand_written_one() {
    let (imp, hand) = both_terraform();
    same_answers(&imp, &hand);
}

#[test]
fn imported_dual_stack_answers_reach_as_the_hand_written_one() {
    let (imp, hand) = both();
    same_answers(&imp, &hand);
}

/// Asks both topologies the same questions; the answers must be the same JSON, and as
/// expected.
fn same_answers(imp: &Path, hand: &Path) {
    // (family, from, to, protocol, port, reachable)
    let questions: &[(&str, &str, &str, &str, &str, bool)] = &[
        ("-6", "client", "web", "tcp", "80", true),
        ("-6", "client", "app", "tcp", "80", false),
        ("-6", "app", "client", "tcp", "80", true),
        ("-6", "worker", "client", "tcp", "443", true),
        ("-6", "worker", "legacy", "tcp", "80", true),
        ("-6", "client", "worker", "tcp", "22", false),
        ("-6", "web", "app", "tcp", "80", false),
        ("-6", "app", "web", "tcp", "80", true),
        ("-6", "client", "web", "icmpv6", "0", true),
        ("-4", "client", "web", "tcp", "80", true),
        ("-4", "app", "legacy", "tcp", "443", true),
    ];
    for (fam, from, to, proto, port, reachable) in questions {
        let ask = |f: &Path| {
            let mut args = vec![
                "reach",
                path(f),
                fam,
                "--from",
                from,
                "--to",
                to,
                "--protocol",
                proto,
                "--json",
            ];
            if *proto == "tcp" {
                args.extend(["--port", port]);
            }
            json(&args)
        };
        let (a, b) = (ask(imp), ask(hand));
        assert_eq!(a, b, "{fam} {from} -> {to} {proto}/{port}");
        assert_eq!(
            a["reachable"].as_bool(),
            Some(*reachable),
            "{fam} {from} -> {to} {proto}/{port}: {a:#}"
        );
    }
}
