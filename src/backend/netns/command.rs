//! Finding the program `vpclab exec` is asked to run, the way a POSIX shell does before it
//! executes one, so that `exec` can exit like a shell: 127 when there is no such command, 126
//! when there is one that cannot be executed (no execute permission, a directory). `ip netns
//! exec` itself exits 1 in both cases.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Exit code of a command that was not found (as in POSIX shells).
pub const EXIT_NOT_FOUND: i32 = 127;
/// Exit code of a command that was found but cannot be executed.
pub const EXIT_NOT_EXECUTABLE: i32 = 126;

/// Why a command cannot be run: the exit code a shell would give and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    /// 127 (not found) or 126 (not executable).
    pub code: i32,
    /// `NAME: command not found`, `PATH: Permission denied`, `PATH: Is a directory`.
    pub message: String,
}

/// Whether `p` is a regular file this process may execute.
fn executable(p: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: access on a valid NUL-terminated path.
    p.is_file() && unsafe { libc::access(c.as_ptr(), libc::X_OK) } == 0
}

/// Why the existing path `p` cannot be executed, or None when it can.
fn not_executable(p: &Path) -> Option<CommandError> {
    let why = if p.is_dir() {
        "Is a directory"
    } else if executable(p) {
        return None;
    } else {
        "Permission denied"
    };
    Some(CommandError {
        code: EXIT_NOT_EXECUTABLE,
        message: format!("{}: {why}", p.display()),
    })
}

/// Resolves `name` as a shell would: a name with a `/` is a path; otherwise the first
/// executable regular file of that name in `path` (the `PATH` value; an empty entry is the
/// current folder). A name found only as files that cannot be executed is a 126, as in bash.
pub fn resolve(name: &OsStr, path: Option<&OsStr>) -> Result<PathBuf, CommandError> {
    let shown = Path::new(name).display().to_string();
    if name.is_empty() {
        return Err(CommandError {
            code: EXIT_NOT_FOUND,
            message: "'': command not found".into(),
        });
    }
    if name.as_bytes().contains(&b'/') {
        let p = PathBuf::from(name);
        if !p.exists() {
            return Err(CommandError {
                code: EXIT_NOT_FOUND,
                message: format!("{shown}: No such file or directory"),
            });
        }
        return match not_executable(&p) {
            Some(e) => Err(e),
            None => Ok(p),
        };
    }
    let mut denied = None;
    let dirs = path.map(OsString::from).unwrap_or_default();
    for dir in std::env::split_paths(&dirs) {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let p = dir.join(name);
        if executable(&p) {
            return Ok(p);
        }
        if p.is_file() && denied.is_none() {
            denied = not_executable(&p);
        }
    }
    Err(denied.unwrap_or(CommandError {
        code: EXIT_NOT_FOUND,
        message: format!("{shown}: command not found"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn finds_on_path_and_says_127_or_126() {
        let d = tempfile::tempdir().unwrap();
        let x = d.path().join("prog");
        std::fs::write(&x, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&x, std::fs::Permissions::from_mode(0o755)).unwrap();
        let n = d.path().join("noexec");
        std::fs::write(&n, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&n, std::fs::Permissions::from_mode(0o644)).unwrap();
        let path = d.path().as_os_str();
        assert_eq!(resolve(OsStr::new("prog"), Some(path)).unwrap(), x);
        assert_eq!(
            resolve(OsStr::new("nope"), Some(path)).unwrap_err().code,
            127
        );
        assert_eq!(resolve(x.as_os_str(), None).unwrap(), x);
        let missing = d.path().join("missing");
        assert_eq!(resolve(missing.as_os_str(), None).unwrap_err().code, 127);
        assert_eq!(resolve(d.path().as_os_str(), None).unwrap_err().code, 126);
        // Root may read anything, but execute only what has an execute bit.
        assert_eq!(resolve(n.as_os_str(), None).unwrap_err().code, 126);
        assert_eq!(
            resolve(OsStr::new("noexec"), Some(path)).unwrap_err().code,
            126
        );
        assert_eq!(resolve(OsStr::new(""), Some(path)).unwrap_err().code, 127);
    }
}
