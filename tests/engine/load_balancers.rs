//! Load balancers on the virtual backend (real TCP through the engine): internet → ALB →
//! private targets in two zones answer in turn, a target whose SG does not admit the ALB's SG
//! gets no traffic, cross-zone off keeps a client in the node's zone, an NLB whose targets are
//! all unhealthy fails open, and the NLB keeps the client's address towards instance targets.

use crate::common::lab;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use vpclab::backend::virt::{Lab, ProbeProto};

const TOPOLOGY: &str = include_str!("../../topologies/load-balancers.yaml");

/// HTTP answers (the answering host's name) counted, for `count` connections from `from` to
/// `dst:port`, each from its own source port.
fn answers(l: &mut Lab, from: &str, dst: Ipv4Addr, port: u16, count: u16) -> BTreeMap<String, u32> {
    let net = l.engine().network().clone();
    let src = match net.endpoint_by_name(from).unwrap() {
        vpclab::model::Endpoint::Instance(i) => net.instance(i).port,
        vpclab::model::Endpoint::Internet(h) => net.internet_host(h).port,
    };
    let mut seen = BTreeMap::new();
    for k in 0..count {
        let r = l.probe_port(src, None, dst, ProbeProto::Tcp, port, Some(41000 + k * 13));
        if r.reply {
            let body = String::from_utf8_lossy(&r.response).to_string();
            let who = ["web-a", "web-b", "api-a", "db-1", "db-2"]
                .into_iter()
                .find(|n| body.contains(n))
                .unwrap_or("?")
                .to_string();
            *seen.entry(who).or_insert(0) += 1;
        }
    }
    seen
}

fn node_ip(l: &Lab, lb: &str, k: usize, public: bool) -> Ipv4Addr {
    let net = l.engine().network();
    let lb = net.load_balancer(net.load_balancer_by_name(lb).unwrap());
    let e = net.eni(lb.nodes[k].eni);
    if public {
        e.public_ip.unwrap()
    } else {
        e.private_ip
    }
}

#[test]
fn internet_to_an_alb_reaches_both_private_targets() {
    let mut l = lab(TOPOLOGY);
    let front = l.resolve("client", "front").unwrap().unwrap();
    assert_eq!(front, node_ip(&l, "front", 0, true));
    let seen = answers(&mut l, "client", front, 80, 30);
    assert_eq!(
        seen.keys().cloned().collect::<Vec<_>>(),
        ["web-a", "web-b"],
        "{seen:?}"
    );
    assert_eq!(
        seen.values().sum::<u32>(),
        30,
        "every connection answered: {seen:?}"
    );
    // The second node (the other zone) answers too.
    let seen = {
        let ip = node_ip(&l, "front", 1, true);
        answers(&mut l, "client", ip, 80, 10)
    };
    assert_eq!(seen.values().sum::<u32>(), 10);
}

#[test]
fn a_target_cut_off_from_the_alb_gets_no_traffic() {
    let y = TOPOLOGY.replace(
        "web-b: { subnet: app-b, security_groups: [web]",
        "web-b: { subnet: app-b, security_groups: [db]",
    );
    let mut l = lab(&y);
    let front = node_ip(&l, "front", 0, true);
    let seen = answers(&mut l, "client", front, 80, 30);
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [("web-a".to_string(), 30)]
    );
}

#[test]
fn cross_zone_off_keeps_the_client_in_the_nodes_zone() {
    let mut l = lab(TOPOLOGY);
    for (k, want) in [(0, "db-1"), (1, "db-2")] {
        let seen = {
            let ip = node_ip(&l, "data", k, false);
            answers(&mut l, "web-a", ip, 5432, 12)
        };
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            [(want.to_string(), 12)]
        );
    }
    let y = TOPOLOGY.replace(
        "    scheme: internal\n",
        "    scheme: internal\n    cross_zone: true\n",
    );
    let mut l = lab(&y);
    let seen = {
        let ip = node_ip(&l, "data", 0, false);
        answers(&mut l, "web-a", ip, 5432, 30)
    };
    assert_eq!(seen.keys().cloned().collect::<Vec<_>>(), ["db-1", "db-2"]);
}

#[test]
fn an_nlb_with_every_target_unhealthy_fails_open() {
    let y = TOPOLOGY.replace(
        "- { protocol: tcp, ports: 5432, source: 10.0.0.0/16 }",
        "- { protocol: tcp, ports: 5432, source: 10.0.10.0/23 }",
    );
    let mut l = lab(&y);
    let seen = {
        let ip = node_ip(&l, "data", 0, false);
        answers(&mut l, "web-a", ip, 5432, 6)
    };
    assert_eq!(seen.values().sum::<u32>(), 6, "{seen:?}");
}

#[test]
fn an_internal_nlb_has_no_address_on_the_internet() {
    let l = lab(TOPOLOGY);
    let data = l.resolve("client", "data").unwrap().unwrap();
    assert!(data.is_private(), "{data}");
    let mut l = l;
    let seen = answers(&mut l, "client", data, 5432, 3);
    assert!(seen.is_empty(), "{seen:?}");
}

/// The client's probe of the ALB `front` with this request path and `Host` (None: defaults).
fn alb_probe(
    l: &mut Lab,
    path: Option<&str>,
    host: Option<&str>,
) -> vpclab::backend::virt::ProbeReport {
    l.set_http_request(vpclab::policy::path::HttpRequest {
        host: host.map(str::to_string),
        path: path.map(str::to_string),
    });
    let net = l.engine().network().clone();
    let client = net
        .internet_host(net.internet_host_by_name("client").unwrap())
        .port;
    let front = node_ip(l, "front", 0, true);
    l.probe_port(client, None, front, ProbeProto::Tcp, 80, None)
}

/// The HTTP status of an answer.
fn status(r: &vpclab::backend::virt::ProbeReport) -> String {
    String::from_utf8_lossy(&r.response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_virtual_alb_terminates_http_and_routes_by_path() {
    let mut l = lab(TOPOLOGY);
    let r = alb_probe(&mut l, Some("/api/users"), None);
    assert!(r.reply && r.delivered, "{r:?}");
    let body = String::from_utf8_lossy(&r.response);
    assert!(
        body.starts_with("HTTP/1.0 200") && body.contains("api-a"),
        "{body}"
    );
    let hops: Vec<&str> = r.trace.iter().map(|h| h.detail.as_str()).collect();
    assert!(
        hops.contains(&"listener HTTP:80 rule 10: forward to target group api"),
        "{hops:#?}"
    );
    assert!(
        hops.iter()
            .any(|h| h
                .starts_with("target i-api-a (10.0.10.5:8080) chosen by eni-lb-front-us-east-1a")),
        "{hops:#?}"
    );
    // The default action and round robin: web-a and web-b in turn.
    let who: Vec<String> = (0..4)
        .map(|_| {
            let r = alb_probe(&mut l, Some("/index.html"), None);
            let b = String::from_utf8_lossy(&r.response).to_string();
            ["web-a", "web-b"]
                .into_iter()
                .find(|n| b.contains(n))
                .unwrap_or("?")
                .to_string()
        })
        .collect();
    assert_eq!(who, ["web-a", "web-b", "web-a", "web-b"]);
    // A path the rule does not match (case-sensitive) goes to the default group.
    let r = alb_probe(&mut l, Some("/API/users"), None);
    assert!(!String::from_utf8_lossy(&r.response).contains("api-a"));
}

#[test]
fn the_target_sees_the_node_as_source_and_x_forwarded_headers() {
    let mut l = lab(TOPOLOGY);
    let r = alb_probe(&mut l, Some("/api/x?y=1"), Some("www.example.com"));
    assert!(r.reply, "{r:?}");
    let node = node_ip(&l, "front", 0, false);
    let api = l.host_mut("api-a").unwrap();
    let req = api
        .received
        .iter()
        .find(|p| !p.payload.is_empty() && !p.payload.windows(13).any(|w| w == b"HealthChecker"))
        .expect("the target got the request");
    assert_eq!(
        req.header.src, node,
        "the ALB node's private address is the source"
    );
    assert_eq!(req.header.dport, 8080);
    let text = String::from_utf8_lossy(&req.payload);
    assert!(text.starts_with("GET /api/x?y=1 HTTP/1.1\r\n"), "{text}");
    assert!(text.contains("Host: www.example.com\r\n"), "{text}");
    assert!(
        text.contains("X-Forwarded-For: 198.51.100.10\r\n"),
        "{text}"
    );
    assert!(text.contains("X-Forwarded-Proto: http\r\n"), "{text}");
    assert!(text.contains("X-Forwarded-Port: 80\r\n"), "{text}");
    // The health checks came from the node too, as AWS's checker names itself.
    assert!(api.received.iter().any(|p| p.header.src == node
        && String::from_utf8_lossy(&p.payload).contains("User-Agent: ELB-HealthChecker/2.0")));
}

#[test]
fn the_virtual_alb_answers_fixed_responses_itself() {
    let y = TOPOLOGY.replace(
        "          - { priority: 10, path: \"/api/*\", action: { forward: api } }\n",
        "          - { priority: 10, path: \"/api/*\", action: { forward: api } }\n          - { priority: 5, host: \"admin.*\", action: { fixed_response: { status: 403, body: \"no admin here\", content_type: text/plain } } }\n",
    );
    let mut l = lab(&y);
    let r = alb_probe(&mut l, Some("/api/x"), Some("ADMIN.example.com"));
    assert!(r.reply && r.delivered, "{r:?}");
    let body = String::from_utf8_lossy(&r.response);
    assert!(body.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{body}");
    assert!(
        body.contains("Server: awselb/2.0") && body.ends_with("no admin here"),
        "{body}"
    );
    assert!(
        l.host_mut("api-a").unwrap().received.is_empty(),
        "no target was asked"
    );
    assert!(r
        .trace
        .iter()
        .any(|h| h.detail == "listener HTTP:80 rule 5: fixed response 403"));
}

#[test]
fn a_group_without_targets_answers_503_and_a_blocked_target_gets_504() {
    let y = TOPOLOGY.replace(
        "        targets: [{ instance: api-a }]\n",
        "        targets: []\n",
    );
    let mut l = lab(&y);
    let r = alb_probe(&mut l, Some("/api/x"), None);
    assert!(!r.reply, "{r:?}");
    assert!(status(&r).starts_with("HTTP/1.1 503"), "{}", status(&r));
    let code = r
        .blocked
        .as_ref()
        .and_then(|d| d.code)
        .map(|c| c.to_string());
    assert_eq!(code.as_deref(), Some("ELBV2_LISTENER_HAS_NO_TG"));
    // Every web target cut off from the ALB's SG: fails open, the SG drops the node's SYN.
    let y = TOPOLOGY.replace(
        "- { protocol: tcp, ports: 80, source: sg:alb }",
        "- { protocol: tcp, ports: 80, source: 10.9.0.0/16 }",
    );
    let mut l = lab(&y);
    let r = alb_probe(&mut l, None, None);
    assert!(!r.reply && !r.delivered, "{r:?}");
    assert!(status(&r).starts_with("HTTP/1.1 504"), "{}", status(&r));
    assert!(r.trace.iter().any(|h| h.detail.contains("fails open")));
    let d = r.blocked.expect("a blocker");
    assert_eq!(d.component, "sg-web", "{d:?}");
}

/// The example topology with an HTTPS listener on 443 forwarding to `web`, and port 80
/// redirecting to it (AWS's usual HTTP → HTTPS redirect).
fn https_topology() -> String {
    TOPOLOGY
        .replace(
            "          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n      web:",
            "          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n          - { protocol: tcp, ports: 443, source: 0.0.0.0/0 }\n          - { protocol: tcp, ports: 8000-8001, source: 0.0.0.0/0 }\n      web:",
        )
        .replace(
            "        default: { forward: web }\n",
            "        default: { forward: web }\n      - protocol: https\n        port: 443\n        certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/abc\n        default: { forward: web }\n      - protocol: http\n        port: 8000\n        default: { redirect: { protocol: HTTPS, port: 443, status_code: HTTP_301 } }\n      - protocol: http\n        port: 8001\n        default: { redirect: { host: \"new.#{host}\", path: \"/v2/#{path}\", query: \"#{query}&from=old\", status_code: HTTP_302 } }\n",
        )
}

fn probe_front(l: &mut Lab, port: u16, path: &str) -> vpclab::backend::virt::ProbeReport {
    l.set_http_request(vpclab::policy::path::HttpRequest {
        host: Some("www.example.com".into()),
        path: Some(path.into()),
    });
    let net = l.engine().network().clone();
    let client = net
        .internet_host(net.internet_host_by_name("client").unwrap())
        .port;
    let front = node_ip(l, "front", 0, true);
    l.probe_port(client, None, front, ProbeProto::Tcp, port, None)
}

#[test]
fn a_redirect_action_answers_with_awss_location() {
    let mut l = lab(&https_topology());
    let r = probe_front(&mut l, 8000, "/a/b?x=1");
    assert!(r.reply && r.delivered, "{r:?}");
    let a = String::from_utf8_lossy(&r.response);
    assert!(a.starts_with("HTTP/1.1 301 Moved Permanently\r\n"), "{a}");
    assert!(
        a.contains("\r\nLocation: https://www.example.com:443/a/b?x=1\r\n"),
        "{a}"
    );
    assert!(
        r.trace.iter().any(|h| h.detail
            == "listener HTTP:8000 default action: redirect 301 to HTTPS://#{host}:443/#{path}"),
        "{:#?}",
        r.trace
    );
    let r = probe_front(&mut l, 8001, "/old/page?q=1");
    let a = String::from_utf8_lossy(&r.response);
    assert!(a.starts_with("HTTP/1.1 302 Found\r\n"), "{a}");
    assert!(
        a.contains("\r\nLocation: http://new.www.example.com:8001/v2/old/page?q=1&from=old\r\n"),
        "{a}"
    );
    // The analyzer says the same: the node answers, no target.
    let net = l.engine().network().clone();
    let from = vpclab::reach::resolve_source(&net, "client", None).unwrap();
    let to = vpclab::reach::resolve(&net, "front").unwrap();
    let a = vpclab::reach::analyze(&net, &vpclab::reach::Query::new(from, to, 6, 8000));
    assert!(a.reachable);
    assert!(a.forward.iter().any(|h| h.detail.contains("redirect 301")));
}

#[test]
fn an_https_listener_forwards_with_x_forwarded_proto_https() {
    let mut l = lab(&https_topology());
    let r = probe_front(&mut l, 443, "/");
    assert!(r.reply && r.delivered, "{r:?}");
    assert!(r
        .trace
        .iter()
        .any(|h| h.detail == "listener HTTPS:443 default action: forward to target group web"));
    let got: Vec<String> = ["web-a", "web-b"]
        .iter()
        .flat_map(|n| l.host_mut(n).unwrap().received.clone())
        .map(|p| String::from_utf8_lossy(&p.payload).to_string())
        .filter(|t| t.contains("X-Forwarded-For"))
        .collect();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].contains("X-Forwarded-Proto: https\r\n")
            && got[0].contains("X-Forwarded-Port: 443\r\n"),
        "{}",
        got[0]
    );
}

#[test]
fn redirects_are_validated_as_aws_does() {
    let errors = |listener: &str| {
        let y = https_topology().replace(
            "      - protocol: http\n        port: 8001\n",
            &format!("{listener}      - protocol: http\n        port: 8001\n"),
        );
        let t = vpclab::topology::parse_str("t.yaml", &y).unwrap_or_else(|r| panic!("{r}"));
        vpclab::topology::validate::validate(&t, "t.yaml").to_string()
    };
    assert!(!errors("").contains("error"), "{}", errors(""));
    let loop_ = errors("      - protocol: http\n        port: 8002\n        default: { redirect: { query: \"a=1\", status_code: HTTP_301 } }\n");
    assert!(loop_.contains("redirect loop"), "{loop_}");
    let down = errors("      - protocol: https\n        port: 8443\n        default: { redirect: { protocol: HTTP, status_code: HTTP_301 } }\n");
    assert!(down.contains("cannot redirect to HTTP"), "{down}");
    let code = errors("      - protocol: http\n        port: 8002\n        default: { redirect: { protocol: HTTPS, status_code: HTTP_307 } }\n");
    assert!(code.contains("HTTP_307"), "{code}");
    let path = errors("      - protocol: http\n        port: 8002\n        default: { redirect: { path: \"x\", status_code: HTTP_301 } }\n");
    assert!(path.contains("does not start with `/`"), "{path}");
}

#[test]
fn probe_takes_the_request_path_and_host_like_reach() {
    let f = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/topologies/load-balancers.yaml"
    );
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&[
        "probe",
        f,
        "--from",
        "client",
        "--to",
        "front",
        "--http-path",
        "/api/users",
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["reply"], true);
    let details: Vec<&str> = v["trace"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["detail"].as_str())
        .collect();
    assert!(
        details.contains(&"listener HTTP:80 rule 10: forward to target group api"),
        "{details:#?}"
    );
    // The flags need an application load balancer, and FILE (the live probe sends no request).
    let o = run(&[
        "probe",
        f,
        "--from",
        "client",
        "--to",
        "data",
        "--http-path",
        "/",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "probe",
        "--from",
        "client",
        "--to",
        "front",
        "--http-host",
        "x",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("need FILE"));
}
