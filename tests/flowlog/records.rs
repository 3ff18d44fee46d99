//! AWS flow-log records built from hand-made packet events, compared field by field with what
//! AWS writes (reference §8).

use crate::common::flowlog::*;
use vpclab::flowlog::{Aggregator, Field, Sinks, Traffic};
use vpclab::policy::{Direction, Header, RuleId};

fn lines(agg: &mut Aggregator) -> Vec<String> {
    agg.take_lines()
}

#[test]
fn known_exchange_default_v2_fields() {
    let net = net("");
    let mut agg = Aggregator::new(&net, None, 60, EPOCH_NS);
    for ev in web_exchange(&net) {
        agg.record(&ev);
    }
    agg.tick(59_000_000_000);
    assert!(lines(&mut agg).is_empty(), "the interval is still open");
    agg.tick(60_000_000_000);
    let got = lines(&mut agg);
    let s = EPOCH_S + 1;
    assert_eq!(
        got,
        vec![
            format!(
                "2 123456789012 eni-web 198.51.100.10 10.0.0.10 40000 80 6 4 316 {s} {s} ACCEPT OK"
            ),
            format!(
                "2 123456789012 eni-web 10.0.0.10 198.51.100.10 80 40000 6 4 716 {s} {s} ACCEPT OK"
            ),
        ]
    );
    // Nothing left for shutdown.
    agg.finish();
    assert!(lines(&mut agg).is_empty());
}

#[test]
fn custom_fields_are_honoured_and_version_computed() {
    let net = net("");
    let fields = [
        "flow-direction",
        "tcp-flags",
        "srcaddr",
        "pkt-dstaddr",
        "instance-id",
        "vpc-id",
        "subnet-id",
        "az-id",
        "region",
        "type",
        "traffic-path",
        "packets",
        "version",
        "sublocation-id",
    ];
    let fields: Vec<Field> = fields.iter().map(|f| Field::parse(f).unwrap()).collect();
    let mut agg = Aggregator::new(&net, Some(fields), 600, EPOCH_NS);
    assert_eq!(agg.version(), 5);
    assert_eq!(
        agg.header_line().unwrap(),
        "# fields: flow-direction tcp-flags srcaddr pkt-dstaddr instance-id vpc-id subnet-id az-id region type traffic-path packets version sublocation-id"
    );
    for ev in web_exchange(&net) {
        agg.record(&ev);
    }
    agg.finish();
    assert_eq!(
        lines(&mut agg),
        vec![
            "ingress 3 198.51.100.10 10.0.0.10 i-web vpc-main subnet-public-a use1-az1 us-east-1 IPv4 - 4 5 -",
            "egress 19 10.0.0.10 198.51.100.10 i-web vpc-main subnet-public-a use1-az1 us-east-1 IPv4 2 4 5 -",
        ]
    );
    // The default format has no header line; a v3 subset gets version 3.
    assert_eq!(Aggregator::new(&net, None, 600, 0).header_line(), None);
    assert_eq!(
        Aggregator::new(&net, Some(vec![Field::Bytes, Field::TcpFlags]), 600, 0).version(),
        3
    );
}

#[test]
fn records_split_by_interval_and_action() {
    let net = net("");
    let mut agg = Aggregator::new(&net, None, 60, EPOCH_NS);
    let mut evs = web_exchange(&net);
    // The same flow in the next interval, and a rejected packet of the same 5-tuple.
    let mut late = evs[0].clone();
    late.time = 61_000_000_000;
    let mut rej = evs[0].clone();
    rej.time = 61_500_000_000;
    rej.verdict = vpclab::policy::Verdict::Reject;
    rej.decision = reject("acl-public", Direction::Inbound, RuleId::Star).into();
    evs.push(late);
    evs.push(rej);
    for ev in &evs {
        agg.record(ev);
    }
    // The late event closed the first interval.
    assert_eq!(lines(&mut agg).len(), 2);
    agg.finish();
    let s = EPOCH_S + 61;
    assert_eq!(
        lines(&mut agg),
        vec![
            format!(
                "2 123456789012 eni-web 198.51.100.10 10.0.0.10 40000 80 6 1 60 {s} {s} ACCEPT OK"
            ),
            format!(
                "2 123456789012 eni-web 198.51.100.10 10.0.0.10 40000 80 6 1 60 {s} {s} REJECT OK"
            ),
        ]
    );
}

#[test]
fn nat_gateway_records_as_aws_shows_them() {
    let net = net("");
    let nat = eni(&net, "nat-a");
    let app = eni(&net, "app");
    let nat_ip = net.eni(nat).private_ip.to_string();
    let eip = net
        .eni(nat)
        .public_ip
        .map(|a| a.to_string())
        .unwrap_or_else(|| nat_ip.clone());
    let app_ip = net.eni(app).private_ip.to_string();
    let inet = "198.51.100.10";
    let ok_in = accept("acl-default", Direction::Inbound, RuleId::Number(100));
    let ok_out = accept("acl-default", Direction::Outbound, RuleId::Number(100));
    use Direction::{Inbound as I, Outbound as O};
    let events = vec![
        // instance → NAT (real destination in the header)
        tcp(10, nat, I, &app_ip, 33000, inet, 80, 60, SYN, ok_in.clone()),
        // NAT → internet, after translation (the engine may show the EIP: it must not appear)
        tcp(11, nat, O, &eip, 1024, inet, 80, 60, SYN, ok_out.clone()),
        // internet → NAT
        tcp(
            12,
            nat,
            I,
            inet,
            80,
            &eip,
            1024,
            60,
            SYN | ACK,
            ok_in.clone(),
        ),
        // NAT → instance, un-translated
        tcp(
            13,
            nat,
            O,
            inet,
            80,
            &app_ip,
            33000,
            60,
            SYN | ACK,
            ok_out.clone(),
        ),
        // at the instance
        tcp(9, app, O, &app_ip, 33000, inet, 80, 60, SYN, ok_out.clone()),
        tcp(
            14,
            app,
            I,
            inet,
            80,
            &app_ip,
            33000,
            60,
            SYN | ACK,
            ok_in.clone(),
        ),
    ];
    let fields = [
        "instance-id",
        "interface-id",
        "srcaddr",
        "dstaddr",
        "pkt-srcaddr",
        "pkt-dstaddr",
    ]
    .iter()
    .map(|f| Field::parse(f).unwrap())
    .collect();
    let mut agg = Aggregator::new(&net, Some(fields), 600, EPOCH_NS);
    for ev in &events {
        agg.record(ev);
    }
    agg.finish();
    let got = lines(&mut agg);
    assert_eq!(
        got,
        vec![
            format!("- eni-nat-a {app_ip} {nat_ip} {app_ip} {inet}"),
            format!("- eni-nat-a {nat_ip} {inet} {nat_ip} {inet}"),
            format!("- eni-nat-a {inet} {nat_ip} {inet} {nat_ip}"),
            format!("- eni-nat-a {nat_ip} {app_ip} {inet} {app_ip}"),
            format!("i-app eni-app {app_ip} {inet} {app_ip} {inet}"),
            format!("i-app eni-app {inet} {app_ip} {inet} {app_ip}"),
        ]
    );
    assert!(
        got.iter().all(|l| !l.contains(&eip) || eip == nat_ip),
        "the EIP never appears: {got:?}"
    );
}

#[test]
fn reject_only_filter_and_subnet_scope() {
    let net = net("");
    let db = eni(&net, "db");
    let app = eni(&net, "app");
    let (db_ip, app_ip) = (
        net.eni(db).private_ip.to_string(),
        net.eni(app).private_ip.to_string(),
    );
    let ok = accept(
        "sg-db",
        Direction::Inbound,
        RuleId::SgRule {
            group: "sg-db".into(),
            index: 1,
        },
    );
    let no = reject("acl-data", Direction::Inbound, RuleId::Star);
    use Direction::{Inbound as I, Outbound as O};
    let events = vec![
        tcp(1, db, I, &app_ip, 41000, &db_ip, 5432, 60, SYN, ok),
        tcp(2, db, I, &app_ip, 41001, &db_ip, 22, 60, SYN, no.clone()),
        tcp(3, db, I, &app_ip, 41001, &db_ip, 22, 60, SYN, no.clone()),
        tcp(
            4,
            app,
            O,
            &app_ip,
            41002,
            "10.0.0.10",
            22,
            60,
            SYN,
            reject("sg-app", O, RuleId::NoMatch),
        ),
    ];
    let mut agg = Aggregator::new(&net, None, 600, EPOCH_NS)
        .with_traffic(Traffic::Reject)
        .with_scope(&[db]);
    for ev in &events {
        agg.record(ev);
    }
    agg.finish();
    let s = EPOCH_S;
    assert_eq!(
        lines(&mut agg),
        vec![format!(
            "2 123456789012 eni-db {app_ip} {db_ip} 41001 22 6 2 120 {s} {s} REJECT OK"
        )]
    );
}

#[test]
fn unlogged_traffic_and_skipdata_bound() {
    let net = net("");
    let web = eni(&net, "web");
    let ok = accept(
        "sg-web",
        Direction::Outbound,
        RuleId::SgRule {
            group: "sg-web".into(),
            index: 1,
        },
    );
    let mut agg = Aggregator::new(&net, None, 600, EPOCH_NS).with_max_entries(2);
    // DNS to the VPC resolver, metadata, DHCP: never logged.
    let mut dns = tcp(
        1,
        web,
        Direction::Outbound,
        "10.0.0.10",
        5353,
        "10.0.0.2",
        53,
        60,
        0,
        ok.clone(),
    );
    let h = *dns.header.v4().unwrap();
    dns.header = Header::l4(h.src, h.dst, 17, 5353, 53).into();
    agg.record(&dns);
    agg.record(&tcp(
        1,
        web,
        Direction::Outbound,
        "10.0.0.10",
        5000,
        "169.254.169.254",
        80,
        60,
        SYN,
        ok.clone(),
    ));
    let mut dhcp = dns.clone();
    dhcp.header = Header::l4(h.src, "255.255.255.255".parse().unwrap(), 17, 68, 67).into();
    agg.record(&dhcp);
    assert!(agg.is_empty());
    for p in 0..5u16 {
        agg.record(&tcp(
            2 + p as u64,
            web,
            Direction::Outbound,
            "10.0.0.10",
            50000 + p,
            "198.51.100.10",
            443,
            60,
            SYN,
            ok.clone(),
        ));
    }
    assert_eq!(agg.dropped_flows(), 3);
    agg.finish();
    let got = lines(&mut agg);
    assert_eq!(got.len(), 3);
    let (s0, s1) = (EPOCH_S, EPOCH_S);
    assert_eq!(
        got[2],
        format!("2 123456789012 eni-web - - - - - - - {s0} {s1} - SKIPDATA")
    );
}

#[test]
fn sinks_write_files_per_definition() {
    let dir = tempfile::tempdir().unwrap();
    let net = net(
        "  - { resource: vpc:main, traffic: ALL, format: aws, path: flows/main.log, aggregation_interval: 60 }\n  - { resource: instance:web, traffic: REJECT, format: aws, path: flows/rej.log, fields: [interface-id, action, tcp-flags] }\n  - { resource: instance:db, format: pcapng, path: flows/db.pcapng }\n",
    );
    let mut sinks = Sinks::from_network(&net, dir.path(), EPOCH_NS).unwrap();
    assert!(sinks.wants_frames());
    let mut evs = web_exchange(&net);
    let mut rej = evs[0].clone();
    rej.verdict = vpclab::policy::Verdict::Reject;
    rej.decision = reject("acl-public", Direction::Inbound, RuleId::Star).into();
    evs.push(rej);
    for ev in &evs {
        sinks.record(ev).unwrap();
    }
    sinks.tick(120_000_000_000).unwrap();
    sinks.finish().unwrap();
    let main = std::fs::read_to_string(dir.path().join("flows/main.log")).unwrap();
    assert_eq!(main.lines().count(), 3, "{main}");
    assert!(!main.starts_with('#'));
    let rej = std::fs::read_to_string(dir.path().join("flows/rej.log")).unwrap();
    assert_eq!(
        rej,
        "# fields: interface-id action tcp-flags\neni-web REJECT 2\n"
    );
    // The summary reads both back.
    let s = vpclab::flowlog::read::summarize(&main, &Default::default());
    assert_eq!((s.records, s.packets, s.bytes, s.rejected), (3, 9, 1092, 1));
    assert!(dir.path().join("flows/db.pcapng").metadata().unwrap().len() > 0);
}

#[test]
fn a_full_disk_is_an_error_naming_the_file() {
    assert!(
        std::path::Path::new("/dev/full").exists(),
        "this test writes to /dev/full, which every Linux system has"
    );
    let dir = tempfile::tempdir().unwrap();
    // A pcap file fails at once (its header cannot be written).
    let net1 = net("  - { resource: vpc:main, format: pcap, path: /dev/full }\n");
    let e = Sinks::from_network(&net1, dir.path(), EPOCH_NS)
        .err()
        .expect("fails");
    assert!(e.to_string().contains("/dev/full"), "{e}");
    // AWS records fail when written; the other sink goes on.
    let net2 = net(
        "  - { resource: vpc:main, path: /dev/full }\n  - { resource: vpc:main, path: ok.log }\n",
    );
    let mut sinks = Sinks::from_network(&net2, dir.path(), EPOCH_NS).unwrap();
    for ev in web_exchange(&net2) {
        sinks.record(&ev).unwrap();
    }
    let e = sinks.finish().unwrap_err().to_string();
    assert!(
        e.contains("/dev/full") && e.contains("cannot write flow log"),
        "{e}"
    );
    assert!(sinks.finish().is_ok(), "the error is reported once");
    let ok = std::fs::read_to_string(dir.path().join("ok.log")).unwrap();
    assert_eq!(ok.lines().count(), 2);
}
