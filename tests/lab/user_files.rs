//! The lab's working folder and progress file are written on the learner's behalf, often by
//! root (docs/security.md, "Files vpclab writes"): `lab start` never writes through a symbolic
//! link left at the working file or at the progress file's temporary name.

use std::path::Path;
use std::process::{Command, Output};

const PRECIOUS: &str = "precious\n";

fn vpclab(state: &Path, work: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .args(args)
        // Live labs (namespaces) are tested in tests/netns/lab_live.rs.
        .env("VPCLAB_LAB_BACKEND", "virtual")
        .env("VPCLAB_STATE_DIR", state)
        .env("VPCLAB_LAB_DIR", work)
        .env_remove("VPCLAB_LABS_DIR")
        .env_remove("SUDO_UID")
        .env_remove("SUDO_GID")
        .current_dir(work)
        .output()
        .expect("run vpclab")
}

#[track_caller]
fn assert_refused(o: &Output, file: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "stderr: {err}");
    assert!(err.contains(file) && err.contains("symbolic link"), "{err}");
}

#[test]
fn a_dangling_link_at_the_working_file_creates_nothing() {
    let (state, work, victim) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let lab = work.path().join("01-cidr-subnets");
    std::fs::create_dir(&lab).unwrap();
    let target = victim.path().join("made-by-root");
    std::os::unix::fs::symlink(&target, lab.join("topology.yaml")).unwrap();
    let o = vpclab(state.path(), work.path(), &["lab", "start", "1"]);
    assert_refused(&o, "topology.yaml");
    assert!(!target.exists(), "the link's target was created");
}

#[test]
fn a_link_at_the_progress_files_temporary_name_is_not_followed() {
    let (state, work, victim) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let target = victim.path().join("victim");
    std::fs::write(&target, PRECIOUS).unwrap();
    std::os::unix::fs::symlink(&target, state.path().join("labs.json.tmp")).unwrap();
    let o = vpclab(state.path(), work.path(), &["lab", "start", "1"]);
    assert_refused(&o, "labs.json.tmp");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), PRECIOUS);
}
