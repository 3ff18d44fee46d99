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

/// Every lab with `exec` checks, live on namespaces as root (the catalog's labs, not a copy):
/// for each step its starting file fails, each of its `wrong-N-*.yaml` fails, and its solution
/// passes, with the `exec` checks run inside the live network; `lab stop` leaves no namespace.
#[test]
#[ignore = "needs root, curl and nc: run the README's test command (scripts/test.sh)"]
fn labs_with_exec_checks_start_fails_wrong_fails_solution_passes_live_as_root() {
    use vpclab::lab::format::Check;
    require::netns(&[CURL, crate::common::require::NC]);
    let labs = vpclab::lab::list_labs().expect("the labs load");
    let live: Vec<_> = labs
        .iter()
        .filter(|l| {
            l.steps
                .iter()
                .any(|s| s.checks.iter().any(|c| matches!(c.value, Check::Exec(_))))
        })
        .collect();
    assert!(!live.is_empty(), "at least one lab has exec checks");
    for lab in live {
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
        assert!(
            text(&o).contains("Backend: live on namespaces"),
            "{id}: {}",
            text(&o)
        );
        let file = work.join(id).join("topology.yaml");
        for step in 1..=lab.steps.len() {
            let o = run(&["lab", "check"]);
            assert_eq!(
                o.status.code(),
                Some(1),
                "{id} step {step} start: {}",
                text(&o)
            );
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
                assert_eq!(
                    o.status.code(),
                    Some(1),
                    "{id} {}: {}",
                    w.display(),
                    text(&o)
                );
            }
            std::fs::copy(lab.solution_file(step), &file).expect("copy the solution");
            let o = run(&["lab", "check"]);
            let t = text(&o);
            assert_eq!(o.status.code(), Some(0), "{id} step {step} solution: {t}");
            assert!(
                !t.contains("skipped"),
                "{id} step {step}: exec checks ran live: {t}"
            );
        }
        let o = run(&["lab", "stop"]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let name = vpclab::load::load(&file).expect("valid").network.name;
        assert!(namespaces_of(&name).is_empty(), "{id}: namespaces left");
    }
}
