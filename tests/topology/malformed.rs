//! The malformed-topology corpus: every file under `tests/malformed/` has one defect and a
//! first line `# expect: LINE:COL SUBSTRING`. `vpclab validate` must exit 2, print the error
//! first at exactly that position, with the substring in the message and a `hint:` line, and
//! never panic.

use std::path::PathBuf;
use std::process::Command;

fn corpus() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/malformed exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_is_large_enough() {
    assert!(
        corpus().len() >= 45,
        "only {} malformed topologies",
        corpus().len()
    );
}

#[test]
fn every_malformed_topology_fails_at_its_line_with_a_hint() {
    let mut failures = vec![];
    for path in corpus() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let header = text.lines().next().unwrap_or_default();
        let spec = header.strip_prefix("# expect: ").unwrap_or_else(|| {
            panic!(
                "{}: first line must be `# expect: LINE:COL TEXT`",
                path.display()
            )
        });
        let (pos, needle) = spec.split_once(' ').expect("`LINE:COL TEXT`");
        let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
            .arg("validate")
            .arg(&path)
            .output()
            .expect("runs vpclab");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let file = path.display().to_string();
        let prefix = format!("{file}:{pos}: error:");
        let first = stderr.lines().next().unwrap_or_default();
        let problems: Vec<&str> = [
            (out.status.code() != Some(2), "exit code is not 2"),
            (
                !first.starts_with(&prefix),
                "stderr does not start with the expected FILE:LINE:COL: error:",
            ),
            (
                !first.contains(needle),
                "the first error does not contain the expected text",
            ),
            (
                !stderr
                    .lines()
                    .nth(1)
                    .unwrap_or_default()
                    .trim_start()
                    .starts_with("hint:"),
                "no hint line after the error",
            ),
            (stderr.contains("panicked"), "panic"),
        ]
        .into_iter()
        .filter_map(|(bad, what)| bad.then_some(what))
        .collect();
        if !problems.is_empty() {
            failures.push(format!(
                "{file}: {}\n  expected: {prefix} ...{needle}...\n  got (exit {:?}):\n{stderr}",
                problems.join("; "),
                out.status.code()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_output_lists_the_error_with_its_position() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/malformed/subnet-overlap.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .args(["validate", "--json"])
        .arg(&path)
        .output()
        .expect("runs vpclab");
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    assert_eq!(v["ok"], false);
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(
        (d["severity"].as_str(), d["line"].as_u64()),
        (Some("error"), Some(9))
    );
    assert!(d["hint"].is_string());
}
