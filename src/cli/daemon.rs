//! `vpclab daemon FILE --backend netns` (hidden): the engine process of a topology. `up` runs the
//! same code in the foreground; `up --detach` starts it in its own session. The work itself is
//! `vpclab::backend::netns::daemon`.

use super::common::{load_network, CmdResult, Fail, EXIT_OK};
use super::{BackendArg, DaemonArgs};
use std::path::Path;
use std::sync::Arc;
use vpclab::backend::netns::daemon::{self, DaemonError};
use vpclab::backend::netns::state::StateDir;
use vpclab::model::Network;

/// Runs the hidden `daemon` command.
pub fn run(a: &DaemonArgs) -> CmdResult {
    match a.backend {
        BackendArg::Netns => {
            // SAFETY: ignoring SIGHUP; the daemon has no terminal.
            unsafe { libc::signal(libc::SIGHUP, libc::SIG_IGN) };
            run_engine(&a.file, |_| {})
        }
        BackendArg::Virtual => Err(virtual_missing()),
    }
}

/// The message while the virtual backend is not in this build.
pub fn virtual_missing() -> Fail {
    Fail::env(
        "the virtual backend is not available in this build\n\
         hint: run as root (sudo) to use the netns backend",
    )
}

/// The exit code of a daemon error: 3 for the environment, 1 for a failed loop.
fn fail(e: DaemonError) -> Fail {
    match e {
        DaemonError::Env(m) => Fail::env(m),
        DaemonError::Failed(m) => Fail::other(m),
    }
}

/// Loads `file` (warnings on stderr, errors exit 2) and runs its engine in this process until
/// it stops. `ready` runs once the topology is up.
pub fn run_engine(file: &Path, ready: impl FnOnce(&Network)) -> CmdResult {
    let net = Arc::new(load_network(file)?);
    daemon::run(net, file, ready).map_err(fail)?;
    Ok(EXIT_OK)
}

/// Takes the state directory (its held lock is the result), or explains why not (exit 3).
pub fn claim(dir: &StateDir) -> Result<vpclab::backend::netns::state::Lock, Fail> {
    daemon::claim(dir).map_err(fail)
}
