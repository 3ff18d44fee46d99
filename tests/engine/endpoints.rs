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
