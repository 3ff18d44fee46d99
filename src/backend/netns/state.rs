//! The state of a running topology under `/run/vpclab/NAME/` (part of `backend::netns`,
//! rank 7), written so that `down --force` can clean up after a SIGKILL at any point: the
//! namespace list is written before a namespace is made, and every process is recorded as soon
//! as it starts.
//!
//! The directory and every file in it are the engine's own (0700 and 0600, written by the rule
//! of `files::Writer::private`, never through a symbolic link).
//!
//! Files: `pid` (the engine process), `backend`, `topology.yaml` (a copy of the running file),
//! `namespaces` (one per line), `pids` (`PID HOST` per line; each PID leads its own process
//! group), `HOST.log` (services and `run:` output), `daemon.log`, `ctl.sock`, and `lock`: an
//! exclusive `flock` held for the whole life of a run (by `up` while it starts the daemon, by
//! the daemon until it has removed the directory), so two `up`s of one name cannot both start
//! and a loser never touches the winner's files.

use crate::files::Writer;
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Where state directories live: `VPCLAB_RUN_DIR` when set, else `/run/vpclab` for root and a
/// folder of each other user's own ([`user_run_root`]), so root's and each user's runs are
/// separate. The folder is made 0700 and must be owned by the process (checked when a run
/// takes its directory, see [`StateDir::lock`]).
pub fn run_root() -> PathBuf {
    if let Some(d) = std::env::var_os("VPCLAB_RUN_DIR") {
        return PathBuf::from(d);
    }
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    if euid == 0 {
        return PathBuf::from("/run/vpclab");
    }
    user_run_root(euid, std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from))
}

/// The state folder of a user who is not root: `$XDG_RUNTIME_DIR/vpclab` (the user's own
/// runtime folder, `/run/user/UID`) when that is an absolute path, else `/tmp/vpclab-UID`
/// (which another user could make first: [`StateDir::lock`] then refuses it).
pub fn user_run_root(uid: u32, xdg_runtime_dir: Option<PathBuf>) -> PathBuf {
    match xdg_runtime_dir.filter(|p| p.is_absolute()) {
        Some(x) => x.join("vpclab"),
        None => PathBuf::from(format!("/tmp/vpclab-{uid}")),
    }
}

/// The namespace of a host: `TOPOLOGY-HOST` (the topology's `name:`, a dash, the host's name).
pub fn ns_name(topo: &str, host: &str) -> String {
    format!("{topo}-{host}")
}

/// The state directory of one topology (a handle: nothing is read or created by making one).
#[derive(Clone, Debug)]
pub struct StateDir {
    /// The topology's `name:`.
    pub name: String,
    /// `run_root()/NAME`, `/run/vpclab/NAME` by default.
    pub path: PathBuf,
}

/// The environment variable through which `up --detach` hands its held lock to the daemon
/// (the number of an inherited descriptor).
pub const LOCK_FD_ENV: &str = "VPCLAB_LOCK_FD";

/// The held exclusive lock of one state directory; released when dropped (or when every
/// process sharing the descriptor has exited).
#[derive(Debug)]
pub struct Lock(File);

impl Lock {
    /// The descriptor (for handing to a child process).
    pub fn raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

/// Takes `flock(op | LOCK_NB)`; false when another open file holds a conflicting lock.
fn try_flock(f: &File, op: libc::c_int) -> bool {
    // SAFETY: flock on a descriptor we own has no memory-safety preconditions.
    unsafe { libc::flock(f.as_raw_fd(), op | libc::LOCK_NB) == 0 }
}

/// True when the open file `f` is the file at `path` now (it was not removed or replaced).
fn same_file(f: &File, path: &Path) -> bool {
    match (f.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Why a state directory cannot be taken by a new run.
#[derive(Debug)]
pub enum Busy {
    /// A live vpclab engine process (this pid) runs the topology.
    Running(i32),
    /// Another `up` of the name holds the lock and has not yet recorded its engine's pid.
    Starting,
    /// A run that died left a `pid` or `namespaces` file (`down --force` cleans it), or the
    /// directory cannot be created.
    Stale,
    /// The folder above the state directory is not the process's own 0700 folder (another
    /// user made it, or it cannot be made): why, naming it.
    Unsafe(String),
}

impl StateDir {
    /// The directory of `name` under `run_root()` (not created).
    pub fn of(name: &str) -> Self {
        StateDir {
            name: name.to_string(),
            path: run_root().join(name),
        }
    }

    /// Every topology with a state directory, sorted by name; empty when `run_root()` is missing.
    pub fn all() -> Vec<StateDir> {
        let mut v: Vec<StateDir> = fs::read_dir(run_root())
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.path().is_dir())
                    .filter_map(|e| e.file_name().to_str().map(StateDir::of))
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// The path of file `f` inside the directory (it may not exist).
    pub fn file(&self, f: &str) -> PathBuf {
        self.path.join(f)
    }

    /// The control socket, `ctl.sock`.
    pub fn ctl_sock(&self) -> PathBuf {
        self.file("ctl.sock")
    }

    /// True when the directory exists (a run may be live, stale or still starting).
    pub fn exists(&self) -> bool {
        self.path.is_dir()
    }

    /// The pid recorded in `pid`; None when the file is missing or not a number (it may be dead).
    pub fn pid(&self) -> Option<i32> {
        fs::read_to_string(self.file("pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// The engine pid, when that process is alive and is a vpclab.
    pub fn live_pid(&self) -> Option<i32> {
        self.pid()
            .filter(|p| pid_is_vpclab(*p) && super::procs::running(*p))
    }

    /// Creates the directory for a new run (0700, as are the folders made above it). An
    /// existing directory without a pid file (made by `up --detach` for the daemon's log) is
    /// reused.
    pub fn create(&self) -> Result<(), Busy> {
        if self.exists() {
            if let Some(p) = self.live_pid() {
                return Err(Busy::Running(p));
            }
            if self.file("pid").exists() || self.file("namespaces").exists() {
                return Err(Busy::Stale);
            }
        }
        Writer::private().dir(&self.path).map_err(|_| Busy::Stale)
    }

    /// Takes the directory's lock (making the directory, 0700, when missing), without waiting:
    /// `Running`/`Starting` when another run holds it. A lock file removed by the run that held
    /// it (teardown removes the directory) is not taken: the lock is retaken on the new one.
    pub fn lock(&self) -> Result<Lock, Busy> {
        // The state root must be ours and private (made 0700, narrowed when wider).
        if let Some(root) = self.path.parent() {
            Writer::private()
                .dir(root)
                .map_err(|e| Busy::Unsafe(format!("{}: {e}", root.display())))?;
        }
        for _ in 0..20 {
            if Writer::private().dir(&self.path).is_err() {
                return Err(Busy::Stale);
            }
            let f = match Writer::private().append(&self.file("lock")) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(_) => return Err(Busy::Stale),
            };
            if !try_flock(&f, libc::LOCK_EX) {
                return Err(self.live_pid().map_or(Busy::Starting, Busy::Running));
            }
            if same_file(&f, &self.file("lock")) {
                return Ok(Lock(f));
            }
        }
        Err(Busy::Starting)
    }

    /// The lock handed down by `up --detach` (descriptor number in [`LOCK_FD_ENV`]) when it is
    /// this directory's held lock file; otherwise a newly taken one ([`StateDir::lock`]). The
    /// adopted descriptor is made close-on-exec so the daemon's services do not inherit it.
    pub fn adopt_or_lock(&self) -> Result<Lock, Busy> {
        let fd: Option<RawFd> = std::env::var(LOCK_FD_ENV).ok().and_then(|v| v.parse().ok());
        if let Some(fd) = fd.filter(|fd| *fd > 2) {
            // SAFETY: F_GETFD only asks whether the descriptor is open.
            if unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0 {
                // SAFETY: the descriptor is open and inherited for this purpose; it is owned
                // from here on (it is checked to be our lock file below).
                let f = unsafe { File::from_raw_fd(fd) };
                // SAFETY: setting close-on-exec on our own descriptor.
                unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
                if same_file(&f, &self.file("lock")) && try_flock(&f, libc::LOCK_EX) {
                    return Ok(Lock(f));
                }
                // Not ours: leave it open and unused (dropping would close a foreign fd).
                std::mem::forget(f);
            }
        }
        self.lock()
    }

    /// The pid of a process holding the directory's lock (from `/proc/locks`); None when it
    /// is free or the holder cannot be told.
    pub fn lock_holder(&self) -> Option<i32> {
        let ino = fs::metadata(self.file("lock")).ok()?.ino();
        let locks = fs::read_to_string("/proc/locks").ok()?;
        locks.lines().find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // `1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF`
            let at = f.iter().position(|w| *w == "FLOCK")?;
            let pid: i32 = f.get(at + 3)?.parse().ok()?;
            let file_ino: u64 = f.get(at + 4)?.rsplit(':').next()?.parse().ok()?;
            (file_ino == ino).then_some(pid)
        })
    }

    /// True when some process holds the directory's lock (a run starting or running).
    pub fn locked(&self) -> bool {
        File::open(self.file("lock")).is_ok_and(|f| !try_flock(&f, libc::LOCK_SH))
    }

    /// Writes (replaces) a whole file (0600); not synced.
    pub fn write(&self, f: &str, text: &str) -> io::Result<()> {
        Writer::private().write(&self.file(f), text)
    }

    /// Appends one line to a file (0600) and syncs it (so it survives a SIGKILL right after).
    pub fn append_line(&self, f: &str, line: &str) -> io::Result<()> {
        let mut file = Writer::private().append(&self.file(f))?;
        writeln!(file, "{line}")?;
        file.sync_data()
    }

    /// The trimmed, non-empty lines of a file; empty when the file is missing or unreadable.
    pub fn lines(&self, f: &str) -> Vec<String> {
        fs::read_to_string(self.file(f))
            .map(|s| {
                s.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Recorded namespaces, in the order they were made.
    pub fn namespaces(&self) -> Vec<String> {
        self.lines("namespaces")
    }

    /// Recorded processes as (pid, host), in start order; lines that do not parse are skipped.
    pub fn processes(&self) -> Vec<(i32, String)> {
        self.lines("pids")
            .iter()
            .filter_map(|l| {
                let (p, h) = l.split_once(' ').unwrap_or((l.as_str(), ""));
                Some((p.parse().ok()?, h.to_string()))
            })
            .collect()
    }

    /// The log file of a host, `HOST.log`: its services' and `run:` commands' output.
    pub fn host_log(&self, host: &str) -> PathBuf {
        self.file(&format!("{host}.log"))
    }

    /// Removes the directory and everything in it; a directory already gone is not an error.
    pub fn remove(&self) -> io::Result<()> {
        match fs::remove_dir_all(&self.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// True when `pid` is alive and runs a vpclab binary (guards against pid reuse).
pub fn pid_is_vpclab(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    let cmd = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let argv0 = cmd.split(|b| *b == 0).next().unwrap_or_default();
    let exe = fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
    is_vpclab_name(Path::new(std::str::from_utf8(argv0).unwrap_or(""))) || is_vpclab_name(&exe)
}

fn is_vpclab_name(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("vpclab"))
}

/// True when a process with this pid exists (zombies included).
pub fn pid_alive(pid: i32) -> bool {
    pid > 0 && Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(ns_name("three-tier", "web"), "three-tier-web");
    }

    #[test]
    fn state_files_roundtrip() {
        let tmp = tempfile::tempdir().unwrap();
        let d = StateDir {
            name: "x".into(),
            path: tmp.path().join("x"),
        };
        d.create().unwrap();
        d.append_line("namespaces", "x-web").unwrap();
        d.append_line("namespaces", "x-db").unwrap();
        d.append_line("pids", "42 web").unwrap();
        assert_eq!(d.namespaces(), vec!["x-web", "x-db"]);
        assert_eq!(d.processes(), vec![(42, "web".to_string())]);
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        d.write("pid", "1\n").unwrap();
        assert_eq!(mode(&d.path), 0o700);
        for f in ["namespaces", "pids", "pid"] {
            assert_eq!(mode(&d.file(f)), 0o600, "{f}");
        }
        assert!(matches!(d.create(), Err(Busy::Stale)));
        d.remove().unwrap();
        assert!(!d.exists());
    }

    #[test]
    fn users_have_their_own_state_roots() {
        assert_eq!(
            user_run_root(1000, Some("/run/user/1000".into())),
            Path::new("/run/user/1000/vpclab")
        );
        assert_eq!(user_run_root(1000, None), Path::new("/tmp/vpclab-1000"));
        assert_eq!(
            user_run_root(1000, Some("relative".into())),
            Path::new("/tmp/vpclab-1000")
        );
    }

    #[test]
    fn a_state_root_of_another_user_is_refused_and_ours_narrowed() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        fs::create_dir(&root).unwrap();
        fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).unwrap();
        let d = StateDir {
            name: "x".into(),
            path: root.join("x"),
        };
        let held = d.lock().unwrap();
        let mode = fs::metadata(&root).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the state root is narrowed to the owner");
        assert!(d
            .lock_holder()
            .is_some_and(|p| p == std::process::id() as i32));
        drop(held);
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            // A root made by someone else (here uid 65534) is not used.
            let other = tmp.path().join("other");
            fs::create_dir(&other).unwrap();
            std::os::unix::fs::chown(&other, Some(65534), Some(65534)).unwrap();
            let d = StateDir {
                name: "x".into(),
                path: other.join("x"),
            };
            assert!(matches!(d.lock(), Err(Busy::Unsafe(m)) if m.contains("other")));
            assert!(!other.join("x").exists());
        }
    }

    #[test]
    fn one_lock_per_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let d = StateDir {
            name: "x".into(),
            path: tmp.path().join("x"),
        };
        assert!(!d.locked());
        let held = d.lock().unwrap();
        assert!(d.locked());
        // A second taker (another open file) loses without waiting, and says starting: no pid.
        assert!(matches!(d.lock(), Err(Busy::Starting)));
        d.write("pid", &format!("{}\n", std::process::id()))
            .unwrap();
        // The unit-test binary is `vpclab-HASH`, so its own pid counts as a live engine.
        let me = std::process::id() as i32;
        assert!(matches!(d.lock(), Err(Busy::Running(p)) if p == me));
        drop(held);
        assert!(!d.locked());
        let again = d.lock().unwrap();
        // The directory removed under a holder: a new taker locks a new file.
        d.remove().unwrap();
        let fresh = d.lock().unwrap();
        assert!(d.locked());
        drop(again);
        drop(fresh);
    }
}
