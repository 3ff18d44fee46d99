//! The hybrid network resolved (`Network::hybrid`): transit gateways with their attachments
//! and route tables (propagated routes materialised, sorted by AWS's priority), virtual
//! private gateways, VPN connections, Direct Connect gateways and virtual interfaces, and the
//! on-premises networks whose hosts are internet hosts on private addresses.

use super::ids::{InternetHostId, SubnetId, VpcId};
use ipnet::Ipv4Net;
use serde::Serialize;
use std::net::Ipv4Addr;

/// Index of a transit gateway in `Hybrid::tgws`.
pub type TgwIdx = usize;
/// Index of an attachment in `Hybrid::attachments`.
pub type AttachmentIdx = usize;
/// Index of a transit gateway route table in `Hybrid::tgw_route_tables`.
pub type TgwRtIdx = usize;
/// Index of a virtual private gateway in `Hybrid::vgws`.
pub type VgwIdx = usize;
/// Index of a VPN connection in `Hybrid::vpns`.
pub type VpnIdx = usize;
/// Index of a virtual interface in `Hybrid::vifs`.
pub type VifIdx = usize;
/// Index of a Direct Connect gateway in `Hybrid::dx_gateways`.
pub type DxgwIdx = usize;
/// Index of an on-premises network in `Hybrid::on_premises`.
pub type OnPremIdx = usize;

/// Everything hybrid; empty when the file declares none of it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Hybrid {
    /// Transit gateways in declaration order.
    pub tgws: Vec<TransitGateway>,
    /// Attachments of every transit gateway, gateway by gateway.
    pub attachments: Vec<TgwAttachment>,
    /// Route tables of every transit gateway, gateway by gateway.
    pub tgw_route_tables: Vec<TgwRouteTable>,
    /// Virtual private gateways in declaration order.
    pub vgws: Vec<VpnGateway>,
    /// Site-to-Site VPN connections in declaration order.
    pub vpns: Vec<VpnConnection>,
    /// Direct Connect gateways in declaration order.
    pub dx_gateways: Vec<DxGateway>,
    /// Direct Connect virtual interfaces in declaration order.
    pub vifs: Vec<VirtualInterface>,
    /// On-premises networks in declaration order.
    pub on_premises: Vec<OnPremises>,
}

/// A transit gateway.
#[derive(Clone, Debug, Serialize)]
pub struct TransitGateway {
    /// Its key under `transit_gateways:`.
    pub name: String,
    /// Display id: `aws_id:`, else `tgw-NAME`.
    pub aws_id: String,
    /// Its region.
    pub region: String,
    /// Its attachments (including peering attachments declared on a peer, whose peer it is).
    pub attachments: Vec<AttachmentIdx>,
    /// Its route tables.
    pub route_tables: Vec<TgwRtIdx>,
}

/// What an attachment connects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AttachmentKind {
    /// A VPC, with one subnet per AZ (in the file's order).
    Vpc {
        /// The VPC.
        vpc: VpcId,
        /// The attachment's subnets (its ENIs' subnets), one per AZ.
        subnets: Vec<SubnetId>,
        /// AWS's `ApplianceModeSupport`.
        appliance_mode: bool,
    },
    /// A Site-to-Site VPN connection.
    Vpn(VpnIdx),
    /// A Direct Connect gateway association.
    DxGateway {
        /// The Direct Connect gateway.
        dxgw: DxgwIdx,
        /// What on-premises learns through it.
        allowed_prefixes: Vec<Ipv4Net>,
    },
    /// A peering between `tgw` (the requester, where it is declared) and `peer`.
    Peering {
        /// The accepter transit gateway.
        peer: TgwIdx,
        /// Its association on the peer.
        peer_association: Option<TgwRtIdx>,
    },
}

/// A transit gateway attachment.
#[derive(Clone, Debug, Serialize)]
pub struct TgwAttachment {
    /// Its key under `attachments:` (unique in the topology).
    pub name: String,
    /// Display id: `aws_id:`, else `tgw-attach-NAME`.
    pub aws_id: String,
    /// The transit gateway it is declared on.
    pub tgw: TgwIdx,
    /// What it connects.
    pub kind: AttachmentKind,
    /// The route table it is associated with on `tgw`; None: not associated (drops).
    pub association: Option<TgwRtIdx>,
}

impl TgwAttachment {
    /// The table this attachment's traffic is looked up in when it enters transit gateway
    /// `at` (its own association, or its peer association when `at` is the peer).
    pub fn association_on(&self, at: TgwIdx) -> Option<TgwRtIdx> {
        match &self.kind {
            AttachmentKind::Peering {
                peer,
                peer_association,
            } if *peer == at && self.tgw != at => *peer_association,
            _ => self.association,
        }
    }
}

/// Where a transit gateway route came from; the order is AWS's priority for one prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TgwRouteOrigin {
    /// A static route (or blackhole) written in the table.
    Static,
    /// Propagated from a VPC attachment (the VPC's CIDRs).
    Vpc,
    /// Propagated from a Direct Connect gateway attachment.
    DirectConnect,
    /// Propagated from a VPN attachment (BGP).
    Vpn,
}

/// One route of a transit gateway route table.
#[derive(Clone, Debug, Serialize)]
pub struct TgwRoute {
    /// Destination CIDR.
    pub destination: Ipv4Net,
    /// The attachment it sends to; None for a blackhole.
    pub attachment: Option<AttachmentIdx>,
    /// Static or which kind of propagation.
    pub origin: TgwRouteOrigin,
}

/// A transit gateway route table.
#[derive(Clone, Debug, Serialize)]
pub struct TgwRouteTable {
    /// Its key under `route_tables:` (`default` for the implicit one).
    pub name: String,
    /// Display id: `aws_id:`, else `tgw-rtb-TGW-NAME`.
    pub aws_id: String,
    /// Its transit gateway.
    pub tgw: TgwIdx,
    /// Static routes, then propagated ones; for one destination only the best (by origin).
    pub routes: Vec<TgwRoute>,
}

impl TgwRouteTable {
    /// The route for `dst`: longest prefix first (one route per destination is kept).
    pub fn lookup(&self, dst: Ipv4Addr) -> Option<&TgwRoute> {
        self.routes
            .iter()
            .filter(|r| r.destination.contains(&dst))
            .max_by_key(|r| (r.destination.prefix_len(), std::cmp::Reverse(r.origin)))
    }
}

/// A virtual private gateway.
#[derive(Clone, Debug, Serialize)]
pub struct VpnGateway {
    /// Its key under `vpn_gateways:`.
    pub name: String,
    /// Display id: `aws_id:`, else `vgw-NAME`.
    pub aws_id: String,
    /// The VPC it is attached to.
    pub vpc: Option<VpcId>,
    /// Its Direct Connect gateway association and the allowed prefixes.
    pub dx_gateway: Option<(DxgwIdx, Vec<Ipv4Net>)>,
}

/// Where a VPN connection terminates on the AWS side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VpnTermination {
    /// A virtual private gateway.
    Vgw(VgwIdx),
    /// A transit gateway attachment.
    Tgw(AttachmentIdx),
}

/// A Site-to-Site VPN connection.
#[derive(Clone, Debug, Serialize)]
pub struct VpnConnection {
    /// Its key under `vpn_connections:`.
    pub name: String,
    /// Display id: `aws_id:`, else `vpn-NAME`.
    pub aws_id: String,
    /// The customer gateway's display id (`cgw-…`).
    pub customer_gateway: String,
    /// The on-premises network behind its customer gateway.
    pub on_premises: OnPremIdx,
    /// Where it terminates in AWS.
    pub termination: VpnTermination,
    /// `routing: static` (AWS's `StaticRoutesOnly`).
    pub static_routing: bool,
    /// The on-premises prefixes AWS learns: static routes, or the BGP advertisements.
    pub prefixes: Vec<Ipv4Net>,
    /// False for `state: down`.
    pub up: bool,
}

/// A Direct Connect gateway.
#[derive(Clone, Debug, Serialize)]
pub struct DxGateway {
    /// Its key under `direct_connect_gateways:`.
    pub name: String,
    /// Display id: `aws_id:`, else `dxgw-NAME` (AWS's ids are UUIDs).
    pub aws_id: String,
}

/// Where a virtual interface ends on the AWS side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VifTermination {
    /// A private virtual interface straight to a VGW.
    Vgw(VgwIdx),
    /// A Direct Connect gateway (private: of VGWs; transit: of transit gateways).
    DxGateway(DxgwIdx),
}

/// A Direct Connect virtual interface.
#[derive(Clone, Debug, Serialize)]
pub struct VirtualInterface {
    /// Its key under `virtual_interfaces:`.
    pub name: String,
    /// Display id: `aws_id:`, else `dxvif-NAME`.
    pub aws_id: String,
    /// `type: transit` (else private).
    pub transit: bool,
    /// The on-premises network at the customer's end.
    pub on_premises: OnPremIdx,
    /// Where it ends in AWS.
    pub termination: VifTermination,
    /// What the customer router advertises (default the network's CIDRs).
    pub prefixes: Vec<Ipv4Net>,
    /// False for `state: down`.
    pub up: bool,
}

/// An on-premises network.
#[derive(Clone, Debug, Serialize)]
pub struct OnPremises {
    /// Its key under `on_premises:`.
    pub name: String,
    /// Its address space.
    pub cidrs: Vec<Ipv4Net>,
    /// Its hosts, which are internet hosts of the model on private addresses (ports, namespaces
    /// and virtual hosts as internet hosts have; the walk starts them here, not on the internet).
    pub hosts: Vec<InternetHostId>,
}

impl Hybrid {
    /// The on-premises network whose CIDRs hold `ip`.
    pub fn on_premises_of(&self, ip: Ipv4Addr) -> Option<OnPremIdx> {
        self.on_premises
            .iter()
            .position(|o| o.cidrs.iter().any(|c| c.contains(&ip)))
    }
    /// True when `host` is an on-premises host (not on the emulated internet).
    pub fn is_on_premises_host(&self, host: InternetHostId) -> bool {
        self.on_premises.iter().any(|o| o.hosts.contains(&host))
    }
    /// The attachment of `vpc` to transit gateway `tgw`.
    pub fn vpc_attachment(&self, tgw: TgwIdx, vpc: VpcId) -> Option<AttachmentIdx> {
        self.tgws[tgw].attachments.iter().copied().find(|a| {
            matches!(&self.attachments[*a].kind, AttachmentKind::Vpc { vpc: v, .. } if *v == vpc)
        })
    }
    /// True when both VPCs have a VPC attachment on some transit gateway: they address each
    /// other by private IP (the transit gateway's route tables decide whether it works).
    pub fn privately_connected(&self, a: VpcId, b: VpcId) -> bool {
        let attached = |v: VpcId| {
            self.attachments
                .iter()
                .any(|x| matches!(&x.kind, AttachmentKind::Vpc { vpc, .. } if *vpc == v))
        };
        attached(a) && attached(b)
    }
    /// The VGW attached to `vpc`.
    pub fn vgw_of(&self, vpc: VpcId) -> Option<VgwIdx> {
        self.vgws.iter().position(|g| g.vpc == Some(vpc))
    }
}
