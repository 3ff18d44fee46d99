//! Explanation codes (part of `policy`, rank 2): why a component rejected a packet, named as AWS
//! Reachability Analyzer names them (reference §9.3). The enum is the only form inside the program;
//! the AWS name (`SUBNET_ACL_RESTRICTION`) appears only where a decision is written out (JSON,
//! text, the control socket), through `as_str`, `Display` and serde.
//!
//! vpclab also reports a few situations Reachability Analyzer has no code for (it analyses
//! configuration, not running state: stopped instances, NAT port exhaustion, conntrack limits).
//! Those variants say "vpclab's own code" in their doc comment; `is_aws` tells them apart.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Defines `ExplanationCode` from one table: variant, written name, and whether AWS has it.
macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $aws:literal; )*) => {
        /// Why a component rejected a packet (AWS Reachability Analyzer explanation code, or
        /// one of vpclab's own where AWS has none). Serialises as its written name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ExplanationCode {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ExplanationCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ExplanationCode] = &[$(ExplanationCode::$variant),*];

            /// The written name (`SUBNET_ACL_RESTRICTION`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ExplanationCode::$variant => $name,)*
                }
            }

            /// True when AWS Reachability Analyzer has this code; false for vpclab's own.
            pub const fn is_aws(self) -> bool {
                match self {
                    $(ExplanationCode::$variant => $aws,)*
                }
            }
        }
    };
}

codes! {
    /// A network ACL rule (or its final `*` deny) rejected the packet.
    SubnetAclRestriction = "SUBNET_ACL_RESTRICTION", true;
    /// None of the security groups' rules in that direction matches the packet.
    EniSgRulesMismatch = "ENI_SG_RULES_MISMATCH", true;
    /// The ENI's security groups have no rules at all in that direction.
    SgHasNoRules = "SG_HAS_NO_RULES", true;
    /// The route table has no route whose destination contains the packet's.
    NoRouteToDestination = "NO_ROUTE_TO_DESTINATION", true;
    /// The matching route is a blackhole (its target is gone or not usable).
    BadStateRoute = "BAD_STATE_ROUTE", true;
    /// A local route matches only destinations inside the VPC's CIDRs.
    VpcLocalRouteCidrRestriction = "VPC_LOCAL_ROUTE_CIDR_RESTRICTION", true;
    /// The source/destination check dropped a packet that is not addressed to or from the ENI.
    EniSourceDestCheckRestriction = "ENI_SOURCE_DEST_CHECK_RESTRICTION", true;
    /// Egress through an internet gateway from a private address with no public IP pairing.
    IgwPublicIpAssociationForEgress = "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", true;
    /// Ingress through an internet gateway to an address that is no ENI's public IP.
    IgwPrivateIpAssociationForIngress = "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", true;
    /// An internet gateway does not send packets to RFC 1918 destinations.
    IgwDestinationAddressNotInRfc1918Egress = "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", true;
    /// An internet gateway does not accept packets from RFC 1918 sources.
    IgwSourceAddressNotInRfc1918Ingress = "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS", true;
    /// A packet from the internet side must come from a public address (AWS lists this one
    /// among its search-filter codes).
    IgwExpectsPublicAddress = "IGW_EXPECTS_PUBLIC_ADDRESS", true;
    /// A peering delivers only to addresses inside the peer VPC's CIDRs (no transit).
    PcxRequiresAddressInVpcCidr = "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", true;
    /// A NAT gateway translates only sources inside its own VPC.
    NgwRequiresSourceInVpc = "NGW_REQUIRES_SOURCE_IN_VPC", true;
    /// The two VPCs have no connection between them.
    DisconnectedVpcs = "DISCONNECTED_VPCS", true;
    /// No path exists; also the code shown for a blocker whose decision carries none.
    NoPath = "NO_PATH", true;
    /// vpclab's own code: the packet went round route targets until the walk's hop budget ran
    /// out.
    RoutingLoop = "ROUTING_LOOP", false;
    /// vpclab's own code: the instance is stopped (AWS's analyzer ignores instance state).
    InstanceStopped = "INSTANCE_STOPPED", false;
    /// vpclab's own code: the destination lies in a subnet where no ENI has that address.
    NoEniAtAddress = "NO_ENI_AT_ADDRESS", false;
    /// vpclab's own code: a NAT instance could not masquerade the packet (no mapping).
    NatInstanceNoMapping = "NAT_INSTANCE_NO_MAPPING", false;
    /// vpclab's own code: a NAT gateway's address received a packet of no flow it translated
    /// (NAT gateways accept no connection initiated from outside).
    NgwNoInboundInitiation = "NGW_NO_INBOUND_INITIATION", false;
    /// vpclab's own code: a NAT gateway translates only TCP, UDP and ICMP.
    NgwUnsupportedProtocol = "NGW_UNSUPPORTED_PROTOCOL", false;
    /// vpclab's own code: a NAT gateway flow idled out (350 s); AWS answers with RST.
    NgwIdleTimeout = "NGW_IDLE_TIMEOUT", false;
    /// vpclab's own code: a NAT gateway had no free port (AWS's `ErrorPortAllocation` metric).
    NgwPortAllocationError = "NGW_PORT_ALLOCATION_ERROR", false;
    /// vpclab's own code: the ENI's connection-tracking table is full (AWS's
    /// `conntrack_allowance_exceeded` metric).
    ConntrackAllowanceExceeded = "CONNTRACK_ALLOWANCE_EXCEEDED", false;
    /// vpclab's own code: a probe's destination has no address the source can use (no public
    /// IP, and no private path).
    NoAddressForSource = "NO_ADDRESS_FOR_SOURCE", false;
    /// A gateway endpoint carries only TCP and ICMP echo (Reachability Analyzer's model).
    VpceGatewayProtocolRestriction = "VPCE_GATEWAY_PROTOCOL_RESTRICTION", true;
    /// An interface endpoint does not start connections to resources in its VPC.
    VpceIntraVpcTraffic = "VPCE_INTRA_VPC_TRAFFIC", true;
    /// vpclab's own code: a gateway endpoint takes only packets from its own VPC's addresses
    /// (it cannot be used from the far side of a peering, VPN or transit gateway).
    VpceGatewayRequiresSourceInVpc = "VPCE_GATEWAY_REQUIRES_SOURCE_IN_VPC", false;
    /// vpclab's own code: an interface endpoint accepts TCP only (AWS's long-standing rule).
    VpceInterfaceTcpOnly = "VPCE_INTERFACE_TCP_ONLY", false;
    /// vpclab's own code: an egress-only internet gateway let in a packet of no flow it carried
    /// out (it forwards replies only: nothing initiated from the internet gets in).
    EigwNoInboundInitiation = "EIGW_NO_INBOUND_INITIATION", false;
    /// vpclab's own code: the packet's address family is not one the host or subnet has (IPv4
    /// in an IPv6-only subnet, IPv6 where there is no IPv6 block).
    AddressFamilyMismatch = "ADDRESS_FAMILY_MISMATCH", false;
    /// The attachment a packet enters a transit gateway through is associated with no route
    /// table.
    TgwAttachMissingTgwRtbAssociation = "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION", true;
    /// The packet's AZ has no subnet of the VPC's transit gateway attachment.
    TgwRouteAzRestriction = "TGW_ROUTE_AZ_RESTRICTION", true;
    /// A transit gateway route table has no route for the destination.
    TgwRtbCannotRoute = "TGW_RTB_CANNOT_ROUTE", true;
    /// A transit gateway route for the destination is a blackhole.
    TgwRtbBadStateRoute = "TGW_RTB_BAD_STATE_ROUTE", true;
    /// The VPN connection of a transit gateway attachment is down.
    TgwBadStateVpn = "TGW_BAD_STATE_VPN", true;
    /// The VPN connection of a VGW is down.
    BadStateVpn = "BAD_STATE_VPN", true;
    /// vpclab's own code: every Direct Connect virtual interface that could carry the packet
    /// is down (`state: down`).
    DxVirtualInterfaceDown = "DX_VIRTUAL_INTERFACE_DOWN", false;
    /// The load balancer has no listener for the packet's protocol and port.
    ElbListenersMismatch = "ELB_LISTENERS_MISMATCH", true;
    /// Cross-zone load balancing is off and the node's zone has no target to send to.
    ElbNotCrosszone = "ELB_NOT_CROSSZONE", true;
    /// The listener's action forwards to a target group with no registered target.
    Elbv2ListenerHasNoTg = "ELBV2_LISTENER_HAS_NO_TG", true;
    /// vpclab's own code: the load balancer sees no healthy target it may use while other
    /// zones' targets are healthy (it does not fail open then).
    ElbNoHealthyTarget = "ELB_NO_HEALTHY_TARGET", false;
}

impl fmt::Display for ExplanationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a written name that is no `ExplanationCode`; holds the name as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown explanation code `{}`", self.0)
    }
}

impl std::error::Error for UnknownCode {}

impl FromStr for ExplanationCode {
    type Err = UnknownCode;
    /// Parses a written name, exactly (`SUBNET_ACL_RESTRICTION`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ExplanationCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

impl Serialize for ExplanationCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ExplanationCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_screaming_snake_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &c in ExplanationCode::ALL {
            let n = c.as_str();
            assert!(seen.insert(n), "{n} twice");
            assert!(
                n.chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_'),
                "{n}"
            );
            assert_eq!(n.parse::<ExplanationCode>(), Ok(c));
            let j = serde_json::to_string(&c).unwrap();
            assert_eq!(j, format!("\"{n}\""));
            assert_eq!(serde_json::from_str::<ExplanationCode>(&j).unwrap(), c);
            assert_eq!(c.to_string(), n);
        }
    }

    #[test]
    fn unknown_names_are_refused() {
        assert!("subnet_acl_restriction".parse::<ExplanationCode>().is_err());
        assert!(serde_json::from_str::<ExplanationCode>("\"NOPE\"").is_err());
        assert!(ExplanationCode::SubnetAclRestriction.is_aws());
        assert!(!ExplanationCode::InstanceStopped.is_aws());
    }
}
