//! Route 53 health checks as real probes through the engine on the virtual backend: each probe
//! leaves a hidden internet host at one of [`CHECKER_SOURCES`](super::health::CHECKER_SOURCES),
//! so security groups, NACLs and routes decide as on AWS (an SG that does not allow the
//! checkers makes the target unhealthy).
//!
//! TCP checks succeed when the connection is established (the virtual network has no latency,
//! so an answer comes within AWS's 10 s or never); HTTP checks send `GET path` and need a
//! 2xx/3xx status line and, with `search`, the string within the first 5,120 bytes of the body.

use super::health::HealthProber;
use super::zones::CheckProtocol;
use crate::backend::virt::Lab;
use crate::model::PortId;
use std::net::Ipv4Addr;

/// How many bytes of the body a string-matching check searches (AWS: 5,120).
pub const SEARCH_BYTES: usize = 5120;

/// A [`HealthProber`] sending from the checker hosts of a virtual [`Lab`], in turn.
pub struct LabProber<'a> {
    /// The lab.
    pub lab: &'a mut Lab,
    /// The checker hosts' ports.
    pub checkers: &'a [PortId],
    /// Rotation counter (kept by the caller between polls).
    pub next: &'a mut usize,
}

impl HealthProber for LabProber<'_> {
    fn check(
        &mut self,
        target: Ipv4Addr,
        protocol: CheckProtocol,
        port: u16,
        path: &str,
        search: Option<&str>,
    ) -> bool {
        if self.checkers.is_empty() {
            return false;
        }
        let from = self.checkers[*self.next % self.checkers.len()];
        *self.next = self.next.wrapping_add(1);
        let (mut flow, ex) = self.lab.tcp_connect_port(from, target, port);
        if !ex.replied || ex.reset {
            return false;
        }
        let ok = match protocol {
            CheckProtocol::Tcp => true,
            CheckProtocol::Http => {
                let path = if path.starts_with('/') {
                    path.to_string()
                } else {
                    format!("/{path}")
                };
                let req = format!(
                    "GET {path} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: Amazon-Route53-Health-Check-Service\r\nConnection: close\r\n\r\n"
                );
                let ex = self.lab.tcp_send(&mut flow, req.as_bytes());
                http_ok(&ex.data, search)
            }
        };
        self.lab.tcp_close(&flow);
        ok
    }
}

/// True for a 2xx/3xx response whose body (first 5,120 bytes) contains `search`, if given.
pub fn http_ok(resp: &[u8], search: Option<&str>) -> bool {
    let status_line = resp.split(|&b| b == b'\n').next().unwrap_or_default();
    let status = String::from_utf8_lossy(status_line);
    let mut parts = status.split_whitespace();
    let proto_ok = parts.next().is_some_and(|p| p.starts_with("HTTP/"));
    let code: u16 = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    if !proto_ok || !(200..400).contains(&code) {
        return false;
    }
    let Some(s) = search else { return true };
    let body = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| &resp[i + 4..])
        .unwrap_or_default();
    let body = &body[..body.len().min(SEARCH_BYTES)];
    let needle = s.as_bytes();
    !needle.is_empty() && body.windows(needle.len()).any(|w| w == needle) || needle.is_empty()
}

#[cfg(test)]
mod tests {
    use super::http_ok;

    #[test]
    fn status_and_search() {
        assert!(http_ok(b"HTTP/1.0 200 OK\r\n\r\nhello web", Some("web")));
        assert!(http_ok(b"HTTP/1.1 301 Moved\r\n\r\n", None));
        assert!(!http_ok(b"HTTP/1.1 404 Not Found\r\n\r\n", None));
        assert!(!http_ok(b"HTTP/1.0 200 OK\r\n\r\nhello", Some("web")));
        assert!(!http_ok(b"", None));
        let mut late = b"HTTP/1.0 200 OK\r\n\r\n".to_vec();
        late.extend(std::iter::repeat_n(b'x', 5120));
        late.extend(b"web");
        assert!(
            !http_ok(&late, Some("web")),
            "only the first 5,120 bytes count"
        );
    }
}
