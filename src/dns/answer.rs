//! `answer(query, client)`: the resolver a client sees (part of `dns`, rank 4; the engine's
//! `DnsService` hook and the loopback server call it). Inside a VPC: associated private zones
//! (most specific wins, no fallback), EC2 hostnames and reverse names, then public zones; on the
//! internet: public zones and public EC2 hostnames only. CNAMEs are chased inside our zones;
//! aliases return their target's addresses under the record's own type.

use super::client::Client;
use super::ec2;
use super::health::HealthView;
use super::policy;
use super::rdata::{RType, Soa, Value};
use super::rng::Rng;
use super::zones::{Group, Member, Zone, Zones, SOA_TTL};
use crate::model::route53::AliasTarget;
use serde::Serialize;

/// A question: a name (any case, trailing dot optional) and a type (None = a type vpclab holds
/// no data for, e.g. CAA: NODATA or NXDOMAIN).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The name asked, as received (any case, trailing dot optional).
    pub name: String,
    /// The type asked; None for a type vpclab holds no data for.
    pub qtype: Option<RType>,
}

impl Question {
    /// A question for `name` and a type vpclab serves.
    pub fn new(name: &str, qtype: RType) -> Self {
        Question {
            name: name.to_string(),
            qtype: Some(qtype),
        }
    }
}

/// A DNS response code (RFC 1035 RCODE), serialized under dig's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Rcode {
    /// `NOERROR`: answers, or none for a name that exists without this type (NODATA).
    #[serde(rename = "NOERROR")]
    NoError,
    /// `FORMERR`: the wire server got a query without exactly one question.
    #[serde(rename = "FORMERR")]
    FormErr,
    /// `SERVFAIL`: the CNAME chain was longer than 8 links (a loop stops with NOERROR).
    #[serde(rename = "SERVFAIL")]
    ServFail,
    /// `NXDOMAIN`: the name does not exist (in the zone that holds it, or no zone does).
    #[serde(rename = "NXDOMAIN")]
    NxDomain,
    /// `NOTIMP`: the wire server got an opcode other than QUERY.
    #[serde(rename = "NOTIMP")]
    NotImp,
    /// `REFUSED`: the wire server got a class other than IN.
    #[serde(rename = "REFUSED")]
    Refused,
}

impl Rcode {
    /// dig's name for it (`NOERROR`, `NXDOMAIN`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::FormErr => "FORMERR",
            Rcode::ServFail => "SERVFAIL",
            Rcode::NxDomain => "NXDOMAIN",
            Rcode::NotImp => "NOTIMP",
            Rcode::Refused => "REFUSED",
        }
    }
}

/// A resource record in a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rr {
    /// Owner name (lowercase, no trailing dot): the name asked, or a CNAME's target.
    pub name: String,
    /// TTL in seconds.
    pub ttl: u32,
    /// The record's data, whose variant gives its type.
    pub value: Value,
}

/// A response to one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Response code.
    pub rcode: Rcode,
    /// Answer section: CNAMEs followed, in chain order, then the records of the asked type.
    pub answers: Vec<Rr>,
    /// Authority section (the zone's SOA on negative answers).
    pub authority: Vec<Rr>,
}

/// What one lookup in one zone found.
pub(crate) enum Found {
    /// Records of the asked type (possibly after routing chose among members).
    Answer(Vec<Rr>),
    /// A CNAME record and the name it points to, to follow.
    Cname(Rr, String),
    /// The name exists, not with this type (authority: SOA).
    NoData(Rr),
    /// The name does not exist in the zone (authority: SOA).
    NxDomain(Rr),
}

/// Longest CNAME chain followed (longer gets SERVFAIL), and deepest alias recursion.
const MAX_CHAIN: usize = 8;

/// Answers a question from a client's vantage point. None = no answer at all: the client's VPC
/// has `enableDnsSupport` false, so its resolver does not respond (queries time out, as on AWS).
/// A client in a subnet with DNS64 gets synthesised AAAA answers (`dns::dns64`).
pub fn answer(
    z: &Zones,
    q: &Question,
    client: &Client,
    health: &dyn HealthView,
    rng: &mut Rng,
) -> Option<Response> {
    let r = answer_as_asked(z, q, client, health, rng)?;
    Some(super::dns64::synthesise(z, q, client, health, rng, r))
}

/// [`answer`] without DNS64: the records as the zones hold them.
pub(crate) fn answer_as_asked(
    z: &Zones,
    q: &Question,
    client: &Client,
    health: &dyn HealthView,
    rng: &mut Rng,
) -> Option<Response> {
    if let Some(v) = client.vpc {
        if !z.net.vpc(v).dns_support {
            return None;
        }
    }
    let mut name = q.name.trim().trim_end_matches('.').to_ascii_lowercase();
    let mut resp = Response {
        rcode: Rcode::NoError,
        answers: Vec::new(),
        authority: Vec::new(),
    };
    for _ in 0..MAX_CHAIN {
        let found = match find(z, &name, client) {
            Some(Source::Zone(zone)) => {
                let mut at = InZone {
                    z,
                    zone,
                    client,
                    health,
                    rng: &mut *rng,
                };
                at.lookup(&name, q.qtype)
            }
            Some(Source::Ec2) => ec2::lookup(z, &name, q.qtype, client),
            Some(Source::Aws) => super::aws_names::lookup(z, &name, q.qtype, client),
            Some(Source::Elb(lb)) => super::elb::lookup(&z.net, lb, &name, q.qtype),
            None => {
                if resp.answers.is_empty() {
                    resp.rcode = Rcode::NxDomain;
                }
                return Some(resp);
            }
        };
        match found {
            Found::Answer(rrs) => {
                resp.answers.extend(rrs);
                return Some(resp);
            }
            Found::Cname(rr, target) => {
                let looped = resp.answers.iter().any(|a| a.name == target);
                resp.answers.push(rr);
                if looped {
                    return Some(resp);
                }
                name = target;
            }
            Found::NoData(soa) => {
                resp.authority.push(soa);
                return Some(resp);
            }
            Found::NxDomain(soa) => {
                resp.rcode = Rcode::NxDomain;
                resp.authority.push(soa);
                return Some(resp);
            }
        }
    }
    resp.rcode = Rcode::ServFail;
    Some(resp)
}

/// Where a name is answered from.
enum Source<'a> {
    /// A hosted zone (private or public).
    Zone(&'a Zone),
    /// Amazon-provided EC2 names (`*.internal`, `*.amazonaws.com`, `in-addr.arpa`).
    Ec2,
    /// AWS services' and interface endpoints' names (`dns::aws_names`).
    Aws,
    /// A load balancer's own DNS name.
    Elb(crate::model::LoadBalancerId),
}

fn find<'a>(z: &'a Zones, name: &str, client: &Client) -> Option<Source<'a>> {
    let most_specific = |private: bool| {
        z.zones
            .iter()
            .filter(|zone| zone.private == private && zone.contains(name))
            .filter(|zone| {
                !private
                    || client
                        .vpc
                        .is_some_and(|v| zone.vpcs.contains(&v) && phz_usable(z, v))
            })
            .max_by_key(|zone| zone.name.len())
    };
    if client.vpc.is_some() {
        if let Some(zone) = most_specific(true) {
            return Some(Source::Zone(zone));
        }
    }
    if ec2::is_ec2_name(name) {
        return Some(Source::Ec2);
    }
    if let Some(lb) = super::elb::by_name(&z.net, name) {
        return Some(Source::Elb(lb));
    }
    if super::aws_names::is_aws_name(&z.net, name) {
        return Some(Source::Aws);
    }
    if let Some(zone) = most_specific(false) {
        return Some(Source::Zone(zone));
    }
    ec2::is_reverse_name(name).then_some(Source::Ec2)
}

/// Private hosted zones need both DNS attributes on the VPC.
fn phz_usable(z: &Zones, v: crate::model::VpcId) -> bool {
    let vpc = z.net.vpc(v);
    vpc.dns_support && vpc.dns_hostnames
}

/// The negative-answer SOA of a zone: TTL = min(SOA minimum, SOA TTL).
pub(crate) fn soa_rr(zone: &str, soa: &Soa) -> Rr {
    Rr {
        name: zone.to_string(),
        ttl: soa.minimum.min(SOA_TTL),
        value: Value::Soa(soa.clone()),
    }
}

/// The wildcard owning a name that does not exist (RFC 4592): `*.` + its closest encloser,
/// when that wildcard exists.
fn wildcard_owner(zone: &Zone, name: &str) -> Option<String> {
    let mut cur = name;
    while let Some((_, parent)) = cur.split_once('.') {
        if !zone.contains(parent) {
            return None;
        }
        if zone.names.contains(parent) {
            let w = format!("*.{parent}");
            return zone.names.contains(&w).then_some(w);
        }
        cur = parent;
    }
    None
}

/// One question being answered inside hosted zone `zone`: what the zone's lookups, routing
/// policies and aliases read, and the random source the policies draw from.
struct InZone<'a, 'r> {
    /// All zones and the model (for aliases).
    z: &'a Zones,
    /// The zone that owns the name asked.
    zone: &'a Zone,
    /// Who asks (for routing policies).
    client: &'a Client,
    /// Health-check results.
    health: &'a dyn HealthView,
    /// Draws for weighted and multivalue answers and the shuffle of simple ones.
    rng: &'r mut Rng,
}

impl InZone<'_, '_> {
    /// Answers `name` (which the zone contains) with its records of `qtype`, a CNAME to follow,
    /// or the zone's negative answer.
    fn lookup(&mut self, name: &str, qtype: Option<RType>) -> Found {
        let zone = self.zone;
        let neg = soa_rr(&zone.name, &zone.soa);
        let owner = if zone.names.contains(name) {
            name.to_string()
        } else {
            match wildcard_owner(zone, name) {
                Some(w) => w,
                None => return Found::NxDomain(neg),
            }
        };
        if let Some(t) = qtype {
            if name == zone.name && t == RType::Soa {
                return Found::Answer(vec![Rr {
                    name: name.into(),
                    ttl: SOA_TTL,
                    value: Value::Soa(zone.soa.clone()),
                }]);
            }
            if t != RType::Cname {
                if let Some(g) = zone.groups.get(&(owner.clone(), RType::Cname)) {
                    let rrs = self.expand(g, name, 0);
                    if let Some(rr) = rrs.into_iter().next() {
                        if let Value::Cname(target) = &rr.value {
                            let target = target.clone();
                            return Found::Cname(rr, target);
                        }
                    }
                    return Found::NoData(neg);
                }
            }
            if let Some(g) = zone.groups.get(&(owner.clone(), t)) {
                let rrs = self.expand(g, name, 0);
                if rrs.is_empty() {
                    return Found::NoData(neg);
                }
                return Found::Answer(rrs);
            }
        }
        Found::NoData(neg)
    }

    /// Health of one member: its health check (if any) and, for aliases with
    /// EvaluateTargetHealth, its target's.
    fn member_healthy(&self, rtype: RType, m: &Member, depth: usize) -> bool {
        let (z, zone) = (self.z, self.zone);
        if let Some(h) = m.routing.health {
            if !self.health.healthy(h) {
                return false;
            }
        }
        if m.routing.evaluate_target_health && depth < MAX_CHAIN {
            match &m.alias {
                Some(AliasTarget::Record(t)) => {
                    if let Some(g) = zone.groups.get(&(t.clone(), rtype)) {
                        return g
                            .members
                            .iter()
                            .any(|tm| self.member_healthy(rtype, tm, depth + 1));
                    }
                }
                Some(AliasTarget::Instance(i)) => return z.net.instance(*i).running,
                _ => {}
            }
        }
        true
    }

    /// Selects members of a group by its policy and turns them into records named `owner`.
    fn expand(&mut self, g: &Group, owner: &str, depth: usize) -> Vec<Rr> {
        let healthy: Vec<bool> = g
            .members
            .iter()
            .map(|m| self.member_healthy(g.rtype, m, depth))
            .collect();
        let chosen = policy::select(g, &healthy, self.client, &self.z.latency, self.rng);
        let mut out = Vec::new();
        for i in chosen {
            let m = &g.members[i];
            match &m.alias {
                None => {
                    for v in &m.values {
                        out.push(Rr {
                            name: owner.to_string(),
                            ttl: m.ttl,
                            value: v.clone(),
                        });
                    }
                }
                Some(a) => out.extend(self.alias_records(g.rtype, a, owner, depth)),
            }
        }
        if g.policy == super::zones::Policy::Simple && out.len() > 1 {
            self.rng.shuffle(&mut out);
        }
        out
    }

    /// The records alias `a` answers under `owner`: an instance's or NAT gateway's address (A only),
    /// or the target record set's records renamed to `owner`.
    fn alias_records(
        &mut self,
        rtype: RType,
        a: &AliasTarget,
        owner: &str,
        depth: usize,
    ) -> Vec<Rr> {
        let (z, zone) = (self.z, self.zone);
        const RESOURCE_TTL: u32 = 60;
        if let (RType::Aaaa, AliasTarget::Instance(i)) = (rtype, a) {
            return super::dns64::instance_aaaa(&z.net, *i, owner, RESOURCE_TTL);
        }
        let ip = match a {
            AliasTarget::Instance(i) => {
                let eni = z.net.eni(z.net.instance(*i).eni);
                if zone.private {
                    Some(eni.private_ip)
                } else {
                    eni.public_ip.or(Some(eni.private_ip))
                }
            }
            AliasTarget::Nat(n) => {
                let nat = z.net.nat(*n);
                let private = z.net.eni(nat.eni).private_ip;
                if zone.private {
                    Some(private)
                } else {
                    nat.elastic_ip.or(Some(private))
                }
            }
            AliasTarget::LoadBalancer(l) => {
                return match rtype {
                    RType::A => super::elb::records(&z.net, *l, owner),
                    _ => vec![],
                };
            }
            AliasTarget::Record(t) => {
                if depth >= MAX_CHAIN {
                    return vec![];
                }
                let Some(g) = zone.groups.get(&(t.clone(), rtype)) else {
                    return vec![];
                };
                let mut rrs = self.expand(g, owner, depth + 1);
                for r in &mut rrs {
                    r.name = owner.to_string();
                }
                return rrs;
            }
        };
        match (rtype, ip) {
            (RType::A, Some(ip)) => vec![Rr {
                name: owner.to_string(),
                ttl: RESOURCE_TTL,
                value: Value::A(ip),
            }],
            _ => vec![],
        }
    }
}
