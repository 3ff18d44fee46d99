//! VPC endpoints and AWS services in the analyzer (issue 14, "Done when"): a private subnet
//! reaches S3 with a gateway endpoint on its route table and not without one (nor with the
//! endpoint on another table); SG egress limited to the S3 prefix list; an interface endpoint
//! whose SG blocks a client; a gateway endpoint not usable through a peering; `--to vpce-…`
//! picking the ENI in the source's AZ; each answer checked against the engine.

use crate::common::{lab, net, probe};
use vpclab::backend::virt::ProbeProto;
use vpclab::policy::ExplanationCode;
use vpclab::reach::{analyze, resolve, resolve_for, resolve_source, Query};

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
const SQS: &str = "sqs.us-east-1.amazonaws.com";

/// Asks tcp `from` → `to`:`port`, `to` resolved as `from` would address it (as the CLI does).
fn ask(n: &vpclab::model::Network, from: &str, to: &str, port: u16) -> vpclab::reach::Analysis {
    let src = resolve_source(n, from, None).unwrap();
    let dst = resolve_for(n, to, &src).unwrap();
    analyze(n, &Query::new(src, dst, 6, port))
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
    // SQS's public address (not its name: by name, private DNS gives the endpoint's ENI).
    let sqs = n.internet_host_by_name(SQS).unwrap();
    let b = ask(&n, "app", &n.internet_host(sqs).ip.to_string(), 443);
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

#[test]
fn interface_endpoint_is_usable_through_a_peering_unlike_a_gateway_endpoint() {
    // AWS: interface endpoints are reachable over peering, TGW, VPN and Direct Connect;
    // gateway endpoints are not (aws-vpc-semantics §10.2–10.3).
    let y = TOPO.replace(
        "          - { protocol: tcp, ports: 443, source: sg:app }\n",
        "          - { protocol: tcp, ports: 443, source: sg:app }\n          - { protocol: tcp, ports: 443, source: 10.1.0.0/16 }\n",
    );
    let n = net(&y);
    let a = ask(&n, "far", "vpce-sqs", 443);
    assert!(a.reachable, "{:#?}", a.blockers);
    assert!(a.forward.iter().any(|h| h.component == "pcx-link"));
    let eni = a.destination_ip.expect("an ENI address");
    assert!(
        "10.0.0.0/16"
            .parse::<ipnet::Ipv4Net>()
            .unwrap()
            .contains(&eni),
        "{eni}"
    );
    let mut l = lab(&y);
    let r = probe(&mut l, "far", "vpce-sqs", ProbeProto::Tcp, 443);
    assert!(r.reply, "{r:#?}");
    // The same peer still cannot use the gateway endpoint to S3.
    assert!(!ask(&n, "far", S3, 443).reachable);
    // Without the rule for the peer's CIDR the endpoint's group stops it.
    let b = ask(&net(TOPO), "far", "vpce-sqs", 443);
    assert_eq!(
        b.blocked.as_ref().map(|b| b.decision.component.as_str()),
        Some("sg-endpoint")
    );
}

/// A gateway service whose managed list an import wrote (another region's S3, AWS's real list):
/// the service answers inside that list, the table gets one route per entry, and the walk goes
/// through the endpoint to it.
const IMPORTED_LIST: &str = "name: t
region: eu-west-1
aws_services:
  - service: com.amazonaws.eu-west-1.s3
    prefix_list: { aws_id: pl-6da54004, entries: [52.218.0.0/17, 3.5.64.0/21] }
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      a: { cidr: 10.0.1.0/24, az: eu-west-1a, route_table: private }
    route_tables:
      private:
        routes: []
    security_groups:
      app:
        outbound:
          - { protocol: tcp, ports: 443, destination: pl:com.amazonaws.eu-west-1.s3 }
    endpoints:
      s3: { type: gateway, service: s3, route_tables: [private] }
    instances:
      app: { subnet: a, security_groups: [app] }
";

#[test]
fn service_addresses_come_from_an_imported_prefix_list() {
    let n = net(IMPORTED_LIST);
    let svc = n
        .aws_services
        .iter()
        .find(|s| s.service == "s3")
        .expect("S3");
    assert_eq!(svc.name, "com.amazonaws.eu-west-1.s3");
    assert_eq!(n.internet_host(svc.host).name, "s3.eu-west-1.amazonaws.com");
    // base+10 of the list's first CIDR (docs/topology.md), not vpclab's synthetic block.
    assert_eq!(svc.ip.to_string(), "52.218.0.10");
    let pl = n.prefix_list(svc.prefix_list.expect("its managed list"));
    assert_eq!(pl.aws_id, "pl-6da54004");
    let rt = n.route_tables.iter().find(|t| t.name == "private").unwrap();
    let mut to_endpoint: Vec<String> = rt
        .routes
        .iter()
        .filter(|r| r.prefix_list.is_some())
        .map(|r| r.destination.to_string())
        .collect();
    to_endpoint.sort();
    assert_eq!(to_endpoint, ["3.5.64.0/21", "52.218.0.0/17"]);
    let a = ask(&n, "app", "s3.eu-west-1.amazonaws.com", 443);
    assert!(a.reachable, "{:#?}", a.blockers);
    assert!(a.forward.iter().any(|h| h.component == "vpce-s3"));
    let mut l = lab(IMPORTED_LIST);
    let r = probe(
        &mut l,
        "app",
        "s3.eu-west-1.amazonaws.com",
        ProbeProto::Tcp,
        443,
    );
    assert!(r.reply, "{r:#?}");
    // An address of the imported list that is not the service's leaves through the endpoint.
    let b = ask(&n, "app", "3.5.64.99", 443);
    assert!(b.reachable && b.exits_network, "{:#?}", b.blockers);
}

#[test]
fn services_are_off_by_default_and_implied_by_what_names_them() {
    let base = "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    dns: { support: true, hostnames: true }
    internet_gateway: true
    subnets:
      a: { cidr: 10.0.1.0/24, az: us-east-1a, route_table: r }
    route_tables:
      r:
        routes: [ROUTES]
    security_groups:
      g:
        outbound: [RULES]
ENDPOINTS    instances:
      app: { subnet: a, security_groups: [g] }
";
    let services = |routes: &str, rules: &str, endpoints: &str| {
        let y = base
            .replace("ROUTES", routes)
            .replace("RULES", rules)
            .replace("ENDPOINTS", endpoints);
        let n = net(&y);
        let mut s: Vec<String> = n.aws_services.iter().map(|s| s.service.clone()).collect();
        s.sort();
        // Each service is a host of the emulated internet, and only they are.
        let hosts = n
            .internet_hosts
            .iter()
            .filter(|h| h.name.ends_with(".amazonaws.com"))
            .count();
        assert_eq!(hosts, s.len(), "{y}");
        s
    };
    // Nothing names a service: the emulated internet holds none (existing files unchanged).
    assert!(services("", "", "").is_empty());
    // An endpoint implies its service.
    assert_eq!(
        services(
            "",
            "",
            "    endpoints:\n      q: { service: sqs, subnets: [a] }\n"
        ),
        ["sqs"]
    );
    // A route or an SG rule naming a managed list implies its gateway service.
    assert_eq!(
        services(
            "{ destination: pl:com.amazonaws.us-east-1.s3, target: igw }",
            "",
            ""
        ),
        ["s3"]
    );
    assert_eq!(
        services(
            "",
            "{ protocol: tcp, ports: 443, destination: pl:com.amazonaws.us-east-1.dynamodb }",
            ""
        ),
        ["dynamodb"]
    );
}

#[test]
fn overlapping_vpcs_each_get_their_replies_through_their_own_gateway_endpoint() {
    // Two VPCs with one CIDR (as separate accounts often have), each with an S3 endpoint: the
    // service's reply to an address goes back into the VPC whose ENI has it and whose table
    // routes S3 to that VPC's endpoint, not into the first VPC holding the address.
    let y = "name: t
aws_services: [s3]
vpcs:
  a:
    cidr: 10.0.0.0/16
    subnets:
      s: { cidr: 10.0.1.0/24, route_table: r }
    route_tables:
      r: { routes: [] }
    endpoints:
      s3: { service: s3, route_tables: [r] }
    instances:
      ia: { subnet: s, ip: 10.0.1.10 }
  b:
    cidr: 10.0.0.0/16
    subnets:
      s: { cidr: 10.0.1.0/24, route_table: r }
    route_tables:
      r: { routes: [] }
    endpoints:
      s3b: { service: s3, route_tables: [r] }
    instances:
      ib: { subnet: s, ip: 10.0.1.20 }
";
    let n = net(y);
    let mut l = lab(y);
    for (from, ep) in [("ia", "vpce-s3"), ("ib", "vpce-s3b")] {
        let a = ask(&n, from, S3, 443);
        assert!(a.reachable, "{from}: {:#?}", a.blockers);
        assert!(a.forward.iter().any(|h| h.component == ep), "{from}");
        assert_eq!(
            a.return_path.first().map(|h| h.component.as_str()),
            Some(ep),
            "{from}"
        );
        let r = probe(&mut l, from, S3, ProbeProto::Tcp, 443);
        assert!(r.reply, "{from}: {r:#?}");
    }
}

/// SQS's public address in `n`.
fn sqs_public(n: &vpclab::model::Network) -> std::net::Ipv4Addr {
    n.internet_host(n.internet_host_by_name(SQS).unwrap()).ip
}

/// True when `a` ends at an address in `cidr`.
fn ends_in(a: &vpclab::reach::Analysis, cidr: &str) -> bool {
    let c: ipnet::Ipv4Net = cidr.parse().unwrap();
    a.destination_ip.is_some_and(|ip| c.contains(&ip))
}

#[test]
fn a_service_name_with_private_dns_ends_at_the_endpoint_eni_in_the_source_az() {
    let n = net(TOPO);
    let a = ask(&n, "app", SQS, 443);
    assert!(a.reachable, "{:#?}", a.blockers);
    assert!(ends_in(&a, "10.0.1.0/24"), "{}", a.to);
    assert!(!a.forward.iter().any(|h| h.component == "igw-main"));
    let b = ask(&n, "app-b", SQS, 443);
    assert!(b.reachable, "{:#?}", b.blockers);
    assert!(ends_in(&b, "10.0.2.0/24"), "{}", b.to);
    engine_agrees("app", SQS, 443, true);
    // The endpoint's SG decides: `stray` (SG wide) and `web` (in the public subnet, the same
    // VPC, so private DNS too) are not allowed by sg-endpoint.
    for who in ["stray", "web"] {
        let no = ask(&n, who, SQS, 443);
        assert!(!no.reachable, "{who}");
        assert!(ends_in(&no, "10.0.0.0/16"), "{who}: {}", no.to);
        let d = &no.blocked.as_ref().unwrap().decision;
        assert_eq!(d.component, "sg-endpoint", "{who}");
        assert_eq!(d.code, Some(ExplanationCode::EniSgRulesMismatch));
        engine_agrees(who, SQS, 443, false);
    }
}

#[test]
fn the_probe_sends_a_service_name_where_the_resolver_points() {
    let mut l = lab(TOPO);
    let n = net(TOPO);
    let r = probe(&mut l, "app", SQS, ProbeProto::Tcp, 443);
    assert!(r.reply, "{r:#?}");
    let t = r.target.unwrap();
    assert!(
        "10.0.1.0/24"
            .parse::<ipnet::Ipv4Net>()
            .unwrap()
            .contains(&t),
        "{t}"
    );
    let r = probe(&mut l, "app-b", SQS, ProbeProto::Tcp, 443);
    let t = r.target.unwrap();
    assert!(
        "10.0.2.0/24"
            .parse::<ipnet::Ipv4Net>()
            .unwrap()
            .contains(&t),
        "{t}"
    );
    // The peered VPC has no endpoint: its resolver answers the public address.
    let r = probe(&mut l, "far", SQS, ProbeProto::Tcp, 443);
    assert_eq!(r.target, Some(sqs_public(&n)));
}

#[test]
fn without_private_dns_a_service_name_is_the_public_service_through_the_igw() {
    let y = TOPO.replace(
        "subnets: [private-a, private-b], security_groups: [endpoint] }",
        "subnets: [private-a, private-b], security_groups: [endpoint], private_dns: false }",
    );
    assert_ne!(y, TOPO);
    let n = net(&y);
    let a = ask(&n, "web", SQS, 443);
    assert!(a.reachable, "{:#?}", a.blockers);
    assert_eq!(a.destination_ip, Some(sqs_public(&n)));
    assert!(a.forward.iter().any(|h| h.component == "igw-main"));
    // `app`'s private subnet has neither NAT nor a route out: the public name is unreachable.
    let b = ask(&n, "app", SQS, 443);
    assert!(!b.reachable);
    assert_eq!(b.destination_ip, Some(sqs_public(&n)));
    let mut l = lab(&y);
    let r = probe(&mut l, "web", SQS, ProbeProto::Tcp, 443);
    assert!(r.reply, "{r:#?}");
    assert_eq!(r.target, Some(sqs_public(&n)));
    let r = probe(&mut l, "app", SQS, ProbeProto::Tcp, 443);
    assert!(!r.reply);
    // The endpoint's own names still resolve to its ENIs, from anywhere.
    let ep = n
        .vpc_endpoints
        .iter()
        .find(|e| e.aws_id == "vpce-sqs")
        .unwrap();
    for (name, ips) in n.endpoint_dns_names(ep.id) {
        let q = ask(&n, "app", &name, 443);
        assert!(ips.contains(&q.destination_ip.unwrap()), "{name}: {}", q.to);
        assert!(q.reachable, "{name}: {:#?}", q.blockers);
    }
}

#[test]
fn from_the_internet_and_other_vpcs_a_service_name_is_the_public_service() {
    let n = net(TOPO);
    let a = ask(&n, "internet", SQS, 443);
    assert_eq!(a.destination_ip, Some(sqs_public(&n)));
    let far = ask(&n, "far", SQS, 443);
    assert_eq!(far.destination_ip, Some(sqs_public(&n)));
}

#[test]
fn bucket_and_zonal_names_resolve_as_the_vpc_resolver_answers() {
    let n = net(TOPO);
    // A gateway endpoint changes routes, not DNS: a bucket's name is S3's public address,
    // reached through the endpoint's route.
    let s3 = n.internet_host(n.internet_host_by_name(S3).unwrap()).ip;
    let a = ask(&n, "app", "my-bucket.s3.us-east-1.amazonaws.com", 443);
    assert_eq!(a.destination_ip, Some(s3));
    assert!(a.reachable, "{:#?}", a.blockers);
    assert!(a.forward.iter().any(|h| h.component == "vpce-s3"));
    // A zonal name is its own AZ's ENI (`app` is in us-east-1a; the probe also from the other
    // AZ; see docs/endpoints.md for reach from another AZ to the first ENI's zonal name).
    let ep = n
        .vpc_endpoints
        .iter()
        .find(|e| e.aws_id == "vpce-sqs")
        .unwrap();
    let names = n.endpoint_dns_names(ep.id);
    assert!(names.len() >= 3, "{names:?}");
    let mut l = lab(TOPO);
    for (name, ips) in &names {
        let q = ask(&n, "app", name, 443);
        assert!(
            ips.contains(&q.destination_ip.unwrap()),
            "app → {name}: {}",
            q.to
        );
        for who in ["app", "app-b"] {
            let r = probe(&mut l, who, name, ProbeProto::Tcp, 443);
            assert!(ips.contains(&r.target.unwrap()), "{who} → {name}: {r:#?}");
        }
    }
    let dig = vpclab::dns::aws_names::addresses(&n, SQS, Some(ep.vpc)).unwrap();
    assert_eq!(dig.len(), 2);
}
