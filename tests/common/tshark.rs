//! Reading capture files with the real `tshark` (tests that use it need [`super::require::TSHARK`]).

use std::path::Path;
use std::process::Command;

/// Runs `tshark ARGS` and returns its output lines; panics with tshark's stderr when it fails
/// (a file it cannot read, an unknown field or filter).
pub fn lines(args: &[&str]) -> Vec<String> {
    let o = Command::new("tshark")
        .args(args)
        .output()
        .expect("tshark runs");
    assert!(
        o.status.success(),
        "tshark {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(String::from)
        .collect()
}

/// The given fields of every packet in `file`, one tab-separated line per packet.
pub fn fields(file: &Path, fields: &[&str]) -> String {
    let file = file.to_str().expect("a UTF-8 path");
    let mut args = vec!["-r", file, "-T", "fields"];
    for f in fields {
        args.extend(["-e", f]);
    }
    lines(&args).join("\n")
}

/// How many packets of `file` match the display filter.
pub fn count(file: &Path, filter: &str) -> usize {
    lines(&["-r", file.to_str().expect("a UTF-8 path"), "-Y", filter]).len()
}
