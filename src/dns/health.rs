//! Route 53 health checks (§7.4) as a state machine on the caller's clock (part of `dns`,
//! rank 4; the netns daemon and the virtual backend drive it): each check runs every `interval`
//! seconds, `failure_threshold` consecutive results flip its state either way, a new check
//! starts healthy. Probes are injected (`HealthProber`), so the engine's virtual backend can send
//! real probes from the emulated checkers and tests can use a fake.

use super::zones::CheckDef;
use crate::engine::Nanos;
use serde::Serialize;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Source addresses of the emulated Route 53 health checkers on the internet (inside AWS's
/// published `ROUTE53_HEALTHCHECKS` range 15.177.0.0/18). A prober should send each probe from
/// one of them, through the engine, so security groups and NACLs apply as on AWS.
pub const CHECKER_SOURCES: [Ipv4Addr; 3] = [
    Ipv4Addr::new(15, 177, 2, 10),
    Ipv4Addr::new(15, 177, 18, 10),
    Ipv4Addr::new(15, 177, 34, 10),
];

/// Read-only health for `answer`: index = `Zones::checks` index.
pub trait HealthView {
    /// True when the check reports healthy (inversion applied).
    fn healthy(&self, check: usize) -> bool;
}

/// Every check healthy (no probing: `vpclab dns` without `up`).
#[derive(Clone, Copy, Debug, Default)]
pub struct AllHealthy;

impl HealthView for AllHealthy {
    fn healthy(&self, _: usize) -> bool {
        true
    }
}

impl HealthView for [bool] {
    fn healthy(&self, check: usize) -> bool {
        self.get(check).copied().unwrap_or(true)
    }
}

impl HealthView for Vec<bool> {
    fn healthy(&self, check: usize) -> bool {
        self.as_slice().healthy(check)
    }
}

/// Health shared between the monitor (writer) and resolvers on any thread (readers).
#[derive(Debug, Default)]
pub struct HealthTable {
    states: Vec<AtomicBool>,
}

impl HealthTable {
    /// A table of `n` checks, all healthy until the monitor publishes.
    pub fn new(n: usize) -> Self {
        HealthTable {
            states: (0..n).map(|_| AtomicBool::new(true)).collect(),
        }
    }
    /// Sets a check's reported health (inversion applied); an index past the end is ignored.
    pub fn set(&self, check: usize, healthy: bool) {
        if let Some(s) = self.states.get(check) {
            s.store(healthy, Ordering::Relaxed);
        }
    }
}

impl HealthView for HealthTable {
    fn healthy(&self, check: usize) -> bool {
        self.states
            .get(check)
            .is_none_or(|s| s.load(Ordering::Relaxed))
    }
}

/// Sends one probe: HTTP (2xx/3xx, and `search` within the first 5,120 bytes of the body when
/// given) or a TCP connect, from an emulated health checker on the internet. True on success.
pub trait HealthProber {
    /// Probes `check.target:check.port` with the check's protocol, path and search string.
    fn check(&mut self, check: &CheckDef) -> bool;
}

/// One check's state.
#[derive(Clone, Debug)]
struct CheckState {
    /// Endpoint health before inversion.
    up: bool,
    /// Consecutive results disagreeing with `up`.
    streak: u32,
    /// When the next probe is due.
    next_due: Nanos,
    /// Last probe result.
    last: Option<bool>,
    /// Probes sent.
    probes: u64,
}

/// A check's status, as `vpclab status` and the control socket report it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckStatus {
    /// The check's key under `dns: health_checks:`.
    pub name: String,
    /// Address probed.
    pub target: Ipv4Addr,
    /// Reported health, inversion applied: what DNS answers use.
    pub healthy: bool,
    /// Result of the last probe (true = success, before inversion); None before the first.
    pub last_result: Option<bool>,
    /// Consecutive results that disagree with the current state.
    pub streak: u32,
    /// Probes sent since the monitor started.
    pub probes: u64,
}

/// Runs every health check on the caller's clock.
#[derive(Debug)]
pub struct HealthMonitor {
    defs: Vec<CheckDef>,
    states: Vec<CheckState>,
    table: Arc<HealthTable>,
}

const SECOND: Nanos = 1_000_000_000;

impl HealthMonitor {
    /// Checks from `Zones::checks`, all healthy, first probe due at `start`.
    pub fn new(defs: Vec<CheckDef>, start: Nanos) -> Self {
        let table = Arc::new(HealthTable::new(defs.len()));
        let states = defs
            .iter()
            .map(|_| CheckState {
                up: true,
                streak: 0,
                next_due: start,
                last: None,
                probes: 0,
            })
            .collect();
        let m = HealthMonitor {
            defs,
            states,
            table,
        };
        for i in 0..m.defs.len() {
            m.publish(i);
        }
        m
    }

    /// The shared table `answer` reads.
    pub fn table(&self) -> Arc<HealthTable> {
        self.table.clone()
    }

    /// Runs every probe due at or before `now` (catching up missed intervals); true when a
    /// check changed state.
    pub fn poll(&mut self, now: Nanos, prober: &mut dyn HealthProber) -> bool {
        let mut changed = false;
        for i in 0..self.defs.len() {
            while self.states[i].next_due <= now {
                let d = &self.defs[i];
                let ok = prober.check(d);
                let step = d.interval.max(1) as Nanos * SECOND;
                changed |= self.record(i, ok);
                self.states[i].next_due += step;
            }
        }
        changed
    }

    /// Feeds one probe result to check `i`; true when its state flipped.
    pub fn record(&mut self, i: usize, ok: bool) -> bool {
        let Some(threshold) = self.defs.get(i).map(|d| d.threshold.max(1)) else {
            return false;
        };
        let s = &mut self.states[i];
        s.last = Some(ok);
        s.probes += 1;
        if ok == s.up {
            s.streak = 0;
            return false;
        }
        s.streak += 1;
        if s.streak < threshold {
            return false;
        }
        s.up = ok;
        s.streak = 0;
        self.publish(i);
        true
    }

    fn publish(&self, i: usize) {
        self.table
            .set(i, self.states[i].up != self.defs[i].inverted);
    }

    /// Seconds for the slowest check to flip after its endpoint changes:
    /// `interval × failure_threshold` (0 without checks).
    pub fn settle_secs(&self) -> u64 {
        self.defs
            .iter()
            .map(|d| u64::from(d.interval.max(1)) * u64::from(d.threshold.max(1)))
            .max()
            .unwrap_or(0)
    }

    /// The instant the next probe is due (the earliest over all checks); None without checks.
    pub fn poll_timeout(&self) -> Option<Nanos> {
        self.states.iter().map(|s| s.next_due).min()
    }

    /// Every check's status, in `Zones::checks` order.
    pub fn status(&self) -> Vec<CheckStatus> {
        self.defs
            .iter()
            .zip(&self.states)
            .map(|(d, s)| CheckStatus {
                name: d.name.clone(),
                target: d.target,
                healthy: s.up != d.inverted,
                last_result: s.last,
                streak: s.streak,
                probes: s.probes,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::zones::CheckProtocol;

    struct Fake(bool);
    impl HealthProber for Fake {
        fn check(&mut self, _: &CheckDef) -> bool {
            self.0
        }
    }

    fn def(threshold: u32, inverted: bool) -> CheckDef {
        CheckDef {
            name: "c".into(),
            target: Ipv4Addr::new(203, 0, 113, 1),
            protocol: CheckProtocol::Http,
            port: 80,
            path: "/".into(),
            search: None,
            interval: 10,
            threshold,
            inverted,
        }
    }

    #[test]
    fn flips_after_threshold_consecutive_results() {
        let mut m = HealthMonitor::new(vec![def(3, false)], 0);
        let t = m.table();
        let mut p = Fake(false);
        m.poll(0, &mut p);
        m.poll(10 * SECOND, &mut p);
        assert!(t.healthy(0), "two failures are not enough");
        m.poll(20 * SECOND, &mut p);
        assert!(!t.healthy(0));
        assert_eq!(m.status()[0].probes, 3);
        let mut p = Fake(true);
        m.poll(30 * SECOND, &mut p);
        m.poll(40 * SECOND, &mut p);
        assert!(!t.healthy(0));
        m.poll(50 * SECOND, &mut p);
        assert!(t.healthy(0));
    }

    #[test]
    fn a_success_resets_the_streak_and_inversion_flips() {
        let mut m = HealthMonitor::new(vec![def(2, false), def(1, true)], 0);
        assert!(
            !m.table().healthy(1),
            "an inverted new check starts unhealthy"
        );
        m.record(0, false);
        m.record(0, true);
        m.record(0, false);
        assert!(m.table().healthy(0));
        m.record(0, false);
        assert!(!m.table().healthy(0));
        m.record(1, false);
        assert!(m.table().healthy(1));
    }

    #[test]
    fn catches_up_on_a_coarse_clock() {
        let mut m = HealthMonitor::new(vec![def(3, false)], 0);
        m.poll(25 * SECOND, &mut Fake(false));
        assert!(!m.table().healthy(0));
        assert_eq!(m.poll_timeout(), Some(30 * SECOND));
    }
}
