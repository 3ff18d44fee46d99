//! Flow logs are files root writes on a user's behalf (docs/security.md, "Files vpclab
//! writes"): `probe FILE` never writes through a symbolic link, into a folder another user
//! linked elsewhere, over another user's file, over a second hard link of a file, or into a
//! named pipe. It refuses with exit 3 and a message naming the flow log, and the file the link
//! pointed at is unchanged. Its own files and its own linked folders still work. Another user is
//! user nobody (uid 65534): the issue's steps run as nobody, or links and files given to it.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const TOPO: &str = "name: uf
vpcs:
  v:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      pub: { cidr: 10.0.0.0/24, route_table: pub }
    route_tables:
      pub:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: pub, ip: 10.0.0.10, public_ip: true, security_groups: [web], services: [http:80] }
internet:
  hosts:
    client: { ip: 203.0.113.5 }
flow_logs:
  - { resource: vpc:v, traffic: ALL, format: aws, path: flows/main.log }
";

/// What another user's file holds: it must still hold it afterwards.
const PRECIOUS: &str = "root:x:0:0:precious\n";

/// A topology folder (with `flows/` not made: each test makes it its own way) and a victim
/// folder holding a file `victim` with [`PRECIOUS`].
struct Case {
    topo: tempfile::TempDir,
    victim: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        let topo = tempfile::tempdir().unwrap();
        std::fs::write(topo.path().join("uf.yaml"), TOPO).unwrap();
        let victim = tempfile::tempdir().unwrap();
        std::fs::write(victim.path().join("victim"), PRECIOUS).unwrap();
        Case { topo, victim }
    }
    fn flows(&self) -> PathBuf {
        self.topo.path().join("flows")
    }
    fn log(&self) -> PathBuf {
        self.flows().join("main.log")
    }
    fn victim(&self) -> PathBuf {
        self.victim.path().join("victim")
    }
    fn assert_victim_unchanged(&self) {
        assert_eq!(
            std::fs::read_to_string(self.victim()).unwrap(),
            PRECIOUS,
            "the file behind the flow log was written"
        );
    }
    /// `probe` as root acting for itself (sudo's variables removed), killed after 60 s.
    fn probe(&self) -> Output {
        self.probe_env(&[])
    }
    fn probe_env(&self, env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vpclab"));
        cmd.arg("probe")
            .arg(self.topo.path().join("uf.yaml"))
            .args(["--from", "client", "--to", "web", "--port", "80"])
            .env_remove("SUDO_UID")
            .env_remove("SUDO_GID")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("vpclab runs");
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                panic!("probe hung (opening the flow log?)");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    }
}

/// Exit 3, stderr naming the flow log and containing `why`.
#[track_caller]
fn assert_refused(o: &Output, why: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "stderr: {err}");
    assert!(err.contains("flows/main.log"), "names the flow log: {err}");
    assert!(err.contains(why), "says why ({why}): {err}");
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Gives a link or file to another user (nobody, uid 65534), as a local user's own would be.
fn give_to_nobody(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; lchown does not follow a link.
    let r = unsafe { libc::lchown(c.as_ptr(), 65534, 65534) };
    assert_eq!(
        r,
        0,
        "lchown {}: {}",
        p.display(),
        std::io::Error::last_os_error()
    );
}

#[test]
fn a_symlink_as_the_flow_log_is_refused_and_its_target_kept() {
    let c = Case::new();
    std::fs::create_dir(c.flows()).unwrap();
    symlink(&c.victim(), &c.log());
    assert_refused(&c.probe(), "symbolic link");
    c.assert_victim_unchanged();
}

#[test]
fn a_dangling_symlink_as_the_flow_log_creates_nothing() {
    let c = Case::new();
    std::fs::create_dir(c.flows()).unwrap();
    let target = c.victim.path().join("created-by-root");
    symlink(&target, &c.log());
    assert_refused(&c.probe(), "symbolic link");
    assert!(!target.exists(), "the link's target was created");
}

#[test]
fn a_second_hard_link_of_a_file_is_not_truncated() {
    let c = Case::new();
    std::fs::create_dir(c.flows()).unwrap();
    std::fs::hard_link(c.victim(), c.log()).unwrap();
    assert_refused(&c.probe(), "hard link");
    c.assert_victim_unchanged();
}

#[test]
fn a_named_pipe_as_the_flow_log_is_refused_without_hanging() {
    let c = Case::new();
    std::fs::create_dir(c.flows()).unwrap();
    let p = std::ffi::CString::new(c.log().as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o600) }, 0);
    assert_refused(&c.probe(), "not a regular file");
}

#[test]
fn the_users_own_file_is_replaced() {
    let c = Case::new();
    std::fs::create_dir(c.flows()).unwrap();
    std::fs::write(c.log(), "old contents\n").unwrap();
    let o = c.probe();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let log = std::fs::read_to_string(c.log()).unwrap();
    assert!(
        !log.contains("old contents") && log.contains("ACCEPT"),
        "{log}"
    );
}

#[test]
fn a_folder_the_user_linked_is_followed() {
    let c = Case::new();
    let real = c.victim.path().join("real-flows");
    std::fs::create_dir(&real).unwrap();
    symlink(&real, &c.flows());
    let o = c.probe();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(std::fs::read_to_string(real.join("main.log"))
        .unwrap()
        .contains("ACCEPT"));
}

#[test]
#[ignore = "needs root (to give a link to another user): run the README's test command (scripts/test.sh)"]
fn a_folder_another_user_linked_is_refused() {
    crate::common::require::netns(&[]);
    let c = Case::new();
    // As user nobody: `ln -s VICTIM_DIR flows`, then root runs the probe.
    symlink(c.victim.path(), &c.flows());
    give_to_nobody(&c.flows());
    assert_refused(&c.probe(), "owned by uid 65534");
    assert!(!c.victim.path().join("main.log").exists());
    // The same link made by nobody as the flow log itself.
    std::fs::remove_file(c.flows()).unwrap();
    std::fs::create_dir(c.flows()).unwrap();
    symlink(&c.victim(), &c.log());
    give_to_nobody(&c.log());
    assert_refused(&c.probe(), "symbolic link");
    c.assert_victim_unchanged();
}

#[test]
#[ignore = "needs root (to give a file to another user): run the README's test command (scripts/test.sh)"]
fn another_users_file_is_not_overwritten() {
    crate::common::require::netns(&[]);
    let c = Case::new();
    std::fs::create_dir(c.flows()).unwrap();
    std::fs::write(c.log(), PRECIOUS).unwrap();
    give_to_nobody(&c.log());
    assert_refused(&c.probe(), "owned by uid 65534");
    assert_eq!(std::fs::read_to_string(c.log()).unwrap(), PRECIOUS);
}

#[test]
#[ignore = "needs root (to act for another user through sudo's variables): run the README's test command (scripts/test.sh)"]
fn through_sudo_the_log_belongs_to_the_user_and_roots_files_are_kept() {
    crate::common::require::netns(&[]);
    let c = Case::new();
    let sudo = [("SUDO_UID", "65534"), ("SUDO_GID", "65534")];
    // A new flow log (and the folder made for it) belong to the user who ran sudo.
    let o = c.probe_env(&sudo);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    for p in [c.flows(), c.log()] {
        let m = std::fs::metadata(&p).unwrap();
        assert_eq!((m.uid(), m.gid()), (65534, 65534), "{}", p.display());
    }
    // Run again: the user's own file is replaced.
    assert_eq!(c.probe_env(&sudo).status.code(), Some(0));
    // A file of root's in its place is not the user's to overwrite.
    std::fs::remove_file(c.log()).unwrap();
    std::fs::write(c.log(), PRECIOUS).unwrap();
    assert_refused(&c.probe_env(&sudo), "owned by uid 0");
    assert_eq!(std::fs::read_to_string(c.log()).unwrap(), PRECIOUS);
}

#[test]
#[ignore = "needs root (to run commands as user nobody): run the README's test command (scripts/test.sh)"]
fn issue_18_as_a_normal_user_then_root() {
    use std::os::unix::process::CommandExt;
    crate::common::require::netns(&[]);
    let c = Case::new();
    // The topology's folder is shared as /tmp is (1777); the victim is root's.
    std::fs::set_permissions(
        c.topo.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o1777),
    )
    .unwrap();
    // As user nobody: `mkdir flows; ln -s VICTIM flows/main.log`.
    let as_nobody = |args: &[&str]| {
        let s = Command::new(args[0])
            .args(&args[1..])
            .current_dir(c.topo.path())
            .uid(65534)
            .gid(65534)
            .status()
            .unwrap();
        assert!(s.success(), "{args:?} as nobody");
    };
    as_nobody(&["mkdir", "flows"]);
    as_nobody(&["ln", "-s", c.victim().to_str().unwrap(), "flows/main.log"]);
    assert_eq!(std::fs::symlink_metadata(c.log()).unwrap().uid(), 65534);
    // Then root runs the probe.
    assert_refused(&c.probe(), "symbolic link");
    c.assert_victim_unchanged();
}
