//! Route 53 health checks as real probes through the engine on the virtual backend: each probe
//! leaves a hidden internet host at one of
//! [`CHECKER_SOURCES`](crate::dns::health::CHECKER_SOURCES),
//! so security groups, NACLs and routes decide as on AWS (an SG that does not allow the
//! checkers makes the target unhealthy).
//!
//! TCP checks succeed when the connection is established (the virtual network has no latency,
//! so an answer comes within AWS's 10 s or never); HTTP checks send `GET path` and need a
//! 2xx/3xx status line and, with `search`, the string within the first 5,120 bytes of the body
//! (`dns::http_check`, shared with the netns backend).

use super::Lab;
use crate::dns::health::HealthProber;
use crate::dns::http_check::{http_ok, request};
use crate::dns::zones::{CheckDef, CheckProtocol};
use crate::model::PortId;

/// A [`HealthProber`] sending from the checker hosts of a virtual [`Lab`], in turn.
pub struct LabProber<'a> {
    /// The virtual lab the probes are sent through.
    pub lab: &'a mut Lab,
    /// The ports of the hidden checker hosts, used in turn; empty: every probe fails.
    pub checkers: &'a [PortId],
    /// Rotation counter (kept by the caller between polls).
    pub next: &'a mut usize,
}

impl HealthProber for LabProber<'_> {
    fn check(&mut self, c: &CheckDef) -> bool {
        if self.checkers.is_empty() {
            return false;
        }
        let from = self.checkers[*self.next % self.checkers.len()];
        *self.next = self.next.wrapping_add(1);
        let (mut flow, ex) = self.lab.tcp_connect_port(from, c.target, c.port);
        if !ex.replied || ex.reset {
            return false;
        }
        let ok = match c.protocol {
            CheckProtocol::Tcp => true,
            CheckProtocol::Http => {
                let ex = self
                    .lab
                    .tcp_send(&mut flow, request(c.target, &c.path).as_bytes());
                http_ok(&ex.data, c.search.as_deref())
            }
        };
        self.lab.tcp_close(&flow);
        ok
    }
}
