//! Which Terraform resource types are network resources, and what the importer does with
//! each: imported, or reported as not yet expressible (naming the issue that will add it).
//! Every type not listed (IAM, S3, Lambda, databases, ...) is not a network resource and is
//! ignored without a word.

use crate::import::report::issue;

/// What the importer does with a resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Imported (by the pass named after the type).
    Imported,
    /// A network resource the format cannot say yet: the reason, and the issue adding it.
    Later(&'static str, Option<u32>),
    /// Not a network resource.
    Ignored,
}

/// Types the importer maps onto the format.
const IMPORTED: &[&str] = &[
    "aws_vpc",
    "aws_default_vpc",
    "aws_vpc_ipv4_cidr_block_association",
    "aws_vpc_ipv6_cidr_block_association",
    "aws_egress_only_internet_gateway",
    "aws_subnet",
    "aws_default_subnet",
    "aws_route_table",
    "aws_default_route_table",
    "aws_route",
    "aws_route_table_association",
    "aws_main_route_table_association",
    "aws_internet_gateway",
    "aws_internet_gateway_attachment",
    "aws_nat_gateway",
    "aws_eip",
    "aws_eip_association",
    "aws_network_acl",
    "aws_default_network_acl",
    "aws_network_acl_rule",
    "aws_network_acl_association",
    "aws_security_group",
    "aws_default_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_instance",
    "aws_network_interface",
    "aws_network_interface_attachment",
    "aws_network_interface_sg_attachment",
    "aws_vpc_peering_connection",
    "aws_vpc_peering_connection_accepter",
    "aws_vpc_peering_connection_options",
    "aws_ec2_managed_prefix_list",
    "aws_ec2_managed_prefix_list_entry",
    "aws_vpc_endpoint",
    "aws_vpc_endpoint_route_table_association",
    "aws_vpc_endpoint_subnet_association",
    "aws_ec2_transit_gateway",
    "aws_ec2_transit_gateway_route_table",
    "aws_ec2_transit_gateway_vpc_attachment",
    "aws_ec2_transit_gateway_route_table_association",
    "aws_ec2_transit_gateway_route_table_propagation",
    "aws_ec2_transit_gateway_route",
    "aws_ec2_transit_gateway_peering_attachment",
    "aws_ec2_transit_gateway_peering_attachment_accepter",
    "aws_vpn_gateway",
    "aws_vpn_gateway_attachment",
    "aws_vpn_gateway_route_propagation",
    "aws_customer_gateway",
    "aws_vpn_connection",
    "aws_vpn_connection_route",
    "aws_dx_gateway",
    "aws_dx_gateway_association",
    "aws_dx_private_virtual_interface",
    "aws_dx_transit_virtual_interface",
    "aws_lb",
    "aws_alb",
    "aws_lb_listener",
    "aws_alb_listener",
    "aws_lb_listener_rule",
    "aws_alb_listener_rule",
    "aws_lb_target_group",
    "aws_alb_target_group",
    "aws_lb_target_group_attachment",
    "aws_alb_target_group_attachment",
];

/// Prefixes of types that a later issue adds, with the reason and the issue.
const LATER: &[(&str, &str, Option<u32>)] = &[
    (
        "aws_ec2_transit_gateway",
        "this transit gateway feature (Connect, multicast, policy tables, prefix-list references) is not in the format",
        None,
    ),
    (
        "aws_vpn_",
        "this VPN resource is not in the format",
        None,
    ),
    (
        "aws_dx_",
        "this Direct Connect resource (connections, LAGs, hosted and public interfaces) carries no route of its own in the format",
        None,
    ),
    (
        "aws_vpc_endpoint_",
        "endpoint services, connections and policies (PrivateLink providers, IAM) are not in the format",
        None,
    ),
    (
        "aws_lb_",
        "this load-balancer resource is not in the format yet (listeners, rules, target groups and attachments are)",
        Some(issue::LOAD_BALANCERS),
    ),
    (
        "aws_elb",
        "Classic Load Balancers are not in the format (application and network ones are)",
        Some(issue::LOAD_BALANCERS),
    ),
    (
        "aws_autoscaling_group",
        "instances an Auto Scaling group launches are not known before they run",
        None,
    ),
    (
        "aws_flow_log",
        "the Terraform importer does not write flow_logs: (add them by hand)",
        None,
    ),
    (
        "aws_route53_",
        "the Terraform importer does not write dns: (add Route 53 zones by hand)",
        None,
    ),
    (
        "aws_vpc_dhcp_options",
        "DHCP option sets are not in the format",
        None,
    ),
    (
        "aws_ec2_carrier_gateway",
        "carrier gateways (Wavelength) are not in the format",
        None,
    ),
    (
        "aws_ec2_local_gateway",
        "local gateways (Outposts) are not in the format",
        None,
    ),
    (
        "aws_networkfirewall_",
        "Network Firewall is not in the format",
        None,
    ),
    (
        "aws_ec2_traffic_mirror",
        "traffic mirroring is not in the format",
        None,
    ),
    ("aws_vpc_ipam", "IPAM is not in the format", None),
    (
        "aws_default_vpc_dhcp_options",
        "DHCP option sets are not in the format",
        None,
    ),
];

/// What the importer does with resources of type `t`.
pub fn kind(t: &str) -> Kind {
    if IMPORTED.contains(&t) {
        return Kind::Imported;
    }
    LATER
        .iter()
        .find(|(p, _, _)| t.starts_with(p))
        .map(|&(_, why, issue)| Kind::Later(why, issue))
        .unwrap_or(Kind::Ignored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_types() {
        assert_eq!(kind("aws_subnet"), Kind::Imported);
        assert_eq!(kind("aws_lb_listener"), Kind::Imported);
        assert_eq!(kind("aws_vpn_gateway"), Kind::Imported);
        assert!(matches!(
            kind("aws_ec2_transit_gateway_connect"),
            Kind::Later(_, None)
        ));
        assert_eq!(
            kind("aws_vpc_endpoint_route_table_association"),
            Kind::Imported
        );
        assert!(matches!(
            kind("aws_vpc_endpoint_service"),
            Kind::Later(_, None)
        ));
        assert_eq!(kind("aws_egress_only_internet_gateway"), Kind::Imported);
        assert_eq!(kind("aws_iam_role"), Kind::Ignored);
        assert_eq!(kind("aws_s3_bucket"), Kind::Ignored);
    }
}
