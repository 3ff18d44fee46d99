//! TAP devices created directly inside a host's namespace: a short-lived thread enters the
//! namespace (`setns`), sets the namespace's sysctls, opens `/dev/net/tun` and creates `eth0`
//! there. The device never exists in the root namespace; the fd stays with the engine, and the
//! device disappears when the fd is closed (it is not persistent). Hosts' TAPs are opened with
//! offloads (`IFF_VNET_HDR`, TSO, checksum): see `engine::wire::Offload`.

use crate::engine::wire;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;

/// `TUNSETIFF` = `_IOW('T', 202, int)`.
const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
/// `IFF_TAP`: an Ethernet (layer 2) device rather than a TUN (IP) one.
const IFF_TAP: libc::c_short = 0x0002;
/// `IFF_NO_PI`: no 4-byte packet-information header before frames.
const IFF_NO_PI: libc::c_short = 0x1000;
/// `IFF_VNET_HDR`: a `struct virtio_net_hdr` before every frame (offloads).
const IFF_VNET_HDR: libc::c_short = 0x4000;
/// `TUNGETIFF` = `_IOR('T', 210, unsigned int)`: the device's name and flags.
const TUNGETIFF: libc::c_ulong = 0x8004_54d2;
/// `TUNSETOFFLOAD` = `_IOW('T', 208, unsigned int)`: the offloads the reader takes.
const TUNSETOFFLOAD: libc::c_ulong = 0x4004_54d0;
/// `TUNSETVNETHDRSZ` = `_IOW('T', 216, int)`.
const TUNSETVNETHDRSZ: libc::c_ulong = 0x4004_54d8;
/// `TUN_F_CSUM`, `TUN_F_TSO4`, `TUN_F_TSO6`, `TUN_F_TSO_ECN`, `TUN_F_USO4`, `TUN_F_USO6`.
const TUN_F_CSUM: libc::c_uint = 0x01;
const TUN_F_TSO4: libc::c_uint = 0x02;
const TUN_F_TSO6: libc::c_uint = 0x04;
const TUN_F_TSO_ECN: libc::c_uint = 0x08;
const TUN_F_USO4: libc::c_uint = 0x20;
const TUN_F_USO6: libc::c_uint = 0x40;

/// `struct ifreq` as TUNSETIFF reads it: a name and the flags.
#[repr(C)]
struct IfReq {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    _pad: [u8; 22],
}

/// Runs `f` on a fresh thread that has entered the network namespace `ns` (`/run/netns/NS`).
pub fn in_netns<T: Send + 'static>(
    ns: &str,
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    let path = format!("/run/netns/{ns}");
    std::thread::spawn(move || {
        let nsf = File::open(&path)?;
        // SAFETY: setns on a valid namespace fd; it changes only this thread's namespace, and
        // the thread ends right after `f`.
        if unsafe { libc::setns(nsf.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(io::Error::last_os_error());
        }
        f()
    })
    .join()
    .map_err(|_| io::Error::other("namespace thread panicked"))?
}

/// Writes a namespaced sysctl (`net/ipv4/ip_forward`) from inside a namespace thread.
pub fn sysctl(key: &str, value: &str) -> io::Result<()> {
    std::fs::write(format!("/proc/sys/{key}"), value)
        .map_err(|e| io::Error::new(e.kind(), format!("sysctl {key}={value}: {e}")))
}

/// Opens a non-blocking TAP named `ifname` in the calling thread's namespace; frames are read
/// and written bare (no offload header).
pub fn open_tap_here(ifname: &str) -> io::Result<OwnedFd> {
    open_tap(ifname, 0)
}

/// [`open_tap_here`] with offloads: `IFF_VNET_HDR` (a 10-byte `virtio_net_hdr` before every
/// frame read or written) and `TUNSETOFFLOAD` with checksum, TSO4/6 (+ECN) and, where the
/// kernel has it (6.2 on), USO, so the namespace's kernel hands over 64 KiB segments with
/// partial checksums instead of MTU-sized, checksummed packets.
pub fn open_tap_offload_here(ifname: &str) -> io::Result<OwnedFd> {
    let fd = open_tap(ifname, IFF_VNET_HDR)?;
    let raw = fd.as_raw_fd();
    let size: libc::c_int = wire::VNET_HDR_LEN as libc::c_int;
    // SAFETY: TUNSETVNETHDRSZ reads an int that outlives the call.
    if unsafe { libc::ioctl(raw, TUNSETVNETHDRSZ as _, &size as *const libc::c_int) } < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("TUNSETVNETHDRSZ: {e}")));
    }
    let base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
    for flags in [base | TUN_F_USO4 | TUN_F_USO6, base] {
        // SAFETY: TUNSETOFFLOAD takes its argument by value.
        if unsafe { libc::ioctl(raw, TUNSETOFFLOAD as _, flags as libc::c_ulong) } == 0 {
            return Ok(fd);
        }
    }
    let e = io::Error::last_os_error();
    Err(io::Error::new(e.kind(), format!("TUNSETOFFLOAD: {e}")))
}

/// True when the TAP behind `fd` was opened with `IFF_VNET_HDR` (its frames carry an offload
/// header); false for a bare TAP, or when the fd is no TAP.
pub fn has_vnet_hdr(fd: RawFd) -> bool {
    let mut req = IfReq {
        name: [0; libc::IFNAMSIZ],
        flags: 0,
        _pad: [0; 22],
    };
    // SAFETY: TUNGETIFF writes an ifreq; `req` is a properly sized ifreq that outlives the call.
    let r = unsafe { libc::ioctl(fd, TUNGETIFF as _, &mut req as *mut IfReq) };
    r == 0 && req.flags & IFF_VNET_HDR != 0
}

/// Opens a TAP with `IFF_TAP | IFF_NO_PI | extra`.
fn open_tap(ifname: &str, extra: libc::c_short) -> io::Result<OwnedFd> {
    if ifname.is_empty() || ifname.len() >= libc::IFNAMSIZ {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "bad interface name",
        ));
    }
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open("/dev/net/tun")
        .map_err(|e| io::Error::new(e.kind(), format!("/dev/net/tun: {e}")))?;
    let mut req = IfReq {
        name: [0; libc::IFNAMSIZ],
        flags: IFF_TAP | IFF_NO_PI | extra,
        _pad: [0; 22],
    };
    req.name[..ifname.len()].copy_from_slice(ifname.as_bytes());
    // SAFETY: TUNSETIFF reads an ifreq; `req` is a properly sized and initialised ifreq that
    // outlives the call.
    let r = unsafe { libc::ioctl(f.as_raw_fd(), TUNSETIFF as _, &mut req as *mut IfReq) };
    if r < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("TUNSETIFF {ifname}: {e}")));
    }
    Ok(f.into())
}

/// Prepares a namespace for a host and creates its `eth0` TAP: IPv6 off (`netns::ipv6` turns
/// it back on for `eth0` of a host with IPv6 addresses), ICMP redirects off, forwarding on for
/// NAT instances.
pub fn create_host_tap(ns: &str, forwarding: bool) -> io::Result<OwnedFd> {
    in_netns(ns, move || {
        for k in ["all", "default"] {
            sysctl(&format!("net/ipv6/conf/{k}/disable_ipv6"), "1")?;
            sysctl(&format!("net/ipv4/conf/{k}/send_redirects"), "0")?;
            sysctl(&format!("net/ipv4/conf/{k}/accept_redirects"), "0")?;
        }
        if forwarding {
            sysctl("net/ipv4/ip_forward", "1")?;
        }
        open_tap_offload_here("eth0")
    })
}
