//! Routing policies (Route 53 §7.3-7.4): which members of a record set answer, given each
//! member's health, the client and a seeded random generator.

use super::client::Client;
use super::geo::{self, LatencyTable};
use super::rng::Rng;
use super::zones::{member_coords, GeoMatch, Group, Policy, Role};

/// At most this many multivalue records are returned.
pub const MULTIVALUE_MAX: usize = 8;

/// Indices of the members that answer. `healthy[i]` is member i's health; when no member is
/// healthy, every member is treated as healthy (§7.4 step 4), which also gives failover's
/// "both unhealthy → primary" and multivalue's "all unhealthy → up to 8 unhealthy".
pub fn select(
    g: &Group,
    healthy: &[bool],
    client: &Client,
    latency: &LatencyTable,
    rng: &mut Rng,
) -> Vec<usize> {
    let n = g.members.len();
    let any = healthy.iter().any(|h| *h);
    let h = |i: usize| !any || healthy.get(i).copied().unwrap_or(true);
    let ok: Vec<usize> = (0..n).filter(|&i| h(i)).collect();
    match g.policy {
        Policy::Simple => (0..n).collect(),
        Policy::Weighted => {
            let nonzero: Vec<usize> = ok
                .iter()
                .copied()
                .filter(|&i| g.members[i].routing.weight > 0)
                .collect();
            let pool = if nonzero.is_empty() { ok } else { nonzero };
            let total: u64 = pool
                .iter()
                .map(|&i| g.members[i].routing.weight as u64)
                .sum();
            if pool.is_empty() {
                return vec![];
            }
            if total == 0 {
                return vec![pool[rng.below(pool.len() as u64) as usize]];
            }
            let mut x = rng.below(total);
            for &i in &pool {
                let w = g.members[i].routing.weight as u64;
                if x < w {
                    return vec![i];
                }
                x -= w;
            }
            vec![pool[pool.len() - 1]]
        }
        Policy::Latency => {
            let region = client.region.as_deref().unwrap_or("us-east-1");
            ok.iter()
                .copied()
                .min_by_key(|&i| {
                    g.members[i]
                        .routing
                        .region
                        .as_deref()
                        .map(|r| latency.ms(r, region))
                        .unwrap_or(u32::MAX)
                })
                .into_iter()
                .collect()
        }
        Policy::Failover => {
            let find = |role| (0..n).find(|&i| g.members[i].routing.role == Some(role));
            match (find(Role::Primary), find(Role::Secondary)) {
                (Some(p), _) if h(p) => vec![p],
                (Some(_), Some(s)) if h(s) => vec![s],
                (Some(p), _) => vec![p],
                (None, Some(s)) => vec![s],
                (None, None) => vec![],
            }
        }
        Policy::Geolocation => {
            let mut matched: Vec<usize> = (0..n)
                .filter(|&i| {
                    g.members[i]
                        .routing
                        .location
                        .as_ref()
                        .is_some_and(|l| geo_matches(l, client))
                })
                .collect();
            matched.sort_by_key(|&i| {
                std::cmp::Reverse(
                    g.members[i]
                        .routing
                        .location
                        .as_ref()
                        .map(|l| l.rank())
                        .unwrap_or(0),
                )
            });
            matched
                .iter()
                .copied()
                .find(|&i| healthy.get(i).copied().unwrap_or(true))
                .or(matched.first().copied())
                .into_iter()
                .collect()
        }
        Policy::Geoproximity => {
            let Some(c) = client.coords else {
                return ok.into_iter().take(1).collect();
            };
            let dist = |i: usize| {
                let m = &g.members[i];
                member_coords(m)
                    .map(|mc| geo::biased(geo::distance_km(c, mc), m.routing.bias))
                    .unwrap_or(f64::MAX)
            };
            ok.iter()
                .copied()
                .min_by(|&a, &b| dist(a).total_cmp(&dist(b)))
                .into_iter()
                .collect()
        }
        Policy::Multivalue => {
            let mut pool = ok;
            rng.shuffle(&mut pool);
            pool.truncate(MULTIVALUE_MAX);
            pool
        }
    }
}

/// True when a geolocation area covers the client.
pub fn geo_matches(l: &GeoMatch, c: &Client) -> bool {
    let loc = &c.location;
    match l {
        GeoMatch::Default => true,
        GeoMatch::Continent(k) => loc.continent.as_deref() == Some(k.as_str()),
        GeoMatch::Country(k) => loc.country.as_deref() == Some(k.as_str()),
        GeoMatch::Subdivision(k, s) => {
            loc.country.as_deref() == Some(k.as_str())
                && loc.subdivision.as_deref() == Some(s.as_str())
        }
    }
}
