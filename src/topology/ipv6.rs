//! IPv6 in the file format (part of `topology`, rank 0): the egress-only internet gateway's
//! object, the textual parsers of IPv6 CIDRs and addresses, and the constants of AWS's IPv6
//! (the emulated Amazon pool, NAT64's well-known prefix, the resolver's IPv6 address).
//! `docs/topology.md`, section "IPv6", is the user's description of these keys.

use super::Sp;
use ipnet::Ipv6Net;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::net::Ipv6Addr;

/// The keyword of `ipv6_cidr: amazon`: an Amazon-provided /56, drawn from [`AMAZON_POOL`].
pub const AMAZON: &str = "amazon";

/// The emulated Amazon IPv6 pool: Amazon-provided VPC blocks are the /56s of this /40, one per
/// VPC asking for one, in declaration order, skipping blocks written elsewhere in the file.
/// (Real Amazon blocks are drawn from 2600:1f00::/24; vpclab never sends a packet there.)
pub const AMAZON_POOL: &str = "2600:1f18:4000::/40";

/// NAT64's well-known prefix (RFC 6052): a route for it to a NAT gateway turns IPv6 into IPv4.
pub const NAT64_PREFIX: &str = "64:ff9b::/96";

/// The VPC resolver's IPv6 address (the Amazon Route 53 Resolver on Nitro instances).
pub const RESOLVER6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0253);

/// An egress-only internet gateway (`egress_only_internet_gateways: { NAME: {...} }`): IPv6
/// out and its replies, nothing initiated from the internet. Routes name it `eigw:NAME`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EgressOnlyInternetGateway {
    /// The gateway's AWS id (`eigw-…`).
    #[serde(default)]
    pub aws_id: Option<Sp<String>>,
    /// Free text, at most 255 characters.
    #[serde(default)]
    pub description: Option<Sp<String>>,
}

/// True when the text is written as IPv6 (it holds a `:`), so IPv4-only parsers leave it to
/// the IPv6 ones; references (`sg:NAME`, `pl:NAME`, `pcx:NAME`) never are.
pub fn is_ipv6_text(s: &str) -> bool {
    let s = s.trim();
    s.contains(':')
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'/' || b == b'.')
}

/// Parses an IPv6 CIDR strictly: the address must be the network address.
pub fn cidr6(s: &str) -> Result<Ipv6Net, String> {
    let s = s.trim();
    let net: Ipv6Net = s.parse().map_err(|_| {
        if !s.contains('/') && s.parse::<Ipv6Addr>().is_ok() {
            format!("`{s}` has no prefix length (write it as {s}/128 for one address)")
        } else {
            format!("`{s}` is not an IPv6 CIDR such as 2600:1f18:4000:100::/64")
        }
    })?;
    if net.network() != net.addr() {
        return Err(format!(
            "`{s}` has host bits set; its network address is {}",
            net.trunc()
        ));
    }
    Ok(net)
}

/// Parses an IPv6 address (surrounding spaces ignored).
pub fn ipv6(s: &str) -> Result<Ipv6Addr, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("`{s}` is not an IPv6 address such as 2600:1f18:4000:100::10"))
}

/// The `n`th /64 of a VPC block (a subnet's `ipv6_cidr: N`); None past the block's end.
pub fn nth_subnet(vpc: Ipv6Net, n: u32) -> Option<Ipv6Net> {
    if vpc.prefix_len() > 64 {
        return None;
    }
    let count = 1u128 << (64 - vpc.prefix_len());
    if u128::from(n) >= count {
        return None;
    }
    let base = u128::from(vpc.network()) + (u128::from(n) << 64);
    Ipv6Net::new(Ipv6Addr::from(base), 64).ok()
}

/// `base + n` in IPv6 (wrapping).
pub fn offset6(base: Ipv6Addr, n: u128) -> Ipv6Addr {
    Ipv6Addr::from(u128::from(base).wrapping_add(n))
}

/// True for an address an IPv6 internet host may have: global unicast (2000::/3), outside the
/// NAT64 prefix and the emulated Amazon pool.
pub fn is_internet6(a: Ipv6Addr) -> bool {
    let first = a.segments()[0];
    let pool: Ipv6Net = AMAZON_POOL.parse().expect("constant CIDR");
    (0x2000..=0x3fff).contains(&first) && !pool.contains(&a)
}

/// The well-known NAT64 prefix as a network.
pub fn nat64_prefix() -> Ipv6Net {
    NAT64_PREFIX.parse().expect("constant CIDR")
}

/// The IPv4 address embedded in a 64:ff9b::/96 address (RFC 6052); None outside the prefix.
pub fn nat64_embedded(a: Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    nat64_prefix()
        .contains(&a)
        .then(|| std::net::Ipv4Addr::from((u128::from(a) & 0xffff_ffff) as u32))
}

/// The 64:ff9b::/96 address DNS64 synthesises for an IPv4 address.
pub fn nat64_synthesise(v4: std::net::Ipv4Addr) -> Ipv6Addr {
    Ipv6Addr::from(u128::from(nat64_prefix().network()) | u128::from(u32::from(v4)))
}

/// Every VPC's IPv6 block, in `vpcs:` order: a written CIDR as written, `amazon` the next /56
/// of [`AMAZON_POOL`] that overlaps no written block, None for a VPC without `ipv6_cidr` (or
/// with one that does not parse: validation reports it). Validation and the model both call
/// this, so they agree on the blocks.
pub fn vpc_blocks(t: &super::Topology) -> Vec<Option<Ipv6Net>> {
    let written: Vec<Ipv6Net> = t
        .vpcs
        .iter()
        .filter_map(|(_, v)| v.ipv6_cidr.as_ref())
        .filter_map(|c| cidr6(&c.value).ok())
        .collect();
    let pool: Ipv6Net = AMAZON_POOL.parse().expect("constant CIDR");
    let mut next = 0u32;
    t.vpcs
        .iter()
        .map(|(_, v)| {
            let c = v.ipv6_cidr.as_ref()?;
            if c.value.trim() != AMAZON {
                return cidr6(&c.value).ok();
            }
            loop {
                let b = nth_block(pool, 56, next)?;
                next += 1;
                if !written.iter().any(|w| w.contains(&b) || b.contains(w)) {
                    return Some(b);
                }
            }
        })
        .collect()
}

/// The `n`th block of length `len` inside `net`; None past its end.
fn nth_block(net: Ipv6Net, len: u8, n: u32) -> Option<Ipv6Net> {
    let bits = len.checked_sub(net.prefix_len())?;
    if bits < 32 && n >= (1u32 << bits) {
        return None;
    }
    let base = u128::from(net.network()) + (u128::from(n) << (128 - u32::from(len)));
    Ipv6Net::new(Ipv6Addr::from(base), len).ok()
}

/// A subnet's `ipv6_cidr` (a /64 CIDR, or the index of a /64 in its VPC's block) resolved
/// against the VPC's block; the error says what is wrong.
pub fn subnet_block(vpc: Option<Ipv6Net>, w: &str) -> Result<Ipv6Net, String> {
    let vpc = vpc.ok_or("the VPC has no `ipv6_cidr`")?;
    let w = w.trim();
    let net = if let Ok(n) = w.parse::<u32>() {
        nth_subnet(vpc, n).ok_or_else(|| {
            format!(
                "index {n} is past the last /64 of the VPC's block {vpc} (0..{})",
                (1u64 << (64 - vpc.prefix_len().min(64))) - 1
            )
        })?
    } else {
        cidr6(w)?
    };
    if net.prefix_len() != 64 {
        return Err(format!(
            "{net} is a /{}; AWS's IPv6 subnets are /64",
            net.prefix_len()
        ));
    }
    if !vpc.contains(&net) {
        return Err(format!("{net} is not inside the VPC's IPv6 block {vpc}"));
    }
    Ok(net)
}

/// True for the addresses AWS reserves in an IPv6 subnet: the first four and the last.
pub fn is_reserved6(subnet: Ipv6Net, a: Ipv6Addr) -> bool {
    let off = u128::from(a) - u128::from(subnet.network());
    off < 4 || a == subnet.broadcast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers_and_nat64() {
        assert!(is_ipv6_text("::/0"));
        assert!(is_ipv6_text("2600:1f18::/56"));
        assert!(!is_ipv6_text("sg:web"));
        assert!(!is_ipv6_text("10.0.0.0/16"));
        assert!(cidr6("2600:1f18::1/64").unwrap_err().contains("host bits"));
        let vpc = cidr6("2600:1f18:4000:100::/56").unwrap();
        assert_eq!(
            nth_subnet(vpc, 1).unwrap().to_string(),
            "2600:1f18:4000:101::/64"
        );
        assert!(nth_subnet(vpc, 256).is_none());
        let v4 = "198.51.100.7".parse().unwrap();
        let s = nat64_synthesise(v4);
        assert_eq!(s.to_string(), "64:ff9b::c633:6407");
        assert_eq!(nat64_embedded(s), Some(v4));
        assert!(is_internet6("2001:db8::5".parse().unwrap()));
        assert!(!is_internet6("fd00::1".parse().unwrap()));
        assert!(!is_internet6("2600:1f18:4000::1".parse().unwrap()));
    }
}
