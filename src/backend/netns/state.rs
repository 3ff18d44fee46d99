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
//! group), `HOST.log` (services and `run:` output), `daemon.log`, `ctl.sock`.

use crate::files::Writer;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where state directories live (override with `VPCLAB_RUN_DIR`).
pub fn run_root() -> PathBuf {
    std::env::var_os("VPCLAB_RUN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/run/vpclab"))
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

/// Why a state directory cannot be taken by a new run.
#[derive(Debug)]
pub enum Busy {
    /// A live vpclab engine process (this pid) runs the topology.
    Running(i32),
    /// A run that died left a `pid` or `namespaces` file (`down --force` cleans it), or the
    /// directory cannot be created.
    Stale,
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
}
