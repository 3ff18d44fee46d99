//! A SYN flood on the netns backend (issue 18, item 2): `hping3 --flood` from one internet host
//! against a web server whose SG is open to one /24 only (so its flows are tracked), with a
//! small conntrack allowance, for 20 s; a different client's `curl`, tried again and again,
//! gets its page every time during the flood, and the table stays within its allowance (read
//! from `status --json`, `stats.engine.conntrack_entries`). Run with `--nocapture` for the
//! figures.

use crate::common::netns::*;
use crate::common::require::{self, CURL, HPING3};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the flood runs (the issue's `timeout 20 hping3 --flood`).
const FLOOD: Duration = Duration::from_secs(20);

#[test]
#[ignore = "needs root, hping3 and curl: run the README's test command (scripts/test.sh)"]
fn a_syn_flood_from_one_host_does_not_lock_another_client_out() {
    require::netns(&[CURL, HPING3]);
    let open = "- { protocol: tcp, ports: 80, source: 0.0.0.0/0 }";
    let client = "    client: { ip: 198.51.100.10, location: { country: DE } }";
    assert!(THREE_TIER.contains(open) && THREE_TIER.contains(client));
    let yaml = THREE_TIER
        .replace(
            open,
            "- { protocol: tcp, ports: 80, source: 198.51.100.0/24 }",
        )
        .replace(
            client,
            &format!("{client}\n    attacker: {{ ip: 198.51.100.66 }}"),
        )
        + "engine: { conntrack_max: 2000 }\n";
    let t = Topo::new("nsf", &yaml);
    t.up();
    let net = t.network();
    let web = net.instance(net.instance_by_name("web").expect("web"));
    let ip = net
        .eni(web.eni)
        .public_ip
        .expect("web's public IP")
        .to_string();
    let url = format!("http://{ip}/");
    let before = t.exec("client", &["curl", "-s", "-m", "10", &url]);
    assert_eq!(stdout(&before), "web\n", "before the flood");
    let status = |t: &Topo| -> serde_json::Value {
        let o = vpclab()
            .args(["status", &t.name, "--json"])
            .output()
            .expect("status");
        serde_json::from_str(&stdout(&o)).unwrap_or_default()
    };
    let rx_before = status(&t)["topologies"][0]["stats"]["engine"]["rx_frames"]
        .as_u64()
        .unwrap_or(0);
    let mut flood = Command::new("ip")
        .args(["netns", "exec", &t.ns("attacker")])
        .args([
            "timeout",
            &FLOOD.as_secs().to_string(),
            "hping3",
            "--flood",
            "-q",
            "-S",
            "-p",
            "80",
            &ip,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hping3");
    let started = Instant::now();
    // Far more SYNs than the table holds have arrived by now.
    std::thread::sleep(Duration::from_secs(2));
    let (mut tries, mut ok, mut table_max, mut samples) = (0u32, 0u32, 0u64, 0u32);
    // Legitimate connects for the rest of the flood, and the table's size between them.
    while started.elapsed() + Duration::from_secs(4) < FLOOD {
        let o = t.exec("client", &["curl", "-s", "-m", "4", &url]);
        tries += 1;
        ok += u32::from(stdout(&o) == "web\n");
        let v = status(&t);
        if let Some(n) = v["topologies"][0]["stats"]["engine"]["conntrack_entries"].as_u64() {
            table_max = table_max.max(n);
            samples += 1;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = flood.wait();
    let flooded = started.elapsed();
    let rx = status(&t)["topologies"][0]["stats"]["engine"]["rx_frames"]
        .as_u64()
        .unwrap_or(0)
        - rx_before;
    eprintln!(
        "SYN flood {:.1} s: {rx} frames into the engine; legitimate curls {ok}/{tries}; \
         conntrack entries at most {table_max} (conntrack_max 2000, {samples} samples)",
        flooded.as_secs_f64()
    );
    assert!(
        flooded >= FLOOD - Duration::from_secs(1),
        "the flood ran {flooded:?}"
    );
    assert!(tries >= 5, "{tries} connects during the flood");
    assert_eq!(ok, tries, "curls that got the page during the flood");
    assert!(samples > 0 && table_max <= 2000, "table size {table_max}");
    assert!(
        rx > 10_000,
        "the flood sent {rx} frames: too few to fill the table"
    );
    let after = t.exec("client", &["curl", "-s", "-m", "10", &url]);
    assert_eq!(stdout(&after), "web\n", "after the flood");
}
