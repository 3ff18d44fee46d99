//! What `vpclab lab` shows besides running steps: `lab list --json`, `lab status --json`, the
//! next lab to start, and `lab show` (the picture of `vpclab::lab::picture`).

use super::lab::{current, labs, load_progress};
use super::{common, CmdResult, Fail};
use std::path::Path;
use vpclab::files::Writer;
use vpclab::lab::checks::run_checks;
use vpclab::lab::format::{Check, Lab};
use vpclab::lab::picture;
use vpclab::lab::progress::Progress;

/// The number a learner types for a lab (`02` of `02-public-subnet`; the id without one).
pub fn short_id(lab: &Lab) -> &str {
    let id = lab.id.value.as_str();
    match id.split_once('-') {
        Some((n, _)) if lab.number().is_some() => n,
        _ => id,
    }
}

/// The lab to do next: the first one after the current lab that is not completed, else the
/// first not completed at all; None when every lab is done.
pub fn next_lab<'a>(labs: &'a [Lab], p: &Progress) -> Option<&'a Lab> {
    let done = |l: &Lab| p.labs.get(&l.id.value).is_some_and(|lp| lp.completed);
    let from = p
        .current
        .as_ref()
        .and_then(|c| labs.iter().position(|l| &l.id.value == c))
        .map_or(0, |i| i + 1);
    labs[from.min(labs.len())..]
        .iter()
        .chain(labs.iter())
        .find(|l| !done(l))
}

/// The last line of `lab list`: how to go on from here.
pub fn list_footer(labs: &[Lab], p: &Progress) -> String {
    let legend = "✓ done  ▶ current  … started  • not started.";
    let in_progress = p
        .current
        .as_ref()
        .and_then(|c| p.labs.get(c))
        .is_some_and(|lp| !lp.completed);
    if in_progress {
        return format!("{legend}   Go on: vpclab lab check (or vpclab lab status)");
    }
    match next_lab(labs, p) {
        Some(l) => format!("{legend}   Start one: vpclab lab start {}", short_id(l)),
        None => format!("{legend}   Every lab is done."),
    }
}

/// The state word of a lab in `lab list --json`.
fn state(p: &Progress, l: &Lab) -> &'static str {
    match p.labs.get(&l.id.value) {
        Some(lp) if lp.completed => "done",
        Some(_) if p.current.as_deref() == Some(l.id.value.as_str()) => "current",
        Some(_) => "started",
        None => "not_started",
    }
}

/// `lab list --json`.
pub fn list_json(labs: &[Lab], p: &Progress) -> CmdResult {
    let items: Vec<serde_json::Value> = labs
        .iter()
        .map(|l| {
            let lp = p.labs.get(&l.id.value);
            serde_json::json!({
                "id": l.id.value,
                "title": l.title,
                "concepts": l.concepts,
                "minutes": l.minutes,
                "steps": l.steps.len(),
                "state": state(p, l),
                "step": lp.filter(|lp| !lp.completed).map(|lp| lp.step),
                "file": lp.map(|lp| &lp.workfile),
            })
        })
        .collect();
    common::print_json(&serde_json::json!({
        "labs": items,
        "current": p.current,
        "next": next_lab(labs, p).map(|l| &l.id.value),
    }))?;
    Ok(common::EXIT_OK)
}

/// `lab status --json`.
pub fn status_json() -> CmdResult {
    let labs = labs()?;
    let p = load_progress()?;
    let (i, lp) = current(&labs, &p)?;
    let lab = &labs[i];
    let step = (!lp.completed).then(|| &lab.steps[lp.step - 1]);
    common::print_json(&serde_json::json!({
        "lab": lab.id.value,
        "title": lab.title,
        "step": (!lp.completed).then_some(lp.step),
        "steps": lab.steps.len(),
        "step_title": step.map(|s| &s.title),
        "hints_used": step.map(|s| lp.hints_shown.min(s.hints.len())),
        "hints": step.map(|s| s.hints.len()),
        "completed": lp.completed,
        "file": lp.workfile,
        "next": if lp.completed { next_lab(&labs, &p).map(|l| &l.id.value) } else { None },
    }))?;
    Ok(common::EXIT_OK)
}

/// `lab show [--svg FILE]`: runs the current step's checks on the learner's file and draws the
/// topology with the chosen check's path; exit 0 even when checks fail (it only shows).
pub fn show(svg: Option<&Path>) -> CmdResult {
    let labs = labs()?;
    let p = load_progress()?;
    let (i, lp) = current(&labs, &p)?;
    let lab = &labs[i];
    let step = lp.step.min(lab.steps.len());
    let (net, _) = common::load_network_quiet(&lp.workfile).map_err(|e| {
        Fail::input(format!(
            "{}\n  hint: `vpclab lab check` shows what to fix before there is a network to draw",
            e.msg
        ))
    })?;
    let checks: Vec<Check> = lab.steps[step - 1]
        .checks
        .iter()
        .map(|c| c.value.clone())
        .collect();
    let results = run_checks(&lp.workfile, &checks);
    let chosen = picture::chosen(&results);
    let title = format!(
        "Lab {}, step {step}/{}: {}",
        lab.id.value,
        lab.steps.len(),
        lab.steps[step - 1].title
    );
    print!("{}", picture::text(&title, &net, chosen));
    if let Some(f) = svg {
        Writer::for_requester()
            .write(f, picture::svg(&title, &net, chosen))
            .map_err(|e| Fail::env(format!("{}: cannot write: {e}", f.display())))?;
        println!("\nSVG: {}", f.display());
    }
    Ok(common::EXIT_OK)
}
