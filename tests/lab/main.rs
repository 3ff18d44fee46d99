//! Guided labs: every lab's files and checks, and the `lab` command.

#[path = "../common/mod.rs"]
mod common;

mod all;
mod imported;
mod install;
mod picture;
mod runner;
mod strict;
mod user_files;
mod views;
mod wrong;
