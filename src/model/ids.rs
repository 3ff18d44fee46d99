//! Typed indexes into the model's tables (`VpcId(n)` is `Network::vpcs[n]`), and AWS-style
//! display ids derived from names. Part of `model` (rank 1); every layer above names objects
//! by these ids.

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub struct $name(pub u32);
        impl $name {
            /// The position in the model's table of this kind (`Network::vpcs` for a `VpcId`).
            pub fn idx(self) -> usize { self.0 as usize }
        }
    )*};
}

id_type!(
    /// A VPC.
    VpcId,
    /// A subnet.
    SubnetId,
    /// A route table.
    RouteTableId,
    /// A network ACL.
    NaclId,
    /// A security group.
    SgId,
    /// An elastic network interface.
    EniId,
    /// An EC2 instance.
    InstanceId,
    /// A NAT gateway.
    NatId,
    /// A VPC peering connection.
    PeeringId,
    /// A host on the emulated internet.
    InternetHostId,
    /// An engine port: one per instance and per internet host (a TAP or a virtual host).
    PortId,
    /// A customer-managed prefix list.
    PrefixListId,
    /// An AWS service on the emulated internet (`Network::aws_services`).
    AwsServiceId,
    /// A VPC endpoint (`Network::vpc_endpoints`).
    VpcEndpointId,
    /// An Elastic Load Balancing load balancer (`Network::load_balancers`).
    LoadBalancerId,
);

/// `PREFIX-NAME`, unless the name already starts with `PREFIX-` (`nat-a` stays `nat-a`).
pub fn aws_id(prefix: &str, name: &str) -> String {
    if name.starts_with(prefix) && name[prefix.len()..].starts_with('-') {
        name.to_string()
    } else {
        format!("{prefix}-{name}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_from_names() {
        assert_eq!(super::aws_id("sg", "web"), "sg-web");
        assert_eq!(super::aws_id("nat", "nat-a"), "nat-a");
        assert_eq!(super::aws_id("nat", "natbox"), "nat-natbox");
    }
}
