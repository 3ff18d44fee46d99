//! What every command shares: exit codes, loading a topology into a model with diagnostics.

use std::path::Path;
use vpclab::model::Network;
use vpclab::topology::Report;

/// Exit code: the answer is yes / success.
pub const EXIT_OK: i32 = 0;
/// Exit code: the answer is no (not reachable, blocked, failing checks).
pub const EXIT_NO: i32 = 1;
/// Exit code: bad input or usage.
pub const EXIT_INPUT: i32 = 2;
/// Exit code: environment (privilege, missing tool, stale state).
pub const EXIT_ENV: i32 = 3;

/// A command's failure: an exit code and a message for stderr.
#[derive(Debug)]
pub struct Fail {
    /// Exit code (2 input, 3 environment, 1 other).
    pub code: i32,
    /// Message printed on stderr.
    pub msg: String,
}

impl Fail {
    /// Bad input or usage (exit 2).
    pub fn input(msg: impl Into<String>) -> Self {
        Fail {
            code: EXIT_INPUT,
            msg: msg.into(),
        }
    }
    /// Environment problem (exit 3).
    pub fn env(msg: impl Into<String>) -> Self {
        Fail {
            code: EXIT_ENV,
            msg: msg.into(),
        }
    }
    /// Any other failure (exit 1).
    pub fn other(msg: impl Into<String>) -> Self {
        Fail {
            code: EXIT_NO,
            msg: msg.into(),
        }
    }
}

impl From<Report> for Fail {
    fn from(r: Report) -> Self {
        Fail::input(r.to_string())
    }
}

/// A command's result: the exit code to use.
pub type CmdResult = Result<i32, Fail>;

/// Loads, validates and resolves a topology file. Warnings go to stderr; errors become a
/// `Fail` with exit code 2 and every diagnostic.
pub fn load_network(path: &Path) -> Result<Network, Fail> {
    let (net, warnings) = load_network_quiet(path)?;
    if !warnings.items.is_empty() {
        eprintln!("{warnings}");
    }
    Ok(net)
}

/// As `load_network`, returning the warnings instead of printing them (`vpclab::load::load`
/// with its errors as a `Fail`, exit 2).
pub fn load_network_quiet(path: &Path) -> Result<(Network, Report), Fail> {
    let l = vpclab::load::load(path)?;
    Ok((l.network, l.warnings))
}

/// Prints a JSON document on stdout.
pub fn print_json<T: serde::Serialize>(v: &T) -> Result<(), Fail> {
    let s = serde_json::to_string_pretty(v)
        .map_err(|e| Fail::other(format!("cannot encode JSON: {e}")))?;
    println!("{s}");
    Ok(())
}
