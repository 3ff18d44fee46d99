//! `reach --matrix` output for every example topology (`topologies/*.yaml`), as text and as
//! `--json`, for tcp port 80 and icmp, against files taken from the code before the matrix was
//! made to stream (`tests/snapshots/reach-matrix/`). The bytes must not change.
//!
//! To accept an intended change, run with `VPCLAB_UPDATE_MATRIX_SNAPSHOTS=1` and review the
//! diff. A missing snapshot file is a failure, never a silent pass.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example topologies' file stems, sorted.
fn topologies() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("topologies"))
        .expect("topologies/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn matrix_output_is_byte_identical_to_the_snapshots() {
    let update = std::env::var_os("VPCLAB_UPDATE_MATRIX_SNAPSHOTS").is_some();
    let dir = root().join("tests/snapshots/reach-matrix");
    let mut failures = Vec::new();
    let topos = topologies();
    assert!(topos.len() >= 5, "{topos:?}");
    for topo in &topos {
        let file = format!("topologies/{topo}.yaml");
        for (label, proto) in [
            ("tcp80", &["--port", "80"][..]),
            ("icmp", &["--protocol", "icmp"]),
        ] {
            for (ext, json) in [("txt", false), ("json", true)] {
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_vpclab"));
                cmd.current_dir(root())
                    .env("NO_COLOR", "1")
                    .args(["reach", &file, "--matrix"])
                    .args(proto);
                if json {
                    cmd.arg("--json");
                }
                let out = cmd.output().expect("vpclab runs");
                assert_eq!(out.status.code(), Some(0), "{file} {label} {ext}");
                let path = dir.join(format!("{topo}__{label}.{ext}"));
                if update {
                    std::fs::create_dir_all(&dir).unwrap();
                    std::fs::write(&path, &out.stdout).unwrap();
                    continue;
                }
                match std::fs::read(&path) {
                    Ok(want) if want == out.stdout => {}
                    Ok(_) => failures.push(format!("{} differs", path.display())),
                    Err(e) => failures.push(format!("{}: {e}", path.display())),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
