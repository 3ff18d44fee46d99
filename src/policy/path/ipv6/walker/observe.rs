//! The IPv6 walk's observations (the packet at each ENI, for packet events and flow logs):
//! recording one, its traffic-path, and a NACL's rejection of the source ENI's egress.

use super::Walker6;
use crate::model::EniId;
use crate::policy::path::ipv6::Observation6;
use crate::policy::{Decision, Direction, Header6, TrafficPath, Verdict};
use std::sync::Arc;

impl Walker6<'_> {
    /// Records the packet at `eni`; returns the observation's index.
    pub(super) fn observe(
        &mut self,
        eni: EniId,
        dir: Direction,
        h: &Header6,
        d: Decision,
        track: bool,
    ) -> usize {
        self.obs.push(Observation6 {
            eni,
            direction: dir,
            header: *h,
            verdict: d.verdict,
            decision: Arc::new(d),
            traffic_path: None,
            track,
        });
        self.obs.len() - 1
    }

    /// Sets the traffic-path of the source ENI's egress observation, if there is one.
    pub(super) fn set_path(&mut self, obs: Option<usize>, p: TrafficPath) {
        if let Some(o) = obs.and_then(|i| self.obs.get_mut(i)) {
            o.traffic_path = Some(p);
        }
    }

    /// Marks the source ENI's egress observation as rejected by `d` (its subnet's NACL out).
    pub(super) fn reject_obs(&mut self, obs: Option<usize>, d: &Decision) {
        if let Some(o) = obs.and_then(|i| self.obs.get_mut(i)) {
            if o.verdict == Verdict::Accept {
                o.verdict = Verdict::Reject;
                o.decision = Arc::new(d.clone());
                o.track = false;
            }
        }
    }
}
