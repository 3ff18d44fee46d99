//! Suggested fixes for the blockers of transit gateways, VGWs, VPN connections, Direct Connect
//! and on-premises routers, as the YAML change to make (`transit_gateways.hub.…`).

use crate::model::transit::AttachmentKind;
use crate::model::Network;
use crate::policy::{ComponentKind, Decision, ExplanationCode, Header};

/// The fix for a hybrid blocker; None for every other blocker (`fix::suggest` handles those).
pub(super) fn suggest(net: &Network, d: &Decision, h: &Header) -> Option<String> {
    use ExplanationCode as C;
    let hy = &net.hybrid;
    let att = || hy.attachments.iter().find(|a| a.aws_id == d.component);
    let table = || hy.tgw_route_tables.iter().find(|t| t.aws_id == d.component);
    Some(match (d.kind, d.code?) {
        (ComponentKind::TransitGatewayAttachment, C::TgwRouteAzRestriction) => {
            let a = att()?;
            let src_az = net
                .vpc_containing(h.src)
                .and_then(|v| net.subnet_of(v, h.src))
                .map(|s| net.subnet(s).az.clone())
                .unwrap_or_default();
            format!(
                "add a subnet in {src_az} to transit_gateways.{}.attachments.{}.subnets (one per AZ)",
                hy.tgws[a.tgw].name, a.name
            )
        }
        (ComponentKind::TransitGatewayAttachment, C::TgwAttachMissingTgwRtbAssociation) => {
            let a = att()?;
            format!(
                "set transit_gateways.{}.attachments.{}.association: TABLE",
                hy.tgws[a.tgw].name, a.name
            )
        }
        (ComponentKind::TransitGatewayRouteTable, C::TgwRtbCannotRoute) => {
            let t = table()?;
            let to = hy.attachments.iter().find(|a| match &a.kind {
                AttachmentKind::Vpc { vpc, .. } => net.vpc(*vpc).contains(h.dst),
                _ => false,
            });
            let g = &hy.tgws[t.tgw].name;
            match to {
                Some(a) if a.tgw == t.tgw => format!(
                    "add `{}` to transit_gateways.{g}.attachments.{}.propagations (or a static route to {} → {} in route_tables.{})",
                    t.name, a.name, h.dst, a.name, t.name
                ),
                _ => format!(
                    "add to transit_gateways.{g}.route_tables.{}.routes: `- {{ destination: CIDR of {}, attachment: NAME }}`",
                    t.name, h.dst
                ),
            }
        }
        (ComponentKind::TransitGatewayRouteTable, C::TgwRtbBadStateRoute) => {
            let t = table()?;
            format!(
                "remove the blackhole route {} from transit_gateways.{}.route_tables.{}",
                d.rule,
                hy.tgws[t.tgw].name,
                t.name
            )
        }
        (ComponentKind::VpnGateway, C::NoRouteToDestination) => format!(
            "{} forwards only between its VPC and the prefixes its connections announce: announce {} (advertised_prefixes or static_routes of the VPN connection), or connect that network through a transit gateway",
            d.component, h.dst
        ),
        (ComponentKind::VpnConnection, C::BadStateVpn | C::TgwBadStateVpn) => {
            let c = hy.vpns.iter().find(|c| c.aws_id == d.component)?;
            format!("set vpn_connections.{}.state: up", c.name)
        }
        (ComponentKind::DirectConnectGateway, C::DxVirtualInterfaceDown) => {
            match hy.vifs.iter().find(|v| v.aws_id == d.component) {
                Some(v) => format!("set virtual_interfaces.{}.state: up", v.name),
                None => "set the virtual interface's state: up, or add a VPN connection as a backup".into(),
            }
        }
        (ComponentKind::OnPremises, C::NoRouteToDestination) => format!(
            "give on-premises network {} an up VPN connection (a customer gateway of it) or virtual interface towards {}",
            d.component, h.dst
        ),
        _ => return None,
    })
}
