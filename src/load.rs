//! The one loading pipeline everyone calls (CLI, lab runner, backends): read the file, validate
//! it as written, build the model, lint the model. Rank 5: it may use `dns`, `flowlog`,
//! `policy` and below (the lints ask policy); the backends, labs and CLI call it. Nothing here
//! prints or picks exit codes.

pub mod lint;

pub use lint::lint;

use crate::model::{self, Network};
use crate::topology::{self, Report};
use std::path::Path;

/// A topology that loaded: the resolved, validated network and the warnings found on the way
/// (validation warnings and lints, sorted by position, `file` set to the path as given).
#[derive(Debug)]
pub struct Loaded {
    /// The resolved network, built and linted without error.
    pub network: Network,
    /// Every warning; never holds an error.
    pub warnings: Report,
}

/// Loads, validates, resolves and lints `path`. `Err` carries every error (sorted, with the
/// warnings found before the first failing stage) as soon as a stage fails: the lints only run
/// on a network that built.
pub fn load(path: &Path) -> Result<Loaded, Report> {
    let file = path.display().to_string();
    let t = topology::load(path)?;
    resolve(&t, file)
}

/// `load` of text already read (the daemon's `apply`, which reads the file once, bounded, and
/// keeps those bytes); `file` names it in diagnostics.
pub fn load_str(file: &str, text: &str) -> Result<Loaded, Report> {
    let t = topology::parse_str(file, text)?;
    resolve(&t, file.to_string())
}

/// The stages after parsing: validation, the model, the lints.
fn resolve(t: &topology::Topology, file: String) -> Result<Loaded, Report> {
    let mut report = topology::validate::validate(t, &file);
    if report.has_errors() {
        report.sort();
        return Err(report);
    }
    let network = model::build(t, &file)?;
    report.items.extend(lint(&network).items);
    report.file = file;
    report.sort();
    Ok(Loaded {
        network,
        warnings: report,
    })
}

/// Every diagnostic of `path` (what `vpclab validate` prints): loading, validation, then the
/// model builder's errors or, when it built, the lints. Never fails: a file that cannot be read
/// is a report with that error.
pub fn check(path: &Path) -> Report {
    let file = path.display().to_string();
    let t = match topology::load(path) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let mut report = topology::validate::validate(&t, &file);
    if !report.has_errors() {
        match model::build(&t, &file) {
            Ok(net) => report.items.extend(lint(&net).items),
            Err(r) => report.items.extend(r.items),
        }
    }
    report.file = file;
    report.sort();
    report
}
