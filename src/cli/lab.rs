//! `vpclab lab ...`: the guided-lab runner (list, start, status, check, hint, solution, reset).

use super::{common, lab_views, CmdResult, Fail, LabCommand};
use std::path::{Path, PathBuf};
use vpclab::files::Writer;
use vpclab::lab::checks::{run_checks, CheckOutcome, CheckResult};
use vpclab::lab::format::{Check, Lab};
use vpclab::lab::progress::{LabProgress, Progress};
use vpclab::lab::{catalog, diff};

/// Runs one `lab` subcommand.
pub fn run(c: &LabCommand) -> CmdResult {
    match c {
        LabCommand::List { json } => list(*json),
        LabCommand::Start { id } => start(id),
        LabCommand::Status { json } => status(*json),
        LabCommand::Check { json } => check(*json),
        LabCommand::Hint => hint(),
        LabCommand::Solution => solution(),
        LabCommand::Reset => reset(),
        LabCommand::Stop => stop(),
        LabCommand::Show { svg } => super::lab_views::show(svg.as_deref()),
    }
}

pub(super) fn labs() -> Result<Vec<Lab>, Fail> {
    catalog::list_labs().map_err(|r| Fail::env(r.to_string()))
}

pub(super) fn load_progress() -> Result<Progress, Fail> {
    Progress::load().map_err(Fail::env)
}

fn save(p: &Progress) -> Result<(), Fail> {
    p.save().map_err(Fail::env)
}

/// The working folder root: `VPCLAB_LAB_DIR`, else `./vpclab-lab`.
fn work_root() -> Result<PathBuf, Fail> {
    let root = match std::env::var_os("VPCLAB_LAB_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from("vpclab-lab"),
    };
    if root.is_absolute() {
        return Ok(root);
    }
    let cwd = std::env::current_dir()
        .map_err(|e| Fail::env(format!("cannot read the current folder: {e}")))?;
    Ok(cwd.join(root))
}

/// The current lab and its progress, or a usage error saying how to start one.
pub(super) fn current(labs: &[Lab], p: &Progress) -> Result<(usize, LabProgress), Fail> {
    let none = || {
        Fail::input("no lab in progress\n  hint: `vpclab lab list` shows the labs; `vpclab lab start 01` starts the first")
    };
    let id = p.current.as_ref().ok_or_else(none)?;
    let i = labs.iter().position(|l| &l.id.value == id).ok_or_else(|| {
        Fail::input(format!(
            "the current lab `{id}` is not in {}\n  hint: `vpclab lab list`, then `vpclab lab start ID`",
            catalog::labs_dir().display()
        ))
    })?;
    let lp = p.labs.get(id).cloned().ok_or_else(none)?;
    Ok((i, lp))
}

/// Copies a lab file into the working folder, making its folders, by the rule of
/// `vpclab::files` (the working folder may be written by root for its user).
pub(super) fn copy(from: &Path, to: &Path) -> Result<(), Fail> {
    let w = Writer::for_requester().with_parents();
    w.copy(from, to).map(|_| ()).map_err(|e| {
        Fail::env(format!(
            "cannot copy {} to {}: {e}",
            from.display(),
            to.display()
        ))
    })
}

pub(super) fn print_step(lab: &Lab, step: usize) {
    let s = &lab.steps[step - 1];
    println!("── Step {step}/{}: {}\n", lab.steps.len(), s.title);
    println!("{}", s.instructions.trim_end());
    println!();
}

fn print_footer(work: &Path) {
    println!("Edit:   {}", work.display());
    println!("Check:  vpclab lab check      (stuck? vpclab lab hint)");
}

fn list(json: bool) -> CmdResult {
    let labs = labs()?;
    let p = load_progress()?;
    if json {
        return lab_views::list_json(&labs, &p);
    }
    for l in &labs {
        let lp = p.labs.get(&l.id.value);
        let is_current = p.current.as_deref() == Some(l.id.value.as_str());
        let (mark, state) = match lp {
            Some(lp) if lp.completed => ("✓", "done".to_string()),
            Some(lp) if is_current => ("▶", format!("step {}/{}", lp.step, l.steps.len())),
            Some(lp) => ("…", format!("step {}/{}", lp.step, l.steps.len())),
            None => ("•", String::new()),
        };
        let mins = l.minutes.map(|m| format!("{m} min")).unwrap_or_default();
        let state = if state.is_empty() {
            String::new()
        } else {
            format!("  [{state}]")
        };
        println!("{mark} {:<22} {:>6}  {}{state}", l.id.value, mins, l.title);
    }
    println!("\n{}", lab_views::list_footer(&labs, &p));
    Ok(common::EXIT_OK)
}

fn start(id: &str) -> CmdResult {
    let labs = labs()?;
    let i = catalog::find_lab(&labs, id).ok_or_else(|| {
        let ids: Vec<&str> = labs.iter().map(|l| l.id.value.as_str()).collect();
        Fail::input(format!(
            "no lab `{id}`\n  hint: use an id or a number: {}",
            ids.join(", ")
        ))
    })?;
    let lab = &labs[i];
    let mut p = load_progress()?;
    let work = work_root()?.join(&lab.id.value).join("topology.yaml");
    let resume = matches!(p.labs.get(&lab.id.value), Some(lp) if !lp.completed && lp.workfile == work && work.is_file());
    let step = if resume {
        p.labs[&lab.id.value].step
    } else {
        if work.is_file() {
            let bak = work.with_extension("yaml.bak");
            std::fs::rename(&work, &bak)
                .map_err(|e| Fail::env(format!("{}: cannot back up: {e}", work.display())))?;
            eprintln!(
                "note: your previous {} is now {}",
                work.display(),
                bak.display()
            );
        }
        copy(&lab.start_file(), &work)?;
        p.labs.insert(
            lab.id.value.clone(),
            LabProgress {
                step: 1,
                hints_shown: 0,
                completed: false,
                workfile: work.clone(),
            },
        );
        1
    };
    p.current = Some(lab.id.value.clone());
    save(&p)?;
    let mins = lab
        .minutes
        .map(|m| format!("  (~{m} min)"))
        .unwrap_or_default();
    println!("━━ Lab {}: {}{mins}\n", lab.id.value, lab.title);
    if resume {
        println!("(resuming where you left off; `vpclab lab reset` starts over)\n");
    } else {
        println!("{}\n", lab.briefing.trim_end());
    }
    print_step(lab, step);
    print_footer(&work);
    if super::lab_live::start(&work) {
        return Ok(common::EXIT_OK);
    }
    println!(
        "On the virtual backend nothing needs to stay running: every `lab check` builds a fresh\n\
         virtual network from your file and sends its probes through it. To explore by hand:\n  \
         vpclab reach {0} --from A --to B --port N\n  \
         vpclab probe {0} --from A --to B --port N",
        work.display()
    );
    Ok(common::EXIT_OK)
}

fn status(json: bool) -> CmdResult {
    if json {
        return lab_views::status_json();
    }
    let labs = labs()?;
    let p = load_progress()?;
    let (i, lp) = current(&labs, &p)?;
    let lab = &labs[i];
    println!("Lab {}: {}", lab.id.value, lab.title);
    if lp.completed {
        println!("Completed. {}", next_line(&labs, &p));
    } else {
        let s = &lab.steps[lp.step - 1];
        println!("Step {}/{}: {}", lp.step, lab.steps.len(), s.title);
        println!(
            "Hints used: {}/{}",
            lp.hints_shown.min(s.hints.len()),
            s.hints.len()
        );
    }
    println!("Working file: {}", lp.workfile.display());
    println!("Backend: {}", super::lab_live::describe(&lp.workfile));
    Ok(common::EXIT_OK)
}

fn mark(o: &CheckOutcome) -> &'static str {
    match o {
        CheckOutcome::Pass(_) => "✓",
        CheckOutcome::Fail(_) => "✗",
        CheckOutcome::Unavailable(_) => "?",
        CheckOutcome::Skipped(_) => "-",
    }
}

fn print_result(r: &CheckResult, errors_shown: bool) {
    let m = mark(&r.outcome);
    let label = &r.label;
    match &r.outcome {
        CheckOutcome::Fail(_) if errors_shown && r.kind == "valid" => {
            println!("  {m} {label}: no (errors above)")
        }
        CheckOutcome::Pass(why) if why.is_empty() => println!("  {m} {label}"),
        CheckOutcome::Pass(why) => println!("  {m} {label}  ({why})"),
        CheckOutcome::Fail(why) => {
            let mut lines = why.lines();
            println!("  {m} {label}: {}", lines.next().unwrap_or(""));
            for l in lines {
                println!("      {l}");
            }
            if let Some(b) = &r.blocked {
                if !b.detail.is_empty() {
                    println!("      {}: {}", b.kind, b.detail);
                } else {
                    println!("      component kind: {}", b.kind);
                }
            }
        }
        CheckOutcome::Unavailable(why) => println!("  {m} {label}: not evaluated: {why}"),
        CheckOutcome::Skipped(why) => println!("  {m} {label}: skipped: {why}"),
    }
}

fn check(json: bool) -> CmdResult {
    let labs = labs()?;
    let mut p = load_progress()?;
    let (i, mut lp) = current(&labs, &p)?;
    let lab = &labs[i];
    if lp.completed {
        if json {
            common::print_json(&serde_json::json!({
                "lab": lab.id.value, "completed": true, "passed": true, "checks": [],
            }))?;
        } else {
            println!("Lab {} is complete. {}", lab.id.value, next_line(&labs, &p));
        }
        return Ok(common::EXIT_OK);
    }
    let step = lp.step;
    let s = &lab.steps[step - 1];
    let checks: Vec<Check> = s.checks.iter().map(|c| c.value.clone()).collect();
    let invalid = common::load_network_quiet(&lp.workfile)
        .err()
        .map(|e| e.msg);
    let live = super::lab_live::sync(&lp.workfile);
    super::lab_live_dns::settle_health(&live, &lp.workfile, &checks);
    let mut results = run_checks(&lp.workfile, &checks);
    super::lab_live::run_exec_checks(&live, &checks, &mut results);
    super::lab_live_dns::run_dns_checks(&live, &lp.workfile, &checks, &mut results);
    let passed =
        !results.iter().any(|r| r.outcome.failed()) && results.iter().any(|r| r.outcome.passed());
    let mut advanced_to = None;
    if passed {
        lp.step += 1;
        lp.hints_shown = 0;
        if lp.step > lab.steps.len() {
            lp.completed = true;
        } else if let Some(f) = &lab.steps[lp.step - 1].start {
            let bak = lp.workfile.with_extension(format!("step-{step}.yaml"));
            let _ = Writer::for_requester().copy(&lp.workfile, &bak);
            copy(&lab.dir.join(f), &lp.workfile)?;
        }
        if !lp.completed {
            advanced_to = Some(lp.step);
        }
        p.labs.insert(lab.id.value.clone(), lp.clone());
        save(&p)?;
    }
    if json {
        common::print_json(&serde_json::json!({
            "lab": lab.id.value,
            "step": step,
            "steps": lab.steps.len(),
            "title": s.title,
            "file": lp.workfile,
            "passed": passed,
            "errors": invalid,
            "checks": results,
            "advanced_to": advanced_to,
            "completed": lp.completed,
        }))?;
    } else {
        println!(
            "Lab {}, step {step}/{}: {}",
            lab.id.value,
            lab.steps.len(),
            s.title
        );
        if let Some(e) = &invalid {
            println!("\nYour topology does not validate:\n{e}\n");
        }
        for r in &results {
            print_result(r, invalid.is_some());
        }
        println!();
        if passed {
            let unevaluated = results
                .iter()
                .filter(|r| matches!(r.outcome, CheckOutcome::Unavailable(_)))
                .count();
            if unevaluated > 0 {
                println!("✓ Step {step} passed ({unevaluated} check(s) could not be evaluated in this build).");
            } else {
                println!("✓ Step {step} passed.");
            }
            if let Some(n) = advanced_to {
                println!();
                print_step(lab, n);
                print_footer(&lp.workfile);
            } else {
                println!("🎉 Lab {} complete. {}", lab.id.value, next_line(&labs, &p));
            }
        } else {
            let n = results.iter().filter(|r| r.outcome.failed()).count();
            if n == 0 {
                println!("? None of this step's checks can be evaluated in this build, so it cannot be passed here.\n  `vpclab lab solution` shows the answer; `vpclab lab start ID` moves on to another lab.");
            } else {
                println!("✗ {n} check(s) failing. Edit {} and run `vpclab lab check` again (stuck? `vpclab lab hint`).", lp.workfile.display());
            }
        }
    }
    Ok(if passed {
        common::EXIT_OK
    } else {
        common::EXIT_NO
    })
}

fn hint() -> CmdResult {
    let labs = labs()?;
    let mut p = load_progress()?;
    let (i, mut lp) = current(&labs, &p)?;
    let lab = &labs[i];
    if lp.completed {
        println!("Lab {} is complete; no hints left to give.", lab.id.value);
        return Ok(common::EXIT_OK);
    }
    let s = &lab.steps[lp.step - 1];
    if s.hints.is_empty() {
        println!("This step has no hints. `vpclab lab solution` shows the answer.");
        return Ok(common::EXIT_OK);
    }
    if lp.hints_shown >= s.hints.len() {
        for (k, h) in s.hints.iter().enumerate() {
            println!("Hint {}/{}: {}", k + 1, s.hints.len(), h.trim_end());
        }
        println!("\nNo more hints. `vpclab lab solution` shows the answer.");
        return Ok(common::EXIT_OK);
    }
    let k = lp.hints_shown;
    println!(
        "Hint {}/{}: {}",
        k + 1,
        s.hints.len(),
        s.hints[k].trim_end()
    );
    if k + 1 < s.hints.len() {
        println!("\n(`vpclab lab hint` again for a stronger hint)");
    } else {
        println!("\n(that was the last hint; `vpclab lab solution` shows the answer)");
    }
    lp.hints_shown += 1;
    p.labs.insert(lab.id.value.clone(), lp);
    save(&p)?;
    Ok(common::EXIT_OK)
}

/// Reads a lab's step or solution file, bounded like a topology file.
fn read(p: &Path) -> Result<String, Fail> {
    use vpclab::topology::input::{read_bounded_text, InputError};
    read_bounded_text(p, vpclab::topology::load::MAX_FILE_BYTES as u64).map_err(|e| match e {
        InputError::Io(_, e) => Fail::env(format!("{}: cannot read: {e}", p.display())),
        e => Fail::env(e.to_string()),
    })
}

fn solution() -> CmdResult {
    let labs = labs()?;
    let p = load_progress()?;
    let (i, lp) = current(&labs, &p)?;
    let lab = &labs[i];
    let step = lp.step.min(lab.steps.len());
    let s = &lab.steps[step - 1];
    let sol = lab.solution_file(step);
    let old = read(&lab.step_start_file(step))?;
    let new = read(&sol)?;
    println!("Solution of step {step}/{}: {}\n", lab.steps.len(), s.title);
    if let Some(e) = &s.explanation {
        println!("{}\n", e.trim_end());
    }
    println!("What changes (from the step's starting file):\n");
    print!("{}", diff::render(&old, &new, 2));
    println!("\nThe whole solution ({}):\n", sol.display());
    print!("{new}");
    if !new.ends_with('\n') {
        println!();
    }
    println!(
        "\nTo use it: cp {} {}",
        sol.display(),
        lp.workfile.display()
    );
    Ok(common::EXIT_OK)
}

/// `Next: vpclab lab start 02` (the next lab not done), or that every lab is done.
fn next_line(labs: &[Lab], p: &Progress) -> String {
    match lab_views::next_lab(labs, p) {
        Some(l) => format!(
            "Next: vpclab lab start {}   ({})",
            lab_views::short_id(l),
            l.title
        ),
        None => "Every lab is done.".into(),
    }
}

/// Moves the learner's file aside before a reset: `topology.reset-N.yaml`, the first N free;
/// None when there is no file to keep.
fn backup_before_reset(work: &Path) -> Result<Option<PathBuf>, Fail> {
    if !work.is_file() {
        return Ok(None);
    }
    let bak = (1..)
        .map(|n| work.with_extension(format!("reset-{n}.yaml")))
        .find(|b| !b.exists())
        .expect("some number is free");
    Writer::for_requester()
        .copy(work, &bak)
        .map_err(|e| Fail::env(format!("{}: cannot back up: {e}", work.display())))?;
    Ok(Some(bak))
}

fn reset() -> CmdResult {
    let labs = labs()?;
    let mut p = load_progress()?;
    let (i, mut lp) = current(&labs, &p)?;
    let lab = &labs[i];
    let bak = backup_before_reset(&lp.workfile)?;
    copy(&lab.start_file(), &lp.workfile)?;
    lp.step = 1;
    lp.hints_shown = 0;
    lp.completed = false;
    p.labs.insert(lab.id.value.clone(), lp.clone());
    save(&p)?;
    println!(
        "Lab {} is back at step 1; {} holds the starting topology again.",
        lab.id.value,
        lp.workfile.display()
    );
    if let Some(b) = bak {
        println!("Your edits are kept in {}.", b.display());
    }
    println!();
    print_step(lab, 1);
    print_footer(&lp.workfile);
    Ok(common::EXIT_OK)
}

/// `lab stop`: tears down the current lab's live network (`lab_live`).
fn stop() -> CmdResult {
    let labs = labs()?;
    let p = load_progress()?;
    let (_, lp) = current(&labs, &p)?;
    if super::lab_live::stop(&lp.workfile) {
        println!("The lab's live network is down; `vpclab lab check` now runs on the virtual backend (`vpclab lab start ID` brings it up again).");
    } else {
        println!("The current lab has no live network.");
    }
    Ok(common::EXIT_OK)
}
