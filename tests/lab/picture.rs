//! `lab show`'s picture, pinned: lab 12's starting file (the reply blocked on the way back)
//! and its wrong answer that bypasses the NAT gateway, as text and SVG, against
//! `tests/snapshots/lab/` (VPCLAB_UPDATE_SNAPSHOTS=1 rewrites them; check the diff by eye).

use std::path::Path;
use vpclab::lab::checks::run_checks;
use vpclab::lab::format::Check;
use vpclab::lab::{list_labs, picture};

fn compare(name: &str, got: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("tests/snapshots/lab").join(name);
    if std::env::var_os("VPCLAB_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (VPCLAB_UPDATE_SNAPSHOTS=1 creates it)",
            path.display()
        )
    });
    assert_eq!(want, got, "{} differs", path.display());
}

#[test]
fn lab_show_pictures_match_their_snapshots() {
    let labs = list_labs().unwrap();
    let lab = labs.iter().find(|l| l.id.value == "12-capstone").unwrap();
    let checks: Vec<Check> = lab.steps[0]
        .checks
        .iter()
        .map(|c| c.value.clone())
        .collect();
    for file in ["start.yaml", "wrong-1-app-public-ip.yaml"] {
        let f = lab.dir.join(file);
        let net = vpclab::load::load(&f).unwrap().network;
        let results = run_checks(&f, &checks);
        let chosen = picture::chosen(&results);
        assert!(
            chosen.is_some_and(|c| c.outcome.failed()),
            "{file}: a failing check is drawn"
        );
        let title = format!("Lab 12-capstone: {file}");
        let text = picture::text(&title, &net, chosen);
        assert!(
            text.contains("✗"),
            "{file}: the blocker or the failing check is marked\n{text}"
        );
        let stem = file.trim_end_matches(".yaml");
        compare(&format!("12-capstone-{stem}.txt"), &text);
        compare(
            &format!("12-capstone-{stem}.svg"),
            &picture::svg(&title, &net, chosen),
        );
    }
}
