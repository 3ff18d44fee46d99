//! The netns backend for a normal user (part of `backend::netns`, rank 7): the topology's
//! engine process is started in a new user namespace with its own mount namespace, and is the
//! long-lived holder of both; every host namespace is made inside it, so it is owned by that
//! user namespace and nothing is made in (or visible from) the machine's own namespaces.
//!
//! In the user namespace the user is uid 0 with every capability *over the namespaces it owns*
//! and nothing more: files keep the user's own permissions (so `/dev/net/tun`, 0600 root on
//! some machines, stays closed, and hosts are wired by veth pairs: `link`). Inside the mount
//! namespace `/run/netns` and `/etc/netns` are private tmpfs mounts, so `ip netns` works as
//! for root without touching the machine's folders. `exec` (and everything else that runs a
//! command in a host) enters the holder's user and mount namespaces with `setns` first.
//! When the holder exits, the namespaces go with it.

use super::state::StateDir;
use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

/// The folders `ip netns` keeps its names and per-namespace `/etc` files in: each is covered
/// by a private tmpfs inside the holder's mount namespace (so each must exist on the machine).
const NETNS_DIRS: [&str; 2] = ["/run/netns", "/etc/netns"];

/// The identity map of the machine's own (initial) user namespace, as `/proc/self/uid_map`
/// shows it there.
fn is_initial_map(map: &str) -> bool {
    let f: Vec<&str> = map.split_whitespace().collect();
    f == ["0", "0", "4294967295"]
}

/// True when this process runs in a user namespace other than the machine's initial one
/// (a rootless engine, or anything `exec` started inside it).
pub fn in_user_namespace() -> bool {
    std::fs::read_to_string("/proc/self/uid_map").is_ok_and(|m| !is_initial_map(&m))
}

/// The environment variable [`isolate`] sets for the engine it starts, so that the engine
/// records its user namespace ([`record`]); an engine run by root (even root of a container's
/// user namespace) has none.
pub const ISOLATED_ENV: &str = "VPCLAB_USERNS";

/// True when this process is an engine started by [`isolate`].
pub fn isolated() -> bool {
    std::env::var_os(ISOLATED_ENV).is_some()
}

/// True when the run of `dir` holds its own user namespace (started by a normal user through
/// [`isolate`]): its namespaces exist only inside it, and commands enter it with [`enter`].
pub fn is_rootless_run(dir: &StateDir) -> bool {
    dir.file("userns").is_file()
}

/// Why the kernel's settings refuse unprivileged user namespaces, naming the setting, from
/// `get` (a `/proc/sys` path such as `user/max_user_namespaces` → its trimmed value, None
/// when the machine has no such setting); None when none refuses them.
fn kernel_refusal(get: impl Fn(&str) -> Option<String>) -> Option<String> {
    let rules = [
        ("kernel/unprivileged_userns_clone", "0", "unprivileged user namespaces are disabled: sysctl kernel.unprivileged_userns_clone=0", "sudo sysctl -w kernel.unprivileged_userns_clone=1"),
        ("user/max_user_namespaces", "0", "user namespaces are disabled: sysctl user.max_user_namespaces=0", "sudo sysctl -w user.max_user_namespaces=10000"),
        ("kernel/apparmor_restrict_unprivileged_userns", "1", "AppArmor restricts unprivileged user namespaces: sysctl kernel.apparmor_restrict_unprivileged_userns=1", "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"),
    ];
    rules.iter().find(|(path, bad, _, _)| get(path).as_deref() == Some(*bad)).map(|(_, _, why, fix)| {
        format!("{why}\nhint: `{fix}` allows them; or run it as root (sudo), or use `--backend virtual`")
    })
}

/// A kernel setting read from `/proc/sys` (trimmed), None when the file does not exist.
fn sysctl(path: &str) -> Option<String> {
    std::fs::read_to_string(Path::new("/proc/sys").join(path))
        .ok()
        .map(|s| s.trim().to_string())
}

/// What keeps a normal user from running the netns backend through a user namespace, naming
/// exactly what is missing (the CLI exits 3 with it); None when nothing does. Checked: the
/// kernel's settings for unprivileged user namespaces (Debian's `unprivileged_userns_clone`,
/// `user.max_user_namespaces`, Ubuntu's AppArmor restriction), `ip`, the folders `ip netns`
/// needs, and finally a real `unshare` in a child process.
pub fn missing() -> Option<String> {
    let hint = "hint: run it as root (sudo), or use `--backend virtual`";
    if let Some(why) = kernel_refusal(sysctl) {
        return Some(why);
    }
    if !super::ns::have_tool("ip") {
        return Some(format!("`ip` (iproute2) is not installed\n{hint}"));
    }
    if let Some(d) = NETNS_DIRS.iter().find(|d| !Path::new(d).is_dir()) {
        return Some(format!(
            "{d} does not exist: a user namespace covers it with its own private folder, so it must be there\nhint: `sudo mkdir -p {}` once (after each boot for /run/netns); or run it as root (sudo), or use `--backend virtual`",
            NETNS_DIRS.join(" ")
        ));
    }
    let mut probe = Command::new("true");
    // SAFETY: unshare is async-signal-safe; the child only execs `true` after it.
    unsafe {
        probe.pre_exec(|| {
            if libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS | libc::CLONE_NEWNET) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    match probe.status() {
        Ok(_) => None,
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => Some(format!("the kernel refuses a user namespace to this user: unshare(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWNET): {e}\n{hint}")),
    }
}

/// Writes `data` to the file `path` with raw calls (usable between fork and exec).
///
/// # Safety
/// Only async-signal-safe calls; `path` and `data` must outlive the call.
unsafe fn write_raw(path: &CString, data: &[u8]) -> io::Result<()> {
    let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let n = libc::write(fd, data.as_ptr().cast(), data.len());
    libc::close(fd);
    if n != data.len() as isize {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Makes `cmd` start in a new user namespace (the user mapped to uid 0, its group to gid 0,
/// no supplementary groups) with a new, private mount namespace in which `/run/netns` and
/// `/etc/netns` are empty tmpfs folders. The child keeps the caller's state folder
/// (`VPCLAB_RUN_DIR`, since it is uid 0 in there) and the machine's network namespace (so its
/// loopback DNS listener is the user's).
pub fn isolate(cmd: &mut Command) {
    // SAFETY: geteuid and getegid have no preconditions.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    if std::env::var_os("VPCLAB_RUN_DIR").is_none() {
        cmd.env("VPCLAB_RUN_DIR", super::state::run_root());
    }
    cmd.env(ISOLATED_ENV, "1");
    let c = |s: &str| CString::new(s).expect("a constant path has no NUL");
    let (setgroups, uid_map, gid_map) = (
        c("/proc/self/setgroups"),
        c("/proc/self/uid_map"),
        c("/proc/self/gid_map"),
    );
    let (umap, gmap) = (format!("0 {uid} 1\n"), format!("0 {gid} 1\n"));
    let dirs: Vec<CString> = NETNS_DIRS.iter().map(|d| c(d)).collect();
    let (root, tmpfs, opts) = (c("/"), c("tmpfs"), c("mode=0755"));
    // SAFETY: only async-signal-safe calls between fork and exec (unshare, open, write,
    // close, mount) on buffers made before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) != 0 {
                return Err(io::Error::last_os_error());
            }
            write_raw(&setgroups, b"deny")?;
            write_raw(&uid_map, umap.as_bytes())?;
            write_raw(&gid_map, gmap.as_bytes())?;
            // Nothing mounted in here propagates back to the machine.
            let flags = libc::MS_REC | libc::MS_PRIVATE;
            if libc::mount(
                std::ptr::null(),
                root.as_ptr(),
                std::ptr::null(),
                flags,
                std::ptr::null(),
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            for d in &dirs {
                let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
                if libc::mount(
                    tmpfs.as_ptr(),
                    d.as_ptr(),
                    tmpfs.as_ptr(),
                    flags,
                    opts.as_ptr().cast(),
                ) != 0
                {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

/// Makes `cmd` run inside the user and mount namespaces of the holder `pid` (a rootless
/// engine), in the caller's working directory. It then runs as uid 0 of that user namespace:
/// `ip netns exec HOST-NS …` works there as for root.
pub fn enter(cmd: &mut Command, pid: i32) -> io::Result<()> {
    let open = |kind: &str| {
        File::open(format!("/proc/{pid}/ns/{kind}"))
            .map_err(|e| io::Error::new(e.kind(), format!("/proc/{pid}/ns/{kind}: {e}")))
    };
    let (user, mnt) = (open("user")?, open("mnt")?);
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|p| CString::new(p.as_os_str().as_bytes()).ok());
    // SAFETY: only async-signal-safe calls (setns, chdir) between fork and exec; the files and
    // the path are owned by the closure.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setns(user.as_raw_fd(), libc::CLONE_NEWUSER) != 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::setns(mnt.as_raw_fd(), libc::CLONE_NEWNS) != 0 {
                return Err(io::Error::last_os_error());
            }
            // Entering a mount namespace moves to its root; come back (best effort: `/` else).
            if let Some(c) = &cwd {
                libc::chdir(c.as_ptr());
            }
            Ok(())
        });
    }
    Ok(())
}

/// Creates network namespaces named `names` from inside a user namespace, as `ip netns add`
/// does (a bind mount of the namespace on `/run/netns/NAME`) but without its switch back to
/// the original namespace, which a user namespace may not enter.
pub fn add_namespaces(names: &[String]) -> io::Result<()> {
    for n in names {
        let path = Path::new("/run/netns").join(n);
        let target = path.clone();
        std::thread::spawn(move || -> io::Result<()> {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&target)?;
            // SAFETY: unshare changes only this thread's network namespace; the thread ends
            // right after the bind mount.
            if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                return Err(io::Error::last_os_error());
            }
            let src = CString::new("/proc/thread-self/ns/net").expect("no NUL");
            let dst = CString::new(target.as_os_str().as_bytes())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in a name"))?;
            // SAFETY: bind-mounting between two NUL-terminated paths that outlive the call.
            let r = unsafe {
                libc::mount(
                    src.as_ptr(),
                    dst.as_ptr(),
                    std::ptr::null(),
                    libc::MS_BIND,
                    std::ptr::null(),
                )
            };
            if r != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        })
        .join()
        .map_err(|_| io::Error::other("namespace thread panicked"))?
        .map_err(|e| io::Error::new(e.kind(), format!("netns add {n}: {e}")))?;
    }
    Ok(())
}

/// Records the holder's user namespace (`userns`: device and inode of `/proc/self/ns/user`),
/// so `down --force` finds the processes still inside it after a crash.
pub fn record(dir: &StateDir) -> io::Result<()> {
    let m = std::fs::metadata("/proc/self/ns/user")?;
    dir.write("userns", &format!("{} {}\n", m.dev(), m.ino()))
}

/// Processes inside the user namespace recorded by [`record`] (none when nothing is recorded).
pub fn leftover_pids(dir: &StateDir) -> Vec<i32> {
    let Some(id) = dir.lines("userns").first().and_then(|l| {
        let (d, i) = l.split_once(' ')?;
        Some((d.parse::<u64>().ok()?, i.parse::<u64>().ok()?))
    }) else {
        return Vec::new();
    };
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::metadata(format!("/proc/{pid}/ns/user"))
                .is_ok_and(|m| (m.dev(), m.ino()) == id)
        })
        .collect()
}

/// For a normal user (no CAP_NET_ADMIN) whose own state has no such topology: a note that root's topologies
/// (in `/run/vpclab`) are root's, with what it takes to reach them; empty for root.
pub fn root_hint() -> String {
    if super::has_net_admin() || !Path::new("/run/vpclab").exists() {
        return String::new();
    }
    "\nnote: topologies started by root are in /run/vpclab; reaching them needs CAP_NET_ADMIN and CAP_SYS_ADMIN: run the command with sudo".to_string()
}

#[cfg(test)]
mod tests {
    use super::{is_initial_map, kernel_refusal};

    #[test]
    fn names_the_setting_that_refuses() {
        let with =
            |k: &'static str, v: &'static str| move |p: &str| (p == k).then(|| v.to_string());
        let m = kernel_refusal(with("kernel/unprivileged_userns_clone", "0")).unwrap();
        assert!(m.starts_with("unprivileged user namespaces are disabled: sysctl kernel.unprivileged_userns_clone=0\n"), "{m}");
        let m = kernel_refusal(with("user/max_user_namespaces", "0")).unwrap();
        assert!(m.contains("user.max_user_namespaces=0"), "{m}");
        let m = kernel_refusal(with("kernel/apparmor_restrict_unprivileged_userns", "1")).unwrap();
        assert!(m.contains("apparmor_restrict_unprivileged_userns=1"), "{m}");
        assert_eq!(
            kernel_refusal(with("kernel/unprivileged_userns_clone", "1")),
            None
        );
        assert_eq!(
            kernel_refusal(with("user/max_user_namespaces", "96363")),
            None
        );
        assert_eq!(kernel_refusal(|_| None), None);
    }

    #[test]
    fn initial_map() {
        assert!(is_initial_map("         0          0 4294967295\n"));
        assert!(!is_initial_map("         0       1000          1\n"));
        assert!(!is_initial_map(""));
    }
}
