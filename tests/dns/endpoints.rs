//! Route 53's answers for AWS services and interface endpoints (issue 14): public service names
//! and S3 bucket names resolve to the service; with private DNS the service's name resolves to
//! the endpoint's ENIs inside its VPC and to the public service elsewhere; without private DNS
//! to the public service everywhere; the endpoint's own names resolve to its ENIs.

use crate::common::dns::{ask, values, zones};
use vpclab::dns::RType;

/// VPC `main` with an SQS interface endpoint (private DNS as given) in two subnets and an S3
/// service, VPC `other` without endpoints, and an internet host.
fn topo(private_dns: bool) -> String {
    format!(
        "name: t
aws_services: [s3]
vpcs:
  main:
    cidr: 10.0.0.0/16
    dns: {{ support: true, hostnames: true }}
    subnets:
      a: {{ cidr: 10.0.0.0/24, az: us-east-1a }}
      b: {{ cidr: 10.0.1.0/24, az: us-east-1b }}
    endpoints:
      sqs: {{ service: sqs, subnets: [a, b], private_dns: {private_dns} }}
    instances:
      app: {{ subnet: a }}
  other:
    cidr: 10.9.0.0/16
    dns: {{ support: true, hostnames: true }}
    subnets:
      x: {{ cidr: 10.9.0.0/24 }}
    instances:
      elsewhere: {{ subnet: x }}
internet:
  hosts:
    client: {{ ip: 198.51.100.10 }}
"
    )
}

/// The A values `from` gets for `name`.
fn a(z: &vpclab::dns::Zones, from: &str, name: &str) -> Vec<String> {
    values(&ask(z, from, name, RType::A).expect("an answer"))
}

#[test]
fn private_dns_resolves_the_service_to_the_endpoint_inside_its_vpc_only() {
    let z = zones(&topo(true));
    let enis: Vec<String> = z.net.vpc_endpoints[0]
        .enis()
        .iter()
        .map(|e| z.net.eni(*e).private_ip.to_string())
        .collect();
    assert_eq!(enis.len(), 2);
    assert_eq!(a(&z, "app", "sqs.us-east-1.amazonaws.com"), enis);
    let public = z
        .net
        .aws_services
        .iter()
        .find(|s| s.service == "sqs")
        .unwrap()
        .ip;
    assert_eq!(
        a(&z, "elsewhere", "sqs.us-east-1.amazonaws.com"),
        [public.to_string()]
    );
    assert_eq!(
        a(&z, "client", "sqs.us-east-1.amazonaws.com"),
        [public.to_string()]
    );
}

#[test]
fn without_private_dns_the_name_resolves_to_the_public_service() {
    let z = zones(&topo(false));
    let public = z
        .net
        .aws_services
        .iter()
        .find(|s| s.service == "sqs")
        .unwrap()
        .ip;
    assert_eq!(
        a(&z, "app", "sqs.us-east-1.amazonaws.com"),
        [public.to_string()]
    );
    // The endpoint's own regional and zonal names still resolve to its ENIs, from anywhere.
    let names = z.net.endpoint_dns_names(z.net.vpc_endpoints[0].id);
    assert_eq!(names.len(), 3);
    for (name, ips) in names {
        assert!(
            name.ends_with(".sqs.us-east-1.vpce.amazonaws.com"),
            "{name}"
        );
        let want: Vec<String> = ips.iter().map(|i| i.to_string()).collect();
        assert_eq!(a(&z, "client", &name), want);
    }
}

#[test]
fn s3_names_and_buckets_resolve_to_the_service() {
    let z = zones(&topo(true));
    let s3 = z
        .net
        .aws_services
        .iter()
        .find(|s| s.service == "s3")
        .unwrap()
        .ip
        .to_string();
    for name in [
        "s3.us-east-1.amazonaws.com",
        "my-bucket.s3.us-east-1.amazonaws.com",
        "s3.amazonaws.com",
        "my-bucket.s3.amazonaws.com",
    ] {
        assert_eq!(a(&z, "app", name), std::slice::from_ref(&s3), "{name}");
    }
    let r = ask(&z, "app", "dynamodb.us-east-1.amazonaws.com", RType::A).unwrap();
    assert!(r.answers.is_empty(), "no DynamoDB declared: {r:?}");
    let aaaa = ask(&z, "app", "s3.us-east-1.amazonaws.com", RType::Aaaa).unwrap();
    assert!(aaaa.answers.is_empty());
}

#[test]
fn a_service_from_an_imported_list_resolves_inside_that_list() {
    // The object form an import writes from describe-prefix-lists: eu-west-1's S3 list.
    let z = zones(
        "name: t
region: eu-west-1
aws_services:
  - service: com.amazonaws.eu-west-1.s3
    prefix_list: { aws_id: pl-6da54004, entries: [52.218.0.0/17, 3.5.64.0/21] }
vpcs:
  main:
    cidr: 10.0.0.0/16
    dns: { support: true, hostnames: true }
    subnets:
      a: { cidr: 10.0.1.0/24, az: eu-west-1a }
    instances:
      app: { subnet: a }
",
    );
    for name in [
        "s3.eu-west-1.amazonaws.com",
        "my-bucket.s3.eu-west-1.amazonaws.com",
    ] {
        assert_eq!(a(&z, "app", name), ["52.218.0.10"], "{name}");
    }
    // The global name is us-east-1's, which this topology does not hold.
    let r = ask(&z, "app", "s3.amazonaws.com", RType::A).unwrap();
    assert!(r.answers.is_empty(), "{r:?}");
}
