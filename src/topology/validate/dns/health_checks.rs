//! Route 53 health checks: what they probe (an instance or a public address) and the limits
//! AWS puts on protocol, port, interval, threshold, search string and path.

use crate::topology::spec::{Dns, Topology};
use crate::topology::Report;

/// Checks every health check: target, protocol, port, interval, threshold, search string,
/// path.
pub(super) fn check(t: &Topology, dns: &Dns, r: &mut Report) {
    for (name, c) in dns.health_checks.iter() {
        let target = c.target.value.as_str();
        if let Some(n) = target.strip_prefix("instance:") {
            if !t.vpcs.iter().any(|(_, v)| v.instances.contains(n)) {
                r.error(
                    c.target.loc,
                    format!("instance `{n}` does not exist"),
                    "name an instance of this topology, or an IPv4 address",
                );
            }
        } else {
            match target.parse::<std::net::Ipv4Addr>() {
                Err(_) => r.error(c.target.loc, format!("`{target}` is not an IPv4 address or `instance:NAME`"), "health checks probe an address such as 203.0.113.11"),
                Ok(ip) if ip.is_private() => r.warning(
                    c.target.loc,
                    format!("health check `{}` probes the private address {ip}: Route 53's checkers are on the internet and cannot reach it", name.value),
                    "probe a public IP or Elastic IP of the endpoint",
                ),
                Ok(_) => {}
            }
        }
        if c.protocol.value != "http" && c.protocol.value != "tcp" {
            r.error(
                c.protocol.loc,
                format!("`{}` is not a health check protocol", c.protocol.value),
                "use `http` (2xx/3xx, optional search_string) or `tcp`",
            );
        }
        if let Some(p) = &c.port {
            if !(1..=65535).contains(&p.value) {
                r.error(
                    p.loc,
                    format!("port {} is outside 1..65535", p.value),
                    "use the port the endpoint listens on",
                );
            }
        }
        if let Some(i) = &c.interval {
            if i.value != 10 && i.value != 30 {
                r.error(
                    i.loc,
                    format!("interval {} is not 10 or 30", i.value),
                    "Route 53 checks every 30 s (standard) or 10 s (fast)",
                );
            }
        }
        if let Some(f) = &c.failure_threshold {
            if !(1..=10).contains(&f.value) {
                r.error(
                    f.loc,
                    format!("failure_threshold {} is outside 1..10", f.value),
                    "the default is 3",
                );
            }
        }
        if let Some(s) = &c.search_string {
            if c.protocol.value == "tcp" {
                r.error(
                    c.protocol.loc,
                    "search_string needs protocol http",
                    "use `protocol: http`, or remove `search_string`",
                );
            }
            if s.len() > 255 {
                r.error(
                    name.loc,
                    "search_string is longer than 255 characters",
                    "shorten it",
                );
            }
        }
        if let Some(p) = &c.path {
            if !p.starts_with('/') {
                r.error(
                    name.loc,
                    format!("path `{p}` does not start with `/`"),
                    "write it as `/health`",
                );
            }
        }
    }
}
