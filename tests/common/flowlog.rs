//! Shared helpers of the flow-log tests: a known network and hand-made packet events.

use std::net::Ipv4Addr;
use vpclab::engine::PacketEvent;
use vpclab::model::{EniId, Network};
use vpclab::policy::{ComponentKind, Decision, Direction, Header, RuleId, Verdict};

/// Engine time 0 in Unix seconds (a multiple of 600, so intervals start at engine time 0).
pub const EPOCH_S: u64 = 1_700_000_400;
/// As nanoseconds.
pub const EPOCH_NS: u64 = EPOCH_S * 1_000_000_000;

/// The three-tier example with `flow_logs` appended.
pub fn yaml(flow_logs: &str) -> String {
    let base = include_str!("../../topologies/three-tier.yaml");
    if flow_logs.is_empty() {
        base.to_string()
    } else {
        format!("{base}\nflow_logs:\n{flow_logs}")
    }
}

/// The resolved network of `yaml(flow_logs)`.
pub fn net(flow_logs: &str) -> Network {
    let t = vpclab::topology::parse_str("t.yaml", &yaml(flow_logs)).expect("topology parses");
    let mut r = vpclab::topology::validate::validate(&t, "t.yaml");
    assert!(!r.has_errors(), "{}", {
        r.sort();
        r
    });
    vpclab::model::build(&t, "t.yaml").expect("model builds")
}

/// The ENI of an instance or NAT gateway by its name.
pub fn eni(net: &Network, owner: &str) -> EniId {
    net.enis
        .iter()
        .find(|e| net.eni_owner_name(e.id) == owner)
        .map(|e| e.id)
        .expect("ENI exists")
}

/// An address.
pub fn ip(s: &str) -> Ipv4Addr {
    s.parse().expect("address")
}

/// An accepting decision of a component.
pub fn accept(component: &str, dir: Direction, rule: RuleId) -> Decision {
    Decision {
        verdict: Verdict::Accept,
        component: component.into(),
        kind: if component.starts_with("acl") {
            ComponentKind::NetworkAcl
        } else {
            ComponentKind::SecurityGroup
        },
        direction: Some(dir),
        rule,
        code: None,
        detail: String::new(),
    }
}

/// A rejecting decision of a component.
pub fn reject(component: &str, dir: Direction, rule: RuleId) -> Decision {
    Decision {
        verdict: Verdict::Reject,
        ..accept(component, dir, rule)
    }
}

/// A TCP packet event at `eni` (`pkt_src`/`pkt_dst` = the header unless given).
#[allow(clippy::too_many_arguments)]
pub fn tcp(
    t_ms: u64,
    eni: EniId,
    dir: Direction,
    src: &str,
    sport: u16,
    dst: &str,
    dport: u16,
    bytes: u32,
    flags: u8,
    d: Decision,
) -> PacketEvent {
    let header = Header::l4(ip(src), ip(dst), 6, sport, dport);
    PacketEvent {
        time: t_ms * 1_000_000,
        eni,
        direction: dir,
        header: header.into(),
        pkt_src: header.src.into(),
        pkt_dst: header.dst.into(),
        bytes,
        packets: 1,
        tcp_flags: vpclab::engine::TcpFlags::from_bits(flags),
        verdict: d.verdict,
        decision: d.into(),
        traffic_path: None,
        frame: None,
    }
}

/// TCP flag values.
pub const FIN: u8 = 1;
/// SYN.
pub const SYN: u8 = 2;
/// RST.
pub const RST: u8 = 4;
/// PSH.
pub const PSH: u8 = 8;
/// ACK.
pub const ACK: u8 = 16;

/// A TCP exchange client 198.51.100.10:40000 → web 10.0.0.10:80 as seen at web's ENI:
/// handshake, one request, one response, FIN both ways. Ingress 4 packets / 316 bytes,
/// egress 4 packets / 716 bytes.
pub fn web_exchange(net: &Network) -> Vec<PacketEvent> {
    let e = eni(net, "web");
    let (c, w) = ("198.51.100.10", "10.0.0.10");
    let sg_in = accept(
        "sg-web",
        Direction::Inbound,
        RuleId::SgRule {
            group: "sg-web".into(),
            index: 1,
        },
    );
    let tracked = || Decision {
        rule: RuleId::Tracked,
        direction: Some(Direction::Outbound),
        ..sg_in.clone()
    };
    use Direction::{Inbound as I, Outbound as O};
    let mut v = vec![
        tcp(1000, e, I, c, 40000, w, 80, 60, SYN, sg_in.clone()),
        tcp(1001, e, O, w, 80, c, 40000, 60, SYN | ACK, tracked()),
        tcp(1002, e, I, c, 40000, w, 80, 52, ACK, sg_in.clone()),
        tcp(1003, e, I, c, 40000, w, 80, 152, PSH | ACK, sg_in.clone()),
        tcp(1004, e, O, w, 80, c, 40000, 552, PSH | ACK, tracked()),
        tcp(1005, e, O, w, 80, c, 40000, 52, FIN | ACK, tracked()),
        tcp(1006, e, I, c, 40000, w, 80, 52, FIN | ACK, sg_in.clone()),
        tcp(1007, e, O, w, 80, c, 40000, 52, ACK, tracked()),
    ];
    for ev in &mut v {
        if ev.direction == O {
            ev.traffic_path = Some(vpclab::policy::TrafficPath::InternetGateway);
        }
    }
    v
}

/// Runs `vpclab probe FILE ARGS` (the virtual backend, which writes the file's flow logs) and
/// returns its exit code: 0 reached, 1 not. A usage or input error (2, 3) fails the test.
pub fn probe_file(file: &std::path::Path, args: &[&str]) -> i32 {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("probe")
        .arg(file)
        .args(args)
        .output()
        .expect("vpclab runs");
    assert!(
        !matches!(o.status.code(), Some(2) | Some(3)),
        "probe {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.status.code().unwrap_or(-1)
}
