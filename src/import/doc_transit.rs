//! The hybrid-networking part of the importers' [`super::doc::Document`]: Serialize-only
//! mirrors of `docs/topology.md`, "Transit gateways, VPN and Direct Connect" (transit gateways
//! with attachments and route tables, VGWs, customer gateways, VPN connections, Direct Connect
//! gateways and virtual interfaces, on-premises networks). As in `doc`, a `None` or empty field
//! is left out, so AWS's defaults stay implicit; maps are keyed by (valid) names.

use super::doc::Named;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::net::Ipv4Addr;

/// Declares a Serialize-only mirror struct whose optional fields are left out when empty: a
/// field written `Option<T>` when `None`, `Vec<T>` or `Named<T>` when empty (the
/// `skip_serializing_if` every such field would otherwise repeat). Any other field is always
/// written; attributes and doc comments are kept as given.
macro_rules! mirror {
    ($(#[$m:meta])* pub struct $name:ident { $($body:tt)* }) => {
        mirror!(@fields [$(#[$m])* pub struct $name] [] $($body)*);
    };
    (@fields [$($head:tt)*] [$($done:tt)*]) => {
        $($head)* { $($done)* }
    };
    (@fields $head:tt [$($done:tt)*]
        $(#[$fm:meta])* pub $f:ident : Option<$t:ty>, $($rest:tt)*) => {
        mirror!(@fields $head [$($done)* $(#[$fm])*
            #[serde(skip_serializing_if = "Option::is_none")] pub $f: Option<$t>,] $($rest)*);
    };
    (@fields $head:tt [$($done:tt)*]
        $(#[$fm:meta])* pub $f:ident : Vec<$t:ty>, $($rest:tt)*) => {
        mirror!(@fields $head [$($done)* $(#[$fm])*
            #[serde(skip_serializing_if = "Vec::is_empty")] pub $f: Vec<$t>,] $($rest)*);
    };
    (@fields $head:tt [$($done:tt)*]
        $(#[$fm:meta])* pub $f:ident : Named<$t:ty>, $($rest:tt)*) => {
        mirror!(@fields $head [$($done)* $(#[$fm])*
            #[serde(skip_serializing_if = "Named::is_empty")] pub $f: Named<$t>,] $($rest)*);
    };
    (@fields $head:tt [$($done:tt)*]
        $(#[$fm:meta])* pub $f:ident : $t:ty, $($rest:tt)*) => {
        mirror!(@fields $head [$($done)* $(#[$fm])* pub $f: $t,] $($rest)*);
    };
}

mirror! {
    /// A transit gateway.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct TransitGateway {
        /// `tgw-…`.
        pub aws_id: Option<String>,
        /// Free text (the Name tag).
        pub description: Option<String>,
        /// Its region; None = the topology's.
        pub region: Option<String>,
        /// Its owner (12 digits); None = the topology's.
        pub account: Option<String>,
        /// AWS's `AmazonSideAsn`; None = 64512.
        pub amazon_side_asn: Option<u64>,
        /// `false` when AWS's `DefaultRouteTableAssociation` is `disable` (None = enabled).
        pub default_route_table_association: Option<bool>,
        /// `false` when AWS's `DefaultRouteTablePropagation` is `disable` (None = enabled).
        pub default_route_table_propagation: Option<bool>,
        /// The association default table by name, when it is not `default`.
        pub association_default_route_table: Option<String>,
        /// The propagation default table by name, when it is not `default`.
        pub propagation_default_route_table: Option<String>,
        /// Route tables by name.
        pub route_tables: Named<TgwRouteTable>,
        /// Attachments by name (unique in the topology).
        pub attachments: Named<TgwAttachment>,
    }
}

mirror! {
    /// A transit gateway route table.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct TgwRouteTable {
        /// `tgw-rtb-…`.
        pub aws_id: Option<String>,
        /// Free text (the Name tag).
        pub description: Option<String>,
        /// Static and blackhole routes.
        pub routes: Vec<TgwRoute>,
    }
}

mirror! {
    /// A static transit gateway route: `{destination, attachment}` or `{destination, blackhole}`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct TgwRoute {
        /// The CIDR.
        pub destination: Ipv4Net,
        /// The attachment, by name (None for a blackhole).
        pub attachment: Option<String>,
        /// `true` for a blackhole route.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        pub blackhole: bool,
    }
}

mirror! {
    /// A transit gateway attachment; exactly one of `vpc`, `vpn_connection`,
    /// `direct_connect_gateway`, `peer_transit_gateway` is set.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct TgwAttachment {
        /// `tgw-attach-…`.
        pub aws_id: Option<String>,
        /// Free text (the Name tag).
        pub description: Option<String>,
        /// A VPC attachment: the VPC.
        pub vpc: Option<String>,
        /// VPC attachment: its subnets, one per AZ.
        pub subnets: Vec<String>,
        /// VPC attachment: `true` when appliance mode is enabled.
        pub appliance_mode: Option<bool>,
        /// A VPN attachment: the connection.
        pub vpn_connection: Option<String>,
        /// A Direct Connect gateway attachment: the DX gateway.
        pub direct_connect_gateway: Option<String>,
        /// DX attachment: the allowed prefixes.
        pub allowed_prefixes: Vec<Ipv4Net>,
        /// A peering attachment: the peer transit gateway.
        pub peer_transit_gateway: Option<String>,
        /// Peering attachment: its association on the peer, when not the peer's default table.
        pub peer_association: Option<String>,
        /// The associated table (`none` for none); None = the association default.
        pub association: Option<String>,
        /// Tables it propagates into; None = the propagation default.
        pub propagations: Option<Vec<String>>,
    }
}

mirror! {
    /// A virtual private gateway.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct VpnGateway {
        /// `vgw-…`.
        pub aws_id: Option<String>,
        /// Free text (the Name tag).
        pub description: Option<String>,
        /// The attached VPC (None: detached).
        pub vpc: Option<String>,
        /// AWS's `AmazonSideAsn`.
        pub amazon_side_asn: Option<u64>,
        /// Its Direct Connect gateway association.
        pub direct_connect_gateway: Option<String>,
        /// With `direct_connect_gateway`: the allowed prefixes (None = the VPC's CIDRs).
        pub allowed_prefixes: Option<Vec<Ipv4Net>>,
    }
}

mirror! {
    /// A customer gateway.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct CustomerGateway {
        /// `cgw-…`.
        pub aws_id: Option<String>,
        /// Free text (the Name tag).
        pub description: Option<String>,
        /// The on-premises network it sits in.
        pub on_premises: String,
        /// Its public address.
        pub ip: Option<Ipv4Addr>,
        /// Its BGP ASN.
        pub bgp_asn: Option<u64>,
    }
}

mirror! {
    /// A Site-to-Site VPN connection.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct VpnConnection {
        /// `vpn-…`.
        pub aws_id: Option<String>,
        /// Free text (the Name tag).
        pub description: Option<String>,
        /// Its customer gateway.
        pub customer_gateway: String,
        /// The VGW it ends on (None: a transit gateway attachment names it).
        pub vpn_gateway: Option<String>,
        /// `static` (AWS's `StaticRoutesOnly`); None = `dynamic`.
        pub routing: Option<String>,
        /// Static routing: the on-premises prefixes.
        pub static_routes: Vec<Ipv4Net>,
        /// Dynamic routing: what the customer gateway advertises (None = its network's CIDRs).
        pub advertised_prefixes: Option<Vec<Ipv4Net>>,
        /// `down` when both tunnels are down; None = `up`.
        pub state: Option<String>,
    }
}

mirror! {
    /// A Direct Connect gateway.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct DirectConnectGateway {
        /// Its id (a UUID).
        pub aws_id: Option<String>,
        /// Free text (its name).
        pub description: Option<String>,
        /// AWS's `AmazonSideAsn`.
        pub amazon_side_asn: Option<u64>,
    }
}

mirror! {
    /// A Direct Connect virtual interface.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct VirtualInterface {
        /// `dxvif-…`.
        pub aws_id: Option<String>,
        /// Free text (its name).
        pub description: Option<String>,
        /// `private` or `transit`.
        #[serde(rename = "type")]
        pub vif_type: String,
        /// The on-premises network at the customer's end.
        pub on_premises: String,
        /// The DX gateway it ends on.
        pub direct_connect_gateway: Option<String>,
        /// A private VIF's VGW.
        pub vpn_gateway: Option<String>,
        /// What the customer router advertises (None = the network's CIDRs).
        pub advertised_prefixes: Option<Vec<Ipv4Net>>,
        /// `down` when the connection is down; None = `up`.
        pub state: Option<String>,
        /// The VLAN.
        pub vlan: Option<u16>,
    }
}

mirror! {
    /// An on-premises network.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct OnPremises {
        /// Free text (what the network was made from).
        pub description: Option<String>,
        /// Its address space.
        pub cidrs: Vec<Ipv4Net>,
        /// Hosts by name.
        pub hosts: Named<OnPremisesHost>,
    }
}

mirror! {
    /// A host of an on-premises network.
    #[derive(Debug, Clone, Serialize)]
    pub struct OnPremisesHost {
        /// Its address.
        pub ip: Ipv4Addr,
    }
}
