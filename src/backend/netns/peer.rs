//! Who is on the other end of a control connection, and the file an `apply` client hands over
//! (part of `backend::netns`, rank 7).
//!
//! The daemon runs as root; its clients may not. So the daemon never opens a path a client
//! names: `vpclab apply FILE` opens FILE itself, with its own identity, and passes the open
//! descriptor along with the request line (`SCM_RIGHTS`). Whatever the client could not open,
//! the daemon never sees; there is no check-then-open race, and no permission logic to get
//! wrong (groups, ACLs, mounts): the kernel checked the client's open. The client's identity
//! (`SO_PEERCRED`) counts its connections against a cap per user (`control_limits`).

use crate::topology::input::InputError;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::Path;

/// The credentials the kernel recorded for the peer when it connected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer {
    /// Its process id.
    pub pid: i32,
    /// Its effective user id.
    pub uid: u32,
    /// Its effective group id.
    pub gid: u32,
}

/// The peer of a connected Unix socket (`SO_PEERCRED`).
pub fn peer(conn: &UnixStream) -> io::Result<Peer> {
    let mut c = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `c`, a ucred we own.
    let r = unsafe {
        libc::getsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut c as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(Peer {
        pid: c.pid,
        uid: c.uid,
        gid: c.gid,
    })
}

/// Room for one descriptor in a control message.
const CMSG_ROOM: usize = 64;

/// Writes all of `bytes` on `conn`, the first write carrying `fd` (`SCM_RIGHTS`).
pub fn send_with_fd(conn: &UnixStream, bytes: &[u8], fd: &impl AsRawFd) -> io::Result<()> {
    let mut cbuf = [0u8; CMSG_ROOM];
    let mut iov = libc::iovec {
        iov_base: bytes.as_ptr() as *mut libc::c_void,
        iov_len: bytes.len(),
    };
    // SAFETY: msghdr is plain data; every pointer set below outlives the sendmsg call, and the
    // control buffer is large enough for CMSG_SPACE(sizeof(int)) (checked).
    let sent = unsafe {
        let space = libc::CMSG_SPACE(std::mem::size_of::<libc::c_int>() as u32) as usize;
        assert!(space <= CMSG_ROOM);
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf.as_mut_ptr().cast();
        msg.msg_controllen = space as _;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<libc::c_int>() as u32) as _;
        std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>(), fd.as_raw_fd());
        libc::sendmsg(conn.as_raw_fd(), &msg, libc::MSG_NOSIGNAL)
    };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    let rest = &bytes[sent as usize..];
    if !rest.is_empty() {
        io::Write::write_all(&mut &*conn, rest)?;
    }
    Ok(())
}

/// One `recvmsg` into `buf`: the byte count and the first descriptor passed with them (any
/// others are closed). Descriptors arrive close-on-exec.
pub fn recv_with_fd(conn: &UnixStream, buf: &mut [u8]) -> io::Result<(usize, Option<OwnedFd>)> {
    let mut cbuf = [0u8; CMSG_ROOM * 4];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: as in send_with_fd; the kernel writes at most msg_controllen bytes of control
    // data, and every descriptor it installed is taken into an OwnedFd exactly once.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf.as_mut_ptr().cast();
        msg.msg_controllen = cbuf.len() as _;
        let n = libc::recvmsg(conn.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC);
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut first = None;
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(cmsg).cast::<libc::c_int>();
                let header = libc::CMSG_LEN(0) as usize;
                let count =
                    ((*cmsg).cmsg_len as usize - header) / std::mem::size_of::<libc::c_int>();
                for i in 0..count {
                    let fd = OwnedFd::from_raw_fd(std::ptr::read_unaligned(data.add(i)));
                    if first.is_none() {
                        first = Some(fd);
                    }
                }
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
        Ok((n as usize, first))
    }
}

/// Reads all of a passed file if it is a regular file of at most `cap` bytes (the rule of
/// `topology::input::read_bounded`, applied to a descriptor; `name` is the path the client
/// gave, for messages).
pub fn read_passed(fd: OwnedFd, name: &Path, cap: u64) -> Result<String, InputError> {
    let io_err = |e| InputError::Io(name.to_path_buf(), e);
    let f = File::from(fd);
    let meta = f.metadata().map_err(io_err)?;
    let t = meta.file_type();
    if !t.is_file() {
        let what = if t.is_fifo() {
            "a FIFO"
        } else if t.is_dir() {
            "a directory"
        } else if t.is_char_device() || t.is_block_device() {
            "a device"
        } else {
            "not a file"
        };
        return Err(InputError::NotRegular(name.to_path_buf(), what));
    }
    if meta.len() > cap {
        return Err(InputError::TooLarge(name.to_path_buf(), cap));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    // pread from 0: the client's offset is not ours to trust.
    let mut at = 0u64;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = std::os::unix::fs::FileExt::read_at(&f, &mut chunk, at).map_err(io_err)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        at += n as u64;
        if at > cap {
            return Err(InputError::TooLarge(name.to_path_buf(), cap));
        }
    }
    String::from_utf8(buf).map_err(|_| {
        io_err(io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_descriptor_travels_with_the_line_and_the_peer_is_known() {
        let (a, b) = UnixStream::pair().unwrap();
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.yaml");
        std::fs::write(&p, "name: x\n").unwrap();
        let f = File::open(&p).unwrap();
        send_with_fd(&a, b"{\"cmd\":\"apply\"}\n", &f).unwrap();
        let mut buf = [0u8; 128];
        let (n, fd) = recv_with_fd(&b, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"{\"cmd\":\"apply\"}\n");
        let text = read_passed(fd.expect("a descriptor"), &p, 100).unwrap();
        assert_eq!(text, "name: x\n");
        // SAFETY: getuid has no preconditions.
        let me = unsafe { libc::geteuid() };
        assert_eq!(peer(&b).unwrap().uid, me);
        assert_eq!(peer(&b).unwrap().pid, std::process::id() as i32);
    }

    #[test]
    fn passed_files_are_bounded_and_regular() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big");
        std::fs::write(&p, vec![b'a'; 200]).unwrap();
        let fd = OwnedFd::from(File::open(&p).unwrap());
        assert!(matches!(
            read_passed(fd, &p, 100),
            Err(InputError::TooLarge(_, 100))
        ));
        let fd = OwnedFd::from(File::open(d.path()).unwrap());
        assert!(matches!(
            read_passed(fd, d.path(), 100),
            Err(InputError::NotRegular(_, "a directory"))
        ));
    }
}
