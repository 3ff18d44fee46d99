//! The walk's public inputs ([`Origin`], [`Options`]) and results ([`Walk`] with its [`Hop`]s,
//! [`Observation`]s and [`Outcome`]).

use crate::model::{EniId, InternetHostId, VpcId};
use crate::policy::{ComponentKind, Decision, Direction, Header, TrafficPath, Verdict};
use std::net::Ipv4Addr;
use std::sync::Arc;

/// Where a packet enters the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Sent by the host behind this ENI.
    Eni(EniId),
    /// Sent from the emulated internet (an internet host, or any public address for the analyzer).
    Internet(Ipv4Addr),
}

/// Where a delivered packet ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The host behind this ENI (an instance).
    Eni(EniId),
    /// An internet host.
    Internet(InternetHostId),
}

/// How a walk ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered; `header` is the packet as the receiver sees it.
    Delivered {
        /// The receiver.
        to: Delivery,
        /// Header after every translation on the way.
        header: Header,
    },
    /// A DNS query to the VPC resolver (`vpc` Some) or the emulated public resolver (None).
    Resolver {
        /// The VPC whose resolver was asked.
        vpc: Option<VpcId>,
    },
    /// Left the modelled network through a gateway towards an address no modelled host owns
    /// (AWS Reachability Analyzer's `EXITS_NETWORK`): nothing inside answers it.
    Exited {
        /// Display id of the gateway the packet left through (`igw-main`).
        gateway: String,
        /// The packet as it leaves (after the gateway's translation).
        header: Header,
    },
    /// Dropped; the decision says where and why (with an AWS explanation code where AWS has one).
    Dropped(Decision),
}

/// One step of the walk, for traces (`probe`, `reach`, labs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// Display id (`sg-web`, `acl-data`, `rtb-public`, `igw-main`, `eni-web`).
    pub component: String,
    /// Its kind.
    pub kind: ComponentKind,
    /// What happened there ("route 0.0.0.0/0 → igw-main").
    pub detail: String,
    /// The decision made there, if any.
    pub decision: Option<Decision>,
}

/// A packet seen at an ENI (for flow logs and PacketEvents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// The ENI.
    pub eni: EniId,
    /// Ingress or egress at that ENI.
    pub direction: Direction,
    /// Header as on the wire at the ENI.
    pub header: Header,
    /// AWS `pkt-srcaddr`.
    pub pkt_src: Ipv4Addr,
    /// AWS `pkt-dstaddr`.
    pub pkt_dst: Ipv4Addr,
    /// Verdict at this ENI.
    pub verdict: Verdict,
    /// Deciding rule (SG rule, tracked entry, or the NACL that rejected it), shared: a
    /// compiled rule's decision is one value for every packet it decides.
    pub decision: Arc<Decision>,
    /// AWS traffic-path (egress only).
    pub traffic_path: Option<TrafficPath>,
    /// True when this ENI's SG admitted a new flow that the engine should track here.
    pub track: bool,
}

/// The result of a walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    /// Ordered hops.
    pub hops: Vec<Hop>,
    /// The outcome.
    pub outcome: Outcome,
    /// Per-ENI observations in order.
    pub observations: Vec<Observation>,
    /// Every blocker met (one unless [`Options::collect_all`]).
    pub blockers: Vec<Decision>,
    /// The gateway and header of a packet that left the modelled network
    /// ([`Outcome::Exited`]), kept even when a collected blocker makes `outcome` Dropped.
    pub exit: Option<(String, Header)>,
    /// The load balancer the packet crossed (the engine keeps it to translate the replies).
    pub lb: Option<super::LbCrossing>,
}

impl Walk {
    /// True when delivered (or answered by a resolver, or sent out of the network).
    pub fn delivered(&self) -> bool {
        !matches!(self.outcome, Outcome::Dropped(_))
    }
    /// The first blocker, if any.
    pub fn blocked(&self) -> Option<&Decision> {
        self.blockers.first()
    }
}

/// Walk options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Continue past SG/NACL/check blocks and collect every blocker (the analyzer's blocked path).
    pub collect_all: bool,
    /// NAT instances masquerade inside the walk (virtual backend). When false, a packet routed to
    /// a NAT instance is delivered to it (its kernel forwards it).
    pub nat_instance_in_walk: bool,
}

impl Default for Options {
    /// Stop at the first blocker; NAT instances masquerade inside the walk.
    fn default() -> Self {
        Options {
            collect_all: false,
            nat_instance_in_walk: true,
        }
    }
}
