//! `vpclab probe FILE`: the topology's flow logs are written as the probe's packets pass
//! (spec/cli.md): AWS records, a REJECT-only pcapng read by tshark, custom fields at a NAT
//! gateway (aws-vpc-semantics §8).

use crate::common;
use crate::common::flowlog::probe_file;
use crate::common::require::{self, TSHARK};
use crate::common::tshark::count as tshark_count;
use std::path::Path;

const TOPO: &str = "name: fl
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub }
      priv: { cidr: 10.0.1.0/24, route_table: priv }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
      priv:
        routes:
          - { destination: 0.0.0.0/0, target: nat:nat-a }
    nat_gateways:
      nat-a: { subnet: pub }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: pub, ip: 10.0.0.10, public_ip: true, security_groups: [web], services: [http:80, tcp:22] }
      app: { subnet: priv, ip: 10.0.1.5 }
internet:
  hosts:
    client: { ip: 203.0.113.5, services: [http:80] }
flow_logs:
  - { resource: vpc:v, traffic: ALL, format: aws, path: flows/all.log }
  - { resource: vpc:v, traffic: REJECT, format: pcapng, path: flows/rej.pcapng }
  - resource: vpc:v
    traffic: ALL
    format: aws
    path: flows/custom.log
    fields: [instance-id, interface-id, srcaddr, dstaddr, pkt-srcaddr, pkt-dstaddr, action]
";

fn lines(p: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .lines()
        .filter(|l| !l.starts_with('#')) // a custom format's header line
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

fn setup() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    vpclab::model::Network,
) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("flows")).unwrap();
    let f = dir.path().join("fl.yaml");
    std::fs::write(&f, TOPO).unwrap();
    (dir, f, common::net(TOPO))
}

fn eni_id(net: &vpclab::model::Network, inst: &str) -> String {
    let i = net.instances.iter().find(|i| i.name == inst).unwrap();
    net.eni(i.eni).aws_id.clone()
}

#[test]
fn allowed_probe_writes_accept_records() {
    let (dir, f, net) = setup();
    assert_eq!(
        probe_file(&f, &["--from", "client", "--to", "web", "--port", "80"]),
        0
    );
    let web = eni_id(&net, "web");
    let all = lines(&dir.path().join("flows/all.log"));
    // version account eni src dst sport dport proto packets bytes start end action status
    let req = all
        .iter()
        .find(|r| r[2] == web && r[4] == "10.0.0.10" && r[6] == "80")
        .unwrap_or_else(|| panic!("no inbound record at {web}: {all:?}"));
    assert_eq!((req[3].as_str(), req[7].as_str()), ("203.0.113.5", "6"));
    assert_eq!(req[12], "ACCEPT");
    assert!(
        req[8].parse::<u32>().unwrap() >= 3,
        "SYN, ACK, GET, RST: {req:?}"
    );
    let resp = all
        .iter()
        .find(|r| r[2] == web && r[3] == "10.0.0.10" && r[5] == "80")
        .expect("the answer's record");
    assert_eq!(resp[12], "ACCEPT");
    assert!(all.iter().all(|r| r[12] == "ACCEPT" && r[13] == "OK"));
}

#[test]
#[ignore = "needs tshark: run the README's test command (scripts/test.sh)"]
fn allowed_probe_writes_an_empty_reject_pcapng() {
    require::tools(&[TSHARK]);
    let (dir, f, _) = setup();
    assert_eq!(
        probe_file(&f, &["--from", "client", "--to", "web", "--port", "80"]),
        0
    );
    // A REJECT-only log with nothing rejected: a valid, empty capture.
    assert_eq!(tshark_count(&dir.path().join("flows/rej.pcapng"), "ip"), 0);
}

#[test]
fn blocked_probe_writes_reject_records_and_pcapng() {
    let (dir, f, net) = setup();
    assert_eq!(
        probe_file(&f, &["--from", "client", "--to", "web", "--port", "22"]),
        1
    );
    let web = eni_id(&net, "web");
    let all = lines(&dir.path().join("flows/all.log"));
    assert!(!all.is_empty());
    let rej: Vec<_> = all.iter().filter(|r| r[12] == "REJECT").collect();
    assert_eq!(rej.len(), 1, "{all:?}");
    assert_eq!(
        (rej[0][2].as_str(), rej[0][4].as_str(), rej[0][6].as_str()),
        (web.as_str(), "10.0.0.10", "22")
    );
    let sent: u32 = rej[0][8].parse().unwrap();
    assert!(sent >= 1);
}

#[test]
#[ignore = "needs tshark: run the README's test command (scripts/test.sh)"]
fn blocked_probe_pcapng_holds_each_rejected_packet_once() {
    require::tools(&[TSHARK]);
    let (dir, f, _) = setup();
    assert_eq!(
        probe_file(&f, &["--from", "client", "--to", "web", "--port", "22"]),
        1
    );
    let all = lines(&dir.path().join("flows/all.log"));
    let rej: Vec<_> = all.iter().filter(|r| r[12] == "REJECT").collect();
    assert_eq!(rej.len(), 1, "{all:?}");
    let sent: u32 = rej[0][8].parse().unwrap();
    let p = dir.path().join("flows/rej.pcapng");
    let total = tshark_count(&p, "ip");
    let rejected = tshark_count(&p, "frame.comment contains \"REJECT\"");
    assert_eq!(rejected as u32, sent, "every rejected packet, once");
    assert_eq!(total, rejected, "only rejected packets in a REJECT log");
    assert_eq!(tshark_count(&p, "tcp.dstport == 22"), rejected);
}

#[test]
fn nat_gateway_exchange_logs_what_aws_shows() {
    let (dir, f, net) = setup();
    assert_eq!(
        probe_file(&f, &["--from", "app", "--to", "client", "--port", "80"]),
        0
    );
    let nat = &net.nat_gateways[0];
    let nat_eni = net.eni(nat.eni).aws_id.clone();
    let nat_ip = net.eni(nat.eni).private_ip.to_string();
    let eip = nat.elastic_ip.unwrap().to_string();
    let app = eni_id(&net, "app");
    // instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr action
    let recs: Vec<Vec<String>> = lines(&dir.path().join("flows/custom.log"))
        .into_iter()
        .map(|r| r[..6].to_vec())
        .collect();
    let at_nat: std::collections::BTreeSet<Vec<String>> =
        recs.iter().filter(|r| r[1] == nat_eni).cloned().collect();
    let want = |a: &str, b: &str, c: &str, d: &str| {
        vec![
            "-".to_string(),
            nat_eni.clone(),
            a.into(),
            b.into(),
            c.into(),
            d.into(),
        ]
    };
    let expected: std::collections::BTreeSet<Vec<String>> = [
        want("10.0.1.5", &nat_ip, "10.0.1.5", "203.0.113.5"),
        want(&nat_ip, "203.0.113.5", &nat_ip, "203.0.113.5"),
        want("203.0.113.5", &nat_ip, "203.0.113.5", &nat_ip),
        want(&nat_ip, "10.0.1.5", "203.0.113.5", "10.0.1.5"),
    ]
    .into_iter()
    .collect();
    assert_eq!(at_nat, expected, "the four NAT gateway records of §8");
    let at_app: Vec<_> = recs.iter().filter(|r| r[1] == app).collect();
    assert_eq!(at_app.len(), 2, "{at_app:?}");
    for r in at_app {
        assert_eq!(
            (&r[2], &r[3]),
            (&r[4], &r[5]),
            "srcaddr = pkt-srcaddr at the instance"
        );
        assert_ne!(r[0], "-");
    }
    assert!(
        !recs.iter().flatten().any(|x| *x == eip),
        "the EIP never appears"
    );
}
