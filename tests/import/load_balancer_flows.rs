//! The corpus's load-balancer snapshot (`test-load-balancer`, an internal NLB with instance
//! targets and cross-zone on) beyond its forward traceroutes (`batfish_flows` asks those): the
//! two `traceroute-reverse` flows are the return legs of the accepted forward flows, which must
//! come back through the node that handled the forward flow (Batfish's sessions; AWS's NLB
//! does the same), and the two `reachability` questions ask that some flow from the client is
//! accepted at each server: through the NLB, by flow hash, both servers are reached.

use super::support::batfish;
use std::collections::BTreeSet;
use vpclab::import::aws::import;
use vpclab::reach::{analyze, resolve, resolve_source, Query};

fn network() -> vpclab::model::Network {
    let dir = batfish().join("test-load-balancer/aws_configs");
    let i = import(std::slice::from_ref(&dir), None).expect("the snapshot imports");
    assert!(
        !i.report.to_text().contains("issue 15"),
        "nothing of the snapshot is left for issue 15:\n{}",
        i.report.to_text()
    );
    let yaml = vpclab::import::yaml::to_yaml(&i.doc, "a test").unwrap();
    let t = vpclab::topology::parse_str("lb.yaml", &yaml).unwrap();
    let r = vpclab::topology::validate::validate(&t, "lb.yaml");
    assert!(!r.has_errors(), "{r}\n{yaml}");
    vpclab::model::build(&t, "lb.yaml").unwrap()
}

#[test]
fn the_reverse_flows_come_back_through_the_forward_node() {
    let n = network();
    for node in ["10.1.1.237", "10.1.20.123"] {
        let mut q = Query::new(
            resolve_source(&n, "i-0c8ce8bbdd98cc4e8", None).unwrap(),
            resolve(&n, node).unwrap(),
            6,
            80,
        );
        q.src_port = Some(49152);
        let a = analyze(&n, &q);
        assert!(a.reachable, "{a:#?}");
        // Batfish's reverse flow: target:22 → client:49152, through the same node.
        let first = &a.return_path[0];
        assert!(first.detail.contains("outbound") || first.kind.to_string() == "security_group");
        let lb_hop = a
            .return_path
            .iter()
            .find(|h| h.component == "test-lb")
            .unwrap_or_else(|| panic!("the reply crosses test-lb: {:#?}", a.return_path));
        assert!(
            lb_hop.detail.contains("client IP preserved"),
            "{}",
            lb_hop.detail
        );
        let node_eni = n
            .enis
            .iter()
            .find(|e| e.private_ip.to_string() == node)
            .unwrap()
            .aws_id
            .clone();
        assert!(
            lb_hop.detail.ends_with(&format!("from {node_eni}")),
            "{}",
            lb_hop.detail
        );
    }
}

#[test]
fn some_flow_from_the_client_is_accepted_at_each_server() {
    let n = network();
    let mut reached = BTreeSet::new();
    for node in ["10.1.1.237", "10.1.20.123"] {
        for sport in (32768..61000u16).step_by(997) {
            let mut q = Query::new(
                resolve_source(&n, "i-0c8ce8bbdd98cc4e8", None).unwrap(),
                resolve(&n, node).unwrap(),
                6,
                80,
            );
            q.src_port = Some(sport);
            let a = analyze(&n, &q);
            if a.reachable {
                reached.insert(a.forward.last().unwrap().component.clone());
            }
        }
    }
    let want: BTreeSet<String> = ["i-055b0db7be365202c", "i-0f4af951d61a19245"]
        .iter()
        .map(|i| {
            let inst = n.instance_by_display_id(i).unwrap();
            n.eni(n.instance(inst).eni).aws_id.clone()
        })
        .collect();
    assert_eq!(reached, want);
}
