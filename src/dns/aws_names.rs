//! The resolver's answers for Amazon-provided names of AWS services and interface endpoints;
//! which names they are and their addresses live in `model::aws_names`.

use super::answer::{soa_rr, Found, Rr};
use super::client::Client;
use super::rdata::{RType, Soa, Value};
use super::zones::Zones;
pub use crate::model::aws_names::{address_for, addresses, is_aws_name};

/// TTL of these answers (60 s, as Amazon's resolver gives for service names).
const TTL: u32 = 60;

/// Answers a name `is_aws_name` accepted.
pub(crate) fn lookup(z: &Zones, name: &str, qtype: Option<RType>, client: &Client) -> Found {
    let net = &z.net;
    let zone = "amazonaws.com";
    let Some(ips) = addresses(net, name, client.vpc) else {
        return Found::NxDomain(soa(zone));
    };
    if qtype != Some(RType::A) {
        return Found::NoData(soa(zone));
    }
    Found::Answer(
        ips.into_iter()
            .map(|ip| Rr {
                name: name.to_string(),
                ttl: TTL,
                value: Value::A(ip),
            })
            .collect(),
    )
}

/// The negative-answer SOA of `amazonaws.com`.
fn soa(zone: &str) -> Rr {
    soa_rr(
        zone,
        &Soa {
            mname: "ns-0.awsdns-00.com".into(),
            rname: "awsdns-hostmaster.amazon.com".into(),
            serial: 1,
            refresh: 7200,
            retry: 900,
            expire: 1_209_600,
            minimum: 60,
        },
    )
}
