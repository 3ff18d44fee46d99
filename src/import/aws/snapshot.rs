//! One describe-* file recognised by its top-level keys ([`Contents`]), and every file of an
//! import merged into one [`Snapshot`] where each object carries the account and region its
//! file's path gave. Keys of the kinds vpclab does not import yet are kept as [`Later`]
//! objects for the report; keys with no bearing on packets are ignored; any other non-empty
//! key is reported as unrecognised (Batfish's rule). The `PrefixLists` key holds both AWS's
//! service lists and customer-managed lists, told apart later by their fields.

use super::json::*;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Keys of kinds a later issue adds, with that issue (`report::issue`).
pub const LATER: &[(&str, &str, u32)] = &[
    // Classic Load Balancers (describe-load-balancers of `aws elb`): not modelled.
    ("LoadBalancerDescriptions", "LoadBalancer", 15),
];

/// Keys of services whose network presence is their interfaces (imported from
/// `NetworkInterfaces`): reported once per object, without an issue.
pub const BY_INTERFACES: &[(&str, &str)] = &[
    ("DBInstances", "DBInstance"),
    ("DomainStatusList", "ElasticsearchDomain"),
];

/// Keys with no bearing on packets, ignored without a word.
pub const IGNORED: &[&str] = &[
    "AvailabilityZones",
    "DhcpOptions",
    "Tags",
    "InstanceStatuses",
    "PlacementGroups",
    "MovingAddressStatuses",
    "Hosts",
    "ServiceNames",
    "ServiceDetails",
    "NextToken",
    "ResponseMetadata",
];

/// Objects of one later kind in one file.
#[derive(Debug, Clone, Default)]
pub struct Later {
    /// The top-level key.
    pub key: String,
    /// The objects.
    pub items: Vec<Other>,
}

/// What one file holds, by top-level key.
#[derive(Debug, Clone, Default)]
pub struct Contents {
    /// `Vpcs`.
    pub vpcs: Vec<Vpc>,
    /// `Subnets`.
    pub subnets: Vec<Subnet>,
    /// `RouteTables`.
    pub route_tables: Vec<RouteTable>,
    /// `NetworkAcls`.
    pub network_acls: Vec<NetworkAcl>,
    /// `SecurityGroups`.
    pub security_groups: Vec<SecurityGroup>,
    /// `SecurityGroupRules`.
    pub security_group_rules: Vec<SecurityGroupRule>,
    /// `Reservations`.
    pub reservations: Vec<Reservation>,
    /// `NetworkInterfaces`.
    pub network_interfaces: Vec<NetworkInterface>,
    /// `InternetGateways`.
    pub internet_gateways: Vec<InternetGateway>,
    /// `EgressOnlyInternetGateways`.
    pub egress_only_internet_gateways: Vec<InternetGateway>,
    /// `NatGateways`.
    pub nat_gateways: Vec<NatGateway>,
    /// `Addresses`.
    pub addresses: Vec<Address>,
    /// `VpcPeeringConnections`.
    pub peerings: Vec<VpcPeeringConnection>,
    /// `PrefixLists` (both shapes).
    pub prefix_lists: Vec<PrefixList>,
    /// `VpcEndpoints`.
    pub vpc_endpoints: Vec<super::json_endpoints::VpcEndpoint>,
    /// `Entries` of get-managed-prefix-list-entries.
    pub prefix_list_entries: Vec<PrefixListEntry>,
    /// describe-vpc-attribute: `VpcId`.
    pub attribute_vpc: Option<String>,
    /// describe-vpc-attribute: `EnableDnsSupport`.
    pub dns_support: Option<bool>,
    /// describe-vpc-attribute: `EnableDnsHostnames`.
    pub dns_hostnames: Option<bool>,
    /// Kinds of later issues.
    pub later: Vec<Later>,
    /// Transit gateways, VPN and Direct Connect (`json_transit::KEYS`).
    pub transit: super::json_transit::TransitContents,
    /// Objects known only by their interfaces: (kind, objects).
    pub by_interfaces: Vec<(&'static str, Vec<Other>)>,
    /// Unrecognised non-empty keys and their element counts.
    pub unknown: Vec<(String, usize)>,
    /// Elastic Load Balancing (`aws elbv2 describe-*`).
    pub elbv2: super::json_elb::ElbContents,
}

/// Counts a list's elements without reading them (an unrecognised key).
struct Count(usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut s: A) -> Result<Count, A::Error> {
                let mut n = 0;
                while s.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(n))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Count, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Count(1))
            }
            fn visit_str<E>(self, _: &str) -> Result<Count, E> {
                Ok(Count(1))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Count, E> {
                Ok(Count(1))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Count, E> {
                Ok(Count(1))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Count, E> {
                Ok(Count(1))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Count, E> {
                Ok(Count(1))
            }
            fn visit_unit<E>(self) -> Result<Count, E> {
                Ok(Count(0))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Contents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Contents, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Contents;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object of `aws ... describe-*` output (`{\"Vpcs\": [...]}`)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Contents, A::Error> {
                let mut c = Contents::default();
                while let Some(key) = m.next_key::<String>()? {
                    match key.as_str() {
                        "Vpcs" => c.vpcs.extend(m.next_value::<Vec<Vpc>>()?),
                        "Subnets" => c.subnets.extend(m.next_value::<Vec<Subnet>>()?),
                        "RouteTables" => c.route_tables.extend(m.next_value::<Vec<RouteTable>>()?),
                        "NetworkAcls" => c.network_acls.extend(m.next_value::<Vec<NetworkAcl>>()?),
                        "SecurityGroups" => c
                            .security_groups
                            .extend(m.next_value::<Vec<SecurityGroup>>()?),
                        "SecurityGroupRules" => c
                            .security_group_rules
                            .extend(m.next_value::<Vec<SecurityGroupRule>>()?),
                        "Reservations" => {
                            c.reservations.extend(m.next_value::<Vec<Reservation>>()?)
                        }
                        "NetworkInterfaces" => c
                            .network_interfaces
                            .extend(m.next_value::<Vec<NetworkInterface>>()?),
                        "InternetGateways" => c
                            .internet_gateways
                            .extend(m.next_value::<Vec<InternetGateway>>()?),
                        "EgressOnlyInternetGateways" => c
                            .egress_only_internet_gateways
                            .extend(m.next_value::<Vec<InternetGateway>>()?),
                        "NatGateways" => c.nat_gateways.extend(m.next_value::<Vec<NatGateway>>()?),
                        "Addresses" => c.addresses.extend(m.next_value::<Vec<Address>>()?),
                        "VpcPeeringConnections" => c
                            .peerings
                            .extend(m.next_value::<Vec<VpcPeeringConnection>>()?),
                        "PrefixLists" => c.prefix_lists.extend(m.next_value::<Vec<PrefixList>>()?),
                        "VpcEndpoints" => c
                            .vpc_endpoints
                            .extend(m.next_value::<Vec<super::json_endpoints::VpcEndpoint>>()?),
                        "Entries" => c
                            .prefix_list_entries
                            .extend(m.next_value::<Vec<PrefixListEntry>>()?),
                        "VpcId" => c.attribute_vpc = Some(m.next_value::<String>()?),
                        "LoadBalancers" => c
                            .elbv2
                            .load_balancers
                            .extend(m.next_value::<Vec<super::json_elb::LoadBalancer>>()?),
                        "TargetGroups" => c
                            .elbv2
                            .target_groups
                            .extend(m.next_value::<Vec<super::json_elb::TargetGroup>>()?),
                        "Listeners" => c
                            .elbv2
                            .listeners
                            .extend(m.next_value::<Vec<super::json_elb::Listener>>()?),
                        "LoadBalancerListeners" => {
                            for l in m.next_value::<Vec<super::json_elb::ListenersOf>>()? {
                                c.elbv2.listeners.extend(l.listeners);
                            }
                        }
                        "Rules" => c
                            .elbv2
                            .rules
                            .extend(m.next_value::<Vec<super::json_elb::Rule>>()?),
                        "TargetHealthDescriptions" => {
                            c.elbv2.target_health.push((None, m.next_value()?))
                        }
                        "LoadBalancerTargetHealth" => {
                            for h in m.next_value::<Vec<super::json_elb::HealthOf>>()? {
                                c.elbv2
                                    .target_health
                                    .push((h.target_group_arn, h.target_health_descriptions));
                            }
                        }
                        "Attributes" => c.elbv2.attributes.push((None, m.next_value()?)),
                        "LoadBalancerAttributes" => {
                            for a in m.next_value::<Vec<super::json_elb::AttributesOf>>()? {
                                c.elbv2.attributes.push((a.load_balancer_arn, a.attributes));
                            }
                        }
                        "EnableDnsSupport" => c.dns_support = m.next_value::<VpcAttribute>()?.value,
                        "EnableDnsHostnames" => {
                            c.dns_hostnames = m.next_value::<VpcAttribute>()?.value
                        }
                        k if super::json_transit::KEYS.contains(&k) => c.transit.read(k, &mut m)?,
                        k => {
                            if LATER.iter().any(|(l, _, _)| *l == k) {
                                let items = m.next_value::<Vec<Other>>()?;
                                c.later.push(Later {
                                    key: key.clone(),
                                    items,
                                });
                            } else if let Some((_, kind)) =
                                BY_INTERFACES.iter().find(|(l, _)| *l == k)
                            {
                                c.by_interfaces.push((kind, m.next_value::<Vec<Other>>()?));
                            } else {
                                let Count(n) = m.next_value::<Count>()?;
                                if n > 0 && !IGNORED.contains(&k) {
                                    c.unknown.push((key.clone(), n));
                                }
                            }
                        }
                    }
                }
                Ok(c)
            }
        }
        d.deserialize_map(V)
    }
}

/// An object and the account and region of the file it came from.
#[derive(Debug, Clone)]
pub struct At<T> {
    /// The object.
    pub item: T,
    /// `accounts/ACCOUNT/` of its path.
    pub account: Option<String>,
    /// Region folder of its path.
    pub region: Option<String>,
    /// The file (for the report).
    pub file: String,
}

/// Where the objects of one file come from.
struct Origin<'a> {
    account: Option<String>,
    region: Option<String>,
    file: &'a str,
}

impl Origin<'_> {
    fn at<T>(&self, item: T) -> At<T> {
        At {
            item,
            account: self.account.clone(),
            region: self.region.clone(),
            file: self.file.to_string(),
        }
    }
}

/// Every file of an import, merged.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// VPCs.
    pub vpcs: Vec<At<Vpc>>,
    /// Subnets.
    pub subnets: Vec<At<Subnet>>,
    /// Route tables.
    pub route_tables: Vec<At<RouteTable>>,
    /// NACLs.
    pub network_acls: Vec<At<NetworkAcl>>,
    /// SGs.
    pub security_groups: Vec<At<SecurityGroup>>,
    /// SG rules of describe-security-group-rules.
    pub security_group_rules: Vec<At<SecurityGroupRule>>,
    /// Instances (out of their reservations).
    pub instances: Vec<At<Instance>>,
    /// Interfaces of describe-network-interfaces.
    pub network_interfaces: Vec<At<NetworkInterface>>,
    /// IGWs.
    pub internet_gateways: Vec<At<InternetGateway>>,
    /// EIGWs.
    pub egress_only_internet_gateways: Vec<At<InternetGateway>>,
    /// NAT gateways.
    pub nat_gateways: Vec<At<NatGateway>>,
    /// Elastic IPs.
    pub addresses: Vec<At<Address>>,
    /// Peerings.
    pub peerings: Vec<At<VpcPeeringConnection>>,
    /// Prefix lists (both shapes).
    pub prefix_lists: Vec<At<PrefixList>>,
    /// VPC endpoints.
    pub vpc_endpoints: Vec<At<super::json_endpoints::VpcEndpoint>>,
    /// Customer-managed prefix-list entries by list id (from the file name).
    pub prefix_list_entries: Vec<(String, Vec<PrefixListEntry>)>,
    /// VPC DNS attributes: (VPC id, support, hostnames).
    pub vpc_attributes: Vec<(String, Option<bool>, Option<bool>)>,
    /// Later kinds: (key, object, file).
    pub later: Vec<At<(String, Other)>>,
    /// Transit gateways, VPN and Direct Connect, per file.
    pub transit: Vec<At<super::json_transit::TransitContents>>,
    /// Objects known by their interfaces: (kind, object).
    pub by_interfaces: Vec<At<(&'static str, Other)>>,
    /// Unrecognised keys: (key, count, file).
    pub unknown: Vec<(String, usize, String)>,
    /// `Entries` files whose name carries no `pl-` id.
    pub orphan_entries: Vec<String>,
    /// Bare per-table transit gateway outputs whose file name carries no `tgw-rtb-` id.
    pub orphan_tables: Vec<String>,
    /// Elastic Load Balancing, every file's.
    pub elbv2: super::json_elb::ElbContents,
}

/// The first `pl-…` id in a file name (get-managed-prefix-list-entries output).
fn prefix_list_id_in(file: &str) -> Option<String> {
    let name = std::path::Path::new(file).file_name()?.to_string_lossy();
    let at = name.find("pl-")?;
    let id: String = name[at..]
        .chars()
        .enumerate()
        .take_while(|(i, c)| *i < 3 || c.is_ascii_alphanumeric())
        .map(|(_, c)| c)
        .collect();
    (id.len() > 3).then_some(id)
}

impl Snapshot {
    /// Adds one file's contents.
    pub fn add(
        &mut self,
        c: Contents,
        account: Option<String>,
        region: Option<String>,
        file: &str,
    ) {
        let o = Origin {
            account,
            region,
            file,
        };
        self.vpcs.extend(c.vpcs.into_iter().map(|x| o.at(x)));
        self.subnets.extend(c.subnets.into_iter().map(|x| o.at(x)));
        self.route_tables
            .extend(c.route_tables.into_iter().map(|x| o.at(x)));
        self.network_acls
            .extend(c.network_acls.into_iter().map(|x| o.at(x)));
        self.security_groups
            .extend(c.security_groups.into_iter().map(|x| o.at(x)));
        self.security_group_rules
            .extend(c.security_group_rules.into_iter().map(|x| o.at(x)));
        for r in c.reservations {
            self.instances
                .extend(r.instances.into_iter().map(|x| o.at(x)));
        }
        self.network_interfaces
            .extend(c.network_interfaces.into_iter().map(|x| o.at(x)));
        self.internet_gateways
            .extend(c.internet_gateways.into_iter().map(|x| o.at(x)));
        self.egress_only_internet_gateways
            .extend(c.egress_only_internet_gateways.into_iter().map(|x| o.at(x)));
        self.nat_gateways
            .extend(c.nat_gateways.into_iter().map(|x| o.at(x)));
        self.addresses
            .extend(c.addresses.into_iter().map(|x| o.at(x)));
        self.peerings
            .extend(c.peerings.into_iter().map(|x| o.at(x)));
        self.prefix_lists
            .extend(c.prefix_lists.into_iter().map(|x| o.at(x)));
        self.vpc_endpoints
            .extend(c.vpc_endpoints.into_iter().map(|x| o.at(x)));
        if !c.prefix_list_entries.is_empty() {
            match prefix_list_id_in(file) {
                Some(id) => self.prefix_list_entries.push((id, c.prefix_list_entries)),
                None => self.orphan_entries.push(file.to_string()),
            }
        }
        if let Some(v) = c.attribute_vpc {
            self.vpc_attributes
                .push((v, c.dns_support, c.dns_hostnames));
        }
        let mut transit = c.transit;
        if !transit.adopt_bare(file) {
            self.orphan_tables.push(file.to_string());
        }
        self.transit.push(o.at(transit));
        for l in c.later {
            for x in l.items {
                self.later.push(o.at((l.key.clone(), x)));
            }
        }
        for (kind, items) in c.by_interfaces {
            for x in items {
                self.by_interfaces.push(o.at((kind, x)));
            }
        }
        for (k, n) in c.unknown {
            self.unknown.push((k, n, file.to_string()));
        }
        self.elbv2.extend(c.elbv2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_dispatched_and_unknown_ones_counted() {
        let c: Contents = serde_json::from_str(
            r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "Extra": 1}],
                "TransitGateways": [{"TransitGatewayId": "tgw-1"}],
                "LoadBalancerDescriptions": [{"LoadBalancerName": "classic-1"}],
                "VpcEndpoints": [{"VpcEndpointId": "vpce-1"}],
                "Frobs": [1, 2], "Tags": [{"Key": "a"}], "Empty": []}"#,
        )
        .unwrap();
        assert_eq!(c.vpcs.len(), 1);
        assert_eq!(c.transit.transit_gateways[0].transit_gateway_id, "tgw-1");
        assert_eq!(c.later[0].key, "LoadBalancerDescriptions");
        assert_eq!(c.vpc_endpoints[0].vpc_endpoint_id, "vpce-1");
        assert_eq!(c.unknown, vec![("Frobs".to_string(), 2)]);
        let e = serde_json::from_str::<Contents>(r#"{"Vpcs": {"VpcId": 1}}"#).unwrap_err();
        assert_eq!((e.line(), e.column() > 0), (1, true), "{e}");
        assert!(serde_json::from_str::<Contents>("[1]").is_err());
    }

    #[test]
    fn prefix_list_ids_come_from_file_names() {
        assert_eq!(
            prefix_list_id_in("a/pl-0abc12.json").as_deref(),
            Some("pl-0abc12")
        );
        assert_eq!(prefix_list_id_in("a/Entries.json"), None);
    }
}
