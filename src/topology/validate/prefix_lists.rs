//! Customer-managed prefix lists (`prefix_lists:`): names, entries (IPv4 CIDRs written as
//! their network, no duplicates, at most `max_entries`), `max_entries` (1..1000), and the
//! `pl:NAME` references of routes and SG rules.

use super::{Loc, Validator};
use ipnet::Ipv4Net;
use std::collections::HashMap;

/// AWS's largest `MaxEntries` of a customer-managed prefix list.
const MAX_ENTRIES: i64 = 1000;

impl Validator<'_> {
    /// Checks every prefix list's definition.
    pub(super) fn prefix_lists(&mut self) {
        let t = self.t;
        for (name, pl) in t.prefix_lists.iter() {
            self.name("prefix list", name);
            let mut seen: HashMap<Ipv4Net, u32> = HashMap::new();
            for e in &pl.entries {
                let at = crate::topology::Sp::at(e.value.cidr().to_string(), e.loc);
                let Some(c) = self.cidr(&at, "prefix list entry", false) else {
                    continue;
                };
                if let Some(line) = seen.get(&c) {
                    self.err(
                        e.loc,
                        format!(
                            "prefix list `{}` already has the entry {c} (line {line})",
                            name.value
                        ),
                        "each CIDR is an entry once; remove the duplicate",
                    );
                } else {
                    seen.insert(c, e.loc.line);
                }
            }
            if let Some(m) = &pl.max_entries {
                if !(1..=MAX_ENTRIES).contains(&m.value) {
                    self.err(
                        m.loc,
                        format!("max_entries {} is outside 1..{MAX_ENTRIES}", m.value),
                        "AWS allows 1 to 1000 entries in a customer-managed prefix list",
                    );
                } else if pl.entries.len() as i64 > m.value {
                    self.err(
                        m.loc,
                        format!(
                            "prefix list `{}` has {} entries but max_entries is {}",
                            name.value,
                            pl.entries.len(),
                            m.value
                        ),
                        "raise max_entries or remove entries",
                    );
                }
            }
        }
    }

    /// A `pl:NAME` reference at `loc` must name a declared prefix list.
    pub(super) fn prefix_list_exists(&mut self, name: &str, loc: Loc) {
        if self.t.prefix_lists.contains(name)
            || crate::topology::aws_services::managed_list_ref(name).is_some()
        {
            return;
        }
        let known: Vec<&str> = self
            .t
            .prefix_lists
            .iter()
            .map(|(k, _)| k.value.as_str())
            .collect();
        self.err(
            loc,
            format!("prefix list `{name}` does not exist"),
            if known.is_empty() {
                "declare it under the top-level `prefix_lists:`".to_string()
            } else {
                format!(
                    "declare it under the top-level `prefix_lists:` (declared: {})",
                    known.join(", ")
                )
            },
        );
    }
}
