//! Fuzzes `vpclab import terraform` on any bytes: the reader of the three Terraform JSON shapes,
//! reference resolution and the mapping must never panic, and whatever they write must be a
//! topology that validates or fails with diagnostics (never a panic of the loader either).
//! Run: `cd fuzz && cargo fuzz run import_terraform` (seed it with the corpus plans:
//! `cargo fuzz run import_terraform ../../shared/corpus/terraform`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(imported) = vpclab::import::terraform::import_text(Path::new("f.json"), text, Some("fz"))
    else {
        return;
    };
    let _ = imported.report.to_text();
    if let Ok(y) = vpclab::import::yaml::to_yaml(&imported.doc, "fuzz") {
        let _ = vpclab::load::load_str("f.yaml", &y);
    }
});
