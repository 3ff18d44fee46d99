//! The lab runner end to end through the real binary, with a temporary state folder and
//! working folder: list, start, a failing check, the solution, a passing check, hint, reset.

use std::path::Path;
use std::process::{Command, Output};

fn vpclab(state: &Path, work: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .args(args)
        // Live labs (namespaces) are tested in tests/netns/lab_live.rs.
        .env("VPCLAB_LAB_BACKEND", "virtual")
        .env("VPCLAB_STATE_DIR", state)
        .env("VPCLAB_LAB_DIR", work)
        .env_remove("VPCLAB_LABS_DIR")
        .current_dir(work)
        .output()
        .expect("run vpclab")
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn runner_flow_start_check_hint_solution_reset() {
    let state = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let (s, w) = (state.path(), work.path());

    let o = vpclab(s, w, &["lab", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let t = out(&o);
    assert!(
        t.contains("01-cidr-subnets") && t.contains("12-capstone"),
        "{t}"
    );
    assert!(t.contains("• 01-cidr-subnets"), "{t}");

    // No lab yet: check is a usage error.
    let o = vpclab(s, w, &["lab", "check"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));

    let o = vpclab(s, w, &["lab", "start", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let file = w.join("01-cidr-subnets/topology.yaml");
    assert!(file.is_file());
    let t = out(&o);
    assert!(
        t.contains(&file.display().to_string()),
        "start names the file to edit: {t}"
    );
    assert!(t.contains("Step 1/2"), "{t}");

    let o = vpclab(s, w, &["lab", "list"]);
    assert!(out(&o).contains("▶ 01-cidr-subnets"), "{}", out(&o));

    // The starting topology fails: an instance on a reserved address.
    let o = vpclab(s, w, &["lab", "check"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let t = out(&o);
    assert!(t.contains('✗'), "{t}");
    assert!(
        t.contains("topology.yaml:"),
        "validation errors name file:line:col: {t}"
    );
    assert!(
        t.contains("10.0.1.1"),
        "the error names the reserved address: {t}"
    );

    // JSON output: one document.
    let o = vpclab(s, w, &["lab", "check", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert_eq!(v["passed"], false);
    assert_eq!(v["checks"][0]["kind"], "valid");
    assert_eq!(v["checks"][0]["status"], "fail");

    // Hints are progressive.
    let h1 = out(&vpclab(s, w, &["lab", "hint"]));
    let h2 = out(&vpclab(s, w, &["lab", "hint"]));
    assert!(
        h1.contains("Hint 1/") && h2.contains("Hint 2/"),
        "{h1}\n{h2}"
    );

    let o = vpclab(s, w, &["lab", "solution"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out(&o).contains("+ ") && out(&o).contains("10.0.1.10"),
        "{}",
        out(&o)
    );

    // The right edit: the step's solution.
    let labs = Path::new(env!("CARGO_MANIFEST_DIR")).join("labs/01-cidr-subnets");
    std::fs::copy(labs.join("solution-1.yaml"), &file).unwrap();
    let o = vpclab(s, w, &["lab", "check"]);
    let t = out(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("✓ Step 1 passed") && t.contains("Step 2/2"),
        "{t}"
    );

    let o = vpclab(s, w, &["lab", "status"]);
    assert!(out(&o).contains("Step 2/2"), "{}", out(&o));
    // Hints restart with the new step.
    assert!(out(&vpclab(s, w, &["lab", "hint"])).contains("Hint 1/"));

    // Step 2 from the state of step 1: db does not exist yet.
    let o = vpclab(s, w, &["lab", "check"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("`db`"), "{}", out(&o));

    // Reset: back to step 1 and the starting file.
    let o = vpclab(s, w, &["lab", "reset"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        std::fs::read_to_string(labs.join("start.yaml")).unwrap()
    );
    assert!(out(&vpclab(s, w, &["lab", "status"])).contains("Step 1/2"));

    // Finish the lab.
    std::fs::copy(labs.join("solution-1.yaml"), &file).unwrap();
    assert_eq!(vpclab(s, w, &["lab", "check"]).status.code(), Some(0));
    std::fs::copy(labs.join("solution-2.yaml"), &file).unwrap();
    let o = vpclab(s, w, &["lab", "check"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(out(&o).contains("complete"), "{}", out(&o));
    assert!(out(&vpclab(s, w, &["lab", "list"])).contains("✓ 01-cidr-subnets"));

    // Unknown lab: usage error naming the ids.
    let o = vpclab(s, w, &["lab", "start", "99"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("01-cidr-subnets"));
}

#[test]
fn start_by_full_id_and_resume_keeps_the_learners_file() {
    let state = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let (s, w) = (state.path(), work.path());
    assert_eq!(
        vpclab(s, w, &["lab", "start", "05-nacls"]).status.code(),
        Some(0)
    );
    let file = w.join("05-nacls/topology.yaml");
    std::fs::write(&file, "name: mine\n").unwrap();
    let o = vpclab(s, w, &["lab", "start", "05"]);
    assert!(out(&o).contains("resuming"), "{}", out(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "name: mine\n");
    assert!(s.join("labs.json").is_file());
}
