//! DNS messages on the wire (hickory-proto): one query in, one response out. Responses to
//! responses and runts are dropped; undecodable queries get FORMERR, other opcodes NOTIMP,
//! other classes REFUSED. A too-large UDP answer is truncated (TC set).

use super::answer::{answer, Question, Rcode, Response};
use super::client::Client;
use super::health::HealthView;
use super::rdata::RType;
use super::rng::Rng;
use super::zones::Zones;
use hickory_proto::op::{Edns, Message, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, Record};

/// Largest UDP payload we answer with when the client advertises EDNS.
pub const EDNS_PAYLOAD: u16 = 1232;

/// The transport a query came over (decides truncation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// UDP: 512 bytes, or the client's EDNS size up to 1232.
    Udp,
    /// TCP: up to 65535 bytes (the 2-byte length prefix's limit); never truncated.
    Tcp,
}

/// Answers one DNS message; None drops it. Never panics, whatever the bytes.
pub fn handle(
    z: &Zones,
    health: &dyn HealthView,
    query: &[u8],
    client: &Client,
    rng: &mut Rng,
    t: Transport,
) -> Option<Vec<u8>> {
    if query.len() < 12 || query[2] & 0x80 != 0 {
        return None;
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handle_inner(z, health, query, client, rng, t)
    }))
    .unwrap_or_else(|_| Some(error_header(query, 2)))
}

fn error_header(query: &[u8], rcode: u8) -> Vec<u8> {
    let mut h = vec![0u8; 12];
    h[0] = query[0];
    h[1] = query[1];
    h[2] = 0x80 | (query[2] & 0x79); // QR, opcode and RD kept
    h[3] = 0x80 | rcode; // RA
    h
}

fn handle_inner(
    z: &Zones,
    health: &dyn HealthView,
    bytes: &[u8],
    client: &Client,
    rng: &mut Rng,
    t: Transport,
) -> Option<Vec<u8>> {
    let Ok(req) = Message::from_vec(bytes) else {
        return Some(error_header(bytes, 1));
    };
    let md = req.metadata;
    let mut resp = Message::response(md.id, md.op_code);
    resp.metadata.recursion_desired = md.recursion_desired;
    resp.metadata.recursion_available = true;
    resp.metadata.checking_disabled = md.checking_disabled;
    let limit = match (t, &req.edns) {
        (Transport::Tcp, _) => 65535,
        (Transport::Udp, Some(e)) => e.max_payload().clamp(512, EDNS_PAYLOAD) as usize,
        (Transport::Udp, None) => 512,
    };
    if req.edns.is_some() {
        let mut e = Edns::new();
        e.set_max_payload(EDNS_PAYLOAD);
        resp.set_edns(e);
    }
    if md.op_code != OpCode::Query {
        resp.metadata.response_code = ResponseCode::NotImp;
        return resp.to_vec().ok();
    }
    if req.queries.len() != 1 {
        resp.metadata.response_code = ResponseCode::FormErr;
        return resp.to_vec().ok();
    }
    let q: &Query = &req.queries[0];
    resp.add_query(q.clone());
    if q.query_class != DNSClass::IN {
        resp.metadata.response_code = ResponseCode::Refused;
        return resp.to_vec().ok();
    }
    let question = Question {
        name: q.name.to_ascii(),
        qtype: RType::from_wire(q.query_type),
    };
    let r = answer(z, &question, client, health, rng)?;
    fill(&mut resp, &r);
    let out = resp.to_vec().ok()?;
    if out.len() <= limit {
        return Some(out);
    }
    resp.truncate().to_vec().ok()
}

/// Sets a hickory message's response code and appends the response's answer and authority
/// records (a record hickory cannot encode is skipped); other fields are left as they are.
pub fn fill(m: &mut Message, r: &Response) {
    m.metadata.response_code = match r.rcode {
        Rcode::NoError => ResponseCode::NoError,
        Rcode::FormErr => ResponseCode::FormErr,
        Rcode::ServFail => ResponseCode::ServFail,
        Rcode::NxDomain => ResponseCode::NXDomain,
        Rcode::NotImp => ResponseCode::NotImp,
        Rcode::Refused => ResponseCode::Refused,
    };
    let conv = |rr: &super::answer::Rr| -> Option<Record> {
        let mut name = Name::from_ascii(&rr.name).ok()?;
        name.set_fqdn(true);
        Some(Record::from_rdata(name, rr.ttl, rr.value.to_rdata()?))
    };
    for a in &r.answers {
        if let Some(rec) = conv(a) {
            m.add_answer(rec);
        }
    }
    for a in &r.authority {
        if let Some(rec) = conv(a) {
            m.add_authority(rec);
        }
    }
}

/// Builds a query message (for tests, the CLI and benchmarks).
pub fn query_bytes(id: u16, name: &str, qtype: hickory_proto::rr::RecordType) -> Option<Vec<u8>> {
    let mut m = Message::new(id, hickory_proto::op::MessageType::Query, OpCode::Query);
    m.metadata.recursion_desired = true;
    let mut n = Name::from_ascii(name).ok()?;
    n.set_fqdn(true);
    m.add_query(Query::query(n, qtype));
    m.to_vec().ok()
}
