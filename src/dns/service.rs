//! The engine hook: answers queries the engine intercepts (VPC resolver at base+2 and
//! 169.254.169.253, or the emulated public resolver), locating the client from the `Network`.
//! The one place `dns` implements an engine trait (`DnsService`); both backends install it.

use super::client::Client;
use super::health::{HealthTable, HealthView};
use super::rng::Rng;
use super::wire::{handle, Transport};
use super::zones::Zones;
use crate::engine::{DnsClient, DnsService, Nanos};
use crate::model::PortOwner;
use std::sync::Arc;

/// `DnsService` over compiled zones and a shared health table.
pub struct Route53 {
    zones: Arc<Zones>,
    health: Arc<HealthTable>,
    rng: Rng,
}

impl Route53 {
    /// A service; `health` comes from a `HealthMonitor` (or `HealthTable::new(n)` for all healthy).
    pub fn new(zones: Arc<Zones>, health: Arc<HealthTable>, seed: u64) -> Self {
        Route53 {
            zones,
            health,
            rng: Rng::new(seed),
        }
    }

    /// The client as `answer` sees it: instances at their VPC's region, internet hosts at their
    /// `location` / `region`. The resolver asked decides the view (`c.vpc`).
    pub fn client(&self, c: DnsClient) -> Client {
        let net = &self.zones.net;
        let located = match net.ports.get(c.port.idx()).map(|p| p.owner) {
            Some(PortOwner::Internet(h)) => Client::internet_host(net, h),
            Some(PortOwner::Instance(i)) => Client::instance(net, i),
            Some(PortOwner::LoadBalancerNode(_)) => Client::internet(c.src, None, None),
            None => Client::internet(c.src, None, None),
        };
        match c.vpc {
            Some(v) => Client {
                src: c.src,
                dns64: located.dns64,
                ..Client::vpc(net, v, c.src)
            },
            None => Client {
                src: c.src,
                vpc: None,
                ..located
            },
        }
    }
}

impl DnsService for Route53 {
    fn answer(&mut self, query: &[u8], client: DnsClient, _now: Nanos) -> Option<Vec<u8>> {
        let c = self.client(client);
        let h: &dyn HealthView = &*self.health;
        handle(&self.zones, h, query, &c, &mut self.rng, Transport::Udp)
    }
}
