//! AWS services and VPC endpoints, resolved (part of `model`, rank 1).
//!
//! An AWS service (S3, DynamoDB, SQS, …) is an internet host of the model (`host`) on a public
//! address, so engine, backends and the walk treat it as any host on the emulated internet. A
//! gateway endpoint is a route target (`Target::VpcEndpoint`) on its route tables, one route
//! per entry of the service's managed prefix list. An interface endpoint owns one ENI per
//! subnet (`EniOwner::VpcEndpoint`); the service's host answers on those ENIs' addresses too
//! (`Network::port_extra_addrs`), which makes each ENI "a host on an ENI served by a real TCP
//! stack" on both backends.

use super::ids::*;
use super::Network;
use serde::Serialize;
use std::net::Ipv4Addr;

/// An AWS service in one region.
#[derive(Clone, Debug, Serialize)]
pub struct AwsService {
    /// Its index.
    pub id: AwsServiceId,
    /// The short name (`s3`, `sqs`, `execute-api`).
    pub service: String,
    /// Its region.
    pub region: String,
    /// AWS's full name (`com.amazonaws.us-east-1.s3`), also its managed prefix list's name.
    pub name: String,
    /// The internet host that answers for it.
    pub host: InternetHostId,
    /// Its public address (the host's).
    pub ip: Ipv4Addr,
    /// The managed prefix list (S3 and DynamoDB only).
    pub prefix_list: Option<PrefixListId>,
}

/// Gateway or interface, with what each kind holds.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum EndpointKind {
    /// A gateway endpoint: these route tables route the service's prefix list to it.
    Gateway {
        /// The associated route tables.
        route_tables: Vec<RouteTableId>,
    },
    /// An interface endpoint: one ENI per chosen subnet.
    Interface {
        /// Its ENIs, in the order of `subnets:`.
        enis: Vec<EniId>,
        /// The service's public name resolves to the ENIs inside the VPC.
        private_dns: bool,
    },
}

/// A VPC endpoint.
#[derive(Clone, Debug, Serialize)]
pub struct VpcEndpoint {
    /// Its index.
    pub id: VpcEndpointId,
    /// Its name in the file.
    pub name: String,
    /// Display id (`vpce-NAME` or the written `aws_id`).
    pub aws_id: String,
    /// Free text.
    pub description: Option<String>,
    /// Its VPC.
    pub vpc: VpcId,
    /// The service it reaches.
    pub service: AwsServiceId,
    /// Gateway or interface.
    pub kind: EndpointKind,
    /// Interface: the first label of its regional DNS name as written (`dns_name:`, AWS's
    /// `vpce-…-0h4w5u94`); None: made from the id (see [`Network::endpoint_dns_names`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_label: Option<String>,
}

impl VpcEndpoint {
    /// True for a gateway endpoint.
    pub fn is_gateway(&self) -> bool {
        matches!(self.kind, EndpointKind::Gateway { .. })
    }
    /// The ENIs of an interface endpoint (none for a gateway endpoint).
    pub fn enis(&self) -> &[EniId] {
        match &self.kind {
            EndpointKind::Interface { enis, .. } => enis,
            EndpointKind::Gateway { .. } => &[],
        }
    }
    /// True when an interface endpoint has private DNS on.
    pub fn private_dns(&self) -> bool {
        matches!(
            self.kind,
            EndpointKind::Interface {
                private_dns: true,
                ..
            }
        )
    }
}

impl Network {
    /// The AWS service `id`.
    pub fn aws_service(&self, id: AwsServiceId) -> &AwsService {
        &self.aws_services[id.idx()]
    }
    /// The VPC endpoint `id`.
    pub fn vpc_endpoint(&self, id: VpcEndpointId) -> &VpcEndpoint {
        &self.vpc_endpoints[id.idx()]
    }
    /// The AWS service an internet host answers for, if it is one.
    pub fn service_of_host(&self, host: InternetHostId) -> Option<AwsServiceId> {
        self.aws_services
            .iter()
            .find(|s| s.host == host)
            .map(|s| s.id)
    }
    /// The service `service` in `region`.
    pub fn aws_service_named(&self, region: &str, service: &str) -> Option<AwsServiceId> {
        self.aws_services
            .iter()
            .find(|s| s.region == region && s.service == service)
            .map(|s| s.id)
    }
    /// The interface-endpoint ENI at `ip` that `host` (a service's host) answers for: a packet
    /// the host sends from that address leaves by that ENI. The first in model order when
    /// VPCs with the same addresses both have one (documented in docs/topology.md).
    pub fn endpoint_eni_of_host(&self, host: InternetHostId, ip: Ipv4Addr) -> Option<EniId> {
        let svc = self.service_of_host(host)?;
        self.vpc_endpoints
            .iter()
            .filter(|e| e.service == svc)
            .flat_map(|e| e.enis().iter().copied())
            .find(|e| self.eni(*e).private_ip == ip)
    }
    /// The engine port that hosts ENI `eni`: its instance's, or (an interface endpoint's) its
    /// service's host; None for a NAT gateway's.
    pub fn eni_port(&self, eni: EniId) -> Option<PortId> {
        match self.eni(eni).owner {
            super::EniOwner::Instance(i) => Some(self.instance(i).port),
            super::EniOwner::NatGateway(_) => None,
            super::EniOwner::LoadBalancer(l) => self.load_balancer(l).node(eni)?.port,
            super::EniOwner::VpcEndpoint(e) => {
                let svc = self.aws_service(self.vpc_endpoint(e).service);
                Some(self.internet_host(svc.host).port)
            }
        }
    }
    /// The interface-endpoint ENIs a service's host answers on (its extra addresses).
    pub fn service_host_enis(&self, host: InternetHostId) -> Vec<EniId> {
        let Some(svc) = self.service_of_host(host) else {
            return Vec::new();
        };
        self.vpc_endpoints
            .iter()
            .filter(|e| e.service == svc)
            .flat_map(|e| e.enis().iter().copied())
            .collect()
    }
    /// An interface endpoint's DNS names, as AWS lists them in `DnsEntries`: the regional name
    /// `VPCE_ID-XXXXXXXX.SERVICE.REGION.vpce.amazonaws.com` (all its ENIs) and one zonal name per
    /// ENI (`…-AZ.SERVICE…`), each with its addresses. XXXXXXXX is a stable hash of the id
    /// (AWS's is random), unless the file wrote AWS's name (`dns_name:`, whose first label is
    /// then the regional name's). Empty for a gateway endpoint.
    pub fn endpoint_dns_names(&self, ep: VpcEndpointId) -> Vec<(String, Vec<Ipv4Addr>)> {
        let e = self.vpc_endpoint(ep);
        if e.enis().is_empty() {
            return Vec::new();
        }
        let svc = self.aws_service(e.service);
        let h = e.aws_id.bytes().fold(0x811c_9dc5u32, |h, b| {
            (h ^ b as u32).wrapping_mul(0x0100_0193)
        });
        let tag: String = (0..8)
            .map(|k| {
                let d = (h.rotate_left(k * 4) % 36) as u8;
                (if d < 10 { b'0' + d } else { b'a' + d - 10 }) as char
            })
            .collect();
        let label = e
            .dns_label
            .clone()
            .unwrap_or_else(|| format!("{}-{tag}", e.aws_id));
        let tail = format!("{}.{}.vpce.amazonaws.com", svc.service, svc.region);
        let ips: Vec<Ipv4Addr> = e.enis().iter().map(|x| self.eni(*x).private_ip).collect();
        let mut out = vec![(format!("{label}.{tail}"), ips)];
        for x in e.enis() {
            let eni = self.eni(*x);
            let az = &self.subnet(eni.subnet).az;
            out.push((format!("{label}-{az}.{tail}"), vec![eni.private_ip]));
        }
        out
    }
    /// The endpoint ENI of `--to vpce-…` for a source in `az`: the one in that AZ, else the
    /// first.
    pub fn endpoint_eni_for_az(&self, ep: VpcEndpointId, az: Option<&str>) -> Option<EniId> {
        let enis = self.vpc_endpoint(ep).enis();
        az.and_then(|az| {
            enis.iter()
                .copied()
                .find(|e| self.subnet(self.eni(*e).subnet).az == az)
        })
        .or_else(|| enis.first().copied())
    }
}
