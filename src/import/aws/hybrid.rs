//! VGWs, customer gateways, Site-to-Site VPN connections, Direct Connect gateways and virtual
//! interfaces, and the transit gateway attachments and static routes that need them (issue 13).
//! [`vpn_gateways`] runs before the VPC route tables (their `vgw-` routes and
//! `PropagatingVgws` need the gateway), [`hybrid`] after them (the prefixes they learned by
//! propagation describe the sites, `onprem`). Deleted, deleting, pending and rejected objects
//! are skipped; whatever refers to something not imported is skipped too, and reported.

use super::super::doc_transit::{
    CustomerGateway, DirectConnectGateway, TgwAttachment, TgwRoute, VirtualInterface,
    VpnConnection, VpnGateway,
};
use super::super::names::{description, Namer};
use super::super::onprem::Sites;
use super::super::report::Outcome;
use super::build::{by_id, Builder};
use super::json::name_tag;
use super::json_transit::{TgwAttachment as JsonAttachment, VpnConnection as JsonVpn};
use super::snapshot::Snapshot;
use super::transit::{association, flat, live, propagations_of};
use ipnet::Ipv4Net;
use std::collections::BTreeMap;

/// A CIDR as AWS writes it, when it is an IPv4 network address.
fn net(s: Option<&str>) -> Option<Ipv4Net> {
    s?.trim()
        .parse::<Ipv4Net>()
        .ok()
        .filter(|n| n.trunc() == *n)
}

/// Virtual private gateways with the VPC they are attached to.
pub fn vpn_gateways(b: &mut Builder, snap: &Snapshot) {
    let mut names = Namer::new();
    let list = by_id(
        &flat(snap, |c| &c.vpn_gateways),
        |g| &g.vpn_gateway_id,
        "VpnGateway",
        &mut b.report,
    );
    for at in list {
        let g = &at.item;
        let id = &g.vpn_gateway_id;
        if !live(g.state.as_deref()) {
            let s = g.state.as_deref().unwrap_or("?");
            b.report
                .add("VpnGateway", id, Outcome::Skipped, format!("state is {s}"));
            continue;
        }
        let mut vpc = None;
        for a in g
            .vpc_attachments
            .iter()
            .filter(|a| live(a.state.as_deref()))
        {
            let taken = b
                .index
                .transit
                .vgws
                .values()
                .any(|(_, v)| v.as_deref() == Some(a.vpc_id.as_str()));
            match b.index.vpcs.get(&a.vpc_id) {
                Some(_) if taken => b.report.add(
                    "VpnGateway",
                    id,
                    Outcome::Skipped,
                    format!("VPC {} already has a VGW: imported detached", a.vpc_id),
                ),
                Some(_) => vpc = Some(a.vpc_id.clone()),
                None => b.report.add(
                    "VpnGateway",
                    id,
                    Outcome::Skipped,
                    format!("its VPC {} is not imported: imported detached", a.vpc_id),
                ),
            }
        }
        let name = names.name(name_tag(&g.tags), id);
        b.doc.vpn_gateways.insert(
            name.clone(),
            VpnGateway {
                aws_id: Some(id.clone()),
                description: name_tag(&g.tags).map(description),
                vpc: vpc
                    .as_ref()
                    .and_then(|v| b.index.vpcs.get(v))
                    .map(|v| v.name.clone()),
                amazon_side_asn: g.amazon_side_asn.filter(|a| *a != 64512),
                ..VpnGateway::default()
            },
        );
        b.index.transit.vgws.insert(id.clone(), (name, vpc));
    }
}

/// A VPC route AWS propagated from a VGW into a table that propagates from it: its prefix is
/// learned from on-premises, and the route is left out (the table's `propagating_vgws` gives
/// it back). Returns whether the route was taken.
pub fn propagated_route(
    b: &mut Builder,
    table: &super::json::RouteTable,
    r: &super::json::Route,
) -> bool {
    let Some(g) = r.gateway_id.as_deref().filter(|g| g.starts_with("vgw-")) else {
        return false;
    };
    if r.origin.as_deref() != Some("EnableVgwRoutePropagation")
        || !table.propagating_vgws.iter().any(|p| p.gateway_id == g)
        || !b.index.transit.vgws.contains_key(g)
    {
        return false;
    }
    if let Some(n) = net(r.destination_cidr_block.as_deref()) {
        b.index
            .transit
            .learned
            .entry(g.to_string())
            .or_default()
            .insert(n);
    }
    true
}

/// The second pass: Direct Connect gateways, sites, customer gateways, VPN connections (with
/// their transit gateway attachments), virtual interfaces, DX gateway associations, peering
/// attachments and static routes.
pub fn hybrid(b: &mut Builder, snap: &Snapshot) {
    dx_gateways(b, snap);
    learned_by_transit(b, snap);
    let records = by_id(
        &flat(snap, |c| &c.attachments),
        |a| &a.transit_gateway_attachment_id,
        "TransitGatewayAttachment",
        &mut b.report,
    );
    let records: Vec<JsonAttachment> = records.into_iter().map(|a| a.item).collect();
    let mut sites = Sites::default();
    let vpns = live_vpns(b, snap);
    let cgws = by_id(
        &flat(snap, |c| &c.customer_gateways),
        |g| &g.customer_gateway_id,
        "CustomerGateway",
        &mut b.report,
    );
    // Sites of the customer gateways that live connections use.
    let mut cgw_site: BTreeMap<String, String> = BTreeMap::new();
    let mut asn_sites: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for at in &cgws {
        let g = &at.item;
        let id = &g.customer_gateway_id;
        if !live(g.state.as_deref()) {
            let s = g.state.as_deref().unwrap_or("?");
            b.report.add(
                "CustomerGateway",
                id,
                Outcome::Skipped,
                format!("state is {s}"),
            );
            continue;
        }
        let used: Vec<&JsonVpn> = vpns
            .iter()
            .filter(|v| v.customer_gateway_id.as_deref() == Some(id.as_str()))
            .collect();
        if used.is_empty() {
            b.report.add(
                "CustomerGateway",
                id,
                Outcome::Skipped,
                "no imported VPN connection uses it",
            );
            continue;
        }
        let key = g.ip_address.clone().unwrap_or_else(|| id.clone());
        let label = name_tag(&g.tags).unwrap_or(&key).to_string();
        let site = sites.site(&key, &label, &format!("customer gateway {id}"));
        for v in &used {
            for r in v.routes.iter().filter(|r| live(r.state.as_deref())) {
                site.learned
                    .extend(net(r.destination_cidr_block.as_deref()));
            }
            for k in [&v.vpn_gateway_id, &Some(v.vpn_connection_id.clone())]
                .into_iter()
                .flatten()
            {
                if let Some(l) = b.index.transit.learned.get(k) {
                    site.learned.extend(l.iter().copied());
                }
            }
        }
        let name = site.name.clone();
        if let Some(a) = g.bgp_asn.as_ref().and_then(|a| a.value()) {
            let v = asn_sites.entry(a).or_default();
            if !v.contains(&name) {
                v.push(name.clone());
            }
        }
        cgw_site.insert(id.clone(), key);
    }
    let vifs = live_vifs(b, snap, &mut sites, &asn_sites);
    let advertised = sites.write(&mut b.doc, &mut b.report);
    customer_gateways(b, &cgws, &cgw_site, &sites);
    for v in &vpns {
        vpn_connection(b, v, &records, &advertised);
    }
    for (v, key) in &vifs {
        virtual_interface(b, v, key, &sites, &advertised);
    }
    super::hybrid_dx::associations(b, snap, &records);
    super::hybrid_dx::peerings(b, snap);
    static_routes(b, snap);
}

/// Direct Connect gateways (global: listed in every region's file, kept once).
fn dx_gateways(b: &mut Builder, snap: &Snapshot) {
    let mut names = Namer::new();
    let list = by_id(
        &flat(snap, |c| &c.dx_gateways),
        |g| &g.direct_connect_gateway_id,
        "DirectConnectGateway",
        &mut b.report,
    );
    for at in list {
        let g = &at.item;
        let id = &g.direct_connect_gateway_id;
        if !live(g.direct_connect_gateway_state.as_deref()) {
            let s = g.direct_connect_gateway_state.as_deref().unwrap_or("?");
            b.report.add(
                "DirectConnectGateway",
                id,
                Outcome::Skipped,
                format!("state is {s}"),
            );
            continue;
        }
        let tag = g.direct_connect_gateway_name.as_deref();
        let name = names.name(tag, &format!("dxgw-{id}"));
        let valid = !id.is_empty()
            && id.len() <= super::super::ids::MAX_ID
            && id
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
        if !valid {
            b.report.add(
                "DirectConnectGateway",
                id,
                Outcome::Approximated,
                "not an id of the form [a-z0-9-]: not kept as aws_id",
            );
        }
        b.doc.direct_connect_gateways.insert(
            name.clone(),
            DirectConnectGateway {
                aws_id: valid.then(|| id.clone()),
                description: tag.map(description),
                amazon_side_asn: g.amazon_side_asn.filter(|a| *a != 64512),
            },
        );
        b.index.transit.dxgws.insert(id.clone(), name);
    }
}

/// Prefixes transit gateway tables learned by propagation from VPN and Direct Connect
/// attachments (search-transit-gateway-routes `Type: propagated`).
fn learned_by_transit(b: &mut Builder, snap: &Snapshot) {
    for at in flat(snap, |c| &c.routes) {
        for r in &at.item.routes {
            if r.kind.as_deref() != Some("propagated") || !live(r.state.as_deref()) {
                continue;
            }
            let Some(n) = net(r.destination_cidr_block.as_deref()) else {
                continue;
            };
            for a in &r.transit_gateway_attachments {
                if matches!(
                    a.resource_type.as_deref(),
                    Some("vpn" | "direct-connect-gateway")
                ) {
                    if let Some(res) = &a.resource_id {
                        b.index
                            .transit
                            .learned
                            .entry(res.clone())
                            .or_default()
                            .insert(n);
                    }
                }
            }
        }
    }
}

/// Live VPN connections, each once.
fn live_vpns(b: &mut Builder, snap: &Snapshot) -> Vec<JsonVpn> {
    let list = by_id(
        &flat(snap, |c| &c.vpn_connections),
        |v| &v.vpn_connection_id,
        "VpnConnection",
        &mut b.report,
    );
    let mut out = vec![];
    for at in list {
        let v = at.item;
        if !live(v.state.as_deref()) {
            let s = v.state.as_deref().unwrap_or("?");
            b.report.add(
                "VpnConnection",
                &v.vpn_connection_id,
                Outcome::Skipped,
                format!("state is {s}"),
            );
            continue;
        }
        out.push(v);
    }
    out
}

/// Live private and transit virtual interfaces, each with its site key (made here when the
/// interface has a site of its own).
fn live_vifs(
    b: &mut Builder,
    snap: &Snapshot,
    sites: &mut Sites,
    asn_sites: &BTreeMap<u64, Vec<String>>,
) -> Vec<(super::json_transit::VirtualInterface, String)> {
    let list = by_id(
        &flat(snap, |c| &c.virtual_interfaces),
        |v| &v.virtual_interface_id,
        "VirtualInterface",
        &mut b.report,
    );
    let mut out = vec![];
    for at in list {
        let v = at.item;
        let id = v.virtual_interface_id.clone();
        let state = v.virtual_interface_state.as_deref();
        if !matches!(state, None | Some("available" | "down" | "verifying")) {
            let s = state.unwrap_or("?");
            b.report.add(
                "VirtualInterface",
                &id,
                Outcome::Skipped,
                format!("state is {s}"),
            );
            continue;
        }
        if !matches!(
            v.virtual_interface_type.as_deref(),
            Some("private" | "transit")
        ) {
            let t = v.virtual_interface_type.as_deref().unwrap_or("?");
            b.report.add(
                "VirtualInterface",
                &id,
                Outcome::Unsupported,
                format!(
                    "a {t} virtual interface (public VIFs reach AWS's public services, not VPCs)"
                ),
            );
            continue;
        }
        let joined = v
            .asn
            .and_then(|a| asn_sites.get(&a))
            .filter(|s| s.len() == 1)
            .map(|s| s[0].clone());
        let key = match joined
            .as_ref()
            .and_then(|n| sites.by_key.iter().find(|(_, s)| &s.name == n))
        {
            Some((k, _)) => {
                b.report.add(
                    "VirtualInterface",
                    &id,
                    Outcome::Guessed,
                    format!(
                        "its customer ASN {} is that of a customer gateway: the same site",
                        v.asn.unwrap_or_default()
                    ),
                );
                k.clone()
            }
            None => format!("vif:{id}"),
        };
        let label = v
            .virtual_interface_name
            .clone()
            .unwrap_or_else(|| id.clone());
        let site = sites.site(&key, &label, &format!("virtual interface {id}"));
        for k in [&v.virtual_gateway_id, &v.direct_connect_gateway_id]
            .into_iter()
            .flatten()
        {
            if let Some(l) = b.index.transit.learned.get(k) {
                site.learned.extend(l.iter().copied());
            }
        }
        out.push((v, key));
    }
    out
}

/// Customer gateways in their sites.
fn customer_gateways(
    b: &mut Builder,
    cgws: &[super::snapshot::At<super::json_transit::CustomerGateway>],
    cgw_site: &BTreeMap<String, String>,
    sites: &Sites,
) {
    let mut names = Namer::new();
    for at in cgws {
        let g = &at.item;
        let id = &g.customer_gateway_id;
        let Some(site) = cgw_site.get(id).and_then(|k| sites.name_of(k)) else {
            continue;
        };
        if !b.doc.on_premises.contains_key(&site) {
            continue;
        }
        let name = names.name(name_tag(&g.tags), id);
        b.doc.customer_gateways.insert(
            name.clone(),
            CustomerGateway {
                aws_id: Some(id.clone()),
                description: name_tag(&g.tags).map(description),
                on_premises: site,
                ip: g.ip_address.as_deref().and_then(|s| s.trim().parse().ok()),
                bgp_asn: g.bgp_asn.as_ref().and_then(|a| a.value()),
            },
        );
        b.index.transit.cgws.insert(id.clone(), name);
    }
}

/// One VPN connection: on its VGW, or on a transit gateway through its attachment.
fn vpn_connection(
    b: &mut Builder,
    v: &JsonVpn,
    records: &[JsonAttachment],
    advertised: &BTreeMap<String, Vec<Ipv4Net>>,
) {
    let id = &v.vpn_connection_id;
    let skip = |b: &mut Builder, why: String| {
        b.report.add("VpnConnection", id, Outcome::Skipped, why);
    };
    let Some(cgw) = v
        .customer_gateway_id
        .as_ref()
        .and_then(|c| b.index.transit.cgws.get(c))
        .cloned()
    else {
        return skip(b, "its customer gateway is not imported".into());
    };
    let site = b
        .doc
        .customer_gateways
        .get(&cgw)
        .map(|g| g.on_premises.clone())
        .unwrap_or_default();
    let vgw = match &v.vpn_gateway_id {
        Some(g) => match b.index.transit.vgws.get(g) {
            Some((n, _)) => Some(n.clone()),
            None => return skip(b, format!("its VGW {g} is not imported")),
        },
        None => None,
    };
    let mut attachment = None;
    if vgw.is_none() {
        let Some(t) = &v.transit_gateway_id else {
            return skip(b, "it ends on neither a VGW nor a transit gateway".into());
        };
        let Some(gname) = b.index.transit.tgws.get(t).cloned() else {
            return skip(b, format!("its transit gateway {t} is not imported"));
        };
        let rec = records.iter().find(|r| {
            r.resource_type.as_deref() == Some("vpn")
                && r.resource_id.as_deref() == Some(id.as_str())
                && &r.transit_gateway_id == t
                && live(r.state.as_deref())
        });
        let Some(rec) = rec else {
            return skip(
                b,
                format!("no live attachment of it to {t} in the dump (describe-transit-gateway-attachments)"),
            );
        };
        attachment = Some((gname, rec.clone()));
    }
    let name = b.index.transit.vpn_names.name(name_tag(&v.tags), id);
    let stat = v.options.static_routes_only == Some(true);
    let static_routes: Vec<Ipv4Net> = if stat {
        v.routes
            .iter()
            .filter(|r| live(r.state.as_deref()) || r.state.as_deref() == Some("pending"))
            .filter_map(|r| net(r.destination_cidr_block.as_deref()))
            .collect()
    } else {
        vec![]
    };
    if !v.vgw_telemetry.is_empty()
        && v.vgw_telemetry
            .iter()
            .all(|t| t.status.as_deref() == Some("DOWN"))
    {
        b.report.add(
            "VpnConnection",
            id,
            Outcome::Approximated,
            "its telemetry says every tunnel was DOWN when the dump was taken: imported as up (write `state: down` for the moment of the dump)",
        );
    }
    b.doc.vpn_connections.insert(
        name.clone(),
        VpnConnection {
            aws_id: Some(id.clone()),
            description: name_tag(&v.tags).map(description),
            customer_gateway: cgw,
            vpn_gateway: vgw,
            routing: stat.then(|| "static".to_string()),
            static_routes,
            advertised_prefixes: (!stat).then(|| advertised.get(&site).cloned()).flatten(),
            state: None,
        },
    );
    if let Some((gname, rec)) = attachment {
        let aid = &rec.transit_gateway_attachment_id;
        let aname = b
            .index
            .transit
            .attachment_names
            .name(name_tag(&rec.tags), aid);
        let att = TgwAttachment {
            aws_id: Some(aid.clone()),
            description: name_tag(&rec.tags).map(description),
            vpn_connection: Some(name),
            association: Some(association(b, &rec)),
            propagations: propagations_of(b, aid),
            ..TgwAttachment::default()
        };
        if let Some(g) = b.doc.transit_gateways.get_mut(&gname) {
            g.attachments.insert(aname.clone(), att);
        }
        b.index
            .transit
            .attachments
            .insert(aid.clone(), (aname, rec.transit_gateway_id.clone()));
    }
}

/// One virtual interface: to a VGW, or to a Direct Connect gateway.
fn virtual_interface(
    b: &mut Builder,
    v: &super::json_transit::VirtualInterface,
    key: &str,
    sites: &Sites,
    advertised: &BTreeMap<String, Vec<Ipv4Net>>,
) {
    let id = &v.virtual_interface_id;
    let Some(site) = sites
        .name_of(key)
        .filter(|s| b.doc.on_premises.contains_key(s))
    else {
        return;
    };
    let dx = v
        .direct_connect_gateway_id
        .as_ref()
        .and_then(|d| b.index.transit.dxgws.get(d))
        .cloned();
    let vgw = v
        .virtual_gateway_id
        .as_ref()
        .and_then(|g| b.index.transit.vgws.get(g))
        .map(|(n, _)| n.clone());
    let kind = v.virtual_interface_type.clone().unwrap_or_default();
    let (dx, vgw) = match (dx, vgw) {
        (Some(d), _) => (Some(d), None),
        (None, Some(g)) if kind == "private" => (None, Some(g)),
        _ => {
            b.report.add(
                "VirtualInterface",
                id,
                Outcome::Skipped,
                "the gateway it ends on is not imported",
            );
            return;
        }
    };
    let bgp_down = !v.bgp_peers.is_empty()
        && v.bgp_peers
            .iter()
            .all(|p| p.bgp_status.as_deref() == Some("down"));
    let down = v.virtual_interface_state.as_deref() == Some("down") || bgp_down;
    let mut names = std::mem::take(&mut b.index.transit.vif_names);
    let name = names.name(v.virtual_interface_name.as_deref(), id);
    b.index.transit.vif_names = names;
    b.doc.virtual_interfaces.insert(
        name,
        VirtualInterface {
            aws_id: super::super::ids::is_aws_id("dxvif", id).then(|| id.clone()),
            description: v.virtual_interface_name.as_deref().map(description),
            vif_type: kind,
            on_premises: site.clone(),
            direct_connect_gateway: dx,
            vpn_gateway: vgw,
            advertised_prefixes: advertised.get(&site).cloned(),
            state: down.then(|| "down".to_string()),
            vlan: v
                .vlan
                .and_then(|x| u16::try_from(x).ok())
                .filter(|x| (1..=4094).contains(x)),
        },
    );
}

/// Static and blackhole routes of the transit gateway tables.
fn static_routes(b: &mut Builder, snap: &Snapshot) {
    for at in flat(snap, |c| &c.routes) {
        let t = &at.item;
        let tid = &t.transit_gateway_route_table_id;
        let Some((gid, table)) = b.index.transit.tables.get(tid).cloned() else {
            continue;
        };
        let gname = b.index.transit.tgws.get(&gid).cloned().unwrap_or_default();
        for r in &t.routes {
            if !matches!(r.kind.as_deref(), None | Some("static")) {
                continue;
            }
            let dest = r
                .destination_cidr_block
                .as_deref()
                .or(r.prefix_list_id.as_deref());
            let rid = format!("{tid}/{}", dest.unwrap_or("?"));
            let Some(destination) = net(r.destination_cidr_block.as_deref()) else {
                b.report.add(
                    "TransitGatewayRoute",
                    rid,
                    Outcome::Skipped,
                    "not an IPv4 CIDR route (prefix-list and IPv6 routes are not in the format)",
                );
                continue;
            };
            let route = match r.state.as_deref() {
                Some("blackhole") => TgwRoute {
                    destination,
                    attachment: None,
                    blackhole: true,
                },
                None | Some("active") => {
                    let att = r
                        .transit_gateway_attachments
                        .iter()
                        .filter_map(|a| a.transit_gateway_attachment_id.as_ref())
                        .find_map(|a| b.index.transit.attachments.get(a));
                    match att {
                        Some((n, _)) => TgwRoute {
                            destination,
                            attachment: Some(n.clone()),
                            blackhole: false,
                        },
                        None => {
                            b.report.add(
                                "TransitGatewayRoute",
                                &rid,
                                Outcome::Approximated,
                                "imported as a blackhole: its attachment is not imported",
                            );
                            TgwRoute {
                                destination,
                                attachment: None,
                                blackhole: true,
                            }
                        }
                    }
                }
                s => {
                    let s = s.unwrap_or("?");
                    b.report.add(
                        "TransitGatewayRoute",
                        rid,
                        Outcome::Skipped,
                        format!("state is {s}"),
                    );
                    continue;
                }
            };
            let Some(tbl) = b
                .doc
                .transit_gateways
                .get_mut(&gname)
                .and_then(|g| g.route_tables.get_mut(&table))
            else {
                continue;
            };
            if tbl.routes.iter().any(|x| x.destination == destination) {
                b.report.add(
                    "TransitGatewayRoute",
                    rid,
                    Outcome::Skipped,
                    "a second route to the same destination",
                );
                continue;
            }
            tbl.routes.push(route);
        }
    }
    for g in b.doc.transit_gateways.values_mut() {
        for t in g.route_tables.values_mut() {
            t.routes.sort_by_key(|r| r.destination);
        }
    }
}
