//! Real IPv6 in the namespaces (root): `topologies/dual-stack.yaml` up on the netns backend;
//! `curl -6` from an internet host to the dual-stack web server through the internet gateway;
//! `ping -6` out from the private subnet through the egress-only gateway, and none in.
//! Addresses are static on `eth0` (`backend::netns::ipv6`), the default route via fe80::1,
//! answered by the engine's neighbour discovery. And an IPv6-only instance reaching an
//! IPv4-only internet host: `dig AAAA` at fd00:ec2::253 gets DNS64's 64:ff9b:: address,
//! `ping -6` and `curl -6` go through the NAT gateway's NAT64 (the engine tests pin that the
//! IPv4 side leaves from its Elastic IP). The daemon's flow log has the IPv6 records of
//! the first test's traffic (`vpclab` writes them live, as for IPv4).

use crate::common::netns::*;
use crate::common::require::{self, CURL, IP, PING, TSHARK};

fn dual_stack() -> String {
    let y = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/topologies/dual-stack.yaml"
    ))
    .expect("example");
    // The internet host answers ping and the private instance's SG lets ICMPv6 in, so that
    // "none in" is the egress-only gateway's doing, not a group's.
    y.replace(
        "      app: { subnet: private, services: [\"http:8080\"] }",
        "      app: { subnet: private, services: [\"http:8080\"], security_groups: [web] }",
    ) + FLOW_LOG6
}

/// A live flow log of the dual-stack VPC, with the fields that tell IPv6 records apart.
const FLOW_LOG6: &str = "
flow_logs:
  - resource: vpc:main
    format: aws
    path: six.log
    aggregation_interval: 60
    fields: [interface-id, type, srcaddr, dstaddr, srcport, dstport, protocol, action, flow-direction]
  - { resource: instance:web, format: pcapng, path: web6.pcapng }
";

fn ok(o: &std::process::Output) -> bool {
    o.status.success()
}

#[test]
#[ignore = "needs root, ip, curl, ping and tshark: run the README's test command (scripts/test.sh)"]
fn curl_in_over_the_igw_and_ping_out_over_the_egress_only_gateway() {
    require::netns(&[IP, CURL, PING, TSHARK]);
    let t = Topo::new("nsix", &dual_stack());
    t.up();
    let net = t.network();
    let web = net.eni_ipv6(net.instance(net.instance_by_name("web").unwrap()).eni)[0];
    let app = net.eni_ipv6(net.instance(net.instance_by_name("app").unwrap()).eni)[0];
    let url = format!("http://[{web}]:80/");
    let o = t.exec("client", &["curl", "-6", "-s", "--max-time", "10", &url]);
    assert!(
        ok(&o) && stdout(&o).contains("web"),
        "curl -6 to web: {} {}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    let o = t.exec("app", &["ping", "-6", "-c", "2", "-W", "2", "2001:db8::10"]);
    assert!(
        ok(&o),
        "ping -6 out through the egress-only gateway: {}",
        stdout(&o)
    );
    let o = t.exec(
        "client",
        &["ping", "-6", "-c", "2", "-W", "2", &app.to_string()],
    );
    assert!(
        !ok(&o),
        "nothing initiated from the internet gets in: {}",
        stdout(&o)
    );
    // The daemon's flow log, complete once the topology is down.
    let o = vpclab().args(["down", &t.name]).output().expect("down");
    assert!(o.status.success(), "down: {o:?}");
    let dir = t.file.parent().expect("folder");
    let log = std::fs::read_to_string(dir.join("six.log")).expect("flow log written");
    let recs: Vec<Vec<&str>> = log
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect())
        .collect();
    let eni = |name: &str| {
        let i = net.instance_by_name(name).unwrap();
        net.eni(net.instance(i).eni).aws_id.clone()
    };
    let (web, app) = (web.to_string(), app.to_string());
    let has = |want: &[&str]| {
        recs.iter()
            .any(|r| r.len() == 9 && r[..4] == want[..4] && r[5..] == want[4..])
    };
    assert!(
        has(&[
            &eni("web"),
            "IPv6",
            "2001:db8::10",
            &web,
            "80",
            "6",
            "ACCEPT",
            "ingress"
        ]),
        "curl -6's record at web: {log}"
    );
    assert!(
        has(&[
            &eni("app"),
            "IPv6",
            &app,
            "2001:db8::10",
            "0",
            "58",
            "ACCEPT",
            "egress"
        ]),
        "ping -6's record at app: {log}"
    );
    // The daemon's pcapng of web holds curl -6's packets as IPv6 frames, both ways.
    let pcap = dir.join("web6.pcapng");
    let to_web = format!("ipv6.dst == {web} && tcp.dstport == 80");
    let from_web = format!("ipv6.src == {web} && tcp.srcport == 80");
    assert!(
        crate::common::tshark::count(&pcap, &to_web) >= 3,
        "SYN, ACK, GET"
    );
    assert!(
        crate::common::tshark::count(&pcap, &from_web) >= 2,
        "SYN-ACK, the answer"
    );
}

/// Lab 21's network with NAT64 and DNS64 in place: `worker` in an IPv6-only subnet with
/// `dns64`, a NAT gateway in the public subnet, the IPv4-only `legacy` on the internet.
const NAT64: &str = r#"name: n64
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    dns: { support: true, hostnames: true }
    internet_gateway: true
    subnets:
      public: { cidr: 10.0.0.0/24, ipv6_cidr: 0, route_table: public }
      v6only: { cidr: 10.0.2.0/24, ipv6_cidr: 2, ipv6_only: true, dns64: true, route_table: v6only }
    route_tables:
      public:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
          - { destination: "::/0", target: igw }
      v6only:
        routes:
          - { destination: "64:ff9b::/96", target: nat:nat-a }
    nat_gateways:
      nat-a: { subnet: public }
    instances:
      worker: { subnet: v6only }
internet:
  hosts:
    legacy: { ip: 198.51.100.20, services: [http:80] }
dns:
  zones:
    - name: example.com
      records:
        - { name: legacy, type: A, ttl: 60, values: [198.51.100.20] }
"#;

#[test]
#[ignore = "needs root, ip, dig, curl and ping: run the README's test command (scripts/test.sh)"]
fn an_ipv6_only_instance_reaches_an_ipv4_only_host_through_dns64_and_nat64() {
    use crate::common::require::DIG;
    require::netns(&[IP, DIG, CURL, PING]);
    let t = Topo::new("n64", NAT64);
    t.up();
    let o = t.exec(
        "worker",
        &[
            "dig",
            "+short",
            "+time=3",
            "+tries=2",
            "AAAA",
            "legacy.example.com",
            "@fd00:ec2::253",
        ],
    );
    assert_eq!(
        stdout(&o).trim(),
        "64:ff9b::c633:6414",
        "DNS64 at the IPv6 resolver: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = t.exec(
        "worker",
        &["ping", "-6", "-c", "2", "-W", "3", "64:ff9b::198.51.100.20"],
    );
    assert!(ok(&o), "ping -6 through NAT64: {}", stdout(&o));
    let o = t.exec(
        "worker",
        &[
            "curl",
            "-6",
            "-s",
            "--max-time",
            "10",
            "http://[64:ff9b::c633:6414]/",
        ],
    );
    assert!(
        ok(&o) && stdout(&o).contains("legacy"),
        "curl -6 through NAT64 to the IPv4-only host: {} {}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `dual_stack()` plus an IPv4-only rule for tcp 8080 in sg `web` (over IPv6 that port has no
/// rule, so the group drops it) and a UDP echo service on the internet host `client`.
fn dual_stack_v4_only_rule() -> String {
    dual_stack()
        .replace(
            "ipv6: \"2001:db8::10\", services: [\"http:80\"]",
            "ipv6: \"2001:db8::10\", services: [\"http:80\", \"udp:5353\"]",
        )
        .replace(
        "          - { protocol: icmpv6, source: \"::/0\" }",
        "          - { protocol: icmpv6, source: \"::/0\" }\n          - { protocol: tcp, ports: 8080, source: 0.0.0.0/0 }",
    )
}

/// `vpclab CMD [FILE] ARGS... --json`: exit code and JSON (Null when none was printed).
fn json_of(cmd: &mut std::process::Command) -> (i32, serde_json::Value, String) {
    let out = cmd.arg("--json").output().expect("vpclab runs");
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), v, err)
}

#[test]
#[ignore = "needs root, ip, ping and nc: run the README's test command (scripts/test.sh)"]
fn v6live_probe_minus_6_on_the_running_topology_agrees_with_reach_minus_6() {
    use crate::common::require::NC;
    require::netns(&[IP, PING, NC]);
    let t = Topo::new("v6lp", &dual_stack_v4_only_rule());
    t.up();
    // (question, reachable, the blocker's component when not)
    let cases: &[(&[&str], bool, Option<&str>)] = &[
        // Instance to instance inside the VPC (sg web lets ICMPv6 in).
        (
            &["--from", "web", "--to", "app", "--protocol", "icmpv6"],
            true,
            None,
        ),
        // Out through the internet gateway to an internet host's IPv6 address.
        (
            &["--from", "web", "--to", "client", "--port", "80"],
            true,
            None,
        ),
        // Out through the egress-only gateway, and its reply back in.
        (
            &["--from", "app", "--to", "client", "--protocol", "icmpv6"],
            true,
            None,
        ),
        // Out through the egress-only gateway to an address nobody owns: exited.
        (
            &["--from", "app", "--to", "2001:db8:ffff::1", "--port", "443"],
            true,
            None,
        ),
        // sg web has tcp 8080 from 0.0.0.0/0 only: no IPv6 rule, dropped.
        (
            &["--from", "client", "--to", "web", "--port", "8080"],
            false,
            Some("web"),
        ),
        // The internet initiates nothing through the egress-only gateway.
        (
            &["--from", "client", "--to", "app", "--protocol", "icmpv6"],
            false,
            None,
        ),
        // NAT64: the IPv6-only worker to the IPv4-only legacy host (DNS64's 64:ff9b:: address).
        (
            &["--from", "worker", "--to", "legacy", "--protocol", "icmpv6"],
            true,
            None,
        ),
    ];
    // Without -6 the family follows from the ends, as for `reach`: an IPv6 address, an
    // IPv6-only instance.
    let implied: &[(&[&str], bool, Option<&str>)] = &[
        (
            &["--from", "web", "--to", "2001:db8::10", "--port", "80"],
            true,
            None,
        ),
        (
            &["--from", "worker", "--to", "legacy", "--port", "80"],
            true,
            None,
        ),
    ];
    let with_6 = cases.iter().map(|c| (true, c));
    for (six, (args, reachable, blocker)) in with_6.chain(implied.iter().map(|c| (false, c))) {
        let flag: &[&str] = if six { &["-6"] } else { &[] };
        let (rc, r, re) = json_of(vpclab().arg("reach").arg(&t.file).args(flag).args(*args));
        let (pc, p, pe) = json_of(
            vpclab()
                .args(["probe", "--name", &t.name])
                .args(flag)
                .args(*args),
        );
        let what = format!("{args:?}\nreach {rc} {re}{r:#}\nprobe {pc} {pe}{p:#}");
        assert!(p.is_object(), "the live probe printed its report: {what}");
        assert_eq!(rc, pc, "same exit code: {what}");
        assert_eq!(r["reachable"], *reachable, "{what}");
        assert_eq!(
            r["reachable"],
            serde_json::json!(p["reply"] == true || p["exited"] == true),
            "{what}"
        );
        assert_eq!(r["exits_network"], p["exited"], "{what}");
        if !*reachable {
            assert_eq!(p["reply"], false, "{what}");
            assert_eq!(
                r["blocked"]["component"], p["blocked"]["component"],
                "the same blocker: {what}"
            );
        }
        if let Some(c) = blocker {
            let got = p["blocked"]["component"].as_str().unwrap_or_default();
            assert!(got.contains(c), "blocked by {c}: {what}");
        }
        if *reachable && !p["exited"].as_bool().unwrap_or(false) {
            assert_eq!(p["delivered"], true, "{what}");
        }
        assert!(r["destination_ipv6"].is_string(), "asked over IPv6: {what}");
    }
    // What the live probe cannot send: exit 2, said clearly.
    for (args, says) in [
        (
            &["--from", "subnet-public", "--to", "web"][..],
            "an instance or an internet host",
        ),
        (
            &["--from", "web", "--src-ip", "2600:1f18::99", "--to", "app"][..],
            "spoofed source",
        ),
        (
            &["--from", "web", "--to", "app", "--protocol", "47"][..],
            "not protocol 47",
        ),
        (
            &["--from", "web", "--to", "internet"][..],
            "no host for `internet`",
        ),
    ] {
        let out = vpclab()
            .args(["probe", "--name", &t.name, "-6"])
            .args(args)
            .output()
            .expect("probe runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
