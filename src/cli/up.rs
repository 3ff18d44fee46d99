//! `vpclab up FILE [--backend netns|virtual] [--detach]`.

use super::common::{load_network, CmdResult, Fail, EXIT_OK};
use super::daemon::{claim, run_engine, virtual_missing};
use super::{BackendArg, UpArgs};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use vpclab::backend::netns::control::{request, Request};
use vpclab::backend::netns::priv_check::has_net_admin;
use vpclab::backend::netns::state::{ns_name, StateDir, LOCK_FD_ENV};
use vpclab::backend::netns::userns;
use vpclab::model::Network;

/// How long `up --detach` waits for the daemon to answer.
const DETACH_WAIT: Duration = Duration::from_secs(600);

/// Runs `up`.
pub fn run(a: &UpArgs) -> CmdResult {
    let net = load_network(&a.file)?;
    let privileged = has_net_admin();
    // A normal user runs the netns backend through a user namespace where the kernel allows
    // it (`userns`); `missing` names what is not there.
    let missing = if privileged { None } else { userns::missing() };
    let backend = a.backend.unwrap_or(if privileged || missing.is_none() {
        BackendArg::Netns
    } else {
        BackendArg::Virtual
    });
    if backend == BackendArg::Virtual {
        return Err(virtual_missing());
    }
    if let Some(why) = missing {
        return Err(Fail::env(format!(
            "the netns backend runs as a normal user through a user namespace, and cannot here: {why}"
        )));
    }
    let file = std::fs::canonicalize(&a.file)
        .map_err(|e| Fail::input(format!("{}: {e}", a.file.display())))?;
    if a.detach {
        detach(&net, &file, !privileged)
    } else if !privileged {
        foreground_in_userns(&file)
    } else {
        run_engine(&file, |net| {
            print_table(net);
            print_dns(&StateDir::of(&net.name));
            eprintln!(
                "{} is up (netns backend); Ctrl-C or `vpclab down {}` tears it down",
                net.name, net.name
            );
        })
    }
}

/// Starts the daemon in its own session and waits until its control socket answers. The state
/// directory's lock is taken first and handed to the daemon (an inherited descriptor), so a
/// concurrent `up` of the name loses before it starts anything, and this one still holds the
/// lock when it removes what a failed daemon left.
fn detach(net: &Network, file: &Path, rootless: bool) -> CmdResult {
    let dir = StateDir::of(&net.name);
    let lock = claim(&dir)?;
    let lock_fd = lock.raw_fd();
    let log = vpclab::files::Writer::private()
        .create(&dir.file("daemon.log"))
        .map_err(|e| Fail::env(format!("cannot write {}: {e}", dir.path.display())))?;
    let exe = std::env::current_exe()
        .map_err(|e| Fail::env(format!("cannot find the vpclab binary: {e}")))?;
    let mut cmd = Command::new(exe);
    cmd.arg("daemon").arg(file).args(["--backend", "netns"]);
    cmd.env(LOCK_FD_ENV, lock_fd.to_string());
    cmd.stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| Fail::env(e.to_string()))?)
        .stderr(log);
    // SAFETY: setsid and fcntl are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            libc::setsid();
            // The daemon inherits the lock (the same open file, so the same flock).
            if libc::fcntl(lock_fd, libc::F_SETFD, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    if rootless {
        userns::isolate(&mut cmd);
    }
    let mut child = cmd.spawn().map_err(|e| {
        Fail::env(match rootless {
            true => format!("cannot start the daemon in a user namespace: {e}"),
            false => format!("cannot start the daemon: {e}"),
        })
    })?;
    let start = Instant::now();
    loop {
        if let Ok(Some(st)) = child.try_wait() {
            let log = std::fs::read_to_string(dir.file("daemon.log")).unwrap_or_default();
            eprint!("{log}");
            // A daemon killed mid-build leaves namespaces or processes: keep their record for
            // `status` and `down --force` instead of orphaning them.
            let left = !dir.namespaces().is_empty() || !dir.processes().is_empty();
            let msg = match (st.signal(), left) {
                (Some(sig), true) => format!(
                    "the daemon of {} was killed (signal {sig}) while starting; it left state in {}\nhint: `vpclab down --force {}` cleans it up",
                    net.name,
                    dir.path.display(),
                    net.name
                ),
                (Some(sig), false) => format!(
                    "the daemon of {} was killed (signal {sig}) while starting",
                    net.name
                ),
                (None, _) if log.trim().is_empty() => format!(
                    "the daemon of {} exited with status {} while starting",
                    net.name,
                    st.code().unwrap_or(1)
                ),
                (None, _) => String::new(),
            };
            if !left {
                let _ = dir.remove();
            }
            drop(lock);
            return Err(Fail {
                code: st.code().unwrap_or(1).max(1),
                msg,
            });
        }
        if request(&dir.ctl_sock(), &Request::Status, Duration::from_secs(2))
            .is_ok_and(|v| v["ok"] == serde_json::Value::Bool(true))
        {
            break;
        }
        if start.elapsed() > DETACH_WAIT {
            return Err(Fail::env(format!(
                "the daemon did not answer within {}s; see {}",
                DETACH_WAIT.as_secs(),
                dir.file("daemon.log").display()
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    print_table(net);
    print_dns(&dir);
    eprintln!(
        "{} is up (netns backend{}, daemon pid {}); state in {}",
        net.name,
        if rootless { " in a user namespace" } else { "" },
        child.id(),
        dir.path.display()
    );
    Ok(EXIT_OK)
}

/// The foreground `up` of a normal user: the same `up FILE` run again in a new user
/// namespace (`userns::isolate`), whose exit code is passed on. Ctrl-C reaches both; this
/// process ignores it and waits for the child's teardown.
fn foreground_in_userns(file: &Path) -> CmdResult {
    let exe = std::env::current_exe()
        .map_err(|e| Fail::env(format!("cannot find the vpclab binary: {e}")))?;
    let mut cmd = Command::new(exe);
    cmd.arg("up").arg(file).args(["--backend", "netns"]);
    userns::isolate(&mut cmd);
    // SAFETY: ignoring SIGINT/SIGTERM in this process only; the child restores the defaults
    // (exec resets ignored signals only when asked, so it is done in its pre_exec).
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGTERM, libc::SIG_IGN);
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            Ok(())
        });
    }
    let st = cmd
        .status()
        .map_err(|e| Fail::env(format!("cannot start vpclab in a user namespace: {e}")))?;
    match st.code() {
        Some(0) => Ok(EXIT_OK),
        Some(c) => Err(Fail {
            code: c,
            msg: String::new(),
        }),
        None => Ok(128 + st.signal().unwrap_or(0)),
    }
}

/// Prints the loopback DNS listener's port (Route 53, internet view), when the daemon runs one.
pub fn print_dns(dir: &StateDir) {
    if let Some(p) = vpclab::backend::netns::daemon::dns_port(dir) {
        println!("DNS: 127.0.0.1 port {p} (Route 53, internet view): dig @127.0.0.1 -p {p} NAME");
    }
}

/// One row of the hosts table (also used by `status --json`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct HostRow {
    /// Host name.
    pub name: String,
    /// `instance` or `internet`.
    pub kind: &'static str,
    /// AWS id (`i-web`), None for internet hosts.
    pub id: Option<String>,
    /// Private IP (instances) or the internet host's address.
    pub private_ip: String,
    /// Public IP or Elastic IP.
    pub public_ip: Option<String>,
    /// Its namespace.
    pub namespace: String,
}

/// The hosts of a network, instances first.
pub fn host_rows(net: &Network) -> Vec<HostRow> {
    let mut rows: Vec<HostRow> = net
        .instances
        .iter()
        .map(|i| {
            let eni = net.eni(i.eni);
            HostRow {
                name: i.name.clone(),
                kind: "instance",
                id: Some(i.aws_id.clone()),
                private_ip: eni.private_ip.to_string(),
                public_ip: eni.public_ip.map(|p| p.to_string()),
                namespace: ns_name(&net.name, &i.name),
            }
        })
        .collect();
    rows.extend(net.internet_hosts.iter().map(|h| HostRow {
        name: h.name.clone(),
        kind: "internet",
        id: None,
        private_ip: h.ip.to_string(),
        public_ip: Some(h.ip.to_string()),
        namespace: ns_name(&net.name, &h.name),
    }));
    rows
}

/// Prints the hosts table on stdout.
pub fn print_table(net: &Network) {
    let rows = host_rows(net);
    let w =
        |f: &dyn Fn(&HostRow) -> usize, min: usize| rows.iter().map(f).max().unwrap_or(0).max(min);
    let wn = w(&|r| r.name.len(), 8);
    let wi = w(&|r| r.id.as_deref().unwrap_or("internet").len(), 2);
    println!(
        "{:wn$}  {:wi$}  {:15}  {:15}  NAMESPACE",
        "INSTANCE", "ID", "PRIVATE IP", "PUBLIC IP"
    );
    for r in rows {
        println!(
            "{:wn$}  {:wi$}  {:15}  {:15}  {}",
            r.name,
            r.id.as_deref().unwrap_or("internet"),
            if r.kind == "internet" {
                "-"
            } else {
                &r.private_ip
            },
            r.public_ip.as_deref().unwrap_or("-"),
            r.namespace
        );
    }
}
