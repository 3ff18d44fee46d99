//! `vpclab exec INSTANCE [--name N] -- CMD...`: runs a command inside a host's namespace with
//! the terminal inherited; its exit code is passed through (128+N when killed by signal N), and
//! like a shell it exits 127 for a command that does not exist, 126 for one it cannot execute.

use super::common::{CmdResult, Fail};
use super::status::{pick, running_network};
use super::ExecArgs;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use vpclab::backend::netns::command::resolve;
use vpclab::backend::netns::ns::namespace_exists;
use vpclab::backend::netns::state::ns_name;
use vpclab::backend::netns::userns;

/// Runs `exec`.
pub fn run(a: &ExecArgs) -> CmdResult {
    if !vpclab::backend::netns::has_net_admin() && userns::missing().is_some() {
        return Err(Fail::env(
            "`vpclab exec` enters a network namespace, which needs CAP_SYS_ADMIN\nhint: run it with sudo",
        ));
    }
    let dir = pick(a.name.as_deref())?;
    // A normal user's topology runs in a user namespace of its own (`userns`), entered below.
    let rootless = userns::is_rootless_run(&dir);
    let net = running_network(&dir)?;
    if net.endpoint_by_name(&a.instance).is_none() {
        return Err(Fail::input(format!(
            "`{}` is not an instance or internet host of {}\nhint: `vpclab status {}` lists them",
            a.instance, net.name, net.name
        )));
    }
    let ns = ns_name(&net.name, &a.instance);
    if !rootless && !namespace_exists(&ns) {
        return Err(Fail::env(format!(
            "namespace {ns} does not exist (is {} still starting?)",
            net.name
        )));
    }
    // `ip netns exec` exits 1 whether the command is missing or not executable: find it
    // first, as a shell would, to exit 127 or 126 like one.
    if let Some(prog) = a.command.first() {
        let path = std::env::var_os("PATH");
        if let Err(e) = resolve(std::ffi::OsStr::new(prog), path.as_deref()) {
            return Err(Fail {
                code: e.code,
                msg: format!("vpclab exec: {}", e.message),
            });
        }
    }
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", &ns]).args(&a.command);
    if rootless {
        let pid = dir
            .live_pid()
            .ok_or_else(|| Fail::env(format!("topology {} is not running", net.name)))?;
        userns::enter(&mut cmd, pid).map_err(|e| {
            Fail::env(format!(
                "cannot enter the user namespace of {}: {e}",
                net.name
            ))
        })?;
    }
    let st = cmd.status().map_err(|e| {
        Fail::env(format!(
            "cannot run `ip netns exec`: {e}\nhint: install iproute2"
        ))
    })?;
    Ok(st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0)))
}
