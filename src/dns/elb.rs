//! Load balancers' DNS names (AWS's `DNSName`, `…elb.amazonaws.com` or an imported one): one A
//! record per node, its public address when the load balancer is internet-facing and its
//! private one when internal, from anywhere (AWS answers an internet-facing name with public
//! addresses inside the VPC too). Route 53 alias records to a load balancer answer the same
//! records (`lb:NAME`). TTL 60 s, as AWS's.

use super::answer::{soa_rr, Found, Rr};
use super::rdata::{RType, Soa, Value};
use crate::model::{LoadBalancerId, Network};
use std::net::Ipv4Addr;

/// The TTL of a load balancer's records (AWS: 60 s).
pub const ELB_TTL: u32 = 60;

/// The load balancer whose DNS name is `name` (lower case, no trailing dot).
pub fn by_name(net: &Network, name: &str) -> Option<LoadBalancerId> {
    net.load_balancers
        .iter()
        .find(|l| l.dns_name == name)
        .map(|l| l.id)
}

/// The addresses a load balancer's name resolves to, node by node.
pub fn addresses(net: &Network, lb: LoadBalancerId) -> Vec<Ipv4Addr> {
    let l = net.load_balancer(lb);
    l.nodes
        .iter()
        .map(|n| {
            let e = net.eni(n.eni);
            if l.internet_facing {
                e.public_ip.unwrap_or(e.private_ip)
            } else {
                e.private_ip
            }
        })
        .collect()
}

/// The A records of load balancer `lb` named `owner`.
pub fn records(net: &Network, lb: LoadBalancerId, owner: &str) -> Vec<Rr> {
    addresses(net, lb)
        .into_iter()
        .map(|ip| Rr {
            name: owner.to_string(),
            ttl: ELB_TTL,
            value: Value::A(ip),
        })
        .collect()
}

/// The answer for a load balancer's own name `name` asked with `qtype`.
pub(crate) fn lookup(net: &Network, lb: LoadBalancerId, name: &str, qtype: Option<RType>) -> Found {
    if qtype == Some(RType::A) {
        return Found::Answer(records(net, lb, name));
    }
    let zone = name.split_once('.').map_or(name, |x| x.1);
    Found::NoData(soa_rr(
        zone,
        &Soa {
            mname: "ns-1.awsdns-00.com".into(),
            rname: "awsdns-hostmaster.amazon.com".into(),
            serial: 1,
            refresh: 7200,
            retry: 900,
            expire: 1_209_600,
            minimum: 60,
        },
    ))
}
