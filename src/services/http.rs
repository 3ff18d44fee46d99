//! The small HTTP/1.1 request reader the services need: the request line, headers (names
//! lower-cased) and a body of `Content-Length` bytes. Untrusted input: a malformed request is
//! `None`, never a panic.

/// One parsed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `PUT`, …
    pub method: String,
    /// The path without the query (`/bucket/key`).
    pub path: String,
    /// The query string without `?` (empty when none).
    pub query: String,
    /// Headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Where the head ends (after the blank line) in `buf`, if it is complete.
pub fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// The body length the head announces (0 without `Content-Length`); None when the head is
/// incomplete or the length unreadable.
pub fn body_len(buf: &[u8]) -> Option<usize> {
    let end = head_end(buf)?;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    for line in head.split("\r\n").skip(1) {
        if let Some((k, v)) = line.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                return v.trim().parse().ok();
            }
        }
    }
    Some(0)
}

/// Parses a complete request (head and its whole body).
pub fn parse(buf: &[u8]) -> Option<Request> {
    let end = head_end(buf)?;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len = body_len(buf)?;
    let body = buf.get(end..end + len)?.to_vec();
    Some(Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body,
    })
}

/// A whole response: status line, `Content-Type`, `Content-Length`, `Connection: close`, the
/// extra headers, then the body (left out for HEAD by the caller).
pub fn response(
    status: &str,
    content_type: &str,
    extra: &[(&str, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\nServer: vpclab\r\n",
        body.len()
    );
    for (k, v) in extra {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requests_with_bodies() {
        let r = b"PUT /b/k?x=1 HTTP/1.1\r\nHost: s3\r\nContent-Length: 3\r\n\r\nabc";
        assert_eq!(body_len(r), Some(3));
        let q = parse(r).unwrap();
        assert_eq!(
            (q.method.as_str(), q.path.as_str(), q.query.as_str()),
            ("PUT", "/b/k", "x=1")
        );
        assert_eq!(q.header("host"), Some("s3"));
        assert_eq!(q.body, b"abc");
        assert_eq!(
            parse(b"PUT / HTTP/1.1\r\nContent-Length: 9\r\n\r\nab"),
            None
        );
        assert_eq!(parse(b"\xff\xfe\r\n\r\n"), None);
    }
}
