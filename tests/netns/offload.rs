//! Offloads on the TAP path (root): large TCP transfers through the NAT gateway and the
//! internet gateway arrive intact with TSO and checksum offload on, and the flow log counts the
//! wire packets the TCP stacks sent (their `OutSegs`), not the segments the engine moved.

use crate::common::netns::*;
use crate::common::require;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// Bytes sent each way.
const SIZE: usize = 24 << 20;

const FLOW_LOG: &str = "
flow_logs:
  - { resource: instance:app, format: aws, path: app.log, aggregation_interval: 60 }
";

/// A deterministic byte stream (xorshift), the same on both ends.
struct Stream(u64);

impl Stream {
    fn fill(&mut self, b: &mut [u8]) {
        for c in b.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let w = self.0.to_le_bytes();
            c.copy_from_slice(&w[..c.len()]);
        }
    }
}

pub(crate) fn send(s: &mut TcpStream, seed: u64) -> std::io::Result<()> {
    let mut g = Stream(seed);
    let mut buf = vec![0u8; 1 << 16];
    let mut left = SIZE;
    while left > 0 {
        let n = left.min(buf.len());
        g.fill(&mut buf[..n]);
        s.write_all(&buf[..n])?;
        left -= n;
    }
    Ok(())
}

/// Reads exactly SIZE bytes and checks each against the stream: the receiver's verification.
fn receive(s: &mut TcpStream, seed: u64) -> std::io::Result<()> {
    let mut g = Stream(seed);
    let (mut buf, mut want) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let mut left = SIZE;
    while left > 0 {
        let n = left.min(buf.len());
        s.read_exact(&mut buf[..n])?;
        g.fill(&mut want[..n]);
        if buf[..n] != want[..n] {
            return Err(std::io::Error::other(format!(
                "corrupt data at byte {}",
                SIZE - left
            )));
        }
        left -= n;
    }
    Ok(())
}

/// TCP `OutSegs` + `RetransSegs` of a namespace (`/proc/net/snmp` read from inside it): every
/// segment its stack sent (OutSegs leaves retransmissions out), a TSO segment counted as the
/// wire packets it stands for.
fn segs(ns: &str) -> u64 {
    let o = std::process::Command::new("ip")
        .args(["netns", "exec", ns, "cat", "/proc/net/snmp"])
        .output()
        .expect("read /proc/net/snmp");
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let tcp: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| l.starts_with("Tcp:"))
        .map(|l| l.split_whitespace().collect())
        .collect();
    let col = |name: &str| -> u64 {
        let i = tcp[0].iter().position(|c| *c == name).expect(name);
        tcp[1][i].parse().expect("a number")
    };
    col("OutSegs") + col("RetransSegs")
}

/// Frames a namespace's `eth0` sent (a TSO segment counts once).
fn tx_packets(ns: &str) -> u64 {
    let o = std::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            ns,
            "cat",
            "/sys/class/net/eth0/statistics/tx_packets",
        ])
        .output()
        .expect("read tx_packets");
    stdout(&o).trim().parse().expect("a number")
}

/// `from` connects to `to`'s listener at `addr` (port 7100); each side sends SIZE bytes and
/// the other verifies every byte.
pub(crate) fn transfer(t: &Topo, from: &str, to: &str, addr: &str) {
    // An IPv6 `addr` (a colon in it): the listener and the connection are IPv6.
    let (any, addr) = match addr.contains(':') {
        true => ("[::]:7100", format!("[{addr}]")),
        false => ("0.0.0.0:7100", addr.to_string()),
    };
    let l = in_ns(&t.ns(to), move || TcpListener::bind(any)).expect("listen");
    let server = std::thread::spawn(move || -> std::io::Result<()> {
        let (mut s, _) = l.accept()?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        receive(&mut s, 1)?;
        send(&mut s, 2)
    });
    let addr: SocketAddr = format!("{addr}:7100").parse().unwrap();
    let mut c = in_ns(&t.ns(from), move || {
        let s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(s)
    })
    .unwrap_or_else(|e| panic!("{from} → {addr}: {e}"));
    send(&mut c, 1).expect("upload");
    receive(&mut c, 2).unwrap_or_else(|e| panic!("download to {from}: {e}"));
    server
        .join()
        .expect("server thread")
        .unwrap_or_else(|e| panic!("upload to {to}: {e}"));
}

/// Segments bigger than the MTU crossed the engine (TSO on), through the NAT gateway (app)
/// and the IGW's 1:1 NAT (web), both directions intact; and the AWS records at app's ENI
/// count exactly the TCP segments app's kernel sent, and those the client's sent to app.
#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn large_transfers_through_nat_gateway_and_igw_with_offloads() {
    require::netns(&[]);
    let t = Topo::new("noff", &format!("{THREE_TIER}{FLOW_LOG}"));
    t.up();
    let app = t.ns("app");
    let client = t.ns("client");
    transfer(&t, "web", "client", "198.51.100.10");
    // The client's connection with web is closed: from here on it talks only to app.
    std::thread::sleep(Duration::from_secs(1));
    let (out0, in0, tx0) = (segs(&app), segs(&client), tx_packets(&app));
    transfer(&t, "app", "client", "198.51.100.10");
    // Until the last FIN and ACK have left both stacks.
    std::thread::sleep(Duration::from_secs(1));
    let (out1, in1, tx1) = (segs(&app), segs(&client), tx_packets(&app));
    let out = vpclab().args(["down", &t.name]).output().expect("down");
    assert!(out.status.success(), "down: {out:?}");

    let net = t.network();
    let eni = net.eni(net.instance(net.instance_by_name("app").unwrap()).eni);
    let log = std::fs::read_to_string(t.file.with_file_name("app.log")).expect("AWS log");
    let (mut egress, mut ingress) = (0u64, 0u64);
    for r in log.lines().filter(|l| !l.starts_with("version")) {
        let f: Vec<&str> = r.split_whitespace().collect();
        if f[2] != eni.aws_id || f[7] != "6" || !(f[5] == "7100" || f[6] == "7100") {
            continue;
        }
        let packets: u64 = f[8].parse().expect("packets");
        if f[3] == eni.private_ip.to_string() {
            egress += packets;
        } else {
            ingress += packets;
        }
    }
    // Segments received are counted per frame when they arrive as one (GSO) frame, so the
    // client's OutSegs stand for what reached app (the client talks to no one else).
    let (sent, got, frames) = (out1 - out0, in1 - in0, tx1 - tx0);
    assert!(
        frames * 2 < sent,
        "TSO on: app's eth0 sent {frames} frames for {sent} TCP segments"
    );
    assert_eq!(egress, sent, "egress packets at app = its OutSegs\n{log}");
    assert_eq!(
        ingress, got,
        "ingress packets at app = the client's OutSegs\n{log}"
    );
}
