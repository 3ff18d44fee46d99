//! A route to a VPC peering connection: it delivers only between addresses of the two VPCs it
//! connects (no transit, no edge-to-edge routing).

use super::builtin::reject;
use super::routing::Routed;
use super::walker::{Step, Walker};
use super::Outcome;
use crate::model::PeeringId;
use crate::policy::{ComponentKind, ExplanationCode, TrafficPath};

impl Walker<'_> {
    /// The route `at` follows sends the packet over peering `p` into the other VPC.
    pub(super) fn route_peering(&mut self, at: Routed, p: PeeringId) -> Step<Outcome> {
        let net = self.net;
        let s = net.subnet(at.sub);
        let vpc = net.vpc(s.vpc);
        let pcx = net.peering(p);
        let h = at.h;
        self.take_route(&at, TrafficPath::IntraRegionPeering, &pcx.aws_id);
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
        self.arrive_in_vpc(other, h, None)
    }
}
