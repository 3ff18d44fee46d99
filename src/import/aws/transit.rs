//! Transit gateways (issue 13), the first of the two hybrid passes: gateways, their route
//! tables (the association default one named `default`), and VPC attachments with their
//! subnets, association and propagations, before the VPC route tables (whose `tgw-` routes
//! need an attachment of their VPC). [`super::hybrid`] adds the VPN, Direct Connect and
//! peering attachments and the static routes once the connections exist. An attachment's
//! association and propagations are always written out (`none`, `[]` included), so the
//! gateway's defaults never decide anything in an imported topology.

use super::super::doc_transit::{TgwAttachment, TgwRouteTable, TransitGateway};
use super::super::names::{description, Namer};
use super::super::report::Outcome;
use super::build::{by_id, Builder};
use super::json::name_tag;
use super::json_transit::{TgwAttachment as JsonAttachment, TransitContents};
use super::snapshot::{At, Snapshot};
use std::collections::{BTreeMap, BTreeSet};

/// What the hybrid passes imported, by AWS id.
#[derive(Debug, Clone, Default)]
pub struct TransitIndex {
    /// Transit gateway id → name.
    pub tgws: BTreeMap<String, String>,
    /// Transit gateway route table id → (gateway id, table name).
    pub tables: BTreeMap<String, (String, String)>,
    /// Attachment id → (name, the gateway it is written under).
    pub attachments: BTreeMap<String, (String, String)>,
    /// (gateway id, VPC id) of every imported VPC attachment.
    pub tgw_vpcs: BTreeSet<(String, String)>,
    /// VGW id → (name, attached VPC id).
    pub vgws: BTreeMap<String, (String, Option<String>)>,
    /// Direct Connect gateway id → name.
    pub dxgws: BTreeMap<String, String>,
    /// Attachment id → the tables it propagates into (enabled propagations of the dump).
    pub propagations: BTreeMap<String, Vec<String>>,
    /// Whether the dump had any propagation list (else propagations are left to defaults).
    pub has_propagations: bool,
    /// Names of attachments (unique in the topology).
    pub attachment_names: Namer,
    /// Prefixes learned from on-premises, keyed by the AWS end that learned them: a VGW id
    /// (routes propagated into VPC tables), a VPN connection or Direct Connect gateway id
    /// (propagated transit gateway routes).
    pub learned: BTreeMap<String, BTreeSet<ipnet::Ipv4Net>>,
    /// Customer gateway id → name.
    pub cgws: BTreeMap<String, String>,
    /// Names of VPN connections.
    pub vpn_names: Namer,
    /// Names of virtual interfaces.
    pub vif_names: Namer,
}

/// Objects of one kind from every file, with the file's account and region.
pub fn flat<T: Clone>(snap: &Snapshot, f: impl Fn(&TransitContents) -> &Vec<T>) -> Vec<At<T>> {
    snap.transit
        .iter()
        .flat_map(|at| {
            f(&at.item).iter().map(move |x| At {
                item: x.clone(),
                account: at.account.clone(),
                region: at.region.clone(),
                file: at.file.clone(),
            })
        })
        .collect()
}

/// Whether an EC2 state word says the object carries traffic (absent = yes).
pub fn live(state: Option<&str>) -> bool {
    matches!(state, None | Some("available" | "modifying" | "attached"))
}

/// The first pass: gateways, tables, VPC attachments.
pub fn transit_gateways(b: &mut Builder, snap: &Snapshot) {
    let mut names = Namer::new();
    let gws = by_id(
        &flat(snap, |c| &c.transit_gateways),
        |g| &g.transit_gateway_id,
        "TransitGateway",
        &mut b.report,
    );
    for at in gws {
        let g = &at.item;
        let id = &g.transit_gateway_id;
        if !live(g.state.as_deref()) {
            let s = g.state.as_deref().unwrap_or("?");
            b.report.add(
                "TransitGateway",
                id,
                Outcome::Skipped,
                format!("state is {s}"),
            );
            continue;
        }
        let name = names.name(name_tag(&g.tags), id);
        let account = b.account(g.owner_id.as_deref().or(at.account.as_deref()));
        let enabled = |o: &Option<String>| (o.as_deref() == Some("disable")).then_some(false);
        b.doc.transit_gateways.insert(
            name.clone(),
            TransitGateway {
                aws_id: Some(id.clone()),
                description: name_tag(&g.tags).map(description),
                region: at.region.clone(),
                account,
                amazon_side_asn: g.options.amazon_side_asn.filter(|a| *a != 64512),
                default_route_table_association: enabled(
                    &g.options.default_route_table_association,
                ),
                default_route_table_propagation: enabled(
                    &g.options.default_route_table_propagation,
                ),
                ..TransitGateway::default()
            },
        );
        b.index.transit.tgws.insert(id.clone(), name);
    }
    route_tables(b, snap);
    propagations(b, snap);
    vpc_attachments(b, snap);
}

/// Route tables: the association default table is `default` (the table AWS creates), the
/// others are named after their Name tag or id.
fn route_tables(b: &mut Builder, snap: &Snapshot) {
    let gws = flat(snap, |c| &c.transit_gateways);
    let defaults = |tgw: &str, assoc: bool| {
        gws.iter()
            .find(|g| g.item.transit_gateway_id == tgw)
            .and_then(|g| {
                if assoc {
                    g.item.options.association_default_route_table_id.clone()
                } else {
                    g.item.options.propagation_default_route_table_id.clone()
                }
            })
    };
    let mut namers: BTreeMap<String, Namer> = BTreeMap::new();
    let mut got_default: BTreeSet<String> = BTreeSet::new();
    let tables = by_id(
        &flat(snap, |c| &c.route_tables),
        |t| &t.transit_gateway_route_table_id,
        "TransitGatewayRouteTable",
        &mut b.report,
    );
    // Default tables first, so they get `default` whatever the id order.
    let (first, rest): (Vec<_>, Vec<_>) = tables.into_iter().partition(|t| {
        defaults(&t.item.transit_gateway_id, true).as_deref()
            == Some(&t.item.transit_gateway_route_table_id)
            || t.item.default_association_route_table
    });
    for at in first.into_iter().chain(rest) {
        let t = &at.item;
        let id = &t.transit_gateway_route_table_id;
        let Some(gname) = b.index.transit.tgws.get(&t.transit_gateway_id).cloned() else {
            b.report.add(
                "TransitGatewayRouteTable",
                id,
                Outcome::Skipped,
                format!(
                    "its transit gateway {} is not imported",
                    t.transit_gateway_id
                ),
            );
            continue;
        };
        if !live(t.state.as_deref()) {
            let s = t.state.as_deref().unwrap_or("?");
            b.report.add(
                "TransitGatewayRouteTable",
                id,
                Outcome::Skipped,
                format!("state is {s}"),
            );
            continue;
        }
        let namer = namers
            .entry(t.transit_gateway_id.clone())
            .or_insert_with(|| Namer::reserving(&["default", "none"]));
        let is_assoc_default = defaults(&t.transit_gateway_id, true).as_deref() == Some(id)
            || (t.default_association_route_table
                && defaults(&t.transit_gateway_id, true).is_none());
        let name = if is_assoc_default && got_default.insert(t.transit_gateway_id.clone()) {
            "default".to_string()
        } else {
            namer.name(name_tag(&t.tags), id)
        };
        let is_prop_default = defaults(&t.transit_gateway_id, false).as_deref() == Some(id)
            || (t.default_propagation_route_table
                && defaults(&t.transit_gateway_id, false).is_none());
        if let Some(g) = b.doc.transit_gateways.get_mut(&gname) {
            if is_prop_default && name != "default" {
                g.propagation_default_route_table = Some(name.clone());
            }
            g.route_tables.insert(
                name.clone(),
                TgwRouteTable {
                    aws_id: Some(id.clone()),
                    description: name_tag(&t.tags).map(description),
                    routes: vec![],
                },
            );
        }
        b.index
            .transit
            .tables
            .insert(id.clone(), (t.transit_gateway_id.clone(), name));
    }
    // A default enabled without its table imported: AWS has no such table, so neither does
    // the topology (otherwise the implicit `default` would appear).
    for gname in b.index.transit.tgws.values() {
        let has_default = b
            .doc
            .transit_gateways
            .get(gname)
            .is_some_and(|g| g.route_tables.contains_key("default"));
        let Some(g) = b.doc.transit_gateways.get_mut(gname) else {
            continue;
        };
        if !has_default && g.default_route_table_association.is_none() {
            g.default_route_table_association = Some(false);
        }
        if !has_default
            && g.propagation_default_route_table.is_none()
            && g.default_route_table_propagation.is_none()
        {
            g.default_route_table_propagation = Some(false);
        }
    }
}

/// The enabled propagations of the dump, per attachment.
fn propagations(b: &mut Builder, snap: &Snapshot) {
    for at in flat(snap, |c| &c.propagations) {
        b.index.transit.has_propagations = true;
        let t = &at.item;
        let Some((_, table)) = b
            .index
            .transit
            .tables
            .get(&t.transit_gateway_route_table_id)
            .cloned()
        else {
            continue;
        };
        for p in &t.transit_gateway_route_table_propagations {
            if !matches!(p.state.as_deref(), None | Some("enabled")) {
                continue;
            }
            let v = b
                .index
                .transit
                .propagations
                .entry(p.transit_gateway_attachment_id.clone())
                .or_default();
            if !v.contains(&table) {
                v.push(table.clone());
            }
        }
    }
    for v in b.index.transit.propagations.values_mut() {
        v.sort();
    }
}

/// The association of an attachment record: its table's name, or `none`.
pub fn association(b: &Builder, a: &JsonAttachment) -> String {
    a.association
        .as_ref()
        .filter(|x| matches!(x.state.as_deref(), None | Some("associated")))
        .and_then(|x| x.transit_gateway_route_table_id.as_ref())
        .and_then(|t| b.index.transit.tables.get(t))
        .filter(|(g, _)| *g == a.transit_gateway_id)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| "none".to_string())
}

/// The propagations to write for attachment `id`: the dump's list, or None (the defaults)
/// when the dump has no propagations at all.
pub fn propagations_of(b: &Builder, id: &str) -> Option<Vec<String>> {
    b.index.transit.has_propagations.then(|| {
        b.index
            .transit
            .propagations
            .get(id)
            .cloned()
            .unwrap_or_default()
    })
}

/// VPC attachments: `TransitGatewayVpcAttachments` joined with `TransitGatewayAttachments`
/// (association) by attachment id.
fn vpc_attachments(b: &mut Builder, snap: &Snapshot) {
    let records = flat(snap, |c| &c.attachments);
    let list = by_id(
        &flat(snap, |c| &c.vpc_attachments),
        |a| &a.transit_gateway_attachment_id,
        "TransitGatewayVpcAttachment",
        &mut b.report,
    );
    let mut done: BTreeSet<String> = BTreeSet::new();
    for at in list {
        let a = &at.item;
        let id = &a.transit_gateway_attachment_id;
        done.insert(id.clone());
        let record = records
            .iter()
            .map(|r| &r.item)
            .find(|r| &r.transit_gateway_attachment_id == id)
            .cloned()
            .unwrap_or_else(|| JsonAttachment {
                transit_gateway_attachment_id: id.clone(),
                transit_gateway_id: a.transit_gateway_id.clone(),
                ..JsonAttachment::default()
            });
        let state = a.state.as_deref().or(record.state.as_deref());
        let subnets: Vec<String> = a.subnet_ids.clone();
        let tags = if a.tags.is_empty() {
            &record.tags
        } else {
            &a.tags
        };
        vpc_attachment(
            b,
            &record,
            &a.vpc_id,
            subnets,
            a.options.appliance_mode_support.as_deref() == Some("enable"),
            state,
            name_tag(tags),
        );
    }
    // Attachments known only from describe-transit-gateway-attachments: no subnets given.
    let mut rest = by_id(
        &records,
        |a| &a.transit_gateway_attachment_id,
        "TransitGatewayAttachment",
        &mut b.report,
    );
    rest.retain(|r| {
        r.item.resource_type.as_deref() == Some("vpc")
            && !done.contains(&r.item.transit_gateway_attachment_id)
    });
    for at in rest {
        let r = &at.item;
        let vpc = r.resource_id.clone().unwrap_or_default();
        vpc_attachment(
            b,
            r,
            &vpc,
            vec![],
            false,
            r.state.as_deref(),
            name_tag(&r.tags),
        );
    }
}

/// One VPC attachment; subnets empty = not in the dump (the first subnet of each AZ is taken,
/// reported).
fn vpc_attachment(
    b: &mut Builder,
    r: &JsonAttachment,
    vpc_id: &str,
    subnet_ids: Vec<String>,
    appliance: bool,
    state: Option<&str>,
    tag: Option<&str>,
) {
    let id = &r.transit_gateway_attachment_id;
    let kind = "TransitGatewayVpcAttachment";
    if !live(state) {
        let s = state.unwrap_or("?");
        b.report
            .add(kind, id, Outcome::Skipped, format!("state is {s}"));
        return;
    }
    let Some(gname) = b.index.transit.tgws.get(&r.transit_gateway_id).cloned() else {
        b.report.add(
            kind,
            id,
            Outcome::Skipped,
            format!(
                "its transit gateway {} is not imported",
                r.transit_gateway_id
            ),
        );
        return;
    };
    let Some(vpc) = b.index.vpcs.get(vpc_id).cloned() else {
        b.report.add(
            kind,
            id,
            Outcome::Skipped,
            format!("its VPC {vpc_id} is not imported"),
        );
        return;
    };
    if b.index
        .transit
        .tgw_vpcs
        .contains(&(r.transit_gateway_id.clone(), vpc_id.to_string()))
    {
        b.report.add(
            kind,
            id,
            Outcome::Skipped,
            "a second attachment of the same VPC to the same transit gateway",
        );
        return;
    }
    let tgw_region = b
        .doc
        .transit_gateways
        .get(&gname)
        .and_then(|g| g.region.clone());
    if let (Some(t), Some(v)) = (&tgw_region, &vpc.region) {
        if t != v {
            b.report.add(
                kind,
                id,
                Outcome::Skipped,
                format!("the VPC is in {v}, the transit gateway in {t}"),
            );
            return;
        }
    }
    let mut azs: BTreeSet<Option<String>> = BTreeSet::new();
    let mut subnets = vec![];
    let guessed = subnet_ids.is_empty();
    let ids: Vec<String> = if guessed {
        let mut s: Vec<_> = b
            .index
            .subnets
            .iter()
            .filter(|(_, s)| s.vpc == vpc_id)
            .map(|(k, s)| (s.cidr, k.clone()))
            .collect();
        s.sort();
        s.into_iter().map(|(_, k)| k).collect()
    } else {
        subnet_ids
    };
    for s in ids {
        match b.index.subnets.get(&s) {
            Some(i) if i.vpc == vpc_id => {
                if azs.insert(i.az.clone()) {
                    subnets.push(i.name.clone());
                } else if !guessed {
                    b.report.add(
                        kind,
                        format!("{id}/{s}"),
                        Outcome::Skipped,
                        "a second subnet in one Availability Zone",
                    );
                }
            }
            _ => b.report.add(
                kind,
                format!("{id}/{s}"),
                Outcome::Skipped,
                format!("subnet {s} is not imported in {vpc_id}"),
            ),
        }
    }
    if subnets.is_empty() {
        b.report.add(
            kind,
            id,
            Outcome::Skipped,
            "none of its subnets is imported",
        );
        return;
    }
    if guessed {
        b.report.add(
            kind,
            id,
            Outcome::Guessed,
            "its subnets are not in the dump (describe-transit-gateway-vpc-attachments): the first subnet of each Availability Zone",
        );
    }
    let name = b.index.transit.attachment_names.name(tag, id);
    let att = TgwAttachment {
        aws_id: Some(id.clone()),
        description: tag.map(description),
        vpc: Some(vpc.name.clone()),
        subnets,
        appliance_mode: appliance.then_some(true),
        association: Some(association(b, r)),
        propagations: propagations_of(b, id),
        ..TgwAttachment::default()
    };
    if let Some(g) = b.doc.transit_gateways.get_mut(&gname) {
        g.attachments.insert(name.clone(), att);
    }
    b.index
        .transit
        .tgw_vpcs
        .insert((r.transit_gateway_id.clone(), vpc_id.to_string()));
    b.index
        .transit
        .attachments
        .insert(id.clone(), (name, r.transit_gateway_id.clone()));
}

/// The last step: a gateway's region and account are left out when they are the topology's.
pub fn finish(b: &mut Builder) {
    let (region, account) = (b.doc.region.clone(), b.doc.account.clone());
    for g in b.doc.transit_gateways.values_mut() {
        if g.region == region {
            g.region = None;
        }
        if g.account == account {
            g.account = None;
        }
    }
}
