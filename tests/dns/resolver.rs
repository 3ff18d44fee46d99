//! The resolver views: private zones, split horizon, no fallback, `dns.support: false`, EC2
//! hostnames and PTR, CNAME chasing, aliases, SOA/NS, NXDOMAIN vs NODATA, and validation.

use crate::common::dns::*;
use vpclab::dns::{RType, Rcode, Value};

const SPLIT: &str = r#"  zones:
    - name: example.com
      records:
        - { name: "@", type: A, alias: www }
        - { name: www, type: A, ttl: 60, values: [203.0.113.10] }
        - { name: pub-only, type: A, values: [203.0.113.99] }
        - { name: docs, type: CNAME, values: [www.example.com] }
        - { name: ext, type: CNAME, values: [www.elsewhere.org] }
        - { name: web, type: A, alias: instance:web }
        - { name: egress, type: A, alias: nat:nat-a }
        - { name: mx-host, type: MX, values: ["10 mail.example.com", "20 backup.example.com"] }
        - { name: a.b.deep, type: TXT, values: ["hello"] }
    - name: example.com
      private: true
      vpcs: [main]
      records:
        - { name: www, type: A, values: [10.0.0.10] }
        - { name: web, type: A, alias: instance:web }
        - { name: app, type: CNAME, values: [www.example.com] }
    - name: corp.internal
      private: true
      vpcs: [main, other]
      records:
        - { name: db, type: A, values: [10.0.0.50] }
    - name: eu.corp.internal
      private: true
      vpcs: [main]
      records:
        - { name: db, type: A, values: [10.0.0.51] }"#;

#[test]
fn private_zone_shadows_public_inside_its_vpc_only() {
    let z = zones(&base(SPLIT));
    assert_eq!(
        values(&ask(&z, "web", "www.example.com", RType::A).unwrap()),
        ["10.0.0.10"]
    );
    assert_eq!(
        values(&ask(&z, "de", "www.example.com", RType::A).unwrap()),
        ["203.0.113.10"]
    );
    assert_eq!(
        values(&ask(&z, "far", "www.example.com", RType::A).unwrap()),
        ["203.0.113.10"],
        "VPC not associated"
    );
}

#[test]
fn name_missing_from_matching_private_zone_is_nxdomain_without_fallback() {
    let z = zones(&base(SPLIT));
    let r = ask(&z, "web", "pub-only.example.com", RType::A).unwrap();
    assert_eq!(r.rcode, Rcode::NxDomain);
    assert!(r.answers.is_empty());
    assert!(
        matches!(r.authority[0].value, Value::Soa(_)),
        "negative answers carry the SOA"
    );
    assert_eq!(
        values(&ask(&z, "de", "pub-only.example.com", RType::A).unwrap()),
        ["203.0.113.99"]
    );
}

#[test]
fn most_specific_private_zone_wins() {
    let z = zones(&base(SPLIT));
    assert_eq!(
        values(&ask(&z, "web", "db.eu.corp.internal", RType::A).unwrap()),
        ["10.0.0.51"]
    );
    assert_eq!(
        values(&ask(&z, "web", "db.corp.internal", RType::A).unwrap()),
        ["10.0.0.50"]
    );
    assert_eq!(
        ask(&z, "far", "db.eu.corp.internal", RType::A)
            .unwrap()
            .rcode,
        Rcode::NxDomain
    );
    assert_eq!(
        ask(&z, "de", "db.corp.internal", RType::A).unwrap().rcode,
        Rcode::NxDomain,
        "internet never sees a PHZ"
    );
}

#[test]
fn private_zone_ignored_when_vpc_lacks_hostnames() {
    let yaml = base(SPLIT).replace("vpcs: [main, other]", "vpcs: [main, other, nohost]");
    let z = zones(&yaml);
    assert_eq!(
        ask(&z, "plain", "db.corp.internal", RType::A)
            .unwrap()
            .rcode,
        Rcode::NxDomain
    );
}

#[test]
fn dns_support_false_means_no_answer() {
    let z = zones(&base(SPLIT));
    assert!(ask(&z, "mute", "www.example.com", RType::A).is_none());
}

#[test]
fn cname_is_chased_inside_our_zones_and_answers_any_type() {
    let z = zones(&base(SPLIT));
    let r = ask(&z, "de", "docs.example.com", RType::A).unwrap();
    assert_eq!(values(&r), ["www.example.com.", "203.0.113.10"]);
    assert_eq!(r.answers[1].ttl, 60);
    // Inside the VPC the target resolves in the private zone.
    let r = ask(&z, "web", "app.example.com", RType::A).unwrap();
    assert_eq!(values(&r), ["www.example.com.", "10.0.0.10"]);
    // A chain leaving our zones ends with the CNAME.
    let r = ask(&z, "de", "ext.example.com", RType::A).unwrap();
    assert_eq!(
        (r.rcode, values(&r)),
        (Rcode::NoError, vec!["www.elsewhere.org.".to_string()])
    );
    let r = ask(&z, "de", "docs.example.com", RType::Txt).unwrap();
    assert_eq!(r.answers[0].value.rtype(), RType::Cname);
}

#[test]
fn aliases_answer_with_the_records_own_type() {
    let z = zones(&base(SPLIT));
    let apex = ask(&z, "de", "example.com", RType::A).unwrap();
    assert_eq!(values(&apex), ["203.0.113.10"]);
    assert_eq!(apex.answers[0].name, "example.com");
    assert_eq!(
        apex.answers[0].ttl, 60,
        "a same-zone alias uses the target's TTL"
    );
    let pub_ip = z
        .net
        .eni(z.net.instance(z.net.instance_by_name("web").unwrap()).eni)
        .public_ip
        .unwrap();
    assert_eq!(
        values(&ask(&z, "de", "web.example.com", RType::A).unwrap()),
        [pub_ip.to_string()]
    );
    assert_eq!(
        values(&ask(&z, "web", "web.example.com", RType::A).unwrap()),
        ["10.0.0.10"],
        "private zone: private IP"
    );
    let eip = z.net.nat_gateways[0].elastic_ip.unwrap();
    assert_eq!(
        values(&ask(&z, "de", "egress.example.com", RType::A).unwrap()),
        [eip.to_string()]
    );
    // An alias A record answers A only.
    let r = ask(&z, "de", "web.example.com", RType::Aaaa).unwrap();
    assert_eq!((r.rcode, r.answers.len()), (Rcode::NoError, 0));
}

#[test]
fn soa_and_ns_at_the_apex_nodata_and_nxdomain() {
    let z = zones(&base(SPLIT));
    let soa = ask(&z, "de", "example.com", RType::Soa).unwrap();
    assert_eq!(soa.answers.len(), 1);
    assert_eq!(soa.answers[0].ttl, 900);
    match &soa.answers[0].value {
        Value::Soa(s) => assert_eq!(
            (s.refresh, s.retry, s.expire, s.minimum),
            (7200, 900, 1_209_600, 86_400)
        ),
        v => panic!("{v:?}"),
    }
    let ns = ask(&z, "de", "example.com", RType::Ns).unwrap();
    assert_eq!(ns.answers.len(), 4);
    assert!(values(&ns).iter().all(|n| n.contains("awsdns")));
    let nodata = ask(&z, "de", "www.example.com", RType::Mx).unwrap();
    assert_eq!(
        (nodata.rcode, nodata.answers.len(), nodata.authority.len()),
        (Rcode::NoError, 0, 1)
    );
    assert_eq!(
        nodata.authority[0].ttl, 900,
        "negative TTL = min(SOA minimum, SOA TTL)"
    );
    // An empty non-terminal exists: NODATA, not NXDOMAIN.
    assert_eq!(
        ask(&z, "de", "b.deep.example.com", RType::A).unwrap().rcode,
        Rcode::NoError
    );
    assert_eq!(
        ask(&z, "de", "nope.example.com", RType::A).unwrap().rcode,
        Rcode::NxDomain
    );
    assert_eq!(
        ask(&z, "de", "WWW.Example.COM.", RType::A)
            .unwrap()
            .answers
            .len(),
        1,
        "case-insensitive"
    );
    assert_eq!(
        values(&ask(&z, "de", "mx-host.example.com", RType::Mx).unwrap()).len(),
        2
    );
    assert_eq!(
        ask(&z, "de", "nowhere.test", RType::A).unwrap().rcode,
        Rcode::NxDomain
    );
}

#[test]
fn ec2_private_hostnames_and_ptr_inside_the_vpc() {
    let z = zones(&base(SPLIT));
    let r = ask(&z, "web", "ip-10-0-0-10.ec2.internal", RType::A).unwrap();
    assert_eq!(values(&r), ["10.0.0.10"]);
    let r = ask(&z, "web", "10.0.0.10.in-addr.arpa", RType::Ptr).unwrap();
    assert_eq!(values(&r), ["ip-10-0-0-10.ec2.internal."]);
    let r = ask(
        &z,
        "far",
        "ip-10-1-0-10.eu-west-1.compute.internal",
        RType::A,
    )
    .unwrap();
    assert_eq!(values(&r), ["10.1.0.10"]);
    let r = ask(&z, "far", "10.1.0.10.in-addr.arpa", RType::Ptr).unwrap();
    assert_eq!(
        values(&ask(&z, "far", "10.0.1.10.in-addr.arpa", RType::Ptr).unwrap()),
        ["ip-10-1-0-10.eu-west-1.compute.internal."]
    );
    assert_eq!(
        r.rcode,
        Rcode::NxDomain,
        "another region's VPC address without a peering"
    );
    // Not from the internet, and not without dns hostnames.
    assert_eq!(
        ask(&z, "de", "ip-10-0-0-10.ec2.internal", RType::A)
            .unwrap()
            .rcode,
        Rcode::NxDomain
    );
    assert_eq!(
        ask(&z, "plain", "ip-10-3-0-10.ec2.internal", RType::A)
            .unwrap()
            .rcode,
        Rcode::NxDomain
    );
    // Wrong region suffix.
    assert_eq!(
        ask(
            &z,
            "web",
            "ip-10-0-0-10.eu-west-1.compute.internal",
            RType::A
        )
        .unwrap()
        .rcode,
        Rcode::NxDomain
    );
}

#[test]
fn ec2_public_hostname_is_private_inside_and_public_outside() {
    let z = zones(&base(SPLIT));
    let web = z.net.instance_by_name("web").unwrap();
    let pub_ip = z.net.eni(z.net.instance(web).eni).public_ip.unwrap();
    let host = vpclab::dns::ec2::public_hostname(pub_ip, "us-east-1");
    assert!(host.ends_with(".compute-1.amazonaws.com"), "{host}");
    assert_eq!(
        values(&ask(&z, "web", &host, RType::A).unwrap()),
        ["10.0.0.10"]
    );
    assert_eq!(
        values(&ask(&z, "de", &host, RType::A).unwrap()),
        [pub_ip.to_string()]
    );
    assert_eq!(
        values(&ask(&z, "far", &host, RType::A).unwrap()),
        [pub_ip.to_string()],
        "other VPC, no peering"
    );
    let rev = {
        let o = pub_ip.octets();
        format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
    };
    assert_eq!(
        values(&ask(&z, "de", &rev, RType::Ptr).unwrap()),
        [format!("{host}.")]
    );
}

#[test]
fn peering_with_dns_resolution_gives_the_private_ip() {
    let yaml = base(SPLIT).replace(
        "internet:\n",
        "peerings:\n  mo: { requester: main, accepter: other, dns_resolution: true }\ninternet:\n",
    );
    let z = zones(&yaml);
    let web = z.net.instance_by_name("web").unwrap();
    let pub_ip = z.net.eni(z.net.instance(web).eni).public_ip.unwrap();
    let host = vpclab::dns::ec2::public_hostname(pub_ip, "us-east-1");
    assert_eq!(
        values(&ask(&z, "far", &host, RType::A).unwrap()),
        ["10.0.0.10"]
    );
    // The private zone still does not cross the peering.
    assert_eq!(
        values(&ask(&z, "far", "www.example.com", RType::A).unwrap()),
        ["203.0.113.10"]
    );
}

#[test]
fn example_topology_validates_and_uses_every_policy() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/topologies/dns.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let r = report(&text);
    assert!(!r.has_errors(), "{r}");
    for p in [
        "weighted",
        "latency",
        "failover",
        "geolocation",
        "geoproximity",
        "multivalue",
    ] {
        assert!(text.contains(&format!("routing: {p}")), "{p}");
    }
    let z = zones(&text);
    assert_eq!(
        values(&ask(&z, "web", "db.example.com", RType::A).unwrap()),
        ["10.0.1.50"]
    );
}

fn errors(dns: &str) -> String {
    let r = report(&base(dns));
    assert!(r.has_errors(), "expected errors for:\n{dns}");
    r.to_string()
}

#[test]
fn validation_errors_name_line_and_column() {
    let e = errors("  zones:\n    - name: example.com\n      records:\n        - { name: \"@\", type: CNAME, values: [a.example.com] }");
    assert!(
        e.contains("t.yaml:") && e.contains("apex") && e.contains("hint:"),
        "{e}"
    );
    let e = errors("  zones:\n    - name: example.com\n      records:\n        - { name: w, type: CNAME, values: [a.example.com] }\n        - { name: w, type: TXT, values: [x] }");
    assert!(e.contains("CNAME and also a TXT"), "{e}");
    let e = errors("  zones:\n    - name: example.com\n      records:\n        - { name: w, type: A, routing: weighted, set: a, weight: 1, values: [1.2.3.4] }\n        - { name: w, type: A, routing: latency, region: us-east-1, values: [1.2.3.4] }");
    assert!(e.contains("mixes routing policies"), "{e}");
    let e = errors("  zones:\n    - name: example.com\n      records:\n        - { name: w, type: A, routing: weighted, set: a, weight: 1, values: [1.2.3.4] }\n        - { name: w, type: A, routing: weighted, set: a, weight: 2, values: [1.2.3.5] }");
    assert!(e.contains("set `a` again"), "{e}");
    let e = errors("  zones:\n    - name: example.com\n      records:\n        - { name: w, type: A, routing: weighted, set: a, weight: 256, values: [1.2.3.4], health_check: nope }");
    assert!(
        e.contains("weight 256") && e.contains("health check `nope` does not exist"),
        "{e}"
    );
    let e = errors("  zones:\n    - name: example.com\n      records:\n        - { name: w, type: MX, values: [mail.example.com] }\n        - { name: s, type: SRV, values: [\"1 2 x\"] }\n        - { name: a, type: A, values: [\"::1\"] }");
    assert_eq!(e.matches("error:").count(), 3, "{e}");
    let e = errors("  zones:\n    - name: example.com\n      records:\n        - { name: a, type: TXT, alias: instance:web }\n        - { name: b, type: A, alias: instance:ghost }\n        - { name: c, type: A, alias: missing }");
    assert_eq!(e.matches("error:").count(), 3, "{e}");
    let e = errors("  zones:\n    - name: p.internal\n      private: true\n      vpcs: [ghost]");
    assert!(e.contains("VPC `ghost` does not exist"), "{e}");
    let e = errors("  health_checks:\n    h: { target: 203.0.113.1, protocol: udp, interval: 15, failure_threshold: 0 }");
    assert_eq!(e.matches("error:").count(), 3, "{e}");
    let e = errors("  zones:\n    - name: example.com\n      records:\n        - { name: f, type: A, routing: failover, role: primary, values: [1.1.1.1] }\n        - { name: f, type: A, routing: failover, role: primary, values: [1.1.1.2] }");
    assert!(e.contains("second primary"), "{e}");
    let e = errors("  zones:\n    - name: example.com\n      records:\n        - { name: g, type: A, routing: geoproximity, region: us-east-1, bias: 100, values: [1.1.1.1] }");
    assert!(e.contains("bias 100"), "{e}");
    let e = errors("  zones:\n    - name: example.com\n      records:\n        - { name: m, type: A, routing: multivalue, values: [1.1.1.1] }");
    assert!(e.contains("needs a `set`"), "{e}");
}

#[test]
fn private_zone_on_vpc_without_hostnames_warns() {
    let r = report(&base(
        "  zones:\n    - name: p.internal\n      private: true\n      vpcs: [nohost]",
    ));
    assert!(!r.has_errors(), "{r}");
    assert!(
        r.warnings().any(|w| w.message.contains("hostnames false")),
        "{r}"
    );
}

#[test]
fn wildcard_records_answer_names_that_do_not_exist() {
    let z = zones(&base(
        "  zones:\n    - name: example.com\n      records:\n        - { name: \"*\", type: A, values: [203.0.113.7] }\n        - { name: www, type: TXT, values: [x] }",
    ));
    let r = ask(&z, "de", "anything.example.com", RType::A).unwrap();
    assert_eq!(values(&r), ["203.0.113.7"]);
    assert_eq!(r.answers[0].name, "anything.example.com");
    assert_eq!(
        values(&ask(&z, "de", "a.b.example.com", RType::A).unwrap()),
        ["203.0.113.7"]
    );
    // An existing name is not covered by the wildcard.
    let r = ask(&z, "de", "www.example.com", RType::A).unwrap();
    assert_eq!((r.rcode, r.answers.len()), (Rcode::NoError, 0));
}
