//! `vpclab exec NAME -- CMD` passes a shell's exit codes through (root, netns backend): a
//! command that does not exist exits 127, one that is not executable 126, and anything else
//! exits with the command's own code.

use crate::common::netns::Topo;
use crate::common::require;
use std::os::unix::fs::PermissionsExt;

const ONE: &str = "name: x\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    subnets:\n      s: { cidr: 10.0.0.0/24 }\n    instances:\n      a: { subnet: s, ip: 10.0.0.10 }\n";

#[test]
#[ignore = "needs root: run the README's test command (scripts/test.sh)"]
fn netns_exec_passes_126_and_127_through() {
    require::netns(&[]);
    let t = Topo::new("execrc", ONE);
    t.up();

    let o = t.exec("a", &["vpclab-no-such-command-9z"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(127), "missing command: {err}");
    assert!(err.contains("vpclab-no-such-command-9z"), "{err}");
    assert!(err.contains("not found"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("not-exec.sh");
    std::fs::write(&f, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = t.exec("a", &[f.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(126), "not executable: {err}");

    let o = t.exec("a", &[dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(126), "a directory");

    let o = t.exec("a", &["./vpclab-no-such-relative-9z"]);
    assert_eq!(o.status.code(), Some(127), "a missing path");

    let o = t.exec("a", &["sh", "-c", "exit 7"]);
    assert_eq!(o.status.code(), Some(7), "the command's own code");
}
