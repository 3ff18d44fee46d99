//! The plausible wrong answers of every lab fail: each `labs/ID/wrong-S-WHAT.yaml` is run
//! against step S's checks, and the check its first comment lines name
//! (`# caught-by: TEXT`, the failing check's kind or a part of its label) must be among those that fail.
//! Every step has at least one such file.

use std::path::{Path, PathBuf};
use vpclab::lab::checks::run_checks;
use vpclab::lab::format::Check;
use vpclab::lab::list_labs;

/// The `wrong-S-*.yaml` files of a lab folder, with their step number, sorted.
fn wrong_files(dir: &Path) -> Vec<(usize, PathBuf)> {
    let mut v: Vec<(usize, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let rest = name.strip_prefix("wrong-")?.strip_suffix(".yaml")?;
            let step = rest.split('-').next()?.parse().ok()?;
            Some((step, p))
        })
        .collect();
    v.sort();
    v
}

/// The `# caught-by:` texts of a file's leading comment lines.
fn caught_by(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("# caught-by:"))
        .map(|s| s.trim().to_string())
        .collect()
}

#[test]
fn every_wrong_answer_fails_naming_the_check_that_caught_it() {
    let mut count = 0;
    for l in list_labs().unwrap() {
        let files = wrong_files(&l.dir);
        for step in 1..=l.steps.len() {
            assert!(
                files.iter().any(|(s, _)| *s == step),
                "{} step {step}: no wrong-{step}-*.yaml",
                l.id.value
            );
        }
        for (step, f) in &files {
            let who = format!(
                "{}/{}",
                l.id.value,
                f.file_name().unwrap().to_string_lossy()
            );
            let s = l
                .steps
                .get(step - 1)
                .unwrap_or_else(|| panic!("{who}: the lab has no step {step}"));
            let checks: Vec<Check> = s.checks.iter().map(|c| c.value.clone()).collect();
            let res = run_checks(f, &checks);
            let failing: Vec<&str> = res
                .iter()
                .filter(|r| r.outcome.failed())
                .map(|r| r.label.as_str())
                .collect();
            let want = caught_by(f);
            assert!(!want.is_empty(), "{who}: no `# caught-by:` line");
            for w in &want {
                assert!(
                    res.iter().any(
                        |r| r.outcome.failed() && (r.kind == w || r.label.contains(w.as_str()))
                    ),
                    "{who}: `{w}` does not fail; failing: {failing:?}; all: {:?}",
                    res.iter()
                        .map(|r| (&r.label, &r.outcome))
                        .collect::<Vec<_>>()
                );
            }
            count += 1;
        }
    }
    eprintln!("{count} wrong answers, each caught");
}
