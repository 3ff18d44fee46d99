//! Validation of `dns:` as written (zones, records, routing policies, health checks), each
//! finding at `file:line:col` with a hint.

mod health_checks;
mod policies;
mod records;
mod zones;

use crate::topology::{Report, Topology};

/// Checks the `dns:` section of `t`, adding errors and warnings to `r`.
pub(super) fn check(t: &Topology, r: &mut Report) {
    let Some(dns) = &t.dns else { return };
    health_checks::check(t, dns, r);
    zones::check(t, dns, r);
}
