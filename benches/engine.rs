//! In-memory engine benchmark (plain `fn main`, harness = false):
//! established-flow forwarding through 5 SGs × 50 rules, a 20-rule NACL and 1,000 routes, and
//! the first-packet (full walk) cost, flow logs (pcapng and AWS records) and offloaded 64 KiB
//! TSO segments. The established flow is a TCP connection after its handshake (both ENIs
//! track it as established), as a real flow's data packets find it. Run: `cargo bench --bench
//! engine`. The printed line labels are parsed: keep
//! them stable. Two lines after them give the same figures in CPU time (the process's, so the
//! flow-log writer thread counts), which a loaded machine does not inflate as it does the wall
//! clock.

use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;
use vpclab::engine::wire::{self, CsumPartial, Gso, GsoKind, Offload, Tcp};
use vpclab::engine::{Capture, Engine, EngineConfig, Output};
use vpclab::flowlog::Sinks;
use vpclab::model::{Network, PortId};
use vpclab::policy::path::{self, Assumed, Options, Origin};
use vpclab::policy::Header;

/// Wall-clock and CPU time (the process's: the flow-log writer thread included) since
/// [`Clock::start`]. On a shared machine the wall clock includes the time the bench waits for a
/// core; the CPU time does not, so it compares between runs at different loads.
#[derive(Clone, Copy)]
struct Clock {
    wall: Instant,
    cpu: u64,
}

/// Time per item: wall-clock and CPU nanoseconds.
#[derive(Clone, Copy)]
struct Per {
    wall: f64,
    cpu: f64,
}

/// The process's CPU time in nanoseconds (`CLOCK_PROCESS_CPUTIME_ID`).
fn cpu_now() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the kernel knows.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(r, 0, "clock_gettime");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Clock {
    fn start() -> Clock {
        Clock {
            wall: Instant::now(),
            cpu: cpu_now(),
        }
    }

    /// Time per item over `n` items.
    fn per(self, n: u64) -> Per {
        Per {
            wall: self.wall.elapsed().as_nanos() as f64 / n as f64,
            cpu: (cpu_now() - self.cpu) as f64 / n as f64,
        }
    }
}

/// The bench topology with one flow log of every packet in the VPC, in `format` (`pcapng` or
/// `aws`), written to `bench.pcapng` or `bench.log`.
fn topology(format: &str) -> String {
    let mut y = String::from("name: bench\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n      a: { cidr: 10.0.0.0/24, route_table: big, network_acl: n20 }\n      b: { cidr: 10.0.1.0/24, route_table: big, network_acl: n20 }\n    route_tables:\n      big:\n        routes:\n");
    for i in 0..1000u32 {
        let _ = writeln!(
            y,
            "          - {{ destination: 11.{}.{}.0/24, target: igw }}",
            i / 256,
            i % 256
        );
    }
    y.push_str("    network_acls:\n      n20:\n        inbound:\n");
    for i in 0..19u32 {
        let _ = writeln!(y, "          - {{ rule: {}, action: deny, protocol: tcp, ports: {}, cidr: 192.0.2.0/24 }}", 10 + i, 2000 + i);
    }
    y.push_str("          - { rule: 500, action: allow, protocol: all, cidr: 0.0.0.0/0 }\n        outbound:\n");
    for i in 0..19u32 {
        let _ = writeln!(y, "          - {{ rule: {}, action: deny, protocol: tcp, ports: {}, cidr: 192.0.2.0/24 }}", 10 + i, 2000 + i);
    }
    y.push_str("          - { rule: 500, action: allow, protocol: all, cidr: 0.0.0.0/0 }\n    security_groups:\n");
    for g in 0..5u32 {
        let _ = writeln!(y, "      g{g}:\n        inbound:");
        for r in 0..50u32 {
            let port = if g == 4 && r == 49 {
                80
            } else {
                3000 + g * 50 + r
            };
            let _ = writeln!(
                y,
                "          - {{ protocol: tcp, ports: {port}, source: 10.0.0.0/16 }}"
            );
        }
        let _ = writeln!(y, "        outbound:");
        for r in 0..50u32 {
            let port = if g == 4 && r == 49 {
                1
            } else {
                3000 + g * 50 + r
            };
            let _ = writeln!(
                y,
                "          - {{ protocol: tcp, ports: {port}-{}, destination: 10.0.0.0/16 }}",
                if g == 4 && r == 49 { 65535 } else { port }
            );
        }
    }
    y.push_str("    instances:\n      x: { subnet: a, security_groups: [g0, g1, g2, g3, g4] }\n      y: { subnet: b, security_groups: [g0, g1, g2, g3, g4] }\n");
    let file = if format == "aws" {
        "bench.log"
    } else {
        "bench.pcapng"
    };
    let _ = writeln!(
        y,
        "flow_logs:\n  - {{ resource: vpc:v, traffic: ALL, format: {format}, path: {file} }}"
    );
    y
}

fn build_net(format: &str) -> Arc<Network> {
    let t = vpclab::topology::parse_str("bench.yaml", &topology(format)).expect("bench topology");
    Arc::new(vpclab::model::build(&t, "bench.yaml").expect("bench model"))
}

/// A 64 KiB TSO segment (MSS 1448) of the established flow `h`, as a kernel with offloads hands
/// it over (TCP checksum partial), with its offload header.
fn segment(src_mac: [u8; 6], dst_mac: [u8; 6], h: &Header) -> (Vec<u8>, Offload) {
    let payload = 65_000 - 40;
    let tcp = Tcp {
        flags: 0x10,
        seq: 2,
        ack: 1,
    };
    let f = wire::build(src_mac, dst_mac, h, tcp, 0, &vec![0x5a; payload]);
    // Any value works in the partial checksum for the bench: the engine does not verify it.
    let off = Offload {
        csum: Some(CsumPartial {
            start: 34,
            offset: 16,
        }),
        gso: Some(Gso {
            kind: GsoKind::Tcp4,
            size: 1448,
            hdr_len: 54,
            ecn: false,
        }),
        data_valid: false,
    };
    (f, off)
}

/// Established-flow forwarding of 64 KiB TSO segments, the caller handing its buffer over and
/// getting it back (a MAC rewrite in place), ns/segment.
fn segment_run(
    net: &Arc<Network>,
    port: PortId,
    syn: Handshake,
    seg: (Vec<u8>, Offload),
    m: u64,
) -> Per {
    let mut e = Engine::new(net.clone(), no_events());
    establish(&mut e, syn);
    let (mut buf, off) = seg;
    let t0 = Clock::start();
    let mut sent = 0u64;
    for i in 0..m {
        e.handle_frame_offload(port, buf, off, 2 + i);
        buf = Vec::new();
        while let Some((o, o_off)) = e.poll_output_offload() {
            if let Output::Frame { data, .. } = o {
                sent += u64::from(o_off == off);
                buf = data;
            }
        }
    }
    assert_eq!(sent, m, "every segment forwarded whole");
    t0.per(m)
}

/// Established-flow forwarding with events and frames made but not written, ns/packet.
fn events_run(net: &Arc<Network>, port: PortId, syn: Handshake, f: &[u8], m: u64) -> Per {
    let cfg = EngineConfig {
        capture: Capture::All,
        ..Default::default()
    };
    let mut e = Engine::new(net.clone(), cfg);
    establish(&mut e, syn);
    e.handle_frame(port, f, 1);
    while e.poll_output().is_some() {}
    let t0 = Clock::start();
    let mut n = 0u64;
    for i in 0..m {
        e.handle_frame(port, f, 2 + i);
        while let Some(o) = e.poll_output() {
            if let Output::Packet(ev) = o {
                n += u64::from(ev.frame.is_some());
                e.recycle(ev);
            }
        }
    }
    assert!(n > 0);
    t0.per(m)
}

/// Established-flow forwarding with every packet event written to a pcapng flow log (frames
/// on), in ns/packet, and the file's size.
fn logged_run(net: &Arc<Network>, port: PortId, syn: Handshake, f: &[u8], m: u64) -> (Per, u64) {
    logged_to(net, "bench.pcapng", port, syn, f, m)
}

/// [`logged_run`] for the flow log of `net` written to `file`.
fn logged_to(
    net: &Arc<Network>,
    file: &str,
    port: PortId,
    syn: Handshake,
    f: &[u8],
    m: u64,
) -> (Per, u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sinks = Sinks::from_network(net, dir.path(), 0).expect("pcapng sink");
    let cfg = EngineConfig {
        capture: Capture::all_or_off(sinks.wants_frames()),
        ..Default::default()
    };
    let mut e = Engine::new(net.clone(), cfg);
    establish(&mut e, syn);
    e.handle_frame(port, f, 1);
    while e.poll_output().is_some() {}
    let t0 = Clock::start();
    let mut sent = 0u64;
    for i in 0..m {
        e.handle_frame(port, f, 2 + i);
        while let Some(o) = e.poll_output() {
            match o {
                Output::Frame { data, .. } => sent += data.len() as u64,
                Output::Packet(ev) => {
                    sinks.record(&ev).expect("flow log write");
                    e.recycle(ev);
                }
            }
        }
        if i % 4096 == 0 {
            sinks.tick(2 + i).expect("pcapng flush");
        }
    }
    sinks.finish().expect("pcapng flush");
    let ns = t0.per(m);
    // A writer that fell behind drops whole buffers: the run would have measured less work.
    // A writer that fell behind drops whole buffers (counted): the run would then have
    // measured less work than it reports.
    assert_eq!(
        sinks.dropped_bytes(),
        0,
        "{file}: the flow-log writer fell behind and dropped data; rerun on a quieter machine"
    );
    assert!(sent > 0);
    let size = std::fs::metadata(dir.path().join(file))
        .map(|m| m.len())
        .unwrap_or(0);
    (ns, size)
}

/// The frames of a TCP handshake (SYN, SYN-ACK, ACK) with the port each is sent from: after
/// them the flow is an established connection in both ENIs' conntrack tables, as a real
/// flow's data packets find it.
type Handshake<'a> = &'a [(PortId, Vec<u8>)];

/// Sends the handshake `hs` through `e` (its outputs dropped).
fn establish(e: &mut Engine, hs: Handshake) {
    for (p, f) in hs {
        e.handle_frame(*p, f, 1);
    }
    while e.poll_output().is_some() {}
}

/// Forwarding only: no packet events.
fn no_events() -> EngineConfig {
    EngineConfig {
        events: false,
        ..Default::default()
    }
}

/// Established-flow forwarding through `handle_frame_owned`, the caller handing its buffer
/// over: each forwarded buffer is refilled with the next frame and handed back (one copy of
/// the bytes into a buffer the caller already has; no allocation), ns/packet.
fn owned_run(net: &Arc<Network>, port: PortId, syn: Handshake, f: &[u8], m: u64) -> Per {
    let mut e = Engine::new(net.clone(), no_events());
    establish(&mut e, syn);
    e.handle_frame(port, f, 1);
    while e.poll_output().is_some() {}
    let mut buf = f.to_vec();
    let t0 = Clock::start();
    let mut sent = 0u64;
    for i in 0..m {
        e.handle_frame_owned(port, buf, 2 + i);
        buf = Vec::new();
        while let Some(o) = e.poll_output() {
            if let Output::Frame { data, .. } = o {
                sent += data.len() as u64;
                buf = data;
            }
        }
        buf.clear();
        buf.extend_from_slice(f);
    }
    assert!(sent > 0);
    t0.per(m)
}

fn main() {
    // `cargo bench` passes --bench; under `cargo test --all-targets` run a quick smoke pass.
    let full = std::env::args().any(|a| a == "--bench");
    let scale = if full { 1 } else { 1000 };
    let net = build_net("pcapng");
    let x = net.instance(net.instance_by_name("x").unwrap());
    let yi = net.instance(net.instance_by_name("y").unwrap());
    let (xp, yp) = (net.port(x.port).clone(), net.port(yi.port).clone());
    let h = Header::l4(xp.ip, yp.ip, 6, 40000, 80);

    // First packet: the full walk (policy only).
    let n = 20_000 / scale;
    let t0 = Clock::start();
    let mut ok = 0;
    for i in 0..n {
        let hh = Header {
            sport: 1024 + (i % 60000) as u16,
            ..h
        };
        let w = path::walk(
            &net,
            &mut Assumed::default(),
            Origin::Eni(x.eni),
            hh,
            Options::default(),
        );
        ok += usize::from(w.delivered());
    }
    let walk = t0.per(n as u64);
    let walk_ns = walk.wall;
    assert_eq!(ok, n as usize);

    // First packet through the engine (new flow each time: parse, walk, conntrack, cache, emit).
    let mut e = Engine::new(net.clone(), no_events());
    let frames: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            wire::build(
                xp.mac,
                net.router_mac,
                &Header {
                    sport: 1024 + i as u16,
                    ..h
                },
                Tcp {
                    flags: 2,
                    seq: 1,
                    ack: 0,
                },
                0,
                &[],
            )
        })
        .collect();
    let t0 = Clock::start();
    for f in &frames {
        e.handle_frame(x.port, f, 1);
        while e.poll_output().is_some() {}
    }
    let first = t0.per(n as u64);
    let first_ns = first.wall;

    // Established flow: the same flow's packets hit the flow cache.
    let f = wire::build(
        xp.mac,
        net.router_mac,
        &h,
        Tcp {
            flags: 0x10,
            seq: 2,
            ack: 1,
        },
        0,
        &[0u8; 64],
    );
    let syn = wire::build(
        xp.mac,
        net.router_mac,
        &h,
        Tcp {
            flags: 2,
            seq: 1,
            ack: 0,
        },
        0,
        &[],
    );
    let tcp = |flags, seq, ack| Tcp { flags, seq, ack };
    let synack = wire::build(
        yp.mac,
        net.router_mac,
        &h.reversed(),
        tcp(0x12, 1, 2),
        0,
        &[],
    );
    let ack = wire::build(xp.mac, net.router_mac, &h, tcp(0x10, 2, 2), 0, &[]);
    let hs = [(x.port, syn), (yi.port, synack), (x.port, ack)];
    let syn = &hs[..];
    let mut e = Engine::new(net.clone(), no_events());
    establish(&mut e, syn);
    e.handle_frame(x.port, &f, 1);
    while e.poll_output().is_some() {}
    let m = 2_000_000u64 / scale as u64;
    let t0 = Clock::start();
    let mut sent = 0u64;
    for i in 0..m {
        e.handle_frame(x.port, &f, 2 + i);
        while let Some(o) = e.poll_output() {
            if let vpclab::engine::Output::Frame { data, .. } = o {
                sent += data.len() as u64;
            }
        }
    }
    let est = t0.per(m);
    let est_ns = est.wall;
    assert!(sent > 0);

    // The same, the caller handing its buffers over (zero-copy forwarding).
    let owned = owned_run(&net, x.port, syn, &f, m);
    let owned_ns = owned.wall;

    // The same, with every packet logged to a pcapng flow log (events and frames on).
    let events = events_run(&net, x.port, syn, &f, m);
    let events_ns = events.wall;
    let (logged, pcap_bytes) = logged_run(&net, x.port, syn, &f, m);
    let logged_ns = logged.wall;
    assert!(pcap_bytes > 0, "the pcapng log was written");
    // The same, with every packet counted into AWS records.
    let (aws, _) = logged_to(&build_net("aws"), "bench.log", x.port, syn, &f, m);
    let aws_ns = aws.wall;
    // 64 KiB TSO segments (offloads): one decision and one rewrite per 45 wire packets.
    let seg = segment(xp.mac, net.router_mac, &h);
    let seg = segment_run(&net, x.port, syn, seg, m / 8);
    let seg_ns = seg.wall;

    // Baseline in the same run: copying the frame (the minimum any forwarder does).
    let t0 = Clock::start();
    let mut acc = 0usize;
    for _ in 0..m {
        let v = std::hint::black_box(f.clone());
        acc += v.len();
    }
    let copy = t0.per(m);
    let copy_ns = copy.wall;
    std::hint::black_box(acc);

    println!("engine bench (5 SGs x 50 rules, 20-rule NACL, 1,000 routes)");
    println!("  policy walk (first packet, policy only): {walk_ns:8.0} ns/packet");
    println!("  engine first packet (new flow):          {first_ns:8.0} ns/packet");
    println!(
        "  engine established flow (cache):         {est_ns:8.0} ns/packet = {:.2} Mpps",
        1e3 / est_ns
    );
    println!(
        "  established flow, caller's buffers:      {owned_ns:8.0} ns/packet = {:.2} Mpps",
        1e3 / owned_ns
    );
    println!(
        "  established flow, events + frames only:  {events_ns:8.0} ns/packet ({:.2}x plain)",
        events_ns / est_ns
    );
    println!(
        "  established flow, every packet to pcapng: {logged_ns:8.0} ns/packet = {:.2} Mpps ({:.2} MB written)",
        1e3 / logged_ns,
        pcap_bytes as f64 / 1e6
    );
    println!(
        "  pcapng logging cost: {:+.0}% (logged/plain = {:.2}; goal <= 15%)",
        (logged_ns / est_ns - 1.0) * 100.0,
        logged_ns / est_ns
    );
    println!(
        "  established flow, every packet to AWS records: {aws_ns:8.0} ns/packet ({:.2}x plain)",
        aws_ns / est_ns
    );
    println!(
        "  established flow, 64 KiB TSO segment:    {seg_ns:8.0} ns/segment = {:.1} ns per wire packet (45 of 1448 B)",
        seg_ns / 45.0
    );
    println!("  baseline frame copy:                     {copy_ns:8.0} ns/packet (established = {:.1}x copy)", est_ns / copy_ns);
    // The same figures in CPU time (new lines below the parsed ones): what the machine's load
    // does not inflate. The logged runs include the flow-log writer thread's CPU.
    println!("  cpu time (process), ns/packet: policy walk {:.0}, first packet {:.0}, established {:.0}, caller's buffers {:.0}, events {:.0}, pcapng {:.0}, AWS records {:.0}, TSO segment {:.0}, frame copy {:.0}", walk.cpu, first.cpu, est.cpu, owned.cpu, events.cpu, logged.cpu, aws.cpu, seg.cpu, copy.cpu);
    println!(
        "  cpu time multiples: established = {:.1}x copy, pcapng = {:.2}x plain, AWS records = {:.2}x plain",
        est.cpu / copy.cpu,
        logged.cpu / est.cpu,
        aws.cpu / est.cpu
    );
}
