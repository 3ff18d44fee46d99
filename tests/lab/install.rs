//! `scripts/install.sh`, the README's step that puts `vpclab` on the PATH: into a user folder
//! and (as root) a system folder, both temporary here; `vpclab` then runs by name, and without
//! either folder on the PATH the script exits 1 saying what to add.

use std::path::Path;
use std::process::{Command, Output};

fn install(user: &Path, system: &Path, path: &str, extra: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new("bash")
        .arg(root.join("scripts/install.sh"))
        .args(["--binary", env!("CARGO_BIN_EXE_vpclab")])
        .args(extra)
        .env("VPCLAB_USER_BIN", user)
        .env("VPCLAB_SYSTEM_BIN", system)
        .env("PATH", path)
        .output()
        .expect("run install.sh")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn install_puts_vpclab_on_the_path_and_says_when_it_cannot() {
    let d = tempfile::tempdir().unwrap();
    let (user, system) = (d.path().join("user"), d.path().join("system"));
    // SAFETY: geteuid has no preconditions and cannot fail.
    let is_root = unsafe { libc::geteuid() } == 0;
    // As root the system folder is written directly; a normal user skips sudo here.
    let extra: &[&str] = if is_root { &[] } else { &["--user-only"] };
    let dir = if is_root { &system } else { &user };
    let path = format!("{}:/usr/bin:/bin", dir.display());
    let o = install(&user, &system, &path, extra);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(user.join("vpclab").is_file(), "{}", text(&o));
    assert_eq!(system.join("vpclab").is_file(), is_root, "{}", text(&o));
    let v = Command::new("vpclab")
        .arg("--version")
        .env("PATH", &path)
        .output()
        .expect("vpclab runs by name");
    assert!(v.status.success(), "{}", text(&v));
    assert!(text(&v).contains("vpclab"), "{}", text(&v));

    // Neither folder on the PATH: exit 1, naming the line to add.
    let o = install(&user, &system, "/usr/bin:/bin", &["--user-only"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("export PATH="), "{}", text(&o));
}
