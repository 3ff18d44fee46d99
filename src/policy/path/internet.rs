//! The internet gateway both ways and the emulated internet: egress maps a private source to its
//! public IP; on the internet a packet reaches a host, the public resolver, or a public IP whose
//! VPC's gateway maps it back to the private address.

use super::builtin::reject;
use super::walker::{Step, Walker};
use super::{is_private, Delivery, Outcome};
use crate::model::{EniId, EniOwner, VpcId, PUBLIC_RESOLVER};
use crate::policy::{ComponentKind, ExplanationCode, Header};

impl Walker<'_> {
    /// A packet from `vpc` through its internet gateway `igw`: only to public destinations, and
    /// only from an address with a public IP (not a private NAT gateway's).
    pub(super) fn igw_egress(&mut self, vpc: VpcId, igw: &str, h: Header) -> Step<Outcome> {
        let net = self.net;
        if is_private(h.dst) {
            self.check(reject(
                igw.into(),
                ComponentKind::InternetGateway,
                ExplanationCode::IgwDestinationAddressNotInRfc1918Egress,
                format!("{igw} does not forward to private address {}", h.dst),
            ))?;
        }
        // The public IP is associated with the primary private IP (a secondary has none).
        let mapped = net
            .eni_by_private_ip(vpc, h.src)
            .filter(|e| net.eni(*e).private_ip == h.src)
            .and_then(|e| net.eni(e).public_ip);
        let Some(public) = mapped else {
            return Err(self.stop(reject(
                igw.into(),
                ComponentKind::InternetGateway,
                ExplanationCode::IgwPublicIpAssociationForEgress,
                format!(
                    "{} has no public IP or Elastic IP: {igw} drops its packets",
                    h.src
                ),
            )));
        };
        if let Some(n) = net
            .eni_by_private_ip(vpc, h.src)
            .and_then(|e| match net.eni(e).owner {
                EniOwner::NatGateway(n) => Some(n),
                _ => None,
            })
        {
            if net.nat(n).private {
                return Err(self.stop(reject(
                    igw.into(),
                    ComponentKind::InternetGateway,
                    ExplanationCode::IgwPublicIpAssociationForEgress,
                    format!(
                        "{} is a private NAT gateway: {igw} drops its traffic",
                        net.nat(n).aws_id
                    ),
                )));
            }
        }
        let t = Header { src: public, ..h };
        self.hop(
            igw,
            ComponentKind::InternetGateway,
            format!("{igw} translates {} → {}", h.src, public),
            None,
        );
        if !self.owned_on_internet(&t) {
            self.spend()?;
            self.hop(
                igw,
                ComponentKind::InternetGateway,
                format!(
                    "leaves the network through {igw} towards {} (no modelled host has that address)",
                    t.dst
                ),
                None,
            );
            return Ok(Outcome::Exited {
                gateway: igw.to_string(),
                header: t,
            });
        }
        self.internet(t)
    }

    /// True when something modelled answers `h.dst` on the internet: an internet host, the
    /// public resolver (for DNS), or a public IP of an ENI.
    fn owned_on_internet(&self, h: &Header) -> bool {
        let net = self.net;
        net.internet_host_by_ip(h.dst)
            .is_some_and(|x| !net.hybrid.is_on_premises_host(x))
            || (h.dst == PUBLIC_RESOLVER && h.has_ports() && h.dport == 53)
            || net.eni_by_public_ip(h.dst).is_some()
    }

    /// A packet on the emulated internet: delivered to an internet host or the public resolver,
    /// or sent to the VPC that owns its public destination.
    pub(super) fn internet(&mut self, h: Header) -> Step<Outcome> {
        self.spend()?;
        if is_private(h.dst) {
            if let Some(step) = self.gateway_endpoint_return(&h) {
                return step;
            }
        }
        let net = self.net;
        let host = net
            .internet_host_by_ip(h.dst)
            .filter(|x| !net.hybrid.is_on_premises_host(*x));
        if let Some(host) = host {
            self.hop(
                "internet",
                ComponentKind::Internet,
                format!(
                    "delivered to internet host {} ({})",
                    net.internet_host(host).name,
                    h.dst
                ),
                None,
            );
            return Ok(Outcome::Delivered {
                to: Delivery::Internet(host),
                header: h,
            });
        }
        if h.dst == PUBLIC_RESOLVER && h.has_ports() && h.dport == 53 {
            self.hop(
                "internet",
                ComponentKind::Internet,
                "DNS query to the public resolver".into(),
                None,
            );
            return Ok(Outcome::Resolver { vpc: None });
        }
        let Some(eni) = net.eni_by_public_ip(h.dst) else {
            return Err(self.stop(reject(
                "internet".into(),
                ComponentKind::Internet,
                ExplanationCode::IgwPrivateIpAssociationForIngress,
                format!("no internet host or public IP at {}", h.dst),
            )));
        };
        self.igw_ingress(eni, h)
    }

    /// A packet to the public IP of `eni`: its VPC's internet gateway (which refuses private
    /// sources) translates the destination to the private address.
    fn igw_ingress(&mut self, eni: EniId, h: Header) -> Step<Outcome> {
        let net = self.net;
        let e = net.eni(eni);
        let v = net.vpc(e.vpc);
        let Some(igw) = v.igw.clone() else {
            return Err(self.stop(reject(
                v.aws_id.clone(),
                ComponentKind::InternetGateway,
                ExplanationCode::IgwPrivateIpAssociationForIngress,
                format!("{} has no internet gateway", v.aws_id),
            )));
        };
        if is_private(h.src) {
            self.check(reject(
                igw.clone(),
                ComponentKind::InternetGateway,
                ExplanationCode::IgwSourceAddressNotInRfc1918Ingress,
                format!("{igw} drops packets from private source {}", h.src),
            ))?;
        }
        let t = Header {
            dst: e.private_ip,
            ..h
        };
        // Inside the VPC the packet carries the private address (AWS pkt-dstaddr).
        self.pkt_dst = t.dst;
        self.hop(
            &igw,
            ComponentKind::InternetGateway,
            format!("{igw} translates {} → {}", h.dst, e.private_ip),
            None,
        );
        self.arrive_eni(eni, t, None)
    }
}
