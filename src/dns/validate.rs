//! Validation of `dns:`.
use crate::topology::{Report, Topology};

pub(super) fn check(t: &Topology, r: &mut Report) {
    let _ = (t, r);
}
