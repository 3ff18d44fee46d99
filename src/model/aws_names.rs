//! Amazon-provided names of AWS services and interface endpoints (Route 53's public view):
//! `SERVICE.REGION.amazonaws.com`, S3's `BUCKET.s3.REGION.amazonaws.com` (and the global
//! `s3.amazonaws.com` for us-east-1), and an interface endpoint's regional and zonal
//! `vpce-….SERVICE.REGION.vpce.amazonaws.com` names (which resolve to its private addresses from
//! anywhere, as AWS's do). Private DNS: inside a VPC with an interface endpoint for the service
//! that has private DNS on (and both DNS attributes), the service's names resolve to the
//! endpoint's ENIs instead.
//!
//! The name-to-address part, shared by the resolver (`dns::aws_names`, which answers `dig`) and
//! `reach`'s destinations, so both give one answer.

use crate::model::{AwsServiceId, Network, VpcId};
use std::net::Ipv4Addr;

/// What a name resolves to, before the client's view is applied.
enum Named {
    /// A service's public name (or an S3 bucket's).
    Service(AwsServiceId),
    /// An interface endpoint's own name: these addresses.
    Endpoint(Vec<Ipv4Addr>),
}

/// The service or endpoint a name belongs to, if any.
fn named(net: &Network, name: &str) -> Option<Named> {
    if !name.ends_with(".amazonaws.com") {
        return None;
    }
    if name.ends_with(".vpce.amazonaws.com") {
        return net.vpc_endpoints.iter().find_map(|e| {
            net.endpoint_dns_names(e.id)
                .into_iter()
                .find(|(n, _)| n == name)
                .map(|(_, ips)| Named::Endpoint(ips))
        });
    }
    net.aws_services
        .iter()
        .find(|s| {
            let public = crate::topology::aws_services::public_name(&s.region, &s.service);
            name == public
                || (s.service == "s3" && name.ends_with(&format!(".{public}")))
                || (s.service == "s3"
                    && s.region == "us-east-1"
                    && (name == "s3.amazonaws.com" || name.ends_with(".s3.amazonaws.com")))
        })
        .map(|s| Named::Service(s.id))
}

/// True when `name` is a service's or an interface endpoint's Amazon-provided name.
pub fn is_aws_name(net: &Network, name: &str) -> bool {
    named(net, name).is_some()
}

/// The addresses a client asking `vpc`'s resolver (None: the public resolver) gets for
/// service `svc`: the ENIs of an interface endpoint with private DNS in its VPC, else the
/// service's public address.
fn service_addresses(net: &Network, svc: AwsServiceId, vpc: Option<VpcId>) -> Vec<Ipv4Addr> {
    if let Some(v) = vpc {
        let vpc = net.vpc(v);
        let private = net
            .vpc_endpoints
            .iter()
            .find(|e| e.vpc == v && e.service == svc && e.private_dns());
        if let Some(e) = private.filter(|_| vpc.dns_support && vpc.dns_hostnames) {
            return e.enis().iter().map(|x| net.eni(*x).private_ip).collect();
        }
    }
    vec![net.aws_service(svc).ip]
}

/// The A records `name` has for a client asking `vpc`'s resolver (None: the public resolver),
/// exactly as that resolver answers them; None when `name` is no service's or interface
/// endpoint's Amazon-provided name.
pub fn addresses(net: &Network, name: &str, vpc: Option<VpcId>) -> Option<Vec<Ipv4Addr>> {
    match named(net, name)? {
        Named::Service(s) => Some(service_addresses(net, s, vpc)),
        Named::Endpoint(ips) => Some(ips),
    }
}

/// The one address a client in `vpc` and availability zone `az` connects to for `name`: among
/// the resolver's answers ([`addresses`]), an interface endpoint's ENI in the client's AZ, else
/// the first answer. `Some(None)`: an AWS name with no address (an endpoint with no ENI);
/// None: not an AWS name.
pub fn address_for(
    net: &Network,
    name: &str,
    vpc: Option<VpcId>,
    az: Option<&str>,
) -> Option<Option<Ipv4Addr>> {
    let ips = addresses(net, name, vpc)?;
    let in_az = |ip: &Ipv4Addr| {
        let eni = net
            .vpcs
            .iter()
            .find_map(|v| net.eni_by_private_ip(v.id, *ip));
        eni.is_some_and(|e| az.is_some_and(|az| net.subnet(net.eni(e).subnet).az == az))
    };
    Some(ips.iter().find(|ip| in_az(ip)).or(ips.first()).copied())
}
