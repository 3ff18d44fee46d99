//! What a test needs from the machine, checked at its start.
//!
//! A test that needs root or a system tool is `#[ignore = "needs ...: run the README's test
//! command (scripts/test.sh)"]`, so a plain `cargo test` lists it as ignored with its reason. Run
//! with `--include-ignored` (as `scripts/test.sh` does), it calls [`netns`] or [`tools`] first:
//! when something is missing the test fails, naming what is missing and how to get it. It never
//! returns early as a pass.

use std::path::Path;

/// A system command a test runs, and the Debian/Ubuntu package that installs it.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// The command looked up on `PATH`.
    pub command: &'static str,
    /// The package `scripts/setup.sh` installs it from.
    pub package: &'static str,
}

/// A [`Tool`] (a `const fn`, for the constants below).
const fn tool(command: &'static str, package: &'static str) -> Tool {
    Tool { command, package }
}

/// `tshark`, which reads the pcap/pcapng files and streams vpclab writes.
pub const TSHARK: Tool = tool("tshark", "tshark");
/// `dig`, a real DNS client for the loopback listeners.
pub const DIG: Tool = tool("dig", "bind9-dnsutils");
/// `curl`, an HTTP client run inside instance namespaces.
pub const CURL: Tool = tool("curl", "curl");
/// `nc` (OpenBSD netcat), for TCP connection checks inside namespaces.
pub const NC: Tool = tool("nc", "netcat-openbsd");
/// `ss`, to list sockets inside a namespace.
pub const SS: Tool = tool("ss", "iproute2");
/// `ping`, ICMP echo inside namespaces.
pub const PING: Tool = tool("ping", "iputils-ping");
/// `nft`, which installs a NAT instance's masquerade rule.
pub const NFT: Tool = tool("nft", "nftables");
/// `hping3`, the SYN flood of the conntrack tests.
pub const HPING3: Tool = tool("hping3", "hping3");
/// `ip`, which creates the namespaces, links and routes of the netns backend.
pub const IP: Tool = tool("ip", "iproute2");
/// `iperf3`, throughput between hosts of a running topology.
pub const IPERF3: Tool = tool("iperf3", "iperf3");
/// `aws` (the AWS CLI), run against the emulated S3 from instance namespaces.
pub const AWS: Tool = tool("aws", "awscli (pip)");

/// How to get what is missing.
const HOW: &str = "run the README's test command, scripts/test.sh: it installs the system \
    packages (scripts/setup.sh) and runs the tests as root, through sudo for a normal user";

/// Fails the test unless it can run topologies on the netns backend (root, that is
/// CAP_NET_ADMIN, and `ip`) and every tool in `tools` is installed.
#[track_caller]
pub fn netns(tools: &[Tool]) {
    let mut all = vec![IP];
    all.extend_from_slice(tools);
    check(true, &all);
}

/// Fails the test unless every tool in `tools` is installed.
#[track_caller]
pub fn tools(tools: &[Tool]) {
    check(false, tools);
}

#[track_caller]
fn check(root: bool, tools: &[Tool]) {
    let mut missing = Vec::new();
    if root && !vpclab::backend::netns::has_net_admin() {
        missing.push("root (CAP_NET_ADMIN, to create namespaces and TAP devices)".to_string());
    }
    for t in tools {
        if !on_path(t.command) {
            missing.push(format!(
                "`{}` (not on PATH; Debian package {})",
                t.command, t.package
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "this test needs {}: {HOW}",
        missing.join(", ")
    );
}

/// True when `command` is an executable file in a directory of `PATH`.
fn on_path(command: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|d| {
        let f = d.join(command);
        Path::new(&f)
            .metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}
