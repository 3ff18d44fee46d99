//! Processes started inside namespaces: the built-in services (`vpclab serve`) and `run:`
//! commands. Each leads its own session (so `down` kills its whole process group), its output
//! goes to `HOST.log` in the state directory, and its pid is recorded at once.

use super::state::StateDir;
use crate::model::Service;
use std::fs::OpenOptions;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `ip netns exec NS ARGS...` detached, logging to the host's log; returns its pid.
pub fn spawn_in_ns(dir: &StateDir, ns: &str, host: &str, args: &[String]) -> io::Result<i32> {
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.host_log(host))?;
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns]).args(args);
    cmd.stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    // SAFETY: only async-signal-safe calls (setsid, sigprocmask) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
            Ok(())
        });
    }
    let child = cmd.spawn()?;
    let pid = child.id() as i32;
    // The child is reaped by `reap_children` / killed by pid; dropping `Child` does not wait.
    drop(child);
    dir.append_line("pids", &format!("{pid} {host}"))?;
    Ok(pid)
}

/// Starts the built-in services of a host (`vpclab serve --name HOST SVC...`).
pub fn start_services(
    dir: &StateDir,
    ns: &str,
    host: &str,
    services: &[Service],
) -> io::Result<Option<i32>> {
    if services.is_empty() {
        return Ok(None);
    }
    let exe = std::env::current_exe()?;
    let mut args = vec![
        exe.display().to_string(),
        "serve".into(),
        "--name".into(),
        host.into(),
    ];
    args.extend(services.iter().map(|s| s.to_string()));
    spawn_in_ns(dir, ns, host, &args).map(Some)
}

/// Starts one `run:` command with `sh -c`.
pub fn start_run(dir: &StateDir, ns: &str, host: &str, command: &str) -> io::Result<i32> {
    spawn_in_ns(dir, ns, host, &["sh".into(), "-c".into(), command.into()])
}

/// Sends a signal to a process group and to the process itself.
fn signal(pid: i32, sig: i32) {
    // SAFETY: kill has no memory-safety preconditions.
    unsafe {
        libc::kill(-pid, sig);
        libc::kill(pid, sig);
    }
}

/// Reaps exited children of this process without blocking.
pub fn reap_children() {
    // SAFETY: waitpid with WNOHANG and a null status pointer.
    while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
}

/// Terminates processes (and their groups): SIGTERM, then SIGKILL after a grace period.
pub fn kill_all(pids: &[i32]) {
    let pids: Vec<i32> = pids.iter().copied().filter(|p| *p > 1).collect();
    for p in &pids {
        signal(*p, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        reap_children();
        if pids.iter().all(|p| !running(*p)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for p in &pids {
        signal(*p, libc::SIGKILL);
    }
    reap_children();
}

/// True when the process exists and is not a zombie.
pub fn running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}
