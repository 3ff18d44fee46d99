//! The walk of one IPv6 packet ([`walk6`]), in AWS's order as the IPv4 walk does it (source
//! ENI, its subnet's NACL and route table, the target, the destination subnet and ENI), over
//! `model::ipv6`'s routes and rules. The IPv6 targets: `local`, the internet gateway (no
//! translation), the egress-only internet gateway (stateful: out and replies only), peering,
//! an instance, a blackhole, and NAT64 at a NAT gateway, where the IPv6 walk ends with the
//! IPv4 packet the gateway sends on ([`Outcome6::Nat64`]): the caller continues it with the
//! IPv4 walk from the gateway's ENI, so each family has one walk and NAT64 joins them.
//!
//! The stateful facts come through [`State6`]: the engine answers from its tables, the analyzer
//! from assumptions ([`Assumed6`]).

mod walker;

pub use walker::walk6;

use crate::model::{EniId, InternetHostId, NatId, VpcId};
use crate::policy::{Decision, Direction, Header, Header6, TrafficPath, Verdict};
use std::net::Ipv6Addr;
use std::sync::Arc;

pub use super::{Hop, Options};

/// Where an IPv6 packet enters the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin6 {
    /// Sent by the host behind this ENI (or by a NAT gateway's ENI: a NAT64 reply it
    /// translated back).
    Eni(EniId),
    /// Sent from the emulated internet at this address.
    Internet(Ipv6Addr),
}

/// Where a delivered IPv6 packet ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery6 {
    /// The host behind this ENI.
    Eni(EniId),
    /// An internet host.
    Internet(InternetHostId),
}

/// How an IPv6 walk ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome6 {
    /// Delivered, as the receiver sees it.
    Delivered {
        /// The receiver.
        to: Delivery6,
        /// The header on arrival.
        header: Header6,
    },
    /// Left the network through a gateway towards an address no modelled host owns.
    Exited {
        /// Display id of the gateway (`igw-main`, `eigw-egress`).
        gateway: String,
        /// The packet as it leaves.
        header: Header6,
    },
    /// Translated to IPv4 by a NAT gateway (NAT64): continue with the IPv4 walk from the
    /// gateway's ENI.
    Nat64 {
        /// The NAT gateway.
        nat: NatId,
        /// The IPv4 packet it sends (from its private IP to the embedded IPv4 address).
        header: Header,
    },
    /// Dropped; the decision says where and why.
    Dropped(Decision),
}

/// An IPv6 packet seen at an ENI (flow logs and packet events), as the IPv4 walk's
/// `Observation`: the SG's decision at each ENI crossed, the source ENI's egress turned into a
/// REJECT by its subnet's outbound NACL, a REJECT at the destination ENI by its subnet's
/// inbound NACL. IPv6 has no NAT on the way, so AWS's `pkt-srcaddr`/`pkt-dstaddr` are the
/// header's addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation6 {
    /// The ENI.
    pub eni: EniId,
    /// Ingress or egress at that ENI.
    pub direction: Direction,
    /// Header as on the wire at the ENI.
    pub header: Header6,
    /// Verdict at this ENI.
    pub verdict: Verdict,
    /// The deciding rule (SG rule, tracked entry, or the NACL that rejected it), shared with
    /// the packet events made of it.
    pub decision: Arc<Decision>,
    /// AWS `traffic-path` (egress only; set by the route the packet took).
    pub traffic_path: Option<TrafficPath>,
    /// True when the SG admitted a new flow the engine should track here.
    pub track: bool,
}

/// The result of an IPv6 walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk6 {
    /// Ordered hops.
    pub hops: Vec<Hop>,
    /// The outcome.
    pub outcome: Outcome6,
    /// Per-ENI observations in order.
    pub observations: Vec<Observation6>,
    /// Every blocker met (one unless `collect_all`).
    pub blockers: Vec<Decision>,
    /// Where the packet got to when the stages ran to their end, even past collected blockers
    /// (the analyzer's "what would follow"); None when a stage stopped the walk.
    pub reached: Option<Outcome6>,
}

impl Walk6 {
    /// True unless dropped.
    pub fn delivered(&self) -> bool {
        !matches!(self.outcome, Outcome6::Dropped(_))
    }
}

/// The stateful facts an IPv6 walk needs.
pub trait State6 {
    /// True when `h` crossing `eni` in `dir` belongs to a flow tracked there (SG skipped).
    fn tracked6(&self, eni: EniId, dir: Direction, h: &Header6) -> bool;
    /// True when `h`, arriving from the internet at the egress-only gateway of `vpc`, answers
    /// a flow that gateway carried out.
    fn eigw_reply(&self, vpc: VpcId, h: &Header6) -> bool;
    /// Records a packet the egress-only gateway of `vpc` carries out (its replies may come
    /// back).
    fn eigw_out(&mut self, vpc: VpcId, h: &Header6);
}

/// Assumed state for the analyzer: with `replies`, every packet is a tracked reply (SGs let
/// it through), and an egress-only gateway lets in the replies of the forward leg when that
/// leg went out through it (`eigw_out`, recorded by the forward walk).
#[derive(Clone, Debug, Default)]
pub struct Assumed6 {
    /// Treat every packet as the reply of a flow that got through.
    pub replies: bool,
    /// The VPCs whose egress-only gateway carried the forward leg out.
    pub eigw_out: Vec<VpcId>,
}

impl State6 for Assumed6 {
    fn tracked6(&self, _: EniId, _: Direction, _: &Header6) -> bool {
        self.replies
    }
    fn eigw_reply(&self, vpc: VpcId, _: &Header6) -> bool {
        self.replies && self.eigw_out.contains(&vpc)
    }
    fn eigw_out(&mut self, vpc: VpcId, _: &Header6) {
        self.eigw_out.push(vpc);
    }
}
