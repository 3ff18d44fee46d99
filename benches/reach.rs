//! Analyzer benchmarks (plain `fn main`, `cargo bench --bench reach`):
//! 1. one query on `topologies/three-tier.yaml` (goal ≤ 5 ms), against a single
//!    `policy::path::walk` of the same packet as the baseline;
//! 2. the matrix over a generated 200-instance topology for 3 ports (goal ≤ 2 s);
//! 3. the matrix streamed as `--json` over 3,000 instances in 50 security groups, one port
//!    (issue 18: under 60 s; its peak RSS, under 1 GB, is measured by `scripts/bench-matrix.sh`
//!    on the binary, and the process's own peak is printed here).

use std::time::Instant;
use vpclab::model::Network;
use vpclab::policy::path::{self, Assumed, Options, Origin};
use vpclab::policy::Header;
use vpclab::reach::{self, Query};

fn load(path: &str) -> Network {
    let t = vpclab::topology::load(std::path::Path::new(path)).expect("topology loads");
    vpclab::model::build(&t, path).expect("topology builds")
}

/// 4 VPCs (peered in a chain) × 5 subnets × 10 instances, with IGW, NAT gateway, custom NACLs
/// with port ranges and SGs referencing each other.
fn big() -> Network {
    let mut y = String::from("name: big\nvpcs:\n");
    for v in 0..4 {
        y += &format!(
            "  v{v}:\n    cidr: 10.{v}.0.0/16\n    internet_gateway: true\n    subnets:\n"
        );
        for s in 0..5 {
            let rt = if s == 0 { "pub" } else { "priv" };
            let acl = if s % 2 == 1 {
                ", network_acl: tight"
            } else {
                ""
            };
            y += &format!("      s{s}: {{ cidr: 10.{v}.{s}.0/24, route_table: {rt}{acl}, map_public_ip: {} }}\n", s == 0);
        }
        y += "    route_tables:\n      pub:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n";
        y += "      priv:\n        routes:\n          - { destination: 0.0.0.0/0, target: nat:nat0 }\n";
        for o in [v as i32 - 1, v as i32 + 1] {
            if (0..4).contains(&o) {
                let (a, b) = (v.min(o as usize), v.max(o as usize));
                y +=
                    &format!("          - {{ destination: 10.{o}.0.0/16, target: pcx:p{a}{b} }}\n");
            }
        }
        y += "    nat_gateways:\n      nat0: { subnet: s0 }\n";
        y += "    network_acls:\n      tight:\n        inbound:\n";
        y +=
            "          - { rule: 100, protocol: tcp, ports: 22, cidr: 10.0.0.0/8, action: deny }\n";
        y += "          - { rule: 110, protocol: tcp, ports: 1-1023, cidr: 10.0.0.0/8, action: allow }\n";
        y += "          - { rule: 120, protocol: tcp, ports: 32768-50000, cidr: 0.0.0.0/0, action: allow }\n";
        y += "        outbound:\n          - { rule: 100, protocol: tcp, ports: 1024-65535, cidr: 10.0.0.0/8, action: allow }\n";
        y += "          - { rule: 110, protocol: tcp, ports: 443, cidr: 0.0.0.0/0, action: allow }\n";
        y += "    security_groups:\n";
        y += "      web:\n        inbound:\n          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n          - { protocol: tcp, ports: 22, source: sg:app }\n";
        y += "      app:\n        inbound:\n          - { protocol: tcp, ports: 1024-65535, source: sg:web }\n          - { protocol: tcp, ports: 443, source: 10.0.0.0/8 }\n";
        y += "      db:\n        inbound:\n          - { protocol: tcp, ports: 5432, source: sg:app }\n        outbound: []\n";
        y += "    instances:\n";
        for s in 0..5 {
            for i in 0..10 {
                let g = ["web", "app", "db"][(s + i) % 3];
                y += &format!("      i{v}-{s}-{i}: {{ subnet: s{s}, security_groups: [{g}] }}\n");
            }
        }
    }
    y += "peerings:\n  p01: { requester: v0, accepter: v1 }\n  p12: { requester: v1, accepter: v2 }\n  p23: { requester: v2, accepter: v3 }\n";
    y += "internet:\n  hosts:\n    client: { ip: 198.51.100.10 }\n";
    let t = vpclab::topology::parse_str("big.yaml", &y).expect("generated topology parses");
    vpclab::model::build(&t, "big.yaml").expect("generated topology builds")
}

/// 3,000 instances in 10 subnets and 50 security groups, the shape of
/// `scripts/gen-matrix-topology.sh 3000 50`: instance n in subnet n % 10 and group n / 10 % 50,
/// groups in a ring admitting tcp 80 from the next, a NACL on the private subnets.
fn matrix_topology(n: usize, groups: usize) -> Network {
    let mut y = String::from("name: matrix\npublic_ip_pool: 52.0.0.0/16\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n");
    y += "      s0: { cidr: 10.0.0.0/20, route_table: pub, map_public_ip: true }\n";
    for s in 1..10 {
        y += &format!(
            "      s{s}: {{ cidr: 10.0.{}.0/20, network_acl: tight }}\n",
            s * 16
        );
    }
    y += "    route_tables:\n      pub:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n";
    y += "    network_acls:\n      tight:\n        inbound:\n";
    y += "          - { rule: 100, protocol: tcp, ports: 22, cidr: 10.0.0.0/20, action: deny }\n";
    y += "          - { rule: 110, protocol: all, cidr: 10.0.0.0/16, action: allow }\n";
    y += "        outbound:\n          - { rule: 100, protocol: all, cidr: 10.0.0.0/16, action: allow }\n";
    y += "    security_groups:\n";
    for k in 0..groups {
        y += &format!("      g{k}:\n        inbound:\n          - {{ protocol: tcp, ports: 80, source: sg:g{} }}\n          - {{ protocol: tcp, ports: 22, source: 10.0.0.0/8 }}\n", (k + 1) % groups);
        if k == 0 {
            y += "          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n          - { protocol: icmp, source: 0.0.0.0/0 }\n";
        }
    }
    y += "    instances:\n";
    for i in 0..n {
        y += &format!(
            "      i{i}: {{ subnet: s{}, security_groups: [g{}] }}\n",
            i % 10,
            i / 10 % groups
        );
    }
    let t = vpclab::topology::parse_str("matrix.yaml", &y).expect("generated topology parses");
    vpclab::model::build(&t, "matrix.yaml").expect("generated topology builds")
}

/// This process's peak RSS so far, in MiB.
fn peak_rss_mib() -> i64 {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    ru.ru_maxrss / 1024
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let net = load(&format!("{root}/topologies/three-tier.yaml"));
    let app = reach::resolve(&net, "app").unwrap();
    let db = reach::resolve(&net, "db").unwrap();
    let web = reach::resolve(&net, "web").unwrap();
    let q1 = Query {
        from: app.clone(),
        to: db.clone(),
        proto: 6,
        port: 5432,
        src_port: None,
    };
    let q2 = Query {
        from: web,
        to: db,
        proto: 6,
        port: 5432,
        src_port: None,
    };

    // Baseline: one walk of app's SYN to db.
    let e = net.instance(net.instance_by_name("app").unwrap()).eni;
    let h = Header::l4(
        q1.from.source_ip(&net),
        "10.0.2.4".parse().unwrap(),
        6,
        40000,
        5432,
    );
    let n = 20_000;
    let t = Instant::now();
    for _ in 0..n {
        let w = path::walk(
            &net,
            &mut Assumed::default(),
            Origin::Eni(e),
            h,
            Options::default(),
        );
        std::hint::black_box(w);
    }
    let walk = t.elapsed().as_secs_f64() / n as f64;

    let n = 2_000;
    let mut res = Vec::new();
    for q in [&q1, &q2] {
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(reach::analyze(&net, q));
        }
        res.push(t.elapsed().as_secs_f64() / n as f64);
    }
    println!(
        "baseline: one policy::path::walk            {:>9.2} µs",
        walk * 1e6
    );
    println!(
        "reach app→db :5432 (reachable)              {:>9.2} µs  ({:.1}× a walk; goal ≤ 5 ms)",
        res[0] * 1e6,
        res[0] / walk
    );
    println!(
        "reach web→db :5432 (3 blockers)             {:>9.2} µs  ({:.1}× a walk)",
        res[1] * 1e6,
        res[1] / walk
    );

    let big = big();
    let t = Instant::now();
    let mut cells = 0;
    let mut ok = 0;
    for port in [80u16, 443, 5432] {
        let m = reach::matrix::matrix(&big, 6, port);
        cells += m.len();
        ok += m.iter().filter(|c| c.reachable).count();
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "matrix: {} instances + internet, 3 ports, {cells} queries ({ok} reachable): {:.3} s ({:.1} µs/query; goal ≤ 2 s)",
        big.instances.len(),
        s,
        s / cells as f64 * 1e6
    );

    let net = matrix_topology(3000, 50);
    let t = Instant::now();
    let mut out = Counter(0);
    let mut m = reach::matrix::Matrix::new(&net, 6, 80);
    reach::matrix::write_json(&mut m, &mut out).expect("writes");
    let s = t.elapsed().as_secs_f64();
    println!(
        "matrix --json streamed: {} instances, 50 groups, port 80: {:.2} s, {} MB written, process peak RSS {} MiB (goal < 60 s, < 1 GB)",
        net.instances.len(),
        s,
        out.0 / 1_000_000,
        peak_rss_mib()
    );
}

/// A writer that only counts the bytes it is given.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
