//! The `aws ec2 describe-*` JSON this importer reads, as AWS (and Batfish's collector) write
//! it: only the fields vpclab uses, every one optional (`#[serde(default)]`), unknown fields
//! ignored. A field of the wrong type is an error with the file's line:col.

use serde::Deserialize;

/// `Tags[]` / `TagSet[]` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Tag {
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// The `Name` tag of a tag list, when set and not blank.
pub fn name_tag(tags: &[Tag]) -> Option<&str> {
    tags.iter()
        .find(|t| t.key == "Name" && !t.value.trim().is_empty())
        .map(|t| t.value.as_str())
}

/// `{"State": "..."}` (CidrBlockState, AssociationState).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct StateOnly {
    /// The state word.
    pub state: Option<String>,
}

/// describe-vpcs `Vpcs[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Vpc {
    /// `vpc-…`.
    pub vpc_id: String,
    /// Primary IPv4 CIDR (absent in describe-vpc-classic-link's `Vpcs`).
    pub cidr_block: Option<String>,
    /// Every IPv4 CIDR with its state.
    pub cidr_block_association_set: Vec<CidrAssociation>,
    /// IPv6 CIDRs.
    pub ipv6_cidr_block_association_set: Vec<super::json_ipv6::Ipv6CidrAssociation>,
    /// Owner account.
    pub owner_id: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// One `CidrBlockAssociationSet[]` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CidrAssociation {
    /// The CIDR.
    pub cidr_block: String,
    /// `associated`, `disassociated`, ...
    pub cidr_block_state: StateOnly,
}

/// describe-vpc-attribute output: `{"VpcId", "EnableDnsSupport": {"Value": bool}}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VpcAttribute {
    /// The value.
    pub value: Option<bool>,
}

/// describe-subnets `Subnets[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Subnet {
    /// `subnet-…`.
    pub subnet_id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// IPv4 CIDR (absent on IPv6-only subnets).
    pub cidr_block: Option<String>,
    /// AZ name (`us-east-2b`).
    pub availability_zone: Option<String>,
    /// MapPublicIpOnLaunch.
    pub map_public_ip_on_launch: bool,
    /// AssignIpv6AddressOnCreation.
    pub assign_ipv6_address_on_creation: bool,
    /// An IPv6-only subnet.
    pub ipv6_native: bool,
    /// DNS64 on the VPC resolver for this subnet.
    pub enable_dns64: bool,
    /// IPv6 CIDRs.
    pub ipv6_cidr_block_association_set: Vec<super::json_ipv6::Ipv6CidrAssociation>,
    /// Owner account.
    pub owner_id: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// describe-route-tables `RouteTables[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RouteTable {
    /// `rtb-…`.
    pub route_table_id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Subnet, gateway and main associations.
    pub associations: Vec<RouteTableAssociation>,
    /// VGWs that propagate routes into it.
    pub propagating_vgws: Vec<PropagatingVgw>,
    /// Routes, local ones included.
    pub routes: Vec<Route>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// One `Associations[]` entry of a route table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RouteTableAssociation {
    /// The main association (it has no SubnetId).
    pub main: bool,
    /// The associated subnet.
    pub subnet_id: Option<String>,
    /// An edge association (ingress routing).
    pub gateway_id: Option<String>,
    /// `associated`, `disassociating`, ...
    pub association_state: Option<StateOnly>,
}

/// `PropagatingVgws[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PropagatingVgw {
    /// `vgw-…`.
    pub gateway_id: String,
}

/// One route.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Route {
    /// IPv4 destination.
    pub destination_cidr_block: Option<String>,
    /// IPv6 destination.
    pub destination_ipv6_cidr_block: Option<String>,
    /// Prefix-list destination.
    pub destination_prefix_list_id: Option<String>,
    /// `local`, `igw-`, `vgw-`, `vpce-` (AWS puts several kinds here).
    pub gateway_id: Option<String>,
    /// `nat-…`.
    pub nat_gateway_id: Option<String>,
    /// `tgw-…`.
    pub transit_gateway_id: Option<String>,
    /// `pcx-…`.
    pub vpc_peering_connection_id: Option<String>,
    /// `eni-…`.
    pub network_interface_id: Option<String>,
    /// `i-…`.
    pub instance_id: Option<String>,
    /// `eigw-…`.
    pub egress_only_internet_gateway_id: Option<String>,
    /// `lgw-…`.
    pub local_gateway_id: Option<String>,
    /// `cagw-…`.
    pub carrier_gateway_id: Option<String>,
    /// Cloud WAN core network.
    pub core_network_arn: Option<String>,
    /// `active` or `blackhole`.
    pub state: Option<String>,
    /// `CreateRouteTable`, `CreateRoute`, `EnableVgwRoutePropagation`.
    pub origin: Option<String>,
}

impl Route {
    /// The route's target id: the first target field set (dispatch is then by prefix, since
    /// AWS is forgiving about which field holds which kind).
    pub fn target(&self) -> Option<&str> {
        [
            &self.gateway_id,
            &self.nat_gateway_id,
            &self.transit_gateway_id,
            &self.vpc_peering_connection_id,
            &self.network_interface_id,
            &self.instance_id,
            &self.egress_only_internet_gateway_id,
            &self.local_gateway_id,
            &self.carrier_gateway_id,
            &self.core_network_arn,
        ]
        .into_iter()
        .find_map(|f| f.as_deref())
    }
}

/// describe-network-acls `NetworkAcls[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkAcl {
    /// `acl-…`.
    pub network_acl_id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// The VPC's default NACL.
    pub is_default: bool,
    /// Subnet associations.
    pub associations: Vec<NaclAssociation>,
    /// Entries, the implicit `*` ones (32767, 32768) included.
    pub entries: Vec<NaclEntry>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// One NACL association.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NaclAssociation {
    /// The subnet.
    pub subnet_id: String,
}

/// One NACL entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NaclEntry {
    /// Rule number.
    pub rule_number: i64,
    /// Outbound when true.
    pub egress: bool,
    /// `-1` or a protocol number as text.
    pub protocol: String,
    /// `allow` / `deny`.
    pub rule_action: String,
    /// IPv4 CIDR.
    pub cidr_block: Option<String>,
    /// IPv6 CIDR.
    pub ipv6_cidr_block: Option<String>,
    /// tcp/udp ports.
    pub port_range: Option<PortRange>,
    /// ICMP type and code (-1 = any).
    pub icmp_type_code: Option<IcmpTypeCode>,
}

/// `PortRange`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PortRange {
    /// First port.
    pub from: Option<i64>,
    /// Last port.
    pub to: Option<i64>,
}

/// `IcmpTypeCode`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IcmpTypeCode {
    /// Type, -1 = any.
    #[serde(rename = "Type")]
    pub icmp_type: Option<i64>,
    /// Code, -1 = any.
    pub code: Option<i64>,
}

/// describe-security-groups `SecurityGroups[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SecurityGroup {
    /// `sg-…`.
    pub group_id: String,
    /// The group's name (`default` for the default group).
    pub group_name: String,
    /// AWS's description.
    pub description: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Owner account.
    pub owner_id: Option<String>,
    /// Inbound permissions.
    pub ip_permissions: Vec<IpPermission>,
    /// Outbound permissions.
    pub ip_permissions_egress: Vec<IpPermission>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// One permission: a protocol and ports, and many peers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IpPermission {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1` or a number as text.
    pub ip_protocol: String,
    /// First port, or the ICMP type (-1 = any).
    pub from_port: Option<i64>,
    /// Last port, or the ICMP code (-1 = any).
    pub to_port: Option<i64>,
    /// IPv4 peers.
    pub ip_ranges: Vec<IpRange>,
    /// IPv6 peers.
    pub ipv6_ranges: Vec<Ipv6Range>,
    /// Prefix-list peers.
    pub prefix_list_ids: Vec<PrefixListId>,
    /// Group peers.
    pub user_id_group_pairs: Vec<UserIdGroupPair>,
}

/// `IpRanges[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IpRange {
    /// The CIDR.
    pub cidr_ip: String,
    /// The rule's description.
    pub description: Option<String>,
}

/// `Ipv6Ranges[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Ipv6Range {
    /// The CIDR.
    pub cidr_ipv6: String,
    /// The rule's description.
    pub description: Option<String>,
}

/// `PrefixListIds[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PrefixListId {
    /// `pl-…`.
    pub prefix_list_id: String,
    /// The rule's description.
    pub description: Option<String>,
}

/// `UserIdGroupPairs[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UserIdGroupPair {
    /// The referenced group.
    pub group_id: String,
    /// Its account.
    pub user_id: Option<String>,
    /// Its VPC (cross-VPC references).
    pub vpc_id: Option<String>,
    /// The peering the reference goes over.
    pub vpc_peering_connection_id: Option<String>,
    /// The rule's description.
    pub description: Option<String>,
}

/// describe-security-group-rules `SecurityGroupRules[]`: one peer per rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SecurityGroupRule {
    /// `sgr-…`.
    pub security_group_rule_id: String,
    /// The group it belongs to.
    pub group_id: String,
    /// Outbound when true.
    pub is_egress: bool,
    /// As in a permission.
    pub ip_protocol: String,
    /// As in a permission.
    pub from_port: Option<i64>,
    /// As in a permission.
    pub to_port: Option<i64>,
    /// An IPv4 peer.
    pub cidr_ipv4: Option<String>,
    /// An IPv6 peer.
    pub cidr_ipv6: Option<String>,
    /// A prefix-list peer.
    pub prefix_list_id: Option<String>,
    /// A group peer.
    pub referenced_group_info: Option<UserIdGroupPair>,
    /// The rule's description.
    pub description: Option<String>,
}

impl SecurityGroupRule {
    /// The rule as a one-peer permission of describe-security-groups.
    pub fn permission(&self) -> IpPermission {
        let d = self.description.clone();
        IpPermission {
            ip_protocol: self.ip_protocol.clone(),
            from_port: self.from_port,
            to_port: self.to_port,
            ip_ranges: self
                .cidr_ipv4
                .iter()
                .map(|c| IpRange {
                    cidr_ip: c.clone(),
                    description: d.clone(),
                })
                .collect(),
            ipv6_ranges: self
                .cidr_ipv6
                .iter()
                .map(|c| Ipv6Range {
                    cidr_ipv6: c.clone(),
                    description: d.clone(),
                })
                .collect(),
            prefix_list_ids: self
                .prefix_list_id
                .iter()
                .map(|p| PrefixListId {
                    prefix_list_id: p.clone(),
                    description: d.clone(),
                })
                .collect(),
            user_id_group_pairs: self
                .referenced_group_info
                .iter()
                .map(|g| UserIdGroupPair {
                    description: d.clone(),
                    ..g.clone()
                })
                .collect(),
        }
    }
}

pub use super::json_hosts::*;
