//! One HTTP exchange with an AWS service's host: S3 (by its host name `s3.REGION.amazonaws.com`)
//! goes to the object store; every other service answers `200` with a small JSON document
//! naming itself, its region and the address the request reached (so a request through an
//! interface endpoint shows the endpoint's address), which is recognisable from `curl`.

use super::http::{self, response};
use super::s3::Store;

/// True when a host of the emulated internet named `name` is an AWS service's
/// (`SERVICE.REGION.amazonaws.com`, as `model::build` names them).
pub fn is_service_host(name: &str) -> bool {
    name.ends_with(".amazonaws.com")
}

/// The answer of service host `name` to the request bytes `raw` (a complete request, see
/// `http::body_len`), received at address `local` (its public address or an endpoint ENI's).
pub fn answer(name: &str, raw: &[u8], local: &str, store: &mut Store) -> Vec<u8> {
    let Some(req) = http::parse(raw) else {
        return response("400 Bad Request", "text/plain", &[], b"bad request\n");
    };
    if name.starts_with("s3.") {
        return store.handle(&req, name);
    }
    let mut parts = name.split('.');
    let service = parts.next().unwrap_or("");
    let region = parts.next().unwrap_or("");
    // Each value a JSON string, escaped (a path may hold a quote or a backslash); the layout is the one
    // documented (`{"service": "sqs", …}`).
    let q = |v: &str| serde_json::Value::from(v).to_string();
    let body = format!(
        "{{\"service\": {}, \"region\": {}, \"endpoint\": {}, \"address\": {}, \"method\": {}, \"path\": {}}}\n",
        q(service),
        q(region),
        q(name),
        q(local),
        q(&req.method),
        q(&req.path)
    );
    let body = body.into_bytes();
    response("200 OK", "application/json", &[], &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_answer_recognisably() {
        let mut s = Store::new();
        let r = answer(
            "sqs.us-east-1.amazonaws.com",
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            "10.0.1.5",
            &mut s,
        );
        let r = String::from_utf8_lossy(&r);
        assert!(
            r.contains("\"service\": \"sqs\"") && r.contains("10.0.1.5"),
            "{r}"
        );
        let r = answer(
            "s3.us-east-1.amazonaws.com",
            b"GET / HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\n\r\n",
            "54.231.0.10",
            &mut s,
        );
        assert!(String::from_utf8_lossy(&r).contains("ListAllMyBucketsResult"));
        assert!(answer("s3.x", b"nonsense", "", &mut s).starts_with(b"HTTP/1.1 400"));
        // What the request carried is escaped: the body stays one JSON document.
        let r = answer(
            "sts.us-east-1.amazonaws.com",
            b"GET /a\\\"b HTTP/1.1\r\nHost: x\r\n\r\n",
            "52.1.2.3",
            &mut s,
        );
        let body = &r[http::head_end(&r).unwrap()..];
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(v["path"], "/a\\\"b");
        assert_eq!(v["service"], "sts");
        assert!(is_service_host("s3.us-east-1.amazonaws.com") && !is_service_host("web"));
    }
}
