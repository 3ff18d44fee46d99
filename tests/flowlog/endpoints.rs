//! Flow-log records of endpoint traffic, as AWS writes them (flow-log-records.html): a request
//! to S3 through a gateway endpoint is logged at the instance's ENI with `traffic-path` 7 and
//! its private source kept; a connection to an interface endpoint is logged at the endpoint's
//! requester-managed ENI too (`instance-id` `-`), and a rejected one there as REJECT; the
//! pcapng has the endpoint ENI's packets.

use crate::common;
use crate::common::flowlog::probe_file;
use crate::common::require::{self, TSHARK};
use crate::common::tshark::count as tshark_count;
use std::path::Path;

const TOPO: &str = "name: fle
region: us-east-1
aws_services: [s3, sqs]
vpcs:
  main:
    cidr: 10.0.0.0/16
    dns: { support: true, hostnames: true }
    subnets:
      private-a: { cidr: 10.0.1.0/24, az: us-east-1a, route_table: private }
      other-a: { cidr: 10.0.3.0/24, az: us-east-1a }
    route_tables:
      private:
        routes: []
    security_groups:
      app:
        outbound:
          - { protocol: tcp, ports: 443, destination: pl:com.amazonaws.us-east-1.s3 }
          - { protocol: tcp, ports: 443, destination: 10.0.0.0/16 }
      endpoint:
        inbound:
          - { protocol: tcp, ports: 443, source: sg:app }
      other:
        outbound:
          - { protocol: tcp, ports: 443, destination: 10.0.0.0/16 }
    endpoints:
      s3: { type: gateway, service: s3, route_tables: [private] }
      sqs:
        type: interface
        service: sqs
        subnets: [private-a]
        security_groups: [endpoint]
    instances:
      app: { subnet: private-a, ip: 10.0.1.10, security_groups: [app] }
      intruder: { subnet: other-a, ip: 10.0.3.10, security_groups: [other] }
flow_logs:
  - resource: vpc:main
    traffic: ALL
    format: aws
    path: flows/custom.log
    fields: [instance-id, interface-id, srcaddr, dstaddr, dstport, action, flow-direction, traffic-path]
  - { resource: vpc:main, traffic: ALL, format: pcapng, path: flows/all.pcapng }
";

/// The records of a custom-format log (its header line skipped), split into fields.
fn records(p: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("instance-id"))
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

/// The topology in a temporary folder with its `flows/`, and its model.
fn setup() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    vpclab::model::Network,
) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("flows")).unwrap();
    let f = dir.path().join("fle.yaml");
    std::fs::write(&f, TOPO).unwrap();
    (dir, f, common::net(TOPO))
}

/// The endpoint ENI's id and address.
fn endpoint_eni(net: &vpclab::model::Network) -> (String, String) {
    let ep = net.vpc_endpoints.iter().find(|e| !e.is_gateway()).unwrap();
    let eni = net.eni(ep.enis()[0]);
    (eni.aws_id.clone(), eni.private_ip.to_string())
}

#[test]
fn gateway_endpoint_traffic_is_logged_with_traffic_path_7() {
    let (dir, f, net) = setup();
    let s3 = "s3.us-east-1.amazonaws.com";
    assert_eq!(
        probe_file(&f, &["--from", "app", "--to", s3, "--port", "443"]),
        0
    );
    let app = net.instance(net.instance_by_name("app").unwrap());
    let app_eni = net.eni(app.eni).aws_id.clone();
    let s3_ip = net
        .aws_services
        .iter()
        .find(|s| s.service == "s3")
        .unwrap()
        .ip;
    let recs = records(&dir.path().join("flows/custom.log"));
    // instance-id interface-id srcaddr dstaddr dstport action flow-direction traffic-path
    let out = recs
        .iter()
        .find(|r| r[1] == app_eni && r[3] == s3_ip.to_string() && r[4] == "443")
        .unwrap_or_else(|| panic!("no record of the request at {app_eni}: {recs:?}"));
    assert_eq!(
        out,
        &[
            app.aws_id.as_str(),
            app_eni.as_str(),
            "10.0.1.10",
            &s3_ip.to_string(),
            "443",
            "ACCEPT",
            "egress",
            "7"
        ]
    );
    // The reply comes in at the same ENI: ingress, and AWS writes no traffic-path for it.
    let back = recs
        .iter()
        .find(|r| r[1] == app_eni && r[2] == s3_ip.to_string())
        .unwrap_or_else(|| panic!("no record of the reply: {recs:?}"));
    assert_eq!(
        (back[5].as_str(), back[6].as_str(), back[7].as_str()),
        ("ACCEPT", "ingress", "-")
    );
    assert!(
        recs.iter()
            .all(|r| r[2] == "10.0.1.10" || r[3] == "10.0.1.10"),
        "{recs:?}"
    );
}

#[test]
fn interface_endpoint_eni_has_records_of_its_own() {
    let (dir, f, net) = setup();
    let (eni, ip) = endpoint_eni(&net);
    assert_eq!(
        probe_file(&f, &["--from", "app", "--to", "vpce-sqs", "--port", "443"]),
        0
    );
    let recs = records(&dir.path().join("flows/custom.log"));
    let at_eni: Vec<_> = recs.iter().filter(|r| r[1] == eni).collect();
    let inbound = at_eni
        .iter()
        .find(|r| r[2] == "10.0.1.10" && r[3] == ip && r[4] == "443")
        .unwrap_or_else(|| panic!("no inbound record at {eni}: {recs:?}"));
    assert_eq!(
        (
            inbound[0].as_str(),
            inbound[5].as_str(),
            inbound[6].as_str()
        ),
        ("-", "ACCEPT", "ingress"),
        "a requester-managed ENI has no instance"
    );
    assert!(
        at_eni
            .iter()
            .any(|r| r[2] == ip && r[6] == "egress" && r[5] == "ACCEPT"),
        "the endpoint's answer is logged at its ENI: {at_eni:?}"
    );
    // A client outside sg:app: rejected at the endpoint's ENI by its security group.
    let (dir, f, _) = setup();
    assert_eq!(
        probe_file(
            &f,
            &["--from", "intruder", "--to", "vpce-sqs", "--port", "443"]
        ),
        1
    );
    let recs = records(&dir.path().join("flows/custom.log"));
    let rej: Vec<_> = recs.iter().filter(|r| r[5] == "REJECT").collect();
    assert_eq!(rej.len(), 1, "{recs:?}");
    assert_eq!(
        (
            rej[0][0].as_str(),
            rej[0][1].as_str(),
            rej[0][2].as_str(),
            rej[0][3].as_str()
        ),
        ("-", eni.as_str(), "10.0.3.10", ip.as_str())
    );
}

#[test]
#[ignore = "needs tshark: run the README's test command (scripts/test.sh)"]
fn interface_endpoint_packets_are_in_the_pcapng() {
    require::tools(&[TSHARK]);
    let (dir, f, net) = setup();
    let (_, ip) = endpoint_eni(&net);
    assert_eq!(
        probe_file(&f, &["--from", "app", "--to", "vpce-sqs", "--port", "443"]),
        0
    );
    let p = dir.path().join("flows/all.pcapng");
    let to_eni = tshark_count(&p, &format!("ip.dst == {ip} && tcp.dstport == 443"));
    let from_eni = tshark_count(&p, &format!("ip.src == {ip} && tcp.srcport == 443"));
    assert!(to_eni >= 2 && from_eni >= 1, "to {to_eni}, from {from_eni}");
}
