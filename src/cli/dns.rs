//! `vpclab dns FILE --from A QUERY [--type T] [--seed N] [--json]`: asks the emulated resolver
//! from A's vantage point (an instance's VPC resolver, or the public resolver for an internet
//! host), without `up`. Health checks, when the topology has any, are first probed through a
//! virtual engine (`backend::virt::route53::Route53Lab`) for `interval × failure_threshold`
//! seconds of virtual time; their state then decides the answer.

use super::{common, CmdResult, DnsArgs, Fail};
use serde::Serialize;
use std::sync::Arc;
use vpclab::backend::virt::route53::Route53Lab;
use vpclab::dns::{self, AllHealthy, Client, Question, RType, Rng, Rr, Zones};

#[derive(Serialize)]
struct JsonRr {
    name: String,
    #[serde(rename = "type")]
    rtype: &'static str,
    ttl: u32,
    value: String,
}

#[derive(Serialize)]
struct JsonAnswer {
    rcode: &'static str,
    answers: Vec<JsonRr>,
    authority: Vec<JsonRr>,
}

fn json_rr(r: &Rr) -> JsonRr {
    JsonRr {
        name: format!("{}.", r.name),
        rtype: r.value.rtype().as_str(),
        ttl: r.ttl,
        value: r.value.to_string(),
    }
}

fn line(r: &Rr) -> String {
    format!(
        "{}.\t{}\tIN\t{}\t{}",
        r.name,
        r.ttl,
        r.value.rtype(),
        r.value
    )
}

/// Runs the command. Exit 0 on any answer (NXDOMAIN included), 1 when the resolver does not
/// answer (the VPC's `dns.support` is false), 2 on bad input.
pub fn run(a: &DnsArgs) -> CmdResult {
    let qtype = RType::parse(&a.qtype).ok_or_else(|| {
        Fail::input(format!(
            "`{}` is not a record type vpclab serves\n  hint: use one of A, AAAA, CNAME, MX, TXT, NS, SOA, SRV, PTR",
            a.qtype
        ))
    })?;
    let net = Arc::new(common::load_network(&a.file)?);
    let ep = net.endpoint_by_name(&a.from).ok_or_else(|| {
        let mut names: Vec<&str> = net.instances.iter().map(|i| i.name.as_str()).collect();
        names.extend(net.internet_hosts.iter().map(|h| h.name.as_str()));
        Fail::input(format!(
            "`{}` is not an instance or internet host of this topology\n  hint: --from takes one of: {}",
            a.from,
            names.join(", ")
        ))
    })?;
    let client = Client::endpoint(&net, ep);
    let zones = Zones::build(net.clone());
    let mut rng = Rng::new(a.seed);
    let q = Question::new(&a.query, qtype);
    let resp = if zones.checks.is_empty() {
        dns::answer(&zones, &q, &client, &AllHealthy, &mut rng)
    } else {
        let mut lab = Route53Lab::new(net.clone(), a.seed);
        lab.advance(lab.settle_time());
        let health = lab.health_table();
        dns::answer(&zones, &q, &client, &*health, &mut rng)
    };
    let Some(resp) = resp else {
        let why = "the VPC resolver does not answer: the VPC has `dns: { support: false }` (enableDnsSupport), so queries time out";
        if a.json {
            common::print_json(
                &serde_json::json!({ "rcode": "TIMEOUT", "answers": [], "authority": [], "error": why }),
            )?;
        } else {
            println!(";; connection timed out; no servers could be reached\n;; {why}");
        }
        return Ok(common::EXIT_NO);
    };
    if a.json {
        common::print_json(&JsonAnswer {
            rcode: resp.rcode.as_str(),
            answers: resp.answers.iter().map(json_rr).collect(),
            authority: resp.authority.iter().map(json_rr).collect(),
        })?;
    } else {
        let view = match client.vpc {
            Some(v) => format!(
                "the resolver of {} ({})",
                net.vpc(v).aws_id,
                net.vpc(v).resolver_ip()
            ),
            None => "the public resolver (internet view)".to_string(),
        };
        println!(";; from {} via {view}", a.from);
        println!(
            ";; ->>HEADER<<- opcode: QUERY, status: {}",
            resp.rcode.as_str()
        );
        println!(
            "\n;; QUESTION SECTION:\n;{}.\t\tIN\t{}",
            a.query.trim_end_matches('.'),
            qtype
        );
        if !resp.answers.is_empty() {
            println!("\n;; ANSWER SECTION:");
            for r in &resp.answers {
                println!("{}", line(r));
            }
        }
        if !resp.authority.is_empty() {
            println!("\n;; AUTHORITY SECTION:");
            for r in &resp.authority {
                println!("{}", line(r));
            }
        }
    }
    Ok(common::EXIT_OK)
}
