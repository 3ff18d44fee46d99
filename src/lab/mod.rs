//! Guided labs: the lab format (`format`), where labs live (`catalog`), the learner's progress
//! (`progress`), running a step's checks (`checks`) through one adapter file (`adapters`) that
//! connects them to the analyzer, the packet engine, DNS and flow logs, and what a live lab's
//! `dns` checks ask the real resolver with (`dig`). Rank 8, the top of
//! the library: it may use everything below, backends included; only the CLI uses it.

pub mod adapters;
pub mod catalog;
pub mod checks;
pub mod diff;
pub mod dig;
pub mod format;
pub mod intent;
pub mod intent_spec;
pub mod picture;
pub mod progress;

pub use catalog::{find_lab, labs_dir, list_labs};
pub use checks::{run_checks, CheckOutcome, CheckResult};
pub use format::{Check, Lab, Step};
pub use progress::Progress;
