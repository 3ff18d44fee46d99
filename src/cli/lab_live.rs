//! Live labs: `lab start` brings the lab's network up on namespaces when it can (root, or a
//! normal user through a user namespace), `lab check` applies the learner's file to it (or
//! rebuilds it when `apply` cannot take the change) and runs the step's `exec` checks inside
//! its instances with real tools, and `lab stop` tears it down. The virtual backend stays the
//! fallback, with one line saying why.
//!
//! Each step is the binary's own command run as a child process (`up --detach`, `apply`,
//! `down`, `exec`), so a live lab behaves exactly like the commands the learner types. The
//! running topology's name is kept in `live` next to the working file.

use super::common::load_network_quiet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use vpclab::backend::netns::{has_net_admin, userns};
use vpclab::lab::checks::{CheckOutcome, CheckResult};
use vpclab::lab::format::{Check, ExecCheck};

/// The environment variable that keeps labs on the virtual backend (`virtual`).
pub const LAB_BACKEND_ENV: &str = "VPCLAB_LAB_BACKEND";
/// Longest an `exec` check may run before it is stopped and fails.
const EXEC_LIMIT: Duration = Duration::from_secs(30);

/// The file that records a working folder's live topology (its name).
fn record(work: &Path) -> PathBuf {
    work.with_file_name("live")
}

/// The copy of the file the live network was last brought up or applied from (`live.yaml`
/// next to the working file), kept to see changes `apply` takes but cannot carry out.
pub fn running_copy(work: &Path) -> PathBuf {
    work.with_file_name("live.yaml")
}

/// The instances that `apply` would change into or out of NAT instances: `apply` accepts the
/// change, but an instance's forwarding and masquerade rule are set up only by `up`, so the
/// lab rebuilds the network instead. Empty when there is no copy of the running file.
fn nat_role_changes(work: &Path, new: &vpclab::model::Network) -> Vec<String> {
    let Ok((old, _)) = load_network_quiet(&running_copy(work)) else {
        return Vec::new();
    };
    let nat = |n: &vpclab::model::Network| -> std::collections::BTreeSet<String> {
        n.instances
            .iter()
            .filter(|i| i.nat)
            .map(|i| i.name.clone())
            .collect()
    };
    nat(&old).symmetric_difference(&nat(new)).cloned().collect()
}

/// The live topology recorded for a working file, if any.
pub fn recorded(work: &Path) -> Option<String> {
    let s = std::fs::read_to_string(record(work)).ok()?;
    let n = s.trim();
    (!n.is_empty()).then(|| n.to_string())
}

/// Why labs cannot run live here (one line), None when they can.
fn why_not_live() -> Option<String> {
    if std::env::var(LAB_BACKEND_ENV).is_ok_and(|v| v == "virtual") {
        return Some(format!("{LAB_BACKEND_ENV}=virtual"));
    }
    if has_net_admin() {
        return None;
    }
    userns::missing().map(|m| {
        let first = m.lines().next().unwrap_or("").to_string();
        format!("namespaces need root or a user namespace, and here {first}")
    })
}

/// Runs this vpclab with `args`, output captured.
fn me(args: &[&str]) -> std::io::Result<Output> {
    let exe = std::env::current_exe()?;
    Command::new(exe).args(args).stdin(Stdio::null()).output()
}

/// The last non-empty line of a command's stderr (its error).
fn last_err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.starts_with("hint:"))
        .unwrap_or("")
        .trim()
        .to_string()
}

/// True when the topology `name` runs (its engine answers `status`).
fn running(name: &str) -> bool {
    me(&["status", name]).is_ok_and(|o| o.status.success())
}

/// `down NAME` (forced when the plain one fails), quietly.
fn down(name: &str) {
    let ok = me(&["down", name]).is_ok_and(|o| o.status.success());
    if !ok {
        let _ = me(&["down", "--force", name]);
    }
}

/// `up --detach FILE`; Err with its error line.
fn up(work: &Path) -> Result<(), String> {
    let file = work.to_string_lossy();
    let o = me(&["up", "--detach", &file]).map_err(|e| e.to_string())?;
    if o.status.success() {
        Ok(())
    } else {
        Err(last_err(&o))
    }
}

/// Stops every live lab network recorded in the working folders under `root` (a learner runs
/// one lab at a time) and forgets it.
fn stop_all(root: &Path) {
    let Ok(rd) = std::fs::read_dir(root) else {
        return;
    };
    for e in rd.filter_map(|e| e.ok()) {
        let work = e.path().join("topology.yaml");
        if let Some(name) = recorded(&work) {
            // `-`: recorded for a file that never came up (nothing runs).
            if name != "-" {
                down(&name);
            }
            let _ = std::fs::remove_file(record(&work));
            let _ = std::fs::remove_file(running_copy(&work));
        }
    }
}

/// `lab start`: brings the working file's network up on namespaces and prints how to use it;
/// false (after one line saying why) when the lab runs on the virtual backend instead.
pub fn start(work: &Path) -> bool {
    if let Some(root) = work.parent().and_then(Path::parent) {
        stop_all(root);
    }
    if let Some(why) = why_not_live() {
        println!("\nBackend: virtual, because {why}.");
        return false;
    }
    let net = match load_network_quiet(work) {
        Ok((n, _)) => n,
        Err(_) => {
            println!("\nBackend: virtual for now, because the starting file does not validate; `vpclab lab check` brings the network up live once it does.");
            // Recorded with the name it will have, so `check` knows to bring it up.
            let _ = std::fs::write(record(work), "-\n");
            return false;
        }
    };
    if running(&net.name) {
        down(&net.name);
    }
    match up(work) {
        Ok(()) => {
            let _ = std::fs::write(record(work), format!("{}\n", net.name));
            let _ = std::fs::copy(work, running_copy(work));
            // The internet's view first: that is where most labs' traffic comes from.
            let host = net
                .internet_hosts
                .first()
                .map(|h| h.name.clone())
                .or_else(|| net.instances.first().map(|i| i.name.clone()))
                .unwrap_or_else(|| "INSTANCE".into());
            println!(
                "\nBackend: live on namespaces{} (topology {}). Every `lab check` applies your file to it\n\
                 and runs its `exec` checks inside the instances. Look around with real tools:\n  \
                 vpclab exec {host} -- curl -s http://ADDRESS/\n  \
                 vpclab exec {host} -- ping -c 1 ADDRESS\n  \
                 vpclab lab stop        (tears the network down)",
                if has_net_admin() {
                    ""
                } else {
                    " in a user namespace, no root"
                },
                net.name
            );
            true
        }
        Err(e) => {
            println!("\nBackend: virtual, because the live network could not start: {e}");
            false
        }
    }
}

/// `lab check`, before the checks: when the lab is live, puts the learner's file on the
/// running network (`apply`; down and up again when `apply` cannot take the change, or when
/// the file names another topology). Returns the running topology's name, or why the checks
/// run without it. Progress lines go to stderr (stdout may be JSON).
pub fn sync(work: &Path) -> Result<String, String> {
    let Some(old) = recorded(work) else {
        return Err(
            "this lab runs on the virtual backend (`vpclab lab start ID` again to try live)".into(),
        );
    };
    let net = load_network_quiet(work)
        .map_err(|_| {
            "your file does not validate, so the live network was left as it was".to_string()
        })?
        .0;
    if old != net.name && old != "-" {
        down(&old);
    }
    let file = work.to_string_lossy().to_string();
    let nat_changes = nat_role_changes(work, &net);
    let checks_changed = super::lab_live_dns::health_checks_changed(&running_copy(work), &net);
    if running(&net.name) && !nat_changes.is_empty() {
        eprintln!(
            "live: rebuilding {} (NAT instances are set up by `up`: {} changed role)",
            net.name,
            nat_changes.join(", ")
        );
        down(&net.name);
        up(work)?;
    } else if running(&net.name) && checks_changed {
        eprintln!(
            "live: rebuilding {} (Route 53 health checks are started by `up`: `dns: health_checks:` changed)",
            net.name
        );
        down(&net.name);
        up(work)?;
    } else if running(&net.name) {
        let o = me(&["apply", &file]).map_err(|e| e.to_string())?;
        if o.status.success() {
            eprintln!("live: applied your file to {}", net.name);
        } else {
            eprintln!(
                "live: rebuilding {} (apply cannot take this change: {})",
                net.name,
                last_err(&o)
            );
            down(&net.name);
            up(work)?;
        }
    } else {
        eprintln!("live: bringing {} up on namespaces", net.name);
        up(work)?;
    }
    let _ = std::fs::write(record(work), format!("{}\n", net.name));
    let _ = std::fs::copy(work, running_copy(work));
    Ok(net.name)
}

/// Runs `args` inside the host `host` of the running topology `name` through `vpclab exec`,
/// output captured, stopped after [`EXEC_LIMIT`]. Err(Unavailable) when it cannot be run,
/// Err(Fail) when it ran too long.
pub fn exec_bounded(name: &str, host: &str, args: &[&str]) -> Result<Output, CheckOutcome> {
    let exe = std::env::current_exe()
        .map_err(|e| CheckOutcome::Unavailable(format!("cannot find vpclab: {e}")))?;
    let mut child = Command::new(exe)
        .args(["exec", "--name", name, host, "--"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| CheckOutcome::Unavailable(format!("cannot run vpclab exec: {e}")))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > EXEC_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(CheckOutcome::Fail(format!(
                    "`{}` on {host} ran longer than {}s",
                    args.join(" "),
                    EXEC_LIMIT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(CheckOutcome::Unavailable(e.to_string())),
        }
    }
    child
        .wait_with_output()
        .map_err(|e| CheckOutcome::Unavailable(e.to_string()))
}

/// Runs one `exec` check on the running topology `name`: `sh -c COMMAND` inside the
/// instance through `vpclab exec`, stopped after [`EXEC_LIMIT`].
fn run_exec(name: &str, c: &ExecCheck) -> CheckOutcome {
    let o = match exec_bounded(name, &c.instance, &["sh", "-c", &c.command]) {
        Ok(o) => o,
        Err(outcome) => return outcome,
    };
    let code = o.status.code().unwrap_or(-1);
    let said = |o: &Output| {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        text.lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| format!(": {}", l.trim()))
            .unwrap_or_default()
    };
    if code == c.exit {
        CheckOutcome::Pass(format!("exit {code}{}", said(&o)))
    } else {
        CheckOutcome::Fail(format!(
            "exited {code}, the step wants {}{}",
            c.exit,
            said(&o)
        ))
    }
}

/// Replaces the outcome of every `exec` check the runner skipped: run live when `live` names
/// the running topology, else skipped with the reason. `checks` and `results` are in the same
/// order (one result per check).
pub fn run_exec_checks(
    live: &Result<String, String>,
    checks: &[Check],
    results: &mut [CheckResult],
) {
    for (c, r) in checks.iter().zip(results.iter_mut()) {
        let Check::Exec(e) = c else { continue };
        if !matches!(r.outcome, CheckOutcome::Skipped(_)) {
            continue;
        }
        r.outcome = match live {
            Ok(name) => run_exec(name, e),
            Err(why) => CheckOutcome::Skipped(format!("runs only on a live lab: {why}")),
        };
    }
}

/// `lab stop`: tears the current lab's live network down; false when none runs.
pub fn stop(work: &Path) -> bool {
    let Some(name) = recorded(work) else {
        return false;
    };
    if name != "-" {
        down(&name);
    }
    let _ = std::fs::remove_file(record(work));
    let _ = std::fs::remove_file(running_copy(work));
    true
}

/// One line for `lab status`: the live topology and whether it runs, or `virtual`.
pub fn describe(work: &Path) -> String {
    match recorded(work) {
        Some(n) if n == "-" => "live once your file validates (`vpclab lab check`)".into(),
        Some(n) if running(&n) => {
            format!("live on namespaces (topology {n}; `vpclab lab stop` tears it down)")
        }
        Some(n) => {
            format!("live, but topology {n} is not running (`vpclab lab check` brings it up)")
        }
        None => "virtual".into(),
    }
}
