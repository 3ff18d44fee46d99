//! The AWS regions and continent codes a topology file may name (`region:` of latency and
//! geoproximity records, geolocation continents), with each region's coordinates and place:
//! the data both validation and Route 53's routing (`dns::geo`) read.

/// A region: name, latitude, longitude, country, subdivision, continent.
pub type RegionRow = (
    &'static str,
    f64,
    f64,
    &'static str,
    &'static str,
    &'static str,
);

/// The AWS regions vpclab knows (16 commercial ones), each with the coordinates and place of
/// its main location; validation checks `region:` values against them.
pub const REGIONS: &[RegionRow] = &[
    ("us-east-1", 38.9, -77.4, "US", "VA", "NA"),
    ("us-east-2", 40.0, -83.0, "US", "OH", "NA"),
    ("us-west-1", 37.4, -121.9, "US", "CA", "NA"),
    ("us-west-2", 45.6, -121.2, "US", "OR", "NA"),
    ("ca-central-1", 45.5, -73.6, "CA", "QC", "NA"),
    ("sa-east-1", -23.5, -46.6, "BR", "SP", "SA"),
    ("eu-west-1", 53.3, -6.3, "IE", "", "EU"),
    ("eu-west-2", 51.5, -0.1, "GB", "", "EU"),
    ("eu-west-3", 48.9, 2.35, "FR", "", "EU"),
    ("eu-central-1", 50.1, 8.7, "DE", "HE", "EU"),
    ("eu-north-1", 59.3, 18.1, "SE", "", "EU"),
    ("ap-northeast-1", 35.7, 139.7, "JP", "", "AS"),
    ("ap-northeast-2", 37.6, 127.0, "KR", "", "AS"),
    ("ap-southeast-1", 1.35, 103.8, "SG", "", "AS"),
    ("ap-southeast-2", -33.9, 151.2, "AU", "NSW", "OC"),
    ("ap-south-1", 19.1, 72.9, "IN", "", "AS"),
];

/// The seven continent codes Route 53 uses for geolocation (`AF` Africa, `AN` Antarctica,
/// `AS` Asia, `EU` Europe, `OC` Oceania, `NA` North America, `SA` South America).
pub const CONTINENT_CODES: &[&str] = &["AF", "AN", "AS", "EU", "OC", "NA", "SA"];

/// The row of the region named `name` (exact, lower case); None for a region not in `REGIONS`.
pub fn region(name: &str) -> Option<&'static RegionRow> {
    REGIONS.iter().find(|r| r.0 == name)
}
