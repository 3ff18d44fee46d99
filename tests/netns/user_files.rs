//! What root writes for a running topology (docs/security.md): the state directory is its
//! owner's only (0700, files 0600); the daemon does not write a flow log through a symbolic
//! link; `capture -w` does not write through one.

use crate::common::netns::{vpclab, Topo, THREE_TIER};
use crate::common::require;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const PRECIOUS: &str = "precious\n";

const FLOW_LOG: &str = "
flow_logs:
  - { resource: vpc:main, traffic: ALL, format: aws, path: flows/main.log }
";

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn state_is_private_and_links_are_not_followed() {
    require::netns(&[]);
    let t = Topo::new("lfile", &format!("{THREE_TIER}{FLOW_LOG}"));
    let victim_dir = tempfile::tempdir().unwrap();
    let victim = victim_dir.path().join("victim");
    std::fs::write(&victim, PRECIOUS).unwrap();
    let flows = t.file.parent().unwrap().join("flows");
    std::fs::create_dir(&flows).unwrap();
    std::os::unix::fs::symlink(&victim, flows.join("main.log")).unwrap();
    t.up();

    // The flow log was refused (the daemon runs without it and says why in its log).
    let state = vpclab::backend::netns::state::StateDir::of(&t.name);
    let log = std::fs::read_to_string(state.file("daemon.log")).unwrap();
    assert!(
        log.contains("flows/main.log") && log.contains("symbolic link"),
        "daemon.log: {log}"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), PRECIOUS);

    // `capture -w LINK` refuses before reading a packet.
    let link = victim_dir.path().join("web.pcapng");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = vpclab()
        .args(["capture", "web", "--name", &t.name, "-c", "1", "-w"])
        .arg(&link)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), PRECIOUS);

    // Readable by their owner only.
    assert_eq!(mode(&state.path), 0o700, "{}", state.path.display());
    let mut seen = Vec::new();
    for e in std::fs::read_dir(&state.path).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        // The control socket's mode is the listener's (the folder's 0700 keeps it private).
        if name == "ctl.sock" {
            continue;
        }
        assert_eq!(mode(&p), 0o600, "{}", p.display());
        seen.push(name);
    }
    for f in [
        "pid",
        "backend",
        "topology.yaml",
        "namespaces",
        "pids",
        "daemon.log",
    ] {
        assert!(seen.iter().any(|s| s == f), "{f} in {seen:?}");
    }
}
