//! Cost per packet event of the flow-log sinks: the AWS aggregator, pcapng and pcap writers
//! (to a file in a temporary folder), against a baseline loop that only touches each event.
//! Run: `cargo bench --bench flowlog` (plain `fn main`, harness = false).

use std::hint::black_box;
use std::time::Instant;
use vpclab::engine::PacketEvent;
use vpclab::flowlog::output::BlockWriter;
use vpclab::flowlog::pcap::{PacketFormat, PacketWriter};
use vpclab::flowlog::{frame, Aggregator};
use vpclab::model::Network;
use vpclab::policy::{ComponentKind, Decision, Direction, Header, Header6, RuleId, Verdict};

/// Events per measurement under `cargo bench`; `cargo test --all-targets` runs this file as a
/// quick smoke test with `SMOKE_N` events instead.
const BENCH_N: u64 = 300_000;
const SMOKE_N: u64 = 2_000;
const FLOWS: u16 = 1000;

fn network() -> Network {
    let y = include_str!("../topologies/three-tier.yaml");
    let t = vpclab::topology::parse_str("t.yaml", y).expect("parses");
    vpclab::model::build(&t, "t.yaml").expect("builds")
}

fn events(net: &Network) -> Vec<PacketEvent> {
    let web = net
        .enis
        .iter()
        .find(|e| net.eni_owner_name(e.id) == "web")
        .expect("web")
        .id;
    let d = Decision {
        verdict: Verdict::Accept,
        component: "sg-web".into(),
        kind: ComponentKind::SecurityGroup,
        direction: Some(Direction::Inbound),
        rule: RuleId::SgRule {
            group: "sg-web".into(),
            index: 1,
        },
        code: None,
        detail: String::new(),
    };
    (0..FLOWS)
        .map(|i| {
            let header = Header::l4(
                [198, 51, 100, 10].into(),
                [10, 0, 0, 10].into(),
                6,
                30000 + i,
                80,
            );
            let mut ev = PacketEvent {
                time: 0,
                eni: web,
                direction: Direction::Inbound,
                header: header.into(),
                pkt_src: header.src.into(),
                pkt_dst: header.dst.into(),
                bytes: 1500,
                packets: 1,
                tcp_flags: vpclab::engine::TcpFlags::PSH | vpclab::engine::TcpFlags::ACK,
                verdict: Verdict::Accept,
                decision: d.clone().into(),
                traffic_path: None,
                frame: None,
            };
            let mut f = frame::synthesize(&ev, net.eni(web).mac, net.router_mac);
            f.resize(1514, 0xab);
            ev.frame = Some(f);
            ev
        })
        .collect()
}

/// The same flows over IPv6 (2001:db8::10 to 2600:1f18:4000::a), for the IPv6 records' cost.
fn events6(net: &Network) -> Vec<PacketEvent> {
    let (c, w): (std::net::Ipv6Addr, std::net::Ipv6Addr) = (
        "2001:db8::10".parse().expect("address"),
        "2600:1f18:4000::a".parse().expect("address"),
    );
    events(net)
        .into_iter()
        .map(|mut ev| {
            let h = Header6::l4(c, w, 6, ev.header.sport(), 80);
            ev.header = h.into();
            ev.pkt_src = c.into();
            ev.pkt_dst = w.into();
            let mut f = frame::synthesize(&ev, [2, 0, 0, 0, 0, 1], net.router_mac);
            f.resize(1514, 0xab);
            ev.frame = Some(f);
            ev
        })
        .collect()
}

fn n() -> u64 {
    if std::env::args().any(|a| a == "--bench") {
        BENCH_N
    } else {
        SMOKE_N
    }
}

fn run(name: &str, base_ns: f64, f: impl FnMut(&mut PacketEvent)) -> f64 {
    run_on(events, name, base_ns, f)
}

/// [`run`] over the events `make` gives.
fn run_on(
    make: fn(&Network) -> Vec<PacketEvent>,
    name: &str,
    base_ns: f64,
    mut f: impl FnMut(&mut PacketEvent),
) -> f64 {
    let n = n();
    let net = network();
    let mut evs = make(&net);
    let start = Instant::now();
    for i in 0..n {
        let ev = &mut evs[(i % FLOWS as u64) as usize];
        ev.time = i * 1000; // 1 Mpps of event time
        f(ev);
    }
    let ns = start.elapsed().as_nanos() as f64 / n as f64;
    let ratio = if base_ns > 0.0 {
        format!("{:.1}x baseline", ns / base_ns)
    } else {
        "baseline".into()
    };
    println!(
        "{name:<28} {ns:>8.1} ns/event {:>12.0} events/s  ({ratio})",
        1e9 / ns
    );
    ns
}

fn main() {
    let net = network();
    let dir = tempfile::tempdir().expect("temp dir");
    let web = net
        .enis
        .iter()
        .find(|e| net.eni_owner_name(e.id) == "web")
        .expect("web")
        .id;
    let all: Vec<_> = net.enis.iter().map(|e| e.id).collect();
    println!("{} events, {FLOWS} flows, 1514-byte frames", n());
    let base = run("baseline (touch event)", 0.0, |ev| {
        black_box(ev.bytes);
    });
    let mut agg = Aggregator::new(&net, None, 60, 1_700_000_400_000_000_000);
    run("aws aggregator", base, |ev| {
        agg.record(ev);
        if ev.time % 1_000_000_000 == 0 {
            agg.tick(ev.time);
            black_box(agg.take_lines());
        }
    });
    let mut agg = Aggregator::new(&net, None, 60, 1_700_000_400_000_000_000);
    run_on(events6, "aws aggregator (IPv6)", base, |ev| {
        agg.record(ev);
        if ev.time % 1_000_000_000 == 0 {
            agg.tick(ev.time);
            black_box(agg.take_lines());
        }
    });
    let mut agg = Aggregator::new(&net, None, 60, 0).with_max_entries(100);
    run("aws aggregator (full table)", base, |ev| agg.record(ev));
    for (name, fmt, file) in [
        ("pcapng (file)", PacketFormat::PcapNg, "b.pcapng"),
        ("pcap (file)", PacketFormat::Pcap, "b.pcap"),
    ] {
        let out = BlockWriter::create(&dir.path().join(file)).expect("create");
        let mut w = PacketWriter::new(out, fmt, &all, &net, 0).expect("writer");
        run(name, base, |ev| w.write(ev).expect("write"));
        w.flush().expect("flush");
    }
    let out = BlockWriter::new("sink".into(), Box::new(std::io::sink()), false);
    let mut w = PacketWriter::new(out, PacketFormat::PcapNg, &all, &net, 0).expect("writer");
    run("pcapng (encode only)", base, |ev| {
        w.write(ev).expect("write")
    });
    let out = BlockWriter::create(&dir.path().join("s.pcapng")).expect("create");
    let mut w = PacketWriter::new(out, PacketFormat::PcapNg, &[web], &net, 0).expect("writer");
    run("pcapng, no frame (synth)", base, |ev| {
        let f = ev.frame.take();
        w.write(ev).expect("write");
        ev.frame = f;
    });
    let out = BlockWriter::create(&dir.path().join("s6.pcapng")).expect("create");
    let mut w = PacketWriter::new(out, PacketFormat::PcapNg, &[web], &net, 0).expect("writer");
    run_on(events6, "pcapng, no frame (IPv6 synth)", base, |ev| {
        let f = ev.frame.take();
        w.write(ev).expect("write");
        ev.frame = f;
    });
}
