//! Processes started inside namespaces: the built-in services (`vpclab serve`) and `run:`
//! commands. Each leads its own session (so `down` kills its whole process group), its output
//! goes to `HOST.log` in the state directory, and its pid is recorded at once.

use super::state::StateDir;
use crate::model::Service;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `ip netns exec NS ARGS...` detached, logging to the host's log; returns its pid.
pub fn spawn_in_ns(dir: &StateDir, ns: &str, host: &str, args: &[String]) -> io::Result<i32> {
    let log = crate::files::Writer::private().append(&dir.host_log(host))?;
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

/// Starts the built-in services of a host (`vpclab serve --name HOST SVC...`); `tls` (an AWS
/// service's certificate chain and key, `trust::leaf_files`) becomes `--tls-cert/--tls-key`.
pub fn start_services(
    dir: &StateDir,
    ns: &str,
    host: &str,
    services: &[Service],
    tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
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
    if let Some((cert, key)) = tls {
        args.extend(["--tls-cert".into(), cert.display().to_string()]);
        args.extend(["--tls-key".into(), key.display().to_string()]);
    }
    args.extend(services.iter().map(|s| s.to_string()));
    spawn_in_ns(dir, ns, host, &args).map(Some)
}

/// True when the calling thread's namespace has a socket bound to `port` (TCP: listening;
/// UDP: bound), read from `/proc/thread-self/net/{tcp,udp}` and their `6` twins.
fn bound_here(udp: bool, port: u16) -> bool {
    let files: [&str; 2] = if udp {
        ["udp", "udp6"]
    } else {
        ["tcp", "tcp6"]
    };
    // The built-in servers listen dual-stack on `::` where IPv6 is on, so both tables count.
    files.iter().any(|file| {
        let text =
            std::fs::read_to_string(format!("/proc/thread-self/net/{file}")).unwrap_or_default();
        listens_in(&text, udp, port)
    })
}

/// Whether a `/proc/net/{tcp,udp}[6]` table has a socket bound to `port` (TCP: listening).
fn listens_in(text: &str, udp: bool, port: u16) -> bool {
    text.lines().skip(1).any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        let local_port = f
            .get(1)
            .and_then(|a| a.rsplit(':').next())
            .and_then(|p| u16::from_str_radix(p, 16).ok());
        // TCP state 0A = LISTEN; UDP sockets show 07 (unconnected).
        local_port == Some(port) && (udp || f.get(3) == Some(&"0A"))
    })
}

/// Waits (up to `limit`) until the built-in services of a host listen inside its namespace,
/// so `up` returns with every service ready. False when one never did.
pub fn wait_services(ns: &str, services: &[Service], limit: Duration) -> bool {
    if services.is_empty() {
        return true;
    }
    let wanted: Vec<(bool, u16)> = services
        .iter()
        .map(|s| match s {
            Service::Udp(p) => (true, *p),
            Service::Http(p) | Service::Tcp(p) => (false, *p),
        })
        .collect();
    super::tap::in_netns(ns, move || {
        let start = Instant::now();
        loop {
            if wanted.iter().all(|(u, p)| bound_here(*u, *p)) {
                return Ok(true);
            }
            if start.elapsed() > limit {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .unwrap_or(false)
}

/// Starts one `run:` command with `sh -c`.
pub fn start_run(dir: &StateDir, ns: &str, host: &str, command: &str) -> io::Result<i32> {
    spawn_in_ns(dir, ns, host, &["sh".into(), "-c".into(), command.into()])
}

/// Sends a signal to a process and, when it leads its own process group (as every process
/// vpclab starts does), to that group.
fn signal(pid: i32, sig: i32) {
    // SAFETY: getpgid and kill have no memory-safety preconditions.
    unsafe {
        if libc::getpgid(pid) == pid {
            libc::kill(-pid, sig);
        }
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

#[cfg(test)]
mod tests {
    use super::listens_in;

    const HEAD: &str = "  sl  local_address rem_address   st tx_queue rx_queue\n";

    #[test]
    fn a_dual_stack_listener_in_tcp6_counts() {
        let tcp6 = format!(
            "{HEAD}   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000\n"
        );
        assert!(listens_in(&tcp6, false, 80));
        assert!(!listens_in(&tcp6, false, 81));
    }

    #[test]
    fn an_established_socket_on_the_port_is_not_a_listener() {
        let tcp = format!("{HEAD}   0: 0100000A:0050 0200000A:C350 01 00000000:00000000\n");
        assert!(!listens_in(&tcp, false, 80));
        assert!(listens_in(&tcp, true, 80), "UDP: any bound socket counts");
    }
}
