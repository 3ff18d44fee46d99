//! `apply` is all or nothing, and flow-log failures show in `status` (issue 18): an apply
//! whose only fault is a flow-log path the daemon cannot write exits 3 and leaves the running
//! security groups as they were (before, the SG change took effect and apply exited 1); a sink
//! that cannot write (here `/dev/full`, which the file rule allows) is listed by `status` and
//! `status --json`, not only in daemon.log.

use crate::common::netns::{stdout, vpclab, Topo, THREE_TIER};
use crate::common::require::{self, CURL};
use std::time::{Duration, Instant};

/// Whether the internet client gets web's page (5 s).
fn client_gets_web(t: &Topo) -> bool {
    let net = t.network();
    let web = net.instances.iter().find(|i| i.name == "web").expect("web");
    let ip = net.eni(web.eni).public_ip.expect("public IP").to_string();
    t.exec(
        "client",
        &[
            "curl",
            "-s",
            "-m",
            "5",
            "-o",
            "/dev/null",
            &format!("http://{ip}/"),
        ],
    )
    .status
    .success()
}

/// THREE_TIER with web's HTTP rule moved to port 81 (the client loses its page).
fn closed() -> String {
    let open = "- { protocol: tcp, ports: 80, source: 0.0.0.0/0 }";
    assert!(THREE_TIER.contains(open));
    THREE_TIER.replace(open, "- { protocol: tcp, ports: 81, source: 0.0.0.0/0 }")
}

#[test]
#[ignore = "needs root and curl: run the README's test command (scripts/test.sh)"]
fn netns_apply_with_an_unwritable_flow_log_changes_nothing() {
    require::netns(&[CURL]);
    let t = Topo::new("aatom", THREE_TIER);
    t.up();
    assert!(client_gets_web(&t), "web serves before the apply");
    // A flow log under a regular file: no folder can be made there, even by root.
    let folder = t.file.parent().expect("folder");
    std::fs::write(folder.join("plain"), "a file\n").unwrap();
    let bad = format!(
        "{}\nflow_logs:\n  - {{ resource: vpc:main, format: aws, path: ok.log }}\n  - {{ resource: vpc:main, format: aws, path: plain/x.log }}\n",
        closed()
    );
    let o = vpclab().arg("apply").arg(t.rewrite(&bad)).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("plain/x.log") && err.contains("nothing was applied"),
        "{err}"
    );
    assert!(
        client_gets_web(&t),
        "the SG change took effect although apply failed"
    );
    assert!(
        !folder.join("ok.log").exists(),
        "apply left a flow-log file behind"
    );
    // The running copy is still the old file: status lists web's sg rules unchanged.
    let running = std::fs::read_to_string(
        vpclab::backend::netns::state::StateDir::of(&t.name).file("topology.yaml"),
    )
    .unwrap();
    assert!(!running.contains("ports: 81"), "the running copy changed");
    // The same change without the bad flow log applies.
    let o = vpclab()
        .arg("apply")
        .arg(t.rewrite(&closed()))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!client_gets_web(&t), "the SG change applied");
}

#[test]
#[ignore = "needs root and curl: run the README's test command (scripts/test.sh)"]
fn netns_flow_log_write_errors_show_in_status() {
    require::netns(&[CURL]);
    let yaml = format!(
        "{THREE_TIER}\nflow_logs:\n  - {{ resource: instance:web, format: pcapng, path: /dev/full }}\n"
    );
    let t = Topo::new("asink", &yaml);
    t.up();
    let start = Instant::now();
    let mut errors = Vec::new();
    while errors.is_empty() && start.elapsed() < Duration::from_secs(20) {
        let _ = client_gets_web(&t);
        std::thread::sleep(Duration::from_millis(700));
        let o = vpclab()
            .args(["status", &t.name, "--json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("status --json");
        errors = v["topologies"][0]["flow_log_errors"]
            .as_array()
            .cloned()
            .unwrap_or_default();
    }
    let e = errors.first().and_then(|e| e.as_str()).unwrap_or_default();
    assert!(
        e.contains("/dev/full") && e.contains("No space left"),
        "status --json flow_log_errors: {errors:?}"
    );
    let o = vpclab().args(["status", &t.name]).output().unwrap();
    let text = stdout(&o);
    assert!(
        text.contains("FLOW LOG ERROR") && text.contains("/dev/full"),
        "{text}"
    );
}
