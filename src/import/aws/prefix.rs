//! Prefix lists. `describe-managed-prefix-lists` (customer-managed: imported, entries from
//! `get-managed-prefix-list-entries` files named after the list's id) and
//! `describe-prefix-lists` (AWS's service lists, `com.amazonaws.REGION.s3`: imported only when
//! a route or an SG rule names them, with the CIDRs the dump holds) share the `PrefixLists` key;
//! the fields tell them apart.

use super::super::doc::{PrefixList, PrefixListEntry};
use super::super::names::{description, Namer};
use super::super::report::{issue, Outcome};
use super::build::{by_id, Builder};
use super::json::name_tag;
use super::snapshot::Snapshot;
use ipnet::Ipv4Net;
use std::collections::BTreeSet;

/// The ids of prefix lists that a route or an SG rule names.
fn referenced(snap: &Snapshot) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for rt in &snap.route_tables {
        for r in &rt.item.routes {
            if let Some(p) = &r.destination_prefix_list_id {
                ids.insert(p.clone());
            }
        }
    }
    for sg in &snap.security_groups {
        for p in sg
            .item
            .ip_permissions
            .iter()
            .chain(&sg.item.ip_permissions_egress)
        {
            for l in &p.prefix_list_ids {
                ids.insert(l.prefix_list_id.clone());
            }
        }
    }
    ids
}

/// IPv4 network CIDRs of `texts`, without duplicates; the count of those left out.
fn cidrs<'a>(
    texts: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> (Vec<PrefixListEntry>, usize) {
    let mut out: Vec<PrefixListEntry> = Vec::new();
    let mut dropped = 0;
    for (t, d) in texts {
        match t.trim().parse::<Ipv4Net>() {
            Ok(n) if n.trunc() == n && !out.iter().any(|e| e.cidr == n) => {
                out.push(PrefixListEntry {
                    cidr: n,
                    description: d.filter(|d| !d.is_empty()).map(str::to_string),
                })
            }
            Ok(_) => {}
            Err(_) => dropped += 1,
        }
    }
    (out, dropped)
}

/// Imports the customer-managed prefix lists and the AWS-managed ones that are referenced.
pub fn prefix_lists(b: &mut Builder, snap: &Snapshot) {
    let used = referenced(snap);
    let mut namer = Namer::new();
    for at in by_id(
        &snap.prefix_lists,
        |p| &p.prefix_list_id,
        "PrefixList",
        &mut b.report,
    ) {
        let p = &at.item;
        let id = &p.prefix_list_id;
        // A gateway service's list, already an `aws_services:` entry (`endpoints.rs`).
        if b.index.prefix_lists.contains_key(id) {
            continue;
        }
        let title = p
            .prefix_list_name
            .clone()
            .or(name_tag(&p.tags).map(description));
        let (entries, dropped, max, description) = if let Some(list) = &p.cidrs {
            if !used.contains(id) {
                continue;
            }
            let (e, d) = cidrs(list.iter().map(|c| (c.as_str(), None)));
            b.report.add(
                "PrefixList",
                id,
                Outcome::Approximated,
                "an AWS-managed prefix list of no gateway service, imported as a customer-managed one with the CIDRs of the dump",
            );
            let desc = format!("AWS-managed {}", title.clone().unwrap_or_default());
            (e, d, None, Some(desc))
        } else {
            if p.address_family.as_deref() == Some("IPv6") {
                b.report.later(
                    "PrefixList",
                    id,
                    Outcome::Unsupported,
                    "an IPv6 prefix list",
                    issue::IPV6,
                );
                continue;
            }
            if let Some(s) = p.state.as_deref().filter(|s| s.starts_with("delete")) {
                b.report
                    .add("PrefixList", id, Outcome::Skipped, format!("state is {s}"));
                continue;
            }
            let found = snap.prefix_list_entries.iter().find(|(l, _)| l == id);
            if found.is_none() {
                b.report.add(
                    "PrefixList",
                    id,
                    Outcome::Approximated,
                    "its entries are not in the dump (get-managed-prefix-list-entries, in a file \
                     named after the id): imported empty",
                );
            }
            let (e, d) = cidrs(
                found
                    .map(|(_, e)| e.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|e| (e.cidr.as_str(), e.description.as_deref())),
            );
            let max = p
                .max_entries
                .map(|m| m.clamp(e.len().max(1) as i64, 1000) as u32);
            (e, d, max, title.clone())
        };
        if dropped > 0 {
            b.report.later(
                "PrefixList",
                id,
                Outcome::Unsupported,
                format!("{dropped} entries that are not IPv4 CIDRs left out"),
                issue::IPV6,
            );
        }
        let name = namer.name(title.as_deref(), id);
        b.doc.prefix_lists.insert(
            name.clone(),
            PrefixList {
                aws_id: Some(id.clone()),
                description: description.as_deref().map(super::super::names::description),
                max_entries: max.or(entries.is_empty().then_some(1)),
                entries,
            },
        );
        b.index.prefix_lists.insert(id.clone(), name);
    }
}
