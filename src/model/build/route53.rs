//! The `dns:` section resolved into `Route53`: health checks (targets resolved to addresses),
//! hosted zones (VPC names resolved) and their records (alias targets, health checks and
//! enumerations resolved, defaults applied). Runs after the ENIs exist.

use super::{Builder, Built, Unresolved};
use crate::model::route53::*;
use crate::model::*;
use crate::topology::{spec, Sp};
use std::collections::HashMap;

impl Builder<'_> {
    /// Fills `Network::route53`.
    pub(super) fn route53(&mut self) -> Built<()> {
        let Some(dns) = &self.t.dns else {
            return Ok(());
        };
        let mut by_name = HashMap::new();
        let mut health_checks = Vec::with_capacity(dns.health_checks.len());
        for (name, c) in dns.health_checks.iter() {
            by_name.insert(name.value.as_str(), health_checks.len());
            health_checks.push(self.health_check(name, c)?);
        }
        let mut zones = Vec::with_capacity(dns.zones.len());
        for z in &dns.zones {
            let vpcs = z
                .vpcs
                .iter()
                .map(|v| self.vpc_named(v))
                .collect::<Built<_>>()?;
            let records = z
                .records
                .iter()
                .map(|r| self.record(r, &by_name))
                .collect::<Built<_>>()?;
            zones.push(HostedZone {
                name: z.name.value.clone(),
                private: z.private.as_ref().is_some_and(|p| p.value),
                vpcs,
                records,
            });
        }
        self.n.route53 = Route53 {
            zones,
            health_checks,
            latency: dns.latency.clone().unwrap_or_default(),
        };
        Ok(())
    }

    fn health_check(&self, name: &Sp<String>, c: &spec::HealthCheck) -> Built<HealthCheck> {
        let target = self.check_target(&c.target.value).ok_or_else(|| {
            Unresolved::new(
                c.target.loc,
                format!("health check target `{}`", c.target.value),
            )
        })?;
        let number = |v: &Option<Sp<i64>>, default: i64, lo: i64, hi: i64| {
            v.as_ref().map_or(default, |x| x.value).clamp(lo, hi)
        };
        Ok(HealthCheck {
            name: name.value.clone(),
            target,
            protocol: if c.protocol.value == "tcp" {
                CheckProtocol::Tcp
            } else {
                CheckProtocol::Http
            },
            port: number(&c.port, 80, 1, 65535) as u16,
            path: c.path.clone().unwrap_or_else(|| "/".into()),
            search: c.search_string.clone(),
            interval: number(&c.interval, 30, 1, 3600) as u32,
            threshold: number(&c.failure_threshold, 3, 1, 10) as u32,
            inverted: c.inverted.unwrap_or(false),
        })
    }

    /// A health check's target address: an IPv4 address, or an instance's public (else
    /// private) IP.
    fn check_target(&self, s: &str) -> Option<Ipv4Addr> {
        if let Some(name) = s.strip_prefix("instance:") {
            let i = self.n.instance_by_name(name)?;
            let eni = self.n.eni(self.n.instance(i).eni);
            return Some(eni.public_ip.unwrap_or(eni.private_ip));
        }
        s.trim().parse().ok()
    }

    fn record(&self, r: &spec::Record, checks: &HashMap<&str, usize>) -> Built<Record> {
        let policy = match &r.routing {
            Some(p) => Policy::parse(&p.value)
                .ok_or_else(|| Unresolved::new(p.loc, format!("routing policy `{}`", p.value)))?,
            None => Policy::Simple,
        };
        let alias = r.alias.as_ref().map(|a| self.alias(a)).transpose()?;
        let health =
            match &r.health_check {
                Some(h) => Some(*checks.get(h.value.as_str()).ok_or_else(|| {
                    Unresolved::new(h.loc, format!("health check `{}`", h.value))
                })?),
                None => None,
            };
        let role = match r.role.as_ref().map(|r| r.value.as_str()) {
            Some("primary") => Some(Role::Primary),
            Some("secondary") => Some(Role::Secondary),
            _ => None,
        };
        let location = r.location.as_ref().and_then(|l| GeoMatch::from_spec(l));
        let coords = r.coordinates.as_ref().map(|c| (c.lat, c.lon));
        let region = r.region.as_ref().map(|s| s.value.clone());
        let set = match &r.set {
            Some(s) => s.value.clone(),
            None => match policy {
                Policy::Failover => r.role.as_ref().map(|s| s.value.clone()).unwrap_or_default(),
                Policy::Geolocation => format!("{location:?}"),
                Policy::Latency => region.clone().unwrap_or_default(),
                Policy::Geoproximity => region.clone().unwrap_or_else(|| format!("{coords:?}")),
                _ => String::new(),
            },
        };
        Ok(Record {
            name: r.name.value.clone(),
            rtype: r.rtype.value.clone(),
            values: r
                .values
                .iter()
                .map(|v| v.value.as_str().to_string())
                .collect(),
            alias,
            policy,
            ttl: r
                .ttl
                .as_ref()
                .map_or(DEFAULT_TTL, |t| t.value.clamp(0, i32::MAX as i64) as u32),
            routing: Routing {
                set,
                evaluate_target_health: r.evaluate_target_health.unwrap_or(false),
                weight: r
                    .weight
                    .as_ref()
                    .map_or(0, |w| w.value.clamp(0, 255) as u32),
                role,
                location,
                region,
                coords,
                bias: r.bias.as_ref().map_or(0, |b| b.value),
                health,
            },
        })
    }

    /// `instance:NAME`, `nat:NAME` or another record's name.
    fn alias(&self, a: &Sp<String>) -> Built<AliasTarget> {
        let missing = || Unresolved::new(a.loc, format!("alias target `{}`", a.value));
        Ok(if let Some(n) = a.value.strip_prefix("instance:") {
            AliasTarget::Instance(self.n.instance_by_name(n).ok_or_else(missing)?)
        } else if let Some(n) = a.value.strip_prefix("nat:") {
            let g = self.n.nat_gateways.iter().find(|g| g.name == n);
            AliasTarget::Nat(g.ok_or_else(missing)?.id)
        } else if let Some(n) = a.value.strip_prefix("lb:") {
            let l = self.n.load_balancers.iter().find(|l| l.name == n);
            AliasTarget::LoadBalancer(l.ok_or_else(missing)?.id)
        } else {
            AliasTarget::Record(a.value.clone())
        })
    }
}
