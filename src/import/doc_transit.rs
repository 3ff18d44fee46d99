//! The hybrid-networking part of the importers' [`super::doc::Document`]: Serialize-only
//! mirrors of `docs/topology.md`, "Transit gateways, VPN and Direct Connect" (transit gateways
//! with attachments and route tables, VGWs, customer gateways, VPN connections, Direct Connect
//! gateways and virtual interfaces, on-premises networks). As in `doc`, a `None` or empty field
//! is left out, so AWS's defaults stay implicit; maps are keyed by (valid) names.

use super::doc::Named;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::net::Ipv4Addr;

/// A transit gateway.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TransitGateway {
    /// `tgw-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its region; None = the topology's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Its owner (12 digits); None = the topology's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// AWS's `AmazonSideAsn`; None = 64512.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amazon_side_asn: Option<u64>,
    /// `false` when AWS's `DefaultRouteTableAssociation` is `disable` (None = enabled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_route_table_association: Option<bool>,
    /// `false` when AWS's `DefaultRouteTablePropagation` is `disable` (None = enabled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_route_table_propagation: Option<bool>,
    /// The association default table by name, when it is not `default`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub association_default_route_table: Option<String>,
    /// The propagation default table by name, when it is not `default`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagation_default_route_table: Option<String>,
    /// Route tables by name.
    #[serde(skip_serializing_if = "Named::is_empty")]
    pub route_tables: Named<TgwRouteTable>,
    /// Attachments by name (unique in the topology).
    #[serde(skip_serializing_if = "Named::is_empty")]
    pub attachments: Named<TgwAttachment>,
}

/// A transit gateway route table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TgwRouteTable {
    /// `tgw-rtb-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Static and blackhole routes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<TgwRoute>,
}

/// A static transit gateway route: `{destination, attachment}` or `{destination, blackhole}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TgwRoute {
    /// The CIDR.
    pub destination: Ipv4Net,
    /// The attachment, by name (None for a blackhole).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    /// `true` for a blackhole route.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blackhole: bool,
}

/// A transit gateway attachment; exactly one of `vpc`, `vpn_connection`,
/// `direct_connect_gateway`, `peer_transit_gateway` is set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TgwAttachment {
    /// `tgw-attach-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A VPC attachment: the VPC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
    /// VPC attachment: its subnets, one per AZ.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    /// VPC attachment: `true` when appliance mode is enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appliance_mode: Option<bool>,
    /// A VPN attachment: the connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpn_connection: Option<String>,
    /// A Direct Connect gateway attachment: the DX gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_connect_gateway: Option<String>,
    /// DX attachment: the allowed prefixes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_prefixes: Vec<Ipv4Net>,
    /// A peering attachment: the peer transit gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_transit_gateway: Option<String>,
    /// Peering attachment: its association on the peer, when not the peer's default table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_association: Option<String>,
    /// The associated table (`none` for none); None = the association default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub association: Option<String>,
    /// Tables it propagates into; None = the propagation default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagations: Option<Vec<String>>,
}

/// A virtual private gateway.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VpnGateway {
    /// `vgw-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The attached VPC (None: detached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
    /// AWS's `AmazonSideAsn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amazon_side_asn: Option<u64>,
    /// Its Direct Connect gateway association.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_connect_gateway: Option<String>,
    /// With `direct_connect_gateway`: the allowed prefixes (None = the VPC's CIDRs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_prefixes: Option<Vec<Ipv4Net>>,
}

/// A customer gateway.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CustomerGateway {
    /// `cgw-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The on-premises network it sits in.
    pub on_premises: String,
    /// Its public address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// Its BGP ASN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bgp_asn: Option<u64>,
}

/// A Site-to-Site VPN connection.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VpnConnection {
    /// `vpn-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (the Name tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its customer gateway.
    pub customer_gateway: String,
    /// The VGW it ends on (None: a transit gateway attachment names it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpn_gateway: Option<String>,
    /// `static` (AWS's `StaticRoutesOnly`); None = `dynamic`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing: Option<String>,
    /// Static routing: the on-premises prefixes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub static_routes: Vec<Ipv4Net>,
    /// Dynamic routing: what the customer gateway advertises (None = its network's CIDRs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advertised_prefixes: Option<Vec<Ipv4Net>>,
    /// `down` when both tunnels are down; None = `up`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// A Direct Connect gateway.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DirectConnectGateway {
    /// Its id (a UUID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (its name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// AWS's `AmazonSideAsn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amazon_side_asn: Option<u64>,
}

/// A Direct Connect virtual interface.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VirtualInterface {
    /// `dxvif-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// Free text (its name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `private` or `transit`.
    #[serde(rename = "type")]
    pub vif_type: String,
    /// The on-premises network at the customer's end.
    pub on_premises: String,
    /// The DX gateway it ends on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_connect_gateway: Option<String>,
    /// A private VIF's VGW.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpn_gateway: Option<String>,
    /// What the customer router advertises (None = the network's CIDRs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advertised_prefixes: Option<Vec<Ipv4Net>>,
    /// `down` when the connection is down; None = `up`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The VLAN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
}

/// An on-premises network.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OnPremises {
    /// Free text (what the network was made from).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its address space.
    pub cidrs: Vec<Ipv4Net>,
    /// Hosts by name.
    #[serde(skip_serializing_if = "Named::is_empty")]
    pub hosts: Named<OnPremisesHost>,
}

/// A host of an on-premises network.
#[derive(Debug, Clone, Serialize)]
pub struct OnPremisesHost {
    /// Its address.
    pub ip: Ipv4Addr,
}
