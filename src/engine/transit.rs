//! The MTU of a path through transit gateways, VPN connections and Direct Connect (AWS's
//! Transit Gateway quotas: 8500 bytes between VPCs, Direct Connect gateways and peering
//! attachments, 1500 over a Site-to-Site VPN). The path is the one decision core's: the walk
//! of the packet (SGs assumed open, only the route matters) names the components it crosses.

use super::mtu::{IGW_MTU, INTER_REGION_MTU};
use super::Engine;
use crate::model::{PortId, PortOwner};
use crate::policy::path::{walk, Assumed, Options, Origin};
use crate::policy::{ComponentKind, Header};

/// Transit gateway attachments, Direct Connect gateways and TGW peering: 8500 bytes.
pub const TGW_MTU: u16 = INTER_REGION_MTU;
/// A Site-to-Site VPN connection: 1500 bytes.
pub const VPN_MTU: u16 = IGW_MTU;

impl Engine {
    /// The MTU of the path `h` takes from the host behind `from` when it crosses a transit
    /// gateway, a VPN connection or Direct Connect (the smallest of the components it
    /// crosses, an internet gateway's 1500 included); None when it crosses none of them (or
    /// the topology has none), so the ordinary MTUs apply.
    pub(super) fn hybrid_mtu(&self, from: PortId, h: &Header) -> Option<u16> {
        let net = &self.net;
        let hy = &net.hybrid;
        if hy.tgws.is_empty() && hy.vgws.is_empty() {
            return None;
        }
        let origin = match net.port(from).owner {
            PortOwner::Instance(i) => Origin::Eni(net.instance_eni_for_source(i, h.src)),
            PortOwner::Internet(x) => Origin::Internet(net.internet_host(x).ip),
            PortOwner::LoadBalancerNode(e) => Origin::Eni(e),
        };
        let mut state = Assumed {
            replies: true,
            original_src: None,
        };
        let opts = Options {
            collect_all: true,
            nat_instance_in_walk: true,
        };
        let w = walk(net, &mut state, origin, *h, opts);
        let mut hybrid = false;
        let mut mtu = u16::MAX;
        for hop in &w.hops {
            let m = match hop.kind {
                ComponentKind::VpnConnection => VPN_MTU,
                ComponentKind::TransitGatewayAttachment
                | ComponentKind::TransitGatewayRouteTable
                | ComponentKind::DirectConnectGateway => TGW_MTU,
                ComponentKind::InternetGateway => IGW_MTU,
                _ => continue,
            };
            hybrid |= hop.kind != ComponentKind::InternetGateway;
            mtu = mtu.min(m);
        }
        hybrid.then_some(mtu)
    }
}
