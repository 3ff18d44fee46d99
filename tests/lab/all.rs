//! Every lab: its files parse and validate, every step has checks, and for each step the
//! starting state fails at least one check while the solution passes all of them.

use vpclab::lab::checks::{run_checks, CheckOutcome};
use vpclab::lab::format::Check;
use vpclab::lab::list_labs;

/// When true, every check kind must be evaluated (no `Unavailable`): set once the analyzer,
/// the engine, DNS and flow logs are wired into `src/lab/adapters.rs`.
const REQUIRE_ALL_CHECK_KINDS: bool = true;

#[test]
fn at_least_22_labs_parse() {
    let labs = list_labs().unwrap_or_else(|r| panic!("{r}"));
    assert!(labs.len() >= 22, "only {} labs", labs.len());
    for (i, l) in labs.iter().enumerate() {
        assert_eq!(
            l.number(),
            Some(i as u32 + 1),
            "lab ids are numbered 01, 02, ...: {}",
            l.id.value
        );
        assert!(
            !l.briefing.trim().is_empty(),
            "{}: empty briefing",
            l.id.value
        );
        assert!(
            (1..=3).contains(&l.steps.len()),
            "{}: 1-3 steps",
            l.id.value
        );
        for (k, s) in l.steps.iter().enumerate() {
            assert!(
                !s.checks.is_empty(),
                "{} step {}: no checks",
                l.id.value,
                k + 1
            );
            assert!(
                !s.hints.is_empty(),
                "{} step {}: no hints",
                l.id.value,
                k + 1
            );
            assert!(
                !s.instructions.trim().is_empty(),
                "{} step {}: no instructions",
                l.id.value,
                k + 1
            );
        }
    }
}

#[test]
fn every_topology_validates() {
    for l in list_labs().unwrap() {
        for (k, s) in l.steps.iter().enumerate() {
            let step = k + 1;
            let sol = l.solution_file(step);
            if let Err(e) = vpclab::load::load(&sol) {
                panic!(
                    "{}: solution of step {step} does not validate:\n{}",
                    l.id.value, e
                );
            }
            // A starting file may be invalid only when the step checks `valid` (the lesson).
            let start = l.step_start_file(step);
            let has_valid = s.checks.iter().any(|c| matches!(c.value, Check::Valid(_)));
            if let Err(e) = vpclab::load::load(&start) {
                assert!(
                    has_valid,
                    "{}: start of step {step} is invalid but the step has no `valid` check:\n{}",
                    l.id.value, e
                );
            }
        }
    }
}

#[test]
fn all_labs_start_fails_solution_passes() {
    let mut not_evaluated = 0;
    for l in list_labs().unwrap() {
        for (k, s) in l.steps.iter().enumerate() {
            let step = k + 1;
            let checks: Vec<Check> = s.checks.iter().map(|c| c.value.clone()).collect();
            let who = format!("{} step {step}", l.id.value);

            let sol = run_checks(&l.solution_file(step), &checks);
            for r in &sol {
                assert!(
                    !r.outcome.failed(),
                    "{who}: the solution fails `{}`: {}",
                    r.label,
                    r.outcome.reason()
                );
                if let CheckOutcome::Unavailable(why) = &r.outcome {
                    if REQUIRE_ALL_CHECK_KINDS {
                        panic!("{who}: `{}` not evaluated: {why}", r.label);
                    }
                    not_evaluated += 1;
                }
            }
            assert!(
                sol.iter().any(|r| r.outcome.passed()) || !REQUIRE_ALL_CHECK_KINDS,
                "{who}: nothing passed"
            );

            let start = run_checks(&l.step_start_file(step), &checks);
            let failed = start.iter().any(|r| r.outcome.failed());
            let unevaluated = start
                .iter()
                .any(|r| matches!(r.outcome, CheckOutcome::Unavailable(_)));
            assert!(
                failed || (!REQUIRE_ALL_CHECK_KINDS && unevaluated),
                "{who}: the starting state passes every check: {:?}",
                start
                    .iter()
                    .map(|r| (&r.label, &r.outcome))
                    .collect::<Vec<_>>()
            );
            // `valid` checks are always evaluated: they must agree with the validator.
            let start_valid = vpclab::load::load(&l.step_start_file(step)).is_ok();
            for r in start.iter().filter(|r| r.kind == "valid") {
                assert_eq!(
                    r.outcome.passed(),
                    start_valid,
                    "{who}: `valid` disagrees with validate"
                );
            }
        }
    }
    eprintln!("checks not evaluated in this build: {not_evaluated}");
}
