//! Benchmark: parse + validate + resolve (+ lint) a generated 1,000-instance topology (20 VPCs
//! in a peering chain, 10 SGs per VPC referencing each other and the peer VPC's groups).
//! Plain `main` (harness = false): `cargo bench --bench validate`. Prints the median of several
//! runs of each stage.

use std::fmt::Write;
use std::time::{Duration, Instant};

const VPCS: usize = 20;
const SUBNETS: usize = 5;
const PER_SUBNET: usize = 10;
const SGS: usize = 10;

/// The generated topology's YAML text.
fn generate() -> String {
    let mut y = String::from("name: bench\nregion: us-east-1\nvpcs:\n");
    for v in 0..VPCS {
        let _ = writeln!(
            y,
            "  v{v}:\n    cidr: 10.{v}.0.0/16\n    internet_gateway: true\n    subnets:"
        );
        for s in 0..SUBNETS {
            let rt = if s == 0 { "public" } else { "private" };
            let _ = writeln!(y, "      s{s}: {{ cidr: 10.{v}.{s}.0/24, az: us-east-1a, route_table: {rt}, network_acl: acl{} }}", s % 2);
        }
        let _ = writeln!(y, "    route_tables:\n      public:\n        routes:\n          - {{ destination: 0.0.0.0/0, target: igw }}");
        let _ = writeln!(y, "      private:\n        routes:\n          - {{ destination: 0.0.0.0/0, target: nat:nat-{v} }}");
        for p in [v.wrapping_sub(1), v + 1] {
            if p < VPCS {
                let (a, b) = (v.min(p), v.max(p));
                let _ = writeln!(
                    y,
                    "          - {{ destination: 10.{p}.0.0/16, target: pcx:p{a}-{b} }}"
                );
            }
        }
        let _ = writeln!(
            y,
            "    nat_gateways:\n      nat-{v}: {{ subnet: s0 }}\n    network_acls:"
        );
        for a in 0..2 {
            let _ = writeln!(y, "      acl{a}:\n        inbound:");
            for r in 0..10 {
                let _ = writeln!(y, "          - {{ rule: {}, action: allow, protocol: tcp, ports: {}, cidr: 10.0.0.0/8 }}", 100 + r * 10, 8000 + r);
            }
            let _ = writeln!(y, "          - {{ rule: 500, action: allow, protocol: all, cidr: 0.0.0.0/0 }}\n        outbound:\n          - {{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }}");
        }
        let _ = writeln!(y, "    security_groups:");
        for g in 0..SGS {
            let _ = writeln!(y, "      g{g}:\n        inbound:\n          - {{ protocol: tcp, ports: 22, source: 10.0.0.0/8 }}");
            if g > 0 {
                let _ = writeln!(
                    y,
                    "          - {{ protocol: tcp, ports: {}, source: sg:g{} }}",
                    8000 + g,
                    g - 1
                );
            }
            if v > 0 {
                let _ = writeln!(
                    y,
                    "          - {{ protocol: tcp, ports: 443, source: sg:v{}/g{g} }}",
                    v - 1
                );
            }
            let _ = writeln!(
                y,
                "        outbound:\n          - {{ protocol: all, destination: 0.0.0.0/0 }}"
            );
        }
        let _ = writeln!(y, "    instances:");
        for s in 0..SUBNETS {
            for i in 0..PER_SUBNET {
                let _ = writeln!(
                    y,
                    "      i{v}-{s}-{i}: {{ subnet: s{s}, security_groups: [g{}, g{}], services: [http:80, tcp:{}] }}",
                    i % SGS,
                    (i + 1) % SGS,
                    8000 + i
                );
            }
        }
    }
    y.push_str("peerings:\n");
    for v in 0..VPCS - 1 {
        let _ = writeln!(
            y,
            "  p{v}-{}: {{ requester: v{v}, accepter: v{} }}",
            v + 1,
            v + 1
        );
    }
    y.push_str("internet:\n  hosts:\n");
    for h in 0..20 {
        let _ = writeln!(y, "    h{h}: {{ ip: 198.51.100.{} }}", h + 10);
    }
    y
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:8.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let text = generate();
    const RUNS: usize = 7;
    let (mut parse, mut validate, mut build, mut lint, mut total) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut instances = 0;
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let t =
            vpclab::topology::parse_str("bench.yaml", &text).expect("generated topology parses");
        let t1 = Instant::now();
        let report = vpclab::topology::validate::validate(&t, "bench.yaml");
        assert!(!report.has_errors(), "{report}");
        let t2 = Instant::now();
        let net = vpclab::model::build(&t, "bench.yaml").expect("generated topology resolves");
        let t3 = Instant::now();
        let warnings = vpclab::load::lint(&net);
        let t4 = Instant::now();
        std::hint::black_box(&warnings);
        instances = net.instances.len();
        parse.push(t1 - t0);
        validate.push(t2 - t1);
        build.push(t3 - t2);
        lint.push(t4 - t3);
        total.push(t4 - t0);
    }
    let (p, v, b, l, tot) = (
        median(parse),
        median(validate),
        median(build),
        median(lint),
        median(total),
    );
    println!(
        "generated topology: {} bytes, {instances} instances, {VPCS} VPCs, {} SGs",
        text.len(),
        VPCS * (SGS + 1)
    );
    println!("median of {RUNS} runs:");
    println!("  parse     {}", ms(p));
    println!("  validate  {}", ms(v));
    println!("  build     {}", ms(b));
    println!("  lint      {}", ms(l));
    println!(
        "  total     {}  ({:.1}% of a one-second budget)",
        ms(tot),
        tot.as_secs_f64() * 100.0
    );
}
