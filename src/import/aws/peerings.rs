//! VPC peering connections: the active ones whose two VPCs were both imported. Pending,
//! rejected, expired or deleted connections are skipped (AWS forwards nothing over them; the
//! routes to them become blackholes), as are those the format cannot hold (overlapping CIDRs,
//! a second connection between the same VPCs).

use super::super::doc::Peering;
use super::super::names::{description, Namer};
use super::super::report::Outcome;
use super::build::{by_id, Builder};
use super::json::name_tag;
use super::snapshot::Snapshot;

/// Imports the peerings.
pub fn peerings(b: &mut Builder, snap: &Snapshot) {
    let mut namer = Namer::new();
    let list = by_id(
        &snap.peerings,
        |p| &p.vpc_peering_connection_id,
        "VpcPeeringConnection",
        &mut b.report,
    );
    for at in list {
        let p = &at.item;
        let id = &p.vpc_peering_connection_id;
        let code = p
            .status
            .as_ref()
            .map(|s| s.code.as_str())
            .unwrap_or("active");
        if code != "active" {
            b.report.add(
                "VpcPeeringConnection",
                id,
                Outcome::Skipped,
                format!("status is {code}: no traffic crosses it"),
            );
            continue;
        }
        let (Some(req), Some(acc)) = (&p.requester_vpc_info, &p.accepter_vpc_info) else {
            b.report.add(
                "VpcPeeringConnection",
                id,
                Outcome::Skipped,
                "no RequesterVpcInfo or AccepterVpcInfo",
            );
            continue;
        };
        let (Some(r), Some(a)) = (
            b.index.vpcs.get(&req.vpc_id).cloned(),
            b.index.vpcs.get(&acc.vpc_id).cloned(),
        ) else {
            let missing = if b.index.vpcs.contains_key(&req.vpc_id) {
                &acc.vpc_id
            } else {
                &req.vpc_id
            };
            b.report.add(
                "VpcPeeringConnection",
                id,
                Outcome::Skipped,
                format!("VPC {missing} is not in the dump (another account's files?)"),
            );
            continue;
        };
        let why = if req.vpc_id == acc.vpc_id {
            Some("it joins a VPC to itself".to_string())
        } else if r
            .cidrs
            .iter()
            .any(|x| a.cidrs.iter().any(|y| x.contains(y) || y.contains(x)))
        {
            Some(format!("the CIDRs of {} and {} overlap", r.name, a.name))
        } else {
            b.index
                .peerings
                .iter()
                .find(|(_, (_, x, y))| {
                    (x == &req.vpc_id && y == &acc.vpc_id) || (x == &acc.vpc_id && y == &req.vpc_id)
                })
                .map(|(other, _)| format!("{other} already joins the same two VPCs"))
        };
        if let Some(why) = why {
            b.report
                .add("VpcPeeringConnection", id, Outcome::Skipped, why);
            continue;
        }
        let dns = [req, acc].iter().any(|s| {
            s.peering_options
                .as_ref()
                .is_some_and(|o| o.allow_dns_resolution_from_remote_vpc)
        });
        let name = namer.name(name_tag(&p.tags), id);
        b.doc.peerings.insert(
            name.clone(),
            Peering {
                aws_id: Some(id.clone()),
                description: name_tag(&p.tags).map(description),
                requester: r.name.clone(),
                accepter: a.name.clone(),
                dns_resolution: dns,
            },
        );
        b.index
            .peerings
            .insert(id.clone(), (name, req.vpc_id.clone(), acc.vpc_id.clone()));
    }
}
