//! The describe-* JSON of what holds addresses and of the remaining kinds: instances and
//! their interfaces, gateways, Elastic IPs, peerings, prefix lists, and the objects of kinds
//! only reported. Part of [`super::json`] (re-exported there); same rules: every field
//! optional, unknown fields ignored.

use super::json::Tag;
use serde::Deserialize;

/// describe-instances `Reservations[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Reservation {
    /// The instances.
    pub instances: Vec<Instance>,
    /// Owner account.
    pub owner_id: Option<String>,
}

/// One instance.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Instance {
    /// `i-…`.
    pub instance_id: String,
    /// Primary subnet (old dumps without `NetworkInterfaces`).
    pub subnet_id: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Primary private IP.
    pub private_ip_address: Option<String>,
    /// Public IP.
    pub public_ip_address: Option<String>,
    /// Groups of the primary interface.
    pub security_groups: Vec<GroupIdentifier>,
    /// SourceDestCheck.
    pub source_dest_check: Option<bool>,
    /// `{"Name": "running"}`.
    pub state: Option<InstanceState>,
    /// Its interfaces.
    pub network_interfaces: Vec<NetworkInterface>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// `State` of an instance.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InstanceState {
    /// `pending`, `running`, `stopping`, `stopped`, `shutting-down`, `terminated`.
    pub name: String,
}

/// `{GroupId, GroupName}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GroupIdentifier {
    /// `sg-…`.
    pub group_id: String,
}

/// describe-network-interfaces `NetworkInterfaces[]`, and an instance's interfaces.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkInterface {
    /// `eni-…`.
    pub network_interface_id: String,
    /// Its subnet.
    pub subnet_id: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// `interface`, `nat_gateway`, `vpc_endpoint`, `transit_gateway`, `network_load_balancer`…
    pub interface_type: Option<String>,
    /// AWS's description (what created it).
    pub description: Option<String>,
    /// Managed by an AWS service.
    pub requester_managed: bool,
    /// `in-use`, `available`, ...
    pub status: Option<String>,
    /// Its groups.
    pub groups: Vec<GroupIdentifier>,
    /// Primary private IP.
    pub private_ip_address: Option<String>,
    /// Every private IP.
    pub private_ip_addresses: Vec<PrivateIp>,
    /// The primary IP's public address.
    pub association: Option<IpAssociation>,
    /// IPv6 addresses.
    pub ipv6_addresses: Vec<super::json_ipv6::Ipv6Address>,
    /// SourceDestCheck.
    pub source_dest_check: Option<bool>,
    /// Attachment (instance, device index).
    pub attachment: Option<Attachment>,
    /// Owner account.
    pub owner_id: Option<String>,
    /// Tags: describe-network-interfaces calls them `TagSet`.
    #[serde(alias = "Tags")]
    pub tag_set: Vec<Tag>,
}

/// `PrivateIpAddresses[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PrivateIp {
    /// The address.
    pub private_ip_address: String,
    /// The interface's primary address.
    pub primary: bool,
    /// Its public address.
    pub association: Option<IpAssociation>,
}

/// `Association` (public address of a private one).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IpAssociation {
    /// The public address.
    pub public_ip: Option<String>,
}

/// `Attachment` of an interface.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Attachment {
    /// The instance (absent for AWS-managed interfaces).
    pub instance_id: Option<String>,
    /// Device index.
    pub device_index: Option<i64>,
    /// Owner of the instance (`amazon-aws` for AWS services).
    pub instance_owner_id: Option<String>,
    /// `attached`, ...
    pub status: Option<String>,
}

/// describe-internet-gateways `InternetGateways[]` and `EgressOnlyInternetGateways[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InternetGateway {
    /// `igw-…`.
    pub internet_gateway_id: Option<String>,
    /// `eigw-…`.
    pub egress_only_internet_gateway_id: Option<String>,
    /// VPC attachments: `available` for an IGW, `attached` for an EIGW.
    pub attachments: Vec<GatewayAttachment>,
    /// Tags (an egress-only gateway's Name becomes its name).
    pub tags: Vec<Tag>,
}

/// One gateway attachment.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GatewayAttachment {
    /// `available`, `attached`, `detached`, ...
    pub state: Option<String>,
    /// The VPC.
    pub vpc_id: String,
}

/// describe-nat-gateways `NatGateways[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NatGateway {
    /// `nat-…`.
    pub nat_gateway_id: String,
    /// Its subnet.
    pub subnet_id: String,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// `pending`, `available`, `failed`, `deleting`, `deleted`.
    pub state: Option<String>,
    /// `public` / `private`.
    pub connectivity_type: Option<String>,
    /// Its addresses.
    pub nat_gateway_addresses: Vec<NatGatewayAddress>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// `NatGatewayAddresses[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NatGatewayAddress {
    /// The gateway's interface for this address.
    pub network_interface_id: Option<String>,
    /// Private address.
    pub private_ip: Option<String>,
    /// Elastic IP.
    pub public_ip: Option<String>,
    /// The first address (absent in older dumps: then the first listed).
    pub is_primary: Option<bool>,
}

/// describe-addresses `Addresses[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Address {
    /// The Elastic IP.
    pub public_ip: Option<String>,
    /// The interface it is associated with.
    pub network_interface_id: Option<String>,
    /// The private address it maps to.
    pub private_ip_address: Option<String>,
}

/// describe-vpc-peering-connections `VpcPeeringConnections[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpcPeeringConnection {
    /// `pcx-…`.
    pub vpc_peering_connection_id: String,
    /// `{"Code": "active"}`.
    pub status: Option<PeeringStatus>,
    /// Requester side.
    pub requester_vpc_info: Option<PeeringVpcInfo>,
    /// Accepter side.
    pub accepter_vpc_info: Option<PeeringVpcInfo>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// `Status`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PeeringStatus {
    /// `active`, `pending-acceptance`, `deleted`, ...
    pub code: String,
}

/// One side of a peering.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PeeringVpcInfo {
    /// The VPC.
    pub vpc_id: String,
    /// Its account.
    pub owner_id: Option<String>,
    /// Its region.
    pub region: Option<String>,
    /// `PeeringOptions`.
    pub peering_options: Option<PeeringOptions>,
}

/// `PeeringOptions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PeeringOptions {
    /// DNS resolution from the remote VPC.
    pub allow_dns_resolution_from_remote_vpc: bool,
}

/// `PrefixLists[]`: describe-prefix-lists (AWS-managed: `Cidrs`) and
/// describe-managed-prefix-lists (customer-managed: `MaxEntries`, `AddressFamily`, entries
/// elsewhere) share the key; the fields tell them apart.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PrefixList {
    /// `pl-…`.
    pub prefix_list_id: String,
    /// Name (`com.amazonaws.us-east-1.s3` for AWS's).
    pub prefix_list_name: Option<String>,
    /// AWS-managed lists: the CIDRs.
    pub cidrs: Option<Vec<String>>,
    /// Customer-managed: `IPv4` / `IPv6`.
    pub address_family: Option<String>,
    /// Customer-managed: MaxEntries.
    pub max_entries: Option<i64>,
    /// Customer-managed: `create-complete`, `delete-complete`, ...
    pub state: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// get-managed-prefix-list-entries `Entries[]` (the file name carries the list's id).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PrefixListEntry {
    /// The CIDR.
    pub cidr: String,
    /// Its description.
    pub description: Option<String>,
}

/// An object of a kind vpclab does not import yet: only what names it in the report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Other {
    /// The id fields of the kinds reported, first found wins.
    pub transit_gateway_attachment_id: Option<String>,
    /// TGW route table (also Batfish's wrapper lists).
    pub transit_gateway_route_table_id: Option<String>,
    /// TGW.
    pub transit_gateway_id: Option<String>,
    /// VGW.
    pub vpn_gateway_id: Option<String>,
    /// VPN connection.
    pub vpn_connection_id: Option<String>,
    /// Customer gateway.
    pub customer_gateway_id: Option<String>,
    /// Direct Connect gateway.
    pub direct_connect_gateway_id: Option<String>,
    /// Virtual interface.
    pub virtual_interface_id: Option<String>,
    /// VPC endpoint.
    pub vpc_endpoint_id: Option<String>,
    /// ELBv2 ARN.
    pub load_balancer_arn: Option<String>,
    /// Classic ELB name.
    pub load_balancer_name: Option<String>,
    /// Target group.
    pub target_group_arn: Option<String>,
    /// Listener.
    pub listener_arn: Option<String>,
    /// RDS.
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance_identifier: Option<String>,
    /// OpenSearch.
    pub domain_name: Option<String>,
    /// Gateway endpoint type etc.
    pub vpc_endpoint_type: Option<String>,
    /// State of those that have one (deleted VPN connections, ...).
    pub state: Option<AnyState>,
}

/// A state as the kinds write it: a word (`"deleted"`) or an object (`{"Code": "active"}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AnyState {
    /// `"available"`.
    Word(String),
    /// `{"Code": ...}` or `{"Name": ...}`.
    Object {
        /// ELBv2's `Code`.
        #[serde(rename = "Code", default)]
        code: Option<String>,
        /// EC2's `Name`.
        #[serde(rename = "Name", default)]
        name: Option<String>,
    },
    /// Anything else (ignored).
    Other(serde::de::IgnoredAny),
}

impl AnyState {
    /// The state word, when there is one.
    pub fn word(&self) -> Option<&str> {
        match self {
            AnyState::Word(w) => Some(w),
            AnyState::Object { code, name } => code.as_deref().or(name.as_deref()),
            AnyState::Other(_) => None,
        }
    }
}

impl Other {
    /// The first id field set.
    pub fn id(&self) -> Option<&str> {
        [
            &self.transit_gateway_attachment_id,
            &self.vpc_endpoint_id,
            &self.vpn_connection_id,
            &self.vpn_gateway_id,
            &self.customer_gateway_id,
            &self.virtual_interface_id,
            &self.direct_connect_gateway_id,
            &self.listener_arn,
            &self.target_group_arn,
            &self.load_balancer_arn,
            &self.load_balancer_name,
            &self.transit_gateway_route_table_id,
            &self.transit_gateway_id,
            &self.db_instance_identifier,
            &self.domain_name,
        ]
        .into_iter()
        .find_map(|f| f.as_deref())
    }
}
