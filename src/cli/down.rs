//! `vpclab down [NAME] [--force]`: asks the engine to tear down, waits, then removes anything
//! left (`--force`: also after a crash, without a live engine).

use super::common::{CmdResult, Fail, EXIT_OK};
use super::DownArgs;
use std::time::{Duration, Instant};
use vpclab::backend::netns::control::{request, Request};
use vpclab::backend::netns::procs::running;
use vpclab::backend::netns::state::StateDir;
use vpclab::backend::netns::teardown::{force_clean, owned_namespaces};

/// How long a graceful teardown may take.
const GRACE: Duration = Duration::from_secs(60);

/// Runs `down`.
pub fn run(a: &DownArgs) -> CmdResult {
    let name = match &a.name {
        Some(n) => n.clone(),
        None => {
            let dirs: Vec<StateDir> = StateDir::all()
                .into_iter()
                .filter(|d| a.force || d.live_pid().is_some())
                .collect();
            match dirs.len() {
                0 => return Err(Fail::env("no topology is running")),
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
    if let Some(pid) = dir.live_pid() {
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
    } else if !a.force {
        if dir.exists() || !owned_namespaces(&name).is_empty() {
            return Err(Fail::env(format!(
                "topology {name} is not running, but a crashed run left state behind\nhint: `vpclab down --force {name}`"
            )));
        }
        return Err(Fail::env(format!("topology {name} is not running")));
    }
    // Whatever is left (a crash, a hung engine, or nothing at all).
    let c = force_clean(&name);
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
    eprintln!("{name} is down");
    Ok(EXIT_OK)
}
