//! What an Application Load Balancer's node decides for each HTTP request, without sockets
//! (the netns backend's proxy, `backend::alb`, owns them): the node's configuration as the
//! daemon writes it ([`NodeConfig`], JSON), the bounded request head ([`Head`]), the listener
//! rule (`model::load_balancer::Listener::pick`, the walk's own), the target (round robin
//! over the healthy ones, all of them when none is: fail open), the `X-Forwarded-*` headers,
//! and the answers the node writes itself (fixed responses, 4xx/5xx). `docs/load-balancers.md`
//! lists the AWS rules with their pages.

use crate::model::load_balancer::{HealthCheck, LbType, Listener, Redirect};
use crate::model::{EniId, Network};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The request head a node reads at most (AWS: "the whole header" 64 KB).
pub const MAX_HEAD: usize = 64 * 1024;
/// One request line or header line at most (AWS: 16 KB each).
pub const MAX_LINE: usize = 16 * 1024;
/// Headers a request may carry at most (vpclab's bound; AWS documents none).
pub const MAX_HEADERS: usize = 100;

/// One ALB node's configuration: everything its proxy needs, written by the daemon to the
/// state directory at `up` and after each `apply`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NodeConfig {
    /// The load balancer's name.
    pub lb: String,
    /// Its DNS name (logged; rules see the request's own `Host`).
    pub dns_name: String,
    /// The node's private address (the source of its connections to targets).
    pub node_ip: Ipv4Addr,
    /// The node's Availability Zone.
    pub az: String,
    /// The listeners (HTTP), rules sorted by priority.
    pub listeners: Vec<Listener>,
    /// The target groups, in the order the actions index them.
    pub target_groups: Vec<GroupConfig>,
    /// The certificate chain and key (PEM files the netns daemon wrote, a leaf of the
    /// topology's CA for the DNS name) its HTTPS listeners serve; None without one.
    #[serde(default)]
    pub tls_files: Option<(String, String)>,
}

/// A target group as a node sees it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GroupConfig {
    /// `TargetGroupName`.
    pub name: String,
    /// The targets this node may send to: those in zones enabled for the load balancer
    /// (an ALB is always cross-zone), in file order.
    pub targets: Vec<TargetConfig>,
    /// How the node checks them.
    pub health: HealthCheck,
}

/// One target: where traffic goes and where it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TargetConfig {
    /// The target's address.
    pub ip: Ipv4Addr,
    /// The traffic port.
    pub port: u16,
    /// The health-check port.
    pub health_port: u16,
}

impl NodeConfig {
    /// The configuration of node `eni` of load balancer `lb`; None when `eni` is no node of an
    /// application load balancer.
    pub fn of(net: &Network, eni: EniId) -> Option<NodeConfig> {
        let l = net.load_balancer(net.eni_load_balancer(eni)?);
        if l.lb_type != LbType::Application {
            return None;
        }
        let node = l.node(eni)?;
        let enabled = |z: &Option<String>| {
            z.as_ref()
                .is_none_or(|z| l.nodes.iter().any(|n| &n.az == z))
        };
        let target_groups = l
            .target_groups
            .iter()
            .map(|tg| GroupConfig {
                name: tg.name.clone(),
                targets: tg
                    .targets
                    .iter()
                    .filter(|t| enabled(&t.az))
                    .map(|t| TargetConfig {
                        ip: t.ip,
                        port: t.port,
                        health_port: tg.health.port_for(t),
                    })
                    .collect(),
                health: tg.health.clone(),
            })
            .collect();
        Some(NodeConfig {
            lb: l.name.clone(),
            dns_name: l.dns_name.clone(),
            node_ip: net.eni(eni).private_ip,
            az: node.az.clone(),
            listeners: l.listeners.clone(),
            target_groups,
            tls_files: None,
        })
    }

    /// The listener on TCP port `port`.
    pub fn listener(&self, port: u16) -> Option<&Listener> {
        self.listeners.iter().find(|l| l.port == port)
    }
}

/// A request head as the node read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target as sent (`/a/b?x=1`).
    pub target: String,
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
}

/// Why a head was refused (the node answers 400 or 431 and closes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadError {
    /// Not HTTP/1.x, a line without `:`, not UTF-8, no `Host` in HTTP/1.1.
    Malformed,
    /// Over [`MAX_HEAD`], [`MAX_LINE`] or [`MAX_HEADERS`].
    TooLarge,
}

impl Head {
    /// Parses the head `buf[..end]` (up to and with the blank line).
    pub fn parse(buf: &[u8]) -> Result<Head, HeadError> {
        if buf.len() > MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
        let text = std::str::from_utf8(buf).map_err(|_| HeadError::Malformed)?;
        let mut lines = text.split("\r\n");
        let first = lines.next().ok_or(HeadError::Malformed)?;
        if first.len() > MAX_LINE {
            return Err(HeadError::TooLarge);
        }
        let mut parts = first.split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(HeadError::Malformed);
        };
        if method.is_empty() || !target.starts_with('/') || !version.starts_with("HTTP/1.") {
            return Err(HeadError::Malformed);
        }
        let mut headers = Vec::new();
        for l in lines.filter(|l| !l.is_empty()) {
            if l.len() > MAX_LINE || headers.len() >= MAX_HEADERS {
                return Err(HeadError::TooLarge);
            }
            let (k, v) = l.split_once(':').ok_or(HeadError::Malformed)?;
            if k.is_empty() || k.contains(' ') {
                return Err(HeadError::Malformed);
            }
            headers.push((k.to_string(), v.trim().to_string()));
        }
        let head = Head {
            method: method.into(),
            target: target.into(),
            version: version.into(),
            headers,
        };
        if head.version == "HTTP/1.1" && head.header("host").is_none() {
            return Err(HeadError::Malformed);
        }
        Ok(head)
    }

    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query (what path conditions match).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("/")
    }

    /// The query after `?` (empty when none).
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    /// The head the node sends the target: `X-Forwarded-For` extended with the client's
    /// address (or added), `X-Forwarded-Proto` (`http` or `https`, the listener's) and
    /// `X-Forwarded-Port: PORT` set (AWS replaces those two), `Connection: close` (one request
    /// per connection), the rest as sent.
    pub fn forwarded(&self, client: Ipv4Addr, listener: &Listener) -> Vec<u8> {
        let listener_port = listener.port;
        let proto = listener.protocol.name().to_ascii_lowercase();
        let mut out = format!("{} {} {}\r\n", self.method, self.target, self.version);
        let mut xff = None;
        for (k, v) in &self.headers {
            let lk = k.to_ascii_lowercase();
            match lk.as_str() {
                "x-forwarded-for" => xff = Some(v.clone()),
                "x-forwarded-proto" | "x-forwarded-port" | "connection" | "keep-alive" => {}
                _ => out.push_str(&format!("{k}: {v}\r\n")),
            }
        }
        let xff = match xff {
            Some(v) if !v.is_empty() => format!("{v}, {client}"),
            _ => client.to_string(),
        };
        out.push_str(&format!(
            "X-Forwarded-For: {xff}\r\nX-Forwarded-Proto: {proto}\r\nX-Forwarded-Port: {listener_port}\r\nConnection: close\r\n\r\n"
        ));
        out.into_bytes()
    }
}

/// Round robin over a group's targets: the healthy ones (`healthy[i]` for `targets[i]`), or
/// every target when none is healthy (AWS fails open). `turn` is the group's request counter.
/// None when the group has no target.
pub fn pick_target(healthy: &[bool], turn: usize) -> Option<usize> {
    let pool: Vec<usize> = (0..healthy.len()).filter(|i| healthy[*i]).collect();
    if pool.is_empty() {
        return (!healthy.is_empty()).then(|| turn % healthy.len());
    }
    Some(pool[turn % pool.len()])
}

/// A target's health as one node tracks it from its checks' results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TargetHealth {
    /// None until the first check answered (AWS's `initial`); then healthy or not.
    pub healthy: Option<bool>,
    ok_run: u32,
    fail_run: u32,
}

impl TargetHealth {
    /// Records one check's result. The first result decides at once (vpclab's choice, so a
    /// topology is usable when `up` returns); afterwards `healthy_threshold` successes in a
    /// row make an unhealthy target healthy and `unhealthy_threshold` failures the reverse.
    /// Returns true when the state changed.
    pub fn record(&mut self, ok: bool, hc: &HealthCheck) -> bool {
        let before = self.healthy;
        if ok {
            self.ok_run += 1;
            self.fail_run = 0;
        } else {
            self.fail_run += 1;
            self.ok_run = 0;
        }
        self.healthy = match self.healthy {
            None => Some(ok),
            Some(false) if self.ok_run >= hc.healthy_threshold.max(1) => Some(true),
            Some(true) if self.fail_run >= hc.unhealthy_threshold.max(1) => Some(false),
            s => s,
        };
        before != self.healthy
    }
}

/// A whole response the node writes itself: status line, `Content-Type`, `Content-Length`,
/// `Connection: close`, `Server: awselb/2.0` (as AWS's fixed responses and errors carry).
pub fn response(status: u16, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} {}\r\nServer: awselb/2.0\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        reason(status),
        body.len()
    )
    .into_bytes()
}

/// The node's answer to a redirect action for request `h` on `listener`: `Location` built
/// from the request's protocol (the listener's), `Host` (without a port; `dns_name` when
/// absent), the listener's port, path and query (`Redirect::location`), status 301 or 302.
pub fn redirect(r: &Redirect, listener: &Listener, h: &Head, dns_name: &str) -> Vec<u8> {
    let host = h.header("host").unwrap_or(dns_name);
    let host = host.split(':').next().unwrap_or(host);
    let loc = r.location(
        listener.protocol.name(),
        host,
        listener.port,
        h.path(),
        h.query(),
    );
    format!(
        "HTTP/1.1 {} {}\r\nServer: awselb/2.0\r\nLocation: {loc}\r\nContent-Type: text/html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        r.status,
        reason(r.status)
    )
    .into_bytes()
}

/// The reason phrase of the statuses a node writes (others: empty, which HTTP allows).
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        _ => "",
    }
}

/// The request a health check sends (AWS's checker names itself `ELB-HealthChecker/2.0`).
pub fn health_request(t: &TargetConfig, path: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: ELB-HealthChecker/2.0\r\nConnection: close\r\n\r\n",
        t.ip, t.health_port
    )
    .into_bytes()
}

/// True when a health check's answer starts with status 200 (AWS's default matcher).
pub fn health_ok(answer: &[u8]) -> bool {
    let line = answer.split(|b| *b == b'\r').next().unwrap_or_default();
    let mut p = line.split(|b| *b == b' ');
    p.next().is_some_and(|v| v.starts_with(b"HTTP/1.")) && p.next() == Some(b"200")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load_balancer::LbProtocol;

    fn hc() -> HealthCheck {
        HealthCheck {
            protocol: LbProtocol::Http,
            port: None,
            path: "/".into(),
            healthy_threshold: 2,
            unhealthy_threshold: 2,
            interval_secs: 5,
        }
    }

    #[test]
    fn heads_are_bounded_and_forwarded_with_the_client() {
        let h = Head::parse(b"GET /api/x?y=1 HTTP/1.1\r\nHost: www.example.com\r\nX-Forwarded-For: 1.2.3.4\r\nX-Forwarded-Port: 1\r\n\r\n").unwrap();
        assert_eq!(h.path(), "/api/x");
        let l = Listener {
            protocol: LbProtocol::Http,
            port: 80,
            rules: vec![],
            default: crate::model::load_balancer::LbAction::Forward(0),
            arn: String::new(),
            certificate: None,
        };
        let f = String::from_utf8(h.forwarded(Ipv4Addr::new(198, 51, 100, 10), &l)).unwrap();
        assert!(
            f.starts_with("GET /api/x?y=1 HTTP/1.1\r\nHost: www.example.com\r\n"),
            "{f}"
        );
        assert!(
            f.contains("X-Forwarded-For: 1.2.3.4, 198.51.100.10\r\n"),
            "{f}"
        );
        assert!(f.contains("X-Forwarded-Port: 80\r\n") && !f.contains("X-Forwarded-Port: 1\r"));
        assert!(f.contains("X-Forwarded-Proto: http\r\n") && f.ends_with("\r\n\r\n"));
        assert_eq!(
            Head::parse(b"GET / HTTP/1.1\r\n\r\n"),
            Err(HeadError::Malformed)
        );
        assert_eq!(Head::parse(b"GARBAGE\r\n\r\n"), Err(HeadError::Malformed));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: v\r\n")).collect();
        let big = format!("GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n");
        assert_eq!(Head::parse(big.as_bytes()), Err(HeadError::TooLarge));
        assert!(Head::parse(b"GET / HTTP/1.0\r\n\r\n").is_ok());
    }

    #[test]
    fn redirects_fill_aws_placeholders() {
        let r = Redirect {
            protocol: "HTTPS".into(),
            port: "443".into(),
            host: "#{host}".into(),
            path: "/#{path}".into(),
            query: "#{query}".into(),
            status: 301,
        };
        let l = Listener {
            protocol: LbProtocol::Http,
            port: 80,
            rules: vec![],
            default: crate::model::load_balancer::LbAction::Redirect(r.clone()),
            arn: String::new(),
            certificate: None,
        };
        let h = Head::parse(b"GET /a/b?x=1 HTTP/1.1\r\nHost: WWW.example.com:80\r\n\r\n").unwrap();
        let a = String::from_utf8(redirect(&r, &l, &h, "lb")).unwrap();
        assert!(a.starts_with("HTTP/1.1 301 Moved Permanently\r\n"), "{a}");
        assert!(
            a.contains("\r\nLocation: https://WWW.example.com:443/a/b?x=1\r\n"),
            "{a}"
        );
        let r2 = Redirect {
            protocol: "#{protocol}".into(),
            port: "#{port}".into(),
            host: "new.#{host}".into(),
            path: "/v2/#{path}".into(),
            query: "".into(),
            status: 302,
        };
        assert_eq!(
            r2.location("HTTP", "example.com", 8080, "/", "q=1"),
            "http://new.example.com:8080/v2/"
        );
    }

    #[test]
    fn round_robin_over_healthy_targets_and_fail_open() {
        let picks: Vec<_> = (0..4)
            .map(|t| pick_target(&[true, false, true], t))
            .collect();
        assert_eq!(picks, [Some(0), Some(2), Some(0), Some(2)]);
        let open: Vec<_> = (0..3).map(|t| pick_target(&[false, false], t)).collect();
        assert_eq!(open, [Some(0), Some(1), Some(0)]);
        assert_eq!(pick_target(&[], 0), None);
    }

    #[test]
    fn health_follows_the_thresholds_after_the_first_answer() {
        let mut t = TargetHealth::default();
        assert!(t.record(false, &hc()));
        assert_eq!(t.healthy, Some(false));
        assert!(!t.record(true, &hc()));
        assert!(t.record(true, &hc()));
        assert_eq!(t.healthy, Some(true));
        assert!(!t.record(false, &hc()));
        assert!(t.record(false, &hc()));
        assert_eq!(t.healthy, Some(false));
        assert!(health_ok(b"HTTP/1.1 200 OK\r\n"));
        assert!(!health_ok(b"HTTP/1.1 404 Not Found\r\n"));
        assert!(!health_ok(b""));
    }
}
