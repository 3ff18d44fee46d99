//! The last pass over the document: every `aws_id` well-formed and unique (the importers'
//! shared [`crate::import::ids::check_ids`]: a plan can list one resource under two
//! addresses), and descriptions (Name tags, group descriptions) cut to AWS's 255 characters,
//! as the format requires.

use super::Builder;

/// AWS's limit on a description.
const MAX_DESCRIPTION: usize = 255;

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
        crate::import::ids::check_ids(&mut self.doc, &mut self.report);
        for p in self.doc.prefix_lists.values_mut() {
            cut(&mut p.description);
        }
        for v in self.doc.vpcs.values_mut() {
            cut(&mut v.description);
            v.subnets.values_mut().for_each(|x| cut(&mut x.description));
            v.route_tables
                .values_mut()
                .for_each(|x| cut(&mut x.description));
            v.network_acls
                .values_mut()
                .for_each(|x| cut(&mut x.description));
            v.nat_gateways
                .values_mut()
                .for_each(|x| cut(&mut x.description));
            for x in v.security_groups.values_mut() {
                cut(&mut x.description);
                for r in x.inbound.iter_mut().chain(x.outbound.iter_mut()).flatten() {
                    cut(&mut r.description);
                }
            }
            for x in v.instances.values_mut() {
                cut(&mut x.description);
                x.network_interfaces
                    .iter_mut()
                    .for_each(|n| cut(&mut n.description));
            }
        }
        for p in self.doc.peerings.values_mut() {
            cut(&mut p.description);
        }
    }
}
