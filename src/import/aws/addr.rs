//! Address checks shared by NAT gateways and instances: a private address the format accepts
//! in a subnet (inside, not one of AWS's five reserved, not taken), and a public address it
//! accepts as fixed (public space, outside every VPC, not taken).

use super::build::Builder;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Whether `ip` is usable in `subnet`: inside it and not the network, router (+1), DNS (+2),
/// reserved (+3) or broadcast address.
pub fn usable(subnet: Ipv4Net, ip: Ipv4Addr) -> bool {
    let n = u32::from(subnet.network());
    let i = u32::from(ip);
    subnet.contains(&ip) && i > n + 3 && ip != subnet.broadcast()
}

/// Whether `ip` is public space (not RFC 1918, shared 100.64/10, loopback, link-local,
/// multicast, documentation or reserved).
pub fn is_public(ip: Ipv4Addr) -> bool {
    let blocked = [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/3",
    ];
    !blocked
        .iter()
        .any(|b| b.parse::<Ipv4Net>().is_ok_and(|n| n.contains(&ip)))
}

/// Parses `text` as a private address usable in `subnet` and not yet taken, and takes it;
/// `Err` says why not.
pub fn take_private(b: &mut Builder, subnet: Ipv4Net, text: &str) -> Result<Ipv4Addr, String> {
    let ip: Ipv4Addr = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not an IPv4 address"))?;
    if !usable(subnet, ip) {
        return Err(format!("{ip} is not a usable address of {subnet}"));
    }
    if !b.index.taken_ips.insert(ip) {
        return Err(format!("{ip} is used by another interface"));
    }
    Ok(ip)
}

/// Parses `text` as a fixed public address (outside every VPC, not taken) and takes it.
pub fn take_public(b: &mut Builder, text: &str) -> Result<Ipv4Addr, String> {
    let ip: Ipv4Addr = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not an IPv4 address"))?;
    if !is_public(ip) {
        return Err(format!("{ip} is not a public address"));
    }
    if b.index
        .vpcs
        .values()
        .any(|v| v.cidrs.iter().any(|c| c.contains(&ip)))
    {
        return Err(format!("{ip} is inside a VPC"));
    }
    if !b.index.taken_ips.insert(ip) {
        return Err(format!("{ip} is used by another interface"));
    }
    Ok(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_public_addresses() {
        let s: Ipv4Net = "10.0.1.0/24".parse().unwrap();
        assert!(!usable(s, "10.0.1.3".parse().unwrap()));
        assert!(usable(s, "10.0.1.4".parse().unwrap()));
        assert!(!usable(s, "10.0.1.255".parse().unwrap()));
        assert!(is_public("3.135.127.225".parse().unwrap()));
        assert!(!is_public("100.64.1.1".parse().unwrap()));
    }
}
