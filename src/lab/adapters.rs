//! The one place where lab checks meet the analyzer, the packet engine, DNS and flow logs.
//! Everything else in `lab` is independent of those modules. On this branch only `valid` is
//! real (in `checks`); these functions answer `Err(reason)`, which the runner reports as
//! "not evaluated" (`CheckOutcome::Unavailable`). Wire them to `reach`, `engine`/`probe`, `dns`
//! and `flowlog` after merging.

use crate::model::Network;
use crate::policy::Decision;
use std::sync::Arc;

/// A path question's answer (analyzer or probe).
#[derive(Clone, Debug)]
pub struct PathAnswer {
    /// Reachable (analyzer) / a reply came back (probe).
    pub ok: bool,
    /// The first component that blocks the path, when not ok.
    pub blocked: Option<Decision>,
    /// One line describing the path or the failure.
    pub summary: String,
}

/// A DNS answer.
#[derive(Clone, Debug)]
pub struct DnsAnswer {
    /// `NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`.
    pub rcode: String,
    /// The answer section's values (addresses, names), in any order.
    pub values: Vec<String>,
}

/// The Reachability Analyzer: can `from` reach `to` with this protocol and port?
/// `from`/`to` are instance or internet host names (already checked to exist).
pub fn check_reach(
    _net: &Arc<Network>,
    _from: &str,
    _to: &str,
    _proto: &str,
    _port: Option<u16>,
) -> Result<PathAnswer, String> {
    Err("the reachability analyzer is not in this build".into())
}

/// Real packets on a fresh virtual-backend engine: does `to` answer `from`?
pub fn check_probe(
    _net: &Arc<Network>,
    _from: &str,
    _to: &str,
    _proto: &str,
    _port: Option<u16>,
) -> Result<PathAnswer, String> {
    Err("the packet engine (probe) is not in this build".into())
}

/// The emulated resolver's answer to `name`/`qtype` asked from `from`'s vantage point.
pub fn check_dns(
    _net: &Arc<Network>,
    _from: &str,
    _name: &str,
    _qtype: &str,
) -> Result<DnsAnswer, String> {
    Err("Route 53 DNS is not in this build".into())
}

/// Sends the probe `probe_first` (from, to, protocol, port) with the topology's flow logs
/// on, then says whether a record (or pcap packet) with `action` (`ACCEPT`/`REJECT`) was
/// written for `eni_or_resource` (`eni-web`, `instance:web`, `subnet:main/data-a`, `vpc:main`).
pub fn check_flowlog(
    _net: &Arc<Network>,
    _probe_first: (&str, &str, &str, Option<u16>),
    _eni_or_resource: &str,
    _action: &str,
) -> Result<bool, String> {
    Err("flow logs are not in this build".into())
}
