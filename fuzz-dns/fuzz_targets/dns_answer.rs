//! Fuzzes the DNS handler: arbitrary bytes as a DNS message from one of several vantage points
//! (internet hosts, an instance, a VPC without DNS support). It must never panic, and whatever
//! it answers must decode as a DNS response with the query's id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};
use vpclab::dns::wire::{handle, Transport};
use vpclab::dns::{AllHealthy, Client, Rng, Zones};

struct Fixture {
    zones: Zones,
    clients: Vec<Client>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let text = include_str!("../../topologies/dns.yaml");
        let t = vpclab::topology::parse_str("dns.yaml", text).expect("topology");
        let net = Arc::new(vpclab::model::build(&t, "dns.yaml").expect("model"));
        let clients = ["de", "us", "jp", "br", "web", "app", "lonely"]
            .iter()
            .filter_map(|n| net.endpoint_by_name(n).map(|e| Client::endpoint(&net, e)))
            .collect();
        Fixture {
            zones: Zones::build(net),
            clients,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let Some((&sel, msg)) = data.split_first() else {
        return;
    };
    let client = &f.clients[sel as usize % f.clients.len()];
    let transport = if sel & 0x80 != 0 {
        Transport::Tcp
    } else {
        Transport::Udp
    };
    let mut rng = Rng::new(sel as u64);
    if let Some(out) = handle(&f.zones, &AllHealthy, msg, client, &mut rng, transport) {
        assert!(out.len() >= 12);
        assert_eq!(out[0..2], msg[0..2], "the reply carries the query's id");
        assert!(out[2] & 0x80 != 0, "QR set");
        if transport == Transport::Udp {
            assert!(out.len() <= 1232, "UDP answers fit the advertised size");
        }
        hickory_proto::op::Message::from_vec(&out).expect("our reply decodes");
    }
});
