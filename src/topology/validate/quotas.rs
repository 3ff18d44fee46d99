//! AWS's default quotas on what is written, counted as AWS counts them: 50 routes per route
//! table and 60 rules per security group and direction, IPv4 and IPv6 separately; a
//! prefix-list reference (`pl:NAME`) counts its list's `max_entries` (a customer-managed
//! list: `max_entries`, default its entries; an AWS-managed one: its `max_entries`, default its
//! entries), not the entries it holds now (reference §2.1, import-and-next-wave §4.7).

use super::super::aws_services::{default_prefix_list, managed_list_ref, parse_service};
use super::super::spec_endpoints::AwsServiceDecl;
use super::{Loc, Validator};

/// Non-propagated routes per route table (per family), AWS's default.
pub const ROUTES_PER_TABLE: i64 = 50;
/// Inbound or outbound rules per security group (per family), AWS's default.
pub const RULES_PER_GROUP: i64 = 60;

impl Validator<'_> {
    /// Checks every route table and security group against the quotas.
    pub(super) fn quotas(&mut self) {
        let t = self.t;
        for (_, vpc) in t.vpcs.iter() {
            for (name, rt) in vpc.route_tables.iter() {
                let refs: Vec<(&str, Loc)> = rt
                    .routes
                    .iter()
                    .map(|r| (r.destination.value.as_str(), r.destination.loc))
                    .collect();
                self.quota(
                    &refs,
                    ROUTES_PER_TABLE,
                    &format!("route table `{}`", name.value),
                    "routes",
                );
            }
            for (name, sg) in vpc.security_groups.iter() {
                for (dir, rules, peer) in [
                    ("inbound", &sg.inbound, true),
                    ("outbound", &sg.outbound, false),
                ] {
                    let refs: Vec<(&str, Loc)> = rules
                        .iter()
                        .flatten()
                        .filter_map(|r| if peer { &r.source } else { &r.destination }.as_ref())
                        .map(|p| (p.value.as_str(), p.loc))
                        .collect();
                    self.quota(
                        &refs,
                        RULES_PER_GROUP,
                        &format!("security group `{}`", name.value),
                        &format!("{dir} rules"),
                    );
                }
            }
        }
    }

    /// Counts `refs` (destinations or peers, with where each is written) per family and
    /// reports the first that takes the count over `quota`.
    fn quota(&mut self, refs: &[(&str, Loc)], quota: i64, what: &str, items: &str) {
        let mut counts = [0i64; 2];
        let mut reported = [false; 2];
        for &(r, loc) in refs {
            let family =
                usize::from(r.contains(':') && !r.starts_with("pl:") && !r.starts_with("sg:"));
            let weight = self.weight(r);
            counts[family] += weight;
            if counts[family] > quota && !reported[family] {
                reported[family] = true;
                let fam = if family == 1 { "IPv6" } else { "IPv4" };
                let why = if weight > 1 {
                    format!(" (`{r}` counts {weight}: its max_entries)")
                } else {
                    String::new()
                };
                self.err(
                    loc,
                    format!(
                        "{what} has {} {fam} {items} here as AWS counts them{why}: over AWS's quota of {quota}",
                        counts[family]
                    ),
                    format!(
                        "a prefix-list reference counts its max_entries, not its current entries; lower max_entries, \
                         use fewer {items}, or split them (AWS's default quota is {quota} per family)"
                    ),
                );
            }
        }
    }

    /// What one destination or peer counts: a prefix list its `max_entries`, anything else 1.
    fn weight(&self, r: &str) -> i64 {
        let Some(name) = r.strip_prefix("pl:") else {
            return 1;
        };
        if let Some(pl) = self.t.prefix_lists.get(name) {
            return pl
                .max_entries
                .as_ref()
                .map_or(pl.entries.len() as i64, |m| m.value)
                .max(1);
        }
        let Some((region, short)) = managed_list_ref(name) else {
            return 1;
        };
        let declared = self.t.aws_services.iter().find_map(|d| match &d.value {
            AwsServiceDecl::Full(f) => {
                let (r, s) = parse_service(&f.service.value).ok()?;
                let r = f
                    .region
                    .as_ref()
                    .map(|x| x.value.as_str())
                    .or(r)
                    .unwrap_or_else(|| {
                        self.t
                            .region
                            .as_ref()
                            .map_or("us-east-1", |x| x.value.as_str())
                    });
                (r == region && s == short).then_some(f.prefix_list.as_ref()?)
            }
            AwsServiceDecl::Name(_) => None,
        });
        match declared {
            Some(pl) => pl
                .max_entries
                .as_ref()
                .map_or(pl.entries.len() as i64, |m| m.value)
                .max(1),
            None => default_prefix_list(region, short).len().max(1) as i64,
        }
    }
}
