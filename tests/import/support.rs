//! What the import tests share: the corpus folder, importing inline JSON, reading the written
//! YAML back as a tree, and validating it with the project's loader.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use vpclab::import::{aws, yaml, Imported};

/// `$VPCLAB_SHARED/corpus/batfish-aws` when set, else `../shared/corpus/batfish-aws` beside the
/// project, else `/work/shared/corpus/batfish-aws`. Missing everywhere is a failure (with the
/// places looked at), not a skip: CI has the folder.
pub fn batfish() -> PathBuf {
    let mut candidates = Vec::new();
    if let Some(s) = std::env::var_os("VPCLAB_SHARED") {
        candidates.push(PathBuf::from(s).join("corpus/batfish-aws"));
    }
    candidates.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/batfish-aws"
    )));
    candidates.push(PathBuf::from("/work/shared/corpus/batfish-aws"));
    match candidates.iter().find(|d| d.is_dir()) {
        Some(d) => d.clone(),
        None => panic!(
            "the shared corpus is missing (looked in {candidates:?}; CI={:?}): it must sit beside \
             the project (../shared/corpus), or set VPCLAB_SHARED to the folder holding corpus/",
            std::env::var_os("CI")
        ),
    }
}

/// Every snapshot folder (`NAME/aws_configs`) of the corpus, sorted.
pub fn snapshots() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(batfish())
        .expect("readable corpus")
        .map(|e| e.expect("entry").path().join("aws_configs"))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// Imports inline files: (path, JSON). The path's folders give account and region.
pub fn import(files: &[(&str, Value)]) -> Imported {
    let texts: Vec<(PathBuf, String)> = files
        .iter()
        .map(|(p, v)| (PathBuf::from(p), v.to_string()))
        .collect();
    aws::import_texts(&texts, "quirks").expect("imports")
}

/// The YAML of an import.
pub fn text(i: &Imported) -> String {
    yaml::to_yaml(&i.doc, "a test").expect("writes YAML")
}

/// The YAML of an import read back as a tree (to look values up).
pub fn tree(i: &Imported) -> Value {
    serde_saphyr::from_str(&text(i)).expect("the YAML reads back")
}

/// Fails with every diagnostic when the import's YAML does not load (validate, build, lint).
pub fn assert_validates(label: &str, i: &Imported) {
    let t = text(i);
    if let Err(r) = vpclab::load::load_str(label, &t) {
        panic!("{label} does not validate:\n{r}\n--- the YAML:\n{t}");
    }
}

/// Whether the report has an entry of this kind and outcome whose id and reason contain the
/// given texts.
pub fn reported(i: &Imported, kind: &str, outcome: &str, id: &str, reason: &str) -> bool {
    i.report.entries().iter().any(|e| {
        e.kind == kind
            && e.outcome.word() == outcome
            && e.id.contains(id)
            && e.reason.contains(reason)
    })
}

/// Compares `got` with the golden file `tests/snapshots/import/SUB/NAME.EXT` for each
/// (EXT, text) pair; `VPCLAB_UPDATE_SNAPSHOTS=1` writes them instead. Fails with the first
/// differing lines.
pub fn assert_golden(sub: &str, name: &str, files: &[(&str, &str)]) {
    let base = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/snapshots/import"
    ))
    .join(sub);
    for (ext, got) in files {
        let path = base.join(format!("{name}.{ext}"));
        if std::env::var_os("VPCLAB_UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(&base).expect("snapshot folder");
            std::fs::write(&path, got).expect("writes the snapshot");
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run with VPCLAB_UPDATE_SNAPSHOTS=1 to create it)",
                path.display()
            )
        });
        if want != *got {
            let diff: Vec<String> = want
                .lines()
                .zip(got.lines())
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .take(5)
                .map(|(n, (a, b))| format!("line {}:\n  want: {a}\n  got:  {b}", n + 1))
                .collect();
            panic!(
                "{} differs ({} vs {} lines):\n{}\n(VPCLAB_UPDATE_SNAPSHOTS=1 regenerates it)",
                path.display(),
                want.lines().count(),
                got.lines().count(),
                diff.join("\n")
            );
        }
    }
}

/// Runs the `vpclab` binary with these arguments and returns what it did.
pub fn vpclab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .args(args)
        .output()
        .expect("runs vpclab")
}
