//! The load balancers' flow table: for each flow a node forwarded (a walk's `LbCrossing`),
//! the reply the target will send and how the node sends it back to the client. The walk
//! asks it through `WalkState::lb_reply`; entries idle out after AWS's 350 s TCP idle timeout
//! (NLB; UDP 120 s), and the table keeps at most [`MAX_FLOWS`] (oldest evicted first).

use super::Nanos;
use crate::model::fxhash::FxHashMap;
use crate::model::{proto, EniId};
use crate::policy::path::LbCrossing;
use crate::policy::Header;

/// Flows the table keeps at most (vpclab's bound; AWS documents none per node).
pub const MAX_FLOWS: usize = 262_144;
/// Idle timeout of a TCP flow through a load balancer (AWS's NLB: 350 s).
const TCP_IDLE: Nanos = 350_000_000_000;
/// Idle timeout of a UDP flow through a load balancer (AWS's NLB: 120 s).
const UDP_IDLE: Nanos = 120_000_000_000;

/// Live flows through load balancers, keyed by the reply's ENI and header.
#[derive(Clone, Debug, Default)]
pub struct LbFlows {
    map: FxHashMap<(EniId, Header), (LbCrossing, Nanos)>,
    /// ALB nodes terminate HTTP in a proxy behind their port (`WalkState::alb_terminates`).
    pub(super) alb_proxies: bool,
}

impl super::Engine {
    /// Says whether a proxy behind each ALB node's port terminates HTTP (the netns backend
    /// runs `backend::alb` there): listener traffic is then delivered to the node, and the
    /// node's own connections to targets are walked as an instance's are. Off by default.
    pub fn set_alb_proxies(&mut self, on: bool) {
        self.lb.alb_proxies = on;
    }
}

impl LbFlows {
    /// Remembers (or refreshes) crossing `c` at time `now`.
    pub fn insert(&mut self, c: LbCrossing, now: Nanos) {
        let at = if c.back.src == c.front.src {
            c.target_eni
        } else {
            Some(c.node)
        };
        let Some(at) = at else { return };
        if self.map.len() >= MAX_FLOWS {
            if let Some(k) = self
                .map
                .iter()
                .min_by_key(|(_, (_, t))| *t)
                .map(|(k, _)| *k)
            {
                self.map.remove(&k);
            }
        }
        self.map.insert((at, c.back.reversed()), (c, now));
    }

    /// The node and reply for reply `h` seen at `at`, when a live flow matches (refreshed).
    pub fn reply(&mut self, at: EniId, h: &Header, now: Nanos) -> Option<(EniId, Header)> {
        let (c, seen) = self.map.get_mut(&(at, *h))?;
        let idle = if h.proto == proto::UDP {
            UDP_IDLE
        } else {
            TCP_IDLE
        };
        if now.saturating_sub(*seen) > idle {
            self.map.remove(&(at, *h));
            return None;
        }
        *seen = now;
        c.reply(at, h)
    }

    /// Forgets every flow (a new network).
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Flows kept.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no flow is kept.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}
