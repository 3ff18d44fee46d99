//! The engine loop over real TAPs, driven by a two-port hub instead of the engine: frames read
//! from one namespace's `eth0` are written to the other's, so `ping` works; status counters and
//! Stop work through the loop's handle.

use crate::common::netns::*;
use crate::common::require::{self, PING};
use std::collections::VecDeque;
use std::process::Command;
use std::sync::{mpsc, Arc};
use vpclab::backend::netns::engine_loop::{Cmd, DataPlane, EngineLoop};
use vpclab::backend::netns::tap;
use vpclab::engine::{Nanos, Output, Stats};
use vpclab::model::{Network, PortId};

/// Repeats every frame to every other port.
#[derive(Default)]
struct Hub {
    ports: u32,
    out: VecDeque<Output>,
    stats: Stats,
}

impl DataPlane for Hub {
    fn handle_frame(&mut self, port: PortId, frame: &[u8], _now: Nanos) {
        self.stats.rx_frames += 1;
        for p in (0..self.ports).filter(|p| *p != port.0) {
            self.out.push_back(Output::Frame {
                port: PortId(p),
                data: frame.to_vec(),
            });
        }
    }
    fn handle_timeout(&mut self, _now: Nanos) {}
    fn poll_timeout(&self) -> Option<Nanos> {
        None
    }
    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }
    fn apply(&mut self, _net: Arc<Network>) {}
    fn stats(&self) -> Stats {
        self.stats.clone()
    }
}

/// Deletes the test's namespaces on drop.
struct Namespaces(Vec<String>);

impl Drop for Namespaces {
    fn drop(&mut self) {
        for n in &self.0 {
            let _ = Command::new("ip").args(["netns", "del", n]).status();
        }
    }
}

fn ip(ns: &str, args: &str) {
    let st = Command::new("ip")
        .args(["-n", ns])
        .args(args.split(' '))
        .status()
        .expect("ip");
    assert!(st.success(), "ip -n {ns} {args}");
}

#[test]
#[ignore = "needs root and ping: run the README's test command (scripts/test.sh)"]
fn loop_moves_frames_between_taps() {
    require::netns(&[PING]);
    let id = std::process::id() % 100_000;
    let names = vec![format!("nlp{id}-a"), format!("nlp{id}-b")];
    let guard = Namespaces(names.clone());
    let mut taps = Vec::new();
    for (i, n) in guard.0.iter().enumerate() {
        assert!(Command::new("ip")
            .args(["netns", "add", n])
            .status()
            .unwrap()
            .success());
        taps.push((
            PortId(i as u32),
            tap::create_host_tap(n, false).expect("tap"),
        ));
        ip(n, "link set lo up");
        ip(n, &format!("addr add 10.250.0.{}/24 dev eth0", i + 1));
        ip(n, "link set eth0 up");
    }
    let (mut lp, handle) = EngineLoop::<Hub>::new(
        Hub {
            ports: 2,
            ..Default::default()
        },
        &taps,
        None,
    )
    .unwrap();
    let th = std::thread::spawn(move || lp.run());
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &names[0],
            "ping",
            "-c",
            "3",
            "-i",
            "0.2",
            "-W",
            "5",
            "10.250.0.2",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ping through the loop: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (tx, rx) = mpsc::channel();
    assert!(handle.send(Cmd::Status(tx)));
    let st = rx.recv().unwrap();
    assert!(st.io.rx_frames >= 6 && st.io.tx_frames >= 6, "{st:?}");
    assert_eq!(st.engine.rx_frames, st.io.rx_frames);
    assert!(handle.send(Cmd::Stop));
    th.join().unwrap().unwrap();
    drop(taps);
    drop(guard);
    assert!(namespaces_of(&format!("nlp{id}")).is_empty());
}
