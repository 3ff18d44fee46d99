//! What bounds the control socket (see `control`): the request line's length, the number of
//! connections served at once, and error replies that never quote a file. The daemon runs with
//! more privilege than a client may have, so a client must not be able to make it buffer,
//! spawn or disclose without limit.

use crate::topology::input::InputError;
use crate::topology::Report;
use std::collections::HashMap;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Longest request line the daemon reads (bytes, newline included); a longer one gets an error
/// reply and the connection is closed, so a client cannot make the daemon buffer without end.
pub const MAX_REQUEST_LINE: usize = 64 * 1024;

/// Most connections served at once for one user (peer uid, subscriptions included); one past
/// it gets an error reply and is closed at once, so one user's idle clients can neither make
/// the daemon start a thread each nor lock another user out.
pub const MAX_CONNECTIONS_PER_USER: usize = 64;

/// Most connections served at once over all users: a backstop (only root can add users).
pub const MAX_CONNECTIONS: usize = 512;

/// How long a client may take to send its request line; an idle connection is closed after
/// it, giving its slot back.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why no request was read.
#[derive(Debug)]
pub enum LineError {
    /// Longer than [`MAX_REQUEST_LINE`] without a newline.
    TooLong,
    /// The socket failed, timed out or closed.
    Io(io::Error),
}

/// Reads one request line (at most [`MAX_REQUEST_LINE`] bytes, within [`REQUEST_TIMEOUT`]);
/// the read timeout is cleared afterwards so a subscription can stay open. A connection closed
/// before a newline gives what was sent (the parser then rejects it if incomplete).
pub fn read_request_line(conn: &UnixStream) -> Result<String, LineError> {
    read_request(conn).map(|(l, _)| l)
}

/// [`read_request_line`], also returning the first descriptor passed with the line
/// (`SCM_RIGHTS`, see `peer`): `apply`'s file. Reads with `recvmsg`, a chunk at a time, and
/// stops at the first newline, so nothing after the line is consumed past that chunk.
pub fn read_request(conn: &UnixStream) -> Result<(String, Option<OwnedFd>), LineError> {
    conn.set_read_timeout(Some(REQUEST_TIMEOUT))
        .map_err(LineError::Io)?;
    let mut buf = Vec::new();
    let mut fd = None;
    let mut chunk = [0u8; 8192];
    while !buf.contains(&b'\n') && buf.len() <= MAX_REQUEST_LINE {
        let (n, passed) = super::peer::recv_with_fd(conn, &mut chunk).map_err(LineError::Io)?;
        if fd.is_none() {
            fd = passed;
        }
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    if let Some(i) = buf.iter().position(|b| *b == b'\n') {
        buf.truncate(i + 1);
    }
    if buf.len() > MAX_REQUEST_LINE {
        return Err(LineError::TooLong);
    }
    conn.set_read_timeout(None).map_err(LineError::Io)?;
    Ok((String::from_utf8_lossy(&buf).into_owned(), fd))
}

/// The error reply for a line over the limit.
pub fn too_long_reply() -> serde_json::Value {
    serde_json::json!({
        "ok": false,
        "code": 2,
        "error": format!("the request line is longer than {MAX_REQUEST_LINE} bytes; closing"),
    })
}

/// The error reply for a connection past the cap.
pub fn too_many_reply() -> serde_json::Value {
    serde_json::json!({
        "ok": false,
        "code": 3,
        "error": format!(
            "too many control connections (at most {MAX_CONNECTIONS_PER_USER} per user, \
             {MAX_CONNECTIONS} in all); try again when one closes"
        ),
    })
}

/// Counts the connections being served, per peer uid; a [`Slot`] is one of them.
#[derive(Clone, Debug, Default)]
pub struct Slots(Arc<Mutex<HashMap<u32, usize>>>);

/// One connection's place under the caps, given back when dropped.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Mutex<HashMap<u32, usize>>>,
    uid: u32,
}

impl Slots {
    /// A slot for a connection of user `uid`, or None when that user has
    /// [`MAX_CONNECTIONS_PER_USER`] or everyone together [`MAX_CONNECTIONS`].
    pub fn take(&self, uid: u32) -> Option<Slot> {
        let mut m = self.0.lock().ok()?;
        let total: usize = m.values().sum();
        let mine = m.entry(uid).or_insert(0);
        if *mine >= MAX_CONNECTIONS_PER_USER || total >= MAX_CONNECTIONS {
            return None;
        }
        *mine += 1;
        Some(Slot {
            slots: self.0.clone(),
            uid,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut m) = self.slots.lock() {
            if let Some(n) = m.get_mut(&self.uid) {
                *n -= 1;
                if *n == 0 {
                    m.remove(&self.uid);
                }
            }
        }
    }
}

/// What the daemon says about a file `apply` could not read: the path and the reason (size,
/// file type, the OS error), never its bytes.
pub fn unreadable(e: &InputError) -> String {
    format!("{e}\nhint: give the path of a topology file")
}

/// What the daemon says about a file that is not a valid topology: the path and where the
/// first error is, without the diagnostics themselves, which may quote the file (a key, a
/// value). The client, who can read the file, gets the details from `vpclab validate`.
pub fn redacted(file: &str, r: &Report) -> String {
    let mut errors = r.errors();
    let at = match errors.next() {
        Some(d) if d.loc.line > 0 => format!(" (line {})", d.loc),
        _ => String::new(),
    };
    let more = match errors.count() {
        0 => String::new(),
        1 => ", and 1 more error".to_string(),
        n => format!(", and {n} more errors"),
    };
    format!(
        "{file}: not a valid topology{at}{more}\nhint: `vpclab validate {file}` shows the details"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::Loc;

    #[test]
    fn slots_stop_at_the_cap_and_come_back() {
        let s = Slots::default();
        let taken: Vec<Slot> = (0..MAX_CONNECTIONS_PER_USER)
            .map(|_| s.take(1000).unwrap())
            .collect();
        assert!(s.take(1000).is_none());
        // Another user is not locked out by the first one's idle connections.
        let other = s.take(1001).expect("a slot for another user");
        drop(taken);
        assert!(s.take(1000).is_some());
        drop(other);
    }

    #[test]
    fn all_users_together_stop_at_the_backstop() {
        let s = Slots::default();
        let users = MAX_CONNECTIONS / MAX_CONNECTIONS_PER_USER;
        let taken: Vec<Slot> = (0..users as u32)
            .flat_map(|u| (0..MAX_CONNECTIONS_PER_USER).map(move |_| u))
            .map(|u| s.take(u).unwrap())
            .collect();
        assert!(s.take(users as u32 + 1).is_none());
        drop(taken);
        assert!(s.take(0).is_some());
    }

    #[test]
    fn redacted_names_position_not_content() {
        let mut r = Report::new("/x.yaml");
        r.error(Loc { line: 3, col: 1 }, "unknown field `secret`", "h");
        r.error(Loc { line: 4, col: 2 }, "unknown field `other`", "h");
        let s = redacted("/x.yaml", &r);
        assert!(s.starts_with("/x.yaml: not a valid topology (line 3:1), and 1 more error"));
        assert!(!s.contains("secret"), "{s}");
    }

    #[test]
    fn long_lines_are_refused_short_ones_read() {
        let (mut a, b) = UnixStream::pair().unwrap();
        std::io::Write::write_all(&mut a, b"{\"cmd\":\"status\"}\n").unwrap();
        assert_eq!(read_request_line(&b).unwrap(), "{\"cmd\":\"status\"}\n");
        let w = std::thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut a, &vec![b'x'; MAX_REQUEST_LINE + 10]);
        });
        assert!(matches!(read_request_line(&b), Err(LineError::TooLong)));
        drop(b);
        w.join().unwrap();
    }
}
