//! Small helpers of the virtual backend's probe: matching a received packet to the probe's
//! flow, the error for an unknown name, and the note a probe through an ALB carries (the
//! virtual backend forwards an ALB at layer 4; docs/load-balancers.md).

use super::host::Received;
use super::ProbeError;
use crate::model::load_balancer::LbType;
use crate::model::Network;
use crate::policy::path::{Hop, Walk};
use crate::policy::{ComponentKind, Header};

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

/// The hop a probe's trace gets when its walk crossed an application load balancer: on the
/// virtual backend no proxy terminates HTTP, so the node forwards the client's connection to
/// the target the walk picks (rules on `/` and the DNS name, flow hash, no `X-Forwarded-For`).
pub(super) fn alb_note(net: &Network, walk: &Walk) -> Option<Hop> {
    let l = net.load_balancer(walk.lb?.lb);
    (l.lb_type == LbType::Application).then(|| Hop {
        component: l.name.clone(),
        kind: ComponentKind::LoadBalancer,
        detail: "virtual backend: the ALB node forwards the connection to the target at layer 4 (rules match `/` on its DNS name, no X-Forwarded-For); `vpclab up` on netns terminates HTTP at the node".into(),
        decision: None,
    })
}
