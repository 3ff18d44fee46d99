//! `vpclab probe` without FILE against a running three-tier topology (netns backend, root).

use crate::common::netns::{vpclab, Topo, THREE_TIER};
use crate::common::require;

fn probe(t: &Topo, args: &[&str]) -> (i32, serde_json::Value) {
    let out = vpclab()
        .args(["probe", "--name", &t.name, "--json"])
        .args(args)
        .output()
        .expect("run probe");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "probe printed no JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn probe_running_three_tier() {
    require::netns(&[]);
    let t = Topo::new("lprobe", THREE_TIER);
    t.up();

    let (code, v) = probe(&t, &["--from", "client", "--to", "web", "--port", "80"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["reply"], true, "{v}");
    assert_eq!(v["delivered"], true, "{v}");
    assert!(v["blocked"].is_null(), "{v}");
    let trace = v["trace"].as_array().expect("trace");
    assert!(trace.iter().any(|h| h["component"] == "sg-web"), "{v}");

    let (code, v) = probe(&t, &["--from", "web", "--to", "db", "--port", "5432"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["reply"], false, "{v}");
    assert_eq!(v["delivered"], false, "{v}");
    let c = v["blocked"]["component"].as_str().unwrap_or_default();
    assert!(c == "acl-data" || c == "sg-db", "blocked by {c}: {v}");

    let (code, v) = probe(&t, &["--from", "app", "--to", "db", "--port", "5432"]);
    assert_eq!(code, 0, "app reaches db: {v}");

    // Bad input: exit 2.
    let out = vpclab()
        .args(["probe", "--name", &t.name, "--from", "nope", "--to", "web"])
        .output()
        .expect("run probe");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn probe_without_running_topology_exits_3() {
    let out = vpclab()
        .args(["probe", "--name", "nosuchtopo9", "--from", "a", "--to", "b"])
        .output()
        .expect("run probe");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
}
