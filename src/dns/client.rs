//! Who asks (part of `dns`, rank 4): the querying host's address, the resolver it asked (a
//! VPC's, or the emulated public resolver), and where it is (for geolocation, latency and
//! geoproximity routing).

use super::geo;
use crate::model::GeoLocation;
use crate::model::{Endpoint, InstanceId, InternetHostId, Network, VpcId};
use std::net::Ipv4Addr;

/// A DNS client's vantage point: what Route 53 routing policies see of the asker.
#[derive(Clone, Debug, PartialEq)]
pub struct Client {
    /// Source address (private IP in a VPC, public IP on the internet).
    pub src: Ipv4Addr,
    /// The VPC whose resolver is asked; None = the emulated public resolver (internet view).
    pub vpc: Option<VpcId>,
    /// Geolocation (continent filled in from the country).
    pub location: GeoLocation,
    /// AWS region used for latency routing: the VPC's for a VPC client; an internet host's
    /// `region:`, else the region nearest its location; None when neither is known.
    pub region: Option<String>,
    /// `(latitude, longitude)` in degrees used for geoproximity: from the location when known,
    /// else the region's; None when neither is known.
    pub coords: Option<(f64, f64)>,
    /// The client's subnet has DNS64 (`dns64: true`): AAAA questions for names with only A
    /// records get 64:ff9b::/96 answers (`dns::dns64`). False outside VPCs.
    pub dns64: bool,
}

impl Client {
    /// A client of the public resolver at a location / region (either may be missing).
    pub fn internet(
        src: Ipv4Addr,
        location: Option<GeoLocation>,
        region: Option<String>,
    ) -> Client {
        let location = location.map(geo::complete);
        let from_loc = location.as_ref().and_then(geo::location_coords_region);
        let region = region.or_else(|| from_loc.map(|(_, r)| r.to_string()));
        let location = location
            .or_else(|| region.as_deref().and_then(geo::region_location))
            .unwrap_or_default();
        let coords = match (&region, from_loc) {
            (_, Some((c, _))) => Some(c),
            (Some(r), None) => geo::region_coords(r),
            _ => None,
        };
        Client {
            src,
            vpc: None,
            location,
            region,
            coords,
            dns64: false,
        }
    }

    /// A client inside a VPC asking its resolver; located at the VPC's region (the resolver's
    /// region is what Route 53 sees).
    pub fn vpc(net: &Network, vpc: VpcId, src: Ipv4Addr) -> Client {
        let region = net.vpc(vpc).region.clone();
        Client {
            src,
            vpc: Some(vpc),
            location: geo::region_location(&region).unwrap_or_default(),
            coords: geo::region_coords(&region),
            region: Some(region),
            dns64: false,
        }
    }

    /// An instance asking its VPC's resolver, from its primary private IP.
    pub fn instance(net: &Network, id: InstanceId) -> Client {
        let i = net.instance(id);
        Client {
            dns64: net.subnet_ipv6(net.eni(i.eni).subnet).dns64,
            ..Client::vpc(net, i.vpc, net.eni(i.eni).private_ip)
        }
    }

    /// An internet host asking the public resolver.
    pub fn internet_host(net: &Network, id: InternetHostId) -> Client {
        let h = net.internet_host(id);
        Client::internet(h.ip, h.location.clone(), h.region.clone())
    }

    /// An instance (its VPC's resolver) or an internet host (the public resolver).
    pub fn endpoint(net: &Network, e: Endpoint) -> Client {
        match e {
            Endpoint::Instance(i) => Client::instance(net, i),
            Endpoint::Internet(h) => Client::internet_host(net, h),
        }
    }
}
