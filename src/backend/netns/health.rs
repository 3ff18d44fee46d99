//! Route 53 health checks on the netns backend: a `HealthProber` that connects from the
//! namespace of an internet host of the topology (the first one), so the probes cross the
//! engine like AWS's checkers on the internet do and an SG or NACL that does not admit them
//! makes the target unhealthy. A topology without internet hosts has no vantage point: its
//! checks are reported healthy (the monitor sees every probe succeed).
//!
//! The monitor runs on its own thread (never the engine thread: the probes need the engine to
//! forward them) and writes each check's state to `health.json` in the state directory.

use super::state::StateDir;
use super::tap::in_netns;
use crate::dns::health::{CheckStatus, HealthMonitor, HealthProber, HealthTable};
use crate::dns::http_check::{http_ok, request};
use crate::dns::zones::{CheckDef, CheckProtocol};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Connect and read timeout of one probe (AWS: 4 s to connect, 2 s for the first byte).
const PROBE_TIMEOUT: Duration = Duration::from_secs(4);

/// Probes from inside a namespace (None: no vantage point, every probe succeeds).
pub struct NsProber {
    /// The namespace probes are sent from (an internet host's); None: every probe succeeds.
    pub ns: Option<String>,
}

impl HealthProber for NsProber {
    fn check(&mut self, c: &CheckDef) -> bool {
        let Some(ns) = &self.ns else {
            return true;
        };
        let c = c.clone();
        in_netns(ns, move || Ok(probe(&c))).unwrap_or(false)
    }
}

/// One probe from the calling thread's namespace.
pub fn probe(c: &CheckDef) -> bool {
    let addr = SocketAddr::from((c.target, c.port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, PROBE_TIMEOUT) else {
        return false;
    };
    if c.protocol == CheckProtocol::Tcp {
        return true;
    }
    let _ = s.set_read_timeout(Some(PROBE_TIMEOUT));
    let _ = s.set_write_timeout(Some(PROBE_TIMEOUT));
    if s.write_all(request(c.target, &c.path).as_bytes()).is_err() {
        return false;
    }
    let mut buf = Vec::new();
    let _ = s.take(64 * 1024).read_to_end(&mut buf);
    http_ok(&buf, c.search.as_deref())
}

/// The health file of a running topology, `health.json` in its state directory, rewritten
/// by the monitor; `vpclab status` reads it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct HealthFile {
    /// The namespace the probes come from (None: no internet host, all reported healthy).
    pub checker: Option<String>,
    /// Each check's `dns::health::CheckStatus` as JSON, in `dns: health_checks:` order.
    pub checks: Vec<serde_json::Value>,
}

/// A running monitor; dropping it stops the thread.
pub struct Monitor {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn write_status(dir: &StateDir, checker: &Option<String>, st: Vec<CheckStatus>) {
    let f = HealthFile {
        checker: checker.clone(),
        checks: st
            .iter()
            .map(|c| serde_json::to_value(c).unwrap_or_default())
            .collect(),
    };
    if let Ok(s) = serde_json::to_string(&f) {
        let tmp = dir.file("health.json.tmp");
        if crate::files::Writer::private().write(&tmp, s).is_ok() {
            let _ = std::fs::rename(tmp, dir.file("health.json"));
        }
    }
}

/// Starts the health checks of `defs` probing from `checker`; returns the table Route 53 reads
/// and the monitor (None when there is no check).
pub fn start(
    defs: Vec<CheckDef>,
    checker: Option<String>,
    dir: StateDir,
) -> (Arc<HealthTable>, Option<Monitor>) {
    let mut monitor = HealthMonitor::new(defs, 0);
    let table = monitor.table();
    if monitor.poll_timeout().is_none() {
        return (table, None);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("vpclab-health".into())
        .spawn(move || {
            let start = Instant::now();
            let mut prober = NsProber {
                ns: checker.clone(),
            };
            while !flag.load(Ordering::Relaxed) {
                let now = start.elapsed().as_nanos() as u64;
                monitor.poll(now, &mut prober);
                write_status(&dir, &checker, monitor.status());
                let due = monitor.poll_timeout().unwrap_or(u64::MAX);
                while !flag.load(Ordering::Relaxed) && (start.elapsed().as_nanos() as u64) < due {
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        })
        .ok();
    (
        table,
        thread.map(|t| Monitor {
            stop,
            thread: Some(t),
        }),
    )
}

/// The health file of a state directory, if the daemon writes one.
pub fn read(dir: &StateDir) -> Option<HealthFile> {
    serde_json::from_str(&std::fs::read_to_string(dir.file("health.json")).ok()?).ok()
}
