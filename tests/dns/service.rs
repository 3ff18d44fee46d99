//! The engine hook (`DnsService`): the client's view comes from the resolver asked, its
//! location from the model.

use crate::common::dns::*;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::RecordType;
use std::sync::Arc;
use vpclab::dns::service::Route53;
use vpclab::dns::wire::query_bytes;
use vpclab::dns::{HealthTable, Zones};
use vpclab::engine::{DnsClient, DnsService};

const GEO: &str = r#"  zones:
    - name: example.com
      records:
        - { name: geo, type: A, routing: geolocation, location: { continent: EU }, values: [203.0.113.21] }
        - { name: geo, type: A, routing: geolocation, location: { country: JP }, values: [203.0.113.23] }
        - { name: geo, type: A, routing: geolocation, location: default, values: [203.0.113.22] }
    - name: example.com
      private: true
      vpcs: [main]
      records:
        - { name: geo, type: A, values: [10.0.0.99] }"#;

fn service() -> (Route53, Arc<Zones>) {
    let z = Arc::new(zones(&base(GEO)));
    let h = Arc::new(HealthTable::new(z.checks.len()));
    (Route53::new(z.clone(), h, 5), z)
}

fn ask(s: &mut Route53, c: DnsClient, name: &str) -> Option<Message> {
    let q = query_bytes(9, name, RecordType::A).unwrap();
    s.answer(&q, c, 0).map(|b| Message::from_vec(&b).unwrap())
}

#[test]
fn internet_hosts_use_their_location_and_instances_their_vpc() {
    let (mut s, z) = service();
    let net = &z.net;
    let host = |n: &str| {
        let h = net.internet_host(net.internet_host_by_name(n).unwrap());
        DnsClient {
            src: h.ip,
            vpc: None,
            port: h.port,
        }
    };
    let a = |m: Message| m.answers[0].data.to_string();
    assert_eq!(
        a(ask(&mut s, host("de"), "geo.example.com").unwrap()),
        "203.0.113.21"
    );
    assert_eq!(
        a(ask(&mut s, host("jp"), "geo.example.com").unwrap()),
        "203.0.113.23"
    );
    let web = net.instance(net.instance_by_name("web").unwrap());
    let main = web.vpc;
    let c = DnsClient {
        src: net.eni(web.eni).private_ip,
        vpc: Some(main),
        port: web.port,
    };
    let m = ask(&mut s, c, "geo.example.com").unwrap();
    assert_eq!(m.metadata.id, 9);
    assert_eq!(a(m), "10.0.0.99");
}

#[test]
fn resolver_of_a_vpc_without_dns_support_drops_queries() {
    let (mut s, z) = service();
    let net = &z.net;
    let i = net.instance(net.instance_by_name("mute").unwrap());
    let c = DnsClient {
        src: net.eni(i.eni).private_ip,
        vpc: Some(i.vpc),
        port: i.port,
    };
    assert!(ask(&mut s, c, "geo.example.com").is_none());
}

#[test]
fn malformed_queries_get_formerr_or_are_dropped() {
    let (mut s, z) = service();
    let net = &z.net;
    let h = net.internet_host(net.internet_host_by_name("de").unwrap());
    let c = DnsClient {
        src: h.ip,
        vpc: None,
        port: h.port,
    };
    assert!(s.answer(b"\x01", c, 0).is_none(), "runt: dropped");
    let mut resp = query_bytes(3, "geo.example.com", RecordType::A).unwrap();
    resp[2] |= 0x80;
    assert!(
        s.answer(&resp, c, 0).is_none(),
        "a response is never answered"
    );
    let bad = b"\x00\x05\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x40";
    let r = Message::from_vec(&s.answer(bad, c, 0).unwrap()).unwrap();
    assert_eq!(
        (r.metadata.id, r.metadata.response_code),
        (5, ResponseCode::FormErr)
    );
}
