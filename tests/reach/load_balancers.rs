//! Load balancers in the analyzer (issue 15's "Done when" list): internet → ALB → private
//! targets in two AZs, a target cut off from its health check gets no traffic, a path rule
//! picks another target group, an internal NLB is out of the internet's reach, cross-zone off
//! keeps a client in the node's zone, and an NLB whose targets are all unhealthy fails open.

use crate::common::net;
use std::net::Ipv4Addr;
use vpclab::model::Network;
use vpclab::policy::path::{self, Assumed, Delivery, HttpRequest, Options, Origin, Outcome};
use vpclab::policy::{ComponentKind, Header};
use vpclab::reach::{analyze, resolve, resolve_source, Analysis, Party, Query};

const TOPOLOGY: &str = include_str!("../../topologies/load-balancers.yaml");

fn ask(n: &Network, from: &str, to: Party, port: u16) -> Analysis {
    let q = Query::new(resolve_source(n, from, None).unwrap(), to, 6, port);
    analyze(n, &q)
}

/// The instance the forward path of `a` delivered to.
fn delivered_to(a: &Analysis) -> String {
    let last = a.forward.last().expect("a forward path");
    assert_eq!(last.kind, ComponentKind::Eni, "{:#?}", a.forward);
    last.component.clone()
}

/// The instance names a client at `client` reaches through `lb_ip` on `port`, over `n`
/// source ports (engine-free: the walk the engine runs too).
fn targets_seen(
    n: &Network,
    client: Ipv4Addr,
    lb_ip: Ipv4Addr,
    port: u16,
    count: u16,
) -> Vec<String> {
    let mut seen = vec![];
    for sport in 0..count {
        let h = Header::l4(client, lb_ip, 6, 40000 + sport * 7, port);
        let w = path::walk(
            n,
            &mut Assumed::default(),
            Origin::Internet(client),
            h,
            Options::default(),
        );
        if let Outcome::Delivered {
            to: Delivery::Eni(e),
            ..
        } = w.outcome
        {
            let name = n.eni_owner_name(e).to_string();
            if !seen.contains(&name) {
                seen.push(name);
            }
        }
    }
    seen.sort();
    seen
}

fn front_public(n: &Network, node: usize) -> Ipv4Addr {
    let lb = n.load_balancer_by_name("front").unwrap();
    n.eni(n.load_balancer(lb).nodes[node].eni)
        .public_ip
        .unwrap()
}

#[test]
fn internet_reaches_private_targets_in_two_zones_through_an_alb() {
    let n = net(TOPOLOGY);
    let a = ask(&n, "client", resolve(&n, "front").unwrap(), 80);
    assert!(a.reachable, "{a:#?}");
    assert!(a
        .forward
        .iter()
        .any(|h| h.kind == ComponentKind::LoadBalancer && h.detail.contains("listener HTTP:80")));
    for t in ["web-a", "web-b"] {
        let i = n.instance_by_name(t).unwrap();
        assert_eq!(
            n.eni(n.instance(i).eni).public_ip,
            None,
            "{t} has no public IP"
        );
    }
    let seen = targets_seen(
        &n,
        "198.51.100.10".parse().unwrap(),
        front_public(&n, 0),
        80,
        40,
    );
    assert_eq!(seen, ["web-a", "web-b"]);
    // The DNS name and the ARN name the same load balancer.
    let lb = n.load_balancer(n.load_balancer_by_name("front").unwrap());
    assert!(
        lb.dns_name.starts_with("front-") && lb.dns_name.ends_with(".us-east-1.elb.amazonaws.com")
    );
    assert_eq!(
        resolve(&n, &lb.dns_name).unwrap(),
        resolve(&n, &lb.arn).unwrap()
    );
}

#[test]
fn a_target_whose_sg_does_not_admit_the_alb_is_unhealthy_and_gets_no_traffic() {
    let y = TOPOLOGY.replace(
        "web-b: { subnet: app-b, security_groups: [web]",
        "web-b: { subnet: app-b, security_groups: [db]",
    );
    let n = net(&y);
    let seen = targets_seen(
        &n,
        "198.51.100.10".parse().unwrap(),
        front_public(&n, 0),
        80,
        60,
    );
    assert_eq!(seen, ["web-a"]);
    let lb = n.load_balancer(n.load_balancer_by_name("front").unwrap());
    let tg = &lb.target_groups[0];
    let node = lb.nodes[0].eni;
    assert!(path::target_healthy(&n, node, tg, &tg.targets[0]));
    assert!(!path::target_healthy(&n, node, tg, &tg.targets[1]));
}

#[test]
fn a_path_rule_reaches_another_target_group() {
    let n = net(TOPOLOGY);
    let Party::LoadBalancer { lb, node, .. } = resolve(&n, "front").unwrap() else {
        panic!("front is a load balancer")
    };
    let http = HttpRequest {
        host: None,
        path: Some("/api/users".into()),
    };
    let a = ask(&n, "client", Party::LoadBalancer { lb, node, http }, 80);
    assert!(a.reachable, "{a:#?}");
    assert_eq!(delivered_to(&a), "eni-api-a");
    assert!(a
        .forward
        .iter()
        .any(|h| h.detail.contains("rule 10: forward to target group api")));
    let plain = ask(&n, "client", resolve(&n, "front").unwrap(), 80);
    assert_ne!(delivered_to(&plain), "eni-api-a");
}

#[test]
fn an_internal_nlb_is_not_reachable_from_the_internet() {
    let n = net(TOPOLOGY);
    let a = ask(&n, "client", resolve(&n, "data").unwrap(), 5432);
    assert!(!a.reachable);
    assert_eq!(
        a.blocked.as_ref().unwrap().code().to_string(),
        "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
    );
    // From inside the VPC it is.
    let a = ask(&n, "web-a", resolve(&n, "data").unwrap(), 5432);
    assert!(a.reachable, "{a:#?}");
    // Client IP preserved: the target sees web-a's address.
    let web_a = n
        .eni(n.instance(n.instance_by_name("web-a").unwrap()).eni)
        .private_ip;
    let lb = n.load_balancer(n.load_balancer_by_name("data").unwrap());
    let h = Header::l4(web_a, n.eni(lb.nodes[0].eni).private_ip, 6, 40001, 5432);
    let from = Origin::Eni(n.instance(n.instance_by_name("web-a").unwrap()).eni);
    let w = path::walk(&n, &mut Assumed::default(), from, h, Options::default());
    let Outcome::Delivered { header, .. } = w.outcome else {
        panic!("{w:#?}")
    };
    assert_eq!(header.src, web_a);
}

#[test]
fn cross_zone_off_keeps_a_client_in_the_nodes_zone() {
    let n = net(TOPOLOGY);
    let lb = n.load_balancer(n.load_balancer_by_name("data").unwrap());
    assert!(!lb.cross_zone);
    let web_a = n.instance(n.instance_by_name("web-a").unwrap()).eni;
    for (k, want) in [(0, "db-1"), (1, "db-2")] {
        let node_ip = n.eni(lb.nodes[k].eni).private_ip;
        for sport in 0..30u16 {
            let h = Header::l4(
                n.eni(web_a).private_ip,
                node_ip,
                6,
                33000 + sport * 11,
                5432,
            );
            let w = path::walk(
                &n,
                &mut Assumed::default(),
                Origin::Eni(web_a),
                h,
                Options::default(),
            );
            let Outcome::Delivered {
                to: Delivery::Eni(e),
                ..
            } = w.outcome
            else {
                panic!("{w:#?}")
            };
            assert_eq!(n.eni_owner_name(e), want);
        }
    }
    // With cross-zone on, a node sends to both zones.
    let y = TOPOLOGY.replace(
        "    scheme: internal\n",
        "    scheme: internal\n    cross_zone: true\n",
    );
    let n = net(&y);
    let lb = n.load_balancer(n.load_balancer_by_name("data").unwrap());
    let node_ip = n.eni(lb.nodes[0].eni).private_ip;
    let mut seen = std::collections::BTreeSet::new();
    for sport in 0..40u16 {
        let h = Header::l4(
            n.eni(web_a).private_ip,
            node_ip,
            6,
            33000 + sport * 11,
            5432,
        );
        let w = path::walk(
            &n,
            &mut Assumed::default(),
            Origin::Eni(web_a),
            h,
            Options::default(),
        );
        if let Outcome::Delivered {
            to: Delivery::Eni(e),
            ..
        } = w.outcome
        {
            seen.insert(n.eni_owner_name(e).to_string());
        }
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["db-1", "db-2"]);
}

#[test]
fn an_nlb_whose_targets_are_all_unhealthy_fails_open() {
    // The database SG admits the app subnets only: the nodes' health checks (from the db
    // subnets) fail, every target is unhealthy, and the NLB sends to them anyway.
    let y = TOPOLOGY.replace(
        "- { protocol: tcp, ports: 5432, source: 10.0.0.0/16 }",
        "- { protocol: tcp, ports: 5432, source: 10.0.10.0/23 }",
    );
    let n = net(&y);
    let lb = n.load_balancer(n.load_balancer_by_name("data").unwrap());
    let tg = &lb.target_groups[0];
    for node in &lb.nodes {
        assert!(tg
            .targets
            .iter()
            .all(|t| !path::target_healthy(&n, node.eni, tg, t)));
    }
    let a = ask(&n, "web-a", resolve(&n, "data").unwrap(), 5432);
    assert!(a.reachable, "{a:#?}");
    assert!(a.forward.iter().any(|h| h.detail.contains("fails open")));
}

#[test]
fn a_port_without_listener_is_a_blocker_with_its_code() {
    let n = net(TOPOLOGY);
    // The NLB has no security group: the missing listener is the only blocker.
    let a = ask(&n, "web-a", resolve(&n, "data").unwrap(), 5433);
    assert!(!a.reachable);
    let b = a.blocked.as_ref().unwrap();
    assert_eq!(b.code().to_string(), "ELB_LISTENERS_MISMATCH");
    assert_eq!(b.decision.component, "data");
    // The ALB's SG admits port 80 only: port 8080 meets the SG and then no listener.
    let a = ask(&n, "client", resolve(&n, "front").unwrap(), 8080);
    let codes: Vec<String> = a.blockers.iter().map(|b| b.code().to_string()).collect();
    assert_eq!(codes, ["ENI_SG_RULES_MISMATCH", "ELB_LISTENERS_MISMATCH"]);
}

/// `reach --http-path/--http-host` (docs/reach.md): the request the ALB's rules match; refused
/// (exit 2) with a destination that is no application load balancer.
#[test]
fn reach_takes_the_http_request_of_an_albs_rules() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/topologies/load-balancers.yaml"
    );
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
            .args(["reach", file, "--from", "client"])
            .args(extra)
            .output()
            .expect("run vpclab");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, out, _) = run(&["--to", "front", "--http-path", "/api/v1"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("rule 10: forward to target group api"),
        "{out}"
    );
    let (_, out, _) = run(&["--to", "front", "--http-host", "WWW.example.com"]);
    assert!(
        out.contains("default action: forward to target group web"),
        "{out}"
    );
    let (code, _, err) = run(&["--to", "web-a", "--http-path", "/api/v1"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("need --to an application load balancer"),
        "{err}"
    );
    let (code, _, err) = run(&["--to", "front", "--http-path", "api"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("does not start with `/`"), "{err}");
}
