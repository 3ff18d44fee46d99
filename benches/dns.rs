//! DNS benchmarks (plain `fn main`): `answer()` and the wire handler in memory, then the
//! loopback hickory-server listener over UDP from clients in the same process: ping-pong
//! latency (p50/p99) and pipelined throughput (qps, p50/p99 under load).
//! Run: `cargo bench --bench dns` (env DNS_BENCH_SECS, default 3).

use hickory_proto::rr::RecordType;
use std::net::UdpSocket;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vpclab::dns::server::spawn;
use vpclab::dns::wire::{handle, query_bytes, Transport};
use vpclab::dns::{answer, AllHealthy, Client, HealthTable, Question, RType, Rng, Zones};

const NAMES: &[&str] = &[
    "www.example.com",
    "api.example.com",
    "geo.example.com",
    "near.example.com",
    "many.example.com",
    "docs.example.com",
    "nope.example.com",
    "example.com",
];

fn pct(v: &mut [Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: then run a short smoke.
    let full = std::env::args().any(|a| a == "--bench");
    let secs: u64 = std::env::var("DNS_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if full { 3 } else { 1 });
    let scale = if full { 1 } else { 100 };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/topologies/dns.yaml");
    let t = vpclab::topology::load(std::path::Path::new(path)).expect("topology");
    let net = Arc::new(vpclab::model::build(&t, path).expect("model"));
    let zones = Arc::new(Zones::build(net.clone()));
    let client = Client::endpoint(&net, net.endpoint_by_name("de").expect("host de"));

    // 1. answer() in memory.
    let qs: Vec<Question> = NAMES.iter().map(|n| Question::new(n, RType::A)).collect();
    let mut rng = Rng::new(1);
    let n = 400_000 / scale;
    let t0 = Instant::now();
    let mut sink = 0usize;
    for i in 0..n {
        sink += answer(&zones, &qs[i % qs.len()], &client, &AllHealthy, &mut rng)
            .map(|r| r.answers.len())
            .unwrap_or(0);
    }
    let answer_rate = n as f64 / t0.elapsed().as_secs_f64();
    println!(
        "answer():            {:>10.0} calls/s  (sink {sink})",
        answer_rate
    );

    // 2. Wire handler in memory (decode + answer + encode).
    let wires: Vec<Vec<u8>> = NAMES
        .iter()
        .map(|n| query_bytes(1, n, RecordType::A).expect("query"))
        .collect();
    let n = 200_000 / scale;
    let t0 = Instant::now();
    for i in 0..n {
        sink += handle(
            &zones,
            &AllHealthy,
            &wires[i % wires.len()],
            &client,
            &mut rng,
            Transport::Udp,
        )
        .map(|b| b.len())
        .unwrap_or(0);
    }
    let wire_rate = n as f64 / t0.elapsed().as_secs_f64();
    println!("wire::handle():      {:>10.0} msgs/s", wire_rate);

    // 3. The loopback listener.
    let health = Arc::new(HealthTable::new(zones.checks.len()));
    let server = spawn(
        zones.clone(),
        health,
        client,
        "127.0.0.1:0".parse().expect("addr"),
        1,
    )
    .expect("spawn");
    let addr = server.addr();

    // 3a. Ping-pong latency.
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    s.set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let mut buf = [0u8; 2048];
    let mut lat = Vec::new();
    let end = Instant::now() + Duration::from_secs(secs);
    let mut id: u16 = 0;
    while Instant::now() < end {
        id = id.wrapping_add(1);
        let mut q = wires[id as usize % wires.len()].clone();
        q[0..2].copy_from_slice(&id.to_be_bytes());
        let t0 = Instant::now();
        s.send_to(&q, addr).expect("send");
        loop {
            match s.recv_from(&mut buf) {
                Ok((n, _)) if n >= 2 && buf[0..2] == id.to_be_bytes() => break,
                Ok(_) => continue,
                Err(_) => break,
            }
        }
        lat.push(t0.elapsed());
    }
    let pp_qps = lat.len() as f64 / secs as f64;
    println!(
        "listener ping-pong:  {:>10.0} qps  p50 {:?}  p99 {:?}",
        pp_qps,
        pct(&mut lat, 0.50),
        pct(&mut lat, 0.99)
    );

    // 3b. Pipelined load: CLIENTS threads, each with WINDOW queries in flight.
    const CLIENTS: usize = 2;
    const WINDOW: usize = 64;
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let threads: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let wires = wires.clone();
            std::thread::spawn(move || {
                let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
                s.set_read_timeout(Some(Duration::from_millis(200)))
                    .expect("timeout");
                let mut sent_at = vec![None::<Instant>; 65536];
                let mut lat = Vec::new();
                let mut buf = [0u8; 2048];
                let mut next: u16 = (c as u16) << 12;
                let mut inflight = 0usize;
                let mut lost = 0u64;
                while Instant::now() < end {
                    while inflight < WINDOW {
                        next = next.wrapping_add(1);
                        let mut q = wires[next as usize % wires.len()].clone();
                        q[0..2].copy_from_slice(&next.to_be_bytes());
                        sent_at[next as usize] = Some(Instant::now());
                        s.send_to(&q, addr).expect("send");
                        inflight += 1;
                    }
                    match s.recv_from(&mut buf) {
                        Ok((n, _)) if n >= 2 => {
                            let id = u16::from_be_bytes([buf[0], buf[1]]) as usize;
                            if let Some(t) = sent_at[id].take() {
                                lat.push(t.elapsed());
                                inflight -= 1;
                            }
                        }
                        Ok(_) => {}
                        Err(_) => {
                            lost += inflight as u64;
                            inflight = 0;
                            sent_at.iter_mut().for_each(|x| *x = None);
                        }
                    }
                }
                (lat, lost)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut lost = 0;
    for t in threads {
        let (l, x) = t.join().expect("client thread");
        all.extend(l);
        lost += x;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let qps = all.len() as f64 / elapsed;
    println!(
        "listener pipelined:  {:>10.0} qps  p50 {:?}  p99 {:?}  ({CLIENTS} clients x {WINDOW} in flight, {lost} lost)",
        qps,
        pct(&mut all, 0.50),
        pct(&mut all, 0.99)
    );
    std::hint::black_box(sink);
    println!(
        "ratio listener / in-memory wire handler: {:.3}",
        qps / wire_rate
    );
    drop(server);
}
