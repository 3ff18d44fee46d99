//! The file's hybrid-networking objects as written (`docs/topology.md`, "Transit gateways, VPN
//! and Direct Connect"): transit gateways with their attachments and route tables, virtual
//! private gateways, customer gateways, Site-to-Site VPN connections, Direct Connect gateways
//! and virtual interfaces, and the on-premises networks behind them. Serde mirrors only; the
//! rules are `validate::transit`.

use super::span::{NamedMap, Sp, Word};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A transit gateway: a regional router between its attachments.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitGateway {
    /// Its region (default the topology's); VPC attachments must be in it.
    #[serde(default)]
    pub region: Option<Sp<String>>,
    /// The owner's account (12 digits, quoted; default the topology's).
    #[serde(default)]
    pub account: Option<Sp<String>>,
    /// AWS's `AmazonSideAsn` (default 64512).
    #[serde(default)]
    pub amazon_side_asn: Option<Sp<i64>>,
    /// AWS's `DefaultRouteTableAssociation` (default `true`): an attachment without
    /// `association:` is associated with `association_default_route_table`.
    #[serde(default)]
    pub default_route_table_association: Option<Sp<bool>>,
    /// AWS's `DefaultRouteTablePropagation` (default `true`): an attachment without
    /// `propagations:` propagates into `propagation_default_route_table`.
    #[serde(default)]
    pub default_route_table_propagation: Option<Sp<bool>>,
    /// AWS's `AssociationDefaultRouteTableId`, by name (default the implicit `default` table).
    #[serde(default)]
    pub association_default_route_table: Option<Sp<String>>,
    /// AWS's `PropagationDefaultRouteTableId`, by name (default the implicit `default` table).
    #[serde(default)]
    pub propagation_default_route_table: Option<Sp<String>>,
    /// Attachments by name (names unique in the whole topology: routes of a peer transit
    /// gateway name a peering attachment too).
    #[serde(default)]
    pub attachments: NamedMap<TgwAttachment>,
    /// Route tables by name; `default` exists implicitly while a default is enabled.
    #[serde(default)]
    pub route_tables: NamedMap<TgwRouteTable>,
    /// Its AWS id (`tgw-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// One transit gateway attachment. Exactly one of `vpc`, `vpn_connection`,
/// `direct_connect_gateway`, `peer_transit_gateway` says what is attached.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TgwAttachment {
    /// A VPC attachment: the VPC's name.
    #[serde(default)]
    pub vpc: Option<Sp<String>>,
    /// VPC attachment: one subnet per AZ (the attachment's ENIs live there; traffic from an AZ
    /// without one does not get through).
    #[serde(default)]
    pub subnets: Vec<Sp<String>>,
    /// VPC attachment: AWS's `ApplianceModeSupport` (default `false`): a flow and its reply
    /// stay on one AZ's attachment ENI, chosen by a flow hash.
    #[serde(default)]
    pub appliance_mode: Option<Sp<bool>>,
    /// A VPN attachment: the Site-to-Site VPN connection's name.
    #[serde(default)]
    pub vpn_connection: Option<Sp<String>>,
    /// A Direct Connect gateway attachment (AWS's DX gateway association): the gateway's name.
    #[serde(default)]
    pub direct_connect_gateway: Option<Sp<String>>,
    /// DX gateway attachment: the prefixes advertised to on-premises (required, as AWS).
    #[serde(default)]
    pub allowed_prefixes: Vec<Sp<String>>,
    /// A peering attachment: the peer transit gateway's name (static routes only).
    #[serde(default)]
    pub peer_transit_gateway: Option<Sp<String>>,
    /// Peering attachment: its association on the peer transit gateway, by table name
    /// (default the peer's association default table).
    #[serde(default)]
    pub peer_association: Option<Sp<String>>,
    /// The route table it is associated with, by name; `none` for no association (default the
    /// association default table when default association is enabled).
    #[serde(default)]
    pub association: Option<Sp<String>>,
    /// Route tables it propagates its routes into (default the propagation default table when
    /// default propagation is enabled; `[]` for none). Not for peering attachments.
    #[serde(default)]
    pub propagations: Option<Vec<Sp<String>>>,
    /// Its AWS id (`tgw-attach-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A transit gateway route table.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TgwRouteTable {
    /// Static and blackhole routes (propagated ones come from `propagations:`).
    #[serde(default)]
    pub routes: Vec<TgwRoute>,
    /// Its AWS id (`tgw-rtb-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A static transit gateway route: to an attachment, or a blackhole.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TgwRoute {
    /// Destination CIDR.
    pub destination: Sp<String>,
    /// The attachment's name (one of this transit gateway's, or a peering attachment to it).
    #[serde(default)]
    pub attachment: Option<Sp<String>>,
    /// `true`: drop what matches (AWS's blackhole route); exclusive with `attachment`.
    #[serde(default)]
    pub blackhole: Option<Sp<bool>>,
}

/// A virtual private gateway, attached to one VPC.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpnGateway {
    /// The VPC it is attached to (omitted: detached; routes cannot use it).
    #[serde(default)]
    pub vpc: Option<Sp<String>>,
    /// AWS's `AmazonSideAsn` (default 64512).
    #[serde(default)]
    pub amazon_side_asn: Option<Sp<i64>>,
    /// The Direct Connect gateway it is associated with.
    #[serde(default)]
    pub direct_connect_gateway: Option<Sp<String>>,
    /// With `direct_connect_gateway`: the prefixes advertised to on-premises (default the
    /// VPC's CIDRs, as AWS).
    #[serde(default)]
    pub allowed_prefixes: Option<Vec<Sp<String>>>,
    /// Its AWS id (`vgw-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A customer gateway: the on-premises end of VPN connections.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerGateway {
    /// The on-premises network it belongs to.
    pub on_premises: Sp<String>,
    /// Its public address (AWS's `IpAddress`; informative, no packet uses it).
    #[serde(default)]
    pub ip: Option<Sp<String>>,
    /// AWS's `BgpAsn` (default 65000).
    #[serde(default)]
    pub bgp_asn: Option<Sp<i64>>,
    /// Its AWS id (`cgw-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A Site-to-Site VPN connection: on a VGW (`vpn_gateway:`) or on a transit gateway (a
/// transit gateway attachment with `vpn_connection:` names it).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpnConnection {
    /// Its customer gateway.
    pub customer_gateway: Sp<String>,
    /// The virtual private gateway it terminates on (omit on a transit gateway).
    #[serde(default)]
    pub vpn_gateway: Option<Sp<String>>,
    /// `dynamic` (BGP, default) or `static` (AWS's `StaticRoutesOnly`).
    #[serde(default)]
    pub routing: Option<Sp<String>>,
    /// `static` routing: the on-premises prefixes (AWS's VPN connection routes).
    #[serde(default)]
    pub static_routes: Vec<Sp<String>>,
    /// `dynamic` routing: what the customer gateway advertises over BGP (default the
    /// on-premises network's CIDRs).
    #[serde(default)]
    pub advertised_prefixes: Option<Vec<Sp<String>>>,
    /// `up` (default) or `down` (both tunnels down).
    #[serde(default)]
    pub state: Option<Sp<String>>,
    /// Its AWS id (`vpn-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A Direct Connect gateway: global; associated with VGWs (private virtual interfaces) or
/// transit gateways (transit virtual interfaces).
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectConnectGateway {
    /// AWS's `AmazonSideAsn` (default 64512).
    #[serde(default)]
    pub amazon_side_asn: Option<Sp<i64>>,
    /// Its AWS id (Direct Connect gateway ids are UUIDs; any `[a-z0-9-]` text).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A Direct Connect virtual interface: on-premises reaches AWS over a connection.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VirtualInterface {
    /// `private` (to a VGW or a DX gateway of VGWs) or `transit` (to a DX gateway of transit
    /// gateways).
    #[serde(rename = "type")]
    pub vif_type: Sp<String>,
    /// The on-premises network at the customer's end.
    pub on_premises: Sp<String>,
    /// The Direct Connect gateway it ends on.
    #[serde(default)]
    pub direct_connect_gateway: Option<Sp<String>>,
    /// `private` only: the VGW it ends on directly (instead of a DX gateway).
    #[serde(default)]
    pub vpn_gateway: Option<Sp<String>>,
    /// What the customer router advertises over BGP (default the on-premises CIDRs).
    #[serde(default)]
    pub advertised_prefixes: Option<Vec<Sp<String>>>,
    /// `up` (default) or `down`: the connection under it is down.
    #[serde(default)]
    pub state: Option<Sp<String>>,
    /// The 802.1Q VLAN (informative).
    #[serde(default)]
    pub vlan: Option<Sp<i64>>,
    /// Its AWS id (`dxvif-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A network outside AWS (a data center, a branch office), reached over VPN or Direct Connect.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnPremises {
    /// Its address space (private addresses allowed; outside every VPC).
    pub cidrs: Vec<Sp<String>>,
    /// Hosts by name (names unique among instances, internet and on-premises hosts).
    #[serde(default)]
    pub hosts: NamedMap<OnPremisesHost>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// A host of an on-premises network (like an internet host, on private addresses).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnPremisesHost {
    /// Its address, inside one of the network's CIDRs.
    pub ip: Sp<String>,
    /// Built-in listeners (`http:80`, `tcp:5432`, `udp:9000`).
    #[serde(default)]
    pub services: Vec<Sp<String>>,
    /// Shell commands started inside the host (netns backend).
    #[serde(default)]
    pub run: Vec<Sp<String>>,
    /// Client ephemeral source ports (default `32768-60999`).
    #[serde(default)]
    pub ephemeral_ports: Option<Sp<Word>>,
}

/// The name of the gateway a route target (`tgw:NAME`, `vgw:NAME`, or an id `tgw-…`/`vgw-…`)
/// refers to: a name in `map`, a written `aws_id`, or a derived id (`PREFIX-NAME`, or the name
/// itself when it already starts with `PREFIX-`).
pub fn gateway_name<'a, T>(
    map: &'a NamedMap<T>,
    prefix: &str,
    aws_id: impl Fn(&T) -> Option<&Sp<String>>,
    s: &str,
) -> Option<&'a str> {
    if let Some((k, _)) = map.iter().find(|(k, _)| k.value == s) {
        return Some(&k.value);
    }
    let derived = |n: &str| {
        if n.starts_with(&format!("{prefix}-")) {
            n.to_string()
        } else {
            format!("{prefix}-{n}")
        }
    };
    map.iter()
        .find(|(k, v)| aws_id(v).is_some_and(|a| a.value == s) || derived(&k.value) == s)
        .map(|(k, _)| k.value.as_str())
}

impl super::Topology {
    /// The transit gateway a VPC route's `tgw:`/`tgw-…` target names (see [`gateway_name`]).
    pub fn transit_gateway_name(&self, s: &str) -> Option<&str> {
        gateway_name(&self.transit_gateways, "tgw", |g| g.aws_id.as_ref(), s)
    }
    /// The VGW a VPC route's `vgw:`/`vgw-…` target names (see [`gateway_name`]).
    pub fn vpn_gateway_name(&self, s: &str) -> Option<&str> {
        gateway_name(&self.vpn_gateways, "vgw", |g| g.aws_id.as_ref(), s)
    }
}
