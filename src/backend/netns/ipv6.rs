//! IPv6 inside the namespaces (part of `backend::netns`): each host's IPv6 addresses are set
//! statically on `eth0` (vpclab's choice, not AWS's router advertisements and DHCPv6: the
//! addresses are the model's, deterministic, and need no daemon), with duplicate address
//! detection off for them (`nodad`: the model guarantees uniqueness) and router
//! advertisements ignored. Instances route `::/0` via the VPC router's link-local address
//! fe80::1, which the engine answers in neighbour discovery; internet hosts get an on-link
//! `::/0`, as for IPv4.

use crate::engine::ipv6::ROUTER_LINK_LOCAL;
use crate::model::{Network, Port, PortOwner};
use std::io;
use std::process::Command;

/// The `ip` batch that gives `port`'s host its IPv6 addresses and default route; None when
/// the host has no IPv6 address.
pub fn link6_batch(net: &Network, port: &Port) -> Option<String> {
    let mut b = String::new();
    match port.owner {
        PortOwner::Instance(i) => {
            let eni = net.instance(i).eni;
            let addrs = net.eni_ipv6(eni);
            if addrs.is_empty() {
                return None;
            }
            let len = net.subnet_ipv6(net.eni(eni).subnet).cidr?.prefix_len();
            for a in addrs {
                b.push_str(&format!("addr add {a}/{len} dev eth0 nodad\n"));
            }
            b.push_str(&format!(
                "route add ::/0 via {ROUTER_LINK_LOCAL} dev eth0\n"
            ));
        }
        PortOwner::Internet(h) => {
            let a = net.host_ipv6(h)?;
            b.push_str(&format!("addr add {a}/128 dev eth0 nodad\n"));
            b.push_str("route add ::/0 dev eth0\n");
        }
        PortOwner::LoadBalancerNode(_) => return None,
    }
    Some(b)
}

/// Turns IPv6 on for `eth0` of `ns` (the namespace starts with it off), router
/// advertisements and duplicate address detection off, and applies [`link6_batch`].
pub fn configure(ns: &str, net: &Network, port: &Port) -> io::Result<()> {
    let Some(batch) = link6_batch(net, port) else {
        return Ok(());
    };
    for (key, value) in [
        ("accept_ra", "0"),
        ("accept_dad", "0"),
        ("disable_ipv6", "0"),
    ] {
        let setting = format!("net.ipv6.conf.eth0.{key}={value}");
        let ok = Command::new("ip")
            .args(["netns", "exec", ns, "sysctl", "-qw", &setting])
            .status()?
            .success();
        if !ok {
            return Err(io::Error::other(format!("{ns}: cannot set {setting}")));
        }
    }
    super::ns::run_with_input(Command::new("ip").args(["-n", ns, "-batch", "-"]), &batch)
}

#[cfg(test)]
mod tests {
    #[test]
    fn batches_give_static_addresses_and_the_router_route() {
        let n = crate::model::from_yaml(
            "name: t\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    ipv6_cidr: amazon\n    subnets:\n      a: { cidr: 10.0.0.0/24, ipv6_cidr: 1, assign_ipv6_address_on_creation: true }\n    instances:\n      web: { subnet: a }\n      old: { subnet: a, ipv6_address_count: 0 }\ninternet:\n  hosts:\n    c: { ip: 198.51.100.1, ipv6: \"2001:db8::1\" }\n",
        );
        let b = super::link6_batch(&n, &n.ports[0]).unwrap();
        assert!(
            b.contains("addr add 2600:1f18:4000:1::4/64 dev eth0 nodad"),
            "{b}"
        );
        assert!(b.contains("route add ::/0 via fe80::1 dev eth0"), "{b}");
        assert!(super::link6_batch(&n, &n.ports[1]).is_none());
        let b = super::link6_batch(&n, &n.ports[2]).unwrap();
        assert!(
            b.contains("addr add 2001:db8::1/128 dev eth0 nodad")
                && b.contains("route add ::/0 dev eth0"),
            "{b}"
        );
    }
}
