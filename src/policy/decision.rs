//! A decision with its provenance ([`Decision`]): the verdict, the component and rule that
//! decided ([`ComponentKind`], [`RuleId`]), the direction, and why a rejection happened.

use super::ExplanationCode;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// The packet may pass.
    Accept,
    /// The packet is dropped.
    Reject,
}

/// Which way a packet crosses a component, from the component's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Entering (an ENI, a subnet).
    Inbound,
    /// Leaving.
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
    /// A security group.
    SecurityGroup,
    /// A network ACL.
    NetworkAcl,
    /// A route table.
    RouteTable,
    /// An internet gateway.
    InternetGateway,
    /// A NAT gateway.
    NatGateway,
    /// A peering connection.
    Peering,
    /// An ENI (source/destination check, addresses).
    Eni,
    /// An instance (stopped, NAT role).
    Instance,
    /// A subnet.
    Subnet,
    /// A VPC (resolver, local router).
    Vpc,
    /// The emulated internet.
    Internet,
    /// The engine itself (limits such as the conntrack allowance).
    Engine,
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
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which rule of a component decided.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    /// A NACL rule number.
    Number(u16),
    /// The NACL's final `*` deny.
    Star,
    /// An SG rule (1-based position in its group's list) with the group's id.
    SgRule {
        /// The group (`sg-web`).
        group: String,
        /// 1-based position.
        index: usize,
    },
    /// A route (its destination).
    Route(Ipv4Net),
    /// A connection-tracking entry (a reply of a tracked flow).
    Tracked,
    /// No rule matched (SG) or no route.
    NoMatch,
    /// A fixed AWS behaviour, not a user rule.
    Builtin,
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
        }
    }
}

/// A decision with provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Accept or reject.
    pub verdict: Verdict,
    /// Display id of the deciding component (`sg-web`, `acl-data`, `rtb-public`, `igw-main`).
    pub component: String,
    /// Its kind.
    pub kind: ComponentKind,
    /// Direction, where it applies.
    pub direction: Option<Direction>,
    /// The rule that decided.
    pub rule: RuleId,
    /// Why it was rejected (AWS Reachability Analyzer's code, or vpclab's own); None for
    /// acceptances.
    pub code: Option<ExplanationCode>,
    /// Human explanation.
    pub detail: String,
}

impl Decision {
    /// True when accepted.
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
    use super::ComponentKind::{self, *};

    #[test]
    fn kind_names_are_the_serialised_names() {
        let all: [ComponentKind; 12] = [
            SecurityGroup,
            NetworkAcl,
            RouteTable,
            InternetGateway,
            NatGateway,
            Peering,
            Eni,
            Instance,
            Subnet,
            Vpc,
            Internet,
            Engine,
        ];
        for k in all {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            let back: ComponentKind = serde_json::from_value(k.as_str().into()).unwrap();
            assert_eq!((back, k.to_string()), (k, k.as_str().to_string()));
        }
    }
}
