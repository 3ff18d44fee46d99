//! DNS64 as the Route 53 Resolver does it for subnets with `EnableDns64` (part of `dns`):
//! "if there is no IPv6 address associated with the destination in the DNS record, the Route
//! 53 Resolver synthesizes one by prepending the well-known /96 prefix, defined in RFC6052
//! (64:ff9b::/96), to the IPv4 address in the record"
//! (<https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-nat64-dns64.html>). A name
//! with an AAAA record keeps it. AWS documents no excluded IPv4 ranges, and the same page has
//! NAT64 reach IPv4 resources "in the same VPC or a different VPC, in your on-premises network
//! or over the internet", so private addresses are synthesised too (RFC 6052's advice against
//! the well-known prefix for private addresses is not what AWS does). A synthesised record's
//! TTL is the smaller of the A record's and the negative AAAA answer's (RFC 6147 §5.1.7).
//! Also here: an alias to an instance answers AAAA with the instance's IPv6 address.

use super::answer::{answer_as_asked, Question, Rcode, Response, Rr};
use super::client::Client;
use super::health::HealthView;
use super::rdata::{RType, Value};
use super::rng::Rng;
use super::zones::Zones;
use crate::model::{InstanceId, Network};
use crate::topology::ipv6::nat64_synthesise;

/// `r`, the answer to `q`, with DNS64 applied: for a DNS64 client asking AAAA of a name that
/// has none (NOERROR, no AAAA record), the name's A records (after its CNAMEs) as
/// 64:ff9b::/96 AAAA records; otherwise `r` unchanged.
pub fn synthesise(
    z: &Zones,
    q: &Question,
    client: &Client,
    health: &dyn HealthView,
    rng: &mut Rng,
    r: Response,
) -> Response {
    let has_aaaa = r.answers.iter().any(|a| matches!(a.value, Value::Aaaa(_)));
    if !client.dns64 || q.qtype != Some(RType::Aaaa) || r.rcode != Rcode::NoError || has_aaaa {
        return r;
    }
    let ask_a = Question {
        name: q.name.clone(),
        qtype: Some(RType::A),
    };
    let Some(a) = answer_as_asked(z, &ask_a, client, health, rng) else {
        return r;
    };
    if !a.answers.iter().any(|x| matches!(x.value, Value::A(_))) {
        return r;
    }
    let negative_ttl = r.authority.iter().map(|s| s.ttl).min();
    let answers = a
        .answers
        .into_iter()
        .map(|rr| match rr.value {
            Value::A(ip) => Rr {
                ttl: negative_ttl.map_or(rr.ttl, |n| rr.ttl.min(n)),
                value: Value::Aaaa(nat64_synthesise(ip)),
                name: rr.name,
            },
            _ => rr,
        })
        .collect();
    Response {
        rcode: Rcode::NoError,
        answers,
        authority: Vec::new(),
    }
}

/// The AAAA records an alias to instance `i` answers under `owner`: its IPv6 addresses (none
/// for an instance without one).
pub(crate) fn instance_aaaa(net: &Network, i: InstanceId, owner: &str, ttl: u32) -> Vec<Rr> {
    net.eni_ipv6(net.instance(i).eni)
        .iter()
        .take(1)
        .map(|a| Rr {
            name: owner.to_string(),
            ttl,
            value: Value::Aaaa(*a),
        })
        .collect()
}
