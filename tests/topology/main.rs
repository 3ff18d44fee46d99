//! The topology file: every example validates, malformed files fail with the right diagnostic,
//! and random edits never panic the parser or validator.

#[path = "../common/mod.rs"]
mod common;

mod examples;
mod fuzz;
mod malformed;
