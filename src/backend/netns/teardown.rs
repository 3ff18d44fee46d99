//! `down --force`: removes whatever a run of a topology left, from its state directory and from
//! the machine (namespaces named `NAME-*` that no other topology's state claims).

use super::ns;
use super::procs;
use super::state::StateDir;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// What a forced cleanup removed.
#[derive(Debug, Default)]
pub struct Cleaned {
    /// The engine process was still alive and was killed.
    pub killed_engine: bool,
    /// Number of processes found inside the topology's namespaces (all were killed).
    pub processes: usize,
    /// Namespaces that existed and were deleted, by name.
    pub namespaces: Vec<String>,
    /// The state directory existed and was removed.
    pub state_dir: bool,
}

impl Cleaned {
    /// True when nothing was left to remove (the topology was not running).
    pub fn nothing(&self) -> bool {
        !self.killed_engine && self.processes == 0 && self.namespaces.is_empty() && !self.state_dir
    }
}

/// Namespaces that belong to `name`: those recorded in its state, and `NAME-*` ones that no
/// other topology's state records.
pub fn owned_namespaces(name: &str) -> Vec<String> {
    // A normal user's namespaces live inside the user namespace of its run (`userns`) and go
    // with it; the names under the machine's /run/netns are root's.
    if !super::has_net_admin() || super::userns::is_rootless_run(&StateDir::of(name)) {
        return Vec::new();
    }
    let dir = StateDir::of(name);
    let mut out: Vec<String> = dir.namespaces();
    let others: HashSet<String> = StateDir::all()
        .into_iter()
        .filter(|d| d.name != name)
        .flat_map(|d| d.namespaces())
        .collect();
    let prefix = format!("{name}-");
    for n in ns::list_namespaces() {
        if n.starts_with(&prefix) && !others.contains(&n) && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// Stops the engine process of `name` if it is alive: SIGTERM, then SIGKILL.
pub fn stop_engine(dir: &StateDir, grace: Duration) -> bool {
    let Some(pid) = dir.live_pid() else {
        return false;
    };
    // SAFETY: kill has no memory-safety preconditions; pid checked to be a vpclab.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline && procs::running(pid) {
        procs::reap_children();
        std::thread::sleep(Duration::from_millis(20));
    }
    if procs::running(pid) && dir.live_pid() == Some(pid) {
        // SAFETY: as above.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline && procs::running(pid) {
            procs::reap_children();
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    true
}

/// Removes everything of `name`: stops the engine (waiting up to 5 s), kills every process
/// inside its namespaces, deletes the namespaces and their `/etc/netns` entries, then the
/// state directory. Never fails; errors along the way are ignored.
pub fn force_clean(name: &str) -> Cleaned {
    let dir = StateDir::of(name);
    let mut c = Cleaned {
        killed_engine: stop_engine(&dir, Duration::from_secs(5)),
        ..Default::default()
    };
    let namespaces = owned_namespaces(name);
    let pids = if super::userns::is_rootless_run(&dir) {
        super::userns::leftover_pids(&dir)
    } else {
        ns::namespace_pids(&namespaces)
    };
    c.processes = pids.len();
    procs::kill_all(&pids);
    c.namespaces = namespaces
        .iter()
        .filter(|n| ns::namespace_exists(n))
        .cloned()
        .collect();
    ns::delete_namespaces(&namespaces);
    for n in &namespaces {
        ns::remove_etc(n);
    }
    c.state_dir = dir.exists();
    let _ = dir.remove();
    c
}
