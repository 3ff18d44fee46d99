//! IPv6 in flow logs and captures: the engine's IPv6 packet events written as AWS writes them
//! (flow-log records §"IPv6 traffic": IPv6 text in `srcaddr`/`dstaddr`, `type` IPv6, ICMPv6 as
//! protocol 58 with ports 0), through the internet gateway, the egress-only gateway (out and
//! its replies; nothing initiated from outside reaches an ENI, so nothing is logged), NAT64 at
//! the NAT gateway (the IPv6 side and the IPv4 side on its ENI), a security group without an
//! IPv6 rule (REJECT) and a NACL rejecting the reply (REJECT on the ENI, as AWS's ping example
//! shows it); then the pcapng of the same packets opened by tshark.

use crate::common::flowlog::EPOCH_NS;
use crate::common::require::{self, TSHARK};
use crate::common::tshark::lines as tshark;
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;
use vpclab::engine::wire::ipv6::{checksum6, frame6};
use vpclab::engine::wire::{self, Frame, Tcp};
use vpclab::engine::{Capture, Engine, EngineConfig, Output, PacketEvent};
use vpclab::flowlog::Sinks;
use vpclab::model::{Network, PortId};
use vpclab::policy::{Header, IpHeader};

/// A dual-stack VPC with every IPv6 way out: the internet gateway (public), the egress-only
/// gateway (private), NAT64 (v6only), a subnet whose NACL lets nothing IPv6 out (locked).
const TOPO: &str = "name: fl6
vpcs:
  v:
    cidr: 10.0.0.0/16
    ipv6_cidr: amazon
    internet_gateway: true
    egress_only_internet_gateways:
      out: {}
    subnets:
      pub: { cidr: 10.0.0.0/24, ipv6_cidr: 0, route_table: pub, assign_ipv6_address_on_creation: true }
      priv: { cidr: 10.0.1.0/24, ipv6_cidr: 1, route_table: priv, assign_ipv6_address_on_creation: true }
      v6only: { cidr: 10.0.2.0/24, ipv6_cidr: 2, ipv6_only: true, dns64: true, route_table: v6only }
      locked: { cidr: 10.0.3.0/24, ipv6_cidr: 3, route_table: pub, network_acl: in-only, assign_ipv6_address_on_creation: true }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
          - { destination: \"::/0\", target: igw }
      priv:
        routes:
          - { destination: \"::/0\", target: eigw:out }
      v6only:
        routes:
          - { destination: \"::/0\", target: eigw:out }
          - { destination: \"64:ff9b::/96\", target: nat:nat-a }
    network_acls:
      in-only:
        inbound:
          - { rule: 100, action: allow, protocol: all, cidr: \"::/0\" }
        outbound:
          - { rule: 100, action: deny, protocol: all, cidr: \"::/0\" }
    nat_gateways:
      nat-a: { subnet: pub }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: \"::/0\" }
          - { protocol: icmpv6, source: \"::/0\" }
      v4only:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: pub, security_groups: [web] }
      v4web: { subnet: pub, security_groups: [v4only] }
      app: { subnet: priv, security_groups: [web] }
      worker: { subnet: v6only }
      shut: { subnet: locked, security_groups: [web] }
      multi: { subnet: pub, security_groups: [web], ipv6_address_count: 2, source_dest_check: false }
internet:
  hosts:
    client: { ip: 198.51.100.10, ipv6: \"2001:db8::10\" }
    legacy: { ip: 198.51.100.20 }
flow_logs:
  - { resource: vpc:v, format: aws, path: default.log }
  - resource: vpc:v
    format: aws
    path: custom.log
    fields: [interface-id, type, srcaddr, dstaddr, srcport, dstport, protocol, pkt-srcaddr, pkt-dstaddr, action, tcp-flags, flow-direction, traffic-path]
  - { resource: vpc:v, format: pcapng, path: all.pcapng }
";

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const SYN_ACK: u8 = 0x12;
const LEGACY: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 20);

/// The engine with events (and frames) on, its events kept and fed to the topology's sinks.
struct Lab {
    net: Arc<Network>,
    e: Engine,
    now: u64,
    events: Vec<PacketEvent>,
    /// Frames the engine sent, with their port.
    frames: Vec<(PortId, Vec<u8>)>,
}

impl Lab {
    fn new(capture: bool) -> Lab {
        let net = Arc::new(crate::common::net(TOPO));
        let cfg = EngineConfig {
            capture: Capture::all_or_off(capture),
            ..EngineConfig::default()
        };
        Lab {
            e: Engine::new(net.clone(), cfg),
            net,
            now: 1_000_000_000,
            events: vec![],
            frames: vec![],
        }
    }
    fn port(&self, name: &str) -> PortId {
        self.net.ports.iter().find(|p| p.name == name).unwrap().id
    }
    fn eni_id(&self, name: &str) -> String {
        let i = self.net.instance_by_name(name).unwrap();
        self.net.eni(self.net.instance(i).eni).aws_id.clone()
    }
    fn v6(&self, name: &str) -> Ipv6Addr {
        if let Some(i) = self.net.instance_by_name(name) {
            return self.net.eni_ipv6(self.net.instance(i).eni)[0];
        }
        let h = self.net.internet_host_by_name(name).unwrap();
        self.net.host_ipv6(h).unwrap()
    }
    /// Hands `f` to the engine from `from`; keeps what comes out.
    fn send(&mut self, from: &str, f: Vec<u8>) {
        self.now += 1_000_000;
        self.e.handle_frame(self.port(from), &f, self.now);
        while let Some(o) = self.e.poll_output() {
            match o {
                Output::Frame { port, data } => self.frames.push((port, data)),
                Output::Packet(ev) => self.events.push(*ev),
            }
        }
    }
    /// A TCP segment from `from` to `dst` (host names resolve to their IPv6 address).
    fn tcp6(&mut self, from: &str, dst: Ipv6Addr, sport: u16, dport: u16, flags: u8) {
        let src = self.v6(from);
        let mut seg = vec![0u8; 20];
        seg[0..2].copy_from_slice(&sport.to_be_bytes());
        seg[2..4].copy_from_slice(&dport.to_be_bytes());
        seg[12] = 5 << 4;
        seg[13] = flags;
        seg[14] = 0xff;
        let c = checksum6(src, dst, 6, &seg);
        seg[16..18].copy_from_slice(&c.to_be_bytes());
        let mac = self.net.port(self.port(from)).mac;
        let f = frame6(self.net.router_mac, mac, src, dst, 6, 64, seg);
        self.send(from, f);
    }
    /// An ICMPv6 echo (request 128 or reply 129) from `from` to `to`.
    fn echo6(&mut self, from: &str, to: &str, kind: u8) {
        let (src, dst) = (self.v6(from), self.v6(to));
        let msg = vec![kind, 0, 0, 0, 0, 7, 0, 1, b'p', b'i', b'n', b'g'];
        let mac = self.net.port(self.port(from)).mac;
        let f = frame6(self.net.router_mac, mac, src, dst, 58, 64, msg);
        self.send(from, f);
    }
    /// Writes every event so far to the topology's flow logs in `dir`.
    fn write_logs(&self, dir: &Path) {
        let mut sinks = Sinks::from_network(&self.net, dir, EPOCH_NS).unwrap();
        for ev in &self.events {
            sinks.record(ev).unwrap();
        }
        sinks.finish().unwrap();
    }
}

/// The records of a flow-log file, split into fields (a custom format's header line skipped).
fn records(p: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

/// The custom records at an ENI, as (type srcaddr dstaddr srcport dstport protocol pkt-srcaddr
/// pkt-dstaddr action tcp-flags flow-direction traffic-path).
fn at(recs: &[Vec<String>], eni: &str) -> BTreeSet<Vec<String>> {
    recs.iter()
        .filter(|r| r[0] == eni)
        .map(|r| r[1..].to_vec())
        .collect()
}

fn row(f: &[&str]) -> Vec<String> {
    f.iter().map(|s| s.to_string()).collect()
}

/// The handshake client → web:80 over IPv6 through the internet gateway, then a ping.
fn web_exchange(l: &mut Lab) {
    let web = l.v6("web");
    let client = l.v6("client");
    l.tcp6("client", web, 40000, 80, SYN);
    l.tcp6("web", client, 80, 40000, SYN_ACK);
    l.tcp6("client", web, 40000, 80, ACK);
    l.echo6("client", "web", 128);
    l.echo6("web", "client", 129);
}

#[test]
fn dual_stack_tcp_and_ping_through_the_internet_gateway() {
    let mut l = Lab::new(false);
    web_exchange(&mut l);
    let d = tempfile::tempdir().unwrap();
    l.write_logs(d.path());
    let (web, client) = (l.v6("web").to_string(), l.v6("client").to_string());
    let eni = l.eni_id("web");
    let acct = l.net.vpcs[0].account.clone();

    // The default format: AWS's IPv6 example, field for field.
    let def = records(&d.path().join("default.log"));
    let tcp_in = def
        .iter()
        .find(|r| r[2] == eni && r[3] == client && r[6] == "80")
        .unwrap_or_else(|| panic!("no inbound TCP record at {eni}: {def:?}"));
    assert_eq!(
        (&tcp_in[0], &tcp_in[1], &tcp_in[4], &tcp_in[5], &tcp_in[7]),
        (
            &"2".to_string(),
            &acct,
            &web,
            &"40000".to_string(),
            &"6".to_string()
        )
    );
    // SYN and ACK: two packets of 60 bytes (40 of IPv6 header, 20 of TCP).
    assert_eq!((tcp_in[8].as_str(), tcp_in[9].as_str()), ("2", "120"));
    assert_eq!((tcp_in[12].as_str(), tcp_in[13].as_str()), ("ACCEPT", "OK"));
    let ping_in = def
        .iter()
        .find(|r| r[2] == eni && r[3] == client && r[7] == "58")
        .expect("the echo request's record");
    assert_eq!((ping_in[5].as_str(), ping_in[6].as_str()), ("0", "0"));
    assert_eq!(ping_in[9], "52", "40 + 12 bytes of ICMPv6");

    let custom = records(&d.path().join("custom.log"));
    let want: BTreeSet<Vec<String>> = [
        row(&[
            "IPv6", &client, &web, "40000", "80", "6", &client, &web, "ACCEPT", "2", "ingress", "-",
        ]),
        row(&[
            "IPv6", &web, &client, "80", "40000", "6", &web, &client, "ACCEPT", "18", "egress", "2",
        ]),
        row(&[
            "IPv6", &client, &web, "0", "0", "58", &client, &web, "ACCEPT", "0", "ingress", "-",
        ]),
        row(&[
            "IPv6", &web, &client, "0", "0", "58", &web, &client, "ACCEPT", "0", "egress", "2",
        ]),
    ]
    .into_iter()
    .collect();
    assert_eq!(at(&custom, &eni), want);
}

#[test]
fn an_sg_without_an_ipv6_rule_rejects_and_the_record_says_so() {
    let mut l = Lab::new(false);
    let v4web = l.v6("v4web");
    l.tcp6("client", v4web, 40001, 80, SYN);
    let d = tempfile::tempdir().unwrap();
    l.write_logs(d.path());
    let client = l.v6("client").to_string();
    let custom = records(&d.path().join("custom.log"));
    let want: BTreeSet<Vec<String>> = [row(&[
        "IPv6",
        &client,
        &v4web.to_string(),
        "40001",
        "80",
        "6",
        &client,
        &v4web.to_string(),
        "REJECT",
        "2",
        "ingress",
        "-",
    ])]
    .into_iter()
    .collect();
    assert_eq!(at(&custom, &l.eni_id("v4web")), want);
    assert!(l.frames.iter().all(|(p, _)| *p != l.port("v4web")));
}

#[test]
fn a_nacl_denying_ipv6_out_rejects_the_reply_on_the_eni() {
    let mut l = Lab::new(false);
    let (shut, client) = (l.v6("shut"), l.v6("client"));
    l.echo6("client", "shut", 128);
    l.echo6("shut", "client", 129);
    let d = tempfile::tempdir().unwrap();
    l.write_logs(d.path());
    let (s, c) = (shut.to_string(), client.to_string());
    let custom = records(&d.path().join("custom.log"));
    // AWS's ping example: an ACCEPT for the request, a REJECT for the reply the NACL denies.
    let want: BTreeSet<Vec<String>> = [
        row(&[
            "IPv6", &c, &s, "0", "0", "58", &c, &s, "ACCEPT", "0", "ingress", "-",
        ]),
        // Stopped at the NACL before any route: no traffic path, as over IPv4.
        row(&[
            "IPv6", &s, &c, "0", "0", "58", &s, &c, "REJECT", "0", "egress", "-",
        ]),
    ]
    .into_iter()
    .collect();
    assert_eq!(at(&custom, &l.eni_id("shut")), want);
}

#[test]
fn the_egress_only_gateway_logs_out_and_replies_and_nothing_from_outside() {
    let mut l = Lab::new(false);
    let (app, client) = (l.v6("app"), l.v6("client"));
    l.tcp6("app", client, 41000, 443, SYN);
    l.tcp6("client", app, 443, 41000, SYN_ACK);
    // Initiated from the internet: the gateway drops it before any ENI.
    l.tcp6("client", app, 42000, 80, SYN);
    let d = tempfile::tempdir().unwrap();
    l.write_logs(d.path());
    let (a, c) = (app.to_string(), client.to_string());
    let custom = records(&d.path().join("custom.log"));
    let want: BTreeSet<Vec<String>> = [
        row(&[
            "IPv6", &a, &c, "41000", "443", "6", &a, &c, "ACCEPT", "2", "egress", "2",
        ]),
        row(&[
            "IPv6", &c, &a, "443", "41000", "6", &c, &a, "ACCEPT", "18", "ingress", "-",
        ]),
    ]
    .into_iter()
    .collect();
    assert_eq!(at(&custom, &l.eni_id("app")), want);
    assert!(
        !custom.iter().any(|r| r.contains(&"42000".to_string())),
        "nothing initiated from outside is logged anywhere: {custom:?}"
    );
}

#[test]
fn nat64_logs_the_ipv6_and_the_ipv4_side_at_the_nat_gateway() {
    let mut l = Lab::new(false);
    let synth: Ipv6Addr = "64:ff9b::c633:6414".parse().unwrap();
    l.tcp6("worker", synth, 43000, 80, SYN);
    // The gateway's IPv4 SYN to legacy gives the mapped port; legacy answers it.
    let legacy = l.port("legacy");
    let (_, syn4) = l
        .frames
        .iter()
        .find(|(p, _)| *p == legacy)
        .cloned()
        .expect("the translated SYN reaches legacy");
    let Ok(Frame::Ip(ip)) = wire::parse(&syn4) else {
        panic!("a valid IPv4 frame")
    };
    let h = ip.header;
    assert_eq!(h.dst, LEGACY);
    let mac = l.net.port(legacy).mac;
    let back = wire::build(
        mac,
        l.net.router_mac,
        &Header::l4(LEGACY, h.src, 6, 80, h.sport),
        Tcp {
            flags: SYN_ACK,
            seq: 1,
            ack: 8,
        },
        1,
        &[],
    );
    l.send("legacy", back);
    let worker_port = l.port("worker");
    assert!(
        l.frames.iter().any(|(p, _)| *p == worker_port),
        "the reply reaches worker as IPv6"
    );
    let d = tempfile::tempdir().unwrap();
    l.write_logs(d.path());
    let nat = &l.net.nat_gateways[0];
    let nat_eni = l.net.eni(nat.eni).aws_id.clone();
    let nat_ip = l.net.eni(nat.eni).private_ip.to_string();
    let eip = nat.elastic_ip.unwrap().to_string();
    let (w, s, g) = (
        l.v6("worker").to_string(),
        synth.to_string(),
        LEGACY.to_string(),
    );
    let port = h.sport.to_string();
    let custom = records(&d.path().join("custom.log"));
    // pkt-srcaddr / pkt-dstaddr as AWS's NAT gateway example has them, per family: the IPv6
    // client's packet in and the translated reply out (the NAT gateway's ENI has no IPv6
    // address, so the packet's stands in), the gateway's IPv4 packet out and its reply in.
    let want: BTreeSet<Vec<String>> = [
        row(&[
            "IPv6", &w, &s, "43000", "80", "6", &w, &s, "ACCEPT", "2", "ingress", "-",
        ]),
        row(&[
            "IPv4", &nat_ip, &g, &port, "80", "6", &nat_ip, &g, "ACCEPT", "2", "egress", "2",
        ]),
        row(&[
            "IPv4", &g, &nat_ip, "80", &port, "6", &g, &nat_ip, "ACCEPT", "18", "ingress", "-",
        ]),
        row(&[
            "IPv6", &s, &w, "80", "43000", "6", &s, &w, "ACCEPT", "18", "egress", "1",
        ]),
    ]
    .into_iter()
    .collect();
    assert_eq!(at(&custom, &nat_eni), want, "{custom:?}");
    let want: BTreeSet<Vec<String>> = [
        row(&[
            "IPv6", &w, &s, "43000", "80", "6", &w, &s, "ACCEPT", "2", "egress", "1",
        ]),
        row(&[
            "IPv6", &s, &w, "80", "43000", "6", &s, &w, "ACCEPT", "18", "ingress", "-",
        ]),
    ]
    .into_iter()
    .collect();
    assert_eq!(at(&custom, &l.eni_id("worker")), want);
    assert!(
        !custom.iter().flatten().any(|x| *x == eip),
        "the Elastic IP never appears"
    );
}

/// The events carry typed IPv6 headers, the walk's decision shared (not copied) per ENI.
#[test]
fn ipv6_events_are_typed_and_share_the_decision() {
    let mut l = Lab::new(false);
    web_exchange(&mut l);
    assert!(!l.events.is_empty());
    for ev in &l.events {
        let IpHeader::V6(h) = ev.header else {
            panic!("an IPv4 event in an IPv6 exchange: {ev:?}")
        };
        assert_eq!((ev.pkt_src, ev.pkt_dst), (h.src.into(), h.dst.into()));
        assert_eq!(ev.verdict, ev.decision.verdict);
        assert!(ev.frame.is_none(), "no capture asked for frames");
    }
}

#[test]
#[ignore = "needs tshark: run the README's test command (scripts/test.sh)"]
fn tshark_decodes_the_ipv6_pcapng() {
    require::tools(&[TSHARK]);
    // Real frames (a capture asked for them), and headers-only stand-ins (none asked).
    for capture in [true, false] {
        let mut l = Lab::new(capture);
        web_exchange(&mut l);
        let v4web = l.v6("v4web");
        l.tcp6("client", v4web, 40001, 80, SYN);
        let d = tempfile::tempdir().unwrap();
        l.write_logs(d.path());
        let p = d.path().join("all.pcapng");
        let f = p.to_str().unwrap();
        let n = l.events.len();
        assert_eq!(tshark(&["-r", f]).len(), n, "capture {capture}");
        let types = tshark(&["-r", f, "-T", "fields", "-e", "eth.type"]);
        assert!(types.iter().all(|t| t == "0x86dd"), "{types:?}");
        let srcs = tshark(&["-r", f, "-T", "fields", "-e", "ipv6.src"]);
        assert_eq!(srcs[0], l.v6("client").to_string());
        let icmp = tshark(&[
            "-r",
            f,
            "-Y",
            "icmpv6.type == 128",
            "-T",
            "fields",
            "-e",
            "ipv6.dst",
        ]);
        assert_eq!(
            icmp,
            vec![l.v6("web").to_string()],
            "at web's ENI, and no other"
        );
        let ports = tshark(&[
            "-r",
            f,
            "-Y",
            "tcp.flags.syn == 1",
            "-T",
            "fields",
            "-e",
            "tcp.dstport",
        ]);
        assert_eq!(ports.len(), 3, "SYN, SYN-ACK, the rejected SYN: {ports:?}");
        let rejected = tshark(&[
            "-r",
            f,
            "-Y",
            "frame.comment contains \"REJECT\"",
            "-T",
            "fields",
            "-e",
            "ipv6.dst",
        ]);
        assert_eq!(rejected, vec![v4web.to_string()]);
        if capture {
            // Whole packets: tshark checks the TCP checksum of the real frames.
            let bad = tshark(&[
                "-r",
                f,
                "-o",
                "tcp.check_checksum:TRUE",
                "-Y",
                "tcp.checksum.status == 0",
            ]);
            assert!(bad.is_empty(), "bad checksums: {bad:?}");
        }
    }
}

/// `vpclab flows` reads the IPv6 records back: totals, the rejected IPv6 flow whole in its
/// columns, the JSON's IPv6 text.
#[test]
fn flows_summarises_ipv6_records() {
    let mut l = Lab::new(false);
    web_exchange(&mut l);
    let v4web = l.v6("v4web");
    l.tcp6("client", v4web, 40001, 80, SYN);
    let d = tempfile::tempdir().unwrap();
    l.write_logs(d.path());
    let f = d.path().join("default.log");
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
            .arg("flows")
            .arg(&f)
            .args(args)
            .output()
            .expect("runs");
        assert!(o.status.success(), "{o:?}");
        String::from_utf8(o.stdout).unwrap()
    };
    let out = run(&[]);
    assert!(out.starts_with("5 records: 4 ACCEPT, 1 REJECT"), "{out}");
    let client = l.v6("client").to_string();
    let line = out
        .lines()
        .find(|x| x.contains(&v4web.to_string()) && x.contains("tcp"))
        .unwrap_or_else(|| panic!("the rejected flow: {out}"));
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        cols,
        vec![
            &l.eni_id("v4web"),
            client.as_str(),
            &v4web.to_string(),
            "80",
            "tcp",
            "1"
        ]
    );
    let v: serde_json::Value =
        serde_json::from_str(&run(&["--action", "REJECT", "--json"])).unwrap();
    assert_eq!(v["rejected_flows"][0]["srcaddr"], client.as_str());
    assert_eq!(v["records"], 1);
}

/// The ENI's side of an IPv6 record is the packet's address when the ENI owns it (any of its
/// addresses), else its first address; `pkt-srcaddr`/`pkt-dstaddr` keep the packet's.
#[test]
fn the_eni_side_is_its_own_ipv6_address() {
    use vpclab::flowlog::{Aggregator, Field};
    use vpclab::policy::{Decision, Direction, Header6, Verdict};
    let net = crate::common::net(TOPO);
    let i = net.instance_by_name("multi").unwrap();
    let eni = net.instance(i).eni;
    let own = net.eni_ipv6(eni).to_vec();
    assert_eq!(own.len(), 2);
    let client: Ipv6Addr = "2001:db8::10".parse().unwrap();
    let elsewhere: Ipv6Addr = "2001:db8:ffff::1".parse().unwrap();
    let fields = ["srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr", "type"]
        .iter()
        .map(|f| Field::parse(f).unwrap())
        .collect();
    let mut agg = Aggregator::new(&net, Some(fields), 60, EPOCH_NS);
    let d = Arc::new(Decision {
        verdict: Verdict::Accept,
        component: "sg-web".into(),
        kind: vpclab::policy::ComponentKind::SecurityGroup,
        direction: None,
        rule: vpclab::policy::RuleId::Tracked,
        code: None,
        detail: String::new(),
    });
    let ev = |dir, src: Ipv6Addr, dst: Ipv6Addr| PacketEvent {
        time: 1_000,
        eni,
        direction: dir,
        header: Header6::l4(src, dst, 6, 1000, 80).into(),
        pkt_src: src.into(),
        pkt_dst: dst.into(),
        bytes: 60,
        packets: 1,
        tcp_flags: vpclab::engine::TcpFlags::NONE,
        verdict: Verdict::Accept,
        decision: d.clone(),
        traffic_path: None,
        frame: None,
    };
    agg.record(&ev(Direction::Inbound, client, own[1]));
    agg.record(&ev(Direction::Inbound, client, elsewhere));
    agg.record(&ev(Direction::Outbound, elsewhere, client));
    agg.finish();
    let got: BTreeSet<String> = agg.take_lines().into_iter().collect();
    let (a, b, c, x) = (own[0], own[1], client, elsewhere);
    let want: BTreeSet<String> = [
        format!("{c} {b} {c} {b} IPv6"),
        format!("{c} {a} {c} {x} IPv6"),
        format!("{a} {c} {x} {c} IPv6"),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
}

/// `vpclab probe -6 FILE` (the virtual backend's IPv6 probe) writes the records the engine's
/// events give above: NAT64's four at the gateway's ENI, two per family, and the client's two.
#[test]
fn probe_6_on_the_virtual_backend_writes_the_same_records() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("fl6.yaml");
    std::fs::write(&f, TOPO).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("probe")
        .arg(&f)
        .args(["-6", "--from", "worker", "--to", "legacy", "--port", "80"])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{o:?}");
    let net = crate::common::net(TOPO);
    let nat = &net.nat_gateways[0];
    let nat_eni = net.eni(nat.eni).aws_id.clone();
    let nat_ip = net.eni(nat.eni).private_ip.to_string();
    let w = net.eni_ipv6(net.instance(net.instance_by_name("worker").unwrap()).eni)[0].to_string();
    let (s, g) = ("64:ff9b::c633:6414", LEGACY.to_string());
    let custom = records(&d.path().join("custom.log"));
    // type srcaddr dstaddr pkt-srcaddr pkt-dstaddr action flow-direction (ports and flags
    // are the probe's own).
    let pick = |eni: &str| -> BTreeSet<Vec<String>> {
        custom
            .iter()
            .filter(|r| r[0] == eni)
            .map(|r| {
                [1, 2, 3, 7, 8, 9, 11]
                    .iter()
                    .map(|i| r[*i].clone())
                    .collect()
            })
            .collect()
    };
    let want: BTreeSet<Vec<String>> = [
        row(&["IPv6", &w, s, &w, s, "ACCEPT", "ingress"]),
        row(&["IPv4", &nat_ip, &g, &nat_ip, &g, "ACCEPT", "egress"]),
        row(&["IPv4", &g, &nat_ip, &g, &nat_ip, "ACCEPT", "ingress"]),
        row(&["IPv6", s, &w, s, &w, "ACCEPT", "egress"]),
    ]
    .into_iter()
    .collect();
    assert_eq!(pick(&nat_eni), want, "{custom:?}");
    let want: BTreeSet<Vec<String>> = [
        row(&["IPv6", &w, s, &w, s, "ACCEPT", "egress"]),
        row(&["IPv6", s, &w, s, &w, "ACCEPT", "ingress"]),
    ]
    .into_iter()
    .collect();
    let i = net.instance_by_name("worker").unwrap();
    assert_eq!(pick(&net.eni(net.instance(i).eni).aws_id), want);
}
