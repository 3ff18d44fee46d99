//! Where a virtual-backend probe sends from, for every source `reach` takes: an instance's or
//! internet host's own port, or a host added for the probe (a subnet source, an internet
//! address or an internet gateway's far side) in a copy of the network.

use super::ProbeError;
use crate::model::{Network, PortId};
use crate::reach::Party;
use std::net::Ipv4Addr;

/// The network to probe in (a copy when a host had to be added), the sending port, and the
/// source address to write in the packets when it is not the host's own (a spoofed source).
pub fn source_network(
    net: &Network,
    from: &Party,
) -> Result<(Option<Network>, PortId, Option<Ipv4Addr>), ProbeError> {
    match from {
        Party::Instance(i) | Party::InstanceAt(i, _) => Ok((None, net.instance(*i).port, None)),
        Party::InstanceFrom(i, ip) => Ok((None, net.instance(*i).port, Some(*ip))),
        Party::Host { ip, .. } | Party::Internet { ip } | Party::Gateway { ip, .. } => {
            if let Some(h) = net.internet_host_by_ip(*ip) {
                return Ok((None, net.internet_host(h).port, None));
            }
            let (n, port) = net
                .with_hidden_internet_host("internet", *ip, Vec::new())
                .ok_or_else(|| {
                    ProbeError(format!(
                        "{ip} is a public IP inside the network, not an internet source"
                    ))
                })?;
            Ok((Some(n), port, None))
        }
        Party::Subnet { subnet, ip } => {
            let (n, id) = net
                .with_subnet_source(&from.name(net), *subnet, *ip)
                .ok_or_else(|| {
                    ProbeError(format!(
                        "{ip} is taken in {}: name the instance that has it",
                        net.subnet(*subnet).aws_id
                    ))
                })?;
            let port = n.instance(id).port;
            Ok((Some(n), port, None))
        }
        Party::Peering { peering, .. } => Err(ProbeError(format!(
            "a flow entering over {} has no port in the engine to send from: ask `reach` (the analyzer walks it)",
            net.peering(*peering).aws_id
        ))),
        Party::NatGateway(n) => Err(ProbeError(format!(
            "{} has no port in the engine to send from: ask `reach --from {}` (the analyzer walks it)",
            net.nat(*n).aws_id,
            net.nat(*n).aws_id
        ))),
        Party::Address(ip) => Err(ProbeError(format!(
            "{ip} is an address nobody owns: it can be a destination only"
        ))),
        Party::EndpointEni(e) => Err(ProbeError(format!(
            "{} is an interface endpoint's network interface: it does not start connections",
            net.eni(*e).aws_id
        ))),
        Party::LoadBalancer { lb, .. } => Err(ProbeError(format!(
            "{} is a load balancer: it can be a destination only",
            net.load_balancer(*lb).name
        ))),
    }
}
