//! `vpclab status [NAME] [--json]`: running topologies, their hosts and engine counters.

use super::common::{load_network_quiet, print_json, CmdResult, Fail, EXIT_OK};
use super::up::{host_rows, HostRow};
use super::StatusArgs;
use std::time::Duration;
use vpclab::backend::netns::control::{request, Request};
use vpclab::backend::netns::state::StateDir;
use vpclab::model::Network;

/// One topology in `status --json`.
#[derive(Debug, serde::Serialize)]
pub struct TopologyStatus {
    /// Topology name.
    pub name: String,
    /// `netns`.
    pub backend: String,
    /// `running` (the engine answers), `starting`/`unresponsive` (alive, no answer), or `stale`
    /// (crashed: `down --force` cleans up).
    pub state: &'static str,
    /// The engine's pid.
    pub pid: Option<i32>,
    /// The state directory.
    pub state_dir: String,
    /// Hosts (from the running topology file).
    pub hosts: Vec<HostRow>,
    /// Engine and I/O counters, when the engine answered.
    pub stats: Option<serde_json::Value>,
    /// Port of the Route 53 listener on 127.0.0.1 (UDP and TCP, internet view).
    pub dns_port: Option<u16>,
    /// Route 53 health checks: the checker namespace and each check's state.
    pub health: Option<vpclab::backend::netns::health::HealthFile>,
    /// What a run that is not running (`stale`) left on the machine, which `down --force`
    /// removes; None for a running or starting one.
    pub left: Option<Left>,
    /// Flow-log sinks that failed (a full disk, a write error), one message each naming the
    /// file; empty when every sink writes (or the engine did not answer).
    pub flow_log_errors: Vec<String>,
}

/// What a dead run left behind.
#[derive(Debug, serde::Serialize)]
pub struct Left {
    /// Its namespaces that still exist.
    pub namespaces: Vec<String>,
    /// Processes running inside them (services, `run:` commands), by pid.
    pub processes: Vec<i32>,
}

/// What is left of the run `name` (namespaces that exist, processes inside them).
fn left_of(name: &str) -> Left {
    use vpclab::backend::netns::{ns, teardown};
    let namespaces: Vec<String> = teardown::owned_namespaces(name)
        .into_iter()
        .filter(|n| ns::namespace_exists(n))
        .collect();
    let processes = ns::namespace_pids(&namespaces);
    Left {
        namespaces,
        processes,
    }
}

/// The running model of a state directory (its topology copy).
pub fn running_network(dir: &StateDir) -> Result<Network, Fail> {
    load_network_quiet(&dir.file("topology.yaml"))
        .map(|(n, _)| n)
        .map_err(|f| {
            Fail::env(format!(
                "the state of {} is unreadable: {}\nhint: `vpclab down --force {}`",
                dir.name, f.msg, dir.name
            ))
        })
}

/// The topology a command acts on: `name`, or the only one running (exit 3 when none, exit 2
/// when several and no name).
pub fn pick(name: Option<&str>) -> Result<StateDir, Fail> {
    if let Some(n) = name {
        let d = StateDir::of(n);
        return if d.live_pid().is_some() {
            Ok(d)
        } else {
            Err(Fail::env(format!(
                "topology {n} is not running\nhint: `vpclab up FILE` starts it{}",
                vpclab::backend::netns::userns::root_hint()
            )))
        };
    }
    let live: Vec<StateDir> = StateDir::all()
        .into_iter()
        .filter(|d| d.live_pid().is_some())
        .collect();
    match live.len() {
        0 => Err(Fail::env(format!(
            "no topology is running\nhint: `vpclab up FILE` starts one{}",
            vpclab::backend::netns::userns::root_hint()
        ))),
        1 => Ok(live.into_iter().next().expect("one element")),
        _ => Err(Fail::input(format!(
            "several topologies are running ({}); say which with --name",
            live.iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The status of one state directory.
pub fn status_of(dir: &StateDir) -> TopologyStatus {
    let pid = dir.pid();
    let live = dir.live_pid().is_some();
    let stats = if live {
        request(&dir.ctl_sock(), &Request::Status, Duration::from_secs(5))
            .ok()
            .filter(|v| v["ok"] == serde_json::Value::Bool(true))
            .map(|v| v["stats"].clone())
    } else {
        None
    };
    let state = match (live, stats.is_some()) {
        (true, true) => "running",
        (true, false) if !dir.ctl_sock().exists() => "starting",
        (true, false) => "unresponsive",
        // An `up` holds the lock but its engine has not written its pid yet.
        (false, _) if dir.locked() => "starting",
        (false, _) => "stale",
    };
    let flow_log_errors = stats
        .as_ref()
        .and_then(|s| s["flow_log_errors"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let left = (state == "stale").then(|| left_of(&dir.name));
    let hosts = running_network(dir)
        .map(|n| host_rows(&n))
        .unwrap_or_default();
    TopologyStatus {
        name: dir.name.clone(),
        backend: std::fs::read_to_string(dir.file("backend"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "netns".into()),
        state,
        pid,
        state_dir: dir.path.display().to_string(),
        hosts,
        stats,
        dns_port: if live {
            vpclab::backend::netns::daemon::dns_port(dir)
        } else {
            None
        },
        health: if live {
            vpclab::backend::netns::health::read(dir)
        } else {
            None
        },
        left,
        flow_log_errors,
    }
}

/// Runs `status`.
pub fn run(a: &StatusArgs) -> CmdResult {
    let dirs = match &a.name {
        Some(n) => {
            let d = StateDir::of(n);
            if !d.exists() {
                return Err(Fail::env(format!("topology {n} is not running")));
            }
            vec![d]
        }
        None => StateDir::all(),
    };
    let all: Vec<TopologyStatus> = dirs.iter().map(status_of).collect();
    if a.json {
        print_json(&serde_json::json!({ "topologies": all }))?;
        return Ok(EXIT_OK);
    }
    if all.is_empty() {
        println!("no topology is running");
    }
    for t in &all {
        println!(
            "{}  {}  {}  pid {}  {}",
            t.name,
            t.backend,
            t.state,
            t.pid.map(|p| p.to_string()).unwrap_or("-".into()),
            t.state_dir
        );
        if let Some(l) = &t.left {
            println!(
                "  left behind by a run that died: {} namespace(s), {} process(es)\n  hint: `vpclab down --force {}` removes them",
                l.namespaces.len(),
                l.processes.len(),
                t.name
            );
        }
        for h in &t.hosts {
            println!(
                "  {:16} {:10} {:15} {:15} {}",
                h.name,
                h.id.as_deref().unwrap_or("internet"),
                if h.kind == "internet" {
                    "-"
                } else {
                    &h.private_ip
                },
                h.public_ip.as_deref().unwrap_or("-"),
                h.namespace
            );
        }
        if let Some(p) = t.dns_port {
            println!("  dns  127.0.0.1 port {p} (dig @127.0.0.1 -p {p} NAME)");
        }
        if let Some(h) = &t.health {
            for c in &h.checks {
                println!(
                    "  health check {}  {}  {}  probes {}  (from {})",
                    c["name"].as_str().unwrap_or("?"),
                    c["target"].as_str().unwrap_or("?"),
                    if c["healthy"] == serde_json::Value::Bool(true) {
                        "healthy"
                    } else {
                        "UNHEALTHY"
                    },
                    c["probes"],
                    h.checker
                        .as_deref()
                        .unwrap_or("nowhere: no internet host, reported healthy")
                );
            }
        }
        for e in &t.flow_log_errors {
            println!("  FLOW LOG ERROR  {e}");
        }
        if let Some(s) = &t.stats {
            println!(
                "  frames in {} out {} dropped {}",
                s["io"]["rx_frames"], s["io"]["tx_frames"], s["io"]["tx_dropped"]
            );
        }
    }
    Ok(EXIT_OK)
}
