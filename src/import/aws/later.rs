//! The report of what this importer does not read: objects of kinds a later issue adds
//! (transit gateways, VPN and Direct Connect: 13; endpoints: 14; load balancers: 15), services
//! present only through their interfaces (RDS, OpenSearch), unrecognised top-level keys, and
//! the tags other than `Name`, which are dropped.

use super::super::report::Outcome;
use super::build::Builder;
use super::snapshot::{Snapshot, LATER};

/// Reports everything of `snap` that has no place in the document.
pub fn report_later(b: &mut Builder, snap: &Snapshot) {
    for at in &snap.later {
        let (key, o) = &at.item;
        let Some((_, kind, n)) = LATER.iter().find(|(k, _, _)| k == key) else {
            continue;
        };
        let id = o
            .id()
            .map(str::to_string)
            .unwrap_or_else(|| at.file.clone());
        let mut why = "not modelled yet".to_string();
        if let Some(s) = o
            .state
            .as_ref()
            .and_then(|s| s.word())
            .filter(|s| s.starts_with("delet"))
        {
            why = format!("state is {s}");
            b.report.add(*kind, id, Outcome::Skipped, why);
            continue;
        }
        if let Some(t) = &o.vpc_endpoint_type {
            why = format!("a {t} endpoint: not modelled yet");
        }
        b.report.later(*kind, id, Outcome::Unsupported, why, *n);
    }
    for at in &snap.by_interfaces {
        let (kind, o) = &at.item;
        let id = o
            .id()
            .map(str::to_string)
            .unwrap_or_else(|| at.file.clone());
        b.report.add(
            *kind,
            id,
            Outcome::Approximated,
            "present only through its network interfaces (imported as instances)",
        );
    }
    for (key, n, file) in &snap.unknown {
        b.report.add(
            key.as_str(),
            file.as_str(),
            Outcome::Unsupported,
            format!("unrecognised top-level key ({n} elements) left out"),
        );
    }
    for file in &snap.orphan_entries {
        b.report.add(
            "PrefixListEntries",
            file.as_str(),
            Outcome::Skipped,
            "the file name carries no prefix-list id (pl-…)",
        );
    }
    for file in &snap.orphan_tables {
        b.report.add(
            "TransitGatewayRouteTable",
            file.as_str(),
            Outcome::Skipped,
            "propagations or routes of one table in a file whose name carries no table id (tgw-rtb-…)",
        );
    }
    let tagged: usize = snap
        .vpcs
        .iter()
        .map(|v| other_tags(&v.item.tags))
        .sum::<usize>()
        + snap
            .subnets
            .iter()
            .map(|v| other_tags(&v.item.tags))
            .sum::<usize>()
        + snap
            .route_tables
            .iter()
            .map(|v| other_tags(&v.item.tags))
            .sum::<usize>()
        + snap
            .network_acls
            .iter()
            .map(|v| other_tags(&v.item.tags))
            .sum::<usize>()
        + snap
            .security_groups
            .iter()
            .map(|v| other_tags(&v.item.tags))
            .sum::<usize>()
        + snap
            .instances
            .iter()
            .map(|v| other_tags(&v.item.tags))
            .sum::<usize>()
        + snap
            .network_interfaces
            .iter()
            .map(|v| other_tags(&v.item.tag_set))
            .sum::<usize>()
        + snap
            .nat_gateways
            .iter()
            .map(|v| other_tags(&v.item.tags))
            .sum::<usize>()
        + snap
            .peerings
            .iter()
            .map(|v| other_tags(&v.item.tags))
            .sum::<usize>();
    if tagged > 0 {
        b.report.add(
            "Tag",
            "*",
            Outcome::Skipped,
            format!("{tagged} tags other than Name dropped (the Name tag is kept as description)"),
        );
    }
}

/// How many tags other than `Name` a list has.
fn other_tags(tags: &[super::json::Tag]) -> usize {
    tags.iter().filter(|t| t.key != "Name").count()
}
