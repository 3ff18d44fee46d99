//! The JSON of transit gateways, site-to-site VPN and Direct Connect as the importer reads it:
//! `describe-transit-gateways`, `-attachments`, `-vpc-attachments`, `-peering-attachments`,
//! `-route-tables`, Batfish's per-table wrappers (`TransitGatewayStaticRoutes`,
//! `TransitGatewayPropagations`), `describe-vpn-gateways`, `-customer-gateways`,
//! `-vpn-connections`, and `aws directconnect describe-direct-connect-gateways`,
//! `-gateway-associations`, `-virtual-interfaces`. The EC2 calls write PascalCase; the
//! `directconnect` CLI writes camelCase (`directConnectGatewayId`), Batfish's files PascalCase:
//! both are read. Only the fields vpclab uses; every one optional, unknown fields ignored.

use super::json::Tag;
use serde::de::MapAccess;
use serde::Deserialize;

/// `{"TransitGatewayRouteTableId": …, "State": …}` (an attachment's `Association`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwAssociation {
    /// `tgw-rtb-…`.
    pub transit_gateway_route_table_id: Option<String>,
    /// `associated`, `associating`, `disassociated`, ...
    pub state: Option<String>,
}

/// `TransitGateways[].Options`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwOptions {
    /// The AWS side's BGP ASN.
    pub amazon_side_asn: Option<u64>,
    /// `enable` / `disable`.
    pub default_route_table_association: Option<String>,
    /// `enable` / `disable`.
    pub default_route_table_propagation: Option<String>,
    /// The default association table.
    pub association_default_route_table_id: Option<String>,
    /// The default propagation table.
    pub propagation_default_route_table_id: Option<String>,
}

/// describe-transit-gateways `TransitGateways[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TransitGateway {
    /// `tgw-…`.
    pub transit_gateway_id: String,
    /// Owner account.
    pub owner_id: Option<String>,
    /// `available`, `deleted`, ...
    pub state: Option<String>,
    /// Options.
    pub options: TgwOptions,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// describe-transit-gateway-attachments `TransitGatewayAttachments[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwAttachment {
    /// `tgw-attach-…`.
    pub transit_gateway_attachment_id: String,
    /// The transit gateway (of this side, for a peering).
    pub transit_gateway_id: String,
    /// `vpc`, `vpn`, `direct-connect-gateway`, `peering`, `connect`, ...
    pub resource_type: Option<String>,
    /// The VPC, VPN connection, DX gateway or peer transit gateway.
    pub resource_id: Option<String>,
    /// Owner of the resource.
    pub resource_owner_id: Option<String>,
    /// `available`, `deleted`, `pendingAcceptance`, ...
    pub state: Option<String>,
    /// The route table it is associated with.
    pub association: Option<TgwAssociation>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// `TransitGatewayVpcAttachments[].Options`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwVpcOptions {
    /// `enable` / `disable`.
    pub appliance_mode_support: Option<String>,
}

/// describe-transit-gateway-vpc-attachments `TransitGatewayVpcAttachments[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwVpcAttachment {
    /// `tgw-attach-…`.
    pub transit_gateway_attachment_id: String,
    /// `tgw-…`.
    pub transit_gateway_id: String,
    /// `vpc-…`.
    pub vpc_id: String,
    /// One subnet per AZ: where the attachment's interfaces are.
    pub subnet_ids: Vec<String>,
    /// `available`, `deleted`, ...
    pub state: Option<String>,
    /// Options.
    pub options: TgwVpcOptions,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// `{"TransitGatewayId", "OwnerId", "Region"}` of a peering attachment's side.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwPeerInfo {
    /// `tgw-…`.
    pub transit_gateway_id: Option<String>,
    /// Account.
    pub owner_id: Option<String>,
    /// Region.
    pub region: Option<String>,
}

/// describe-transit-gateway-peering-attachments `TransitGatewayPeeringAttachments[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwPeeringAttachment {
    /// `tgw-attach-…`.
    pub transit_gateway_attachment_id: String,
    /// The side that asked.
    pub requester_tgw_info: TgwPeerInfo,
    /// The side that accepted.
    pub accepter_tgw_info: TgwPeerInfo,
    /// `available`, `pendingAcceptance`, `deleted`, ...
    pub state: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// describe-transit-gateway-route-tables `TransitGatewayRouteTables[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwRouteTable {
    /// `tgw-rtb-…`.
    pub transit_gateway_route_table_id: String,
    /// `tgw-…`.
    pub transit_gateway_id: String,
    /// The transit gateway's default association table.
    pub default_association_route_table: bool,
    /// The transit gateway's default propagation table.
    pub default_propagation_route_table: bool,
    /// `available`, `deleted`, ...
    pub state: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// The attachment a transit gateway route points at.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwRouteAttachment {
    /// `tgw-attach-…`.
    pub transit_gateway_attachment_id: Option<String>,
    /// Its resource.
    pub resource_id: Option<String>,
    /// Its kind.
    pub resource_type: Option<String>,
}

/// One route of search-transit-gateway-routes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwRoute {
    /// The CIDR.
    pub destination_cidr_block: Option<String>,
    /// A prefix-list route.
    pub prefix_list_id: Option<String>,
    /// `static` or `propagated`.
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    /// `active`, `blackhole`, `deleted`, ...
    pub state: Option<String>,
    /// Where it goes (empty for a blackhole).
    pub transit_gateway_attachments: Vec<TgwRouteAttachment>,
}

/// Batfish's `TransitGatewayStaticRoutes[]`: one table's search-transit-gateway-routes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwTableRoutes {
    /// `tgw-rtb-…`.
    pub transit_gateway_route_table_id: String,
    /// Its routes.
    pub routes: Vec<TgwRoute>,
}

/// One entry of get-transit-gateway-route-table-propagations.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwPropagation {
    /// `tgw-attach-…`.
    pub transit_gateway_attachment_id: String,
    /// Its resource.
    pub resource_id: Option<String>,
    /// `enabled` / `disabled`.
    pub state: Option<String>,
}

/// Batfish's `TransitGatewayPropagations[]`: one table's propagations.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TgwTablePropagations {
    /// `tgw-rtb-…`.
    pub transit_gateway_route_table_id: String,
    /// The attachments that propagate into it.
    pub transit_gateway_route_table_propagations: Vec<TgwPropagation>,
}

/// `VpnGateways[].VpcAttachments[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VgwAttachment {
    /// `vpc-…`.
    pub vpc_id: String,
    /// `attached`, `detached`, ...
    pub state: Option<String>,
}

/// describe-vpn-gateways `VpnGateways[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpnGateway {
    /// `vgw-…`.
    pub vpn_gateway_id: String,
    /// `available`, `deleted`, ...
    pub state: Option<String>,
    /// The AWS side's ASN.
    pub amazon_side_asn: Option<u64>,
    /// Its VPC attachments (at most one is `attached`).
    pub vpc_attachments: Vec<VgwAttachment>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// An ASN as AWS writes it: a number, or a string (`CustomerGateways[].BgpAsn`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Asn {
    /// `65000`.
    Number(u64),
    /// `"65000"`.
    Text(String),
}

impl Asn {
    /// The number, when it is one.
    pub fn value(&self) -> Option<u64> {
        match self {
            Asn::Number(n) => Some(*n),
            Asn::Text(t) => t.trim().parse().ok(),
        }
    }
}

/// describe-customer-gateways `CustomerGateways[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CustomerGateway {
    /// `cgw-…`.
    pub customer_gateway_id: String,
    /// Its public address (the tunnels' far end).
    pub ip_address: Option<String>,
    /// Its BGP ASN.
    pub bgp_asn: Option<Asn>,
    /// `available`, `deleted`, ...
    pub state: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// `VpnConnections[].Options`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpnOptions {
    /// Static routes only (no BGP).
    pub static_routes_only: Option<bool>,
}

/// `VpnConnections[].Routes[]`: a static route to the customer's side.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpnRoute {
    /// The on-premises CIDR.
    pub destination_cidr_block: Option<String>,
    /// `available`, `deleted`, ...
    pub state: Option<String>,
}

/// `VpnConnections[].VgwTelemetry[]`: one tunnel's status.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpnTelemetry {
    /// The AWS end's public address.
    pub outside_ip_address: Option<String>,
    /// `UP` / `DOWN`.
    pub status: Option<String>,
}

/// describe-vpn-connections `VpnConnections[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpnConnection {
    /// `vpn-…`.
    pub vpn_connection_id: String,
    /// `cgw-…`.
    pub customer_gateway_id: Option<String>,
    /// The VGW end, when it ends on one.
    pub vpn_gateway_id: Option<String>,
    /// The transit gateway end, when it ends on one.
    pub transit_gateway_id: Option<String>,
    /// `available`, `deleted`, ...
    pub state: Option<String>,
    /// Options.
    pub options: VpnOptions,
    /// Static routes.
    pub routes: Vec<VpnRoute>,
    /// Tunnel status.
    pub vgw_telemetry: Vec<VpnTelemetry>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// directconnect describe-direct-connect-gateways `directConnectGateways[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DxGateway {
    /// A UUID (AWS gives DX gateways no prefix).
    #[serde(alias = "DirectConnectGatewayId")]
    pub direct_connect_gateway_id: String,
    /// Its name.
    #[serde(alias = "DirectConnectGatewayName")]
    pub direct_connect_gateway_name: Option<String>,
    /// The AWS side's ASN.
    #[serde(alias = "AmazonSideAsn")]
    pub amazon_side_asn: Option<u64>,
    /// `available`, `deleted`, ...
    #[serde(alias = "DirectConnectGatewayState")]
    pub direct_connect_gateway_state: Option<String>,
}

/// A DX gateway association's `associatedGateway`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DxAssociatedGateway {
    /// `tgw-…` or `vgw-…`.
    #[serde(alias = "Id")]
    pub id: Option<String>,
    /// `transitGateway` / `virtualPrivateGateway`.
    #[serde(alias = "Type", rename = "type")]
    pub kind: Option<String>,
    /// Its region.
    #[serde(alias = "Region")]
    pub region: Option<String>,
}

/// `{"cidr": …}` (allowed prefixes, route filters).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DxCidr {
    /// The CIDR.
    #[serde(alias = "Cidr")]
    pub cidr: Option<String>,
}

/// directconnect describe-direct-connect-gateway-associations
/// `directConnectGatewayAssociations[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DxAssociation {
    /// The association's id.
    #[serde(alias = "AssociationId")]
    pub association_id: Option<String>,
    /// The DX gateway.
    #[serde(alias = "DirectConnectGatewayId")]
    pub direct_connect_gateway_id: String,
    /// The transit or virtual private gateway.
    #[serde(alias = "AssociatedGateway")]
    pub associated_gateway: DxAssociatedGateway,
    /// The older field for a VGW association.
    #[serde(alias = "VirtualGatewayId")]
    pub virtual_gateway_id: Option<String>,
    /// `associated`, `disassociated`, ...
    #[serde(alias = "AssociationState")]
    pub association_state: Option<String>,
    /// The VPC-side prefixes announced to the DX gateway.
    #[serde(alias = "AllowedPrefixesToDirectConnectGateway")]
    pub allowed_prefixes_to_direct_connect_gateway: Vec<DxCidr>,
}

/// A virtual interface's BGP peer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DxBgpPeer {
    /// `up` / `down`.
    #[serde(alias = "BgpStatus")]
    pub bgp_status: Option<String>,
}

/// directconnect describe-virtual-interfaces `virtualInterfaces[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VirtualInterface {
    /// `dxvif-…`.
    #[serde(alias = "VirtualInterfaceId")]
    pub virtual_interface_id: String,
    /// Its name.
    #[serde(alias = "VirtualInterfaceName")]
    pub virtual_interface_name: Option<String>,
    /// `private`, `transit`, `public`.
    #[serde(alias = "VirtualInterfaceType")]
    pub virtual_interface_type: Option<String>,
    /// `available`, `down`, `deleted`, ...
    #[serde(alias = "VirtualInterfaceState")]
    pub virtual_interface_state: Option<String>,
    /// A private VIF's VGW.
    #[serde(alias = "VirtualGatewayId")]
    pub virtual_gateway_id: Option<String>,
    /// The DX gateway (private or transit VIF).
    #[serde(alias = "DirectConnectGatewayId")]
    pub direct_connect_gateway_id: Option<String>,
    /// The customer's BGP ASN.
    #[serde(alias = "Asn")]
    pub asn: Option<u64>,
    /// The 802.1Q VLAN.
    #[serde(alias = "Vlan")]
    pub vlan: Option<u64>,
    /// BGP sessions.
    #[serde(alias = "BgpPeers")]
    pub bgp_peers: Vec<DxBgpPeer>,
    /// Tags (`key`/`value` in the directconnect CLI).
    #[serde(alias = "Tags")]
    pub tags: Vec<DxTag>,
}

/// A directconnect tag (`key`/`value`, or Batfish's `Key`/`Value`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DxTag {
    /// Tag key.
    #[serde(alias = "Key")]
    pub key: String,
    /// Tag value.
    #[serde(alias = "Value")]
    pub value: Option<String>,
}

/// Every transit, VPN and Direct Connect object of one file, by top-level key.
#[derive(Debug, Clone, Default)]
pub struct TransitContents {
    /// `TransitGateways`.
    pub transit_gateways: Vec<TransitGateway>,
    /// `TransitGatewayAttachments`.
    pub attachments: Vec<TgwAttachment>,
    /// `TransitGatewayVpcAttachments`.
    pub vpc_attachments: Vec<TgwVpcAttachment>,
    /// `TransitGatewayPeeringAttachments`.
    pub peering_attachments: Vec<TgwPeeringAttachment>,
    /// `TransitGatewayRouteTables`.
    pub route_tables: Vec<TgwRouteTable>,
    /// `TransitGatewayStaticRoutes` (Batfish's wrapper).
    pub routes: Vec<TgwTableRoutes>,
    /// `TransitGatewayPropagations` (Batfish's wrapper).
    pub propagations: Vec<TgwTablePropagations>,
    /// `VpnGateways`.
    pub vpn_gateways: Vec<VpnGateway>,
    /// `CustomerGateways`.
    pub customer_gateways: Vec<CustomerGateway>,
    /// `VpnConnections`.
    pub vpn_connections: Vec<VpnConnection>,
    /// `DirectConnectGateways` / `directConnectGateways`.
    pub dx_gateways: Vec<DxGateway>,
    /// `DirectConnectGatewayAssociations` / `directConnectGatewayAssociations`.
    pub dx_associations: Vec<DxAssociation>,
    /// `VirtualInterfaces` / `virtualInterfaces`.
    pub virtual_interfaces: Vec<VirtualInterface>,
    /// get-transit-gateway-route-table-propagations' own `TransitGatewayRouteTablePropagations`
    /// (no table id: the file's name carries it, [`table_id_in`]).
    pub bare_propagations: Vec<TgwPropagation>,
    /// search-transit-gateway-routes' own `Routes` (the table id from the file's name).
    pub bare_routes: Vec<TgwRoute>,
}

/// The first `tgw-rtb-…` id in a file name: the table a bare per-table output is about.
pub fn table_id_in(file: &str) -> Option<String> {
    let name = std::path::Path::new(file).file_name()?.to_string_lossy();
    let at = name.find("tgw-rtb-")?;
    let id: String = name[at..]
        .chars()
        .enumerate()
        .take_while(|(i, c)| *i < 8 || c.is_ascii_alphanumeric())
        .map(|(_, c)| c)
        .collect();
    (id.len() > 8).then_some(id)
}

impl TransitContents {
    /// Gives the bare per-table outputs of file `file` the table id its name carries, as
    /// Batfish's wrappers; false when there were some and the name carries no id.
    pub fn adopt_bare(&mut self, file: &str) -> bool {
        if self.bare_propagations.is_empty() && self.bare_routes.is_empty() {
            return true;
        }
        let Some(id) = table_id_in(file) else {
            return false;
        };
        if !self.bare_propagations.is_empty() {
            self.propagations.push(TgwTablePropagations {
                transit_gateway_route_table_id: id.clone(),
                transit_gateway_route_table_propagations: std::mem::take(
                    &mut self.bare_propagations,
                ),
            });
        }
        if !self.bare_routes.is_empty() {
            self.routes.push(TgwTableRoutes {
                transit_gateway_route_table_id: id,
                routes: std::mem::take(&mut self.bare_routes),
            });
        }
        true
    }
}

/// The top-level keys [`TransitContents::read`] takes.
pub const KEYS: &[&str] = &[
    "TransitGateways",
    "TransitGatewayAttachments",
    "TransitGatewayVpcAttachments",
    "TransitGatewayPeeringAttachments",
    "TransitGatewayRouteTables",
    "TransitGatewayStaticRoutes",
    "TransitGatewayPropagations",
    "VpnGateways",
    "CustomerGateways",
    "VpnConnections",
    "DirectConnectGateways",
    "directConnectGateways",
    "DirectConnectGatewayAssociations",
    "directConnectGatewayAssociations",
    "VirtualInterfaces",
    "virtualInterfaces",
    "TransitGatewayRouteTablePropagations",
    "Routes",
];

impl TransitContents {
    /// Reads the value of top-level key `key` (one of [`KEYS`]; any other is read and dropped).
    pub fn read<'de, A: MapAccess<'de>>(&mut self, key: &str, m: &mut A) -> Result<(), A::Error> {
        match key {
            "TransitGateways" => self.transit_gateways.extend(m.next_value::<Vec<_>>()?),
            "TransitGatewayAttachments" => self.attachments.extend(m.next_value::<Vec<_>>()?),
            "TransitGatewayVpcAttachments" => {
                self.vpc_attachments.extend(m.next_value::<Vec<_>>()?)
            }
            "TransitGatewayPeeringAttachments" => {
                self.peering_attachments.extend(m.next_value::<Vec<_>>()?)
            }
            "TransitGatewayRouteTables" => self.route_tables.extend(m.next_value::<Vec<_>>()?),
            "TransitGatewayStaticRoutes" => self.routes.extend(m.next_value::<Vec<_>>()?),
            "TransitGatewayPropagations" => self.propagations.extend(m.next_value::<Vec<_>>()?),
            "VpnGateways" => self.vpn_gateways.extend(m.next_value::<Vec<_>>()?),
            "CustomerGateways" => self.customer_gateways.extend(m.next_value::<Vec<_>>()?),
            "VpnConnections" => self.vpn_connections.extend(m.next_value::<Vec<_>>()?),
            "DirectConnectGateways" | "directConnectGateways" => {
                self.dx_gateways.extend(m.next_value::<Vec<_>>()?)
            }
            "DirectConnectGatewayAssociations" | "directConnectGatewayAssociations" => {
                self.dx_associations.extend(m.next_value::<Vec<_>>()?)
            }
            "VirtualInterfaces" | "virtualInterfaces" => {
                self.virtual_interfaces.extend(m.next_value::<Vec<_>>()?)
            }
            "TransitGatewayRouteTablePropagations" => {
                self.bare_propagations.extend(m.next_value::<Vec<_>>()?)
            }
            "Routes" => self.bare_routes.extend(m.next_value::<Vec<_>>()?),
            _ => {
                m.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}
