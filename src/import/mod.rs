//! `vpclab import`: topologies built from what AWS and Terraform say about a real network
//! (`docs/import.md`). Rank 5, beside `load` (a sibling, so it does not call it): it uses
//! `topology` for reading files bounded. The pieces every importer shares: [`doc`] (the
//! typed output document), [`names`] (AWS tags and ids → format names), [`report`] (what was
//! not imported as it was) and [`yaml`] (the writer), and [`ids::check_ids`] (the last pass: every
//! `aws_id` well-formed and unique). Importers: [`aws`] (`describe-*` JSON), [`terraform`]
//! (Terraform's JSON).
//! Nothing here prints or picks exit codes.

pub mod aws;
pub mod doc;
pub mod doc_endpoints;
pub mod doc_ipv6;
pub mod doc_lb;
pub mod doc_transit;
pub mod ids;
pub mod names;
pub mod onprem;
pub mod report;
pub mod terraform;
pub mod yaml;

use crate::topology::input::{read_bounded_text, InputError};
use serde::de::DeserializeOwned;
use std::fmt;
use std::path::{Path, PathBuf};

/// The largest input file an importer reads (bytes).
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// What an import produced: the document and the report of what it left out or changed.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The topology.
    pub doc: doc::Document,
    /// Everything not imported as it was.
    pub report: report::Report,
}

/// Why an import could not run at all (the CLI exits 2 with it).
#[derive(Debug)]
pub enum ImportError {
    /// A file or folder could not be read.
    Read(InputError),
    /// A file is not JSON, or not of the shape its top-level key promises: where and why.
    Json {
        /// The file.
        file: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's message, without its position.
        message: String,
    },
    /// Something else about the input as a whole (no file found, too many files, ...).
    Input(String),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Read(e) => write!(f, "{e}"),
            ImportError::Json {
                file,
                line,
                column,
                message,
            } => write!(f, "{}:{line}:{column}: {message}", file.display()),
            ImportError::Input(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ImportError {}

impl From<InputError> for ImportError {
    fn from(e: InputError) -> Self {
        ImportError::Read(e)
    }
}

/// serde_json's error as an [`ImportError::Json`] of `file` (its message without the
/// trailing ` at line L column C`, which the error names itself).
pub fn json_error(file: &Path, e: &serde_json::Error) -> ImportError {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(at) => full[..at].to_string(),
        None => full,
    };
    ImportError::Json {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// `text` (the contents of `file`) as a `T`; an error names the file and line:col.
pub fn parse_json<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T, ImportError> {
    serde_json::from_str(text).map_err(|e| json_error(file, &e))
}

/// Reads a user-named input file, bounded by [`MAX_INPUT_BYTES`] (regular files only).
pub fn read_input(path: &Path) -> Result<String, ImportError> {
    Ok(read_bounded_text(path, MAX_INPUT_BYTES)?)
}
