//! The HTTP half of a Route 53 health check, shared by every prober (the netns backend's real
//! sockets and the virtual backend's smoltcp hosts): the request a checker sends and the test
//! of the response. Transport (connect, send, read) stays with each prober.

use std::net::Ipv4Addr;

/// How many bytes of the body a string-matching check searches (AWS: 5,120).
pub const SEARCH_BYTES: usize = 5120;

/// The request a Route 53 checker sends for `GET path` to `target` (a path without a leading
/// `/` gets one), closing the connection after the answer.
pub fn request(target: Ipv4Addr, path: &str) -> String {
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    format!(
        "GET {path} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: Amazon-Route53-Health-Check-Service\r\nConnection: close\r\n\r\n"
    )
}

/// True for an `HTTP/` 2xx/3xx response whose body (its first 5,120 bytes) contains `search`,
/// if given. Bytes are compared as they are: no decoding of the body.
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
    needle.is_empty() || body.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::{http_ok, request};

    #[test]
    fn status_and_search() {
        assert!(http_ok(b"HTTP/1.0 200 OK\r\n\r\nhello web", Some("web")));
        assert!(http_ok(b"HTTP/1.1 301 Moved\r\n\r\n", None));
        assert!(!http_ok(b"HTTP/1.1 404 Not Found\r\n\r\n", None));
        assert!(!http_ok(b"HTTP/1.1 500 Oops\r\n\r\n", None));
        assert!(!http_ok(b"HTTP/1.0 200 OK\r\n\r\nhello", Some("web")));
        assert!(http_ok(b"HTTP/1.0 200 OK\r\n\r\nhello", Some("")));
        assert!(!http_ok(b"garbage", None));
        assert!(
            !http_ok(b"200 OK\r\n\r\n", None),
            "needs an HTTP/ status line"
        );
        assert!(!http_ok(b"", None));
        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        assert!(http_ok(ok, Some("ell")));
        assert!(!http_ok(ok, Some("bye")));
        let mut late = b"HTTP/1.0 200 OK\r\n\r\n".to_vec();
        late.extend(std::iter::repeat_n(b'x', 5120));
        late.extend(b"web");
        assert!(
            !http_ok(&late, Some("web")),
            "only the first 5,120 bytes count"
        );
    }

    #[test]
    fn request_line_and_headers() {
        let r = request([203, 0, 113, 5].into(), "health");
        assert!(
            r.starts_with("GET /health HTTP/1.1\r\nHost: 203.0.113.5\r\n"),
            "{r}"
        );
        assert!(r.ends_with("Connection: close\r\n\r\n"), "{r}");
        assert!(request([203, 0, 113, 5].into(), "/x").starts_with("GET /x "));
    }
}
