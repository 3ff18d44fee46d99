//! A route to a VPC peering connection: it delivers only between addresses of the two VPCs it
//! connects (no transit, no edge-to-edge routing).

use super::builtin::reject;
use super::routing::Routed;
use super::walker::{Step, Walker};
use super::{Options, Origin, Outcome, Walk, WalkState};
use crate::model::{Network, PeeringId};
use crate::policy::{ComponentKind, ExplanationCode, Header, TrafficPath};

/// Walks `h` arriving over peering `p` (`reach --from pcx-…`): into the VPC of `p` that holds
/// `h.dst`, as if the other VPC's route table had sent it there (`h.src` must be in that other
/// VPC); from there on as any packet crossing the peering (NACL inbound, SG inbound).
pub fn walk_from_peering(
    net: &Network,
    state: &mut dyn WalkState,
    p: PeeringId,
    h: Header,
    opts: Options,
) -> Walk {
    let mut w = Walker::new(net, state, opts, h);
    let outcome = w.enter_over_peering(p, h).unwrap_or_else(Outcome::Dropped);
    w.finish(outcome)
}

/// Walks `h` from `origin` as [`super::walk`] does, ending it when it crosses peering `p`
/// ([`Outcome::Exited`] through the peering): the return leg of a flow that entered over `p`.
pub fn walk_to_peering(
    net: &Network,
    state: &mut dyn WalkState,
    origin: Origin,
    h: Header,
    opts: Options,
    p: PeeringId,
) -> Walk {
    let mut w = Walker::new(net, state, opts, h);
    w.exit_at = Some(p);
    let outcome = w.start(origin, h).unwrap_or_else(Outcome::Dropped);
    w.finish(outcome)
}

impl Walker<'_> {
    /// The route `at` follows sends the packet over peering `p` into the other VPC.
    pub(super) fn route_peering(&mut self, at: Routed, p: PeeringId) -> Step<Outcome> {
        let net = self.net;
        let s = net.subnet(at.sub);
        let vpc = net.vpc(s.vpc);
        let pcx = net.peering(p);
        let h = at.h;
        // AWS's traffic-path: 5 when the peer VPC is in another Region, 4 otherwise.
        let path = match pcx.other(s.vpc) {
            Some(o) if net.vpc(o).region != vpc.region => TrafficPath::InterRegionPeering,
            _ => TrafficPath::IntraRegionPeering,
        };
        self.take_route(&at, path, &pcx.aws_id);
        let Some(other) = pcx.other(s.vpc) else {
            let why = format!("{} does not connect {}", pcx.aws_id, vpc.aws_id);
            return Err(self.blackhole(&at, why));
        };
        let ov = net.vpc(other);
        if !ov.contains(h.dst) {
            return Err(self.stop(reject(pcx.aws_id.clone(), ComponentKind::Peering, ExplanationCode::PcxRequiresAddressInVpcCidr, format!("{} is not in {}'s CIDRs: a peering delivers only to addresses of the peer VPC (no transit, no edge-to-edge)", h.dst, ov.aws_id))));
        }
        if !vpc.contains(h.src) {
            return Err(self.stop(reject(
                pcx.aws_id.clone(),
                ComponentKind::Peering,
                ExplanationCode::PcxRequiresAddressInVpcCidr,
                format!(
                    "source {} is not in {}'s CIDRs: peering is not transitive",
                    h.src, vpc.aws_id
                ),
            )));
        }
        self.hop(
            &pcx.aws_id,
            ComponentKind::Peering,
            format!("{} → {}", vpc.aws_id, ov.aws_id),
            None,
        );
        if self.exit_at == Some(p) {
            return Ok(Outcome::Exited {
                gateway: pcx.aws_id.clone(),
                header: h,
            });
        }
        self.arrive_in_vpc(other, h, None)
    }

    /// `h` arrives over `p` in the peer VPC holding `h.dst`, sent from the other one.
    fn enter_over_peering(&mut self, p: PeeringId, h: Header) -> Step<Outcome> {
        let net = self.net;
        let pcx = net.peering(p);
        let Some(to) = [pcx.accepter, pcx.requester]
            .into_iter()
            .find(|v| net.vpc(*v).contains(h.dst))
        else {
            return Err(self.stop(reject(pcx.aws_id.clone(), ComponentKind::Peering, ExplanationCode::PcxRequiresAddressInVpcCidr, format!("{} is in neither VPC of {}: a peering delivers only to addresses of the peer VPC", h.dst, pcx.aws_id))));
        };
        let from = pcx.other(to).unwrap_or(to);
        let (fv, tv) = (net.vpc(from), net.vpc(to));
        if !fv.contains(h.src) {
            return Err(self.stop(reject(
                pcx.aws_id.clone(),
                ComponentKind::Peering,
                ExplanationCode::PcxRequiresAddressInVpcCidr,
                format!(
                    "source {} is not in {}'s CIDRs: peering is not transitive",
                    h.src, fv.aws_id
                ),
            )));
        }
        self.hop(
            &pcx.aws_id,
            ComponentKind::Peering,
            format!("{} → {}", fv.aws_id, tv.aws_id),
            None,
        );
        self.arrive_in_vpc(to, h, None)
    }
}
