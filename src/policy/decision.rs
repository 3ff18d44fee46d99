//! A decision with its provenance ([`Decision`]): the verdict, the component and rule that
//! decided ([`ComponentKind`], [`RuleId`]), the direction, and why a rejection happened.

use super::ExplanationCode;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a component does with a packet (serialized `ACCEPT` / `REJECT`, as in flow logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// The packet may pass this component.
    Accept,
    /// The packet is dropped here.
    Reject,
}

/// Which way a packet crosses a component, from the component's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Entering the component (an ENI, a subnet's NACL).
    Inbound,
    /// Leaving the component.
    Outbound,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        })
    }
}

/// The kind of component that decided (names as in `spec/cli.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    /// A security group (`security_group`).
    SecurityGroup,
    /// A network ACL (`network_acl`).
    NetworkAcl,
    /// A route table (`route_table`): no route, or a blackhole.
    RouteTable,
    /// An internet gateway (`internet_gateway`), including its 1:1 public-IP translation.
    InternetGateway,
    /// A NAT gateway (`nat_gateway`).
    NatGateway,
    /// A peering connection (`peering`).
    Peering,
    /// An ENI (`eni`): source/destination check, addresses.
    Eni,
    /// An instance (`instance`): stopped, NAT role.
    Instance,
    /// A subnet (`subnet`).
    Subnet,
    /// A VPC (`vpc`): its resolver, its local router.
    Vpc,
    /// The emulated internet (`internet`): internet hosts, the public resolver, the sender's
    /// address.
    Internet,
    /// The engine itself (limits such as the conntrack allowance).
    Engine,
    /// A VPC endpoint (`vpc_endpoint`), gateway or interface.
    VpcEndpoint,
    /// An egress-only internet gateway (`egress_only_internet_gateway`): IPv6 out and replies.
    EgressOnlyInternetGateway,
    /// A transit gateway attachment (`transit_gateway_attachment`): its AZs, its association.
    TransitGatewayAttachment,
    /// A transit gateway route table (`transit_gateway_route_table`): no route, a blackhole.
    TransitGatewayRouteTable,
    /// A virtual private gateway (`vpn_gateway`): what it learned, what it forwards.
    VpnGateway,
    /// A Site-to-Site VPN connection (`vpn_connection`): its state.
    VpnConnection,
    /// A Direct Connect gateway or virtual interface (`direct_connect_gateway`).
    DirectConnectGateway,
    /// An on-premises network (`on_premises`): where its router sends a packet.
    OnPremises,
    /// An Elastic Load Balancing load balancer (`load_balancer`): its listeners, rules,
    /// target groups and the target it picks.
    LoadBalancer,
}

impl ComponentKind {
    /// The written name (`network_acl`), as JSON and text output show it.
    pub const fn as_str(self) -> &'static str {
        use ComponentKind::*;
        match self {
            SecurityGroup => "security_group",
            NetworkAcl => "network_acl",
            RouteTable => "route_table",
            InternetGateway => "internet_gateway",
            NatGateway => "nat_gateway",
            Peering => "peering",
            Eni => "eni",
            Instance => "instance",
            Subnet => "subnet",
            Vpc => "vpc",
            Internet => "internet",
            Engine => "engine",
            VpcEndpoint => "vpc_endpoint",
            EgressOnlyInternetGateway => "egress_only_internet_gateway",
            TransitGatewayAttachment => "transit_gateway_attachment",
            TransitGatewayRouteTable => "transit_gateway_route_table",
            VpnGateway => "vpn_gateway",
            VpnConnection => "vpn_connection",
            DirectConnectGateway => "direct_connect_gateway",
            OnPremises => "on_premises",
            LoadBalancer => "load_balancer",
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which rule of a component decided, as output shows it (`rule 100`, `sg-web rule 2`...).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    /// A NACL entry, by rule number (`rule 100`).
    Number(u16),
    /// The NACL's final `*` rule, which denies what no numbered entry matched (`rule *`).
    Star,
    /// An SG rule (1-based position in its group's list) with the group's id.
    SgRule {
        /// Display id of the group (`sg-web`).
        group: String,
        /// 1-based position in the group's inbound or outbound list.
        index: usize,
    },
    /// The route that matched, by destination CIDR (`route 0.0.0.0/0`).
    Route(Ipv4Net),
    /// A connection-tracking entry (a reply of a tracked flow).
    Tracked,
    /// No rule matched (SG: nothing allows the packet) or no route covers the destination.
    NoMatch,
    /// A fixed AWS behaviour, not a user rule (`built-in`), e.g. the source/destination check.
    Builtin,
    /// The IPv6 route that matched, by destination block (`route ::/0`).
    Route6(ipnet::Ipv6Net),
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleId::Number(n) => write!(f, "rule {n}"),
            RuleId::Star => f.write_str("rule *"),
            RuleId::SgRule { group, index } => write!(f, "{group} rule {index}"),
            RuleId::Route(d) => write!(f, "route {d}"),
            RuleId::Tracked => f.write_str("tracked connection"),
            RuleId::NoMatch => f.write_str("no matching rule"),
            RuleId::Builtin => f.write_str("built-in"),
            RuleId::Route6(d) => write!(f, "route {d}"),
        }
    }
}

/// A decision with provenance: the same value is a pcapng comment (`summary`), an analyzer
/// blocker and a lab's explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Accept or reject.
    pub verdict: Verdict,
    /// Display id of the deciding component (`sg-web`, `acl-data`, `rtb-public`, `igw-main`).
    pub component: String,
    /// What kind of component `component` is.
    pub kind: ComponentKind,
    /// Direction at the component; None for route tables and built-in decisions.
    pub direction: Option<Direction>,
    /// The rule that decided.
    pub rule: RuleId,
    /// Why it was rejected (AWS Reachability Analyzer's code, or vpclab's own); None for
    /// acceptances.
    pub code: Option<ExplanationCode>,
    /// One sentence explaining the decision (rule matched, address, reason); may be empty.
    pub detail: String,
}

impl Decision {
    /// True when the verdict is `Accept`.
    pub fn accepted(&self) -> bool {
        self.verdict == Verdict::Accept
    }
    /// `ACCEPT sg-web inbound rule 1` / `REJECT acl-data inbound rule *` (pcapng comments).
    pub fn summary(&self) -> String {
        let v = match self.verdict {
            Verdict::Accept => "ACCEPT",
            Verdict::Reject => "REJECT",
        };
        let dir = self.direction.map(|d| format!(" {d}")).unwrap_or_default();
        let rule = match &self.rule {
            RuleId::SgRule { index, .. } => format!("rule {index}"),
            r => r.to_string(),
        };
        format!("{v} {}{dir} {rule}", self.component)
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ComponentKind;

    /// Every kind's `as_str` is its serde name, and back. The kinds come from serde's own list
    /// (the "expected one of ..." of an unknown variant), so a kind added later is checked too.
    #[test]
    fn kind_names_are_the_serialised_names() {
        let err = serde_json::from_value::<ComponentKind>("?".into()).unwrap_err();
        let msg = err.to_string();
        let (_, list) = msg.split_once("expected one of ").expect(&msg);
        let names: Vec<&str> = list.split(", ").map(|n| n.trim_matches('`')).collect();
        assert_eq!(names.len(), 21, "{msg}");
        for name in names {
            let k: ComponentKind = serde_json::from_value(name.into()).unwrap();
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            assert_eq!((k.as_str(), k.to_string()), (name, name.to_string()));
        }
    }
}
