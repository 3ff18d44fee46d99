//! Validation of a topology (part of `topology`, rank 0; `load::load` runs it before
//! `model::build`): every rule of `docs/topology.md` as an error with a hint at
//! `file:line:col`.
//!
//! `validate` checks the file as written (syntax, sizes, overlaps, references, rule shapes) and
//! collects every error rather than stopping at the first. Warnings that need the resolved
//! network are `load::lint`.

mod addresses;
mod checks;
mod dns;
mod endpoints;
mod flow_logs;
mod hybrid;
mod ids;
mod interfaces;
mod ipv6;
mod load_balancers;
mod prefix_lists;
mod quotas;
mod rules;
mod target_hint;
mod transit;
mod vpc;

use super::{Loc, Report, Sp, Topology};

pub use checks::{is_internet_address, non_internet_range};

/// Checks a topology as written. Collects every error (and hint) at its position.
pub fn validate(t: &Topology, file: &str) -> Report {
    let mut v = Validator {
        t,
        r: Report::new(file),
    };
    v.top();
    v.prefix_lists();
    for (name, vpc) in t.vpcs.iter() {
        v.vpc(name, vpc);
    }
    v.peerings();
    v.endpoints();
    v.quotas();
    v.transit_gateways();
    v.hybrid();
    v.internet();
    v.global_names();
    v.ids();
    v.addresses();
    v.ipv6();
    dns::check(t, &mut v.r);
    flow_logs::validate(t, &mut v.r);
    load_balancers::check(t, &mut v.r);
    v.r.sort();
    v.r
}

/// The walker over a topology, accumulating diagnostics.
struct Validator<'a> {
    t: &'a Topology,
    r: Report,
}

impl Validator<'_> {
    fn err(&mut self, loc: Loc, msg: impl Into<String>, hint: impl Into<String>) {
        self.r.error(loc, msg, hint);
    }

    /// Checks a user-chosen name against `[a-z0-9-]+`; an error names the `kind` of object.
    fn name(&mut self, kind: &str, n: &Sp<String>) {
        if !super::parse::is_valid_name(&n.value) {
            self.err(
                n.loc,
                format!(
                    "{kind} name `{}` may only contain a-z, 0-9 and `-`",
                    n.value
                ),
                format!("rename it, e.g. `{}`", suggest_name(&n.value)),
            );
        }
    }
}

/// A name made valid: lower case, other characters replaced by `-`.
fn suggest_name(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.is_empty() {
        "main".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests;
