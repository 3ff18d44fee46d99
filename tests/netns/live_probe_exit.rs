//! `vpclab probe` without FILE (netns backend, root): a request leaving through the internet
//! gateway towards an address nobody owns is `exited` (exit 0), `--src-port` is honoured, and
//! protocols other than tcp/udp/icmp or a spoofed `--src-ip` are refused with exit 2.

use crate::common::netns::{vpclab, Topo, THREE_TIER};
use crate::common::require;

/// Runs `probe --json` on `t`: exit code, JSON document (null when none) and stderr.
fn probe(t: &Topo, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = vpclab()
        .args(["probe", "--name", &t.name, "--json"])
        .args(args)
        .output()
        .expect("run probe");
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn live_probe_exits_and_refuses_raw() {
    require::netns(&[]);
    let t = Topo::new("lpexit", THREE_TIER);
    t.up();

    // Out through igw-main towards an unowned public address: exited, exit 0.
    let (code, v, err) = probe(&t, &["--from", "web", "--to", "54.1.2.3", "--port", "443"]);
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(v["exited"], true, "{v}");
    assert_eq!(v["delivered"], false, "{v}");
    assert_eq!(v["reply"], false, "{v}");
    let trace = v["trace"].as_array().expect("trace");
    assert!(
        trace.iter().any(|h| h["component"] == "igw-main"
            && h["detail"].as_str().unwrap_or("").contains("leaves")),
        "{v}"
    );

    // A normal flow from a chosen source port: a reply, not exited.
    let (code, v, err) = probe(
        &t,
        &[
            "--from",
            "client",
            "--to",
            "web",
            "--port",
            "80",
            "--src-port",
            "40001",
        ],
    );
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(v["reply"], true, "{v}");
    assert_eq!(v["exited"], false, "{v}");

    // Protocol 47 (GRE): the live probe has no raw sender, exit 2 naming what it sends.
    let (code, _, err) = probe(
        &t,
        &["--from", "web", "--to", "54.1.2.3", "--protocol", "47"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("tcp, udp or icmp"), "{err}");

    // A spoofed source address: exit 2; the source's own address is accepted.
    let (code, _, err) = probe(
        &t,
        &["--from", "web", "--to", "app", "--src-ip", "10.9.9.9"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("spoofed"), "{err}");
    let (code, v, err) = probe(
        &t,
        &[
            "--from",
            "web",
            "--to",
            "app",
            "--port",
            "8080",
            "--src-ip",
            "10.0.0.10",
        ],
    );
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(v["reply"], true, "{v}");
}
