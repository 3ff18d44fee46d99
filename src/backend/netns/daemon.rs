//! The netns daemon's composition root: builds the namespaces, the engine, Route 53 (resolver,
//! health monitor, loopback listener), flow logs and the control socket for one topology, runs
//! the engine loop until `down`, Ctrl-C or SIGTERM, then tears everything down.
//!
//! State shared between the pieces (the live health table) is owned by `run` and handed to
//! the engine loop inside `DaemonEngine`; there are no process-global statics.

use super::control;
use super::engine_loop::{DataPlane, EngineLoop};
use super::priv_check::{has_net_admin, privilege_hint};
use super::state::{ns_name, Busy, Lock, StateDir};
use crate::dns::{HealthTable, Zones};
use crate::engine::{DnsService, Engine, EngineConfig, Nanos, Output, Stats};
use crate::model::{Network, PortId};
use std::fmt;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Why the daemon could not start or stopped early. The CLI turns `Env` into exit 3 and
/// `Failed` into exit 1.
#[derive(Debug)]
pub enum DaemonError {
    /// The environment is not fit (no privilege, state directory taken, namespaces or TAPs
    /// that cannot be made).
    Env(String),
    /// The engine loop failed while running.
    Failed(String),
}

impl fmt::Display for DaemonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DaemonError::Env(m) | DaemonError::Failed(m) => f.write_str(m),
        }
    }
}

/// The health table the daemon's monitor writes, with the names of the checks it probes: a
/// model swapped in by `apply` keeps live health only when its checks are the same ones.
#[derive(Clone)]
pub struct LiveHealth {
    /// Names of the monitored checks, in the order of `Zones::checks`.
    pub names: Vec<String>,
    /// Their current health, written by the monitor.
    pub table: Arc<HealthTable>,
}

/// The Route 53 service for the VPC resolver of `net` (at start and after `apply`). Health
/// comes from `live` when the topology's checks are the ones it monitors; otherwise (changed
/// checks, or no monitor) every check is reported healthy.
pub fn route53_for(net: &Arc<Network>, live: Option<&LiveHealth>) -> Box<dyn DnsService> {
    let zones = Arc::new(Zones::build(net.clone()));
    let names: Vec<String> = zones.checks.iter().map(|c| c.name.clone()).collect();
    let health = live
        .filter(|l| l.names == names)
        .map(|l| l.table.clone())
        .unwrap_or_else(|| Arc::new(HealthTable::new(zones.checks.len())));
    Box::new(crate::dns::service::Route53::new(zones, health, 0))
}

/// The engine as the daemon drives it: `apply` also rebuilds Route 53 from the new model,
/// keeping the live health of unchanged checks.
pub struct DaemonEngine {
    /// The data plane.
    pub engine: Engine,
    /// The running monitor's table.
    pub live: LiveHealth,
}

impl DataPlane for DaemonEngine {
    fn handle_frame(&mut self, port: PortId, frame: &[u8], now: Nanos) {
        self.engine.handle_frame(port, frame, now)
    }
    fn handle_frame_owned(&mut self, port: PortId, frame: Vec<u8>, now: Nanos) {
        self.engine.handle_frame_owned(port, frame, now)
    }
    fn handle_frame_offload(
        &mut self,
        port: PortId,
        frame: Vec<u8>,
        off: crate::engine::wire::Offload,
        now: Nanos,
    ) {
        self.engine.handle_frame_offload(port, frame, off, now)
    }
    fn poll_output_offload(&mut self) -> Option<(Output, crate::engine::wire::Offload)> {
        self.engine.poll_output_offload()
    }
    fn handle_timeout(&mut self, now: Nanos) {
        self.engine.handle_timeout(now)
    }
    fn poll_timeout(&self) -> Option<Nanos> {
        self.engine.poll_timeout()
    }
    fn poll_output(&mut self) -> Option<Output> {
        self.engine.poll_output()
    }
    fn apply(&mut self, net: Arc<Network>) {
        self.engine.apply(net.clone());
        self.engine.set_dns(route53_for(&net, Some(&self.live)));
    }
    fn set_events(&mut self, events: bool, frames: bool) {
        self.engine
            .set_events(events, crate::engine::Capture::all_or_off(frames));
    }
    fn stats(&self) -> Stats {
        self.engine.stats_now()
    }
    fn recycle(&mut self, ev: Box<crate::engine::PacketEvent>) {
        self.engine.recycle(ev)
    }
}

/// Blocks SIGINT and SIGTERM for this thread (and threads it starts) and returns a signalfd
/// that becomes readable when one arrives.
fn signal_fd() -> Result<OwnedFd, DaemonError> {
    // SAFETY: plain libc calls on a local, initialised sigset.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        let fd = libc::signalfd(-1, &set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC);
        if fd < 0 {
            return Err(DaemonError::Env(format!(
                "signalfd: {}",
                std::io::Error::last_os_error()
            )));
        }
        Ok(OwnedFd::from_raw_fd(fd))
    }
}

/// Runs the topology `net` loaded from `file` until `down`, Ctrl-C or SIGTERM, then tears
/// everything down. `ready` runs once the topology is up (the foreground `up` prints its
/// table). Flow-log paths are relative to `file`'s folder; `file` is copied into the state
/// directory for `status` and `apply`.
pub fn run(
    net: Arc<Network>,
    file: &Path,
    ready: impl FnOnce(&Network),
) -> Result<(), DaemonError> {
    if !has_net_admin() {
        return Err(DaemonError::Env(privilege_hint()));
    }
    let sigfd = signal_fd()?;
    let dir = StateDir::of(&net.name);
    // Held until this function returns, after the directory is removed.
    let _lock = claim(&dir)?;
    let setup = (|| -> std::io::Result<()> {
        dir.write("pid", &format!("{}\n", std::process::id()))?;
        dir.write("backend", "netns\n")?;
        if super::userns::isolated() {
            super::userns::record(&dir)?;
        }
        // The running copy: read again bounded (a file swapped for a FIFO or a huge file since
        // it was loaded cannot block or bloat `up`), written 0600 without following links.
        let cap = crate::topology::load::MAX_FILE_BYTES as u64;
        let text = crate::topology::input::read_bounded_text(file, cap)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        dir.write("topology.yaml", &text)?;
        Ok(())
    })();
    if let Err(e) = setup {
        let _ = dir.remove();
        return Err(DaemonError::Env(format!(
            "cannot write state in {}: {e}",
            dir.path.display()
        )));
    }
    let mut lab = match super::build(net.clone(), dir.clone(), true) {
        Ok(l) => l,
        Err(e) => {
            let _ = dir.remove();
            return Err(DaemonError::Env(format!("cannot build {}: {e}", net.name)));
        }
    };
    // For `status`: which link type wires the hosts (`link`).
    let _ = dir.write("link", &format!("{}\n", lab.link.as_str()));
    // Route 53 health checks probe from the first internet host's namespace (see `health`);
    // the engine's resolver and the loopback listener read the same table.
    let zones = Arc::new(Zones::build(net.clone()));
    let checker = net
        .internet_hosts
        .first()
        .map(|h| ns_name(&net.name, &h.name));
    let (health, _monitor) = super::health::start(zones.checks.clone(), checker, dir.clone());
    let live = LiveHealth {
        names: zones.checks.iter().map(|c| c.name.clone()).collect(),
        table: health.clone(),
    };
    let mut engine = Engine::new(
        net.clone(),
        EngineConfig {
            // NAT instances masquerade with nftables inside their namespace
            // (`ns::configure_nat_instance`).
            nat_instance_in_engine: false,
            // Packet events only while someone subscribes (the loop turns them on).
            events: false,
            dns: Some(Box::new(crate::dns::service::Route53::new(
                zones.clone(),
                health.clone(),
                0,
            ))),
            ..EngineConfig::default()
        },
    );
    // Each ALB node's namespace runs its proxy (`backend::alb`), which terminates HTTP.
    engine.set_alb_proxies(true);
    let result = (|| -> std::io::Result<()> {
        let plane = DaemonEngine { engine, live };
        let (mut lp, handle) = EngineLoop::new(plane, &lab.taps, Some(sigfd.as_raw_fd()))?;
        let base = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| ".".into());
        if let Err(e) = lp.replace_sinks(&net, &base) {
            eprintln!("vpclab: flow logs disabled: {e}");
        }
        // Route 53 on loopback (the internet view), for `dig @127.0.0.1 -p PORT`.
        let _dns = match dns_listener(zones.clone(), health.clone()) {
            Ok(h) => {
                dir.write("dns_port", &format!("{}\n", h.addr().port()))?;
                Some(h)
            }
            Err(e) => {
                eprintln!("vpclab: no DNS listener on loopback: {e}");
                None
            }
        };
        let ctx = control::ServeCtx {
            epoch_unix_ns: lp.epoch_unix_ns(),
            base_dir: Arc::new(Mutex::new(base)),
        };
        control::serve_with(
            dir.clone(),
            handle.clone(),
            Arc::new(Mutex::new(net.clone())),
            ctx,
        )?;
        ready(&net);
        lp.run()
    })();
    lab.teardown();
    let _ = dir.remove();
    result.map_err(|e| DaemonError::Failed(format!("engine loop failed: {e}")))
}

/// A Route 53 listener on an ephemeral loopback port answering with the internet view (what
/// the emulated public resolver sees: public zones only).
pub fn dns_listener(
    zones: Arc<Zones>,
    health: Arc<HealthTable>,
) -> std::io::Result<crate::dns::server::ServerHandle> {
    let view = crate::dns::client::Client::internet(std::net::Ipv4Addr::UNSPECIFIED, None, None);
    crate::dns::server::spawn(zones, health, view, ([127, 0, 0, 1], 0).into(), 0)
}

/// The loopback DNS port of a running topology (from its state directory).
pub fn dns_port(dir: &StateDir) -> Option<u16> {
    std::fs::read_to_string(dir.file("dns_port"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Takes the state directory: its lock (the one `up --detach` handed down, or a new one), then
/// the check for a crashed run's leftovers; or explains why not (with the command that fixes
/// it). Nothing is removed or written when it fails.
pub fn claim(dir: &StateDir) -> Result<Lock, DaemonError> {
    match dir.adopt_or_lock().and_then(|l| dir.create().map(|()| l)) {
        Ok(l) => Ok(l),
        Err(Busy::Starting) => Err(DaemonError::Env(format!(
            "another `up` of {} is in progress\nhint: `vpclab status {}`",
            dir.name, dir.name
        ))),
        Err(Busy::Running(pid)) => Err(DaemonError::Env(format!(
            "topology {} is already running (pid {pid})\nhint: `vpclab down {}` first",
            dir.name, dir.name
        ))),
        Err(Busy::Stale) => Err(DaemonError::Env(format!(
            "a crashed run of {} left state in {}\nhint: `vpclab down --force {}` cleans it up",
            dir.name,
            dir.path.display(),
            dir.name
        ))),
        Err(Busy::Unsafe(why)) => Err(DaemonError::Env(format!(
            "the state folder is not this user's own: {why}\nhint: remove it, or set VPCLAB_RUN_DIR to a folder of your own"
        ))),
    }
}
