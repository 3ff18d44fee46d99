//! The walk behind [`super::Writer`]: a path's folders opened one at a time with `openat`
//! (`O_PATH|O_DIRECTORY|O_NOFOLLOW`), symbolic links among them followed by hand only when
//! root or the requester owns them, and the last component opened with `O_NOFOLLOW`
//! (`O_CREAT|O_EXCL` first). Every check is made on what was opened (`fstat` of the
//! descriptor), so a file swapped in between is caught.

use super::{Refused, Writer};
use std::collections::VecDeque;
use std::ffi::{CStr, CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

/// Links followed in one walk before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// One step of a walk.
enum Step {
    /// Back to `/` (an absolute path or link target).
    Root,
    /// `..` of the current folder.
    Up,
    /// A folder by name.
    Name(OsString),
}

/// `Err(last OS error)` when a C call returned a negative value.
pub(super) fn check(r: libc::c_int) -> io::Result<()> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn cstr(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path with a NUL byte"))
}

/// `openat` with `O_CLOEXEC`, retried on EINTR.
fn open_at(dir: RawFd, name: &CStr, flags: libc::c_int, mode: u32) -> io::Result<OwnedFd> {
    loop {
        // SAFETY: `name` is NUL-terminated; the result is a new descriptor we own.
        let fd = unsafe {
            libc::openat(
                dir,
                name.as_ptr(),
                flags | libc::O_CLOEXEC,
                mode as libc::c_uint,
            )
        };
        if fd >= 0 {
            // SAFETY: `fd` was just returned by openat and is owned by no one else.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd) });
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`.
fn lstat_at(dir: RawFd, name: &CStr) -> io::Result<libc::stat> {
    // SAFETY: stat is plain data; fstatat fills it or fails.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstatat(dir, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(st)
}

/// `fstat` of an open descriptor (`O_PATH` ones included).
pub(super) fn fstat(fd: &OwnedFd) -> io::Result<libc::stat> {
    // SAFETY: as in `lstat_at`.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) })?;
    Ok(st)
}

/// A readable descriptor of an `O_PATH` folder (for `fchmod`).
pub(super) fn reopen_dir(fd: &OwnedFd) -> io::Result<OwnedFd> {
    open_at(
        fd.as_raw_fd(),
        c".",
        libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW,
        0,
    )
}

fn kind(st: &libc::stat) -> libc::mode_t {
    st.st_mode & libc::S_IFMT
}

fn same(a: &libc::stat, b: &libc::stat) -> bool {
    (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
}

/// Gives what was made to the requester when root writes for a sudo user.
fn give(fd: &OwnedFd, w: &Writer) -> io::Result<()> {
    if !w.give {
        return Ok(());
    }
    // SAFETY: an open descriptor; AT_EMPTY_PATH makes fchownat act on it (O_PATH included).
    check(unsafe {
        libc::fchownat(
            fd.as_raw_fd(),
            c"".as_ptr(),
            w.owner.uid,
            w.owner.gid,
            libc::AT_EMPTY_PATH,
        )
    })
}

/// The steps of a path (`.` dropped).
fn steps(path: &Path) -> VecDeque<Step> {
    path.components()
        .filter_map(|c| match c {
            Component::RootDir | Component::Prefix(_) => Some(Step::Root),
            Component::CurDir => None,
            Component::ParentDir => Some(Step::Up),
            Component::Normal(n) => Some(Step::Name(n.to_os_string())),
        })
        .collect()
}

/// Opens the folder `path` (`make`: making what is missing with the writer's mode).
pub(super) fn folder(path: &Path, w: &Writer, make: bool) -> io::Result<OwnedFd> {
    walk(steps(path), w, make)
}

/// Opens the folder holding `path`'s last component; returns it and that component.
pub(super) fn parent(path: &Path, w: &Writer) -> io::Result<(OwnedFd, CString)> {
    let Some(Component::Normal(name)) = path.components().next_back() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not end with a file name",
        ));
    };
    let mut all = steps(path);
    all.pop_back();
    Ok((walk(all, w, w.parents)?, cstr(name)?))
}

fn walk(mut pending: VecDeque<Step>, w: &Writer, make: bool) -> io::Result<OwnedFd> {
    let dir_flags = libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW;
    let mut dir = open_at(libc::AT_FDCWD, c".", libc::O_PATH | libc::O_DIRECTORY, 0)?;
    // The path as walked, for messages.
    let mut shown = PathBuf::new();
    let mut links = 0;
    while let Some(step) = pending.pop_front() {
        let name = match step {
            Step::Root => {
                dir = open_at(libc::AT_FDCWD, c"/", libc::O_PATH | libc::O_DIRECTORY, 0)?;
                shown = PathBuf::from("/");
                continue;
            }
            Step::Up => {
                dir = open_at(dir.as_raw_fd(), c"..", libc::O_PATH | libc::O_DIRECTORY, 0)?;
                shown.push("..");
                continue;
            }
            Step::Name(n) => n,
        };
        let c = cstr(&name)?;
        let here = dir.as_raw_fd();
        let st = match lstat_at(here, &c) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && make => {
                // SAFETY: `c` is NUL-terminated.
                let r = check(unsafe { libc::mkdirat(here, c.as_ptr(), w.dir_mode) });
                match r {
                    Ok(()) => {
                        let fd = open_at(here, &c, dir_flags, 0)?;
                        give(&fd, w)?;
                        dir = fd;
                        shown.push(&name);
                        continue;
                    }
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => lstat_at(here, &c)?,
                    Err(e) => return Err(e),
                }
            }
            r => r?,
        };
        shown.push(&name);
        match kind(&st) {
            libc::S_IFDIR => {
                let fd = open_at(here, &c, dir_flags, 0)?;
                if !same(&st, &fstat(&fd)?) {
                    return Err(Refused::Changed.into());
                }
                dir = fd;
            }
            libc::S_IFLNK => {
                if st.st_uid != 0 && st.st_uid != w.owner.uid {
                    return Err(Refused::ForeignLink {
                        path: shown,
                        uid: st.st_uid,
                    }
                    .into());
                }
                links += 1;
                if links > MAX_LINKS {
                    return Err(io::Error::from_raw_os_error(libc::ELOOP));
                }
                let target = read_link_at(here, &c)?;
                // A link cannot be rewritten in place: the same inode, still allowed, means
                // the target read is that link's.
                let again = lstat_at(here, &c)?;
                if !same(&st, &again) || again.st_uid != st.st_uid {
                    return Err(Refused::Changed.into());
                }
                shown.pop();
                let target = PathBuf::from(target);
                shown.push(&target);
                let mut more = steps(&target);
                more.append(&mut pending);
                pending = more;
            }
            _ => return Err(Refused::NotFolder(shown).into()),
        }
    }
    Ok(dir)
}

/// `readlinkat` into an `OsString`.
fn read_link_at(dir: RawFd, name: &CStr) -> io::Result<OsString> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize + 1];
    // SAFETY: `buf` has `buf.len()` writable bytes.
    let n = unsafe {
        libc::readlinkat(
            dir,
            name.as_ptr(),
            buf.as_mut_ptr().cast::<libc::c_char>(),
            buf.len(),
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    Ok(OsString::from_vec(buf))
}

/// Why an existing file may not be opened, or None when it may.
fn refusal(st: &libc::stat, w: &Writer) -> Option<Refused> {
    match kind(st) {
        libc::S_IFREG if st.st_uid != w.owner.uid => Some(Refused::Owner {
            uid: st.st_uid,
            requester: w.owner.uid,
        }),
        // `nlink_t` is u64 here but u32 on other targets.
        #[allow(clippy::unnecessary_cast)]
        libc::S_IFREG if st.st_nlink != 1 => Some(Refused::HardLinks(st.st_nlink as u64)),
        libc::S_IFREG => None,
        libc::S_IFLNK => Some(Refused::Link),
        libc::S_IFCHR if kernel_sink(st.st_rdev) => None,
        libc::S_IFCHR | libc::S_IFBLK => Some(Refused::NotRegular("a device")),
        libc::S_IFIFO => Some(Refused::NotRegular("a named pipe")),
        libc::S_IFSOCK => Some(Refused::NotRegular("a socket")),
        libc::S_IFDIR => Some(Refused::NotRegular("a folder")),
        _ => Some(Refused::NotRegular("not a file")),
    }
}

/// `/dev/null`, `/dev/zero`, `/dev/full` (character devices 1:3, 1:5, 1:7).
fn kernel_sink(rdev: libc::dev_t) -> bool {
    libc::major(rdev) == 1 && matches!(libc::minor(rdev), 3 | 5 | 7)
}

/// Opens the file `name` of `dir` by the rule: made new, or an existing one it allows
/// (truncated unless `append`).
pub(super) fn open_file(
    dir: &OwnedFd,
    name: &CStr,
    w: &Writer,
    append: bool,
) -> io::Result<OwnedFd> {
    let here = dir.as_raw_fd();
    let access = libc::O_WRONLY | if append { libc::O_APPEND } else { 0 };
    // A file removed or made between the calls below is tried again, a few times.
    for _ in 0..8 {
        let made = open_at(
            here,
            name,
            access | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW,
            w.file_mode,
        );
        match made {
            Ok(fd) => {
                give(&fd, w)?;
                return Ok(fd);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        let st = match lstat_at(here, name) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            r => r?,
        };
        if let Some(r) = refusal(&st, w) {
            return Err(r.into());
        }
        // O_NONBLOCK: a named pipe swapped in meanwhile fails or opens at once, never hangs.
        let fd = match open_at(here, name, access | libc::O_NOFOLLOW | libc::O_NONBLOCK, 0) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(Refused::Link.into()),
            r => r?,
        };
        let now = fstat(&fd)?;
        if !same(&st, &now) {
            return Err(Refused::Changed.into());
        }
        if let Some(r) = refusal(&now, w) {
            return Err(r.into());
        }
        let raw = fd.as_raw_fd();
        // SAFETY: `raw` is the open descriptor `fd`.
        unsafe {
            let fl = libc::fcntl(raw, libc::F_GETFL);
            check(libc::fcntl(raw, libc::F_SETFL, fl & !libc::O_NONBLOCK))?;
            if kind(&now) == libc::S_IFREG {
                if !append {
                    check(libc::ftruncate(raw, 0))?;
                }
                if w.private && now.st_mode & 0o7777 != w.file_mode {
                    check(libc::fchmod(raw, w.file_mode as libc::mode_t))?;
                }
            }
        }
        return Ok(fd);
    }
    Err(Refused::Changed.into())
}
