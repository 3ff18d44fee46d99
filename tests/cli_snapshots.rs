//! Snapshots of the CLI's machine-readable output, committed before the house was rebuilt:
//! `reach --json`, `probe --json` (virtual backend), `show --json` and `graph` (dot and
//! mermaid) for every example topology and every lab's start and solution files. The output
//! of these commands is a contract (`../shared/spec/cli.md`); any change shows up here as a
//! diff against `tests/snapshots/`.
//!
//! To accept an intended change, run with `VPCLAB_UPDATE_SNAPSHOTS=1` and review the diff.
//! A missing snapshot file is a failure, never a silent pass.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary from the project's root; returns (exit code, stdout).
fn vpclab(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("vpclab runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Every example topology (`topologies/*.yaml`), relative to the project's root, sorted.
fn example_topologies() -> Vec<String> {
    yaml_files(&root().join("topologies"), "topologies")
}

/// Every lab's start and solution files (not its `wrong-*.yaml` answers), relative to the
/// project's root, sorted.
fn lab_files() -> Vec<String> {
    let mut out = Vec::new();
    let mut labs: Vec<_> = std::fs::read_dir(root().join("labs"))
        .expect("labs/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    labs.sort();
    for lab in labs {
        let name = lab.file_name().unwrap().to_string_lossy().into_owned();
        out.extend(
            yaml_files(&lab, &format!("labs/{name}"))
                .into_iter()
                .filter(|f| !f.ends_with("/lab.yaml") && !f.contains("/wrong-")),
        );
    }
    out
}

fn yaml_files(dir: &Path, rel: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("directory exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| format!("{rel}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    files
}

/// Hosts (instances and internet hosts) named in `show --json`, in its order.
fn hosts(file: &str) -> Vec<String> {
    let (code, out) = vpclab(&["show", file, "--json"]);
    assert_eq!(code, 0, "show {file}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("show --json is JSON");
    let mut names = Vec::new();
    for key in ["instances", "internet_hosts"] {
        if let Some(list) = v[key].as_array() {
            for h in list {
                if let Some(n) = h["name"].as_str() {
                    names.push(n.to_string());
                }
            }
        }
    }
    names
}

/// The snapshot of one file: a map from the command line to its exit code and output.
fn snapshot_of(file: &str, with_flows: bool) -> BTreeMap<String, serde_json::Value> {
    let mut snap = BTreeMap::new();
    let mut record = |args: Vec<&str>| {
        let (code, out) = vpclab(&args);
        let out = match serde_json::from_str::<serde_json::Value>(&out) {
            Ok(v) => v,
            Err(_) => serde_json::Value::String(out),
        };
        snap.insert(
            args.join(" "),
            serde_json::json!({ "exit": code, "stdout": out }),
        );
    };
    record(vec!["show", file, "--json"]);
    record(vec!["graph", file, "--format", "dot"]);
    record(vec!["graph", file, "--format", "mermaid"]);
    if !with_flows {
        return snap;
    }
    let hosts = hosts(file);
    for from in &hosts {
        for to in &hosts {
            if from == to {
                continue;
            }
            for (proto, port) in [("tcp", Some("80")), ("tcp", Some("5432")), ("icmp", None)] {
                let mut args = vec!["reach", file, "--from", from, "--to", to];
                args.extend(["--protocol", proto]);
                if let Some(p) = port {
                    args.extend(["--port", p]);
                }
                args.push("--json");
                record(args.clone());
                args[0] = "probe";
                record(args);
            }
        }
    }
    snap
}

fn snapshot_path(file: &str) -> PathBuf {
    root().join("tests/snapshots/cli").join(format!(
        "{}.json",
        file.trim_end_matches(".yaml").replace('/', "__")
    ))
}

fn check(file: &str, with_flows: bool) -> Result<(), String> {
    let snap = snapshot_of(file, with_flows);
    let text = serde_json::to_string_pretty(&snap).expect("serialises") + "\n";
    let path = snapshot_path(file);
    if std::env::var_os("VPCLAB_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).expect("snapshot dir");
        std::fs::write(&path, &text).expect("write snapshot");
        return Ok(());
    }
    let want = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (run with VPCLAB_UPDATE_SNAPSHOTS=1 to create it)",
            path.display()
        )
    })?;
    if want == text {
        return Ok(());
    }
    let want: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&want).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut diffs = Vec::new();
    for (cmd, v) in &snap {
        match want.get(cmd) {
            None => diffs.push(format!("new command: vpclab {cmd}")),
            Some(w) if w != v => diffs.push(format!(
                "vpclab {cmd}\n  want: {}\n  got:  {}",
                serde_json::to_string(w).unwrap(),
                serde_json::to_string(v).unwrap()
            )),
            _ => {}
        }
    }
    for cmd in want.keys().filter(|c| !snap.contains_key(*c)) {
        diffs.push(format!("command gone: vpclab {cmd}"));
    }
    Err(format!("{}:\n{}", path.display(), diffs.join("\n")))
}

#[test]
fn example_topologies_match_their_snapshots() {
    let files = example_topologies();
    assert!(files.len() >= 5, "topologies/ lost files: {files:?}");
    let errs: Vec<String> = files.iter().filter_map(|f| check(f, true).err()).collect();
    assert!(errs.is_empty(), "{}", errs.join("\n\n"));
}

#[test]
fn lab_files_match_their_snapshots() {
    let files = lab_files();
    assert!(files.len() >= 24, "labs/ lost files: {files:?}");
    let errs: Vec<String> = files.iter().filter_map(|f| check(f, false).err()).collect();
    assert!(errs.is_empty(), "{}", errs.join("\n\n"));
}
