//! A tiny in-memory S3: buckets of objects, PUT / GET / HEAD / DELETE of an object, PUT of a
//! bucket, and LIST (ListObjectsV2's XML, also for the v1 query), in virtual-hosted style
//! (`BUCKET.s3.REGION.amazonaws.com/KEY`) and path style (`s3.REGION.amazonaws.com/BUCKET/KEY`).
//! Signatures (`Authorization`, `x-amz-*`) are accepted, never checked; a PUT to a bucket that
//! does not exist creates it, so `curl -T` works without a prior `mb`.

use super::http::{response, Request};
use std::collections::BTreeMap;

/// Every object's `Last-Modified` (the store keeps no clock; LIST shows the same instant).
const LAST_MODIFIED: &str = "Thu, 01 Jan 2026 00:00:00 GMT";

/// The objects of every bucket.
#[derive(Clone, Debug, Default)]
pub struct Store {
    buckets: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
}

/// A stable ETag of a body (FNV-1a 64 in hex; S3's is an MD5, which no client checks here
/// unless it sends Content-MD5).
fn etag(b: &[u8]) -> String {
    let h = b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| {
        (h ^ *x as u64).wrapping_mul(0x100_0000_01b3)
    });
    format!("\"{h:016x}\"")
}

/// An S3 error document with its HTTP status.
fn error(status: &str, code: &str, message: &str) -> Vec<u8> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>\n"
    );
    response(status, "application/xml", &[], body.as_bytes())
}

/// Escapes text for XML.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Decodes `%XX` escapes of a path or query value (invalid escapes stay as written).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// (bucket, key) of a request to the S3 endpoint named `service_host`
    /// (`s3.REGION.amazonaws.com`): from the Host header's first labels, else the path.
    fn target(req: &Request, service_host: &str) -> (String, String) {
        let host = req
            .header("host")
            .unwrap_or("")
            .split(':')
            .next()
            .unwrap_or("");
        let path = unescape(req.path.trim_start_matches('/'));
        let suffix = format!(".{service_host}");
        if let Some(bucket) = host
            .strip_suffix(&suffix)
            .or_else(|| host.strip_suffix(".s3.amazonaws.com"))
        {
            return (bucket.to_string(), path);
        }
        match path.split_once('/') {
            Some((b, k)) => (b.to_string(), k.to_string()),
            None => (path, String::new()),
        }
    }

    /// The response to one request.
    pub fn handle(&mut self, req: &Request, service_host: &str) -> Vec<u8> {
        let (bucket, key) = Self::target(req, service_host);
        let head = req.method == "HEAD";
        match (req.method.as_str(), bucket.is_empty(), key.is_empty()) {
            ("GET", true, _) => {
                let list: String = self
                    .buckets
                    .keys()
                    .map(|b| format!("<Bucket><Name>{}</Name></Bucket>", xml(b)))
                    .collect();
                let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult><Buckets>{list}</Buckets></ListAllMyBucketsResult>\n");
                response("200 OK", "application/xml", &[], body.as_bytes())
            }
            ("PUT", false, true) => {
                self.buckets.entry(bucket).or_default();
                response("200 OK", "application/xml", &[], b"")
            }
            ("PUT", false, false) => {
                // The AWS CLI's uploads: `Content-Encoding: aws-chunked` (chunks, signatures
                // and a checksum trailer around the object's bytes).
                let aws_chunked = req
                    .header("content-encoding")
                    .is_some_and(|v| v.contains("aws-chunked"));
                let body = match aws_chunked {
                    true => match super::http::dechunk(&req.body) {
                        Some((b, _)) => b,
                        None => {
                            return error(
                                "400 Bad Request",
                                "IncompleteBody",
                                "the aws-chunked body is malformed",
                            )
                        }
                    },
                    false => req.body.clone(),
                };
                let tag = etag(&body);
                self.buckets.entry(bucket).or_default().insert(key, body);
                response("200 OK", "application/xml", &[("ETag", tag)], b"")
            }
            ("GET" | "HEAD", false, true) => match self.buckets.get(&bucket) {
                None => error(
                    "404 Not Found",
                    "NoSuchBucket",
                    "The specified bucket does not exist",
                ),
                Some(objects) => {
                    let prefix = req
                        .query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix("prefix="))
                        .map(unescape)
                        .unwrap_or_default();
                    let items: Vec<_> = objects
                        .iter()
                        .filter(|(k, _)| k.starts_with(&prefix))
                        .collect();
                    let contents: String = items
                        .iter()
                        .map(|(k, v)| {
                            format!(
                                "<Contents><Key>{}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>{}</ETag><Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
                                xml(k),
                                xml(&etag(v)),
                                v.len()
                            )
                        })
                        .collect();
                    let body = format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>{}</Name><Prefix>{}</Prefix><KeyCount>{}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>{contents}</ListBucketResult>\n",
                        xml(&bucket),
                        xml(&prefix),
                        items.len()
                    );
                    let mut r = response("200 OK", "application/xml", &[], body.as_bytes());
                    if head {
                        r.truncate(r.len() - body.len());
                    }
                    r
                }
            },
            ("GET" | "HEAD", false, false) => {
                match self.buckets.get(&bucket).and_then(|b| b.get(&key)) {
                    Some(v) => {
                        let tag = etag(v);
                        let extra = [("ETag", tag), ("Last-Modified", LAST_MODIFIED.into())];
                        let mut r = response("200 OK", "application/octet-stream", &extra, v);
                        if head {
                            r.truncate(r.len() - v.len());
                        }
                        r
                    }
                    None => error(
                        "404 Not Found",
                        "NoSuchKey",
                        "The specified key does not exist.",
                    ),
                }
            }
            ("DELETE", false, false) => {
                if let Some(b) = self.buckets.get_mut(&bucket) {
                    b.remove(&key);
                }
                response("204 No Content", "application/xml", &[], b"")
            }
            _ => error(
                "405 Method Not Allowed",
                "MethodNotAllowed",
                "vpclab's S3 answers GET, HEAD, PUT and DELETE",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::http::parse;
    use super::*;

    fn ask(s: &mut Store, raw: &str) -> String {
        String::from_utf8_lossy(&s.handle(
            &parse(raw.as_bytes()).unwrap(),
            "s3.us-east-1.amazonaws.com",
        ))
        .into_owned()
    }

    #[test]
    fn put_get_list_in_both_styles() {
        let mut s = Store::new();
        let r = ask(&mut s, "PUT /notes/a%20b.txt HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\nContent-Length: 5\r\n\r\nhello");
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        let r = ask(
            &mut s,
            "GET /a%20b.txt HTTP/1.1\r\nHost: notes.s3.us-east-1.amazonaws.com\r\n\r\n",
        );
        assert!(r.ends_with("\r\n\r\nhello"), "{r}");
        let r = ask(
            &mut s,
            "GET /notes?list-type=2 HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\n\r\n",
        );
        assert!(
            r.contains("<Key>a b.txt</Key>") && r.contains("<KeyCount>1</KeyCount>"),
            "{r}"
        );
        let r = ask(
            &mut s,
            "GET /missing HTTP/1.1\r\nHost: notes.s3.us-east-1.amazonaws.com\r\n\r\n",
        );
        assert!(
            r.starts_with("HTTP/1.1 404") && r.contains("NoSuchKey"),
            "{r}"
        );
        let r = ask(
            &mut s,
            "GET / HTTP/1.1\r\nHost: other.s3.us-east-1.amazonaws.com\r\n\r\n",
        );
        assert!(r.contains("NoSuchBucket"), "{r}");
        let r = ask(
            &mut s,
            "HEAD /notes/a%20b.txt HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\n\r\n",
        );
        assert!(
            r.contains("Content-Length: 5") && r.ends_with("\r\n\r\n"),
            "{r}"
        );
        assert_eq!(unescape("%zz%41"), "%zzA");
        // The AWS CLI's PUT: aws-chunked content inside HTTP chunks; GET has Last-Modified.
        let r = ask(&mut s, "PUT /cli.txt HTTP/1.1\r\nHost: notes.s3.amazonaws.com\r\nTransfer-Encoding: chunked\r\nContent-Encoding: aws-chunked\r\n\r\n2c\r\n3\r\ncli\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n\r\n0\r\n\r\n");
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        let r = ask(
            &mut s,
            "GET /cli.txt HTTP/1.1\r\nHost: notes.s3.amazonaws.com\r\n\r\n",
        );
        assert!(
            r.contains("Last-Modified: Thu, 01 Jan 2026") && r.ends_with("\r\n\r\ncli"),
            "{r}"
        );
    }
}
