//! The analyzer's use of the engine's walk (`policy::path::walk`): one leg (forward or return)
//! in collect-all mode with assumed state, turned into hops and blockers with the header each
//! blocker rejected (for the fix). No rule is evaluated here.

use crate::model::{
    InternetHost, InternetHostId, Network, Port, PortId, PortOwner, LINUX_EPHEMERAL,
};
use crate::policy::path::{self, Assumed, Delivery, Options, Origin, Outcome};
use crate::policy::{ComponentKind, Decision, Direction, Header};
use serde::Serialize;
use std::net::Ipv4Addr;

/// The name of the synthetic internet host standing for "any public address".
pub const INTERNET: &str = "internet";

/// One component the packet crossed, and what it did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// Display id (`sg-web`, `acl-data`, `rtb-public`, `igw-main`, `eni-web`).
    pub component: String,
    /// What kind of component it is (security group, NACL, route table, gateway, ENI...).
    pub kind: ComponentKind,
    /// What it did (rule matched, route taken, address rewritten).
    pub detail: String,
    /// `ACCEPT`/`REJECT` when the component made a decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<crate::policy::Verdict>,
    /// True for a hop after a blocker: what would follow if the blocker allowed the packet
    /// (written only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub after_block: bool,
}

/// Marks the hops after the first rejection as `after_block`: on the forward leg from its first
/// blocker on, and the whole return leg when the forward leg was blocked.
pub fn mark_after_block(forward: &mut [Hop], ret: &mut [Hop]) {
    fn mark(v: &mut [Hop]) -> bool {
        let Some(i) = v
            .iter()
            .position(|h| h.verdict == Some(crate::policy::Verdict::Reject))
        else {
            return false;
        };
        for h in &mut v[i + 1..] {
            h.after_block = true;
        }
        true
    }
    if mark(forward) {
        for h in ret.iter_mut() {
            h.after_block = true;
        }
    } else {
        mark(ret);
    }
}

/// One leg (forward or return) of a flow, as the walk saw it.
#[derive(Clone, Debug)]
pub struct Leg {
    /// Components crossed, in the order the packet met them.
    pub hops: Vec<Hop>,
    /// Every rejection met, with the header it rejected.
    pub blockers: Vec<(Decision, Header)>,
    /// Where the packet was delivered and as what; None when the walk stopped.
    pub arrival: Option<(Delivery, Header)>,
    /// The gateway it left the network through and the header as it left
    /// ([`path::Outcome::Exited`]).
    pub exit: Option<(String, Header)>,
    /// The load balancer the leg crossed, if any.
    pub lb: Option<path::LbCrossing>,
}

/// Walks one leg. `reply`: the packet answers a flow whose forward leg got through (every SG
/// sees a tracked connection; NAT devices map it back to `original_src`).
pub fn leg(
    net: &Network,
    origin: Origin,
    h: Header,
    reply: bool,
    original_src: Option<Ipv4Addr>,
) -> Leg {
    leg_from(net, Start::Origin(origin), h, reply, original_src)
}

/// Where a leg starts and, for a flow that entered over a peering, where its return ends.
#[derive(Clone, Copy, Debug)]
pub enum Start {
    /// From an origin, as any walk.
    Origin(Origin),
    /// Arriving over this peering (`path::walk_from_peering`).
    FromPeering(crate::model::PeeringId),
    /// From an origin, leaving the network when it crosses this peering
    /// (`path::walk_to_peering`).
    ToPeering(Origin, crate::model::PeeringId),
}

/// [`leg`] from any [`Start`].
pub fn leg_from(
    net: &Network,
    start: Start,
    h: Header,
    reply: bool,
    original_src: Option<Ipv4Addr>,
) -> Leg {
    leg_with(net, start, h, reply, original_src, None, None)
}

/// [`leg_from`] with the HTTP request an ALB's rules match (`http`), and for the return leg of
/// a flow that crossed a load balancer, that crossing (its replies go back through the node).
pub fn leg_with(
    net: &Network,
    start: Start,
    h: Header,
    reply: bool,
    original_src: Option<Ipv4Addr>,
    http: Option<&path::HttpRequest>,
    through: Option<path::LbCrossing>,
) -> Leg {
    let base = Assumed {
        replies: reply,
        original_src,
    };
    let opts = Options {
        collect_all: true,
        nat_instance_in_walk: true,
    };
    let w = match (start, through, http) {
        (Start::Origin(o), Some(crossing), _) => path::walk(
            net,
            &mut path::AssumedThrough { base, crossing },
            o,
            h,
            opts,
        ),
        (Start::Origin(o), None, Some(req)) => {
            path::walk_http(net, &mut { base }, o, h, opts, req.clone())
        }
        (start, _, _) => leg_walk(net, base, start, h, opts),
    };
    finish_leg(net, &w, h)
}

/// The walk of a leg from `start` with assumed state `st`.
fn leg_walk(net: &Network, mut st: Assumed, start: Start, h: Header, opts: Options) -> path::Walk {
    match start {
        Start::Origin(o) => path::walk(net, &mut st, o, h, opts),
        Start::FromPeering(p) => path::walk_from_peering(net, &mut st, p, h, opts),
        Start::ToPeering(o, p) => path::walk_to_peering(net, &mut st, o, h, opts, p),
    }
}

/// A finished walk as a [`Leg`] (`h`: the packet sent).
fn finish_leg(net: &Network, w: &path::Walk, h: Header) -> Leg {
    let header_of = |d: &Decision| -> Header {
        if let Some(o) = w.observations.iter().find(|o| *o.decision == *d) {
            return o.header;
        }
        // A NACL that rejected after the SG already did (collect mode): the header at an ENI of
        // that subnet in the same direction.
        if d.kind == ComponentKind::NetworkAcl {
            let dir = d.direction.unwrap_or(Direction::Inbound);
            if let Some(o) = w.observations.iter().find(|o| {
                o.direction == dir
                    && net.nacl(net.subnet(net.eni(o.eni).subnet).nacl).aws_id == d.component
            }) {
                return o.header;
            }
        }
        match &w.outcome {
            Outcome::Delivered { header, .. } => *header,
            _ => h,
        }
    };
    let blockers = w
        .blockers
        .iter()
        .map(|d| (d.clone(), header_of(d)))
        .collect();
    let hops = w
        .hops
        .iter()
        .map(|x| Hop {
            component: x.component.clone(),
            kind: x.kind,
            detail: x.detail.clone(),
            verdict: x.decision.as_ref().map(|d| d.verdict),
            after_block: false,
        })
        .collect();
    let arrival = match &w.outcome {
        Outcome::Delivered { to, header } => Some((*to, *header)),
        _ if w.delivered() => None,
        _ => None,
    };
    // In collect mode the outcome is Dropped when any blocker was met even if the packet went on
    // to its destination; the last hop then tells where it ended.
    let arrival = arrival.or_else(|| {
        let last = w.hops.last()?;
        if last.decision.is_some() {
            return None;
        }
        match last.kind {
            ComponentKind::Eni => {
                let e = net.enis.iter().find(|e| e.aws_id == last.component)?;
                let hdr = w
                    .observations
                    .iter()
                    .rev()
                    .find(|o| o.eni == e.id && o.direction == Direction::Inbound)?
                    .header;
                Some((Delivery::Eni(e.id), hdr))
            }
            ComponentKind::Internet => {
                let hdr = w
                    .observations
                    .iter()
                    .rev()
                    .find(|o| o.direction == Direction::Outbound)
                    .map(|o| {
                        let public = net.eni(o.eni).public_ip.unwrap_or(o.header.src);
                        Header {
                            src: public,
                            ..o.header
                        }
                    })?;
                let host = net.internet_host_by_ip(hdr.dst)?;
                Some((Delivery::Internet(host), hdr))
            }
            _ => None,
        }
    });
    Leg {
        hops,
        blockers,
        arrival,
        exit: w.exit.clone(),
        lb: w.lb,
    }
}

/// The network with a synthetic internet host at `ip` (named `internet`) when no host has that
/// address, so a walk can deliver to "any public address"; None when nothing needs adding.
pub fn with_internet_host(net: &Network, ip: Ipv4Addr) -> Option<Network> {
    if net.internet_host_by_ip(ip).is_some() {
        return None;
    }
    let mut n = net.clone();
    let id = InternetHostId(n.internet_hosts.len() as u32);
    let port = PortId(n.ports.len() as u32);
    n.internet_hosts.push(InternetHost {
        id,
        name: INTERNET.into(),
        ip,
        location: None,
        region: None,
        services: Vec::new(),
        run: Vec::new(),
        ephemeral: LINUX_EPHEMERAL,
        port,
    });
    n.ports.push(Port {
        id: port,
        name: INTERNET.into(),
        owner: PortOwner::Internet(id),
        mac: [0x02, 0, 0, 0xff, 0xff, 0xfe],
        ip,
        prefix_len: 32,
        gateway: None,
        resolver: Some(crate::model::PUBLIC_RESOLVER),
    });
    n.idx.host_by_ip.insert(ip, id);
    n.idx.host_by_name.entry(INTERNET.into()).or_insert(id);
    Some(n)
}
