//! The topology file format: the YAML structs (`spec`), loading with positions (`load`), the
//! bounded reader of every user-named file (`input`),
//! diagnostics (`diag`), the vocabulary of values (`parse`, `records`, `regions`,
//! `flowlog_fields`) and validation of the file as written (`validate`). The lowest layer
//! (rank 0): it imports no other module of the crate, and `model::build` starts from its
//! validated `Topology`.

pub mod aws_services;
pub mod diag;
pub mod explain;
pub mod flowlog_fields;
pub mod input;
pub mod ipv6;
pub mod load;
pub mod load_balancer;
pub mod parse;
pub mod records;
pub mod regions;
pub mod short_form;
pub mod span;
pub mod spec;
pub mod spec_endpoints;
pub mod strict;
pub mod transit;
pub mod validate;

pub use diag::{Diagnostic, Report, Severity};
pub use load::{load, parse_str};
pub use span::{Loc, NamedMap, Sp, Word};
pub use spec::Topology;
