//! The three-tier example through the engine with real packets (virtual backend).
use crate::common::*;
use vpclab::backend::virt::ProbeProto;
use vpclab::policy::ComponentKind;

#[test]
fn client_to_web_via_public_ip() {
    let mut l = three_tier();
    let r = probe(&mut l, "client", "web", ProbeProto::Tcp, 80);
    assert_ok(&r);
    assert!(
        String::from_utf8_lossy(&r.response).contains("web"),
        "{:?}",
        String::from_utf8_lossy(&r.response)
    );
    assert!(r
        .trace
        .iter()
        .any(|h| h.kind == ComponentKind::InternetGateway));
    // Events: web ingress accepted by sg-web, egress of the reply.
    assert!(r.events.iter().any(|e| e.decision.component == "sg-web"));
}

#[test]
fn app_to_db_5432_works() {
    let mut l = three_tier();
    let r = probe(&mut l, "app", "db", ProbeProto::Tcp, 5432);
    assert_ok(&r);
    assert_eq!(r.response, b"vpclab probe\n");
}

#[test]
fn web_to_db_5432_blocked() {
    let mut l = three_tier();
    let r = probe(&mut l, "web", "db", ProbeProto::Tcp, 5432);
    assert!(!r.delivered);
    // acl-data admits 5432 only from 10.0.1.0/24: in AWS's order the subnet NACL (inbound)
    // is met before sg-db, which would block it too.
    assert_blocked(&r, "acl-data", ComponentKind::NetworkAcl);
    let net = l.engine().network().clone();
    let web = net.instance(net.instance_by_name("web").unwrap()).eni;
    let db_ip = net
        .eni(net.instance(net.instance_by_name("db").unwrap()).eni)
        .private_ip;
    let h = vpclab::policy::Header::l4(net.eni(web).private_ip, db_ip, 6, 40000, 5432);
    let w = vpclab::policy::path::walk(
        &net,
        &mut vpclab::policy::path::Assumed::default(),
        vpclab::policy::path::Origin::Eni(web),
        h,
        vpclab::policy::path::Options {
            collect_all: true,
            nat_instance_in_walk: true,
        },
    );
    let comps: Vec<&str> = w.blockers.iter().map(|d| d.component.as_str()).collect();
    assert_eq!(comps, ["acl-data", "sg-db"]);
}

#[test]
fn stateful_sg_with_no_outbound_rules_still_answers() {
    // sg-db has `outbound: []`; db's replies are tracked.
    let mut l = three_tier();
    let r = probe(&mut l, "app", "db", ProbeProto::Tcp, 5432);
    assert_ok(&r);
    // A connection initiated by db has no outbound rule.
    let r = probe(&mut l, "db", "app", ProbeProto::Tcp, 8080);
    assert_blocked(&r, "sg-db", ComponentKind::SecurityGroup);
}

#[test]
fn icmp_and_udp_probes() {
    let mut l = three_tier();
    // sg-web has no ICMP rule.
    let r = probe(&mut l, "client", "web", ProbeProto::Icmp, 0);
    assert_blocked(&r, "sg-web", ComponentKind::SecurityGroup);
    // Same SG (default) both sides? app→web:80 allowed from anywhere.
    let r = probe(&mut l, "app", "web", ProbeProto::Tcp, 80);
    assert_ok(&r);
}
