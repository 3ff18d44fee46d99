//! The last pass over the document: an AWS id written twice (a plan can list one resource
//! under two addresses) is kept on its first object only, and descriptions (Name tags, group
//! descriptions) are cut to AWS's 255 characters, as the format requires.

use super::Builder;
use crate::import::report::Outcome;
use std::collections::BTreeSet;

/// AWS's limit on a description.
const MAX_DESCRIPTION: usize = 255;

/// Keeps `id` when not seen yet; else drops it and records where.
fn once(seen: &mut BTreeSet<String>, dropped: &mut Vec<String>, id: &mut Option<String>) {
    if let Some(v) = id {
        if !seen.insert(v.clone()) {
            dropped.push(v.clone());
            *id = None;
        }
    }
}

/// Cuts a description to the limit, on a character boundary.
fn cut(d: &mut Option<String>) {
    if let Some(s) = d {
        if s.chars().count() > MAX_DESCRIPTION {
            *s = s.chars().take(MAX_DESCRIPTION).collect();
        }
    }
}

impl Builder<'_> {
    /// Unique ids, bounded descriptions.
    pub fn tidy(&mut self) {
        let mut seen = BTreeSet::new();
        let mut dropped = vec![];
        let (s, d) = (&mut seen, &mut dropped);
        for p in self.doc.prefix_lists.values_mut() {
            once(s, d, &mut p.aws_id);
            cut(&mut p.description);
        }
        for v in self.doc.vpcs.values_mut() {
            once(s, d, &mut v.aws_id);
            cut(&mut v.description);
            if let Some(g) = &mut v.internet_gateway {
                once(s, d, &mut g.aws_id);
            }
            for x in v.subnets.values_mut() {
                once(s, d, &mut x.aws_id);
                cut(&mut x.description);
            }
            for x in v.route_tables.values_mut() {
                once(s, d, &mut x.aws_id);
                cut(&mut x.description);
            }
            for x in v.network_acls.values_mut() {
                once(s, d, &mut x.aws_id);
                cut(&mut x.description);
            }
            for x in v.security_groups.values_mut() {
                once(s, d, &mut x.aws_id);
                cut(&mut x.description);
                for r in x.inbound.iter_mut().chain(x.outbound.iter_mut()).flatten() {
                    cut(&mut r.description);
                }
            }
            for x in v.nat_gateways.values_mut() {
                once(s, d, &mut x.aws_id);
                cut(&mut x.description);
            }
            for x in v.instances.values_mut() {
                once(s, d, &mut x.aws_id);
                once(s, d, &mut x.eni_aws_id);
                cut(&mut x.description);
                for n in x.network_interfaces.iter_mut() {
                    once(s, d, &mut n.aws_id);
                    cut(&mut n.description);
                }
            }
        }
        for p in self.doc.peerings.values_mut() {
            once(s, d, &mut p.aws_id);
            cut(&mut p.description);
        }
        for id in dropped {
            self.report.add(
                "aws_id",
                id,
                Outcome::Approximated,
                "the id is on two objects of the input: kept on the first only",
            );
        }
    }
}
