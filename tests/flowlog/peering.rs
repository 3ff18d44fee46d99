//! `traffic-path` of traffic leaving over a VPC peering (flow-logs-records.html): 4 through an
//! intra-Region peering, 5 through an inter-Region one, for IPv4 and IPv6 alike, as
//! `vpclab probe FILE` writes them at the sender's ENI.

use crate::common::flowlog::probe_file;
use std::collections::BTreeSet;
use std::path::Path;

/// VPC `a` (us-east-1) peered with `b` in its own Region and with `c` in us-west-2; dual-stack,
/// routes both ways for both families.
const TOPO: &str = "name: flp
region: us-east-1
vpcs:
  a:
    cidr: 10.0.0.0/16
    ipv6_cidr: 2600:1f18:4000::/56
    subnets:
      s: { cidr: 10.0.1.0/24, ipv6_cidr: 0, route_table: r, assign_ipv6_address_on_creation: true }
    route_tables:
      r:
        routes:
          - { destination: 10.1.0.0/16, target: pcx:ab }
          - { destination: \"2600:1f18:4000:100::/56\", target: pcx:ab }
          - { destination: 10.2.0.0/16, target: pcx:ac }
          - { destination: \"2600:1f18:4000:200::/56\", target: pcx:ac }
    instances:
      ia: { subnet: s }
  b:
    cidr: 10.1.0.0/16
    ipv6_cidr: 2600:1f18:4000:100::/56
    subnets:
      s: { cidr: 10.1.1.0/24, ipv6_cidr: 0, route_table: r, assign_ipv6_address_on_creation: true }
    route_tables:
      r:
        routes:
          - { destination: 10.0.0.0/16, target: pcx:ab }
          - { destination: \"2600:1f18:4000::/56\", target: pcx:ab }
    security_groups:
      open:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
          - { protocol: tcp, ports: 80, source: \"::/0\" }
    instances:
      ib: { subnet: s, security_groups: [open], services: [http:80] }
  c:
    region: us-west-2
    cidr: 10.2.0.0/16
    ipv6_cidr: 2600:1f18:4000:200::/56
    subnets:
      s: { cidr: 10.2.1.0/24, az: us-west-2a, ipv6_cidr: 0, route_table: r, assign_ipv6_address_on_creation: true }
    route_tables:
      r:
        routes:
          - { destination: 10.0.0.0/16, target: pcx:ac }
          - { destination: \"2600:1f18:4000::/56\", target: pcx:ac }
    security_groups:
      open:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
          - { protocol: tcp, ports: 80, source: \"::/0\" }
    instances:
      ic: { subnet: s, security_groups: [open], services: [http:80] }
peerings:
  ab: { requester: a, accepter: b }
  ac: { requester: a, accepter: c }
flow_logs:
  - resource: vpc:a
    traffic: ALL
    format: aws
    path: a.log
    fields: [interface-id, type, dstaddr, flow-direction, traffic-path]
";

/// The (type, dstaddr, traffic-path) of the egress records of `ia`'s ENI.
fn egress(log: &Path, eni: &str) -> BTreeSet<(String, String, String)> {
    std::fs::read_to_string(log)
        .unwrap_or_else(|e| panic!("{}: {e}", log.display()))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("interface-id"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|r| r[0] == eni && r[3] == "egress")
        .map(|r| (r[1].to_string(), r[2].to_string(), r[4].to_string()))
        .collect()
}

#[test]
fn peering_traffic_path_is_4_intra_region_and_5_inter_region_for_both_families() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("flp.yaml");
    std::fs::write(&f, TOPO).unwrap();
    let net = crate::common::net(TOPO);
    let eni_of = |n: &str| net.instance(net.instance_by_name(n).unwrap()).eni;
    let v4 = |n: &str| net.eni(eni_of(n)).private_ip.to_string();
    let v6 = |n: &str| net.eni_ipv6(eni_of(n))[0].to_string();
    let ia = net.eni(eni_of("ia")).aws_id.clone();
    // Each probe writes its log anew: read it after each.
    let mut got = BTreeSet::new();
    for to in ["ib", "ic"] {
        assert_eq!(
            probe_file(&f, &["--from", "ia", "--to", to, "--port", "80"]),
            0,
            "{to}"
        );
        got.extend(egress(&d.path().join("a.log"), &ia));
        assert_eq!(
            probe_file(&f, &["-6", "--from", "ia", "--to", to, "--port", "80"]),
            0,
            "-6 {to}"
        );
        got.extend(egress(&d.path().join("a.log"), &ia));
    }
    let want: BTreeSet<(String, String, String)> = [
        ("IPv4", v4("ib"), "4"),
        ("IPv6", v6("ib"), "4"),
        ("IPv4", v4("ic"), "5"),
        ("IPv6", v6("ic"), "5"),
    ]
    .into_iter()
    .map(|(t, a, p)| (t.to_string(), a, p.to_string()))
    .collect();
    assert_eq!(got, want);
}
