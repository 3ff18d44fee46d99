//! The last pass of every importer over its [`Document`]: each `aws_id` (and `eni_aws_id`)
//! must have its kind's prefix followed by `[a-z0-9-]` (at most 64 characters) and be unique
//! in the whole topology, as the format requires. An id that is not is removed (the object
//! keeps its derived id) and reported, so a malformed or duplicated id in the input never makes
//! the output invalid.

use super::doc::Document;
use super::report::{Outcome, Report};
use std::collections::BTreeSet;

/// Longest id the format takes.
pub const MAX_ID: usize = 64;

/// Whether `id` is `PREFIX-` followed by `[a-z0-9-]+`, at most [`MAX_ID`] characters.
pub fn is_aws_id(prefix: &str, id: &str) -> bool {
    id.len() <= MAX_ID
        && id
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('-'))
            .is_some_and(|r| {
                !r.is_empty()
                    && r.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            })
}

/// Keeps `slot` when it holds a well-formed id not seen before; else clears it and reports.
fn keep(
    slot: &mut Option<String>,
    prefix: &str,
    kind: &str,
    seen: &mut BTreeSet<String>,
    report: &mut Report,
) {
    let Some(id) = slot.clone() else { return };
    let why = if !is_aws_id(prefix, &id) {
        format!("not an id of the form {prefix}-[a-z0-9-]: not kept as aws_id")
    } else if !seen.insert(id.clone()) {
        "the same id on a second object: kept on the first only".to_string()
    } else {
        return;
    };
    report.add(kind, id, Outcome::Approximated, why);
    *slot = None;
}

/// Checks every id of `doc` (see the module).
pub fn check_ids(doc: &mut Document, report: &mut Report) {
    let mut seen = BTreeSet::new();
    let s = &mut seen;
    for p in doc.prefix_lists.values_mut() {
        keep(&mut p.aws_id, "pl", "PrefixList", s, report);
    }
    for v in doc.vpcs.values_mut() {
        keep(&mut v.aws_id, "vpc", "Vpc", s, report);
        if let Some(g) = &mut v.internet_gateway {
            keep(&mut g.aws_id, "igw", "InternetGateway", s, report);
        }
        for x in v.subnets.values_mut() {
            keep(&mut x.aws_id, "subnet", "Subnet", s, report);
        }
        for x in v.route_tables.values_mut() {
            keep(&mut x.aws_id, "rtb", "RouteTable", s, report);
        }
        for x in v.network_acls.values_mut() {
            keep(&mut x.aws_id, "acl", "NetworkAcl", s, report);
        }
        for x in v.security_groups.values_mut() {
            keep(&mut x.aws_id, "sg", "SecurityGroup", s, report);
        }
        for x in v.nat_gateways.values_mut() {
            keep(&mut x.aws_id, "nat", "NatGateway", s, report);
        }
        for x in v.instances.values_mut() {
            keep(&mut x.aws_id, "i", "Instance", s, report);
            keep(&mut x.eni_aws_id, "eni", "NetworkInterface", s, report);
            for n in &mut x.network_interfaces {
                keep(&mut n.aws_id, "eni", "NetworkInterface", s, report);
            }
        }
    }
    for p in doc.peerings.values_mut() {
        keep(&mut p.aws_id, "pcx", "VpcPeeringConnection", s, report);
    }
    for g in doc.transit_gateways.values_mut() {
        keep(&mut g.aws_id, "tgw", "TransitGateway", s, report);
        for t in g.route_tables.values_mut() {
            keep(
                &mut t.aws_id,
                "tgw-rtb",
                "TransitGatewayRouteTable",
                s,
                report,
            );
        }
        for a in g.attachments.values_mut() {
            keep(
                &mut a.aws_id,
                "tgw-attach",
                "TransitGatewayAttachment",
                s,
                report,
            );
        }
    }
    for g in doc.vpn_gateways.values_mut() {
        keep(&mut g.aws_id, "vgw", "VpnGateway", s, report);
    }
    for g in doc.customer_gateways.values_mut() {
        keep(&mut g.aws_id, "cgw", "CustomerGateway", s, report);
    }
    for c in doc.vpn_connections.values_mut() {
        keep(&mut c.aws_id, "vpn", "VpnConnection", s, report);
    }
    for v in doc.virtual_interfaces.values_mut() {
        keep(&mut v.aws_id, "dxvif", "VirtualInterface", s, report);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_prefix_and_shape() {
        assert!(is_aws_id("vpc", "vpc-0a1b"));
        assert!(is_aws_id("i", "i-0abc"));
        assert!(!is_aws_id("i", "igw-1"));
        assert!(!is_aws_id("vpc", "vpc-"));
        assert!(!is_aws_id("vpc", "vpc-ABC"));
        assert!(!is_aws_id("vpc", &format!("vpc-{}", "a".repeat(70))));
    }
}
