//! `reach --matrix` stays within a memory budget: the child's peak RSS (from `wait4`) on a
//! generated 600-instance topology (360,600 cells), as JSON and as text. Before the matrix
//! streamed its rows, `--json` peaked at ~130 MB here (debug build); now ~20 MB.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};

/// Peak RSS allowed for the child, in KiB.
const BUDGET_KIB: i64 = 64 * 1024;

/// 600 instances in 10 subnets (one public) and 50 security groups referencing each other in
/// a ring, like `scripts/gen-matrix-topology.sh` (which varies the group per 10 instances;
/// here it follows the instance so the run stays short: 50 classes).
fn topology(n: usize) -> String {
    let mut y = String::from("name: matrixmem\npublic_ip_pool: 52.0.0.0/16\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n");
    y += "      s0: { cidr: 10.0.0.0/20, route_table: pub, map_public_ip: true }\n";
    for s in 1..10 {
        y += &format!("      s{s}: {{ cidr: 10.0.{}.0/20 }}\n", s * 16);
    }
    y += "    route_tables:\n      pub:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n";
    y += "    security_groups:\n";
    for k in 0..50 {
        y += &format!(
            "      g{k}:\n        inbound:\n          - {{ protocol: tcp, ports: 80, source: sg:g{} }}\n",
            (k + 1) % 50
        );
    }
    y += "    instances:\n";
    for i in 0..n {
        y += &format!(
            "      i{i}: {{ subnet: s{}, security_groups: [g{}] }}\n",
            i % 10,
            i % 50
        );
    }
    y
}

/// The peak RSS of process `pid`'s own memory (`VmHWM` in KiB), None once it has exited.
fn vm_hwm(pid: u32) -> Option<i64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `vpclab reach FILE --matrix --port 80 [extra]`; returns (status, stdout bytes, peak
/// RSS in KiB). The child is reaped by `wait4` (which clippy cannot see), for its rusage.
/// The peak is the child's own `VmHWM`, read as its output streams in: `ru_maxrss` also counts
/// the test process's peak, which the spawned child inherits at `exec` (so other tests of
/// this binary running at the same time would be charged to it); it is the fallback only.
#[allow(clippy::zombie_processes)]
fn run(file: &std::path::Path, extra: &[&str]) -> (ExitStatus, usize, i64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("reach")
        .arg(file)
        .args(["--matrix", "--port", "80"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("vpclab runs");
    let mut bytes = 0;
    let mut buf = vec![0u8; 1 << 16];
    let mut out = child.stdout.take().unwrap();
    let mut hwm: Option<i64> = None;
    loop {
        match out.read(&mut buf).expect("read stdout") {
            0 => break,
            k => bytes += k,
        }
        if let Some(k) = vm_hwm(child.id()) {
            hwm = Some(hwm.map_or(k, |h| h.max(k)));
        }
    }
    let mut status = 0;
    // SAFETY: plain syscall on our own child; `ru` is a valid, zeroed rusage.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut ru) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    (
        ExitStatus::from_raw(status),
        bytes,
        hwm.unwrap_or(ru.ru_maxrss),
    )
}

#[test]
fn matrix_of_600_instances_stays_within_its_memory_budget() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("matrix600.yaml");
    std::fs::write(&file, topology(600)).unwrap();
    let cells = 601 * 600 - 600;
    for extra in [&["--json"][..], &[]] {
        let (status, bytes, kib) = run(&file, extra);
        assert!(status.success(), "{extra:?}: {status}");
        // Every cell was written (a JSON cell is over 100 bytes, a text cell at least 3).
        let per_cell = if extra.is_empty() { 3 } else { 100 };
        assert!(bytes > cells * per_cell, "{extra:?}: {bytes} bytes");
        assert!(
            kib < BUDGET_KIB,
            "{extra:?}: peak RSS {kib} KiB over the budget of {BUDGET_KIB} KiB"
        );
    }
}
