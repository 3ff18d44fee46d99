//! Routing policies through `dns::answer`, edge cases included (aws-vpc-semantics §7.3-7.4).

use crate::common::dns::*;
use std::net::Ipv4Addr;
use vpclab::dns::zones::CheckDef;
use vpclab::dns::{HealthMonitor, HealthProber, RType, Rcode, Response, Rng, Zones};

/// The A answer for `name` asked from the internet host `de`, with one health flag per check (in
/// the order of the topology's checks).
fn a_from_de(z: &Zones, name: &str, health: Vec<bool>, rng: &mut Rng) -> Response {
    ask_with(z, "de", name, RType::A, &health, rng).expect("an answer")
}

const CHECKS: &str = r#"  health_checks:
    blue: { target: 203.0.113.11, protocol: http, port: 80, interval: 10, failure_threshold: 3 }
    green: { target: 203.0.113.12, protocol: tcp, port: 443, interval: 30, failure_threshold: 2 }"#;

fn share(
    z: &vpclab::dns::Zones,
    name: &str,
    h: &dyn vpclab::dns::HealthView,
    n: usize,
) -> std::collections::BTreeMap<String, usize> {
    let mut rng = Rng::new(42);
    let mut m = std::collections::BTreeMap::new();
    for _ in 0..n {
        let r = ask_with(z, "de", name, RType::A, h, &mut rng).unwrap();
        assert_eq!(r.answers.len(), 1, "weighted answers with one record");
        *m.entry(values(&r)[0].clone()).or_insert(0) += 1;
    }
    m
}

fn weighted(w1: u32, w2: u32, hc: bool) -> vpclab::dns::Zones {
    let hc1 = if hc { ", health_check: blue" } else { "" };
    let hc2 = if hc { ", health_check: green" } else { "" };
    zones(&base(&format!(
        r#"  zones:
    - name: example.com
      records:
        - {{ name: api, type: A, routing: weighted, set: a, weight: {w1}, values: [203.0.113.11]{hc1} }}
        - {{ name: api, type: A, routing: weighted, set: b, weight: {w2}, values: [203.0.113.12]{hc2} }}
{CHECKS}"#
    )))
}

#[test]
fn weighted_90_10_over_2000_queries_within_3_percent() {
    let z = weighted(90, 10, false);
    let m = share(&z, "api.example.com", &vpclab::dns::AllHealthy, 2000);
    let a = m.get("203.0.113.11").copied().unwrap_or(0) as f64 / 2000.0;
    assert!(
        (a - 0.9).abs() <= 0.03,
        "share of the 90-weight record: {a}"
    );
}

#[test]
fn weight_zero_is_never_chosen() {
    let z = weighted(1, 0, false);
    let m = share(&z, "api.example.com", &vpclab::dns::AllHealthy, 500);
    assert_eq!(m.get("203.0.113.12"), None, "{m:?}");
}

#[test]
fn all_zero_weights_are_equally_likely() {
    let z = weighted(0, 0, false);
    let m = share(&z, "api.example.com", &vpclab::dns::AllHealthy, 2000);
    let a = m.get("203.0.113.11").copied().unwrap_or(0) as f64 / 2000.0;
    assert!((a - 0.5).abs() <= 0.05, "{m:?}");
}

#[test]
fn zero_weight_used_only_when_every_nonzero_record_is_unhealthy() {
    let z = weighted(10, 0, true);
    // Both healthy: the zero-weight record is never chosen.
    let m = share(&z, "api.example.com", &vec![true, true], 300);
    assert_eq!(m.len(), 1, "{m:?}");
    // The non-zero one unhealthy: the zero-weight record answers.
    let m = share(&z, "api.example.com", &vec![false, true], 300);
    assert_eq!(m.keys().collect::<Vec<_>>(), ["203.0.113.12"]);
}

#[test]
fn all_unhealthy_weighted_records_are_treated_as_healthy() {
    let z = weighted(90, 10, true);
    let m = share(&z, "api.example.com", &vec![false, false], 2000);
    let a = m.get("203.0.113.11").copied().unwrap_or(0) as f64 / 2000.0;
    assert!((a - 0.9).abs() <= 0.03, "{m:?}");
    // One unhealthy: only the other.
    let m = share(&z, "api.example.com", &vec![false, true], 200);
    assert_eq!(m.keys().collect::<Vec<_>>(), ["203.0.113.12"]);
}

fn failover(secondary_check: bool) -> vpclab::dns::Zones {
    let hc2 = if secondary_check {
        ", health_check: green"
    } else {
        ""
    };
    zones(&base(&format!(
        r#"  zones:
    - name: example.com
      records:
        - {{ name: svc, type: A, routing: failover, role: primary, values: [203.0.113.11], health_check: blue }}
        - {{ name: svc, type: A, routing: failover, role: secondary, values: [203.0.113.12]{hc2} }}
{CHECKS}"#
    )))
}

/// A fake prober: the service at each address is up or down.
struct Fake(std::collections::HashMap<Ipv4Addr, bool>);
impl HealthProber for Fake {
    fn check(&mut self, c: &CheckDef) -> bool {
        self.0.get(&c.target).copied().unwrap_or(true)
    }
}

const S: u64 = 1_000_000_000;

#[test]
fn failover_switches_after_threshold_times_interval_and_back() {
    let z = failover(false);
    let mut mon = HealthMonitor::new(z.checks.clone(), 0);
    let table = mon.table();
    let ip = |h: &vpclab::dns::HealthTable| {
        values(&ask_with(&z, "de", "svc.example.com", RType::A, h, &mut Rng::new(0)).unwrap())
    };
    let mut p = Fake([(Ipv4Addr::new(203, 0, 113, 11), true)].into());
    mon.poll(0, &mut p);
    assert_eq!(ip(&table), ["203.0.113.11"]);
    // The primary's service stops at t=10 s; blue checks every 10 s with threshold 3.
    p.0.insert(Ipv4Addr::new(203, 0, 113, 11), false);
    mon.poll(10 * S, &mut p);
    mon.poll(20 * S, &mut p);
    assert_eq!(ip(&table), ["203.0.113.11"], "2 failures < threshold 3");
    mon.poll(30 * S, &mut p);
    assert_eq!(
        ip(&table),
        ["203.0.113.12"],
        "after 3 × 10 s the secondary answers"
    );
    let st = mon.status();
    assert!(!st.iter().find(|c| c.name == "blue").unwrap().healthy);
    // Recovery: 3 consecutive successes.
    p.0.insert(Ipv4Addr::new(203, 0, 113, 11), true);
    mon.poll(40 * S, &mut p);
    mon.poll(50 * S, &mut p);
    assert_eq!(ip(&table), ["203.0.113.12"]);
    mon.poll(60 * S, &mut p);
    assert_eq!(ip(&table), ["203.0.113.11"]);
}

#[test]
fn failover_both_unhealthy_answers_primary() {
    let z = failover(true);
    let r = a_from_de(&z, "svc.example.com", vec![false, false], &mut Rng::new(0));
    assert_eq!(values(&r), ["203.0.113.11"]);
    let r = a_from_de(&z, "svc.example.com", vec![false, true], &mut Rng::new(0));
    assert_eq!(values(&r), ["203.0.113.12"]);
}

#[test]
fn failover_secondary_without_check_is_always_healthy() {
    let z = failover(false);
    // green (index 1) is down but the secondary has no check: it answers.
    let r = a_from_de(&z, "svc.example.com", vec![false, false], &mut Rng::new(0));
    assert_eq!(values(&r), ["203.0.113.12"]);
}

const GEO: &str = r#"  zones:
    - name: example.com
      records:
        - { name: geo, type: A, routing: geolocation, location: { continent: EU }, values: [203.0.113.21] }
        - { name: geo, type: A, routing: geolocation, location: { country: JP }, values: [203.0.113.23] }
        - { name: geo, type: A, routing: geolocation, location: { country: US }, values: [203.0.113.25] }
        - { name: geo, type: A, routing: geolocation, location: { country: US, subdivision: CA }, values: [203.0.113.24] }
        - { name: geo, type: A, routing: geolocation, location: default, values: [203.0.113.22] }
        - { name: nodef, type: A, routing: geolocation, location: { continent: EU }, values: [203.0.113.21] }"#;

#[test]
fn geolocation_differs_for_de_us_jp_and_falls_back_to_default() {
    let z = zones(&base(GEO));
    let a = |from| values(&ask(&z, from, "geo.example.com", RType::A).unwrap());
    assert_eq!(a("de"), ["203.0.113.21"], "continent EU");
    assert_eq!(a("us"), ["203.0.113.24"], "subdivision beats country");
    assert_eq!(a("jp"), ["203.0.113.23"], "country");
    assert_eq!(a("br"), ["203.0.113.22"], "default");
    // Instances are located at their VPC's region: us-east-1 = US/VA → country US.
    assert_eq!(a("web"), ["203.0.113.25"]);
}

#[test]
fn geolocation_without_match_or_default_is_nodata() {
    let z = zones(&base(GEO));
    let r = ask(&z, "jp", "nodef.example.com", RType::A).unwrap();
    assert_eq!(r.rcode, Rcode::NoError);
    assert!(r.answers.is_empty());
    assert_eq!(r.authority.len(), 1, "NODATA carries the SOA");
    let r = ask(&z, "de", "nodef.example.com", RType::A).unwrap();
    assert_eq!(values(&r), ["203.0.113.21"]);
}

const LATENCY: &str = r#"  zones:
    - name: example.com
      records:
        - { name: near, type: A, routing: latency, region: eu-west-1, values: [203.0.113.31] }
        - { name: near, type: A, routing: latency, region: us-east-1, values: [203.0.113.32] }
        - { name: near, type: A, routing: latency, region: ap-northeast-1, values: [203.0.113.33] }"#;

#[test]
fn latency_by_region() {
    let z = zones(&base(LATENCY));
    let a = |from| values(&ask(&z, from, "near.example.com", RType::A).unwrap());
    assert_eq!(a("de"), ["203.0.113.31"]);
    assert_eq!(a("us"), ["203.0.113.32"]);
    assert_eq!(a("jp"), ["203.0.113.33"]);
    assert_eq!(a("web"), ["203.0.113.32"], "us-east-1 VPC");
    assert_eq!(a("far"), ["203.0.113.31"], "eu-west-1 VPC");
}

#[test]
fn latency_table_is_overridable() {
    let dns = format!("{LATENCY}\n  latency:\n    ap-northeast-1: {{ eu-central-1: 1 }}");
    let z = zones(&base(&dns));
    assert_eq!(
        values(&ask(&z, "de", "near.example.com", RType::A).unwrap()),
        ["203.0.113.33"]
    );
}

fn prox(bias_eu: i64, bias_us: i64) -> vpclab::dns::Zones {
    zones(&base(&format!(
        r#"  zones:
    - name: example.com
      records:
        - {{ name: prox, type: A, routing: geoproximity, region: us-east-1, bias: {bias_us}, values: [203.0.113.61] }}
        - {{ name: prox, type: A, routing: geoproximity, region: eu-central-1, bias: {bias_eu}, values: [203.0.113.62] }}
        - {{ name: prox, type: A, routing: geoproximity, coordinates: {{ lat: 35.7, lon: 139.7 }}, values: [203.0.113.63] }}"#
    )))
}

#[test]
fn geoproximity_nearest_then_bias_moves_the_boundary() {
    let z = prox(0, 0);
    let a =
        |z: &vpclab::dns::Zones, from| values(&ask(z, from, "prox.example.com", RType::A).unwrap());
    assert_eq!(a(&z, "de"), ["203.0.113.62"]);
    assert_eq!(a(&z, "jp"), ["203.0.113.63"]);
    assert_eq!(
        a(&z, "br"),
        ["203.0.113.61"],
        "Brazil is nearer to Virginia than to Frankfurt"
    );
    // +99 on Frankfurt divides its distance by 100: Brazil now goes there.
    let z = prox(99, 0);
    assert_eq!(a(&z, "br"), ["203.0.113.62"]);
    // -99 on Frankfurt multiplies its distance by 100: Germany goes to Virginia.
    let z = prox(-99, 0);
    assert_eq!(a(&z, "de"), ["203.0.113.61"]);
}

#[test]
fn multivalue_returns_at_most_8_healthy_records() {
    let mut recs = String::from("  zones:\n    - name: example.com\n      records:\n");
    for i in 0..10 {
        let hc = if i < 2 { ", health_check: blue" } else { "" };
        recs.push_str(&format!(
            "        - {{ name: many, type: A, routing: multivalue, set: s{i}, values: [203.0.113.{}]{hc} }}\n",
            40 + i
        ));
    }
    let z = zones(&base(&format!("{recs}{CHECKS}")));
    let mut rng = Rng::new(3);
    let r = a_from_de(&z, "many.example.com", vec![true, true], &mut rng);
    let mut v = values(&r);
    assert_eq!(v.len(), 8);
    v.sort();
    v.dedup();
    assert_eq!(v.len(), 8, "distinct records");
    // blue down: the two records it guards are never returned.
    for _ in 0..50 {
        let r = a_from_de(&z, "many.example.com", vec![false, true], &mut rng);
        assert_eq!(r.answers.len(), 8);
        assert!(!values(&r)
            .iter()
            .any(|x| x == "203.0.113.40" || x == "203.0.113.41"));
    }
}

#[test]
fn multivalue_all_unhealthy_returns_up_to_8_unhealthy() {
    let z = zones(&base(&format!(
        r#"  zones:
    - name: example.com
      records:
        - {{ name: m, type: A, routing: multivalue, set: a, values: [203.0.113.1], health_check: blue }}
        - {{ name: m, type: A, routing: multivalue, set: b, values: [203.0.113.2], health_check: blue }}
{CHECKS}"#
    )));
    let r = a_from_de(&z, "m.example.com", vec![false, false], &mut Rng::new(0));
    assert_eq!(r.answers.len(), 2);
}

#[test]
fn simple_returns_every_value() {
    let z = zones(&base("  zones:\n    - name: example.com\n      records:\n        - { name: www, type: A, values: [203.0.113.1, 203.0.113.2, 203.0.113.3] }"));
    let mut v = values(&ask(&z, "de", "www.example.com", RType::A).unwrap());
    v.sort();
    assert_eq!(v, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]);
}
