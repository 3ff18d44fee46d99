//! VPC endpoints (describe-vpc-endpoints) and the AWS-managed prefix lists of gateway services
//! (describe-prefix-lists' `com.amazonaws.REGION.s3` / `.dynamodb`): an available endpoint of an
//! imported VPC becomes `endpoints:` of that VPC (gateway: its imported route tables; interface:
//! its ENIs' subnets, addresses and ids, its groups, private DNS), and each gateway service's
//! list an `aws_services:` entry with the dump's id and CIDRs, which routes and SG rules then
//! name `pl:com.amazonaws.REGION.NAME`. The routes a gateway endpoint adds to its tables
//! (`DestinationPrefixListId → vpce-…`) are the endpoint's, so `routes.rs` leaves them out.

use super::super::doc_endpoints::{
    regional_dns_name, AwsService, Endpoint, EndpointSubnet, ManagedPrefixList,
};
use super::super::names::{description, Namer};
use super::super::report::Outcome;
use super::build::{by_id, Builder};
use super::json::name_tag;
use super::snapshot::Snapshot;
use crate::topology::aws_services::{has_gateway, managed_list_ref};
use ipnet::Ipv4Net;

/// True when the dump's endpoint `vpce` is a gateway endpoint this importer writes with route
/// table `rtb` among its tables (so the route `routes.rs` meets there is the endpoint's).
pub fn endpoint_route(snap: &Snapshot, vpce: &str, rtb: &str) -> bool {
    snap.vpc_endpoints.iter().any(|e| {
        let e = &e.item;
        e.vpc_endpoint_id == vpce
            && is_gateway(e)
            && available(e)
            && e.route_table_ids.iter().any(|r| r == rtb)
    })
}

/// True when `eni` is an interface endpoint's network interface that the endpoint carries
/// (`hosts.rs` then imports no instance for it).
pub fn endpoint_interface(snap: &Snapshot, eni: &str) -> bool {
    snap.vpc_endpoints
        .iter()
        .any(|e| available(&e.item) && e.item.network_interface_ids.iter().any(|n| n == eni))
}

fn is_gateway(e: &super::json_endpoints::VpcEndpoint) -> bool {
    e.vpc_endpoint_type.as_deref().unwrap_or("Gateway") == "Gateway"
}

fn available(e: &super::json_endpoints::VpcEndpoint) -> bool {
    e.state.as_deref().is_none_or(|s| s == "available")
}

/// The AWS-managed lists of gateway services (id → full name) that the dump holds with CIDRs:
/// written as `aws_services:` entries and indexed for routes and SG rules. Runs before the
/// customer-managed lists, which then skip these ids.
pub fn managed_lists(b: &mut Builder, snap: &Snapshot) {
    for at in &snap.prefix_lists {
        let p = &at.item;
        let (Some(name), Some(cidrs)) = (&p.prefix_list_name, &p.cidrs) else {
            continue;
        };
        if managed_list_ref(name).is_none() || b.index.prefix_lists.contains_key(&p.prefix_list_id)
        {
            continue;
        }
        let entries: Vec<Ipv4Net> = cidrs
            .iter()
            .filter_map(|c| c.trim().parse::<Ipv4Net>().ok())
            .filter(|n| n.trunc() == *n)
            .collect();
        b.doc.aws_services.push(AwsService {
            service: name.clone(),
            prefix_list: Some(ManagedPrefixList {
                aws_id: p.prefix_list_id.clone(),
                entries,
            }),
        });
        b.index
            .prefix_lists
            .insert(p.prefix_list_id.clone(), name.clone());
    }
}

/// Imports every available endpoint of an imported VPC (after route tables).
pub fn endpoints(b: &mut Builder, snap: &Snapshot) {
    let mut namer = Namer::new();
    for at in by_id(
        &snap.vpc_endpoints,
        |e| &e.vpc_endpoint_id,
        "VpcEndpoint",
        &mut b.report,
    ) {
        let e = &at.item;
        let id = &e.vpc_endpoint_id;
        if !available(e) {
            let s = e.state.clone().unwrap_or_default();
            b.report
                .add("VpcEndpoint", id, Outcome::Skipped, format!("state is {s}"));
            continue;
        }
        let Some(vpc) = b.index.vpcs.get(&e.vpc_id).cloned() else {
            b.report.add(
                "VpcEndpoint",
                id,
                Outcome::Skipped,
                format!("its VPC {} is not imported", e.vpc_id),
            );
            continue;
        };
        let kind = e
            .vpc_endpoint_type
            .clone()
            .unwrap_or_else(|| "Gateway".into());
        let aws_service = e
            .service_name
            .strip_prefix("com.amazonaws.")
            .and_then(|r| r.split_once('.'))
            .filter(|(_, s)| !s.contains('.'));
        let Some((region, short)) = aws_service else {
            b.report.add(
                "VpcEndpoint",
                id,
                Outcome::Unsupported,
                format!(
                    "an endpoint to {} (a PrivateLink service of another account) is not in the format",
                    e.service_name
                ),
            );
            continue;
        };
        let name = namer.name(name_tag(&e.tags), id);
        let mut ep = Endpoint {
            service: e.service_name.clone(),
            aws_id: Some(id.clone()),
            description: name_tag(&e.tags).map(description),
            ..Endpoint::default()
        };
        match kind.as_str() {
            "Gateway" if has_gateway(short) => {
                ep.endpoint_type = "gateway";
                let tables = b.doc.vpcs.get(&vpc.name).map(|v| &v.route_tables);
                for rtb in &e.route_table_ids {
                    let found = tables.and_then(|t| {
                        t.iter()
                            .find(|(_, t)| t.aws_id.as_deref() == Some(rtb))
                            .map(|(n, _)| n.clone())
                    });
                    match found {
                        Some(n) => ep.route_tables.push(n),
                        None => b.report.add(
                            "VpcEndpoint",
                            id,
                            Outcome::Approximated,
                            format!("route table {rtb} is not imported: left out of the endpoint"),
                        ),
                    }
                }
            }
            "Interface" => {
                ep.endpoint_type = "interface";
                for eni in &e.network_interface_ids {
                    let found = snap
                        .network_interfaces
                        .iter()
                        .find(|n| &n.item.network_interface_id == eni);
                    let Some(n) = found else {
                        b.report.add(
                            "VpcEndpoint",
                            id,
                            Outcome::Approximated,
                            format!("its interface {eni} is not in the dump: left out"),
                        );
                        continue;
                    };
                    let sub = n
                        .item
                        .subnet_id
                        .as_ref()
                        .and_then(|s| b.index.subnets.get(s));
                    let Some(sub) = sub else {
                        continue;
                    };
                    ep.subnets.push(EndpointSubnet {
                        subnet: sub.name.clone(),
                        ip: n
                            .item
                            .private_ip_address
                            .as_ref()
                            .and_then(|a| a.parse().ok()),
                        aws_id: Some(eni.clone()),
                    });
                }
                ep.security_groups = e
                    .groups
                    .iter()
                    .filter_map(|g| b.index.sgs.get(&g.group_id))
                    .filter(|(v, _)| *v == e.vpc_id)
                    .map(|(_, n)| n.clone())
                    .collect();
                let dns = e.private_dns_enabled.unwrap_or(false);
                ep.private_dns = Some(dns);
                ep.dns_name = regional_dns_name(
                    e.dns_entries.iter().map(|d| d.dns_name.as_str()),
                    id,
                    short,
                    region,
                );
                if dns {
                    // AWS requires both attributes for private DNS: the VPC had them.
                    if let Some(v) = b.vpc_mut(&e.vpc_id) {
                        let d = v.dns.get_or_insert_with(Default::default);
                        if d.support == Some(false) || d.hostnames != Some(true) {
                            d.support = Some(true);
                            d.hostnames = Some(true);
                            b.report.add(
                                "Vpc",
                                &e.vpc_id,
                                Outcome::Guessed,
                                format!("DNS support and hostnames on: endpoint {id} has private DNS, which needs both"),
                            );
                        }
                    }
                }
                if ep.subnets.is_empty() {
                    b.report.add(
                        "VpcEndpoint",
                        id,
                        Outcome::Skipped,
                        "none of its interfaces is in an imported subnet",
                    );
                    continue;
                }
            }
            other => {
                b.report.add(
                    "VpcEndpoint",
                    id,
                    Outcome::Unsupported,
                    format!(
                        "a {other} endpoint to {} is not in the format",
                        e.service_name
                    ),
                );
                continue;
            }
        }
        let _ = region;
        // Stable whatever the input's order (the interfaces' order picks `--to vpce-…`'s first).
        ep.route_tables.sort();
        ep.subnets.sort_by(|a, b| a.subnet.cmp(&b.subnet));
        b.report.add(
            "VpcEndpoint",
            id,
            Outcome::Approximated,
            "its endpoint policy (IAM) is not modelled: every request is allowed",
        );
        if let Some(v) = b.vpc_mut(&e.vpc_id) {
            v.endpoints.insert(name, ep);
        }
    }
}
