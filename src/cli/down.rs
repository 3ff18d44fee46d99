//! `vpclab down [NAME] [--force]`: asks the engine to tear down, waits, then removes anything
//! left (`--force`: also after a crash, without a live engine; never while another `up` of the
//! name is starting, which holds the state directory's lock: that is exit 3, saying so).

use super::common::{CmdResult, Fail, EXIT_OK};
use super::DownArgs;
use std::time::{Duration, Instant};
use vpclab::backend::netns::control::{request, Request};
use vpclab::backend::netns::procs::running;
use vpclab::backend::netns::state::{Busy, StateDir};
use vpclab::backend::netns::teardown::{force_clean, owned_namespaces};
use vpclab::backend::netns::userns;

/// How long a graceful teardown may take.
const GRACE: Duration = Duration::from_secs(60);

/// The message when `down` lacks the privilege to stop an engine or remove namespaces (exit 3).
pub const NEEDS_PRIVILEGE: &str = "`vpclab down` stops a topology's engine and removes its namespaces, which needs CAP_NET_ADMIN and CAP_SYS_ADMIN\nhint: run it with sudo";

/// Runs `down`. Without the privilege to stop an engine and remove namespaces it refuses
/// (exit 3) before touching anything; it says a topology is down only once its engine has
/// exited and none of its namespaces is left.
pub fn run(a: &DownArgs) -> CmdResult {
    // A normal user stops the topologies of its own state folder, which run in a user
    // namespace of its own (`userns`).
    let rootless = !vpclab::backend::netns::has_net_admin();
    if rootless && userns::missing().is_some() {
        return Err(Fail::env(NEEDS_PRIVILEGE));
    }
    let name = match &a.name {
        Some(n) => n.clone(),
        None => {
            let dirs: Vec<StateDir> = StateDir::all()
                .into_iter()
                .filter(|d| a.force || d.live_pid().is_some())
                .collect();
            match dirs.len() {
                0 => {
                    return Err(Fail::env(format!(
                        "no topology is running{}",
                        userns::root_hint()
                    )))
                }
                1 => dirs[0].name.clone(),
                _ => {
                    return Err(Fail::input(format!(
                        "several topologies are running ({}); say which: `vpclab down NAME`",
                        dirs.iter()
                            .map(|d| d.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            }
        }
    };
    if name.is_empty() || name.contains('/') || name.starts_with('.') {
        return Err(Fail::input(format!("`{name}` is not a topology name")));
    }
    let dir = StateDir::of(&name);
    let engine = dir.live_pid();
    // The state directory's lock, when `--force` cleans up after a run that holds none.
    let mut held = None;
    if let Some(pid) = engine {
        let asked = request(&dir.ctl_sock(), &Request::Stop, Duration::from_secs(5))
            .is_ok_and(|v| v["ok"] == serde_json::Value::Bool(true));
        if !asked {
            // Still building (no control socket yet) or hung: SIGTERM is handled by the loop
            // as soon as it runs; `force_clean` below escalates if it never does.
            // SAFETY: kill has no memory-safety preconditions; pid checked to be a vpclab.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let start = Instant::now();
        while running(pid) && start.elapsed() < GRACE {
            std::thread::sleep(Duration::from_millis(20));
        }
    } else if a.force && dir.exists() {
        // An `up` still starting holds the lock: its namespaces are not removed from under it.
        // Taking the lock also keeps a new `up` from starting while the clean-up runs. (No
        // directory: no `up` is starting, which makes it before anything else.)
        match dir.lock() {
            Ok(l) => held = Some(l),
            Err(Busy::Running(p)) => {
                return Err(Fail::env(format!(
                    "{name} just started (engine pid {p})\nhint: `vpclab down {name}`"
                )))
            }
            Err(Busy::Starting) => {
                let by = dir
                    .lock_holder()
                    .map(|p| format!(" (pid {p})"))
                    .unwrap_or_default();
                return Err(Fail::env(format!(
                    "an `up` of {name} is in progress{by}: `down --force` does not remove what it is building\nhint: wait for it and run `vpclab down {name}`, or stop that `up` first"
                )));
            }
            // No lock can be taken (the folder is unusable): clean what the records name.
            Err(Busy::Stale | Busy::Unsafe(_)) => {}
        }
    } else if !a.force {
        if dir.locked() {
            return Err(Fail::env(format!(
                "another `up` of {name} is in progress (its engine has not started yet)\nhint: run `vpclab down {name}` again once it is up"
            )));
        }
        if dir.exists() || !owned_namespaces(&name).is_empty() {
            return Err(Fail::env(format!(
                "topology {name} is not running, but a crashed run left state behind\nhint: `vpclab down --force {name}`"
            )));
        }
        return Err(Fail::env(format!(
            "topology {name} is not running{}",
            userns::root_hint()
        )));
    } else if rootless && !dir.exists() {
        // Nothing of this user's: the machine's namespaces named NAME-* are root's.
        return Err(Fail::env(format!(
            "topology {name} is not running{}",
            userns::root_hint()
        )));
    }
    // Whatever is left (a crash, a hung engine, or nothing at all).
    let c = force_clean(&name);
    drop(held);
    if a.force && !c.nothing() {
        eprintln!(
            "removed: {} namespace(s), {} process(es){}{}",
            c.namespaces.len(),
            c.processes,
            if c.killed_engine {
                ", the engine process"
            } else {
                ""
            },
            if c.state_dir {
                ", the state directory"
            } else {
                ""
            }
        );
    }
    let engine_left = engine.filter(|p| running(*p));
    let ns_left = owned_namespaces(&name);
    if engine_left.is_some() || !ns_left.is_empty() {
        return Err(Fail::env(format!(
            "{name} is not down: {}\nhint: `vpclab down --force {name}`",
            match engine_left {
                Some(p) => format!("its engine (pid {p}) still runs"),
                None => format!(
                    "{} namespace(s) remain ({})",
                    ns_left.len(),
                    ns_left.join(", ")
                ),
            }
        )));
    }
    eprintln!("{name} is down");
    Ok(EXIT_OK)
}
