//! What bounds the control socket (see `control`): the request line's length, the number of
//! connections served at once, and error replies that never quote a file. The daemon runs with
//! more privilege than a client may have, so a client must not be able to make it buffer,
//! spawn or disclose without limit.

use crate::topology::input::InputError;
use crate::topology::Report;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Longest request line the daemon reads (bytes, newline included); a longer one gets an error
/// reply and the connection is closed, so a client cannot make the daemon buffer without end.
pub const MAX_REQUEST_LINE: usize = 64 * 1024;

/// Most connections served at once (subscriptions included); one past it gets an error reply
/// and is closed at once, so idle clients cannot make the daemon start a thread each.
pub const MAX_CONNECTIONS: usize = 64;

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
    conn.set_read_timeout(Some(REQUEST_TIMEOUT))
        .map_err(LineError::Io)?;
    let mut buf = Vec::new();
    BufReader::new(conn.take(MAX_REQUEST_LINE as u64 + 1))
        .read_until(b'\n', &mut buf)
        .map_err(LineError::Io)?;
    if buf.len() > MAX_REQUEST_LINE {
        return Err(LineError::TooLong);
    }
    conn.set_read_timeout(None).map_err(LineError::Io)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
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
            "too many control connections ({MAX_CONNECTIONS} open); try again when one closes"
        ),
    })
}

/// Counts the connections being served; a [`Slot`] is one of them.
#[derive(Clone, Debug, Default)]
pub struct Slots(Arc<AtomicUsize>);

/// One connection's place under [`MAX_CONNECTIONS`], given back when dropped.
#[derive(Debug)]
pub struct Slot(Arc<AtomicUsize>);

impl Slots {
    /// A slot, or None when [`MAX_CONNECTIONS`] are taken.
    pub fn take(&self) -> Option<Slot> {
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_CONNECTIONS).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(self.0.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
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
        let taken: Vec<Slot> = (0..MAX_CONNECTIONS).map(|_| s.take().unwrap()).collect();
        assert!(s.take().is_none());
        drop(taken);
        assert!(s.take().is_some());
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
