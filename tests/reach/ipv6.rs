//! The analyzer over IPv6 (`reach -6`, library API): the cases of issue 16's "Done when" —
//! internet to a dual-stack instance through the internet gateway with an SG for `::/0`
//! (reachable) and for `0.0.0.0/0` only (blocked); an egress-only gateway (out works with its
//! replies, in is blocked); NACL IPv4 and IPv6 rules deciding independently; an IPv6-only
//! subnet reaching an IPv4-only internet host through DNS64 and NAT64; IPv6 across a peering.

use crate::common::net;
use vpclab::model::Network;
use vpclab::reach::ipv6::analyze6;
use vpclab::reach::{analyze, resolve, resolve_source, Analysis, Query};

fn q(n: &Network, from: &str, to: &str, proto: u8, port: u16) -> Query {
    Query {
        from: resolve_source(n, from, None).unwrap(),
        to: resolve(n, to).unwrap(),
        proto,
        port,
        src_port: None,
    }
}

fn six(n: &Network, from: &str, to: &str, port: u16) -> Analysis {
    analyze6(n, &q(n, from, to, 6, port)).expect("an IPv6 question")
}

fn four(n: &Network, from: &str, to: &str, port: u16) -> Analysis {
    analyze(n, &q(n, from, to, 6, port))
}

fn code(a: &Analysis) -> String {
    a.blocked
        .as_ref()
        .map(|b| format!("{} {}", b.decision.component, b.code()))
        .unwrap_or_default()
}

/// A dual-stack VPC: `web` public (igw both families), `app` private (NAT gateway and
/// egress-only gateway), `worker` IPv6-only with DNS64; SG of web given by `web_sg`.
fn dual(web_sg: &str, nacl: &str) -> Network {
    net(&format!(
        "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    internet_gateway: true
    egress_only_internet_gateways:
      egress: {{}}
    subnets:
      public: {{ cidr: 10.0.0.0/24, ipv6_cidr: 0, route_table: public, map_public_ip: true, assign_ipv6_address_on_creation: true{nacl} }}
      private: {{ cidr: 10.0.1.0/24, ipv6_cidr: 1, route_table: private, assign_ipv6_address_on_creation: true }}
      v6only: {{ cidr: 10.0.2.0/24, ipv6_cidr: 2, ipv6_only: true, dns64: true, route_table: v6only }}
      nodns64: {{ cidr: 10.0.3.0/24, ipv6_cidr: 3, ipv6_only: true, route_table: v6only }}
    route_tables:
      public:
        routes:
          - {{ destination: 0.0.0.0/0, target: igw }}
          - {{ destination: \"::/0\", target: igw }}
      private:
        routes:
          - {{ destination: 0.0.0.0/0, target: nat:nat-a }}
          - {{ destination: \"::/0\", target: eigw:egress }}
      v6only:
        routes:
          - {{ destination: \"::/0\", target: eigw:egress }}
          - {{ destination: \"64:ff9b::/96\", target: nat:nat-a }}
    network_acls:
      split:
        inbound:
          - {{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }}
          - {{ rule: 101, action: deny, protocol: all, cidr: \"::/0\" }}
        outbound:
          - {{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }}
          - {{ rule: 101, action: allow, protocol: all, cidr: \"::/0\" }}
    nat_gateways:
      nat-a: {{ subnet: public }}
    security_groups:
      web:
        inbound:
{web_sg}
    instances:
      web: {{ subnet: public, security_groups: [web] }}
      app: {{ subnet: private }}
      worker: {{ subnet: v6only }}
      lonely: {{ subnet: nodns64 }}
internet:
  hosts:
    client: {{ ip: 198.51.100.10, ipv6: \"2001:db8::10\" }}
    legacy: {{ ip: 198.51.100.20 }}
"
    ))
}

const BOTH: &str = "          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n          - { protocol: tcp, ports: 80, source: \"::/0\" }";
const V4_ONLY: &str = "          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }";

#[test]
fn internet_to_dual_stack_instance_needs_an_ipv6_rule() {
    let n = dual(BOTH, "");
    let a = six(&n, "client", "web", 80);
    assert!(a.reachable, "{a:#?}");
    assert_eq!(
        a.destination_ipv6,
        Some("2600:1f18:4000::4".parse().unwrap())
    );
    assert!(a.forward.iter().any(|h| h.component == "igw-main"));
    let a = six(&n, "internet", "web", 80);
    assert!(a.reachable, "{a:#?}");
    assert!(a.from.contains("2001:db8::"), "{}", a.from);

    let n = dual(V4_ONLY, "");
    assert!(four(&n, "client", "web", 80).reachable);
    let a = six(&n, "client", "web", 80);
    assert!(!a.reachable);
    assert_eq!(code(&a), "sg-web ENI_SG_RULES_MISMATCH");
    assert!(a.blocked.unwrap().fix.contains("::/0"));
}

#[test]
fn egress_only_gateway_lets_out_and_replies_but_nothing_in() {
    let n = dual(BOTH, "");
    let out = six(&n, "app", "client", 80);
    assert!(out.reachable, "{out:#?}");
    assert!(out.forward.iter().any(|h| h.component == "eigw-egress"));
    assert!(
        out.return_path.iter().any(|h| h.component == "eigw-egress"),
        "the reply comes back through it"
    );
    let inbound = six(&n, "client", "app", 80);
    assert!(!inbound.reachable);
    assert_eq!(code(&inbound), "eigw-egress EIGW_NO_INBOUND_INITIATION");
}

#[test]
fn nacl_ipv4_and_ipv6_rules_decide_independently() {
    let n = dual(BOTH, ", network_acl: split");
    assert!(
        four(&n, "client", "web", 80).reachable,
        "the IPv4 rule 100 allows IPv4"
    );
    let a = six(&n, "client", "web", 80);
    assert!(!a.reachable);
    assert_eq!(code(&a), "acl-split SUBNET_ACL_RESTRICTION");
    assert_eq!(
        a.blocked.unwrap().decision.rule,
        vpclab::policy::RuleId::Number(101)
    );
}

#[test]
fn ipv6_only_subnet_reaches_an_ipv4_only_host_through_dns64_and_nat64() {
    let n = dual(BOTH, "");
    let a = six(&n, "worker", "legacy", 80);
    assert!(a.reachable, "{a:#?}");
    assert_eq!(
        a.destination_ipv6,
        Some("64:ff9b::c633:6414".parse().unwrap())
    );
    let nat = a
        .forward
        .iter()
        .position(|h| h.component == "nat-a")
        .expect("through the NAT gateway");
    assert!(
        a.forward[nat..].iter().any(|h| h.component == "igw-main"),
        "IPv4 on from the gateway"
    );
    assert!(a.return_path.iter().any(|h| h.component == "eni-worker"));
    // No DNS64 in its subnet: the IPv4-only name has no IPv6 address for it.
    let a = six(&n, "lonely", "legacy", 80);
    assert!(!a.reachable);
    assert_eq!(code(&a), "internet ADDRESS_FAMILY_MISMATCH");
    assert!(a.blocked.unwrap().decision.detail.contains("DNS64"));
}

#[test]
fn ipv6_crosses_a_peering_with_routes_on_both_sides() {
    let y = |routes: &str| {
        format!(
            "name: t
vpcs:
  a:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    subnets:
      s: {{ cidr: 10.0.0.0/24, ipv6_cidr: 0, route_table: r, assign_ipv6_address_on_creation: true }}
    route_tables:
      r:
        routes:
          - {{ destination: \"2600:1f18:4000:100::/56\", target: pcx:ab }}
    instances:
      one: {{ subnet: s }}
  b:
    cidr: 10.1.0.0/16
    ipv6_cidr: amazon
    subnets:
      s: {{ cidr: 10.1.0.0/24, ipv6_cidr: 0, route_table: r, assign_ipv6_address_on_creation: true }}
    route_tables:
      r:
        routes:
{routes}
    security_groups:
      db:
        inbound:
          - {{ protocol: tcp, ports: 5432, source: \"2600:1f18:4000::/56\" }}
    instances:
      two: {{ subnet: s, security_groups: [db] }}
peerings:
  ab: {{ requester: a, accepter: b }}
"
        )
    };
    let n = net(&y(
        "          - { destination: \"2600:1f18:4000::/56\", target: pcx:ab }",
    ));
    let a = six(&n, "one", "two", 5432);
    assert!(a.reachable, "{a:#?}");
    assert!(a.forward.iter().any(|h| h.component == "pcx-ab"));
    // Without the route back, the reply finds no way home.
    let n = net(&y(
        "          - { destination: 10.0.0.0/16, target: pcx:ab }",
    ));
    let a = six(&n, "one", "two", 5432);
    assert!(!a.reachable);
    assert_eq!(code(&a), "rtb-r NO_ROUTE_TO_DESTINATION");
    assert_eq!(a.blocked.unwrap().path, vpclab::reach::PathLeg::Return);
}

// ---- every source and destination kind over IPv6 (`reach -6`, `probe -6`) ----

use vpclab::backend::virt::{Lab, ProbeProto};
use vpclab::reach::ipv6::{analyze6_q, Question6};
use vpclab::reach::ipv6_party::{party6, prepare6, End6};

/// A `-6` question from strings, as the command line builds it.
fn q6(n: &Network, from: &str, to: &str, src_ip: Option<&str>, proto: u8, port: u16) -> Question6 {
    Question6 {
        from: party6(n, from, true).unwrap_or_else(|e| panic!("--from {from}: {e}")),
        to: party6(n, to, false).unwrap_or_else(|e| panic!("--to {to}: {e}")),
        src_ip: src_ip.map(|s| s.parse().unwrap()),
        proto,
        port,
        src_port: None,
    }
}

fn ask6(n: &Network, from: &str, to: &str, src_ip: Option<&str>, proto: u8, port: u16) -> Analysis {
    analyze6_q(n, &q6(n, from, to, src_ip, proto, port)).expect("an IPv6 question")
}

/// The virtual backend's probe of the same question: (reply or exited, blocker code).
fn probe6(n: &Network, q: &Question6) -> (bool, bool, Option<String>) {
    let p = prepare6(n, q).expect("prepared");
    let pn = std::sync::Arc::new(p.network(n).clone());
    match vpclab::reach::ipv6::endpoints6(&pn, &p) {
        Err((d, _, _)) => (false, false, d.code.map(|c| c.to_string())),
        Ok((src, dst)) => {
            let port = match p.from {
                End6::Eni(e) => pn.instance(pn.eni_instance(e).unwrap()).port,
                End6::Host(h) => pn.internet_host(h).port,
                End6::Addr(_) => unreachable!("a destination only"),
            };
            let pp = match q.proto {
                1 | 58 => ProbeProto::Icmp,
                x => ProbeProto::from_number(x),
            };
            let r = Lab::new(pn.clone()).probe6(port, src, dst, pp, q.port, None);
            (
                r.reply,
                r.exited,
                r.blocked.and_then(|d| d.code.map(|c| c.to_string())),
            )
        }
    }
}

/// `reach -6` and `probe -6` agree on the question; returns reach's answer.
fn agree(
    n: &Network,
    from: &str,
    to: &str,
    src_ip: Option<&str>,
    proto: u8,
    port: u16,
) -> Analysis {
    let q = q6(n, from, to, src_ip, proto, port);
    let a = analyze6_q(n, &q).expect("an IPv6 question");
    let (reply, exited, code) = probe6(n, &q);
    assert_eq!(
        a.reachable,
        reply || exited,
        "{from} → {to}: reach {} (blocker {:?}), probe reply {reply} exited {exited} (blocker {code:?})",
        a.reachable,
        a.blocked.as_ref().map(|b| b.code())
    );
    assert_eq!(a.exits_network, exited, "{from} → {to}: exits_network");
    if !a.reachable
        && a.blocked
            .as_ref()
            .is_some_and(|b| b.path == vpclab::reach::PathLeg::Forward)
    {
        assert_eq!(
            code,
            a.blocked.as_ref().map(|b| b.code().to_string()),
            "{from} → {to}: the same blocker"
        );
    }
    a
}

#[test]
fn subnet_sources_over_ipv6_start_in_the_subnet_at_its_first_free_address() {
    let n = dual(BOTH, "");
    let a = agree(&n, "subnet-public", "web", None, 6, 80);
    assert!(a.reachable, "{a:#?}");
    assert!(
        a.from.starts_with("subnet-public (2600:1f18:4000::"),
        "{}",
        a.from
    );
    let a = agree(&n, "subnet-private", "client", None, 6, 80);
    assert!(a.reachable, "out through the egress-only gateway: {a:#?}");
    // --src-ip picks the address; outside the subnet's /64 is an input error.
    let a = agree(
        &n,
        "subnet-public",
        "web",
        Some("2600:1f18:4000::99"),
        6,
        80,
    );
    assert_eq!(a.from, "subnet-public (2600:1f18:4000::99)");
    let e = analyze6_q(
        &n,
        &q6(
            &n,
            "subnet-public",
            "web",
            Some("2600:1f18:4000:1::99"),
            6,
            80,
        ),
    )
    .unwrap_err();
    assert!(e.contains("not in subnet-public"), "{e}");
    // An IPv6 address in a subnet, typed as the source, is that subnet's.
    let a = ask6(&n, "2600:1f18:4000::77", "web", None, 6, 80);
    assert_eq!(a.from, "subnet-public (2600:1f18:4000::77)");
    assert!(a.reachable);
}

#[test]
fn an_ipv4_only_subnet_is_a_clear_input_error_over_ipv6() {
    let n = net("name: t
vpcs:
  v:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    subnets:
      old: { cidr: 10.0.0.0/24 }
      new: { cidr: 10.0.1.0/24, ipv6_cidr: 1, assign_ipv6_address_on_creation: true }
    instances:
      a: { subnet: new }
");
    let e = analyze6_q(&n, &q6(&n, "subnet-old", "a", None, 6, 80)).unwrap_err();
    assert!(e.contains("subnet-old is IPv4-only"), "{e}");
}

#[test]
fn unowned_ipv6_destinations_inside_and_outside_the_vpc() {
    let n = dual(BOTH, "");
    // In a subnet, no ENI has it.
    let a = agree(&n, "web", "2600:1f18:4000::99", None, 6, 80);
    assert!(!a.reachable);
    assert_eq!(code(&a), "subnet-public NO_ENI_AT_ADDRESS");
    // In the VPC's /56, no subnet holds it.
    let a = agree(&n, "web", "2600:1f18:4000:ff::1", None, 6, 80);
    assert_eq!(code(&a), "vpc-main NO_ROUTE_TO_DESTINATION");
    assert!(a.blocked.unwrap().fix.contains("add a subnet"));
    // Outside every VPC: out through the gateway, exits_network.
    let a = agree(&n, "web", "2001:db8:ffff::1", None, 6, 443);
    assert!(a.reachable && a.exits_network, "{a:#?}");
    assert_eq!(a.forward.last().unwrap().component, "igw-main");
    let a = agree(&n, "app", "2001:db8:ffff::1", None, 17, 53);
    assert!(
        a.reachable && a.exits_network,
        "through the egress-only gateway: {a:#?}"
    );
    // An address that names nothing is an input error.
    assert!(party6(&n, "ff02::1", false).is_err());
    assert!(party6(&n, "fe80::1", true).is_err());
}

#[test]
fn gateway_and_internet_sources_over_ipv6() {
    let n = dual(BOTH, "");
    let a = agree(&n, "igw-main", "web", None, 6, 80);
    assert!(a.reachable, "{a:#?}");
    assert!(
        a.from.starts_with("igw-main (from 2001:db8::"),
        "{}",
        a.from
    );
    let a = agree(&n, "igw-main", "web", Some("2001:db8:5::1"), 6, 80);
    assert_eq!(a.from, "igw-main (from 2001:db8:5::1)");
    assert!(a.reachable);
    // The egress-only gateway admits nothing initiated from outside.
    let a = agree(&n, "eigw-egress", "app", None, 6, 80);
    assert!(!a.reachable);
    assert_eq!(code(&a), "eigw-egress EIGW_NO_INBOUND_INITIATION");
    assert!(a.blocked.unwrap().fix.contains("igw"));
    // `internet --src-ip` IPv6, and an IPv6 address outside every VPC as the source.
    let a = agree(&n, "internet", "web", Some("2001:db8:7::7"), 58, 0);
    assert_eq!(a.from, "internet (2001:db8:7::7)");
    assert_eq!(
        code(&a),
        "sg-web ENI_SG_RULES_MISMATCH",
        "sg-web has no ICMPv6 rule"
    );
    let a = agree(&n, "2001:db8:7::8", "app", None, 6, 80);
    assert_eq!(code(&a), "eigw-egress EIGW_NO_INBOUND_INITIATION");
    // An internet address inside a VPC is refused.
    let e = analyze6_q(
        &n,
        &q6(&n, "internet", "web", Some("2600:1f18:4000::9"), 6, 80),
    )
    .unwrap_err();
    assert!(e.contains("inside a VPC"), "{e}");
}

#[test]
fn sources_that_cannot_send_ipv6_on_aws_are_refused() {
    let n = dual(BOTH, "");
    let e = analyze6_q(&n, &q6(&n, "nat-a", "web", None, 6, 80)).unwrap_err();
    assert!(e.contains("nat-a has no IPv6 address"), "{e}");
    // An IPv4 address under -6.
    let e = party6(&n, "10.0.1.4", false).unwrap_err();
    assert!(e.contains("IPv4 address"), "{e}");
    // A spoofed IPv6 source is dropped by the source/destination check, in both.
    let a = agree(&n, "web", "client", Some("2600:1f18:4000::99"), 6, 80);
    assert_eq!(code(&a), "eni-web ENI_SOURCE_DEST_CHECK_RESTRICTION");
}

#[test]
fn icmpv6_and_dns64_agree_between_reach_and_probe() {
    let n = dual(BOTH, "");
    let a = agree(&n, "app", "client", None, 58, 0);
    assert!(a.reachable);
    assert_eq!(a.protocol, "icmpv6");
    let a = agree(&n, "worker", "legacy", None, 6, 80);
    assert!(a.reachable, "{a:#?}");
    let a = agree(&n, "worker", "legacy", None, 1, 0);
    assert!(a.reachable, "ICMPv6 echo through NAT64: {a:#?}");
    let a = agree(&n, "lonely", "legacy", None, 6, 80);
    assert!(!a.reachable);
}

/// `vpclab ARGS... --json` on `topologies/dual-stack.yaml`: exit code and JSON.
fn cli(cmd: &str, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg(cmd)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/topologies/dual-stack.yaml"
        ))
        .args(args)
        .arg("--json")
        .output()
        .expect("vpclab runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), v, err)
}

#[test]
fn the_family_follows_the_addresses_and_minus_4_minus_6_per_the_spec() {
    // An IPv6 --src-ip or address chooses IPv6 without -6.
    let (c, v, e) = cli(
        "reach",
        &[
            "--from",
            "internet",
            "--src-ip",
            "2001:db8::77",
            "--to",
            "web",
        ],
    );
    assert_eq!(c, 0, "{e}");
    assert_eq!(v["from"], "internet (2001:db8::77)");
    assert_eq!(v["destination_ipv6"], "2600:1f18:4000::4");
    let (c, v, _) = cli("reach", &["--from", "web", "--to", "2001:db8:ffff::1"]);
    assert_eq!(
        (c, v["exits_network"].clone()),
        (0, serde_json::json!(true))
    );
    // The egress-only gateway is IPv6 only.
    let (c, v, _) = cli("reach", &["--from", "eigw-egress", "--to", "app"]);
    assert_eq!(c, 1);
    assert_eq!(v["blocked"]["code"], "EIGW_NO_INBOUND_INITIATION");
    // A name with one family (an IPv6-only subnet's instance) is asked in it.
    let (c, v, _) = cli("reach", &["--from", "worker", "--to", "legacy"]);
    assert_eq!(c, 0);
    assert_eq!(v["destination_ipv6"], "64:ff9b::c633:6414");
    // A name with both: IPv4 by default.
    let (_, v, _) = cli("reach", &["--from", "client", "--to", "web"]);
    assert!(v["destination_ip"].is_string(), "{v:#}");
    assert!(v.get("destination_ipv6").is_none());
    // -4 with an IPv6 address, and an IPv4 --src-ip with -6, are input errors (exit 2).
    let (c, _, e) = cli("reach", &["-4", "--from", "web", "--to", "2001:db8::10"]);
    assert_eq!(c, 2, "{e}");
    let (c, _, e) = cli(
        "reach",
        &[
            "-6",
            "--from",
            "subnet-public",
            "--src-ip",
            "10.0.0.99",
            "--to",
            "web",
        ],
    );
    assert_eq!(c, 2);
    assert!(e.contains("-6 takes an IPv6 source address"), "{e}");
    let (c, _, e) = cli("reach", &["-6", "--from", "nat-a", "--to", "web"]);
    assert_eq!(c, 2);
    assert!(e.contains("no IPv6 address"), "{e}");
}

#[test]
fn probe_minus_6_file_sends_real_ipv6_and_agrees_with_reach() {
    for args in [
        &["-6", "--from", "client", "--to", "web"][..],
        &[
            "-6",
            "--from",
            "subnet-private",
            "--to",
            "internet",
            "--protocol",
            "icmp",
        ],
        &[
            "--from",
            "internet",
            "--src-ip",
            "2001:db8::77",
            "--to",
            "app",
        ],
        &[
            "-6",
            "--from",
            "worker",
            "--to",
            "legacy",
            "--protocol",
            "udp",
            "--port",
            "9000",
        ],
        &["--from", "web", "--to", "2600:1f18:4000::99"],
        &["--from", "web", "--to", "2001:db8:ffff::1", "--port", "443"],
    ] {
        let (rc, r, e) = cli("reach", args);
        let (pc, p, pe) = cli("probe", args);
        assert_eq!(rc, pc, "{args:?}: reach {e} probe {pe}\n{r:#}\n{p:#}");
        assert_eq!(
            r["reachable"],
            serde_json::json!(p["reply"] == true || p["exited"] == true),
            "{args:?}"
        );
        assert_eq!(r["exits_network"], p["exited"], "{args:?}");
        if r["reachable"] == false {
            assert_eq!(r["blocked"]["code"], p["blocked"]["code"], "{args:?}");
            assert!(p["blocked"]["fix"].is_string(), "{args:?}: {p:#}");
        }
    }
    let (c, _, e) = cli(
        "probe",
        &[
            "-6",
            "--from",
            "subnet-public",
            "--to",
            "web",
            "--protocol",
            "icmpv6",
        ],
    );
    assert_eq!(c, 0, "sg-web allows ICMPv6 from ::/0: {e}");
}
