//! Small helpers of the virtual backend's probe: matching a received packet to the probe's
//! flow and the error for an unknown name. (An ALB node's layer 7 is `virt::alb`.)

use super::host::Received;
use super::ProbeError;
use crate::model::Network;
use crate::policy::Header;

/// True when `r` answers the probe flow `h` (or is an ICMP error about it).
pub(super) fn matches_flow(r: &Received, h: &Header) -> bool {
    r.header.proto == h.proto
        && r.header.src == h.dst
        && r.header.sport == h.dport
        && r.header.dport == h.sport
        || r.inner
            .is_some_and(|i| i.sport == h.sport && i.proto == h.proto)
}

/// The error for a name no instance or internet host has, with the names known.
pub(super) fn unknown(net: &Network, name: &str) -> ProbeError {
    let mut names: Vec<&str> = net.instances.iter().map(|i| i.name.as_str()).collect();
    // Hidden hosts (health checkers) have no name index entry.
    names.extend(
        net.internet_hosts
            .iter()
            .filter(|h| net.internet_host_by_name(&h.name) == Some(h.id))
            .map(|h| h.name.as_str()),
    );
    ProbeError(format!(
        "unknown instance or internet host `{name}`; known: {}",
        names.join(", ")
    ))
}
