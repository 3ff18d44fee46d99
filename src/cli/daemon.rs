//! `vpclab daemon FILE --backend netns` (hidden): the engine process of a topology. `up` runs the
//! same code in the foreground; `up --detach` starts it in its own session.

use super::common::{load_network, CmdResult, Fail, EXIT_OK};
use super::{BackendArg, DaemonArgs};
use crate::backend::netns::control;
use crate::backend::netns::engine_loop::EngineLoop;
use crate::backend::netns::priv_check::{has_net_admin, privilege_hint};
use crate::backend::netns::state::{Busy, StateDir};
use crate::backend::netns::{self};
use crate::engine::{Engine, EngineConfig};
use crate::model::Network;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Runs the hidden `daemon` command.
pub fn run(a: &DaemonArgs) -> CmdResult {
    match a.backend {
        BackendArg::Netns => {
            // SAFETY: ignoring SIGHUP; the daemon has no terminal.
            unsafe { libc::signal(libc::SIGHUP, libc::SIG_IGN) };
            run_engine(&a.file, |_| {})
        }
        BackendArg::Virtual => Err(virtual_missing()),
    }
}

/// The message while the virtual backend is not in this build.
pub fn virtual_missing() -> Fail {
    Fail::env(
        "the virtual backend is not available in this build\n\
         hint: run as root (sudo) to use the netns backend",
    )
}

/// Blocks SIGINT and SIGTERM for this thread (and threads it starts) and returns a signalfd
/// that becomes readable when one arrives.
fn signal_fd() -> Result<OwnedFd, Fail> {
    // SAFETY: plain libc calls on a local, initialised sigset.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        let fd = libc::signalfd(-1, &set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC);
        if fd < 0 {
            return Err(Fail::env(format!(
                "signalfd: {}",
                std::io::Error::last_os_error()
            )));
        }
        Ok(OwnedFd::from_raw_fd(fd))
    }
}

/// Builds the topology of `file`, runs the engine until `down`, Ctrl-C or SIGTERM, then tears
/// everything down. `ready` runs once the topology is up (the foreground `up` prints its table).
pub fn run_engine(file: &Path, ready: impl FnOnce(&Network)) -> CmdResult {
    let net = Arc::new(load_network(file)?);
    if !has_net_admin() {
        return Err(Fail::env(privilege_hint()));
    }
    let sigfd = signal_fd()?;
    let dir = StateDir::of(&net.name);
    claim(&dir)?;
    let setup = (|| -> std::io::Result<()> {
        dir.write("pid", &format!("{}\n", std::process::id()))?;
        dir.write("backend", "netns\n")?;
        std::fs::copy(file, dir.file("topology.yaml"))?;
        Ok(())
    })();
    if let Err(e) = setup {
        let _ = dir.remove();
        return Err(Fail::env(format!(
            "cannot write state in {}: {e}",
            dir.path.display()
        )));
    }
    let mut lab = match netns::build(net.clone(), dir.clone(), true) {
        Ok(l) => l,
        Err(e) => {
            let _ = dir.remove();
            return Err(Fail::env(format!("cannot build {}: {e}", net.name)));
        }
    };
    // Route 53 health checks probe from the first internet host's namespace (see
    // `netns::health`); the engine's resolver and the loopback listener read the same table.
    let zones = Arc::new(crate::dns::Zones::build(net.clone()));
    let checker = net
        .internet_hosts
        .first()
        .map(|h| crate::backend::netns::state::ns_name(&net.name, &h.name));
    let (health, _monitor) =
        crate::backend::netns::health::start(zones.checks.clone(), checker, dir.clone());
    if let Ok(mut g) = LIVE_HEALTH.lock() {
        *g = Some((
            zones.checks.iter().map(|c| c.name.clone()).collect(),
            health.clone(),
        ));
    }
    let engine = Engine::new(
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
    let result = (|| -> std::io::Result<()> {
        use std::os::fd::AsRawFd;
        let (mut lp, handle) = EngineLoop::new(engine, &lab.taps, Some(sigfd.as_raw_fd()))?;
        // Flow logs: paths relative to the original topology file's folder.
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
    match result {
        Ok(()) => Ok(EXIT_OK),
        Err(e) => Err(Fail::other(format!("engine loop failed: {e}"))),
    }
}

/// A Route 53 listener on an ephemeral loopback port answering with the internet view (what
/// the emulated public resolver sees: public zones only).
pub fn dns_listener(
    zones: Arc<crate::dns::Zones>,
    health: Arc<crate::dns::HealthTable>,
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

/// Takes the state directory, or explains why not (exit 3).
pub fn claim(dir: &StateDir) -> Result<(), Fail> {
    match dir.create() {
        Ok(()) => Ok(()),
        Err(Busy::Running(pid)) => Err(Fail::env(format!(
            "topology {} is already running (pid {pid})\nhint: `vpclab down {}` first",
            dir.name, dir.name
        ))),
        Err(Busy::Stale) => Err(Fail::env(format!(
            "a crashed run of {} left state in {}\nhint: `vpclab down --force {}` cleans it up",
            dir.name,
            dir.path.display(),
            dir.name
        ))),
    }
}

/// The health table the daemon's monitor writes, with the check names it probes (so `apply`
/// keeps live health when the checks did not change).
static LIVE_HEALTH: std::sync::Mutex<Option<(Vec<String>, Arc<crate::dns::HealthTable>)>> =
    std::sync::Mutex::new(None);

/// The Route 53 service for the VPC resolver of `net` (also after `apply`). Health comes from
/// the running monitor when the topology's checks are the ones it probes; otherwise (changed
/// checks, or no monitor) every check is reported healthy.
pub fn route53_for(net: &Arc<Network>) -> Box<dyn crate::engine::DnsService> {
    let zones = Arc::new(crate::dns::Zones::build(net.clone()));
    let names: Vec<String> = zones.checks.iter().map(|c| c.name.clone()).collect();
    let live = LIVE_HEALTH.lock().ok().and_then(|g| {
        g.as_ref()
            .filter(|(n, _)| *n == names)
            .map(|(_, t)| t.clone())
    });
    let health = live.unwrap_or_else(|| Arc::new(crate::dns::HealthTable::new(zones.checks.len())));
    Box::new(crate::dns::service::Route53::new(zones, health, 0))
}
