//! Every file a user names is bounded before it is read: a file larger than the cap (made
//! sparse, so it costs no disk) and a FIFO make `validate` and `flows` exit 2 at once, naming
//! the file and the limit, with the process's peak memory well under the file's size.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The sparse file's size: far above the 16 MiB cap, small enough that the unbounded read it
/// replaces would not hurt a shared machine.
const BIG: u64 = 256 * 1024 * 1024;

/// Peak memory allowed to the process (kB, as `ru_maxrss`).
const MAX_RSS_KB: i64 = 100 * 1024;

/// What one run of the binary did.
struct Run {
    /// Exit code (None: killed after the time limit).
    code: Option<i32>,
    /// Peak resident set size, kB.
    max_rss_kb: i64,
    /// How long it ran.
    took: Duration,
    /// Standard output and error, concatenated.
    text: String,
}

/// Runs vpclab with `args`, waiting at most 20 s (then killing it), with `wait4` for the
/// child's own peak memory.
fn run(dir: &Path, args: &[&str]) -> Run {
    let out = dir.join("out.txt");
    let f = std::fs::File::create(&out).expect("output file");
    let start = Instant::now();
    // Reaped below with wait4 (std's wait would not give the child's own rusage).
    let pid = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(f.try_clone().expect("dup"))
        .stderr(f)
        .spawn()
        .expect("spawn vpclab")
        .id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let mut code = None;
    loop {
        // SAFETY: wait4 on our own child, with valid pointers.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
        if r == pid {
            code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
            break;
        }
        if start.elapsed() > Duration::from_secs(20) {
            // SAFETY: killing and reaping our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut ru);
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Run {
        code,
        max_rss_kb: ru.ru_maxrss,
        took: start.elapsed(),
        text: std::fs::read_to_string(&out).unwrap_or_default(),
    }
}

/// A sparse file of `BIG` bytes.
fn sparse(dir: &Path, name: &str) -> String {
    let p = dir.join(name);
    let f = std::fs::File::create(&p).expect("create");
    f.set_len(BIG).expect("set_len");
    p.display().to_string()
}

/// A FIFO nobody writes to.
fn fifo(dir: &Path, name: &str) -> String {
    let p = dir.join(name);
    let c = std::ffi::CString::new(p.display().to_string()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    p.display().to_string()
}

fn assert_refused_big(r: &Run, path: &str) {
    assert_eq!(r.code, Some(2), "exit code ({:?}): {}", r.took, r.text);
    assert!(r.text.contains(path), "names the file: {}", r.text);
    assert!(r.text.contains("16777216"), "names the limit: {}", r.text);
    assert!(
        r.max_rss_kb < MAX_RSS_KB,
        "peak memory {} kB reading a {BIG}-byte file",
        r.max_rss_kb
    );
    assert!(r.took < Duration::from_secs(10), "took {:?}", r.took);
}

fn assert_refused_fifo(r: &Run, path: &str) {
    assert_eq!(r.code, Some(2), "exit code ({:?}): {}", r.took, r.text);
    assert!(r.text.contains(path), "names the file: {}", r.text);
    assert!(
        r.text.contains("not a regular file"),
        "says why: {}",
        r.text
    );
}

#[test]
fn validate_refuses_a_file_over_the_cap_without_reading_it() {
    let d = tempfile::tempdir().unwrap();
    let p = sparse(d.path(), "huge.yaml");
    assert_refused_big(&run(d.path(), &["validate", &p]), &p);
}

#[test]
fn validate_refuses_a_fifo_without_blocking() {
    let d = tempfile::tempdir().unwrap();
    let p = fifo(d.path(), "pipe.yaml");
    assert_refused_fifo(&run(d.path(), &["validate", &p]), &p);
}

#[test]
fn validate_refuses_a_device() {
    let d = tempfile::tempdir().unwrap();
    let r = run(d.path(), &["validate", "/dev/zero"]);
    assert_refused_fifo(&r, "/dev/zero");
    assert!(r.max_rss_kb < MAX_RSS_KB, "peak {} kB", r.max_rss_kb);
}

#[test]
fn flows_refuses_a_file_over_the_cap_and_a_fifo() {
    let d = tempfile::tempdir().unwrap();
    let p = sparse(d.path(), "huge.log");
    let r = run(d.path(), &["flows", &p]);
    assert_eq!(r.code, Some(2), "{}", r.text);
    assert!(r.text.contains(&p), "{}", r.text);
    assert!(r.max_rss_kb < MAX_RSS_KB, "peak {} kB", r.max_rss_kb);
    let p = fifo(d.path(), "pipe.log");
    assert_refused_fifo(&run(d.path(), &["flows", &p]), &p);
}
