//! `vpclab show` for the hybrid objects (`Network::hybrid`): transit gateways with their
//! attachments and route tables (static and propagated routes), VGWs, VPN connections, Direct
//! Connect virtual interfaces and on-premises networks with their hosts. Nothing is printed or
//! added to the JSON document when the topology has none of them, so other topologies' output
//! does not change.

use super::show::table;
use super::transit::{AttachmentKind, TgwRouteOrigin, VifTermination, VpnTermination};
use super::Network;
use serde_json::{json, Value};

/// An attachment's type and resource as `show` names them (`vpc`, `vpc-app`).
fn resource(n: &Network, k: &AttachmentKind) -> (&'static str, String) {
    let h = &n.hybrid;
    match k {
        AttachmentKind::Vpc { vpc, .. } => ("vpc", n.vpc(*vpc).aws_id.clone()),
        AttachmentKind::Vpn(v) => ("vpn", h.vpns[*v].aws_id.clone()),
        AttachmentKind::DxGateway { dxgw, .. } => (
            "direct-connect-gateway",
            h.dx_gateways[*dxgw].aws_id.clone(),
        ),
        AttachmentKind::Peering { peer, .. } => ("peering", h.tgws[*peer].aws_id.clone()),
    }
}

/// AWS's route type and the origin as `show` prints them.
fn origin(o: TgwRouteOrigin) -> &'static str {
    match o {
        TgwRouteOrigin::Static => "static",
        TgwRouteOrigin::Vpc => "propagated (vpc)",
        TgwRouteOrigin::DirectConnect => "propagated (direct-connect-gateway)",
        TgwRouteOrigin::Vpn => "propagated (vpn)",
    }
}

fn join<T: ToString>(v: impl IntoIterator<Item = T>) -> String {
    v.into_iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Appends the hybrid tables to `o`.
pub(super) fn text(n: &Network, o: &mut String) {
    let h = &n.hybrid;
    let rows: Vec<Vec<String>> = h
        .attachments
        .iter()
        .map(|a| {
            let (kind, res) = resource(n, &a.kind);
            let subnets = match &a.kind {
                AttachmentKind::Vpc { subnets, .. } => {
                    join(subnets.iter().map(|s| n.subnet(*s).aws_id.clone()))
                }
                _ => "-".into(),
            };
            let assoc = a
                .association
                .map_or("-".into(), |t| h.tgw_route_tables[t].aws_id.clone());
            vec![
                a.aws_id.clone(),
                h.tgws[a.tgw].aws_id.clone(),
                kind.into(),
                res,
                subnets,
                assoc,
            ]
        })
        .collect();
    table(
        o,
        "Transit gateway attachments",
        &[
            "ID",
            "TRANSIT GATEWAY",
            "TYPE",
            "RESOURCE",
            "SUBNETS",
            "ASSOCIATION",
        ],
        &rows,
    );
    let mut rows: Vec<Vec<String>> = vec![];
    for t in &h.tgw_route_tables {
        for r in &t.routes {
            let (to, state) = match r.attachment {
                Some(a) => (h.attachments[a].aws_id.clone(), "active"),
                None => ("-".into(), "blackhole"),
            };
            rows.push(vec![
                t.aws_id.clone(),
                r.destination.to_string(),
                to,
                origin(r.origin).into(),
                state.into(),
            ]);
        }
    }
    table(
        o,
        "Transit gateway routes",
        &["ROUTE TABLE", "DESTINATION", "ATTACHMENT", "TYPE", "STATE"],
        &rows,
    );
    let rows: Vec<Vec<String>> = h
        .vpns
        .iter()
        .map(|c| {
            let on = match c.termination {
                VpnTermination::Vgw(g) => h.vgws[g].aws_id.clone(),
                VpnTermination::Tgw(a) => h.attachments[a].aws_id.clone(),
            };
            vec![
                c.aws_id.clone(),
                c.customer_gateway.clone(),
                on,
                if c.static_routing {
                    "static"
                } else {
                    "dynamic"
                }
                .into(),
                join(&c.prefixes),
                if c.up { "up" } else { "down" }.into(),
            ]
        })
        .collect();
    table(
        o,
        "VPN connections",
        &[
            "ID",
            "CUSTOMER GATEWAY",
            "ON",
            "ROUTING",
            "PREFIXES",
            "STATE",
        ],
        &rows,
    );
    let rows: Vec<Vec<String>> = h
        .vifs
        .iter()
        .map(|v| {
            let on = match v.termination {
                VifTermination::Vgw(g) => h.vgws[g].aws_id.clone(),
                VifTermination::DxGateway(d) => h.dx_gateways[d].aws_id.clone(),
            };
            vec![
                v.aws_id.clone(),
                if v.transit { "transit" } else { "private" }.into(),
                on,
                h.on_premises[v.on_premises].name.clone(),
                join(&v.prefixes),
                if v.up { "up" } else { "down" }.into(),
            ]
        })
        .collect();
    table(
        o,
        "Direct Connect virtual interfaces",
        &["ID", "TYPE", "ON", "ON-PREMISES", "PREFIXES", "STATE"],
        &rows,
    );
    let rows: Vec<Vec<String>> = h
        .on_premises
        .iter()
        .flat_map(|op| {
            op.hosts.iter().map(move |x| {
                let host = n.internet_host(*x);
                vec![
                    op.name.clone(),
                    join(&op.cidrs),
                    host.name.clone(),
                    host.ip.to_string(),
                    join(&host.services),
                ]
            })
        })
        .collect();
    table(
        o,
        "On-premises hosts",
        &["NETWORK", "CIDRS", "NAME", "IP", "SERVICES"],
        &rows,
    );
}

/// Adds the hybrid keys to the `show --json` document (none when there is nothing hybrid).
pub(super) fn json(n: &Network, doc: &mut Value) {
    let h = &n.hybrid;
    if h.tgws.is_empty() && h.vgws.is_empty() && h.on_premises.is_empty() && h.vpns.is_empty() {
        return;
    }
    let tgws: Vec<Value> = h
        .tgws
        .iter()
        .map(|g| {
            let attachments: Vec<Value> = g
                .attachments
                .iter()
                .map(|a| {
                    let a = &h.attachments[*a];
                    let (kind, res) = resource(n, &a.kind);
                    json!({
                        "id": a.aws_id,
                        "type": kind,
                        "resource": res,
                        "association": a.association.map(|t| h.tgw_route_tables[t].aws_id.clone()),
                    })
                })
                .collect();
            let tables: Vec<Value> = g
                .route_tables
                .iter()
                .map(|t| {
                    let t = &h.tgw_route_tables[*t];
                    let routes: Vec<Value> = t
                        .routes
                        .iter()
                        .map(|r| {
                            json!({
                                "destination": r.destination.to_string(),
                                "attachment": r.attachment.map(|a| h.attachments[a].aws_id.clone()),
                                "origin": r.origin,
                                "state": if r.attachment.is_some() { "active" } else { "blackhole" },
                            })
                        })
                        .collect();
                    json!({ "id": t.aws_id, "routes": routes })
                })
                .collect();
            json!({ "id": g.aws_id, "region": g.region, "attachments": attachments, "route_tables": tables })
        })
        .collect();
    doc["transit_gateways"] = json!(tgws);
    doc["vpn_gateways"] = json!(h
        .vgws
        .iter()
        .map(|g| json!({ "id": g.aws_id, "vpc": g.vpc.map(|v| n.vpc(v).aws_id.clone()) }))
        .collect::<Vec<_>>());
    doc["vpn_connections"] = json!(h
        .vpns
        .iter()
        .map(|c| json!({
            "id": c.aws_id,
            "customer_gateway": c.customer_gateway,
            "routing": if c.static_routing { "static" } else { "dynamic" },
            "prefixes": c.prefixes.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            "state": if c.up { "up" } else { "down" },
        }))
        .collect::<Vec<_>>());
    doc["virtual_interfaces"] = json!(h
        .vifs
        .iter()
        .map(|v| json!({
            "id": v.aws_id,
            "type": if v.transit { "transit" } else { "private" },
            "on_premises": h.on_premises[v.on_premises].name,
            "state": if v.up { "up" } else { "down" },
        }))
        .collect::<Vec<_>>());
    doc["on_premises"] = json!(h
        .on_premises
        .iter()
        .map(|o| json!({
            "name": o.name,
            "cidrs": o.cidrs.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            "hosts": o.hosts.iter().map(|x| {
                let host = n.internet_host(*x);
                json!({ "name": host.name, "ip": host.ip.to_string() })
            }).collect::<Vec<_>>(),
        }))
        .collect::<Vec<_>>());
}
