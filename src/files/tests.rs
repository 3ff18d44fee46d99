//! The rule of `files`, case by case, in a temporary folder. Another user is simulated by a
//! writer acting for a uid that owns nothing here.

use super::{Refused, Requester, Writer};
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::Path;

/// A writer for the user running the tests, whatever sudo's variables say.
fn mine() -> Writer {
    let mut w = Writer::for_requester();
    w.owner = Requester::process();
    w.give = false;
    w
}

/// A writer for a user that is not the one running the tests (so our own files and links look
/// like another user's).
fn for_someone_else() -> Writer {
    let mut w = mine();
    w.owner = Requester {
        uid: Requester::process().uid.wrapping_add(4242),
        gid: 4242,
    };
    w.give = false;
    w
}

fn refused(r: std::io::Result<impl std::fmt::Debug>) -> Refused {
    let e = r.expect_err("refused");
    assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied, "{e}");
    e.into_inner()
        .and_then(|b| b.downcast::<Refused>().ok())
        .map(|b| *b)
        .expect("a Refused error")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn new_files_are_made_and_own_files_truncated_or_appended() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("a.log");
    let w = mine();
    w.write(&f, "first\n").unwrap();
    w.write(&f, "second\n").unwrap();
    assert_eq!(read(&f), "second\n");
    use std::io::Write;
    w.append(&f).unwrap().write_all(b"third\n").unwrap();
    assert_eq!(read(&f), "second\nthird\n");
}

#[test]
fn a_link_as_the_file_is_refused_and_its_target_untouched() {
    let d = tempfile::tempdir().unwrap();
    let victim = d.path().join("victim");
    std::fs::write(&victim, "keep").unwrap();
    let link = d.path().join("out.log");
    symlink(&victim, &link).unwrap();
    for w in [mine(), Writer::private()] {
        assert_eq!(refused(w.create(&link)), Refused::Link);
        assert_eq!(refused(w.append(&link)), Refused::Link);
    }
    assert_eq!(read(&victim), "keep");
    // Dangling: the target is not made.
    let dangling = d.path().join("dangling");
    symlink(d.path().join("nowhere"), &dangling).unwrap();
    assert_eq!(refused(mine().create(&dangling)), Refused::Link);
    assert!(!d.path().join("nowhere").exists());
}

#[test]
fn hard_links_pipes_and_folders_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let victim = d.path().join("victim");
    std::fs::write(&victim, "keep").unwrap();
    let second = d.path().join("second");
    std::fs::hard_link(&victim, &second).unwrap();
    let w = mine();
    assert_eq!(refused(w.create(&second)), Refused::HardLinks(2));
    assert_eq!(read(&victim), "keep");
    let fifo = d.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    assert_eq!(
        refused(w.create(&fifo)),
        Refused::NotRegular("a named pipe")
    );
    assert_eq!(refused(w.create(d.path())), Refused::NotRegular("a folder"));
}

#[test]
fn the_kernels_sinks_may_be_written() {
    let w = mine();
    w.write(Path::new("/dev/null"), "gone").unwrap();
    let e = w.write(Path::new("/dev/full"), "x").unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
}

#[test]
fn another_users_files_and_links_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let theirs = d.path().join("theirs.log");
    std::fs::write(&theirs, "keep").unwrap();
    let w = for_someone_else();
    assert!(matches!(refused(w.create(&theirs)), Refused::Owner { .. }));
    assert_eq!(read(&theirs), "keep");
    // A folder linked by them: not followed, nothing made behind it.
    let real = d.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let linked = d.path().join("linked");
    symlink(&real, &linked).unwrap();
    if Requester::process().uid == 0 {
        // Root's links are trusted: give this one to another user, as theirs would be.
        let c = std::ffi::CString::new(linked.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; lchown does not follow the link.
        assert_eq!(unsafe { libc::lchown(c.as_ptr(), 65534, 65534) }, 0);
    }
    let r = refused(w.create(&linked.join("x.log")));
    assert!(
        matches!(&r, Refused::ForeignLink { path, .. } if path.ends_with("linked")),
        "{r:?}"
    );
    assert!(!real.join("x.log").exists());
    // Ours are followed.
    let ours = d.path().join("ours");
    symlink(&real, &ours).unwrap();
    mine().write(&ours.join("x.log"), "ok").unwrap();
    assert_eq!(read(&real.join("x.log")), "ok");
}

#[test]
fn links_to_links_and_dot_dot_resolve_as_the_kernel_does() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("a/b")).unwrap();
    symlink("a/b", d.path().join("l1")).unwrap();
    symlink("l1", d.path().join("l2")).unwrap();
    let w = mine();
    w.write(&d.path().join("l2/../c.log"), "x").unwrap();
    // `..` is taken from the link's target (a/b/.. is a), as the kernel does.
    assert_eq!(read(&d.path().join("a/c.log")), "x");
    // A loop ends.
    symlink("loop", d.path().join("loop")).unwrap();
    let e = w.create(&d.path().join("loop/x")).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ELOOP), "{e}");
}

#[test]
fn parents_are_made_only_when_asked() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("x/y/z.log");
    let e = mine().create(&f).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    mine().with_parents().write(&f, "z").unwrap();
    assert_eq!(read(&f), "z");
    // A file where a folder belongs.
    let r = refused(mine().with_parents().create(&f.join("w")));
    assert!(matches!(r, Refused::NotFolder(_)), "{r:?}");
}

#[test]
fn private_state_is_its_owners_only() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("run/topo");
    let w = Writer::private();
    w.dir(&dir).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    assert_eq!((mode(&d.path().join("run")), mode(&dir)), (0o700, 0o700));
    w.write(&dir.join("pid"), "1\n").unwrap();
    w.append(&dir.join("pids")).unwrap();
    assert_eq!(
        (mode(&dir.join("pid")), mode(&dir.join("pids"))),
        (0o600, 0o600)
    );
    // Wider modes left by an older run are narrowed.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let old = dir.join("old.log");
    std::fs::write(&old, "x").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    w.dir(&dir).unwrap();
    w.append(&old).unwrap();
    assert_eq!((mode(&dir), mode(&old)), (0o700, 0o600));
    assert_eq!(read(&old), "x", "append keeps the contents");
    // Copies take the writer's mode, not the source's.
    w.copy(&old, &dir.join("copy")).unwrap();
    assert_eq!(mode(&dir.join("copy")), 0o600);
    assert_eq!(
        std::fs::metadata(&dir).unwrap().uid(),
        Requester::process().uid
    );
}
