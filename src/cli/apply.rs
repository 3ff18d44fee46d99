//! `vpclab apply FILE`: validates a changed topology and swaps it into the running engine, all
//! or nothing: exit 2 for a malformed file, 3 for a flow-log path the daemon cannot write (or
//! no running engine), and the running topology unchanged either way.

use super::common::{load_network, CmdResult, Fail, EXIT_OK};
use super::ApplyArgs;
use std::time::Duration;
use vpclab::backend::netns::control::apply_file;
use vpclab::backend::netns::state::StateDir;

/// Runs `apply`.
pub fn run(a: &ApplyArgs) -> CmdResult {
    let net = load_network(&a.file)?;
    let dir = StateDir::of(&net.name);
    if dir.live_pid().is_none() {
        return Err(Fail::env(format!(
            "topology {} is not running\nhint: `vpclab up {}`",
            net.name,
            a.file.display()
        )));
    }
    let file = std::fs::canonicalize(&a.file)
        .map_err(|e| Fail::input(format!("{}: {e}", a.file.display())))?;
    // The file is opened here, as the user who runs `apply`, and its descriptor passed: the
    // daemon reads what its client can read and nothing else.
    let v = apply_file(&dir.ctl_sock(), &file, Duration::from_secs(60))
        .map_err(|e| Fail::env(format!("the engine of {} does not answer: {e}", net.name)))?;
    if v["ok"] == serde_json::Value::Bool(true) {
        eprintln!("applied {} to {}", a.file.display(), net.name);
        Ok(EXIT_OK)
    } else {
        Err(Fail {
            code: v["code"].as_i64().map(|c| c as i32).unwrap_or(2),
            msg: v["error"].as_str().unwrap_or("apply failed").to_string(),
        })
    }
}
