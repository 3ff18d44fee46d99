//! The `aws elbv2 describe-*` JSON vpclab reads (load balancers, target groups, listeners,
//! rules, target health, attributes), in the CLI's shape and in Batfish's per-load-balancer
//! wrappers (`LoadBalancerListeners`, `LoadBalancerTargetHealth`, `LoadBalancerAttributes`).
//! Unknown fields are ignored; every field is optional so a partial file still reads.

use serde::Deserialize;

/// What the ELBv2 keys of one file hold.
#[derive(Debug, Clone, Default)]
pub struct ElbContents {
    /// `LoadBalancers` (describe-load-balancers).
    pub load_balancers: Vec<LoadBalancer>,
    /// `TargetGroups` (describe-target-groups).
    pub target_groups: Vec<TargetGroup>,
    /// `Listeners` (describe-listeners), and those of `LoadBalancerListeners`.
    pub listeners: Vec<Listener>,
    /// `Rules` (describe-rules).
    pub rules: Vec<Rule>,
    /// Target health by target group ARN (`LoadBalancerTargetHealth`, or a bare
    /// `TargetHealthDescriptions`, whose group is None: describe-target-health does not say it).
    pub target_health: Vec<(Option<String>, Vec<TargetHealthDescription>)>,
    /// Attributes by load balancer ARN (None: a bare `Attributes` of
    /// describe-load-balancer-attributes).
    pub attributes: Vec<(Option<String>, Vec<Attribute>)>,
}

impl ElbContents {
    /// Adds another file's contents.
    pub fn extend(&mut self, o: ElbContents) {
        self.load_balancers.extend(o.load_balancers);
        self.target_groups.extend(o.target_groups);
        self.listeners.extend(o.listeners);
        self.rules.extend(o.rules);
        self.target_health.extend(o.target_health);
        self.attributes.extend(o.attributes);
    }
}

/// A load balancer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LoadBalancer {
    /// ARN.
    pub load_balancer_arn: String,
    /// `LoadBalancerName`.
    pub load_balancer_name: String,
    /// `DNSName`.
    #[serde(rename = "DNSName")]
    pub dns_name: Option<String>,
    /// `internet-facing` or `internal`.
    pub scheme: Option<String>,
    /// `application`, `network`, `gateway`.
    #[serde(rename = "Type")]
    pub lb_type: Option<String>,
    /// The VPC.
    pub vpc_id: Option<String>,
    /// Enabled zones with their subnets.
    pub availability_zones: Vec<Zone>,
    /// Security groups.
    pub security_groups: Vec<String>,
    /// `State.Code`.
    pub state: Option<State>,
}

/// `State`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct State {
    /// `active`, `provisioning`, `failed`…
    pub code: Option<String>,
}

/// An enabled zone.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Zone {
    /// The subnet.
    pub subnet_id: Option<String>,
    /// The zone.
    pub zone_name: Option<String>,
    /// Elastic IPs (NLB).
    pub load_balancer_addresses: Vec<Address>,
}

/// A node's address (NLB).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Address {
    /// Its Elastic IP.
    pub ip_address: Option<String>,
    /// Its private address.
    #[serde(rename = "PrivateIPv4Address")]
    pub private_ipv4_address: Option<String>,
}

/// A target group.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TargetGroup {
    /// ARN.
    pub target_group_arn: String,
    /// Name.
    pub target_group_name: String,
    /// Protocol.
    pub protocol: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// VPC.
    pub vpc_id: Option<String>,
    /// `instance`, `ip`, `lambda`, `alb`.
    pub target_type: Option<String>,
    /// Load balancers using it.
    pub load_balancer_arns: Vec<String>,
    /// Health check protocol.
    pub health_check_protocol: Option<String>,
    /// Port or `traffic-port`.
    pub health_check_port: Option<String>,
    /// Path.
    pub health_check_path: Option<String>,
    /// Seconds.
    pub health_check_interval_seconds: Option<u32>,
    /// Threshold.
    pub healthy_threshold_count: Option<u32>,
    /// Threshold.
    pub unhealthy_threshold_count: Option<u32>,
}

/// A listener.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Listener {
    /// ARN.
    pub listener_arn: String,
    /// Its load balancer.
    pub load_balancer_arn: String,
    /// Port.
    pub port: Option<u16>,
    /// Protocol.
    pub protocol: Option<String>,
    /// An HTTPS listener's certificates.
    pub certificates: Vec<Certificate>,
    /// Default actions.
    pub default_actions: Vec<Action>,
}

/// `LoadBalancerListeners` entries (Batfish): a load balancer's listeners.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListenersOf {
    /// The listeners.
    pub listeners: Vec<Listener>,
    /// Their load balancer.
    pub load_balancer_arn: Option<String>,
}

/// An action.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Action {
    /// `forward`, `fixed-response`, `redirect`, `authenticate-*`.
    #[serde(rename = "Type")]
    pub action_type: String,
    /// Forward target.
    pub target_group_arn: Option<String>,
    /// Weighted forward.
    pub forward_config: Option<ForwardConfig>,
    /// Fixed response.
    pub fixed_response_config: Option<FixedResponseConfig>,
    /// Redirect.
    pub redirect_config: Option<RedirectConfig>,
    /// Order.
    pub order: Option<i64>,
}

/// `ForwardConfig`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ForwardConfig {
    /// Target groups (weighted).
    pub target_groups: Vec<WeightedGroup>,
}

/// One weighted group.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct WeightedGroup {
    /// ARN.
    pub target_group_arn: String,
    /// Weight.
    pub weight: Option<i64>,
}

/// `FixedResponseConfig`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FixedResponseConfig {
    /// `"404"`.
    pub status_code: Option<String>,
    /// Body.
    pub message_body: Option<String>,
    /// Content type.
    pub content_type: Option<String>,
}

/// A listener rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Rule {
    /// ARN (`…:listener-rule/app/LB/ID/LISTENER/RULE`).
    pub rule_arn: String,
    /// `"10"` or `"default"`.
    pub priority: Option<String>,
    /// Conditions.
    pub conditions: Vec<Condition>,
    /// Actions.
    pub actions: Vec<Action>,
    /// The default rule.
    pub is_default: bool,
}

/// A rule condition.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Condition {
    /// `host-header`, `path-pattern`, …
    pub field: Option<String>,
    /// Legacy values.
    pub values: Vec<String>,
    /// `HostHeaderConfig.Values`.
    pub host_header_config: Option<Values>,
    /// `PathPatternConfig.Values`.
    pub path_pattern_config: Option<Values>,
}

/// `{ "Values": [...] }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Values {
    /// The values.
    pub values: Vec<String>,
}

/// `LoadBalancerTargetHealth` entries (Batfish).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HealthOf {
    /// The group.
    pub target_group_arn: Option<String>,
    /// Its targets.
    pub target_health_descriptions: Vec<TargetHealthDescription>,
}

/// One target's health.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TargetHealthDescription {
    /// The target.
    pub target: TargetDescription,
    /// Its health.
    pub target_health: Option<TargetHealth>,
}

/// A target.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TargetDescription {
    /// Instance id or address.
    pub id: String,
    /// Port.
    pub port: Option<u16>,
}

/// A target's health.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TargetHealth {
    /// `healthy`, `unhealthy`, …
    pub state: Option<String>,
}

/// `LoadBalancerAttributes` entries (Batfish).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AttributesOf {
    /// The attributes.
    pub attributes: Vec<Attribute>,
    /// Their load balancer.
    pub load_balancer_arn: Option<String>,
}

/// One attribute.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Attribute {
    /// Key.
    pub key: String,
    /// Value.
    pub value: Option<String>,
}

/// `Certificates` entry of a listener.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Certificate {
    /// ARN.
    pub certificate_arn: String,
}

/// `RedirectConfig`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RedirectConfig {
    /// `HTTP`, `HTTPS`, `#{protocol}`.
    pub protocol: Option<String>,
    /// `"443"`, `#{port}`.
    pub port: Option<String>,
    /// Host.
    pub host: Option<String>,
    /// Path.
    pub path: Option<String>,
    /// Query.
    pub query: Option<String>,
    /// `HTTP_301` or `HTTP_302`.
    pub status_code: Option<String>,
}
