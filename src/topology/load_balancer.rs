//! The `load_balancers:` section as written (Elastic Load Balancing: network and application
//! load balancers with their listeners and target groups; `docs/load-balancers.md`). Nothing is
//! checked here beyond YAML types: `validate::load_balancers` does the rest.

use super::span::{NamedMap, Sp, Word};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One load balancer (`load_balancers: { NAME: … }`). Its name is AWS's `LoadBalancerName`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// `network` (NLB, layer 4) or `application` (ALB, HTTP).
    #[serde(rename = "type")]
    pub lb_type: Sp<String>,
    /// `internet-facing` (nodes get public addresses) or `internal` (default).
    #[serde(default)]
    pub scheme: Option<Sp<String>>,
    /// The VPC (a key of `vpcs:`).
    pub vpc: Sp<String>,
    /// One subnet per enabled Availability Zone (an ALB needs two AZs at least): a subnet
    /// name, or `{ subnet, ip, public_ip, eni_aws_id }` to fix the node's addresses.
    pub subnets: Vec<Sp<LbSubnet>>,
    /// Security groups of the VPC: required for an ALB, optional for an NLB (none = no SG).
    #[serde(default)]
    pub security_groups: Option<Vec<Sp<String>>>,
    /// Cross-zone load balancing (default: on for an ALB, where it cannot be turned off; off
    /// for an NLB).
    #[serde(default)]
    pub cross_zone: Option<Sp<bool>>,
    /// Listeners, each on its own protocol and port.
    #[serde(default)]
    pub listeners: Vec<Listener>,
    /// Target groups by name (AWS's `TargetGroupName`).
    #[serde(default)]
    pub target_groups: NamedMap<TargetGroup>,
    /// The load balancer's ARN (`arn:aws:elasticloadbalancing:…:loadbalancer/app|net/NAME/ID`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
    /// AWS's `DNSName` (an import keeps it); default derived from the name.
    #[serde(default)]
    pub dns_name: Option<Sp<String>>,
}

/// An entry of `subnets:`: a name, or a node with fixed addresses. (An untagged enum loses the
/// positions inside it: errors point at the entry's `Sp`.)
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum LbSubnet {
    /// The subnet's name; the node's addresses are allocated.
    Name(Sp<String>),
    /// The subnet with the node's addresses written.
    Node(LbNode),
}

impl LbSubnet {
    /// The subnet's name as written.
    pub fn subnet(&self) -> &Sp<String> {
        match self {
            LbSubnet::Name(n) => n,
            LbSubnet::Node(n) => &n.subnet,
        }
    }
    /// The node's keys when written as an object.
    pub fn node(&self) -> Option<&LbNode> {
        match self {
            LbSubnet::Name(_) => None,
            LbSubnet::Node(n) => Some(n),
        }
    }
}

/// A load-balancer node written with its addresses.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LbNode {
    /// The subnet.
    pub subnet: Sp<String>,
    /// The node's private IP (default: next free address of the subnet).
    #[serde(default)]
    pub ip: Option<Sp<String>>,
    /// Its public address when internet-facing (default: next free address of the pool).
    #[serde(default)]
    pub public_ip: Option<Sp<String>>,
    /// The node's ENI id (`eni-…`).
    #[serde(default)]
    pub eni_aws_id: Option<Sp<String>>,
}

/// A listener: what the load balancer accepts on one port.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    /// `tcp` or `udp` (NLB), `http` or `https` (ALB).
    pub protocol: Sp<String>,
    /// 1..65535.
    pub port: Sp<u64>,
    /// An HTTPS listener's server certificate (AWS's `Certificates[0].CertificateArn`; kept
    /// as written and shown). vpclab serves a certificate for the load balancer's DNS name
    /// from the topology's own CA whatever the ARN names.
    #[serde(default)]
    pub certificate_arn: Option<Sp<String>>,
    /// ALB rules, evaluated by priority (lowest first) before `default`.
    #[serde(default)]
    pub rules: Vec<ListenerRule>,
    /// The default action.
    pub default: Action,
    /// The listener's ARN.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
}

/// An ALB listener rule.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListenerRule {
    /// 1..50000, unique within the listener.
    pub priority: Sp<u64>,
    /// Host-header condition (`api.example.com`, `*.example.com`; case-insensitive).
    #[serde(default)]
    pub host: Option<Sp<String>>,
    /// Path condition (`/api/*`; `*` any characters, `?` one; case-sensitive).
    #[serde(default)]
    pub path: Option<Sp<String>>,
    /// What a matching request gets.
    pub action: Action,
}

/// A listener action: `{ forward: TARGET_GROUP }` or `{ fixed_response: { … } }`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Forward to this target group of the load balancer.
    #[serde(default)]
    pub forward: Option<Sp<String>>,
    /// Answer directly (ALB only).
    #[serde(default)]
    pub fixed_response: Option<FixedResponse>,
    /// Answer with a redirect (ALB only; AWS's `RedirectConfig`).
    #[serde(default)]
    pub redirect: Option<Redirect>,
}

/// An ALB redirect (AWS's `RedirectActionConfig`): each component as AWS writes it, with the
/// placeholders `#{protocol}`, `#{host}`, `#{port}`, `#{path}` (without its leading `/`) and
/// `#{query}`; a component not written keeps the request's.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redirect {
    /// `HTTP`, `HTTPS` or `#{protocol}` (default).
    #[serde(default)]
    pub protocol: Option<Sp<String>>,
    /// 1..65535 or `#{port}` (default).
    #[serde(default)]
    pub port: Option<RedirectPort>,
    /// The host (default `#{host}`).
    #[serde(default)]
    pub host: Option<Sp<String>>,
    /// The absolute path, starting with `/` (default `/#{path}`).
    #[serde(default)]
    pub path: Option<Sp<String>>,
    /// The query without `?` (default `#{query}`).
    #[serde(default)]
    pub query: Option<Sp<String>>,
    /// `HTTP_301` (permanent) or `HTTP_302` (temporary).
    pub status_code: Sp<String>,
}

/// A redirect's port: a number, or text (`"443"`, `#{port}`).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RedirectPort {
    /// A port number.
    Number(u64),
    /// A port as text, or `#{port}`.
    Text(String),
}

impl RedirectPort {
    /// The port as AWS writes it (a string).
    pub fn text(&self) -> String {
        match self {
            RedirectPort::Number(n) => n.to_string(),
            RedirectPort::Text(t) => t.clone(),
        }
    }
}

/// An ALB fixed response.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixedResponse {
    /// HTTP status code 200..599.
    pub status: Sp<u64>,
    /// The body (default empty).
    #[serde(default)]
    pub body: Option<String>,
    /// Content type (default `text/plain`).
    #[serde(default)]
    pub content_type: Option<String>,
}

/// A target group.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    /// `tcp`/`udp` (NLB) or `http` (ALB); default the load balancer's kind's.
    #[serde(default)]
    pub protocol: Option<Sp<String>>,
    /// The port targets receive traffic on, unless a target names its own.
    pub port: Sp<u64>,
    /// `instance` (default) or `ip`.
    #[serde(default)]
    pub target_type: Option<Sp<String>>,
    /// The targets.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// How nodes check the targets.
    #[serde(default)]
    pub health_check: Option<HealthCheck>,
    /// The target group's ARN.
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
}

/// A registered target: `{ instance: NAME }` or `{ ip: ADDR }`, with an optional port.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// An instance of the VPC (target type `instance`).
    #[serde(default)]
    pub instance: Option<Sp<String>>,
    /// A private address (target type `ip`).
    #[serde(default)]
    pub ip: Option<Sp<String>>,
    /// Its port (default the group's).
    #[serde(default)]
    pub port: Option<Sp<u64>>,
    /// The health AWS reported (`describe-target-health`: `healthy`, `unhealthy`, …): kept and
    /// shown beside the derived health, never trusted.
    #[serde(default)]
    pub reported_health: Option<Sp<String>>,
}

/// A target group's health check.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// `tcp` or `http` (default: `http` for an ALB's group, `tcp` for an NLB's).
    #[serde(default)]
    pub protocol: Option<Sp<String>>,
    /// A port, or `traffic-port` (default).
    #[serde(default)]
    pub port: Option<Sp<Word>>,
    /// HTTP path (default `/`).
    #[serde(default)]
    pub path: Option<Sp<String>>,
    /// Successes before healthy, 2..10 (default 5 for an ALB, 3 for an NLB).
    #[serde(default)]
    pub healthy_threshold: Option<Sp<u64>>,
    /// Failures before unhealthy, 2..10 (default 2 for an ALB, 3 for an NLB).
    #[serde(default)]
    pub unhealthy_threshold: Option<Sp<u64>>,
    /// Seconds between checks, 5..300 (default 30).
    #[serde(default)]
    pub interval: Option<Sp<u64>>,
}
