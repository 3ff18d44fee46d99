//! Lab 13's starting topology is what `vpclab import aws` makes of the lab's own `aws/`
//! snapshot, plus the one line its header names (db's `services:`): the lab teaches the
//! importer, so the file must not drift from it.

use std::path::Path;
use std::process::Command;

#[test]
fn lab_13_start_is_the_import_of_its_snapshot() {
    let lab = Path::new(env!("CARGO_MANIFEST_DIR")).join("labs/13-debug-real-network");
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("t.yaml");
    let o = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .args(["import", "aws"])
        .arg(lab.join("aws"))
        .arg("-o")
        .arg(&out)
        .args(["--name", "lab13"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let body = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('#') && l.trim() != "services: [tcp:5432]")
            .map(String::from)
            .collect()
    };
    let imported = std::fs::read_to_string(&out).unwrap();
    let start = std::fs::read_to_string(lab.join("start.yaml")).unwrap();
    assert_eq!(body(&start), body(&imported));
    assert!(start.contains("services: [tcp:5432]"));
}
