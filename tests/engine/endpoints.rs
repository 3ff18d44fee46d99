//! VPC endpoints in the engine (virtual backend): a private instance's HTTP request to S3
//! through a gateway endpoint is answered by the service's host, with flow-log traffic-path 7
//! (through a gateway endpoint) on the instance's egress and the private source kept; an
//! interface endpoint's ENI is answered by its service's host, logs its own events (inbound
//! accepted by its SG, the reply outbound), and its SG drops a client it does not allow.

use crate::common::{assert_ok, lab, probe};
use vpclab::backend::virt::ProbeProto;
use vpclab::policy::{Direction, Verdict};

const TOPO: &str = "name: t
aws_services: [s3]
vpcs:
  main:
    cidr: 10.0.0.0/16
    dns: { support: true, hostnames: true }
    subnets:
      a: { cidr: 10.0.1.0/24, az: us-east-1a, route_table: private }
    route_tables:
      private:
        routes: []
    security_groups:
      app:
        outbound:
          - { protocol: tcp, ports: 80, destination: pl:com.amazonaws.us-east-1.s3 }
          - { protocol: tcp, ports: 443, destination: sg:ep }
      ep:
        inbound:
          - { protocol: tcp, ports: 443, source: sg:app }
    endpoints:
      s3: { service: s3, route_tables: [private] }
      sts: { service: sts, subnets: [a], security_groups: [ep] }
    instances:
      app: { subnet: a, security_groups: [app] }
      other: { subnet: a }
";

#[test]
fn gateway_endpoint_carries_http_to_s3_with_traffic_path_7() {
    let mut l = lab(TOPO);
    let r = probe(
        &mut l,
        "app",
        "s3.us-east-1.amazonaws.com",
        ProbeProto::Tcp,
        80,
    );
    assert_ok(&r);
    let body = String::from_utf8_lossy(&r.response);
    // The S3 store answers (a GET of `/` lists the buckets).
    assert!(body.contains("ListAllMyBucketsResult"), "{body}");
    let out = r
        .events
        .iter()
        .find(|e| e.direction == Direction::Outbound)
        .expect("the instance's egress event");
    assert_eq!(out.traffic_path.map(|p| p.number()), Some(7));
    // The service sees the instance's private address (no NAT on the way).
    assert_eq!(out.header.src().to_string(), "10.0.1.4");
}

#[test]
fn interface_endpoint_eni_answers_and_logs_its_own_events() {
    let mut l = lab(TOPO);
    let r = probe(&mut l, "app", "vpce-sts", ProbeProto::Tcp, 443);
    assert_ok(&r);
    let n = crate::common::net(TOPO);
    let eni = n.vpc_endpoints[1].enis()[0];
    let at_eni: Vec<_> = r.events.iter().filter(|e| e.eni == eni).collect();
    assert!(at_eni
        .iter()
        .any(|e| e.direction == Direction::Inbound && e.verdict == Verdict::Accept));
    assert!(at_eni.iter().any(|e| e.direction == Direction::Outbound));
    // `other` is not in sg:app: the endpoint's SG drops it.
    let r = probe(&mut l, "other", "vpce-sts", ProbeProto::Tcp, 443);
    assert!(!r.reply);
    assert_eq!(r.blocked.map(|b| b.component), Some("sg-ep".to_string()));
}

/// Every named service in two regions, a public instance reaching them over the internet
/// gateway (those with an interface endpoint in its VPC at the endpoint, by private DNS) and a
/// private one reaching STS, SSM, CloudWatch Logs and execute-api through
/// interface endpoints in its subnet.
const SERVICES: &str = "name: t
aws_services: [s3, dynamodb, sqs, sts, ssm, logs, execute-api, { service: sqs, region: eu-west-1 }]
vpcs:
  main:
    cidr: 10.0.0.0/16
    dns: { support: true, hostnames: true }
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, az: us-east-1a, route_table: pub, map_public_ip: true }
      priv: { cidr: 10.0.1.0/24, az: us-east-1a, route_table: priv }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
      priv:
        routes: []
    security_groups:
      ep:
        inbound:
          - { protocol: tcp, ports: 80, source: 10.0.0.0/16 }
          - { protocol: tcp, ports: 443, source: 10.0.0.0/16 }
    endpoints:
      sts: { service: sts, subnets: [priv], security_groups: [ep] }
      ssm: { service: ssm, subnets: [priv], security_groups: [ep] }
      logs: { service: logs, subnets: [priv], security_groups: [ep] }
      api: { service: execute-api, subnets: [priv], security_groups: [ep] }
    instances:
      web: { subnet: pub }
      app: { subnet: priv }
";

/// The JSON document a service's HTTP answer carries.
fn service_json(body: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(body);
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    let (_, json) = text.split_once("\r\n\r\n").expect("a head and a body");
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

#[test]
fn every_service_answers_by_its_name_on_80_and_443_on_the_virtual_backend() {
    let n = crate::common::net(SERVICES);
    let mut l = lab(SERVICES);
    let names = [
        ("s3", "us-east-1"),
        ("dynamodb", "us-east-1"),
        ("sqs", "us-east-1"),
        ("sts", "us-east-1"),
        ("ssm", "us-east-1"),
        ("logs", "us-east-1"),
        ("execute-api", "us-east-1"),
        ("sqs", "eu-west-1"),
    ];
    for (svc, region) in names {
        let host = format!("{svc}.{region}.amazonaws.com");
        let public = n
            .internet_host(n.internet_host_by_name(&host).expect("a service host"))
            .ip
            .to_string();
        // 80 is HTTP; the virtual backend answers plain HTTP on 443 too (the netns backend
        // serves TLS there, tests/netns/endpoints.rs).
        for port in [80, 443] {
            let r = probe(&mut l, "web", &host, ProbeProto::Tcp, port);
            assert_ok(&r);
            if svc == "s3" {
                let body = String::from_utf8_lossy(&r.response);
                assert!(body.contains("ListAllMyBucketsResult"), "{body}");
                continue;
            }
            let v = service_json(&r.response);
            assert_eq!(v["service"], svc, "{host}:{port}: {v}");
            assert_eq!(v["region"], region, "{host}:{port}: {v}");
            assert_eq!(v["endpoint"], host.as_str(), "{v}");
            // Private DNS: in `main`, the names of the services with an interface endpoint
            // resolve to its ENI (AWS's private DNS); the others to the public address, over
            // the internet gateway.
            let private = n
                .vpc_endpoints
                .iter()
                .find(|e| region == "us-east-1" && n.aws_service(e.service).service == svc)
                .map(|e| n.eni(e.enis()[0]).private_ip.to_string());
            let want = private.unwrap_or_else(|| public.clone());
            assert_eq!(v["address"], want.as_str(), "{v}");
        }
    }
    // Through the interface endpoints: each service answers at its ENI in `priv`.
    for ep in ["sts", "ssm", "logs", "api"] {
        let id = n
            .vpc_endpoints
            .iter()
            .find(|e| e.name == ep)
            .expect("the endpoint");
        let eni = n.eni(id.enis()[0]).private_ip.to_string();
        for port in [80, 443] {
            let r = probe(&mut l, "app", &format!("vpce-{ep}"), ProbeProto::Tcp, port);
            assert_ok(&r);
            let v = service_json(&r.response);
            let svc = if ep == "api" { "execute-api" } else { ep };
            assert_eq!(v["service"], svc, "{v}");
            assert_eq!(v["address"], eni.as_str(), "{v}");
        }
    }
    // No route to the services' public addresses from `priv` (no NAT, no IGW route).
    let r = probe(
        &mut l,
        "app",
        "sqs.us-east-1.amazonaws.com",
        ProbeProto::Tcp,
        443,
    );
    assert!(!r.reply && !r.delivered, "{r:?}");
}

/// A public instance whose table sends everything to the IGW; `ENDPOINTS` is replaced by an
/// S3 gateway endpoint on that table, or by nothing.
const SWITCH: &str = "name: t
aws_services: [s3]
vpcs:
  main:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub, map_public_ip: true }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
ENDPOINTS    instances:
      web: { subnet: pub }
";

#[test]
fn adding_or_removing_a_gateway_endpoint_breaks_connections_open_through_the_old_path() {
    // AWS: adding or changing a gateway endpoint breaks the TCP connections open through the
    // routes it changes (aws-vpc-semantics §10.2). The connection below goes out through the
    // IGW (the service sees the public IP); with the endpoint its next packet takes the
    // endpoint's route and keeps the private source, which the service's TCP knows nothing of.
    use std::sync::Arc;
    use vpclab::backend::virt::Lab;
    let s3 = "s3.us-east-1.amazonaws.com";
    let without = crate::common::net(&SWITCH.replace("ENDPOINTS", ""));
    let with = crate::common::net(&SWITCH.replace(
        "ENDPOINTS",
        "    endpoints:\n      s3: { service: s3, route_tables: [pub] }\n",
    ));
    let get = b"GET / HTTP/1.0\r\nHost: s3.us-east-1.amazonaws.com\r\n\r\n";
    let broken = |ex: &vpclab::backend::virt::Exchange| {
        (!ex.replied || ex.reset)
            && !String::from_utf8_lossy(&ex.data).contains("ListAllMyBucketsResult")
    };
    // Control: a change that moves no route keeps the connection (the check can tell).
    let mut l = Lab::new(Arc::new(with.clone()));
    let (mut f, _) = l.tcp_connect("web", s3, 80).expect("connects");
    l.apply(Arc::new(with.clone()));
    let ex = l.tcp_send(&mut f, get);
    assert!(!broken(&ex), "unchanged routes keep it: {ex:?}");
    for (before, after, label) in [
        (&without, &with, "endpoint added"),
        (&with, &without, "endpoint removed"),
    ] {
        let mut l = Lab::new(Arc::new(before.clone()));
        let (mut f, e) = l.tcp_connect("web", s3, 80).expect("connects");
        assert!(e.replied && !e.reset, "{label}: {e:?}");
        l.apply(Arc::new(after.clone()));
        let ex = l.tcp_send(&mut f, get);
        assert!(
            broken(&ex),
            "{label}: the open connection must break: {ex:?}"
        );
        // A new connection takes the new path and works.
        let r = probe(&mut l, "web", s3, ProbeProto::Tcp, 80);
        assert_ok(&r);
        let through = r.trace.iter().any(|h| h.component == "vpce-s3");
        assert_eq!(
            through,
            std::ptr::eq(after, &with),
            "{label}: {:#?}",
            r.trace
        );
    }
}
