//! A route to a transit gateway, and the gateway itself: the VPC attachment's subnet in the
//! packet's AZ (none: `TGW_ROUTE_AZ_RESTRICTION`) and its inbound NACL, the association's route
//! table (longest prefix, then static over propagated), blackholes, and the attachment the
//! route sends to: a VPC (an AZ's attachment subnet, by flow hash in appliance mode, whose
//! outbound NACL and route table take the packet on), a VPN connection, a Direct Connect
//! gateway, or a peering to another transit gateway.

use super::builtin::reject;
use super::routing::Routed;
use super::walker::{Step, Walker};
use super::Outcome;
use crate::model::transit::{AttachmentIdx, AttachmentKind, TgwIdx, VifTermination};
use crate::model::SubnetId;
use crate::policy::{
    ComponentKind, Decision, Direction, ExplanationCode, Header, RuleId, TrafficPath, Verdict,
};

impl Walker<'_> {
    /// The route `at` follows sends the packet to transit gateway `g` through the VPC's
    /// attachment ENI in the packet's AZ.
    pub(super) fn route_tgw(&mut self, at: Routed, g: TgwIdx) -> Step<Outcome> {
        let net = self.net;
        let hy = &net.hybrid;
        let tgw = &hy.tgws[g];
        let s = net.subnet(at.sub);
        self.take_route(&at, TrafficPath::SameVpc, &tgw.aws_id);
        let Some(att) = hy.vpc_attachment(g, s.vpc) else {
            let why = format!(
                "{} has no attachment to {}",
                net.vpc(s.vpc).aws_id,
                tgw.aws_id
            );
            return Err(self.blackhole(&at, why));
        };
        let a = &hy.attachments[att];
        let AttachmentKind::Vpc { subnets, .. } = &a.kind else {
            return Err(self.blackhole(&at, format!("{} is not a VPC attachment", a.aws_id)));
        };
        let Some(&ingress) = subnets.iter().find(|x| net.subnet(**x).az == s.az) else {
            return Err(self.stop(reject(
                a.aws_id.clone(),
                ComponentKind::TransitGatewayAttachment,
                ExplanationCode::TgwRouteAzRestriction,
                format!(
                    "{} has no subnet in {}: traffic from {} does not reach {}",
                    a.aws_id, s.az, s.aws_id, tgw.aws_id
                ),
            )));
        };
        if ingress != at.sub {
            let d = self.nacl_decision(net.subnet(ingress).nacl, Direction::Inbound, &at.h);
            self.check_shared(d)?;
        }
        self.hop(
            &a.aws_id,
            ComponentKind::TransitGatewayAttachment,
            format!(
                "enters {} through {} in {} ({})",
                tgw.aws_id,
                a.aws_id,
                net.subnet(ingress).aws_id,
                s.az
            ),
            None,
        );
        self.tgw_forward(g, att, Some(ingress), at.h)
    }

    /// At transit gateway `g`, a packet that came in through attachment `from` (from subnet
    /// `from_sub` when it came from a VPC): the association's table decides where it goes.
    pub(super) fn tgw_forward(
        &mut self,
        g: TgwIdx,
        from: AttachmentIdx,
        from_sub: Option<SubnetId>,
        h: Header,
    ) -> Step<Outcome> {
        self.spend()?;
        let hy = &self.net.hybrid;
        let a = &hy.attachments[from];
        let Some(rt) = a.association_on(g) else {
            return Err(self.stop(reject(
                a.aws_id.clone(),
                ComponentKind::TransitGatewayAttachment,
                ExplanationCode::TgwAttachMissingTgwRtbAssociation,
                format!(
                    "{} is associated with no route table of {}",
                    a.aws_id, hy.tgws[g].aws_id
                ),
            )));
        };
        let table = &hy.tgw_route_tables[rt];
        let Some(route) = table.lookup(h.dst) else {
            return Err(self.stop(Decision {
                verdict: Verdict::Reject,
                component: table.aws_id.clone(),
                kind: ComponentKind::TransitGatewayRouteTable,
                direction: None,
                rule: RuleId::NoMatch,
                code: Some(ExplanationCode::TgwRtbCannotRoute),
                detail: format!("{} has no route to {}", table.aws_id, h.dst),
            }));
        };
        let Some(out) = route.attachment else {
            return Err(self.stop(Decision {
                verdict: Verdict::Reject,
                component: table.aws_id.clone(),
                kind: ComponentKind::TransitGatewayRouteTable,
                direction: None,
                rule: RuleId::Route(route.destination),
                code: Some(ExplanationCode::TgwRtbBadStateRoute),
                detail: format!("route {} is a blackhole", route.destination),
            }));
        };
        let origin = match route.origin {
            crate::model::transit::TgwRouteOrigin::Static => "static",
            crate::model::transit::TgwRouteOrigin::Vpc => "propagated from a VPC",
            crate::model::transit::TgwRouteOrigin::DirectConnect => {
                "propagated from Direct Connect"
            }
            crate::model::transit::TgwRouteOrigin::Vpn => "propagated from a VPN",
        };
        self.hop(
            &table.aws_id,
            ComponentKind::TransitGatewayRouteTable,
            format!(
                "route {} ({origin}) → {}",
                route.destination, hy.attachments[out].aws_id
            ),
            None,
        );
        self.tgw_egress(g, out, from_sub, h)
    }

    /// Transit gateway `g` sends the packet out through attachment `out`.
    fn tgw_egress(
        &mut self,
        g: TgwIdx,
        out: AttachmentIdx,
        from_sub: Option<SubnetId>,
        h: Header,
    ) -> Step<Outcome> {
        let net = self.net;
        let hy = &net.hybrid;
        let a = &hy.attachments[out];
        match &a.kind {
            AttachmentKind::Vpc {
                subnets,
                appliance_mode,
                ..
            } => {
                let az = from_sub.map(|s| net.subnet(s).az.as_str());
                let pick = if *appliance_mode && !subnets.is_empty() {
                    subnets.get(flow_hash(&h) % subnets.len())
                } else {
                    subnets
                        .iter()
                        .find(|x| Some(net.subnet(**x).az.as_str()) == az)
                        .or(subnets.first())
                };
                let Some(&egress) = pick else {
                    return Err(self.stop(reject(
                        a.aws_id.clone(),
                        ComponentKind::TransitGatewayAttachment,
                        ExplanationCode::TgwRouteAzRestriction,
                        format!("{} has no subnet", a.aws_id),
                    )));
                };
                let es = net.subnet(egress);
                let how = if *appliance_mode {
                    "appliance mode: the flow's hash picks"
                } else {
                    "kept in the sender's AZ where possible:"
                };
                self.hop(
                    &a.aws_id,
                    ComponentKind::TransitGatewayAttachment,
                    format!(
                        "leaves {} through {} ({how} {} in {})",
                        hy.tgws[g].aws_id, a.aws_id, es.aws_id, es.az
                    ),
                    None,
                );
                self.leave_subnet(egress, h, None)
            }
            AttachmentKind::Vpn(v) => {
                let c = &hy.vpns[*v];
                if !c.up {
                    return Err(self.stop(reject(
                        c.aws_id.clone(),
                        ComponentKind::VpnConnection,
                        ExplanationCode::TgwBadStateVpn,
                        format!("{} (on {}) is down", c.aws_id, a.aws_id),
                    )));
                }
                self.hop(
                    &c.aws_id,
                    ComponentKind::VpnConnection,
                    format!("{} → {} over {}", a.aws_id, c.customer_gateway, c.aws_id),
                    None,
                );
                self.deliver_on_premises(c.on_premises, &c.aws_id, h)
            }
            AttachmentKind::DxGateway { dxgw, .. } => {
                let dx = &hy.dx_gateways[*dxgw];
                let here = |up: bool| {
                    hy.vifs.iter().find(|v| {
                        v.transit
                            && v.up == up
                            && v.termination == VifTermination::DxGateway(*dxgw)
                            && hy.on_premises[v.on_premises]
                                .cidrs
                                .iter()
                                .chain(&v.prefixes)
                                .any(|c| c.contains(&h.dst))
                    })
                };
                let Some(vif) = here(true) else {
                    let code = if here(false).is_some() {
                        ExplanationCode::DxVirtualInterfaceDown
                    } else {
                        ExplanationCode::NoRouteToDestination
                    };
                    return Err(self.stop(reject(
                        dx.aws_id.clone(),
                        ComponentKind::DirectConnectGateway,
                        code,
                        format!(
                            "no up transit virtual interface of {} reaches {}",
                            dx.aws_id, h.dst
                        ),
                    )));
                };
                self.hop(
                    &dx.aws_id,
                    ComponentKind::DirectConnectGateway,
                    format!("{} → {} → {}", a.aws_id, dx.aws_id, vif.aws_id),
                    None,
                );
                self.deliver_on_premises(vif.on_premises, &vif.aws_id, h)
            }
            AttachmentKind::Peering { peer, .. } => {
                let other = if a.tgw == g { *peer } else { a.tgw };
                self.hop(
                    &a.aws_id,
                    ComponentKind::TransitGatewayAttachment,
                    format!(
                        "{} → {} over peering {}",
                        hy.tgws[g].aws_id, hy.tgws[other].aws_id, a.aws_id
                    ),
                    None,
                );
                self.tgw_forward(other, out, None, h)
            }
        }
    }
}

/// A hash of the flow that is the same both ways (the two ends sorted): appliance mode's pick
/// of one attachment subnet for the flow and its reply.
fn flow_hash(h: &Header) -> usize {
    // ICMP carries its type in the ports' place, which differs between a request and its reply.
    let (sp, dp) = if h.has_ports() {
        (h.sport, h.dport)
    } else {
        (0, 0)
    };
    let a = (u32::from(h.src), sp);
    let b = (u32::from(h.dst), dp);
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut x: u64 = 0xcbf2_9ce4_8422_2325;
    for v in [
        lo.0 as u64,
        lo.1 as u64,
        hi.0 as u64,
        hi.1 as u64,
        h.proto as u64,
    ] {
        x ^= v;
        x = x.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (x >> 17) as usize
}
