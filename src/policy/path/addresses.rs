//! Address classes the walk treats specially: private ranges (which an internet gateway refuses)
//! and the resolver addresses the engine answers itself.

use super::Origin;
use crate::model::{Network, VpcId, PUBLIC_RESOLVER, RESOLVER_LINK_LOCAL};
use crate::policy::Header;
use std::net::Ipv4Addr;

/// True for RFC 1918 and RFC 6598 addresses.
pub fn is_private(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private() || (o[0] == 100 && (o[1] & 0xc0) == 64)
}

/// For a DNS query to a resolver address the engine answers (before SG/NACL): Some(the VPC
/// whose resolver is asked, or None for the emulated public resolver). None for other packets.
pub fn resolver_target(net: &Network, origin: Origin, h: &Header) -> Option<Option<VpcId>> {
    if !h.has_ports() || h.dport != 53 {
        return None;
    }
    match origin {
        Origin::Eni(e) => {
            let v = net.vpc(net.eni(e).vpc);
            (v.dns_support && (h.dst == v.resolver_ip() || h.dst == RESOLVER_LINK_LOCAL))
                .then_some(Some(v.id))
        }
        Origin::Internet(_) => (h.dst == PUBLIC_RESOLVER).then_some(None),
    }
}
