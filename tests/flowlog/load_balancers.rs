//! Flow logs on a load balancer's ENIs, as AWS writes them: a request through the ALB is
//! recorded at the node's ENI twice (the client's packets in, from the client's address to the
//! node's private address; the node's packets out to the target, from the node's address),
//! with `instance-id` `-` (no instance owns the interface).

use std::path::Path;
use std::process::Command;

const TOPOLOGY: &str = include_str!("../../topologies/load-balancers.yaml");

fn records(p: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

#[test]
fn a_request_through_an_alb_is_logged_at_the_nodes_eni() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("flows")).unwrap();
    let yaml = format!(
        "{TOPOLOGY}flow_logs:\n  - resource: vpc:main\n    traffic: ALL\n    format: aws\n    path: flows/lb.log\n    fields: [instance-id, interface-id, srcaddr, dstaddr, dstport, action]\n"
    );
    let f = dir.path().join("elb.yaml");
    std::fs::write(&f, &yaml).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("probe")
        .arg(&f)
        .args(["--from", "client", "--to", "front", "--port", "80"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let net = crate::common::net(&yaml);
    let lb = net.load_balancer(net.load_balancer_by_name("front").unwrap());
    let node = net.eni(lb.nodes[0].eni);
    let recs = records(&dir.path().join("flows/lb.log"));
    let at_node: Vec<&Vec<String>> = recs.iter().filter(|r| r[1] == node.aws_id).collect();
    let inbound = at_node
        .iter()
        .find(|r| r[2] == "198.51.100.10" && r[3] == node.private_ip.to_string() && r[4] == "80")
        .unwrap_or_else(|| panic!("the client's request at {}: {recs:?}", node.aws_id));
    assert_eq!((inbound[0].as_str(), inbound[5].as_str()), ("-", "ACCEPT"));
    let outbound = at_node
        .iter()
        .find(|r| r[2] == node.private_ip.to_string() && r[3].starts_with("10.0.1"))
        .unwrap_or_else(|| panic!("the node's request to a target: {recs:?}"));
    assert_eq!(outbound[5], "ACCEPT");
}
