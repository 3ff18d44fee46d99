//! Load balancers on the netns backend (root): each ALB node's namespace runs the proxy
//! (`backend::alb`). `curl` by the ALB's DNS name from an internet host resolves through the
//! emulated public resolver to the nodes' public addresses; the node terminates HTTP, applies
//! the listener rules to the real request, picks a healthy target round robin and adds
//! `X-Forwarded-For`; a target whose SG does not admit the ALB's SG fails its health checks
//! (sent through the engine from the node) and gets no request, as the analyzer derives.

use crate::common::netns::*;
use crate::common::require::{self, CURL};
use std::collections::BTreeSet;

const TOPOLOGY: &str = include_str!("../../topologies/load-balancers.yaml");

/// The example with a third web target, `web-c`, whose SG (`db`) does not admit the ALB's.
fn with_closed_target() -> String {
    TOPOLOGY
        .replace(
            "      web-b: { subnet: app-b, security_groups: [web], services: [\"http:80\"] }\n",
            "      web-b: { subnet: app-b, security_groups: [web], services: [\"http:80\"] }\n      web-c: { subnet: app-b, security_groups: [db], services: [\"http:80\"] }\n",
        )
        .replace(
            "targets: [{ instance: web-a }, { instance: web-b }]",
            "targets: [{ instance: web-a }, { instance: web-b }, { instance: web-c }]",
        )
}

fn curl(t: &Topo, args: &[&str]) -> String {
    let mut a = vec!["curl", "-s", "-m", "15"];
    a.extend_from_slice(args);
    stdout(&t.exec("client", &a)).trim().to_string()
}

#[test]
#[ignore = "needs root and curl: run the README's test command (scripts/test.sh)"]
fn the_alb_terminates_http_with_rules_round_robin_and_health_checks() {
    require::netns(&[CURL]);
    let yaml = with_closed_target();
    assert!(
        yaml.contains("web-c"),
        "the example changed: web-c not added"
    );
    let t = Topo::new("nelb", &yaml);
    t.up();
    let net = t.network();
    let lb = net.load_balancer(net.load_balancer_by_name("front").unwrap());

    // The analyzer's derived health: web-c unhealthy from every node, the others healthy.
    let web = &lb.target_groups[0];
    for n in &lb.nodes {
        let h: Vec<bool> = web
            .targets
            .iter()
            .map(|x| vpclab::policy::path::target_healthy(&net, n.eni, web, x))
            .collect();
        assert_eq!(h, [true, true, false], "derived health from {}", n.az);
    }

    // One node, by its public address: strict alternation between the two healthy targets.
    let node_ip = net.eni(lb.nodes[0].eni).public_ip.unwrap().to_string();
    let host = format!("Host: {}", lb.dns_name);
    let url = format!("http://{node_ip}/");
    let answers: Vec<String> = (0..6).map(|_| curl(&t, &["-H", &host, &url])).collect();
    for w in answers.windows(2) {
        assert_ne!(w[0], w[1], "round robin alternates: {answers:?}");
    }
    let seen: BTreeSet<&str> = answers.iter().map(String::as_str).collect();
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["web-a", "web-b"],
        "{answers:?}"
    );

    // By the DNS name (either node): only the healthy targets answer.
    let by_name = format!("http://{}/", lb.dns_name);
    let seen: BTreeSet<String> = (0..6).map(|_| curl(&t, &[&by_name])).collect();
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["web-a", "web-b"]);

    // The path rule sends /api/* to the other target group.
    let api = format!("http://{}/api/users", lb.dns_name);
    assert_eq!(curl(&t, &[&api]), "api-a");

    // The targets see the client's address in X-Forwarded-For; web-c saw no request.
    let dir = vpclab::backend::netns::state::StateDir::of(&t.name);
    for (host, wanted) in [("web-a", true), ("web-b", true), ("web-c", false)] {
        let log = dir.host_log(host).display().to_string();
        let text = stdout(&t.exec(host, &["cat", &log]));
        assert_eq!(
            text.contains("X-Forwarded-For: 198.51.100.10"),
            wanted,
            "{host}'s log:\n{text}"
        );
    }
    for i in ["web-a", "web-b"] {
        let inst = net.instance(net.instance_by_name(i).unwrap());
        assert_eq!(net.eni(inst.eni).public_ip, None, "{i} has no public IP");
    }

    // `apply` changes the rules live: a fixed response ahead of the path rule.
    let changed = yaml.replace(
        "          - { priority: 10, path: \"/api/*\", action: { forward: api } }\n",
        "          - { priority: 5, path: \"/api/*\", action: { fixed_response: { status: 418, body: teapot, content_type: text/plain } } }\n          - { priority: 10, path: \"/api/*\", action: { forward: api } }\n",
    );
    assert_ne!(changed, yaml, "the example's rule changed");
    let o = vpclab()
        .arg("apply")
        .arg(t.rewrite(&changed))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut got = String::new();
    while std::time::Instant::now() < deadline {
        got = curl(&t, &["-w", " %{http_code}", &api]);
        if got == "teapot 418" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    assert_eq!(got, "teapot 418", "the applied fixed response answers");
}

/// The example with AWS's usual pair: port 80 redirects to HTTPS, an HTTPS listener on 443
/// (TLS terminated at the node with a leaf of the topology's CA) forwards to `web`.
fn with_https() -> String {
    TOPOLOGY
        .replace(
            "          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n      web:",
            "          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n          - { protocol: tcp, ports: 443, source: 0.0.0.0/0 }\n      web:",
        )
        .replace(
            "        default: { forward: web }\n",
            "        default: { redirect: { protocol: HTTPS, port: 443, status_code: HTTP_301 } }\n      - protocol: https\n        port: 443\n        default: { forward: web }\n",
        )
}

#[test]
#[ignore = "needs root and curl: run the README's test command (scripts/test.sh)"]
fn http_redirects_to_https_and_the_https_listener_answers_with_the_targets() {
    require::netns(&[CURL]);
    let yaml = with_https();
    assert!(yaml.contains("protocol: https"), "the example changed");
    let t = Topo::new("nelbs", &yaml);
    t.up();
    let net = t.network();
    let lb = net.load_balancer(net.load_balancer_by_name("front").unwrap());
    let dns = &lb.dns_name;
    // `curl -v http://DNSNAME/`: the node's 301 to https, the request's host and path kept.
    let got = curl(
        &t,
        &[
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{redirect_url}",
            &format!("http://{dns}/a?b=1"),
        ],
    );
    assert_eq!(got, format!("301 https://{dns}:443/a?b=1"));
    // `curl https://DNSNAME/`: the CA is trusted in every namespace; the targets answer in turn.
    let url = format!("https://{dns}/");
    let answers: Vec<String> = (0..4).map(|_| curl(&t, &[&url])).collect();
    let seen: BTreeSet<&str> = answers.iter().map(String::as_str).collect();
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["web-a", "web-b"],
        "{answers:?}"
    );
    // Following the redirect lands on the same answers.
    let followed = curl(&t, &["-L", &format!("http://{dns}/")]);
    assert!(followed == "web-a" || followed == "web-b", "{followed}");
}
