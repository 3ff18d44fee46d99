//! The keys imports need on the netns backend: secondary private IPs and a further interface's
//! addresses are on the instance's `eth0`, and traffic to them is judged by the ENI that owns
//! them.

use crate::common::netns::*;
use crate::common::require::{self, CURL};

const TOPO: &str = "name: ik
vpcs:
  v:
    cidr: 10.0.0.0/16
    subnets:
      front: { cidr: 10.0.0.0/24 }
      back: { cidr: 10.0.1.0/24 }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 10.0.0.0/24 }
      admin:
        inbound:
          - { protocol: tcp, ports: 80, source: 10.0.1.0/24 }
    instances:
      gw:
        subnet: front
        ip: 10.0.0.10
        secondary_ips: [10.0.0.11]
        security_groups: [web]
        services: [http:80]
        network_interfaces:
          - { subnet: back, ip: 10.0.1.10, security_groups: [admin] }
      client: { subnet: front, ip: 10.0.0.20 }
      ops: { subnet: back, ip: 10.0.1.20 }
";

fn curl(t: &Topo, from: &str, ip: &str) -> String {
    let url = format!("http://{ip}/");
    stdout(&t.exec(from, &["curl", "-s", "-m", "5", &url]))
}

#[test]
#[ignore = "needs root and curl: run the README's test command (scripts/test.sh)"]
fn secondary_and_second_interface_addresses_answer_by_their_eni() {
    require::netns(&[CURL]);
    let t = Topo::new("nik", TOPO);
    t.up();
    // The secondary of the primary interface: the web group admits the front subnet.
    assert_eq!(curl(&t, "client", "10.0.0.11"), "gw\n");
    // The second interface: its admin group admits the back subnet, and its reply leaves by it.
    assert_eq!(curl(&t, "ops", "10.0.1.10"), "gw\n");
    // The back interface does not admit the front subnet, nor the front one the back subnet.
    assert_eq!(curl(&t, "client", "10.0.1.10"), "");
    assert_eq!(curl(&t, "ops", "10.0.0.10"), "");
}
