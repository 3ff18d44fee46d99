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

/// True when the head in `buf` (complete, ending at `end`) announces `Transfer-Encoding:
/// chunked` (what the AWS CLI sends for uploads of unknown signing, with `aws-chunked` inside).
fn is_chunked(buf: &[u8], end: usize) -> bool {
    let head = String::from_utf8_lossy(&buf[..end]);
    head.split("\r\n").skip(1).any(|line| {
        line.split_once(':').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("transfer-encoding")
                && v.to_ascii_lowercase().contains("chunked")
        })
    })
}

/// Decodes a chunked body (`HEX[;ext]\r\nDATA\r\n` … `0[;ext]\r\n`, trailer lines, a blank
/// line): the framing of HTTP's `Transfer-Encoding: chunked` and of S3's `aws-chunked` content
/// encoding alike (chunk signatures are ignored, not checked). Returns the data and how many
/// bytes of `b` the body took; None while incomplete or when malformed.
pub fn dechunk(b: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    let line_end = |from: usize| {
        b.get(from..)?
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|p| from + p)
    };
    loop {
        let e = line_end(i)?;
        let line = std::str::from_utf8(&b[i..e]).ok()?;
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        i = e + 2;
        if size == 0 {
            // Trailers (`x-amz-checksum-crc32:…`), then the blank line.
            loop {
                let e = line_end(i)?;
                let blank = e == i;
                i = e + 2;
                if blank {
                    return Some((out, i));
                }
            }
        }
        let data = b.get(i..i.checked_add(size)?)?;
        out.extend_from_slice(data);
        i += size;
        if b.get(i..i + 2)? != b"\r\n" {
            return None;
        }
        i += 2;
    }
}

/// The length of the whole request at the start of `buf` (head and body, `Content-Length` or
/// chunked); None while it is incomplete or unreadable.
pub fn request_len(buf: &[u8]) -> Option<usize> {
    let end = head_end(buf)?;
    if is_chunked(buf, end) {
        return dechunk(&buf[end..]).map(|(_, n)| end + n);
    }
    let len = body_len(buf)?;
    (buf.len() >= end + len).then_some(end + len)
}

/// Parses a complete request (head and its whole body, `Content-Length` or chunked; a
/// chunked body is returned decoded).
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
    let body = if is_chunked(buf, end) {
        dechunk(&buf[end..])?.0
    } else {
        let len = body_len(buf)?;
        buf.get(end..end + len)?.to_vec()
    };
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

    /// The AWS CLI's upload: HTTP chunks around an `aws-chunked` body with a checksum trailer.
    #[test]
    fn reads_chunked_and_aws_chunked_bodies() {
        let inner = b"5;chunk-signature=ab\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n";
        assert_eq!(dechunk(inner), Some((b"hello".to_vec(), inner.len())));
        let mut req = b"PUT /k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        req.extend_from_slice(format!("{:x}\r\n", inner.len()).as_bytes());
        req.extend_from_slice(inner);
        req.extend_from_slice(b"\r\n0\r\n\r\n");
        assert_eq!(request_len(&req), Some(req.len()));
        assert_eq!(request_len(&req[..req.len() - 1]), None);
        let q = parse(&req).unwrap();
        assert_eq!(q.body, inner);
        assert_eq!(dechunk(b"zz\r\n"), None);
        assert_eq!(dechunk(b"3\r\nabcX\r\n"), None);
        assert_eq!(
            request_len(b"GET / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab"),
            Some(39)
        );
    }
}
