//! `show`'s AWS services and VPC endpoints (part of `model`): two more tables in the text
//! output and the keys `aws_services` and `vpc_endpoints` in `--json`, both only when the
//! topology has any (existing outputs do not change).

use super::show::table;
use super::{EndpointKind, Network};
use serde_json::{json, Value};

/// What an endpoint holds, as one line: its route tables, or its ENIs with their addresses.
fn holds(n: &Network, kind: &EndpointKind) -> Vec<String> {
    match kind {
        EndpointKind::Gateway { route_tables } => route_tables
            .iter()
            .map(|r| n.route_table(*r).aws_id.clone())
            .collect(),
        EndpointKind::Interface { enis, .. } => enis
            .iter()
            .map(|e| format!("{} ({})", n.eni(*e).aws_id, n.eni(*e).private_ip))
            .collect(),
    }
}

/// Adds `aws_services` and `vpc_endpoints` to `show --json`'s document.
pub fn add_json(n: &Network, doc: &mut Value) {
    if n.aws_services.is_empty() {
        return;
    }
    let services: Vec<Value> = n
        .aws_services
        .iter()
        .map(|s| {
            json!({
                "service": s.name,
                "region": s.region,
                "ip": s.ip.to_string(),
                "host": n.internet_host(s.host).name,
                "prefix_list": s.prefix_list.map(|p| n.prefix_list(p).aws_id.clone()),
                "prefix_list_cidrs": s.prefix_list.map(|p| n.prefix_list(p).entries.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
            })
        })
        .collect();
    let endpoints: Vec<Value> = n
        .vpc_endpoints
        .iter()
        .map(|e| {
            let mut v = json!({
                "name": e.name,
                "id": e.aws_id,
                "vpc": n.vpc(e.vpc).aws_id,
                "service": n.aws_service(e.service).name,
                "type": if e.is_gateway() { "gateway" } else { "interface" },
            });
            match &e.kind {
                EndpointKind::Gateway { .. } => v["route_tables"] = json!(holds(n, &e.kind)),
                EndpointKind::Interface { enis, private_dns } => {
                    v["network_interfaces"] = json!(enis.iter().map(|x| {
                        let eni = n.eni(*x);
                        json!({
                            "id": eni.aws_id,
                            "subnet": n.subnet(eni.subnet).aws_id,
                            "private_ip": eni.private_ip.to_string(),
                            "security_groups": eni.sgs.iter().map(|g| n.sg(*g).aws_id.clone()).collect::<Vec<_>>(),
                        })
                    }).collect::<Vec<_>>());
                    v["private_dns"] = json!(private_dns);
                    v["dns_names"] = json!(n.endpoint_dns_names(e.id).into_iter().map(|(d, _)| d).collect::<Vec<_>>());
                }
            }
            v
        })
        .collect();
    doc["aws_services"] = json!(services);
    doc["vpc_endpoints"] = json!(endpoints);
}

/// Adds the "AWS services" and "VPC endpoints" tables to `show`'s text.
pub fn add_text(n: &Network, o: &mut String) {
    if n.aws_services.is_empty() {
        return;
    }
    let rows: Vec<Vec<String>> = n
        .aws_services
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.ip.to_string(),
                s.prefix_list
                    .map_or("-".into(), |p| n.prefix_list(p).aws_id.clone()),
                s.prefix_list.map_or("-".into(), |p| {
                    let l = n.prefix_list(p);
                    l.entries
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                }),
            ]
        })
        .collect();
    table(
        o,
        "AWS services",
        &["SERVICE", "IP", "PREFIX LIST", "CIDRS"],
        &rows,
    );
    let rows: Vec<Vec<String>> = n
        .vpc_endpoints
        .iter()
        .map(|e| {
            let (kind, dns) = match &e.kind {
                EndpointKind::Gateway { .. } => ("gateway", "-"),
                EndpointKind::Interface { private_dns, .. } => {
                    ("interface", if *private_dns { "yes" } else { "no" })
                }
            };
            vec![
                e.aws_id.clone(),
                n.vpc(e.vpc).aws_id.clone(),
                kind.into(),
                n.aws_service(e.service).name.clone(),
                dns.into(),
                holds(n, &e.kind).join(", "),
            ]
        })
        .collect();
    if !rows.is_empty() {
        table(
            o,
            "VPC endpoints",
            &[
                "ID",
                "VPC",
                "TYPE",
                "SERVICE",
                "PRIVATE DNS",
                "ROUTE TABLES / INTERFACES",
            ],
            &rows,
        );
    }
}
