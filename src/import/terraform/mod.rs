//! `vpclab import terraform`: Terraform's JSON (a state or plan from `terraform show -json`, or
//! a raw `terraform.tfstate`) read ([`shape`], [`config`], [`address`]), its references
//! resolved ([`resolve`]), and mapped onto the topology document (`map`, [`kinds`]).

pub mod address;
pub mod config;
pub mod kinds;
mod map;
pub mod resolve;
pub mod shape;
pub mod values;

use super::{names, ImportError, Imported};
use shape::ReadError;
use std::path::Path;

/// Imports the Terraform JSON `text` read from `file`; the topology is named `name`, else
/// after the file (`names::topology_name`). Errors: not JSON (with line:col), or none of the
/// three shapes.
pub fn import_text(file: &Path, text: &str, name: Option<&str>) -> Result<Imported, ImportError> {
    let inv = shape::read(text).map_err(|e| match e {
        ReadError::Json {
            line,
            column,
            message,
        } => ImportError::Json {
            file: file.to_path_buf(),
            line,
            column,
            message: match message.rfind(" at line ") {
                Some(at) => message[..at].to_string(),
                None => message,
            },
        },
        ReadError::Shape(m) => ImportError::Input(format!("{}: {m}", file.display())),
    })?;
    let name = name
        .map(str::to_string)
        .unwrap_or_else(|| names::topology_name(file));
    Ok(map::build(&inv, &name))
}

/// Reads `file` (bounded, as every importer) and imports it.
pub fn import(file: &Path, name: Option<&str>) -> Result<Imported, ImportError> {
    let text = super::read_input(file)?;
    import_text(file, &text, name)
}
