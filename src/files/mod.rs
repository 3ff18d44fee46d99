//! Files a root process writes on a user's behalf (flow logs, captures, lab files) and its own
//! private state (`/run/vpclab/NAME/`), opened so that no other local user can redirect them.
//!
//! The rule, for every file vpclab writes (docs/security.md, "Files vpclab writes"):
//! - The folders of the path are walked one at a time (`openat`, `O_NOFOLLOW`). A symbolic link
//!   among them is followed only when root or the requester owns it (what Linux's
//!   `fs.protected_symlinks` does in `/tmp`, applied to every folder); missing folders are made
//!   when asked.
//! - The last component is never followed when it is a symbolic link.
//! - A new file is made with `O_CREAT|O_EXCL`. An existing one is opened only when it is a
//!   regular file with a single link, owned by the requester (it is then truncated or appended
//!   to), or one of the kernel's sinks `/dev/null`, `/dev/zero` and `/dev/full`, which nothing
//!   written can damage. Anything else (a link, another user's file, a second hard link, a named
//!   pipe, a device, a folder) is refused with a [`Refused`] error, and left as it was.
//! - Through sudo, what is made for the requester (files and folders) is given to them
//!   (`SUDO_UID`/`SUDO_GID`), so their next run may replace it. Private state stays root's,
//!   made 0700/0600.
//!
//! The rule guards against other users, not against the requester: whoever may run vpclab as
//! root runs a topology's `run:` commands as root anyway.

mod walk;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// The user a file is written for: its owner if vpclab makes it, the only owner an existing
/// file may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requester {
    /// User id.
    pub uid: u32,
    /// Group id (given to what is made for the requester through sudo).
    pub gid: u32,
}

impl Requester {
    /// Who asked: `SUDO_UID`/`SUDO_GID` when vpclab runs as root through sudo, else the real
    /// user and group of the process.
    pub fn current() -> Requester {
        // SAFETY: these calls cannot fail and have no preconditions.
        let (euid, uid, gid) = unsafe { (libc::geteuid(), libc::getuid(), libc::getgid()) };
        let env = |k: &str| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.trim().parse::<u32>().ok())
        };
        match (euid, env("SUDO_UID")) {
            (0, Some(su)) => Requester {
                uid: su,
                gid: env("SUDO_GID").unwrap_or(gid),
            },
            _ => Requester { uid, gid },
        }
    }

    /// The process itself (effective user and group): the owner of its private state.
    pub fn process() -> Requester {
        // SAFETY: these calls cannot fail and have no preconditions.
        unsafe {
            Requester {
                uid: libc::geteuid(),
                gid: libc::getegid(),
            }
        }
    }
}

/// Why a path was not opened: the rule of this module refuses it. Carried as the source of an
/// `io::Error` of kind `PermissionDenied`; its text says what was found and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The file itself is a symbolic link.
    Link,
    /// A folder of the path is a symbolic link owned by someone else than root or the requester.
    ForeignLink {
        /// The link, as walked.
        path: PathBuf,
        /// Its owner.
        uid: u32,
    },
    /// An existing file (or a private folder) owned by someone else than the requester.
    Owner {
        /// Its owner.
        uid: u32,
        /// The requester.
        requester: u32,
    },
    /// An existing file with more than one name.
    HardLinks(u64),
    /// Not a regular file (what it is: "a named pipe", "a folder", ...).
    NotRegular(&'static str),
    /// A folder of the path is not a folder.
    NotFolder(PathBuf),
    /// The file or a folder was replaced while it was being opened.
    Changed,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Link => write!(
                f,
                "it is a symbolic link; vpclab does not write through one (remove it or choose another path)"
            ),
            Refused::ForeignLink { path, uid } => write!(
                f,
                "folder {} is a symbolic link owned by uid {uid}; vpclab follows only links of root or of the user it runs for",
                path.display()
            ),
            Refused::Owner { uid, requester } => write!(
                f,
                "the file is owned by uid {uid}, not by the user vpclab runs for (uid {requester}); vpclab overwrites only that user's files"
            ),
            Refused::HardLinks(n) => write!(
                f,
                "the file has {n} hard links; vpclab overwrites only a file with a single name"
            ),
            Refused::NotRegular(what) => {
                write!(f, "it is {what}, not a regular file; vpclab writes only regular files")
            }
            Refused::NotFolder(p) => write!(f, "{} is not a folder", p.display()),
            Refused::Changed => write!(f, "the path kept changing while vpclab opened it"),
        }
    }
}

impl std::error::Error for Refused {}

impl From<Refused> for io::Error {
    fn from(r: Refused) -> io::Error {
        io::Error::new(io::ErrorKind::PermissionDenied, r)
    }
}

/// How files are written: for the requester (user outputs) or privately (state). Every method
/// follows the rule of this module.
#[derive(Clone, Copy, Debug)]
pub struct Writer {
    owner: Requester,
    /// Give what is made to `owner` (root writing for a sudo user).
    give: bool,
    file_mode: u32,
    dir_mode: u32,
    parents: bool,
    /// Private: existing files and the final folder are brought to the modes above.
    private: bool,
}

impl Writer {
    /// Files the requester asked for (flow logs, captures, lab files): modes as `File::create`
    /// and `create_dir_all` make them (0666/0777 less the umask), owned by the requester.
    pub fn for_requester() -> Writer {
        let owner = Requester::current();
        Writer {
            owner,
            give: owner.uid != Requester::process().uid,
            file_mode: 0o666,
            dir_mode: 0o777,
            parents: false,
            private: false,
        }
    }

    /// The process's own state: files 0600, folders 0700, owned by the process; an existing
    /// file or final folder with wider modes is narrowed.
    pub fn private() -> Writer {
        Writer {
            owner: Requester::process(),
            give: false,
            file_mode: 0o600,
            dir_mode: 0o700,
            parents: false,
            private: true,
        }
    }

    /// Also makes the missing folders of a file's path (as `create_dir_all`).
    pub fn with_parents(mut self) -> Writer {
        self.parents = true;
        self
    }

    /// The user files are checked against.
    pub fn owner(&self) -> Requester {
        self.owner
    }

    /// Creates `path`, or truncates it when the rule allows.
    pub fn create(&self, path: &Path) -> io::Result<File> {
        self.open(path, false)
    }

    /// Opens `path` for appending, creating it when missing.
    pub fn append(&self, path: &Path) -> io::Result<File> {
        self.open(path, true)
    }

    /// Writes a whole file (`create`, then the bytes).
    pub fn write(&self, path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
        let mut f = self.create(path)?;
        f.write_all(bytes.as_ref())
    }

    /// Copies `from` (read as the process reads it) to `to` (written by the rule); returns the
    /// bytes copied. Unlike `fs::copy`, `to` gets this writer's mode, not `from`'s.
    pub fn copy(&self, from: &Path, to: &Path) -> io::Result<u64> {
        let mut src = File::open(from)?;
        let mut dst = self.create(to)?;
        io::copy(&mut src, &mut dst)
    }

    /// Makes the folder `path` and its missing parents; a private folder is narrowed to 0700
    /// when it already existed (and must be the process's own).
    pub fn dir(&self, path: &Path) -> io::Result<()> {
        let fd = walk::folder(path, self, true)?;
        if self.private {
            let st = walk::fstat(&fd)?;
            if st.st_uid != self.owner.uid {
                return Err(Refused::Owner {
                    uid: st.st_uid,
                    requester: self.owner.uid,
                }
                .into());
            }
            if st.st_mode & 0o7777 != self.dir_mode {
                let rd = walk::reopen_dir(&fd)?;
                // SAFETY: an open descriptor.
                walk::check(unsafe { libc::fchmod(rd.as_raw_fd(), self.dir_mode) })?;
            }
        }
        Ok(())
    }

    fn open(&self, path: &Path, append: bool) -> io::Result<File> {
        let (dir, name) = walk::parent(path, self)?;
        let fd = walk::open_file(&dir, &name, self, append)?;
        Ok(File::from(fd))
    }
}
