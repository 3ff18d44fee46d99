//! Transit gateway attachments that join two AWS gateways (issue 13): Direct Connect gateway
//! associations (to a VGW: the VGW's `direct_connect_gateway`; to a transit gateway: a
//! `direct_connect_gateway` attachment with its allowed prefixes) and transit gateway peering
//! attachments, which both gateways' dumps list under one attachment id (each side with its
//! own association): one `peer_transit_gateway` attachment under the requester's gateway.

use super::super::doc_transit::TgwAttachment;
use super::super::names::description;
use super::super::report::Outcome;
use super::build::Builder;
use super::json::name_tag;
use super::json_transit::TgwAttachment as JsonAttachment;
use super::snapshot::Snapshot;
use super::transit::{association, flat, live, propagations_of};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// Direct Connect gateway associations.
pub fn associations(b: &mut Builder, snap: &Snapshot, records: &[JsonAttachment]) {
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    // DX gateway id → the kind of gateway it is associated with (`tgw` or `vgw`).
    let mut kind_of: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut list = flat(snap, |c| &c.dx_associations);
    list.sort_by(|a, b| a.item.association_id.cmp(&b.item.association_id));
    for at in list {
        let a = &at.item;
        let dx = &a.direct_connect_gateway_id;
        let Some(gw) = a
            .associated_gateway
            .id
            .clone()
            .or(a.virtual_gateway_id.clone())
        else {
            continue;
        };
        let id = a
            .association_id
            .clone()
            .unwrap_or_else(|| format!("{dx}/{gw}"));
        if !seen.insert((dx.clone(), gw.clone())) {
            continue;
        }
        let kind = "DirectConnectGatewayAssociation";
        if !matches!(
            a.association_state.as_deref(),
            None | Some("associated" | "updating")
        ) {
            let s = a.association_state.as_deref().unwrap_or("?");
            b.report
                .add(kind, id, Outcome::Skipped, format!("state is {s}"));
            continue;
        }
        let Some(dx_name) = b.index.transit.dxgws.get(dx).cloned() else {
            b.report.add(
                kind,
                id,
                Outcome::Skipped,
                format!("Direct Connect gateway {dx} is not imported"),
            );
            continue;
        };
        let allowed: Vec<Ipv4Net> = a
            .allowed_prefixes_to_direct_connect_gateway
            .iter()
            .filter_map(|c| c.cidr.as_deref()?.trim().parse().ok())
            .collect();
        let gkind = if gw.starts_with("tgw-") { "tgw" } else { "vgw" };
        if let Some(k) = kind_of.get(dx) {
            if *k != gkind {
                b.report.add(
                    kind,
                    id,
                    Outcome::Skipped,
                    "the Direct Connect gateway is associated with both kinds of gateway: the format takes one",
                );
                continue;
            }
        }
        if gkind == "vgw" {
            let Some((vname, _)) = b.index.transit.vgws.get(&gw).cloned() else {
                b.report.add(
                    kind,
                    id,
                    Outcome::Skipped,
                    format!("VGW {gw} is not imported"),
                );
                continue;
            };
            if let Some(v) = b.doc.vpn_gateways.get_mut(&vname) {
                v.direct_connect_gateway = Some(dx_name);
                v.allowed_prefixes = (!allowed.is_empty()).then_some(allowed);
            }
            kind_of.insert(dx.clone(), gkind);
            continue;
        }
        let Some(gname) = b.index.transit.tgws.get(&gw).cloned() else {
            b.report.add(
                kind,
                id,
                Outcome::Skipped,
                format!("transit gateway {gw} is not imported"),
            );
            continue;
        };
        if allowed.is_empty() {
            b.report.add(
                kind,
                id,
                Outcome::Skipped,
                "no allowed prefixes (AWS requires them for a transit gateway association)",
            );
            continue;
        }
        let rec = records.iter().find(|r| {
            r.resource_type.as_deref() == Some("direct-connect-gateway")
                && r.resource_id.as_deref() == Some(dx.as_str())
                && r.transit_gateway_id == gw
                && live(r.state.as_deref())
        });
        let (aid, tag) = match rec {
            Some(r) => (r.transit_gateway_attachment_id.clone(), name_tag(&r.tags)),
            None => {
                b.report.add(
                    kind,
                    &id,
                    Outcome::Guessed,
                    "its transit gateway attachment is not in the dump: associated and propagating by the gateway's defaults",
                );
                (id.clone(), None)
            }
        };
        let name = b.index.transit.attachment_names.name(tag, &aid);
        let att = TgwAttachment {
            aws_id: rec.map(|r| r.transit_gateway_attachment_id.clone()),
            description: tag.map(description),
            direct_connect_gateway: Some(dx_name),
            allowed_prefixes: allowed,
            association: rec.map(|r| association(b, r)),
            propagations: rec.and_then(|r| propagations_of(b, &r.transit_gateway_attachment_id)),
            ..TgwAttachment::default()
        };
        if let Some(g) = b.doc.transit_gateways.get_mut(&gname) {
            g.attachments.insert(name.clone(), att);
        }
        b.index.transit.attachments.insert(aid, (name, gw.clone()));
        kind_of.insert(dx.clone(), gkind);
    }
    for r in records {
        if r.resource_type.as_deref() == Some("direct-connect-gateway")
            && live(r.state.as_deref())
            && !b
                .index
                .transit
                .attachments
                .contains_key(&r.transit_gateway_attachment_id)
        {
            b.report.add(
                "TransitGatewayAttachment",
                &r.transit_gateway_attachment_id,
                Outcome::Skipped,
                "a Direct Connect gateway attachment without its association (allowed prefixes) in the dump",
            );
        }
    }
}

/// Transit gateway peering attachments.
pub fn peerings(b: &mut Builder, snap: &Snapshot) {
    let infos = flat(snap, |c| &c.peering_attachments);
    // Every side's record of each attachment id, from every file (not de-duplicated).
    let mut sides: BTreeMap<String, Vec<JsonAttachment>> = BTreeMap::new();
    for at in flat(snap, |c| &c.attachments) {
        let r = at.item;
        if r.resource_type.as_deref() == Some("peering") {
            let v = sides
                .entry(r.transit_gateway_attachment_id.clone())
                .or_default();
            if !v
                .iter()
                .any(|x| x.transit_gateway_id == r.transit_gateway_id)
            {
                v.push(r);
            }
        }
    }
    for p in &infos {
        let i = &p.item;
        let (Some(req), Some(acc)) = (
            &i.requester_tgw_info.transit_gateway_id,
            &i.accepter_tgw_info.transit_gateway_id,
        ) else {
            continue;
        };
        let v = sides
            .entry(i.transit_gateway_attachment_id.clone())
            .or_default();
        if v.is_empty() {
            v.push(JsonAttachment {
                transit_gateway_attachment_id: i.transit_gateway_attachment_id.clone(),
                transit_gateway_id: req.clone(),
                resource_type: Some("peering".into()),
                resource_id: Some(acc.clone()),
                state: i.state.clone(),
                tags: i.tags.clone(),
                ..JsonAttachment::default()
            });
        }
    }
    let kind = "TransitGatewayPeeringAttachment";
    for (id, recs) in sides {
        if let Some(r) = recs.iter().find(|r| !live(r.state.as_deref())) {
            let s = r.state.as_deref().unwrap_or("?");
            b.report
                .add(kind, id, Outcome::Skipped, format!("state is {s}"));
            continue;
        }
        let first = &recs[0];
        let (mut owner, mut peer) = (
            first.transit_gateway_id.clone(),
            first.resource_id.clone().unwrap_or_default(),
        );
        let requester = infos
            .iter()
            .find(|p| p.item.transit_gateway_attachment_id == id)
            .and_then(|p| p.item.requester_tgw_info.transit_gateway_id.clone());
        if requester.as_deref() == Some(peer.as_str()) || (requester.is_none() && peer < owner) {
            std::mem::swap(&mut owner, &mut peer);
        }
        let (Some(gname), Some(pname)) = (
            b.index.transit.tgws.get(&owner).cloned(),
            b.index.transit.tgws.get(&peer).cloned(),
        ) else {
            b.report.add(
                kind,
                id,
                Outcome::Skipped,
                format!("both transit gateways ({owner}, {peer}) must be in the dump"),
            );
            continue;
        };
        let side = |t: &str| recs.iter().find(|r| r.transit_gateway_id == t);
        let assoc = side(&owner).map(|r| association(b, r));
        let peer_assoc = side(&peer).map(|r| association(b, r));
        if side(&peer).is_none() {
            b.report.add(
                kind,
                &id,
                Outcome::Guessed,
                format!("the {peer} side is not in the dump: associated with its default table"),
            );
        }
        let tag = recs.iter().find_map(|r| name_tag(&r.tags));
        let name = b.index.transit.attachment_names.name(tag, &id);
        let att = TgwAttachment {
            aws_id: Some(id.clone()),
            description: tag.map(description),
            peer_transit_gateway: Some(pname),
            peer_association: peer_assoc,
            association: assoc,
            ..TgwAttachment::default()
        };
        if let Some(g) = b.doc.transit_gateways.get_mut(&gname) {
            g.attachments.insert(name.clone(), att);
        }
        b.index.transit.attachments.insert(id, (name, owner));
    }
}
