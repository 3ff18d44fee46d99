//! AWS ids, accounts and descriptions written on objects (`aws_id:`, `eni_aws_id:`,
//! `account:`, `description:`): each id starts with its kind's prefix (`vpc-`, `subnet-`, …)
//! followed by `[a-z0-9-]`, and is unique in the whole topology; an account id is 12 digits; a
//! description is at most 255 characters.

use super::super::spec;
use super::{Sp, Validator};
use std::collections::HashMap;

/// Longest id accepted (AWS's are at most 21 characters; imports of other tools' ids fit).
const MAX_ID: usize = 64;
/// AWS's limit on a description (and on a `Name` tag value).
const MAX_DESCRIPTION: usize = 255;

/// One written id: its kind's prefix, the object it names (for messages) and the value.
struct Written<'a> {
    prefix: &'static str,
    what: String,
    id: &'a Sp<String>,
}

impl<'a> Validator<'a> {
    /// Checks every `aws_id`, `eni_aws_id`, `account` and `description` of the topology.
    pub(super) fn ids(&mut self) {
        let t = self.t;
        let mut ids: Vec<Written<'a>> = vec![];
        let mut descriptions: Vec<&'a Sp<String>> = vec![];
        let mut add = |prefix, what: String, id: &'a Option<Sp<String>>| {
            if let Some(id) = id {
                ids.push(Written { prefix, what, id });
            }
        };
        let accounts = t.vpcs.iter().filter_map(|(_, v)| v.account.as_ref());
        for a in t.account.iter().chain(accounts) {
            if a.value.len() != 12 || !a.value.bytes().all(|b| b.is_ascii_digit()) {
                self.err(
                    a.loc,
                    format!("`{}` is not an AWS account id", a.value),
                    "write the 12 digits in quotes, e.g. account: \"123456789012\"",
                );
            }
        }
        for (vn, v) in t.vpcs.iter() {
            let vname = &vn.value;
            add("vpc", format!("VPC `{vname}`"), &v.aws_id);
            descriptions.extend(&v.description);
            if let Some(g) = &v.internet_gateway {
                if let spec::InternetGateway::Gateway(g) = &g.value {
                    add(
                        "igw",
                        format!("the internet gateway of VPC `{vname}`"),
                        &g.aws_id,
                    );
                    descriptions.extend(&g.description);
                }
            }
            for (n, g) in v.egress_only_internet_gateways.iter() {
                let what = format!("egress-only internet gateway `{}`", n.value);
                add("eigw", what, &g.aws_id);
                descriptions.extend(&g.description);
            }
            for (n, s) in v.subnets.iter() {
                add("subnet", format!("subnet `{}`", n.value), &s.aws_id);
                descriptions.extend(&s.description);
            }
            for (n, r) in v.route_tables.iter() {
                add("rtb", format!("route table `{}`", n.value), &r.aws_id);
                descriptions.extend(&r.description);
            }
            for (n, a) in v.network_acls.iter() {
                add("acl", format!("network ACL `{}`", n.value), &a.aws_id);
                descriptions.extend(&a.description);
            }
            for (n, g) in v.security_groups.iter() {
                add("sg", format!("security group `{}`", n.value), &g.aws_id);
                descriptions.extend(&g.description);
            }
            for (n, g) in v.nat_gateways.iter() {
                add("nat", format!("NAT gateway `{}`", n.value), &g.aws_id);
                descriptions.extend(&g.description);
            }
            for (n, i) in v.instances.iter() {
                add("i", format!("instance `{}`", n.value), &i.aws_id);
                add(
                    "eni",
                    format!("the primary interface of `{}`", n.value),
                    &i.eni_aws_id,
                );
                for (k, ni) in i.network_interfaces.iter().enumerate() {
                    add(
                        "eni",
                        format!("interface {} of `{}`", k + 1, n.value),
                        &ni.aws_id,
                    );
                    descriptions.extend(&ni.description);
                }
                descriptions.extend(&i.description);
            }
            for (n, e) in v.endpoints.iter() {
                add("vpce", format!("endpoint `{}`", n.value), &e.aws_id);
                descriptions.extend(&e.description);
            }
        }
        for (n, p) in t.prefix_lists.iter() {
            add("pl", format!("prefix list `{}`", n.value), &p.aws_id);
            descriptions.extend(&p.description);
        }
        for (n, p) in t.peerings.iter() {
            add("pcx", format!("peering `{}`", n.value), &p.aws_id);
            descriptions.extend(&p.description);
        }
        for (n, g) in t.transit_gateways.iter() {
            add("tgw", format!("transit gateway `{}`", n.value), &g.aws_id);
            descriptions.extend(&g.description);
            for (an, a) in g.attachments.iter() {
                add(
                    "tgw-attach",
                    format!("attachment `{}`", an.value),
                    &a.aws_id,
                );
                descriptions.extend(&a.description);
            }
            for (rn, r) in g.route_tables.iter() {
                add(
                    "tgw-rtb",
                    format!("route table `{}` of `{}`", rn.value, n.value),
                    &r.aws_id,
                );
                descriptions.extend(&r.description);
            }
        }
        for (n, g) in t.vpn_gateways.iter() {
            add(
                "vgw",
                format!("virtual private gateway `{}`", n.value),
                &g.aws_id,
            );
            descriptions.extend(&g.description);
        }
        for (n, g) in t.customer_gateways.iter() {
            add("cgw", format!("customer gateway `{}`", n.value), &g.aws_id);
            descriptions.extend(&g.description);
        }
        for (n, c) in t.vpn_connections.iter() {
            add("vpn", format!("VPN connection `{}`", n.value), &c.aws_id);
            descriptions.extend(&c.description);
        }
        for (n, v) in t.virtual_interfaces.iter() {
            add(
                "dxvif",
                format!("virtual interface `{}`", n.value),
                &v.aws_id,
            );
            descriptions.extend(&v.description);
        }
        for (_, g) in t.direct_connect_gateways.iter() {
            descriptions.extend(&g.description);
        }
        for (_, o) in t.on_premises.iter() {
            descriptions.extend(&o.description);
        }
        for (n, g) in t.direct_connect_gateways.iter() {
            if let Some(id) = &g.aws_id {
                let ok = !id.value.is_empty()
                    && id.value.len() <= MAX_ID
                    && id
                        .value
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if !ok {
                    self.err(
                        id.loc,
                        format!(
                            "`{}` is not an id of Direct Connect gateway `{}`",
                            id.value, n.value
                        ),
                        "Direct Connect gateway ids are UUIDs: lower-case letters, digits and `-`",
                    );
                }
            }
        }
        let mut seen: HashMap<&str, (&str, u32)> = HashMap::new();
        for w in &ids {
            let v = w.id.value.as_str();
            if !is_id(w.prefix, v) {
                self.err(
                    w.id.loc,
                    format!("`{v}` is not an AWS id of {} (`{}-…`)", w.what, w.prefix),
                    format!(
                        "write `{}-` followed by lower-case letters, digits and `-` (at most {MAX_ID} characters), e.g. `{}-0a1b2c3d4e5f60718`",
                        w.prefix, w.prefix
                    ),
                );
            } else if let Some((other, line)) = seen.get(v) {
                self.err(
                    w.id.loc,
                    format!("AWS id `{v}` is already the id of {other} (line {line})"),
                    "an AWS id names one object in the whole topology; remove or change one",
                );
            } else {
                seen.insert(v, (&w.what, w.id.loc.line));
            }
        }
        for d in descriptions {
            let n = d.value.chars().count();
            if n > MAX_DESCRIPTION {
                self.err(
                    d.loc,
                    format!(
                        "description is {n} characters long; AWS allows at most {MAX_DESCRIPTION}"
                    ),
                    "shorten it",
                );
            }
        }
    }
}

/// True when `id` is `PREFIX-` followed by `[a-z0-9-]+`, at most `MAX_ID` characters.
pub(super) fn is_id(prefix: &str, id: &str) -> bool {
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

#[cfg(test)]
mod tests {
    #[test]
    fn id_shapes() {
        assert!(super::is_id("vpc", "vpc-0a1b2c3d4e5f60718"));
        assert!(super::is_id("i", "i-web"));
        assert!(!super::is_id("vpc", "subnet-0a1b"));
        assert!(!super::is_id("vpc", "vpc-"));
        assert!(!super::is_id("vpc", "vpc-ABC"));
        assert!(!super::is_id("i", "instance-1"));
    }
}
