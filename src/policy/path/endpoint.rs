//! VPC endpoints in the walk (reference §10.2-10.3, import-and-next-wave §4.3-4.4).
//!
//! - **Gateway endpoint** (a route target): it carries TCP and ICMP echo only (Reachability
//!   Analyzer's `VPCE_GATEWAY_PROTOCOL_RESTRICTION`), only from the VPC's own addresses (so not
//!   from the far side of a peering), keeps the private source address, and delivers to the
//!   service's host (or leaves the network towards another address of the prefix list). The
//!   service's reply (from its address or any of its prefix list's) comes back through the
//!   same endpoint, to a subnet whose route table routes that address to the endpoint.
//! - **Interface endpoint** (an ENI): its subnet's NACL and its own security groups apply; it
//!   takes TCP only, and delivers to itself (the service's host answers on its address). It
//!   sends only replies: a new connection from it is `VPCE_INTRA_VPC_TRAFFIC`.

use super::builtin::reject;
use super::walker::{Step, Walker};
use super::{Delivery, Outcome};
use crate::model::{proto, EniId, Target, VpcEndpointId, VpcId};
use crate::policy::{route, ComponentKind, Direction, ExplanationCode, Header, TrafficPath};

/// True for the packets a gateway endpoint carries: TCP and ICMP echo (request or reply).
fn gateway_protocol(h: &Header) -> bool {
    h.proto == proto::TCP || (h.proto == proto::ICMP && matches!(h.icmp_type(), 0 | 8))
}

impl Walker<'_> {
    /// A route to gateway endpoint `ep` (hook in `routing.rs`): the endpoint's checks, then the
    /// service's host, or out of the network towards another address of the list.
    pub(super) fn route_gateway_endpoint(
        &mut self,
        at: super::routing::Routed,
        ep: VpcEndpointId,
    ) -> Step<Outcome> {
        let net = self.net;
        let e = net.vpc_endpoint(ep);
        let svc = net.aws_service(e.service);
        let h = at.h;
        self.take_route(&at, TrafficPath::GatewayEndpoint, &e.aws_id);
        self.gateway_checks(ep, &h)?;
        let vpc = net.vpc(e.vpc);
        if !vpc.contains(h.src) {
            return Err(self.stop(reject(
                e.aws_id.clone(),
                ComponentKind::VpcEndpoint,
                ExplanationCode::VpceGatewayRequiresSourceInVpc,
                format!(
                    "source {} is not in {}'s CIDRs: a gateway endpoint serves only its own VPC",
                    h.src, vpc.aws_id
                ),
            )));
        }
        self.spend()?;
        if h.dst == svc.ip {
            self.hop(
                &e.aws_id,
                ComponentKind::VpcEndpoint,
                format!(
                    "{} carries it to {} ({}), source {} kept",
                    e.aws_id, svc.name, svc.ip, h.src
                ),
                None,
            );
            return Ok(Outcome::Delivered {
                to: Delivery::Internet(svc.host),
                header: h,
            });
        }
        self.hop(
            &e.aws_id,
            ComponentKind::VpcEndpoint,
            format!(
                "leaves the network through {} towards {} (an address of {} that no modelled host has)",
                e.aws_id, h.dst, svc.name
            ),
            None,
        );
        Ok(Outcome::Exited {
            gateway: e.aws_id.clone(),
            header: h,
        })
    }

    /// The protocol check of gateway endpoint `ep` (both ways).
    fn gateway_checks(&mut self, ep: VpcEndpointId, h: &Header) -> Step<()> {
        if gateway_protocol(h) {
            return Ok(());
        }
        let e = self.net.vpc_endpoint(ep);
        self.check(reject(
            e.aws_id.clone(),
            ComponentKind::VpcEndpoint,
            ExplanationCode::VpceGatewayProtocolRestriction,
            format!("{} carries only TCP and ICMP echo", e.aws_id),
        ))
    }

    /// A packet from a service's host to a private address (hook in `internet.rs`): the reply
    /// of a flow that came through a gateway endpoint goes back through it. None when the
    /// sender is no gateway service or no gateway endpoint of it has a VPC holding `h.dst`.
    pub(super) fn gateway_endpoint_return(&mut self, h: &Header) -> Option<Step<Outcome>> {
        let net = self.net;
        let from_service = |s: crate::model::AwsServiceId| {
            let svc = net.aws_service(s);
            svc.ip == h.src
                || svc.prefix_list.is_some_and(|p| {
                    net.prefix_list(p)
                        .entries
                        .iter()
                        .any(|c| c.contains(&h.src))
                })
        };
        let candidates = || {
            net.vpc_endpoints.iter().filter(|e| {
                e.is_gateway() && net.vpc(e.vpc).contains(h.dst) && from_service(e.service)
            })
        };
        // VPCs may share a CIDR: the reply goes into the one whose ENI has the address and
        // whose subnet routes the service to its endpoint (the one the request left by);
        // without such a VPC, the first holding the address says why it is dropped.
        let serves = |e: &&crate::model::VpcEndpoint| {
            net.eni_by_private_ip(e.vpc, h.dst).is_some()
                && net.subnet_of(e.vpc, h.dst).is_some_and(|sub| {
                    let rt = net.subnet(sub).route_table;
                    route::lookup(net, rt, h.src).map(|(_, r)| &r.target)
                        == Some(&Target::VpcEndpoint(e.id))
                })
        };
        let ep = candidates().find(serves).or_else(|| candidates().next())?;
        Some(self.enter_vpc_through(ep.id, ep.vpc, h))
    }

    /// The return through gateway endpoint `ep` into `vpc`.
    fn enter_vpc_through(&mut self, ep: VpcEndpointId, vpc: VpcId, h: &Header) -> Step<Outcome> {
        self.spend()?;
        let net = self.net;
        let e = net.vpc_endpoint(ep);
        let svc = net.aws_service(e.service);
        self.gateway_checks(ep, h)?;
        // Only subnets whose route table sends the service to this endpoint are served by it.
        if let Some(sub) = net.subnet_of(vpc, h.dst) {
            let rt = net.subnet(sub).route_table;
            let via = route::lookup(net, rt, h.src).map(|(_, r)| r.target.clone());
            if via != Some(Target::VpcEndpoint(ep)) {
                let rtb = &net.route_table(rt).aws_id;
                return Err(self.stop(reject(
                    rtb.clone(),
                    ComponentKind::RouteTable,
                    ExplanationCode::NoRouteToDestination,
                    format!(
                        "{rtb} does not route {} to {}: the endpoint does not serve {}",
                        h.src,
                        e.aws_id,
                        net.subnet(sub).aws_id
                    ),
                )));
            }
        }
        self.hop(
            &e.aws_id,
            ComponentKind::VpcEndpoint,
            format!(
                "{} returns it from {} into {}",
                e.aws_id,
                svc.name,
                net.vpc(vpc).aws_id
            ),
            None,
        );
        self.arrive_in_vpc(vpc, *h, None)
    }

    /// At interface endpoint `ep`'s ENI `eni` (hook in `arrive.rs`, after the subnet's NACL):
    /// its own address only, TCP only, its security groups, then delivered to it.
    pub(super) fn arrive_interface_endpoint(
        &mut self,
        ep: VpcEndpointId,
        eni: EniId,
        h: Header,
    ) -> Step<Outcome> {
        let net = self.net;
        let e = net.eni(eni);
        let endpoint = net.vpc_endpoint(ep);
        if !e.owns(h.dst) {
            self.check(reject(
                e.aws_id.clone(),
                ComponentKind::Eni,
                ExplanationCode::EniSourceDestCheckRestriction,
                format!(
                    "{} is not the address of {} (an endpoint forwards nothing)",
                    h.dst, e.aws_id
                ),
            ))?;
        }
        if h.proto != proto::TCP {
            self.check(reject(
                endpoint.aws_id.clone(),
                ComponentKind::VpcEndpoint,
                ExplanationCode::VpceInterfaceTcpOnly,
                format!("{} accepts TCP only", endpoint.aws_id),
            ))?;
        }
        self.security_group(eni, Direction::Inbound, &h)?;
        let svc = net.aws_service(endpoint.service);
        self.hop(
            &e.aws_id,
            ComponentKind::Eni,
            format!(
                "delivered to {} ({}) of {} for {}",
                e.aws_id, e.private_ip, endpoint.aws_id, svc.name
            ),
            None,
        );
        Ok(Outcome::Delivered {
            to: Delivery::Eni(eni),
            header: h,
        })
    }

    /// A packet leaving an interface endpoint's ENI (hook in `leave.rs`): only replies of
    /// connections it accepted; anything else is `VPCE_INTRA_VPC_TRAFFIC`.
    pub(super) fn leave_interface_endpoint(&mut self, eni: EniId, h: &Header) -> Step<()> {
        if self.state.tracked(eni, Direction::Outbound, h) {
            return Ok(());
        }
        let net = self.net;
        let e = net.eni(eni);
        Err(self.stop(reject(
            e.aws_id.clone(),
            ComponentKind::VpcEndpoint,
            ExplanationCode::VpceIntraVpcTraffic,
            format!("{} does not start connections", e.aws_id),
        )))
    }
}

/// Where a packet that internet host `host` sends from `src` enters the walk: at the
/// interface-endpoint ENI with that address when `host` is its service's host (it answers
/// there), else on the internet at the host's address. The engine and the analyzer both ask.
pub fn host_origin(
    net: &crate::model::Network,
    host: crate::model::InternetHostId,
    src: std::net::Ipv4Addr,
) -> super::Origin {
    match net.endpoint_eni_of_host(host, src) {
        Some(e) => super::Origin::Eni(e),
        None => super::Origin::Internet(net.internet_host(host).ip),
    }
}
