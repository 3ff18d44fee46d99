//! The two link types between a host's `eth0` and the engine (part of `backend::netns`,
//! rank 7): a TAP device (`tap`), or a veth pair whose far end sits in the topology's engine
//! namespace (`NAME-~engine`) and is read through an `AF_PACKET` socket bound to it.
//!
//! Both give the engine loop the same thing: a non-blocking descriptor on which one `read`
//! is one frame and one `write` sends one, each preceded by a 10-byte `virtio_net_hdr` (TAP:
//! `IFF_VNET_HDR`; packet socket: `PACKET_VNET_HDR`), so segments and partial checksums pass
//! through both the same way and the loop, the engine and every decision are shared. TAPs
//! need `/dev/net/tun` to be openable by the process; veth pairs need nothing but
//! CAP_NET_ADMIN over the namespaces, which a user namespace gives a normal user.

use super::ns;
use super::tap;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::process::Command;

/// `SOL_PACKET` option numbers (linux/if_packet.h).
const PACKET_VNET_HDR: libc::c_int = 15;
/// `PACKET_QDISC_BYPASS`: frames written skip the device's queueing discipline.
const PACKET_QDISC_BYPASS: libc::c_int = 20;
/// `PACKET_IGNORE_OUTGOING`: the socket does not read back the frames sent on its device.
const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
/// `ETH_P_ALL`: every protocol.
const ETH_P_ALL: u16 = 0x0003;
/// Socket buffer asked for each packet socket (the kernel caps it at `net.core.[rw]mem_max`).
const SOCK_BUF: libc::c_int = 4 << 20;

/// The environment variable that forces a link type (`tap` or `veth`), e.g. to compare both
/// as root; unset, [`LinkKind::choose`] decides.
pub const LINK_ENV: &str = "VPCLAB_LINK";

/// How hosts are wired to the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A TAP device as the host's `eth0`; the engine holds its fd.
    Tap,
    /// A veth pair: `eth0` in the host, `vN` (N = port index) in the engine namespace, read
    /// and written through an `AF_PACKET` socket.
    Veth,
}

impl LinkKind {
    /// `VPCLAB_LINK` when set (`tap` or `veth`; anything else is an error naming it), else a
    /// TAP when `/dev/net/tun` opens for reading and writing, else veth.
    pub fn choose() -> Result<LinkKind, String> {
        match std::env::var(LINK_ENV).ok().as_deref() {
            Some("tap") => Ok(LinkKind::Tap),
            Some("veth") => Ok(LinkKind::Veth),
            Some(other) => Err(format!(
                "{LINK_ENV}={other} is not a link type\nhint: {LINK_ENV}=tap or {LINK_ENV}=veth"
            )),
            None => Ok(if tun_usable() {
                LinkKind::Tap
            } else {
                LinkKind::Veth
            }),
        }
    }

    /// The name written to the state directory's `link` file and shown by `status`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Tap => "tap",
            LinkKind::Veth => "veth",
        }
    }
}

/// True when this process can open `/dev/net/tun` (mode 0600 root on some machines, so a
/// normal user, even as root of a user namespace, cannot).
pub fn tun_usable() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")
        .is_ok()
}

/// The engine namespace of a topology: where the engine ends of its veth pairs live (never
/// the root namespace). The `~` cannot appear in a host name, so it names no host.
pub fn engine_ns(topo: &str) -> String {
    super::state::ns_name(topo, "~engine")
}

/// The engine end of port `idx`'s veth pair.
fn engine_ifname(idx: usize) -> String {
    format!("v{idx}")
}

/// Prepares the engine namespace (made by the caller): IPv6 off, so the kernel sends nothing
/// of its own on the engine ends (no router solicitations, no MLD), and `lo` up.
pub fn prepare_engine_ns(eng: &str) -> io::Result<()> {
    tap::in_netns(eng, || {
        for k in ["all", "default"] {
            tap::sysctl(&format!("net/ipv6/conf/{k}/disable_ipv6"), "1")?;
        }
        Ok(())
    })
}

/// Creates port `idx`'s veth pair (`eth0` in `host_ns`, `vN` in `eng`, both at `mtu`), with the
/// host's sysctls as [`tap::create_host_tap`] sets them, and returns the engine end's packet
/// socket. The host's `eth0` is configured afterwards like a TAP (`ns::configure_link`).
pub fn create_host_veth(
    eng: &str,
    idx: usize,
    host_ns: &str,
    mtu: u32,
    forwarding: bool,
) -> io::Result<OwnedFd> {
    tap::in_netns(host_ns, move || {
        for k in ["all", "default"] {
            tap::sysctl(&format!("net/ipv6/conf/{k}/disable_ipv6"), "1")?;
            tap::sysctl(&format!("net/ipv4/conf/{k}/send_redirects"), "0")?;
            tap::sysctl(&format!("net/ipv4/conf/{k}/accept_redirects"), "0")?;
        }
        if forwarding {
            tap::sysctl("net/ipv4/ip_forward", "1")?;
        }
        Ok(())
    })?;
    let v = engine_ifname(idx);
    let batch = format!(
        "link add {v} mtu {mtu} txqueuelen 10000 type veth peer name eth0 netns {host_ns}\nlink set {v} up\n"
    );
    ns::run_with_input(Command::new("ip").args(["-n", eng, "-batch", "-"]), &batch)
        .map_err(|e| io::Error::new(e.kind(), format!("veth {v}: {e}")))?;
    tap::in_netns(eng, move || open_packet_socket(&v))
}

/// Sets an int socket option; `what` names it in the error.
fn set_int(
    fd: RawFd,
    level: libc::c_int,
    opt: libc::c_int,
    v: libc::c_int,
    what: &str,
) -> io::Result<()> {
    // SAFETY: setsockopt reads an int that outlives the call.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            opt,
            (&v as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        let e = io::Error::last_os_error();
        Err(io::Error::new(e.kind(), format!("{what}: {e}")))
    }
}

/// Opens a non-blocking `AF_PACKET` raw socket on `ifname` in the calling thread's namespace,
/// with a `virtio_net_hdr` before every frame and without reading back its own frames. The
/// socket is made with protocol 0 (it receives nothing) and bound with `ETH_P_ALL`, so no frame
/// of another device is ever queued on it.
pub fn open_packet_socket(ifname: &str) -> io::Result<OwnedFd> {
    let name = std::ffi::CString::new(ifname)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "bad interface name"))?;
    // SAFETY: if_nametoindex reads a NUL-terminated string that outlives the call.
    let ifindex = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if ifindex == 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("{ifname}: {e}")));
    }
    // SAFETY: socket has no memory-safety preconditions.
    let raw = unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    if raw < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("AF_PACKET socket: {e}")));
    }
    // SAFETY: `raw` is a descriptor just returned by socket() and owned by nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    set_int(raw, libc::SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR")?;
    set_int(
        raw,
        libc::SOL_PACKET,
        PACKET_IGNORE_OUTGOING,
        1,
        "PACKET_IGNORE_OUTGOING",
    )?;
    // Best effort: both only tune throughput.
    let _ = set_int(
        raw,
        libc::SOL_PACKET,
        PACKET_QDISC_BYPASS,
        1,
        "PACKET_QDISC_BYPASS",
    );
    let _ = set_int(
        raw,
        libc::SOL_SOCKET,
        libc::SO_RCVBUF,
        SOCK_BUF,
        "SO_RCVBUF",
    );
    let _ = set_int(
        raw,
        libc::SOL_SOCKET,
        libc::SO_SNDBUF,
        SOCK_BUF,
        "SO_SNDBUF",
    );
    // SAFETY: an all-zero sockaddr_ll is a valid value; the fields that matter are set below.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = ETH_P_ALL.to_be();
    sll.sll_ifindex = ifindex as libc::c_int;
    // SAFETY: bind reads a sockaddr_ll of the given size that outlives the call.
    let r = unsafe {
        libc::bind(
            raw,
            (&sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if r != 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("bind {ifname}: {e}")));
    }
    Ok(fd)
}

/// True when frames on `fd` carry a `virtio_net_hdr`: a TAP opened with `IFF_VNET_HDR`, or a
/// packet socket with `PACKET_VNET_HDR` set. The engine loop asks this once per port.
pub fn has_vnet_hdr(fd: RawFd) -> bool {
    if tap::has_vnet_hdr(fd) {
        return true;
    }
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `v`; both outlive the call. On a
    // descriptor that is no packet socket it fails and `v` stays 0.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_PACKET,
            PACKET_VNET_HDR,
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    r == 0 && v != 0
}
