//! `vpclab validate FILE... [--json]`: load, validate and resolve each file; print errors and
//! warnings as `FILE:LINE:COL: error: ...` with a hint line; exit 0 or 2.

use super::{common, CmdResult, ValidateArgs};
use serde::Serialize;
use vpclab::topology::{Report, Severity};

/// One finding in `--json` output.
#[derive(Serialize)]
struct JsonDiag<'a> {
    severity: Severity,
    line: u32,
    column: u32,
    message: &'a str,
    hint: Option<&'a str>,
}

/// One file in `--json` output.
#[derive(Serialize)]
struct JsonFile<'a> {
    file: &'a str,
    ok: bool,
    diagnostics: Vec<JsonDiag<'a>>,
}

/// Validates each file; prints diagnostics; exit 2 when any file has errors.
pub fn run(a: &ValidateArgs) -> CmdResult {
    let reports: Vec<Report> = a.files.iter().map(|f| vpclab::load::check(f)).collect();
    let worst = if reports.iter().any(Report::has_errors) {
        common::EXIT_INPUT
    } else {
        common::EXIT_OK
    };
    if a.json {
        let files: Vec<JsonFile> = reports
            .iter()
            .map(|r| JsonFile {
                file: &r.file,
                ok: !r.has_errors(),
                diagnostics: r
                    .items
                    .iter()
                    .map(|d| JsonDiag {
                        severity: d.severity,
                        line: d.loc.line,
                        column: d.loc.col,
                        message: &d.message,
                        hint: d.hint.as_deref(),
                    })
                    .collect(),
            })
            .collect();
        common::print_json(&serde_json::json!({ "ok": worst == common::EXIT_OK, "files": files }))?;
        return Ok(worst);
    }
    for r in &reports {
        if !r.items.is_empty() {
            eprintln!("{r}");
        }
        if !r.has_errors() {
            println!("{}: ok", r.file);
        }
    }
    Ok(worst)
}
