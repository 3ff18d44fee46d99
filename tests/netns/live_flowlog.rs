//! Flow logs on the netns backend (root): the daemon writes the topology's `flow_logs:` (paths
//! relative to the topology file) as traffic passes; after `down` the REJECT-only AWS log has
//! only REJECT records, at the ENI that dropped them, and tshark opens the pcapng.

use crate::common::netns::{vpclab, Topo, THREE_TIER};
use crate::common::require::{self, CURL, NC, TSHARK};
use crate::common::tshark;

const FLOW_LOGS: &str = "
flow_logs:
  - { resource: vpc:main, traffic: REJECT, format: aws, path: rejects.log, aggregation_interval: 60 }
  - { resource: instance:web, format: pcapng, path: web.pcapng }
";

#[test]
#[ignore = "needs root, curl, nc and tshark: run the README's test command (scripts/test.sh)"]
fn flow_logs_written_by_the_daemon() {
    require::netns(&[CURL, NC, TSHARK]);
    let t = Topo::new("lflow", &format!("{THREE_TIER}{FLOW_LOGS}"));
    t.up();
    let dir = t.file.parent().expect("folder").to_path_buf();
    let net = t.network();
    let web = net.instances.iter().find(|i| i.name == "web").expect("web");
    let ip = net.eni(web.eni).public_ip.expect("public IP").to_string();
    // Allowed: the client reaches web over HTTP.
    let out = t.exec(
        "client",
        &[
            "curl",
            "-s",
            "-m",
            "10",
            "-o",
            "/dev/null",
            &format!("http://{ip}/"),
        ],
    );
    assert!(out.status.success(), "curl: {out:?}");
    // Blocked: web may not reach db:5432 (acl-data / sg-db).
    let out = t.exec("web", &["nc", "-z", "-w", "2", "10.0.2.4", "5432"]);
    assert!(!out.status.success(), "web reached db: {out:?}");
    let out = vpclab().args(["down", &t.name]).output().expect("down");
    assert!(out.status.success(), "down: {out:?}");

    let log = std::fs::read_to_string(dir.join("rejects.log")).expect("AWS log written");
    let records: Vec<&str> = log.lines().filter(|l| !l.starts_with("version")).collect();
    assert!(!records.is_empty(), "no records: {log}");
    for r in &records {
        let f: Vec<&str> = r.split_whitespace().collect();
        assert_eq!(f.len(), 14, "version-2 record: {r}");
        assert_eq!(f[12], "REJECT", "only REJECT records: {r}");
    }
    assert!(
        records
            .iter()
            .any(|r| r.split_whitespace().nth(2) == Some("eni-db")
                && r.split_whitespace().nth(6) == Some("5432")),
        "the blocked flow at eni-db: {log}"
    );

    let text = tshark::fields(
        &dir.join("web.pcapng"),
        &["frame.interface_name", "frame.comment"],
    );
    assert!(text.lines().count() >= 3, "the HTTP exchange: {text}");
    assert!(
        text.contains("eni-web (web)") && text.contains("ACCEPT"),
        "{text}"
    );
}

/// `apply` keeps the flow logs running when their definitions do not change, and finishes the
/// old ones and starts the new ones when they do.
#[test]
#[ignore = "needs root and nc: run the README's test command (scripts/test.sh)"]
fn flow_logs_follow_apply() {
    require::netns(&[NC]);
    let aws = "
flow_logs:
  - { resource: vpc:main, traffic: REJECT, format: aws, path: first.log, aggregation_interval: 60 }
";
    let t = Topo::new("lfapp", &format!("{THREE_TIER}{aws}"));
    t.up();
    let dir = t.file.parent().expect("folder").to_path_buf();
    let blocked = || {
        let out = t.exec("web", &["nc", "-z", "-w", "2", "10.0.2.4", "5432"]);
        assert!(!out.status.success(), "web reached db: {out:?}");
    };
    let apply = |f: &std::path::Path| {
        let out = vpclab().arg("apply").arg(f).output().expect("apply");
        assert!(out.status.success(), "apply: {out:?}");
    };
    blocked();
    // Same definitions (another file in the same folder): the log goes on, nothing truncated.
    apply(&t.rewrite(&format!("{THREE_TIER}{aws}")));
    blocked();
    // A new path: the first log is finished (its records written), the second one starts.
    apply(&t.rewrite(&format!(
        "{THREE_TIER}{}",
        aws.replace("first.log", "second.log")
    )));
    let first = std::fs::read_to_string(dir.join("first.log")).expect("first log");
    let n = first.lines().filter(|l| l.contains(" REJECT ")).count();
    assert!(n >= 2, "both blocked attempts in the first log: {first}");
    blocked();
    let out = vpclab().args(["down", &t.name]).output().expect("down");
    assert!(out.status.success(), "down: {out:?}");
    let second = std::fs::read_to_string(dir.join("second.log")).expect("second log");
    assert!(
        second.contains("eni-db") && second.contains("REJECT"),
        "{second}"
    );
}
