//! The walk's hooks into the compiled rules ([`crate::policy::compiled`]): each asks the
//! compiled form when the walk has one ([`super::walk_compiled`]) and the plain evaluation
//! otherwise, and hands the decision on shared.

use super::tracking::{tracked_decision, tracks};
use super::walker::{Step, Walker};
use crate::model::{EniId, NaclId};
use crate::policy::{nacl, sg, Decision, Direction, Header};
use std::sync::Arc;

impl Walker<'_> {
    /// NACL `acl`'s decision for `h` crossing it in `dir`.
    pub(super) fn nacl_decision(&self, acl: NaclId, dir: Direction, h: &Header) -> Arc<Decision> {
        match self.compiled {
            Some(c) => c.nacl(self.net, acl, dir, h),
            None => Arc::new(nacl::evaluate(self.net, acl, dir, h)),
        }
    }

    /// The security groups of `eni` on `h` crossing it in `dir` (no tracking looked at).
    pub(super) fn sg_decision(&self, eni: EniId, dir: Direction, h: &Header) -> Arc<Decision> {
        match self.compiled {
            Some(c) => c.sg(self.net, eni, dir, h),
            None => Arc::new(sg::evaluate(self.net, eni, dir, h)),
        }
    }

    /// [`tracks`]: whether `h`, admitted at `eni` in `dir`, starts a tracked flow there.
    pub(super) fn tracks_at(&self, eni: EniId, dir: Direction, h: &Header) -> bool {
        match self.compiled {
            Some(c) => c.tracks(self.net, eni, dir, h),
            None => tracks(self.net, eni, dir, h),
        }
    }

    /// [`tracked_decision`] at `eni` in `dir`.
    pub(super) fn tracked_at(&self, eni: EniId, dir: Direction) -> Arc<Decision> {
        match self.compiled {
            Some(c) => c.tracked(self.net, eni, dir),
            None => Arc::new(tracked_decision(self.net, eni, dir)),
        }
    }

    /// [`Walker::check`] for a shared decision: an acceptance in an untraced walk costs
    /// nothing; anything else is checked as a plain decision.
    pub(super) fn check_shared(&mut self, d: Arc<Decision>) -> Step<()> {
        if !self.trace && d.accepted() {
            return Ok(());
        }
        self.check(Arc::unwrap_or_clone(d))
    }
}
