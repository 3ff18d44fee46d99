//! The second link type and the backend without root: as root, the veth + AF_PACKET link type
//! (forced with `VPCLAB_LINK=veth`) carries the basic traffic of the three-tier example, large
//! transfers with offloads included, and leaves nothing; as a normal user (`vpclab-ci`, made
//! with `useradd` when missing, commands run through `runuser`), `up`, `exec`, `capture`,
//! `status` and `down` work through a user namespace and leave no process, namespace or state.

use crate::common::netns::*;
use crate::common::require::{self, Tool, CURL, NC, PING};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

/// The dedicated user the rootless test runs as (a system user without a home or shell).
pub(crate) const CI_USER: &str = "vpclab-ci";
/// `runuser` (util-linux): runs a command as another user, from root, without a password.
pub(crate) const RUNUSER: Tool = Tool {
    command: "runuser",
    package: "util-linux",
};
/// `useradd` (passwd): makes [`CI_USER`] when it is missing.
pub(crate) const USERADD: Tool = Tool {
    command: "useradd",
    package: "passwd",
};

/// `vpclab up --detach FILE` with the link type forced to veth, asserting success.
fn up_veth(t: &Topo) {
    let o = vpclab()
        .args(["up", "--detach"])
        .arg(&t.file)
        .env("VPCLAB_LINK", "veth")
        .output()
        .expect("run vpclab up");
    assert!(
        o.status.success(),
        "up (veth) failed: {}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
#[ignore = "needs root, curl and nc: run the README's test command (scripts/test.sh)"]
fn veth_link_carries_the_three_tier_traffic_and_leaves_nothing() {
    require::netns(&[CURL, NC]);
    let t = Topo::new("nvth", THREE_TIER);
    up_veth(&t);
    let dir = Path::new("/run/vpclab").join(&t.name);
    assert_eq!(
        std::fs::read_to_string(dir.join("link")).unwrap_or_default(),
        "veth\n",
        "the state records the link type"
    );
    let mut nss = namespaces_of(&t.name);
    nss.sort();
    assert!(
        nss.contains(&vpclab::backend::netns::link::engine_ns(&t.name)),
        "the engine namespace holds the far ends: {nss:?}"
    );
    assert_eq!(nss.len(), 5, "four hosts and the engine: {nss:?}");
    let link = stdout(&t.exec("web", &["ip", "-o", "link", "show", "dev", "eth0"]));
    assert!(
        link.contains("eth0@if") && link.contains("mtu 9001"),
        "eth0 is a veth end at 9001: {link}"
    );

    // The internet reaches web on its public IP; app reaches db; web does not (the NACL).
    let o = t.exec(
        "client",
        &["curl", "-s", "-m", "10", "http://203.0.113.11/"],
    );
    assert_eq!(
        stdout(&o),
        "web\n",
        "curl: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let ok = t.exec("app", &["nc", "-z", "-w", "5", "10.0.2.4", "5432"]);
    assert_eq!(ok.status.code(), Some(0), "app → db:5432");
    let no = t.exec("web", &["nc", "-z", "-w", "3", "10.0.2.4", "5432"]);
    assert_ne!(no.status.code(), Some(0), "web → db:5432 must be blocked");

    // Segments larger than the MTU, both ways, through the IGW and the NAT gateway.
    crate::offload::transfer(&t, "web", "client", "198.51.100.10");
    crate::offload::transfer(&t, "app", "client", "198.51.100.10");

    let o = vpclab().args(["down", &t.name]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(namespaces_of(&t.name).is_empty(), "namespaces left");
    assert!(!dir.exists(), "state dir left");
}

/// The uid of [`CI_USER`], made first when missing.
pub(crate) fn ci_uid() -> u32 {
    let id = |_: ()| Command::new("id").args(["-u", CI_USER]).output();
    let o = id(()).expect("run id");
    if !o.status.success() {
        let made = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                CI_USER,
            ])
            .status()
            .expect("run useradd");
        assert!(made.success(), "useradd {CI_USER} failed");
    }
    let o = id(()).expect("run id");
    stdout(&o).trim().parse().expect("a uid")
}

/// Runs the vpclab under test as [`CI_USER`] with `args`, in `cwd`, with the environment a
/// login would give it for vpclab (no XDG_RUNTIME_DIR from root: the state goes to
/// /tmp/vpclab-UID; no forced link type or state folder).
fn as_user(cwd: &Path, args: &[&str]) -> Output {
    as_user_with(cwd, args, &[])
}

/// [`as_user`] with more environment variables.
pub(crate) fn as_user_with(cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    Command::new("runuser")
        .args(["-u", CI_USER, "--", env!("CARGO_BIN_EXE_vpclab")])
        .args(args)
        .current_dir(cwd)
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("VPCLAB_RUN_DIR")
        .env_remove("VPCLAB_LINK")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .output()
        .expect("run runuser")
}

/// Runs `down --force` of the user's topology when dropped, so a failed assertion leaves
/// nothing running as the user.
struct UserDown<'a>(&'a Path, &'a str);

impl Drop for UserDown<'_> {
    fn drop(&mut self) {
        let _ = as_user(self.0, &["down", "--force", self.1]);
    }
}

/// Live processes (not zombies) whose real uid is `uid`.
pub(crate) fn processes_of(uid: u32) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("status")).ok())
        .filter(|s| {
            let field = |k: &str| {
                s.lines()
                    .find(|l| l.starts_with(k))
                    .unwrap_or("")
                    .to_string()
            };
            let uid_ok = field("Uid:").split_whitespace().nth(1) == Some(&uid.to_string());
            uid_ok && !field("State:").contains("zombie")
        })
        .map(|s| s.lines().next().unwrap_or("").to_string())
        .collect()
}

#[test]
#[ignore = "needs root (to make and become the user vpclab-ci), runuser, curl and ping: run the README's test command (scripts/test.sh)"]
fn a_normal_user_runs_up_exec_capture_status_down_in_a_user_namespace() {
    require::netns(&[CURL, NC, PING, RUNUSER, USERADD]);
    let uid = ci_uid();
    let t = Topo::new("nusr", THREE_TIER);
    // The user's own folder for the file and the capture.
    let work = t.file.parent().expect("a folder").to_path_buf();
    std::os::unix::fs::chown(&work, Some(uid), None).expect("chown the folder");
    std::fs::set_permissions(&work, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&t.file, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(
        processes_of(uid).is_empty(),
        "{CI_USER} runs nothing before the test: {:?}",
        processes_of(uid)
    );
    let file = t.file.to_str().expect("a UTF-8 path");
    let err = |o: &Output| String::from_utf8_lossy(&o.stderr).to_string();

    let _guard = UserDown(&work, &t.name);
    let o = as_user(&work, &["up", "--detach", file]);
    assert!(
        o.status.success(),
        "up as {CI_USER}: {}{}",
        stdout(&o),
        err(&o)
    );
    assert!(err(&o).contains("in a user namespace"), "{}", err(&o));
    let state = std::path::PathBuf::from(format!("/tmp/vpclab-{uid}/{}", t.name));
    assert_eq!(
        std::fs::read_to_string(state.join("link")).unwrap_or_default(),
        "veth\n",
        "/dev/net/tun is root's here, so the hosts are on veth pairs"
    );
    // Nothing of it in the machine's namespaces or state.
    assert!(
        namespaces_of(&t.name).is_empty(),
        "no namespace in /run/netns"
    );
    assert!(!Path::new("/run/vpclab").join(&t.name).exists());

    let o = as_user(
        &work,
        &[
            "exec",
            "--name",
            &t.name,
            "client",
            "--",
            "curl",
            "-s",
            "-m",
            "10",
            "http://203.0.113.11/",
        ],
    );
    assert_eq!(stdout(&o), "web\n", "curl as {CI_USER}: {}", err(&o));
    let o = as_user(
        &work,
        &[
            "exec",
            "--name",
            &t.name,
            "app",
            "--",
            "ping",
            "-c",
            "1",
            "-W",
            "5",
            "198.51.100.10",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "ping through the NAT gateway: {}{}",
        stdout(&o),
        err(&o)
    );
    let o = as_user(
        &work,
        &[
            "exec", "--name", &t.name, "web", "--", "nc", "-z", "-w", "3", "10.0.2.4", "5432",
        ],
    );
    assert_ne!(o.status.code(), Some(0), "web → db:5432 stays blocked");
    let o = as_user(
        &work,
        &["exec", "--name", &t.name, "app", "--", "sh", "-c", "exit 7"],
    );
    assert_eq!(o.status.code(), Some(7), "exit codes pass through");

    let o = as_user(&work, &["status", &t.name, "--json"]);
    assert!(o.status.success(), "status: {}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("status --json is JSON");
    assert_eq!(v["topologies"][0]["state"], "running");

    // A capture of web while the client fetches its page again.
    let cap = std::thread::spawn({
        let (work, name) = (work.clone(), t.name.clone());
        move || {
            as_user(
                &work,
                &[
                    "capture", "--name", &name, "web", "-c", "4", "-w", "web.pcap",
                ],
            )
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !cap.is_finished() && std::time::Instant::now() < deadline {
        let _ = as_user(
            &work,
            &[
                "exec",
                "--name",
                &t.name,
                "client",
                "--",
                "curl",
                "-s",
                "-m",
                "2",
                "http://203.0.113.11/",
            ],
        );
    }
    let o = cap.join().expect("capture thread");
    assert!(o.status.success(), "capture as {CI_USER}: {}", err(&o));
    let pcap = std::fs::metadata(work.join("web.pcap")).expect("the capture file");
    assert!(pcap.len() > 100, "4 packets captured: {} bytes", pcap.len());

    let o = as_user(&work, &["down", &t.name]);
    assert!(o.status.success(), "down as {CI_USER}: {}", err(&o));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !processes_of(uid).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        processes_of(uid).is_empty(),
        "processes left: {:?}",
        processes_of(uid)
    );
    assert!(!state.exists(), "state left in {}", state.display());
    assert!(namespaces_of(&t.name).is_empty(), "namespaces left");
}
