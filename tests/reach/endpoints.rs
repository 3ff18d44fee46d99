//! VPC endpoints and AWS services in the analyzer (issue 14, "Done when"): a private subnet
//! reaches S3 with a gateway endpoint on its route table and not without one (nor with the
//! endpoint on another table); SG egress limited to the S3 prefix list; an interface endpoint
//! whose SG blocks a client; a gateway endpoint not usable through a peering; `--to vpce-…`
//! picking the ENI in the source's AZ; each answer checked against the engine.

use crate::common::{lab, net, probe};
use vpclab::backend::virt::ProbeProto;
use vpclab::policy::ExplanationCode;
use vpclab::reach::{analyze, resolve, resolve_source, Query};

/// A VPC with public, private (gateway endpoint) and other (no endpoint) subnets, SG `app`
/// whose egress is the S3 prefix list and the VPC, an SQS interface endpoint in two AZs, and a
/// peered VPC routing S3's list over the peering.
pub(crate) const TOPO: &str = "name: t
aws_services: [s3, sqs]
vpcs:
  main:
    cidr: 10.0.0.0/16
    dns: { support: true, hostnames: true }
    internet_gateway: true
    subnets:
      public-a: { cidr: 10.0.0.0/24, az: us-east-1a, route_table: public }
      private-a: { cidr: 10.0.1.0/24, az: us-east-1a, route_table: private }
      private-b: { cidr: 10.0.2.0/24, az: us-east-1b, route_table: private }
      other: { cidr: 10.0.3.0/24, az: us-east-1a, route_table: other }
    route_tables:
      public:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
      private:
        routes:
          - { destination: 10.1.0.0/16, target: pcx:link }
      other:
        routes: []
    security_groups:
      app:
        outbound:
          - { protocol: tcp, ports: 443, destination: pl:com.amazonaws.us-east-1.s3 }
          - { protocol: tcp, ports: 443, destination: 10.0.0.0/16 }
      wide:
        outbound:
          - { protocol: all, destination: 0.0.0.0/0 }
      endpoint:
        inbound:
          - { protocol: tcp, ports: 443, source: sg:app }
        outbound: []
      open:
        inbound:
          - { protocol: all, source: 0.0.0.0/0 }
    endpoints:
      s3: { type: gateway, service: s3, route_tables: [private] }
      sqs: { type: interface, service: sqs, subnets: [private-a, private-b], security_groups: [endpoint] }
    instances:
      web: { subnet: public-a, public_ip: true, security_groups: [wide] }
      app: { subnet: private-a, security_groups: [app] }
      app-b: { subnet: private-b, security_groups: [app] }
      stray: { subnet: private-a, security_groups: [wide] }
      lonely: { subnet: other, security_groups: [app] }
  peer:
    cidr: 10.1.0.0/16
    subnets:
      p: { cidr: 10.1.0.0/24, route_table: p }
    route_tables:
      p:
        routes:
          - { destination: 10.0.0.0/16, target: pcx:link }
          - { destination: pl:com.amazonaws.us-east-1.s3, target: pcx:link }
    security_groups:
      wide:
        outbound:
          - { protocol: all, destination: 0.0.0.0/0 }
    instances:
      far: { subnet: p, security_groups: [wide] }
peerings:
  link: { requester: main, accepter: peer }
";

const S3: &str = "s3.us-east-1.amazonaws.com";

/// Asks tcp `from` → `to`:`port`.
fn ask(n: &vpclab::model::Network, from: &str, to: &str, port: u16) -> vpclab::reach::Analysis {
    let q = Query::new(
        resolve_source(n, from, None).unwrap(),
        resolve(n, to).unwrap(),
        6,
        port,
    );
    analyze(n, &q)
}

/// The explanation code of the first blocker.
fn code(a: &vpclab::reach::Analysis) -> Option<ExplanationCode> {
    a.blocked.as_ref().and_then(|b| b.decision.code)
}

/// The engine's answer agrees with the analyzer's for tcp `from` → `to`:`port`.
fn engine_agrees(from: &str, to: &str, port: u16, reachable: bool) {
    let mut l = lab(TOPO);
    let r = probe(&mut l, from, to, ProbeProto::Tcp, port);
    assert_eq!(r.reply, reachable, "{from} → {to}:{port}: {r:#?}");
}

#[test]
fn private_subnet_reaches_s3_through_its_gateway_endpoint_only() {
    let n = net(TOPO);
    let a = ask(&n, "app", S3, 443);
    assert!(a.reachable, "{:#?}", a.blockers);
    assert!(a.forward.iter().any(|h| h.component == "vpce-s3"));
    assert!(a.return_path.iter().any(|h| h.component == "vpce-s3"));
    engine_agrees("app", S3, 443, true);
    // Another table without the endpoint's route: no route at all (no IGW, no NAT).
    let b = ask(&n, "lonely", S3, 443);
    assert!(!b.reachable);
    assert_eq!(code(&b), Some(ExplanationCode::NoRouteToDestination));
    engine_agrees("lonely", S3, 443, false);
}

#[test]
fn without_nat_or_endpoint_a_private_subnet_cannot_reach_s3() {
    let y = TOPO.replace(
        "      s3: { type: gateway, service: s3, route_tables: [private] }\n",
        "",
    );
    let n = net(&y);
    let a = ask(&n, "app", S3, 443);
    assert!(!a.reachable);
    assert_eq!(code(&a), Some(ExplanationCode::NoRouteToDestination));
}

#[test]
fn sg_egress_limited_to_the_s3_prefix_list() {
    let n = net(TOPO);
    // Allowed to S3's list on 443, not on 80, and not to another service's address.
    assert!(ask(&n, "app", S3, 443).reachable);
    let a = ask(&n, "app", S3, 80);
    assert_eq!(code(&a), Some(ExplanationCode::EniSgRulesMismatch));
    engine_agrees("app", S3, 80, false);
    let b = ask(&n, "app", "sqs.us-east-1.amazonaws.com", 443);
    assert!(!b.reachable);
}

#[test]
fn public_subnet_reaches_s3_over_the_internet_gateway() {
    let n = net(TOPO);
    let a = ask(&n, "web", S3, 443);
    assert!(a.reachable, "{:#?}", a.blockers);
    assert!(a.forward.iter().any(|h| h.component == "igw-main"));
    engine_agrees("web", S3, 443, true);
}

#[test]
fn interface_endpoint_sg_blocks_a_client_it_does_not_allow() {
    let n = net(TOPO);
    let ok = ask(&n, "app", "vpce-sqs", 443);
    assert!(ok.reachable, "{:#?}", ok.blockers);
    engine_agrees("app", "vpce-sqs", 443, true);
    let no = ask(&n, "stray", "vpce-sqs", 443);
    assert!(!no.reachable);
    let b = no.blocked.as_ref().unwrap();
    assert_eq!(b.decision.component, "sg-endpoint");
    assert_eq!(b.decision.code, Some(ExplanationCode::EniSgRulesMismatch));
    engine_agrees("stray", "vpce-sqs", 443, false);
}

#[test]
fn interface_endpoint_takes_tcp_only_and_starts_nothing() {
    let n = net(TOPO);
    let q = Query::new(
        resolve_source(&n, "app", None).unwrap(),
        resolve(&n, "vpce-sqs").unwrap(),
        17,
        443,
    );
    let a = analyze(&n, &q);
    assert!(!a.reachable);
    assert!(a
        .blockers
        .iter()
        .any(|b| b.decision.code == Some(ExplanationCode::VpceInterfaceTcpOnly)));
    let err = resolve_source(&n, "vpce-sqs", None).unwrap_err();
    assert!(err.contains("VPCE_INTRA_VPC_TRAFFIC"), "{err}");
}

#[test]
fn to_vpce_picks_the_eni_in_the_source_az() {
    let n = net(TOPO);
    let a = ask(&n, "app", "vpce-sqs", 443);
    let b = ask(&n, "app-b", "vpce-sqs", 443);
    let in_subnet = |a: &vpclab::reach::Analysis, cidr: &str| {
        let c: ipnet::Ipv4Net = cidr.parse().unwrap();
        a.destination_ip.is_some_and(|ip| c.contains(&ip))
    };
    assert!(in_subnet(&a, "10.0.1.0/24"), "{}", a.to);
    assert!(in_subnet(&b, "10.0.2.0/24"), "{}", b.to);
}

#[test]
fn gateway_endpoint_is_not_usable_through_a_peering() {
    let n = net(TOPO);
    let a = ask(&n, "far", S3, 443);
    assert!(!a.reachable);
    assert_eq!(code(&a), Some(ExplanationCode::PcxRequiresAddressInVpcCidr));
    engine_agrees("far", S3, 443, false);
}

#[test]
fn gateway_endpoint_carries_tcp_and_icmp_echo_only() {
    let y = TOPO.replace(
        "          - { protocol: tcp, ports: 443, destination: pl:com.amazonaws.us-east-1.s3 }",
        "          - { protocol: all, destination: pl:com.amazonaws.us-east-1.s3 }",
    );
    let n = net(&y);
    let q = Query::new(
        resolve_source(&n, "app", None).unwrap(),
        resolve(&n, S3).unwrap(),
        17,
        53,
    );
    let a = analyze(&n, &q);
    assert!(!a.reachable);
    assert!(a
        .blockers
        .iter()
        .any(|b| b.decision.code == Some(ExplanationCode::VpceGatewayProtocolRestriction)));
    // ICMP echo passes.
    let q = Query::new(q.from.clone(), q.to.clone(), 1, 0);
    assert!(analyze(&n, &q).reachable);
}
