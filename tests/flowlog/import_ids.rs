//! The ids a topology writes (`aws_id`, `eni_aws_id`) and the VPC's `account` appear in flow-log
//! records and pcapng interface names, as `probe FILE` writes them.

use std::path::Path;
use std::process::Command;

const TOPO: &str = "name: ids
account: \"111122223333\"
vpcs:
  v:
    cidr: 10.0.0.0/16
    aws_id: vpc-0abc
    account: \"444455556666\"
    internet_gateway: { aws_id: igw-0abc }
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub, aws_id: subnet-0abc }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      web:
        aws_id: sg-0abc
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: pub, ip: 10.0.0.10, public_ip: true, security_groups: [web], services: [http:80], aws_id: i-0abc, eni_aws_id: eni-0abc }
  w:
    cidr: 10.1.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.1.0.0/24, route_table: pub }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      other: { subnet: pub, ip: 10.1.0.10, public_ip: true, security_groups: [web], services: [http:80] }
internet:
  hosts:
    client: { ip: 198.51.100.5 }
flow_logs:
  - { resource: vpc:v, format: aws, path: v.log, fields: [account-id, interface-id, instance-id, vpc-id, subnet-id, dstport, action] }
  - { resource: vpc:w, format: aws, path: w.log, fields: [account-id, interface-id, instance-id, vpc-id, dstport] }
  - { resource: vpc:v, format: pcapng, path: v.pcapng }
";

fn probe(file: &Path, to: &str) {
    let o = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("probe")
        .arg(file)
        .args(["--from", "client", "--to", to, "--port", "80"])
        .output()
        .expect("vpclab runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn records(p: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

#[test]
fn records_and_pcapng_names_carry_the_written_ids_and_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ids.yaml");
    std::fs::write(&f, TOPO).unwrap();
    probe(&f, "i-0abc");
    let v = records(&dir.path().join("v.log"));
    assert!(!v.is_empty());
    for r in &v {
        assert_eq!(
            r[..5],
            [
                "444455556666",
                "eni-0abc",
                "i-0abc",
                "vpc-0abc",
                "subnet-0abc"
            ],
            "{v:?}"
        );
        assert_eq!(r[6], "ACCEPT");
    }
    // The pcapng interface is named by the written ENI id and its owner.
    let pcap = std::fs::read(dir.path().join("v.pcapng")).unwrap();
    let name = b"eni-0abc (web)";
    assert!(
        pcap.windows(name.len()).any(|w| w == name),
        "no interface named eni-0abc (web)"
    );
    // A VPC without `account:` takes the top level's (each probe rewrites the logs).
    probe(&f, "other");
    let w = records(&dir.path().join("w.log"));
    assert!(!w.is_empty());
    for r in &w {
        assert_eq!(
            r[..4],
            ["111122223333", "eni-other", "i-other", "vpc-w"],
            "{w:?}"
        );
    }
}

#[test]
fn a_secondary_ip_is_logged_as_aws_does() {
    let y = "name: sec
vpcs:
  v:
    cidr: 10.0.0.0/16
    subnets:
      a: { cidr: 10.0.0.0/24 }
    security_groups:
      open:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: a, ip: 10.0.0.10 }
      db: { subnet: a, ip: 10.0.0.20, secondary_ips: [10.0.0.21], security_groups: [open], services: [http:80] }
flow_logs:
  - { resource: instance:db, format: aws, path: db.log, fields: [interface-id, srcaddr, dstaddr, pkt-srcaddr, pkt-dstaddr, flow-direction] }
";
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("sec.yaml");
    std::fs::write(&f, y).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("probe")
        .arg(&f)
        .args(["--from", "web", "--to", "10.0.0.21", "--port", "80"])
        .output()
        .expect("vpclab runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let recs = records(&dir.path().join("db.log"));
    let ingress = recs
        .iter()
        .find(|r| r[5] == "ingress")
        .expect("an ingress record");
    // srcaddr/dstaddr: the ENI side is its primary IP; pkt-dstaddr keeps the secondary.
    assert_eq!(
        ingress[..5],
        ["eni-db", "10.0.0.10", "10.0.0.20", "10.0.0.10", "10.0.0.21"],
        "{recs:?}"
    );
}

#[test]
fn each_interface_has_its_own_records() {
    let y = "name: nics
vpcs:
  v:
    cidr: 10.0.0.0/16
    subnets:
      front: { cidr: 10.0.0.0/24 }
      back: { cidr: 10.0.1.0/24 }
    security_groups:
      admin:
        inbound:
          - { protocol: tcp, ports: 22, source: 10.0.1.0/24 }
    instances:
      gw: { subnet: front, ip: 10.0.0.10, services: [tcp:22], network_interfaces: [{ subnet: back, ip: 10.0.1.10, security_groups: [admin], aws_id: eni-0back }] }
      ops: { subnet: back, ip: 10.0.1.20 }
flow_logs:
  - { resource: instance:gw, format: aws, path: gw.log, fields: [interface-id, instance-id, subnet-id, dstaddr, dstport, action] }
  - { resource: instance:gw, format: pcapng, path: gw.pcapng }
";
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("nics.yaml");
    std::fs::write(&f, y).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("probe")
        .arg(&f)
        .args(["--from", "ops", "--to", "10.0.1.10", "--port", "22"])
        .output()
        .expect("vpclab runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let recs = records(&dir.path().join("gw.log"));
    assert!(!recs.is_empty());
    // Every record is the back interface's: the front one saw nothing.
    for r in &recs {
        assert_eq!(r[..3], ["eni-0back", "i-gw", "subnet-back"], "{recs:?}");
        assert_eq!(r[5], "ACCEPT");
    }
    assert!(
        recs.iter().any(|r| r[3] == "10.0.1.10" && r[4] == "22"),
        "{recs:?}"
    );
    // The capture has one interface per ENI of the instance.
    let pcap = std::fs::read(dir.path().join("gw.pcapng")).unwrap();
    for name in [&b"eni-gw (gw)"[..], b"eni-0back (gw)"] {
        assert!(
            pcap.windows(name.len()).any(|w| w == name),
            "no interface {}",
            String::from_utf8_lossy(name)
        );
    }
}
