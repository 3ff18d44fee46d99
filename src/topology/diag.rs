//! Diagnostics (part of `topology`, rank 0, used by every layer that reports on the file): an
//! error or warning tied to a place in a topology file, printed as
//! `FILE:LINE:COL: error: MESSAGE` followed by a `hint:` line.

use super::span::Loc;
use std::fmt;

/// How bad a diagnostic is (serialized as `error` / `warning`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The topology cannot be used: `vpclab validate` and every command that loads it fail.
    Error,
    /// Printed, but the topology is still used.
    Warning,
}

/// One finding about a topology file.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Diagnostic {
    /// Whether it stops the load.
    pub severity: Severity,
    /// Where it is in the file; line 0 (not from the file) is printed as 1:1. Not serialized.
    #[serde(skip)]
    pub loc: Loc,
    /// What is wrong, one line without the file name or severity.
    pub message: String,
    /// How to fix it; None when the hint given was empty.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `loc`; an empty `hint` means no hint line.
    pub fn error(loc: Loc, message: impl Into<String>, hint: impl Into<String>) -> Self {
        let hint = hint.into();
        Diagnostic {
            severity: Severity::Error,
            loc,
            message: message.into(),
            hint: (!hint.is_empty()).then_some(hint),
        }
    }
    /// A warning at `loc`; an empty `hint` means no hint line.
    pub fn warning(loc: Loc, message: impl Into<String>, hint: impl Into<String>) -> Self {
        let mut d = Self::error(loc, message, hint);
        d.severity = Severity::Warning;
        d
    }
    /// Renders with the file name: `FILE:LINE:COL: error: MESSAGE\n  hint: HINT`.
    pub fn render(&self, file: &str) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut s = format!("{file}:{}: {sev}: {}", self.loc, self.message);
        if let Some(h) = &self.hint {
            s.push_str("\n  hint: ");
            s.push_str(h);
        }
        s
    }
}

/// Every finding about one file, errors and warnings, in file order.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The file's path as given by the user, printed before every finding.
    pub file: String,
    /// The findings, in the order they were added (`sort` puts them in file order).
    pub items: Vec<Diagnostic>,
}

impl Report {
    /// An empty report for `file`.
    pub fn new(file: impl Into<String>) -> Self {
        Report {
            file: file.into(),
            items: Vec::new(),
        }
    }
    /// Adds an error at `loc` (an empty `hint` means none).
    pub fn error(&mut self, loc: Loc, message: impl Into<String>, hint: impl Into<String>) {
        self.items.push(Diagnostic::error(loc, message, hint));
    }
    /// Adds a warning at `loc` (an empty `hint` means none).
    pub fn warning(&mut self, loc: Loc, message: impl Into<String>, hint: impl Into<String>) {
        self.items.push(Diagnostic::warning(loc, message, hint));
    }
    /// True when there is at least one error (warnings alone do not stop a load).
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }
    /// The errors only, in `items` order.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity == Severity::Error)
    }
    /// The warnings only, in `items` order.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
    /// Sorts by position (stable), so output follows the file.
    pub fn sort(&mut self) {
        self.items.sort_by_key(|d| d.loc);
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            f.write_str(&d.render(&self.file))?;
        }
        Ok(())
    }
}

impl std::error::Error for Report {}
