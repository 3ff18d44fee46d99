//! Elastic Load Balancing resolved (`load_balancers:`): a [`LoadBalancer`] with one node (an
//! ENI owned by `EniOwner::LoadBalancer`) per enabled Availability Zone, its listeners with
//! their rules and actions, and its target groups with targets resolved to addresses and
//! ENIs. `docs/load-balancers.md` gives AWS's rules and where each is implemented.

use super::ids::{EniId, InstanceId, LoadBalancerId, SubnetId, VpcId};
use super::Network;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// AWS's load-balancer `Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LbType {
    /// A Network Load Balancer: layer 4, forwards packets (TCP, UDP).
    Network,
    /// An Application Load Balancer: terminates HTTP and opens its own connections to targets.
    Application,
}

impl LbType {
    /// `network` or `application`, as the file and AWS write it.
    pub fn name(self) -> &'static str {
        match self {
            LbType::Network => "network",
            LbType::Application => "application",
        }
    }
    /// The ARN's and node names' short form: `net` or `app`.
    pub fn short(self) -> &'static str {
        match self {
            LbType::Network => "net",
            LbType::Application => "app",
        }
    }
}

/// A listener's or target group's protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LbProtocol {
    /// TCP (NLB).
    Tcp,
    /// UDP (NLB).
    Udp,
    /// HTTP/1.1 (ALB).
    Http,
    /// HTTP/1.1 over TLS, terminated at the node (ALB).
    Https,
}

impl LbProtocol {
    /// The IP protocol number the listener accepts (HTTP runs on TCP).
    pub fn ip_proto(self) -> u8 {
        match self {
            LbProtocol::Udp => super::proto::UDP,
            LbProtocol::Tcp | LbProtocol::Http | LbProtocol::Https => super::proto::TCP,
        }
    }
    /// `TCP`, `UDP` or `HTTP` as AWS writes it.
    pub fn name(self) -> &'static str {
        match self {
            LbProtocol::Tcp => "TCP",
            LbProtocol::Udp => "UDP",
            LbProtocol::Http => "HTTP",
            LbProtocol::Https => "HTTPS",
        }
    }
    /// Parses `tcp`, `udp`, `http` or `https` (any case); None for anything else.
    pub fn parse(s: &str) -> Option<LbProtocol> {
        match s.to_ascii_lowercase().as_str() {
            "tcp" => Some(LbProtocol::Tcp),
            "udp" => Some(LbProtocol::Udp),
            "http" => Some(LbProtocol::Http),
            "https" => Some(LbProtocol::Https),
            _ => None,
        }
    }
}

/// A load balancer.
#[derive(Clone, Debug, Serialize)]
pub struct LoadBalancer {
    /// Its position in `Network::load_balancers`.
    pub id: LoadBalancerId,
    /// AWS's `LoadBalancerName` (the key under `load_balancers:`).
    pub name: String,
    /// Its ARN: `aws_id:` as written, else derived (`…:loadbalancer/app|net/NAME/ID`).
    pub arn: String,
    /// AWS's `DNSName`: `dns_name:` as written, else derived from the name (`names`).
    pub dns_name: String,
    /// `description:` as written.
    pub description: Option<String>,
    /// Network or application.
    pub lb_type: LbType,
    /// `internet-facing` (true: nodes have public addresses) or `internal`.
    pub internet_facing: bool,
    /// The VPC.
    pub vpc: VpcId,
    /// One node per enabled Availability Zone, in `subnets:` order.
    pub nodes: Vec<LbNodeRef>,
    /// Security groups of the nodes' ENIs (empty: an NLB without SGs, which filters nothing).
    pub sgs: Vec<super::SgId>,
    /// Cross-zone load balancing: a node may pick targets in every enabled zone (else only its
    /// own zone's).
    pub cross_zone: bool,
    /// Listeners in file order.
    pub listeners: Vec<Listener>,
    /// Target groups in file order (actions index this list).
    pub target_groups: Vec<TargetGroup>,
}

/// A node of a load balancer: its ENI in one subnet (and Availability Zone).
#[derive(Clone, Debug, Serialize)]
pub struct LbNodeRef {
    /// The node's ENI (owner `EniOwner::LoadBalancer`).
    pub eni: EniId,
    /// Its subnet.
    pub subnet: SubnetId,
    /// Its Availability Zone (the subnet's).
    pub az: String,
    /// The engine port of the host that terminates HTTP for an ALB's node (set once ports are
    /// built, `Network::eni_port`); None for an NLB's node, which the engine forwards through.
    #[serde(skip)]
    pub port: Option<super::PortId>,
}

/// A listener.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Listener {
    /// Its protocol.
    pub protocol: LbProtocol,
    /// Its port.
    pub port: u16,
    /// ALB rules sorted by priority, lowest first (the order AWS evaluates them).
    pub rules: Vec<ListenerRule>,
    /// What a request no rule matches gets.
    pub default: LbAction,
    /// Its ARN (as written, else derived).
    pub arn: String,
    /// An HTTPS listener's certificate ARN as written (vpclab serves the topology CA's
    /// certificate for the load balancer's DNS name).
    #[serde(default)]
    pub certificate: Option<String>,
}

/// An ALB listener rule: every condition written must match.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListenerRule {
    /// 1..50000.
    pub priority: u32,
    /// Host-header pattern (lower-case; `*` and `?` wildcards).
    pub host: Option<String>,
    /// Path pattern (`*` and `?` wildcards, case-sensitive).
    pub path: Option<String>,
    /// What a matching request gets.
    pub action: LbAction,
}

/// A listener action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LbAction {
    /// Forward to `LoadBalancer::target_groups[i]`.
    Forward(usize),
    /// The ALB answers itself.
    FixedResponse {
        /// HTTP status.
        status: u16,
        /// Body.
        body: String,
        /// Content type.
        content_type: String,
    },
    /// The ALB answers with a redirect.
    Redirect(Redirect),
}

/// AWS's `RedirectActionConfig`, components as written with their `#{…}` placeholders
/// (defaults filled in: `#{protocol}`, `#{port}`, `#{host}`, `/#{path}`, `#{query}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    /// `HTTP`, `HTTPS` or `#{protocol}`.
    pub protocol: String,
    /// A port or `#{port}`.
    pub port: String,
    /// The host.
    pub host: String,
    /// The absolute path.
    pub path: String,
    /// The query, without `?`.
    pub query: String,
    /// 301 or 302.
    pub status: u16,
}

impl Redirect {
    /// The `Location` for a request that came as `protocol` (`HTTP`/`HTTPS`) to `host` (its
    /// `Host` without a port), `port`, `path` (with its `/`) and `query` (without `?`):
    /// `protocol://host:port/path?query`, each component with the placeholders replaced
    /// (`#{path}` without its leading `/`); `?` only when the query is not empty.
    pub fn location(
        &self,
        protocol: &str,
        host: &str,
        port: u16,
        path: &str,
        query: &str,
    ) -> String {
        let fill = |s: &str| {
            s.replace("#{protocol}", &protocol.to_ascii_lowercase())
                .replace("#{host}", host)
                .replace("#{port}", &port.to_string())
                .replace("#{path}", path.strip_prefix('/').unwrap_or(path))
                .replace("#{query}", query)
        };
        let proto = fill(&self.protocol).to_ascii_lowercase();
        let mut out = format!(
            "{proto}://{}:{}{}",
            fill(&self.host),
            fill(&self.port),
            fill(&self.path)
        );
        let q = fill(&self.query);
        if !q.is_empty() {
            out.push('?');
            out.push_str(&q);
        }
        out
    }
}

/// AWS's `TargetType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    /// Instances by id: an NLB preserves the client's address towards them.
    Instance,
    /// Private addresses: the node's address is the source.
    Ip,
}

/// A target group.
#[derive(Clone, Debug, Serialize)]
pub struct TargetGroup {
    /// AWS's `TargetGroupName` (the key under `target_groups:`).
    pub name: String,
    /// Its ARN (as written, else derived).
    pub arn: String,
    /// Its protocol.
    pub protocol: LbProtocol,
    /// The port targets receive traffic on unless they name their own.
    pub port: u16,
    /// Instance or IP targets.
    pub target_type: TargetType,
    /// Registered targets in file order.
    pub targets: Vec<LbTarget>,
    /// How the nodes check the targets.
    pub health: HealthCheck,
}

/// A registered target, resolved.
#[derive(Clone, Debug, Serialize)]
pub struct LbTarget {
    /// The instance (target type `instance`).
    pub instance: Option<InstanceId>,
    /// The address traffic is sent to (an instance's primary private IP, or the IP target).
    pub ip: Ipv4Addr,
    /// The port traffic is sent to.
    pub port: u16,
    /// The ENI owning `ip` in the VPC, if any.
    pub eni: Option<EniId>,
    /// Its Availability Zone (the ENI's subnet's); None for an address no ENI owns.
    pub az: Option<String>,
    /// The health AWS reported (`describe-target-health`), shown beside the derived health.
    pub reported_health: Option<String>,
}

/// A target group's health check.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HealthCheck {
    /// TCP (a connection is made) or HTTP (a GET of `path` answered 200).
    pub protocol: LbProtocol,
    /// The port checked; None: each target's traffic port.
    pub port: Option<u16>,
    /// HTTP path.
    pub path: String,
    /// Consecutive successes before a target is healthy.
    pub healthy_threshold: u32,
    /// Consecutive failures before a target is unhealthy.
    pub unhealthy_threshold: u32,
    /// Seconds between checks.
    pub interval_secs: u32,
}

impl HealthCheck {
    /// The port checked on `t`.
    pub fn port_for(&self, t: &LbTarget) -> u16 {
        self.port.unwrap_or(t.port)
    }
}

impl Listener {
    /// The action for a request to `host` (the `Host` header, any case, a `:port` ignored)
    /// and `path`: the first rule by priority whose conditions all match, else the default;
    /// with the rule's priority. The walk and the ALB nodes' proxies both ask this.
    pub fn pick(&self, host: &str, path: &str) -> (&LbAction, Option<u32>) {
        let host = host.to_ascii_lowercase();
        let host = host.split(':').next().unwrap_or_default();
        for r in &self.rules {
            let host_ok = r.host.as_ref().is_none_or(|p| wildcard(p, host));
            let path_ok = r.path.as_ref().is_none_or(|p| wildcard(p, path));
            if host_ok && path_ok {
                return (&r.action, Some(r.priority));
            }
        }
        (&self.default, None)
    }
}

/// True when AWS's pattern `pat` (`*` any run of characters, `?` one) matches all of `s`.
pub fn wildcard(pat: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pat.chars().collect(), s.chars().collect());
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

impl LoadBalancer {
    /// The listener on this IP protocol and port, if any.
    pub fn listener(&self, ip_proto: u8, port: u16) -> Option<&Listener> {
        self.listeners
            .iter()
            .find(|l| l.port == port && l.protocol.ip_proto() == ip_proto)
    }
    /// The node whose ENI is `eni`.
    pub fn node(&self, eni: EniId) -> Option<&LbNodeRef> {
        self.nodes.iter().find(|n| n.eni == eni)
    }
    /// True when the load balancer keeps the client's address as the source towards targets
    /// of `tg`: an NLB with instance targets (AWS's default client IP preservation).
    pub fn preserves_client_ip(&self, tg: &TargetGroup) -> bool {
        self.lb_type == LbType::Network && tg.target_type == TargetType::Instance
    }
}

impl Network {
    /// The load balancer with this id.
    pub fn load_balancer(&self, id: LoadBalancerId) -> &LoadBalancer {
        &self.load_balancers[id.idx()]
    }
    /// The load balancer named by its name, DNS name (any case) or ARN.
    pub fn load_balancer_by_name(&self, s: &str) -> Option<LoadBalancerId> {
        let dns = s.trim_end_matches('.');
        self.load_balancers
            .iter()
            .find(|l| l.name == s || l.arn == s || l.dns_name.eq_ignore_ascii_case(dns))
            .map(|l| l.id)
    }
    /// The load balancer owning ENI `eni`, if it is a node's.
    pub fn eni_load_balancer(&self, eni: EniId) -> Option<LoadBalancerId> {
        match self.eni(eni).owner {
            super::EniOwner::LoadBalancer(l) => Some(l),
            _ => None,
        }
    }
}

/// AWS-style DNS names and ARNs of a load balancer, derived stably from its name.
pub mod names {
    use super::LbType;

    /// 64-bit FNV-1a of `s`: the stable source of a name's digits.
    fn fnv(s: &str) -> u64 {
        let mut h: u64 = 0xcbf29ce484222325;
        for b in s.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        h
    }

    /// The id AWS puts after the name in the ARN and DNS name: 16 hex digits (NLB) or 10
    /// decimal digits (ALB, as in `NAME-1234567890.REGION.elb.amazonaws.com`).
    pub fn digits(name: &str, t: LbType) -> String {
        let h = fnv(name);
        match t {
            LbType::Network => format!("{h:016x}"),
            LbType::Application => format!("{:010}", 1_000_000_000 + h % 9_000_000_000),
        }
    }

    /// AWS's `DNSName`: ALB `NAME-DIGITS.REGION.elb.amazonaws.com`, NLB
    /// `NAME-HEX.elb.REGION.amazonaws.com`; `internal-` in front for an internal one.
    pub fn dns_name(name: &str, t: LbType, region: &str, internal: bool) -> String {
        let pre = if internal { "internal-" } else { "" };
        let d = digits(name, t);
        match t {
            LbType::Application => format!("{pre}{name}-{d}.{region}.elb.amazonaws.com"),
            LbType::Network => format!("{pre}{name}-{d}.elb.{region}.amazonaws.com"),
        }
    }

    /// The load balancer's ARN.
    pub fn arn(name: &str, t: LbType, region: &str, account: &str) -> String {
        let d = format!("{:016x}", fnv(name));
        format!(
            "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{}/{name}/{d}",
            t.short()
        )
    }

    /// A target group's ARN.
    pub fn target_group_arn(lb: &str, tg: &str, region: &str, account: &str) -> String {
        let d = format!("{:016x}", fnv(&format!("{lb}/{tg}")));
        format!("arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{tg}/{d}")
    }

    /// A listener's ARN.
    pub fn listener_arn(lb_arn: &str, port: u16) -> String {
        let d = format!("{:016x}", fnv(&format!("{lb_arn}:{port}")));
        format!("{}/{d}", lb_arn.replacen(":loadbalancer/", ":listener/", 1))
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        #[test]
        fn names_are_stable_and_shaped_as_aws_writes_them() {
            let a = dns_name("web", LbType::Application, "us-east-1", false);
            assert_eq!(a, dns_name("web", LbType::Application, "us-east-1", false));
            assert!(a.starts_with("web-") && a.ends_with(".us-east-1.elb.amazonaws.com"));
            let digits_part = &a["web-".len()..a.find('.').unwrap()];
            assert_eq!(digits_part.len(), 10);
            assert!(digits_part.chars().all(|c| c.is_ascii_digit()));
            let n = dns_name("db", LbType::Network, "us-east-2", true);
            assert!(n.starts_with("internal-db-") && n.ends_with(".elb.us-east-2.amazonaws.com"));
            assert_ne!(digits("a", LbType::Network), digits("b", LbType::Network));
        }
    }
}
