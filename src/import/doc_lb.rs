//! The document's `load_balancers:` (see `doc`): a Serialize-only mirror of
//! `topology::load_balancer` that leaves out what is absent, filled by both importers.

use super::doc::Named;
use serde::Serialize;
use std::net::Ipv4Addr;

/// A load balancer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadBalancer {
    /// `network` or `application`.
    #[serde(rename = "type")]
    pub lb_type: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    /// The VPC's name.
    pub vpc: String,
    /// One node per zone.
    pub subnets: Vec<Node>,
    /// Security groups by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<String>>,
    /// Cross-zone load balancing (an NLB's attribute).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_zone: Option<bool>,
    /// Listeners.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listeners: Vec<Listener>,
    /// Target groups by name.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub target_groups: Named<TargetGroup>,
    /// The ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// AWS's `DNSName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_name: Option<String>,
}

/// A node: its subnet and, when the interface was imported, its addresses and ENI id.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Node {
    /// The subnet's name.
    pub subnet: String,
    /// The node's private address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// Its public address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<Ipv4Addr>,
    /// Its ENI id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eni_aws_id: Option<String>,
}

/// A listener.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Listener {
    /// `tcp`, `udp` or `http`.
    pub protocol: String,
    /// The port.
    pub port: u16,
    /// ALB rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// The default action.
    pub default: Action,
    /// The ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
    /// An HTTPS listener's certificate ARN (`Certificates[0]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
}

/// A rule.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rule {
    /// 1..50000.
    pub priority: u32,
    /// Host pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Path pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The action.
    pub action: Action,
}

/// An action: forward or fixed response.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Action {
    /// The target group's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward: Option<String>,
    /// A fixed response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_response: Option<FixedResponse>,
    /// A redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<Redirect>,
}

/// A redirect (AWS's `RedirectConfig`), components as AWS gives them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Redirect {
    /// `HTTP`, `HTTPS` or `#{protocol}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// A port or `#{port}` (text, as AWS writes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// The host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// `HTTP_301` or `HTTP_302`.
    pub status_code: String,
}

/// A fixed response.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FixedResponse {
    /// The status.
    pub status: u16,
    /// The body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The content type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// A target group.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TargetGroup {
    /// `tcp`, `udp` or `http`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The port.
    pub port: u16,
    /// `instance` or `ip`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// The targets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    /// The health check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// The ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_id: Option<String>,
}

/// A target.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Target {
    /// An instance's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// An address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// Its port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The health AWS reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_health: Option<String>,
}

/// A health check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HealthCheck {
    /// `tcp` or `http`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// A port or `traffic-port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// The path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Healthy threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthy_threshold: Option<u32>,
    /// Unhealthy threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unhealthy_threshold: Option<u32>,
    /// Interval in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<u32>,
}

/// Makes an imported load balancer say what the format accepts: one subnet per zone (the
/// first of each zone kept), an ALB without groups gets its VPC's `default` (AWS's default),
/// an NLB's fixed responses (which AWS never gives an NLB) dropped with their listener or
/// rule. Returns what was changed, in words, or Err when it cannot stand (an ALB in fewer
/// than two zones).
pub fn settle(doc: &super::doc::Document, lb: &mut LoadBalancer) -> Result<Vec<String>, String> {
    let mut notes = vec![];
    let vpc = doc.vpcs.get(&lb.vpc);
    let region = vpc
        .and_then(|v| v.region.clone())
        .or_else(|| doc.region.clone())
        .unwrap_or_else(|| "us-east-1".into());
    let az_of = |s: &str| {
        vpc.and_then(|v| v.subnets.get(s))
            .and_then(|x| x.az.clone())
            .unwrap_or_else(|| format!("{region}a"))
    };
    let mut zones = std::collections::BTreeSet::new();
    let before = lb.subnets.len();
    lb.subnets.retain(|n| zones.insert(az_of(&n.subnet)));
    if lb.subnets.len() < before {
        notes.push("two subnets in one Availability Zone: the first of each zone kept".to_string());
    }
    if lb.lb_type == "application" {
        if zones.len() < 2 {
            return Err("an application load balancer in fewer than two Availability Zones".into());
        }
        if lb.security_groups.as_ref().is_none_or(|g| g.is_empty()) {
            lb.security_groups = Some(vec!["default".into()]);
            notes.push("no security group: the VPC's default, as AWS gives".to_string());
        }
    } else {
        let fixed = |a: &Action| a.fixed_response.is_some() || a.redirect.is_some();
        let n = lb.listeners.len();
        lb.listeners.retain(|l| !fixed(&l.default));
        for l in &mut lb.listeners {
            l.rules.clear();
        }
        if lb.listeners.len() < n {
            notes.push("a network load balancer's listener with a fixed response or redirect (AWS gives NLBs none): left out".to_string());
        }
    }
    Ok(notes)
}
