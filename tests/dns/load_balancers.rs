//! Load balancers' names: the DNS name resolves to the nodes' public addresses when
//! internet-facing and to their private ones when internal, from the internet and from a VPC;
//! a Route 53 alias record to a load balancer answers the same addresses.

use crate::common::dns::{ask, values, zones};
use vpclab::dns::RType;

const TOPOLOGY: &str = include_str!("../../topologies/load-balancers.yaml");

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn a_load_balancers_name_resolves_to_its_nodes() {
    let z = zones(TOPOLOGY);
    let net = z.net.clone();
    let front = net.load_balancer(net.load_balancer_by_name("front").unwrap());
    let data = net.load_balancer(net.load_balancer_by_name("data").unwrap());
    let public: Vec<String> = front
        .nodes
        .iter()
        .map(|n| net.eni(n.eni).public_ip.unwrap().to_string())
        .collect();
    let private: Vec<String> = data
        .nodes
        .iter()
        .map(|n| net.eni(n.eni).private_ip.to_string())
        .collect();
    for from in ["client", "web-a"] {
        let r = ask(&z, from, &front.dns_name, RType::A).expect("an answer");
        assert_eq!(sorted(values(&r)), sorted(public.clone()), "{from}");
        let r = ask(
            &z,
            from,
            &format!("{}.", data.dns_name.to_uppercase()),
            RType::A,
        )
        .expect("an answer");
        assert_eq!(sorted(values(&r)), sorted(private.clone()), "{from}");
        assert!(r.answers.iter().all(|a| a.ttl == 60));
    }
    assert!(data.dns_name.starts_with("internal-data-"));
    // An alias record to the load balancer answers its nodes.
    let r = ask(&z, "client", "www.example.com", RType::A).expect("an answer");
    assert_eq!(sorted(values(&r)), sorted(public));
    // No AAAA: a NOERROR answer with nothing in it.
    let r = ask(&z, "client", &front.dns_name, RType::Aaaa).expect("an answer");
    assert!(r.answers.is_empty());
}

#[test]
fn an_alias_to_an_unknown_load_balancer_is_an_error() {
    let y = TOPOLOGY.replace("alias: lb:front", "alias: lb:nope");
    let r = crate::common::dns::report(&y);
    assert!(
        r.to_string()
            .contains("load balancer `nope` does not exist"),
        "{r}"
    );
}
