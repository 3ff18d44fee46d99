//! Load balancers on the virtual backend (real TCP through the engine): internet → ALB →
//! private targets in two zones answer in turn, a target whose SG does not admit the ALB's SG
//! gets no traffic, cross-zone off keeps a client in the node's zone, an NLB whose targets are
//! all unhealthy fails open, and the NLB keeps the client's address towards instance targets.

use crate::common::lab;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use vpclab::backend::virt::{Lab, ProbeProto};

const TOPOLOGY: &str = include_str!("../../topologies/load-balancers.yaml");

/// HTTP answers (the answering host's name) counted, for `count` connections from `from` to
/// `dst:port`, each from its own source port.
fn answers(l: &mut Lab, from: &str, dst: Ipv4Addr, port: u16, count: u16) -> BTreeMap<String, u32> {
    let net = l.engine().network().clone();
    let src = match net.endpoint_by_name(from).unwrap() {
        vpclab::model::Endpoint::Instance(i) => net.instance(i).port,
        vpclab::model::Endpoint::Internet(h) => net.internet_host(h).port,
    };
    let mut seen = BTreeMap::new();
    for k in 0..count {
        let r = l.probe_port(src, None, dst, ProbeProto::Tcp, port, Some(41000 + k * 13));
        if r.reply {
            let body = String::from_utf8_lossy(&r.response).to_string();
            let who = ["web-a", "web-b", "api-a", "db-1", "db-2"]
                .into_iter()
                .find(|n| body.contains(n))
                .unwrap_or("?")
                .to_string();
            *seen.entry(who).or_insert(0) += 1;
        }
    }
    seen
}

fn node_ip(l: &Lab, lb: &str, k: usize, public: bool) -> Ipv4Addr {
    let net = l.engine().network();
    let lb = net.load_balancer(net.load_balancer_by_name(lb).unwrap());
    let e = net.eni(lb.nodes[k].eni);
    if public {
        e.public_ip.unwrap()
    } else {
        e.private_ip
    }
}

#[test]
fn internet_to_an_alb_reaches_both_private_targets() {
    let mut l = lab(TOPOLOGY);
    let front = l.resolve("client", "front").unwrap().unwrap();
    assert_eq!(front, node_ip(&l, "front", 0, true));
    let seen = answers(&mut l, "client", front, 80, 30);
    assert_eq!(
        seen.keys().cloned().collect::<Vec<_>>(),
        ["web-a", "web-b"],
        "{seen:?}"
    );
    assert_eq!(
        seen.values().sum::<u32>(),
        30,
        "every connection answered: {seen:?}"
    );
    // The second node (the other zone) answers too.
    let seen = {
        let ip = node_ip(&l, "front", 1, true);
        answers(&mut l, "client", ip, 80, 10)
    };
    assert_eq!(seen.values().sum::<u32>(), 10);
}

#[test]
fn a_target_cut_off_from_the_alb_gets_no_traffic() {
    let y = TOPOLOGY.replace(
        "web-b: { subnet: app-b, security_groups: [web]",
        "web-b: { subnet: app-b, security_groups: [db]",
    );
    let mut l = lab(&y);
    let front = node_ip(&l, "front", 0, true);
    let seen = answers(&mut l, "client", front, 80, 30);
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [("web-a".to_string(), 30)]
    );
}

#[test]
fn cross_zone_off_keeps_the_client_in_the_nodes_zone() {
    let mut l = lab(TOPOLOGY);
    for (k, want) in [(0, "db-1"), (1, "db-2")] {
        let seen = {
            let ip = node_ip(&l, "data", k, false);
            answers(&mut l, "web-a", ip, 5432, 12)
        };
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            [(want.to_string(), 12)]
        );
    }
    let y = TOPOLOGY.replace(
        "    scheme: internal\n",
        "    scheme: internal\n    cross_zone: true\n",
    );
    let mut l = lab(&y);
    let seen = {
        let ip = node_ip(&l, "data", 0, false);
        answers(&mut l, "web-a", ip, 5432, 30)
    };
    assert_eq!(seen.keys().cloned().collect::<Vec<_>>(), ["db-1", "db-2"]);
}

#[test]
fn an_nlb_with_every_target_unhealthy_fails_open() {
    let y = TOPOLOGY.replace(
        "- { protocol: tcp, ports: 5432, source: 10.0.0.0/16 }",
        "- { protocol: tcp, ports: 5432, source: 10.0.10.0/23 }",
    );
    let mut l = lab(&y);
    let seen = {
        let ip = node_ip(&l, "data", 0, false);
        answers(&mut l, "web-a", ip, 5432, 6)
    };
    assert_eq!(seen.values().sum::<u32>(), 6, "{seen:?}");
}

#[test]
fn an_internal_nlb_has_no_address_on_the_internet() {
    let l = lab(TOPOLOGY);
    let data = l.resolve("client", "data").unwrap().unwrap();
    assert!(data.is_private(), "{data}");
    let mut l = l;
    let seen = answers(&mut l, "client", data, 5432, 3);
    assert!(seen.is_empty(), "{seen:?}");
}
