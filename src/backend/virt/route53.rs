//! A virtual lab with Route 53 on: the engine answers the VPC resolver (base+2 and
//! 169.254.169.253) and the public resolver from the topology's `dns:` zones, and the health
//! checks run as real probes from hidden checker hosts on the virtual clock (`interval` and
//! `failure_threshold` honoured), so failover follows what the network lets through.

use super::prober::LabProber;
use super::Lab;
use crate::dns::health::{CheckStatus, HealthMonitor, HealthTable, CHECKER_SOURCES};
use crate::dns::service::Route53;
use crate::dns::Zones;
use crate::engine::Nanos;
use crate::model::{Network, PortId};
use std::sync::Arc;
use std::time::Duration;

/// A [`Lab`] with DNS answered by Route 53 and health checks probed through the engine.
pub struct Route53Lab {
    lab: Lab,
    monitor: HealthMonitor,
    checkers: Vec<PortId>,
    next: usize,
}

impl Route53Lab {
    /// A lab for `net` with DNS on; `seed` drives weighted and multivalue choices. The checker
    /// hosts are added to a private copy of the model and never appear in names or lists.
    pub fn new(net: Arc<Network>, seed: u64) -> Route53Lab {
        let mut n = (*net).clone();
        let mut checkers = Vec::new();
        for (i, ip) in CHECKER_SOURCES.iter().enumerate() {
            if let Some((m, port)) =
                n.with_hidden_internet_host(&format!("route53-checker-{i}"), *ip, Vec::new())
            {
                n = m;
                checkers.push(port);
            }
        }
        let net = Arc::new(n);
        let zones = Arc::new(Zones::build(net.clone()));
        let mut lab = Lab::new(net);
        let monitor = HealthMonitor::new(zones.checks.clone(), lab.now());
        lab.engine_mut()
            .set_dns(Box::new(Route53::new(zones, monitor.table(), seed)));
        let mut l = Route53Lab {
            lab,
            monitor,
            checkers,
            next: 0,
        };
        l.poll_health();
        l
    }

    /// The lab (probes, services, `udp_send` to the resolver...).
    pub fn lab(&mut self) -> &mut Lab {
        &mut self.lab
    }

    /// Runs the health checks due at the lab's current time; true when one changed state.
    pub fn poll_health(&mut self) -> bool {
        let now = self.lab.now();
        let mut p = LabProber {
            lab: &mut self.lab,
            checkers: &self.checkers,
            next: &mut self.next,
        };
        self.monitor.poll(now, &mut p)
    }

    /// Advances the virtual clock by `d`, running each health check when it is due.
    pub fn advance(&mut self, d: Duration) {
        let end: Nanos = self.lab.now() + d.as_nanos() as Nanos;
        while let Some(due) = self.monitor.poll_timeout().filter(|t| *t <= end) {
            let now = self.lab.now();
            if due > now {
                self.lab.advance(Duration::from_nanos(due - now));
            }
            self.poll_health();
        }
        let now = self.lab.now();
        if end > now {
            self.lab.advance(Duration::from_nanos(end - now));
        }
    }

    /// The health table the resolver reads (index = `Zones::checks` index).
    pub fn health_table(&self) -> Arc<HealthTable> {
        self.monitor.table()
    }

    /// Every health check's status, in `Zones::checks` order.
    pub fn health(&self) -> Vec<CheckStatus> {
        self.monitor.status()
    }

    /// The longest time for every check to settle: `interval × failure_threshold` of the
    /// slowest check (zero without checks).
    pub fn settle_time(&self) -> Duration {
        Duration::from_secs(self.monitor.settle_secs())
    }
}
