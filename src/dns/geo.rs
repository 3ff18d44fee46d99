//! Geography for routing policies: the main AWS regions with coordinates and locations, a
//! country table (continent, centroid, nearest region), a built-in symmetric region latency
//! table derived from great-circle distance, and the geoproximity bias formula.

use crate::model::GeoLocation;
pub use crate::topology::regions::{region, RegionRow, CONTINENT_CODES, REGIONS};
use std::collections::BTreeMap;

/// Countries: code, continent, latitude, longitude, nearest region.
const COUNTRIES: &[(&str, &str, f64, f64, &str)] = &[
    ("US", "NA", 39.8, -98.6, "us-east-1"),
    ("CA", "NA", 56.1, -106.3, "ca-central-1"),
    ("MX", "NA", 23.6, -102.5, "us-west-1"),
    ("BR", "SA", -14.2, -51.9, "sa-east-1"),
    ("AR", "SA", -38.4, -63.6, "sa-east-1"),
    ("CL", "SA", -35.7, -71.5, "sa-east-1"),
    ("CO", "SA", 4.6, -74.1, "us-east-1"),
    ("GB", "EU", 54.0, -2.0, "eu-west-2"),
    ("IE", "EU", 53.4, -8.2, "eu-west-1"),
    ("FR", "EU", 46.2, 2.2, "eu-west-3"),
    ("DE", "EU", 51.2, 10.4, "eu-central-1"),
    ("NL", "EU", 52.1, 5.3, "eu-central-1"),
    ("BE", "EU", 50.5, 4.5, "eu-west-3"),
    ("ES", "EU", 40.5, -3.7, "eu-west-3"),
    ("PT", "EU", 39.4, -8.2, "eu-west-3"),
    ("IT", "EU", 41.9, 12.6, "eu-central-1"),
    ("CH", "EU", 46.8, 8.2, "eu-central-1"),
    ("AT", "EU", 47.5, 14.6, "eu-central-1"),
    ("PL", "EU", 51.9, 19.1, "eu-central-1"),
    ("SE", "EU", 60.1, 18.6, "eu-north-1"),
    ("NO", "EU", 60.5, 8.5, "eu-north-1"),
    ("FI", "EU", 61.9, 25.7, "eu-north-1"),
    ("DK", "EU", 56.3, 9.5, "eu-north-1"),
    ("RU", "EU", 55.8, 37.6, "eu-north-1"),
    ("UA", "EU", 48.4, 31.2, "eu-central-1"),
    ("TR", "AS", 39.0, 35.2, "eu-central-1"),
    ("JP", "AS", 36.2, 138.3, "ap-northeast-1"),
    ("KR", "AS", 35.9, 127.8, "ap-northeast-2"),
    ("CN", "AS", 35.9, 104.2, "ap-northeast-1"),
    ("HK", "AS", 22.3, 114.2, "ap-southeast-1"),
    ("TW", "AS", 23.7, 121.0, "ap-northeast-1"),
    ("IN", "AS", 20.6, 79.0, "ap-south-1"),
    ("SG", "AS", 1.35, 103.8, "ap-southeast-1"),
    ("ID", "AS", -0.8, 113.9, "ap-southeast-1"),
    ("TH", "AS", 15.9, 101.0, "ap-southeast-1"),
    ("AE", "AS", 23.4, 53.8, "ap-south-1"),
    ("IL", "AS", 31.0, 34.9, "eu-central-1"),
    ("AU", "OC", -25.3, 133.8, "ap-southeast-2"),
    ("NZ", "OC", -40.9, 174.9, "ap-southeast-2"),
    ("ZA", "AF", -30.6, 22.9, "eu-west-1"),
    ("NG", "AF", 9.1, 8.7, "eu-west-1"),
    ("EG", "AF", 26.8, 30.8, "eu-central-1"),
    ("KE", "AF", -0.02, 37.9, "eu-central-1"),
    ("AQ", "AN", -75.3, -0.07, "ap-southeast-2"),
];

/// Continents: code, latitude, longitude, nearest region.
const CONTINENTS: &[(&str, f64, f64, &str)] = &[
    ("NA", 40.0, -100.0, "us-east-1"),
    ("SA", -15.0, -60.0, "sa-east-1"),
    ("EU", 50.0, 10.0, "eu-central-1"),
    ("AS", 30.0, 100.0, "ap-northeast-1"),
    ("OC", -25.0, 135.0, "ap-southeast-2"),
    ("AF", 5.0, 20.0, "eu-west-1"),
    ("AN", -80.0, 0.0, "ap-southeast-2"),
];

/// A region's `(latitude, longitude)` in degrees; None for a region not in `topology::regions`.
pub fn region_coords(name: &str) -> Option<(f64, f64)> {
    region(name).map(|r| (r.1, r.2))
}

/// Where a region is, as a geolocation (continent, country, subdivision).
pub fn region_location(name: &str) -> Option<GeoLocation> {
    region(name).map(|r| GeoLocation {
        continent: Some(r.5.to_string()),
        country: Some(r.3.to_string()),
        subdivision: (!r.4.is_empty()).then(|| r.4.to_string()),
    })
}

/// The continent code of an ISO 3166-1 alpha-2 country code; None for a country not in the
/// table.
pub fn country_continent(code: &str) -> Option<&'static str> {
    COUNTRIES.iter().find(|c| c.0 == code).map(|c| c.1)
}

/// Fills in a location's continent from its country when missing.
pub fn complete(mut loc: GeoLocation) -> GeoLocation {
    if loc.continent.is_none() {
        if let Some(c) = loc.country.as_deref().and_then(country_continent) {
            loc.continent = Some(c.to_string());
        }
    }
    loc
}

/// The coordinates and nearest region of a location (country first, then continent).
pub fn location_coords_region(loc: &GeoLocation) -> Option<((f64, f64), &'static str)> {
    if let Some(c) = loc
        .country
        .as_deref()
        .and_then(|c| COUNTRIES.iter().find(|r| r.0 == c))
    {
        return Some(((c.2, c.3), c.4));
    }
    loc.continent
        .as_deref()
        .and_then(|k| CONTINENTS.iter().find(|r| r.0 == k))
        .map(|c| ((c.1, c.2), c.3))
}

/// Great-circle (haversine) distance in km between two `(latitude, longitude)` points in
/// degrees, on a spherical Earth.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// Geoproximity bias (-99..99) applied to a distance: positive shrinks, negative grows.
pub fn biased(distance: f64, bias: i64) -> f64 {
    let b = bias.clamp(-99, 99) as f64;
    if b >= 0.0 {
        distance * (1.0 - b / 100.0)
    } else {
        distance / (1.0 + b / 100.0)
    }
}

/// Round-trip latency in ms between two regions: the topology's `dns.latency` override first
/// (either direction), then the built-in table (5 ms + 12 ms per 1,000 km of great circle,
/// roughly what inter-region pings show). Unknown regions get 1,000 ms.
#[derive(Clone, Debug, Default)]
pub struct LatencyTable {
    /// `dns: latency:` as written: record region → client region → round-trip ms.
    pub overrides: BTreeMap<String, BTreeMap<String, u32>>,
}

impl LatencyTable {
    /// Latency between a record's region and the client's region.
    pub fn ms(&self, record_region: &str, client_region: &str) -> u32 {
        if let Some(v) = self
            .overrides
            .get(record_region)
            .and_then(|m| m.get(client_region))
        {
            return *v;
        }
        if let Some(v) = self
            .overrides
            .get(client_region)
            .and_then(|m| m.get(record_region))
        {
            return *v;
        }
        builtin_ms(record_region, client_region).unwrap_or(1000)
    }
}

/// The built-in latency between two known regions.
pub fn builtin_ms(a: &str, b: &str) -> Option<u32> {
    let (ca, cb) = (region_coords(a)?, region_coords(b)?);
    if a == b {
        return Some(2);
    }
    Some((5.0 + distance_km(ca, cb) * 0.012).round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_is_symmetric_and_plausible() {
        let t = LatencyTable::default();
        assert_eq!(
            t.ms("us-east-1", "eu-west-1"),
            t.ms("eu-west-1", "us-east-1")
        );
        let tr = t.ms("us-east-1", "eu-west-1");
        assert!((50..100).contains(&tr), "{tr}");
        assert!(t.ms("eu-central-1", "eu-west-3") < t.ms("eu-central-1", "us-east-1"));
        assert_eq!(t.ms("us-east-1", "us-east-1"), 2);
    }

    #[test]
    fn bias_formula() {
        assert_eq!(biased(100.0, 50), 50.0);
        assert_eq!(biased(100.0, -50), 200.0);
        assert_eq!(biased(100.0, 0), 100.0);
    }

    #[test]
    fn country_fills_continent() {
        let l = complete(GeoLocation {
            country: Some("JP".into()),
            ..Default::default()
        });
        assert_eq!(l.continent.as_deref(), Some("AS"));
    }
}
