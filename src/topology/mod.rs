//! The topology file format: the YAML structs (`spec`), loading with positions (`load`),
//! diagnostics (`diag`) and validation (`validate`).

pub mod diag;
pub mod load;
pub mod parse;
pub mod span;
pub mod spec;
pub mod validate;

pub use diag::{Diagnostic, Report, Severity};
pub use load::{load, parse_str};
pub use span::{Loc, NamedMap, Sp, Word};
pub use spec::Topology;
