//! The runner's views through the real binary: `lab list --json` and `lab status --json`,
//! the next lab named on completion and in `lab list`, `lab reset` keeping a backup it names,
//! `lab show` drawing a path, and `lab start --help` examples that are real lab ids.

use std::path::Path;
use std::process::{Command, Output};

fn vpclab(state: &Path, work: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .args(args)
        // The virtual backend: live labs (namespaces) are tested in tests/netns.
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

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

#[test]
fn json_views_next_lab_reset_backup_and_show() {
    let state = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let (s, w) = (state.path(), work.path());
    let labs = Path::new(env!("CARGO_MANIFEST_DIR")).join("labs/01-cidr-subnets");

    let v = json(&vpclab(s, w, &["lab", "list", "--json"]));
    assert_eq!(v["labs"][0]["id"], "01-cidr-subnets");
    assert_eq!(v["labs"][0]["state"], "not_started");
    assert_eq!(v["next"], "01-cidr-subnets");
    assert!(v["current"].is_null());
    assert!(out(&vpclab(s, w, &["lab", "list"])).contains("Start one: vpclab lab start 01"));

    vpclab(s, w, &["lab", "start", "01"]);
    let file = w.join("01-cidr-subnets/topology.yaml");
    let v = json(&vpclab(s, w, &["lab", "status", "--json"]));
    assert_eq!(v["lab"], "01-cidr-subnets");
    assert_eq!(v["step"], 1);
    assert_eq!(v["steps"], 2);
    assert_eq!(v["hints_used"], 0);
    assert_eq!(v["completed"], false);
    assert_eq!(v["file"], file.display().to_string());
    let v = json(&vpclab(s, w, &["lab", "list", "--json"]));
    assert_eq!(v["labs"][0]["state"], "current");
    assert_eq!(v["labs"][0]["step"], 1);

    // No picture of a file that does not validate (lab 01 starts so), then one of the
    // solution with the path of its last check.
    let svg = w.join("pic.svg");
    let show = ["lab", "show", "--svg", svg.to_str().unwrap()];
    let o = vpclab(s, w, &show);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("lab check"), "{}", out(&o));
    let keep = std::fs::read_to_string(&file).unwrap();
    std::fs::copy(labs.join("solution-1.yaml"), &file).unwrap();
    let o = vpclab(s, w, &show);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        out(&o).contains("Path of ✓ reach app → web tcp/80"),
        "{}",
        out(&o)
    );
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    std::fs::write(&file, keep).unwrap();

    // Reset keeps the learner's edits and names the copy.
    std::fs::write(&file, "name: my-edit\n").unwrap();
    let o = vpclab(s, w, &["lab", "reset"]);
    let bak = w.join("01-cidr-subnets/topology.reset-1.yaml");
    assert!(out(&o).contains(&bak.display().to_string()), "{}", out(&o));
    assert_eq!(std::fs::read_to_string(&bak).unwrap(), "name: my-edit\n");

    // Completion names the next lab, and so does the list.
    std::fs::copy(labs.join("solution-1.yaml"), &file).unwrap();
    assert_eq!(vpclab(s, w, &["lab", "check"]).status.code(), Some(0));
    std::fs::copy(labs.join("solution-2.yaml"), &file).unwrap();
    let o = vpclab(s, w, &["lab", "check"]);
    assert!(out(&o).contains("Next: vpclab lab start 02"), "{}", out(&o));
    let t = out(&vpclab(s, w, &["lab", "list"]));
    assert!(t.contains("Start one: vpclab lab start 02"), "{t}");
    let v = json(&vpclab(s, w, &["lab", "status", "--json"]));
    assert_eq!(v["completed"], true);
    assert_eq!(v["next"], "02-public-subnet");
}

#[test]
fn lab_start_help_examples_are_real_labs() {
    let d = tempfile::tempdir().unwrap();
    let o = vpclab(d.path(), d.path(), &["lab", "start", "--help"]);
    let t = out(&o);
    let ids: Vec<String> = vpclab::lab::list_labs()
        .unwrap()
        .iter()
        .map(|l| l.id.value.clone())
        .collect();
    let mut named = 0;
    for word in t.split(|c: char| c.is_whitespace() || c == '`' || c == '(' || c == ')') {
        let looks_like_id = word.len() > 3
            && word.as_bytes()[..2].iter().all(u8::is_ascii_digit)
            && word.as_bytes()[2] == b'-';
        if looks_like_id {
            assert!(ids.iter().any(|i| i == word), "`{word}` is not a lab: {t}");
            named += 1;
        }
    }
    assert!(named >= 1, "the help names a lab id: {t}");
    assert!(t.contains("vpclab lab start 01"), "{t}");
}
