//! SIGKILL of the daemon while `up` builds 60 instances (issue 18, item 3): `up` says what
//! happened (killed, what it left, the command that cleans it), `status` shows the run as
//! stale with what is left, `down --force` removes all of it, and a new `up` then works.

use crate::common::netns::{namespaces_of, stdout, vpclab, Topo};
use crate::common::require;
use std::process::Stdio;
use std::time::{Duration, Instant};
use vpclab::backend::netns::procs::running;
use vpclab::backend::netns::state::StateDir;

/// One VPC with `n` instances in one subnet, each serving HTTP (so processes are started).
fn many(n: usize) -> String {
    let mut y = String::from(
        "name: x\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    subnets:\n      s: { cidr: 10.0.0.0/24 }\n    instances:\n",
    );
    for i in 0..n {
        y.push_str(&format!(
            "      i{i}: {{ subnet: s, services: [http:80] }}\n"
        ));
    }
    y
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn netns_sigkill_of_the_daemon_during_up_is_reported_and_cleaned() {
    require::netns(&[]);
    let t = Topo::new("kup", &many(60));
    let dir = StateDir::of(&t.name);
    let up = vpclab()
        .args(["up", "--detach"])
        .arg(&t.file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn up");
    // Kill the daemon once it has started services, before its control socket is up.
    let start = Instant::now();
    let daemon = loop {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the daemon never started a service"
        );
        assert!(
            !dir.ctl_sock().exists(),
            "the build finished before the test could kill it"
        );
        if let (Some(pid), true) = (dir.pid(), dir.processes().len() >= 3) {
            break pid;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // SAFETY: kill has no memory-safety preconditions; the pid is the daemon's.
    assert_eq!(unsafe { libc::kill(daemon, libc::SIGKILL) }, 0);
    let o = up.wait_with_output().expect("wait for up");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "up succeeded: {err}");
    assert!(
        err.contains("was killed (signal 9) while starting")
            && err.contains(&format!("vpclab down --force {}", t.name)),
        "up says what happened: {err}"
    );
    assert!(
        !namespaces_of(&t.name).is_empty(),
        "nothing was left to clean"
    );

    // status: stale, with what is left.
    let o = vpclab()
        .args(["status", &t.name, "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("status --json");
    let s = &v["topologies"][0];
    assert_eq!(s["state"], "stale", "{s}");
    let left_ns = s["left"]["namespaces"].as_array().map_or(0, Vec::len);
    assert_eq!(left_ns, namespaces_of(&t.name).len(), "{s}");
    let left_procs: Vec<i32> = s["left"]["processes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_i64())
                .map(|p| p as i32)
                .collect()
        })
        .unwrap_or_default();
    assert!(!left_procs.is_empty(), "the services it started: {s}");
    let o = vpclab().args(["status", &t.name]).output().unwrap();
    assert!(stdout(&o).contains("left behind"), "{}", stdout(&o));

    // down --force removes all of it.
    let o = vpclab()
        .args(["down", "--force", &t.name])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "down --force: {err}");
    assert!(namespaces_of(&t.name).is_empty(), "namespaces left: {err}");
    // Killed processes are reaped by init a moment later: none may still run after 3 s.
    let gone = Instant::now();
    let alive = || -> Vec<i32> { left_procs.iter().copied().filter(|p| running(*p)).collect() };
    while !alive().is_empty() && gone.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(alive().is_empty(), "processes left: {:?}", alive());
    assert!(!dir.exists(), "the state directory is left");

    // A new up works.
    t.up();
    let o = vpclab()
        .args(["status", &t.name, "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["topologies"][0]["state"], "running");
    assert_eq!(namespaces_of(&t.name).len(), 60);
    let o = vpclab().args(["down", &t.name]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
