//! `vpclab flows` on files: human and JSON output, filters, exit codes.

use std::process::Command;

fn vpclab(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .args(args)
        .output()
        .expect("runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

const RECORDS: &str = "2 123456789012 eni-web 198.51.100.10 10.0.0.10 40000 80 6 4 316 1700000401 1700000401 ACCEPT OK
2 123456789012 eni-web 10.0.0.10 198.51.100.10 80 40000 6 4 716 1700000401 1700000401 ACCEPT OK
2 123456789012 eni-db 10.0.0.10 10.0.2.20 45000 22 6 2 120 1700000402 1700000402 REJECT OK
";

#[test]
fn flows_summarises_records() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("main.log");
    std::fs::write(&f, RECORDS).unwrap();
    let p = f.to_str().unwrap();

    let (code, out, _) = vpclab(&["flows", p]);
    assert_eq!(code, 0);
    assert!(
        out.contains("3 records: 2 ACCEPT, 1 REJECT; 10 packets, 1152 bytes"),
        "{out}"
    );
    assert!(out.contains("Rejected flows"), "{out}");

    let (code, out, _) = vpclab(&["flows", p, "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["records"], 3);
    assert_eq!(v["top_talkers"][0]["srcaddr"], "10.0.0.10");
    assert_eq!(v["rejected_flows"][0]["dstport"], 22);
    assert_eq!(v["enis"].as_array().unwrap().len(), 2);

    let (_, out, _) = vpclab(&["flows", p, "--action", "REJECT", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["records"], 1);
    let (_, out, _) = vpclab(&["flows", p, "--eni", "web", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["records"], 2);
}

#[test]
fn flows_exit_codes() {
    let (code, _, err) = vpclab(&["flows", "/nonexistent/flows.log"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/flows.log"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.log");
    std::fs::write(&f, RECORDS).unwrap();
    let (code, _, _) = vpclab(&["flows", f.to_str().unwrap(), "--action", "MAYBE"]);
    assert_eq!(code, 2);
}

#[test]
fn capture_without_running_topology_is_exit_3() {
    let (code, _, err) = vpclab(&["capture", "web", "--name", "nosuchlab", "-w", "-"]);
    assert_eq!(code, 3);
    assert!(err.contains("no running topology named nosuchlab"), "{err}");
}
