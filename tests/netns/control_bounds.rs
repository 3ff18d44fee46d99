//! The control socket of a running topology (root, netns backend) bounds what a client can make
//! the daemon hold: a request line over the limit gets an error reply and the connection closed
//! while the daemon's memory stays flat; connections past the cap are refused with a message;
//! and `apply` of a file that is not a topology names the file and the position without
//! quoting its contents (the daemon runs as root, its client may not).

use crate::common::netns::Topo;
use crate::common::require;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;
use vpclab::backend::netns::control::{
    apply_file, request, Request, MAX_CONNECTIONS_PER_USER, MAX_REQUEST_LINE,
};
use vpclab::backend::netns::state::StateDir;

const ONE: &str = "name: x\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    subnets:\n      s: { cidr: 10.0.0.0/24 }\n    instances:\n      a: { subnet: s, ip: 10.0.0.10 }\n";

/// The running daemon's socket and pid.
fn daemon(t: &Topo) -> (PathBuf, i32) {
    let dir = StateDir::of(&t.name);
    (dir.ctl_sock(), dir.live_pid().expect("daemon running"))
}

/// A field of `/proc/PID/status` (`VmRSS` in kB, `Threads`).
fn proc_status(pid: i32, field: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    s.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// Reads one reply line (at most 10 s).
fn reply(c: &UnixStream) -> serde_json::Value {
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut line = String::new();
    BufReader::new(c)
        .read_line(&mut line)
        .expect("a reply line within 10 s");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("reply `{line}` is not JSON: {e}"))
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn netns_control_line_over_the_limit_is_refused_and_memory_stays_flat() {
    require::netns(&[]);
    let t = Topo::new("ctlline", ONE);
    t.up();
    let (sock, pid) = daemon(&t);
    let before = proc_status(pid, "VmRSS");
    let c = UnixStream::connect(&sock).expect("connect");
    let mut w = c.try_clone().unwrap();
    // 64 MiB without a newline, written while the reply is read; the daemon closes early, so
    // the writer stops at the first error.
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..64 {
            if w.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let v = reply(&c);
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["code"], 2, "{v}");
    let e = v["error"].as_str().unwrap_or_default();
    assert!(
        e.contains(&MAX_REQUEST_LINE.to_string()),
        "the reply names the limit: {e}"
    );
    drop(c);
    writer.join().unwrap();
    let after = proc_status(pid, "VmRSS");
    assert!(
        after < before + 16 * 1024,
        "daemon RSS grew from {before} kB to {after} kB"
    );
    // The daemon still answers.
    let v = request(&sock, &Request::Status, Duration::from_secs(10)).expect("status");
    assert_eq!(v["ok"], true, "{v}");
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn netns_control_connections_past_the_cap_are_refused() {
    require::netns(&[]);
    let t = Topo::new("ctlconn", ONE);
    t.up();
    let (sock, pid) = daemon(&t);
    let idle: Vec<UnixStream> = (0..MAX_CONNECTIONS_PER_USER)
        .map(|_| UnixStream::connect(&sock).expect("connect"))
        .collect();
    // Let the daemon accept them all.
    std::thread::sleep(Duration::from_millis(500));
    let extra: Vec<UnixStream> = (0..20)
        .map(|_| UnixStream::connect(&sock).expect("connect"))
        .collect();
    for c in &extra {
        let v = reply(c);
        assert_eq!(v["ok"], false, "{v}");
        let e = v["error"].as_str().unwrap_or_default();
        assert!(e.contains("too many"), "a clear refusal: {e}");
    }
    let threads = proc_status(pid, "Threads");
    assert!(
        threads < MAX_CONNECTIONS_PER_USER as u64 + 40,
        "{threads} daemon threads with {} connections open",
        MAX_CONNECTIONS_PER_USER + 20
    );
    drop(idle);
    drop(extra);
    // Slots come back once the idle connections are closed.
    let ok = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        request(&sock, &Request::Status, Duration::from_secs(10))
            .map(|v| v["ok"] == true)
            .unwrap_or(false)
    });
    assert!(ok, "status answers after the idle connections closed");
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn netns_control_apply_errors_never_quote_the_file() {
    require::netns(&[]);
    let t = Topo::new("ctlecho", ONE);
    t.up();
    let (sock, _) = daemon(&t);
    let dir = tempfile::tempdir().unwrap();
    let marker = "SECRETMARKER4f1d";
    let cases = [
        ("plain.txt", format!("{marker}\n")),
        ("shadow.txt", format!("root:{marker}:19000:0:99999:7:::\n")),
        ("key.yaml", format!("name: x\n{marker}: 1\n")),
        ("value.yaml", format!("name: {marker}\nvpcs: {marker}\n")),
        ("list.yaml", format!("- {marker}\n")),
    ];
    for (f, text) in &cases {
        let p = dir.path().join(f);
        std::fs::write(&p, text).unwrap();
        let v = apply_file(&sock, &p, Duration::from_secs(20)).expect("apply answers");
        assert_eq!(v["ok"], false, "{f}: {v}");
        assert_eq!(v["code"], 2, "{f}: {v}");
        let e = v["error"].as_str().unwrap_or_default();
        assert!(!e.contains(marker), "{f}: the reply quotes the file: {e}");
        assert!(
            e.contains(&p.display().to_string()),
            "{f}: names the file: {e}"
        );
        assert!(e.contains("not a valid topology"), "{f}: says what: {e}");
    }
    // A FIFO neither blocks the daemon nor is read.
    let p = dir.path().join("pipe.yaml");
    let c = std::ffi::CString::new(p.display().to_string()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let v = apply_file(&sock, &p, Duration::from_secs(10)).expect("apply of a FIFO answers");
    assert_eq!(v["code"], 2, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap_or_default()
            .contains("not a regular file"),
        "{v}"
    );
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn netns_control_apply_never_opens_a_path_the_client_names() {
    require::netns(&[]);
    let t = Topo::new("ctlpath", ONE);
    t.up();
    let (sock, _) = daemon(&t);
    // A valid topology the daemon could read, named without its descriptor: refused unread
    // (before, the daemon opened any path with its own privilege).
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("same.yaml");
    std::fs::write(&p, crate::common::netns::with_name(ONE, &t.name)).unwrap();
    for file in [p.clone(), PathBuf::from("/etc/shadow")] {
        let v = request(
            &sock,
            &Request::Apply { file: file.clone() },
            Duration::from_secs(20),
        )
        .expect("apply answers");
        assert_eq!(v["ok"], false, "{}: {v}", file.display());
        assert_eq!(v["code"], 2, "{v}");
        let e = v["error"].as_str().unwrap_or_default();
        assert!(e.contains("descriptor"), "{e}");
        assert!(!e.contains("root:"), "{e}");
    }
    // The same file passed as a descriptor applies.
    let v = apply_file(&sock, &p, Duration::from_secs(20)).expect("apply answers");
    assert_eq!(v["ok"], true, "{v}");
}
