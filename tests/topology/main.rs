//! The topology file: every example validates, malformed files fail with the right diagnostic,
//! random edits never panic the parser or validator, and files over the size cap or not regular
//! (FIFOs, devices) are refused before they are read.

#[path = "../common/mod.rs"]
mod common;

mod bounded;
mod endpoints;
mod examples;
mod fuzz;
mod import_keys;
mod ipv6;
mod malformed;
mod transit_format;
