//! A live lab end to end as a normal user (`vpclab-ci`, see `rootless`): `lab start` brings the
//! lab's network up on namespaces in a user namespace, `lab check` applies each edit to it and
//! runs the step's `exec` check (a real `curl` inside the internet host), a wrong edit fails,
//! `hint` helps, the right edit passes, and `lab stop` leaves nothing running. The lab is the
//! test's own (`data/labs/01-live-web`), so the catalog's labs stay free to change.

use crate::common::netns::namespaces_of;
use crate::common::require::{self, CURL};
use crate::rootless::{as_user_with, ci_uid, processes_of, CI_USER, RUNUSER, USERADD};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

/// Both streams of a command, for messages and `contains` checks.
fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
#[ignore = "needs root (to make and become the user vpclab-ci), runuser and curl: run the README's test command (scripts/test.sh)"]
fn a_normal_user_runs_a_live_lab_with_curl_inside_the_network() {
    require::netns(&[CURL, RUNUSER, USERADD]);
    let uid = ci_uid();
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    std::os::unix::fs::chown(root, Some(uid), None).expect("chown");
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let labs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/netns/data/labs");
    let data = labs.join("01-live-web");
    let (state, work) = (root.join("state"), root.join("work"));
    let env = [
        ("VPCLAB_STATE_DIR", state.as_path()),
        ("VPCLAB_LAB_DIR", work.as_path()),
        ("VPCLAB_LABS_DIR", labs.as_path()),
    ];
    let run = |args: &[&str]| as_user_with(root, args, &env);
    // Whatever happens below, the user's lab network goes.
    struct Stop<'a>(&'a dyn Fn(&[&str]) -> Output);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            let _ = (self.0)(&["lab", "stop"]);
            let _ = (self.0)(&["down", "--force", "livelab"]);
        }
    }
    let _stop = Stop(&run);

    let o = run(&["lab", "start", "1"]);
    assert_eq!(o.status.code(), Some(0), "lab start: {}", text(&o));
    assert!(
        text(&o).contains("Backend: live on namespaces in a user namespace"),
        "{}",
        text(&o)
    );
    let o = run(&["lab", "status"]);
    assert!(
        text(&o).contains("Backend: live on namespaces (topology livelab"),
        "{}",
        text(&o)
    );
    let file = work.join("01-live-web/topology.yaml");
    assert!(
        namespaces_of("livelab").is_empty(),
        "nothing in the machine's /run/netns"
    );

    // The starting network: the curl inside `client` gets nowhere.
    let o = run(&["lab", "check"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("✗ exec on client"), "{}", text(&o));

    // A wrong edit (IGW and route, no public IP) fails the same way, applied live.
    let give = |from: &str| {
        std::fs::copy(data.join(from), &file).expect("copy the edit");
    };
    give("wrong-1.yaml");
    let o = run(&["lab", "check"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("live: "),
        "the file went onto the live network: {t}"
    );
    assert!(
        t.contains("✗ exec on client") && t.contains("exited"),
        "{t}"
    );
    let o = run(&["lab", "hint"]);
    assert!(text(&o).contains("Hint 1/2"), "{}", text(&o));

    // The right edit passes with the real curl's answer.
    give("solution-1.yaml");
    let o = run(&["lab", "check"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("✓ exec on client") && t.contains("web"), "{t}");
    let o = run(&[
        "exec",
        "--name",
        "livelab",
        "client",
        "--",
        "curl",
        "-s",
        "-m",
        "5",
        "http://203.0.113.10/",
    ]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "web\n", "{}", text(&o));

    let o = run(&["lab", "stop"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !processes_of(uid).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        processes_of(uid).is_empty(),
        "{CI_USER} still runs: {:?}",
        processes_of(uid)
    );
}

/// Every lab of the catalog, live on namespaces as root (the catalog's labs, not a copy): for
/// each step its starting file fails, each of its `wrong-N-*.yaml` fails, and its solution
/// passes, with the `exec` checks run inside the live network and the `dns` checks asked of
/// its real resolver (`dig` inside the host); `lab stop` leaves no namespace. Every lab has
/// `exec` checks. Four labs run at a time (each lab's topology has its own name, so its
/// namespaces are its own); every failure is collected and reported at the end.
#[test]
#[ignore = "needs root, curl, nc and dig: run the README's test command (scripts/test.sh)"]
fn every_lab_start_fails_wrong_fails_solution_passes_live_as_root() {
    use vpclab::lab::format::Check;
    require::netns(&[
        CURL,
        crate::common::require::NC,
        crate::common::require::DIG,
    ]);
    let labs = vpclab::lab::list_labs().expect("the labs load");
    assert!(labs.len() >= 22, "the catalog has {} labs", labs.len());
    let without_exec: Vec<&str> = labs
        .iter()
        .filter(|l| {
            !l.steps
                .iter()
                .any(|s| s.checks.iter().any(|c| matches!(c.value, Check::Exec(_))))
        })
        .map(|l| l.id.value.as_str())
        .collect();
    let missing = &without_exec;
    assert!(
        missing.is_empty(),
        "every lab runs real tools live (`exec` checks); these have none: {missing:?}"
    );
    // `VPCLAB_LAB_LIVE_ONLY=09,10` runs only those labs (by number or id), while working on
    // them; unset (as in CI), every lab runs.
    let only: Option<Vec<String>> = std::env::var("VPCLAB_LAB_LIVE_ONLY")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let live: Vec<_> = labs
        .iter()
        .filter(|l| {
            only.as_ref().is_none_or(|o| {
                o.iter()
                    .any(|w| l.id.value == *w || l.id.value.starts_with(&format!("{w}-")))
            })
        })
        .collect();
    assert!(!live.is_empty(), "VPCLAB_LAB_LIVE_ONLY names no lab");
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::<String>::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(lab) = live.get(i) else { break };
                let mut f = run_lab_live(lab);
                failures.lock().unwrap().append(&mut f);
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// One lab through [`every_lab_start_fails_wrong_fails_solution_passes_live_as_root`]:
/// `lab start`, then per step the start, each wrong answer and the solution through `lab check`
/// on the live network, then `lab stop`. Returns what went wrong (empty when all is right).
fn run_lab_live(lab: &vpclab::lab::format::Lab) -> Vec<String> {
    let mut bad = Vec::new();
    let tmp = tempfile::tempdir().expect("tempdir");
    let (state, work) = (tmp.path().join("state"), tmp.path().join("work"));
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
            .args(args)
            .env("VPCLAB_STATE_DIR", &state)
            .env("VPCLAB_LAB_DIR", &work)
            .env_remove("VPCLAB_LAB_BACKEND")
            .env_remove("VPCLAB_LINK")
            .output()
            .expect("run vpclab")
    };
    let id = lab.id.value.as_str();
    let o = run(&["lab", "start", id]);
    // A starting file that does not validate (lab 01) goes live at the first valid check.
    let t = text(&o);
    if !t.contains("Backend: live on namespaces") && !t.contains("Backend: virtual for now") {
        bad.push(format!("{id} start: not live: {t}"));
        return bad;
    }
    let file = work.join(id).join("topology.yaml");
    for step in 1..=lab.steps.len() {
        let o = run(&["lab", "check"]);
        if o.status.code() != Some(1) {
            bad.push(format!("{id} step {step} start passes: {}", text(&o)));
        }
        let mut wrong: Vec<_> = std::fs::read_dir(&lab.dir)
            .expect("the lab folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("wrong-{step}-")))
            })
            .collect();
        wrong.sort();
        for w in &wrong {
            std::fs::copy(w, &file).expect("copy the wrong answer");
            let o = run(&["lab", "check"]);
            if o.status.code() != Some(1) {
                bad.push(format!("{id} {} passes: {}", w.display(), text(&o)));
            }
        }
        std::fs::copy(lab.solution_file(step), &file).expect("copy the solution");
        let o = run(&["lab", "check"]);
        let t = text(&o);
        if o.status.code() != Some(0) {
            bad.push(format!("{id} step {step} solution fails: {t}"));
            break;
        }
        if t.contains("skipped") {
            bad.push(format!(
                "{id} step {step}: exec checks did not run live: {t}"
            ));
        }
        // Every `dns` check was asked of the live resolver (dig inside the host), none of the
        // model in its place.
        let dns_checks = lab.steps[step - 1]
            .checks
            .iter()
            .filter(|c| matches!(c.value, vpclab::lab::format::Check::Dns(_)))
            .count();
        let asked_live = t.matches("(live: dig @").count();
        if asked_live != dns_checks || t.contains("the live resolver was not asked") {
            bad.push(format!(
                "{id} step {step}: {asked_live} of {dns_checks} dns checks asked the live resolver: {t}"
            ));
        }
    }
    let o = run(&["lab", "stop"]);
    if o.status.code() != Some(0) {
        bad.push(format!("{id} stop: {}", text(&o)));
    }
    if let Ok(net) = vpclab::load::load(&file) {
        if !namespaces_of(&net.network.name).is_empty() {
            bad.push(format!("{id}: namespaces left after lab stop"));
        }
    }
    bad
}
