//! Namespaces and their configuration with the `ip` and `nft` commands (batched: one process
//! per namespace, not one per setting).

use crate::model::{mac_string, Network, Port, PortOwner};
use std::io::{self, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs a command with `input` on stdin; an error carries its stderr.
pub fn run_with_input(cmd: &mut Command, input: &str) -> io::Result<()> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("{:?}: {e}", cmd.get_program())))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{:?} failed: {}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Runs a command quietly; Ok(true) on success.
pub fn run_quiet(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Creates namespaces (one `ip -batch` for all of them).
pub fn add_namespaces(names: &[String]) -> io::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    if super::userns::in_user_namespace() {
        return super::userns::add_namespaces(names);
    }
    let batch: String = names.iter().map(|n| format!("netns add {n}\n")).collect();
    run_with_input(Command::new("ip").args(["-batch", "-"]), &batch)
}

/// Every namespace on the machine (`ip netns list`).
pub fn list_namespaces() -> Vec<String> {
    let out = Command::new("ip").args(["netns", "list"]).output();
    let Ok(out) = out else { return Vec::new() };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect()
}

/// True when the namespace exists (`/run/netns/NS` is present).
pub fn namespace_exists(ns: &str) -> bool {
    Path::new("/run/netns").join(ns).exists()
}

/// The `ip` batch that configures a host's `eth0` (already created by the engine's TAP), with
/// `extra` as more addresses of `eth0` (secondary private IPs, `Network::port_extra_addrs`).
pub fn link_batch(port: &Port, extra: &[ipnet::Ipv4Net]) -> String {
    let mut b = String::new();
    b.push_str("link set lo up\n");
    // A long TAP queue: the engine thread is sometimes scheduled out on a busy machine, and a
    // drop there costs TCP far more than the queueing delay (measured: 0 retransmits instead of
    // ~18k per 4 s, +28% throughput).
    // AWS's MTUs: instances' eth0 at 9001 (jumbo frames inside a VPC), internet hosts at
    // 1500; the engine enforces each path's MTU (engine::mtu).
    let mtu = port_mtu(port);
    b.push_str(&format!(
        "link set eth0 address {} mtu {mtu} txqueuelen 10000\n",
        mac_string(&port.mac)
    ));
    b.push_str(&format!(
        "addr add {}/{} dev eth0\n",
        port.ip, port.prefix_len
    ));
    for a in extra {
        // Linux keeps one subnet route per prefix (a second address of a subnet is a
        // secondary); an address of another subnet adds that subnet's on-link route, whose
        // source is that address (the instance's own routing).
        b.push_str(&format!("addr add {a} dev eth0\n"));
    }
    b.push_str("link set eth0 up\n");
    match port.gateway {
        Some(gw) => b.push_str(&format!("route add default via {gw} dev eth0\n")),
        // Internet hosts: an on-link default route; the engine answers ARP for every address.
        None => b.push_str("route add default dev eth0\n"),
    }
    b
}

/// The MTU of a host's `eth0`: AWS's 9001 for instances, 1500 for internet hosts.
pub fn port_mtu(port: &Port) -> u32 {
    match port.owner {
        PortOwner::Instance(_) | PortOwner::LoadBalancerNode(_) => {
            crate::engine::mtu::VPC_MTU as u32
        }
        PortOwner::Internet(_) => crate::engine::mtu::IGW_MTU as u32,
    }
}

/// Configures `eth0` (with `extra` addresses), `lo` and routes inside `ns`.
pub fn configure_link(ns: &str, port: &Port, extra: &[ipnet::Ipv4Net]) -> io::Result<()> {
    run_with_input(
        Command::new("ip").args(["-n", ns, "-batch", "-"]),
        &link_batch(port, extra),
    )
}

/// Writes `/etc/netns/NS/resolv.conf` (bind-mounted by `ip netns exec`).
pub fn write_resolv_conf(ns: &str, port: &Port) -> io::Result<()> {
    let Some(r) = port.resolver else {
        return Ok(());
    };
    let dir = Path::new("/etc/netns").join(ns);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("resolv.conf"),
        format!("# written by vpclab\nnameserver {r}\n"),
    )
}

/// Removes `/etc/netns/NS` (the namespace's `resolv.conf`); errors are ignored.
pub fn remove_etc(ns: &str) {
    let _ = std::fs::remove_dir_all(Path::new("/etc/netns").join(ns));
}

/// The nftables ruleset of a NAT instance: masquerade what leaves its VPC through `eth0`.
pub fn nat_ruleset(net: &Network, port: &Port) -> String {
    let vpc = net
        .vpcs
        .iter()
        .find(|v| v.contains(port.ip))
        .map(|v| {
            v.cidrs
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| format!("{}/32", port.ip));
    format!(
        "table ip vpclab_nat {{\n  chain postrouting {{\n    type nat hook postrouting priority srcnat; policy accept;\n    oifname \"eth0\" ip saddr {{ {vpc} }} ip daddr != {{ {vpc} }} masquerade\n  }}\n}}\n"
    )
}

/// Installs the NAT instance's masquerade rule with `nft` inside its namespace.
pub fn configure_nat_instance(net: &Network, ns: &str, port: &Port) -> io::Result<()> {
    run_with_input(
        Command::new("ip").args(["netns", "exec", ns, "nft", "-f", "-"]),
        &nat_ruleset(net, port),
    )
}

/// Deletes a namespace (quietly; missing is fine).
pub fn delete_namespace(ns: &str) -> bool {
    run_quiet(Command::new("ip").args(["netns", "del", ns])) || !namespace_exists(ns)
}

/// Deletes namespaces with one `ip -batch` (then one by one for any that remain).
pub fn delete_namespaces(names: &[String]) {
    let batch: String = names
        .iter()
        .filter(|n| namespace_exists(n))
        .map(|n| format!("netns del {n}\n"))
        .collect();
    if !batch.is_empty() {
        let _ = run_with_input(Command::new("ip").args(["-force", "-batch", "-"]), &batch);
    }
    for n in names {
        if namespace_exists(n) {
            delete_namespace(n);
        }
    }
}

/// Pids of processes inside any of these namespaces (one scan of `/proc`, comparing each
/// process's network namespace with the namespace's bind mount, as `ip netns pids` does).
pub fn namespace_pids(names: &[String]) -> Vec<i32> {
    use std::os::unix::fs::MetadataExt;
    let ids: std::collections::HashSet<(u64, u64)> = names
        .iter()
        .filter_map(|n| std::fs::metadata(Path::new("/run/netns").join(n)).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect();
    if ids.is_empty() {
        return Vec::new();
    }
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::metadata(format!("/proc/{pid}/ns/net"))
                .is_ok_and(|m| ids.contains(&(m.dev(), m.ino())))
        })
        .collect()
}

/// True when `tool` is a file in one of `$PATH`'s folders (not checked to be executable).
pub fn have_tool(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{InternetHostId, PortId, PortOwner};

    fn port(gw: Option<std::net::Ipv4Addr>) -> Port {
        Port {
            id: PortId(0),
            name: "h".into(),
            owner: PortOwner::Internet(InternetHostId(0)),
            mac: [2, 0, 0, 0, 0, 1],
            ip: "198.51.100.10".parse().unwrap(),
            prefix_len: 32,
            gateway: gw,
            resolver: None,
        }
    }

    #[test]
    fn batches() {
        let b = link_batch(&port(None), &[]);
        assert!(b.contains("addr add 198.51.100.10/32 dev eth0"));
        assert!(b.contains("route add default dev eth0"));
        assert!(b.contains("address 02:00:00:00:00:01 mtu 1500"));
        let b = link_batch(&port(Some("10.0.0.1".parse().unwrap())), &[]);
        assert!(b.contains("route add default via 10.0.0.1 dev eth0"));
        let b = link_batch(&port(None), &["10.0.0.20/24".parse().unwrap()]);
        assert!(b.contains("addr add 10.0.0.20/24 dev eth0\n"), "{b}");
    }
}
