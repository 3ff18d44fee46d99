//! On-premises networks of an import (issue 13), for both importers. An import knows the AWS side of a VPN
//! or Direct Connect link, never the data center behind it, so each network is inferred:
//! customer gateways with one public address are one site (one router), and a virtual
//! interface whose customer ASN is that of exactly one site's gateways joins it (else it is a
//! site of its own). A site's address space is what AWS learned from it: VPN static routes
//! and prefixes propagated into VPC and transit gateway route tables (a virtual interface's
//! `RouteFilterPrefixes` are a public VIF's, so not read). Learned prefixes that overlap a VPC (a default route) cannot be the
//! site's CIDRs; they stay what it advertises. A site nothing was learned from gets a made-up
//! block (reported): the real one is in the router's configuration, which vpclab does not read.

use super::doc::Document;
use super::doc_transit::OnPremises;
use super::names::Namer;
use super::report::{Outcome, Report};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// One inferred site while it is being built.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Its name in the document.
    pub name: String,
    /// Where it was inferred from (for the description and the report).
    pub from: String,
    /// Prefixes AWS learned from it.
    pub learned: BTreeSet<Ipv4Net>,
}

/// The sites of an import and what each advertises.
#[derive(Debug, Clone, Default)]
pub struct Sites {
    /// Site key (customer gateway address, or `vif:ID`) → site.
    pub by_key: BTreeMap<String, Site>,
    names: Namer,
}

impl Sites {
    /// The site of `key`, made on first use with a name from `label` (`onprem-LABEL`).
    pub fn site(&mut self, key: &str, label: &str, from: &str) -> &mut Site {
        if !self.by_key.contains_key(key) {
            let name = self.names.name(None, &format!("onprem-{label}"));
            self.by_key.insert(
                key.to_string(),
                Site {
                    name,
                    from: from.to_string(),
                    learned: BTreeSet::new(),
                },
            );
        }
        // Inserted just above when missing.
        self.by_key.get_mut(key).expect("the site exists")
    }

    /// The name of the site of `key`, when there is one.
    pub fn name_of(&self, key: &str) -> Option<String> {
        self.by_key.get(key).map(|s| s.name.clone())
    }

    /// Writes every site into `doc` as an on-premises network; returns, per site name, what
    /// it advertises when that is not its CIDRs (to write as `advertised_prefixes`).
    pub fn write(&self, doc: &mut Document, report: &mut Report) -> BTreeMap<String, Vec<Ipv4Net>> {
        let vpc_cidrs: Vec<Ipv4Net> = doc
            .vpcs
            .values()
            .flat_map(|v| std::iter::once(v.cidr).chain(v.secondary_cidrs.iter().copied()))
            .collect();
        let overlaps = |a: &Ipv4Net, b: &Ipv4Net| a.contains(b) || b.contains(a);
        let mut taken: Vec<Ipv4Net> = vec![];
        let mut advertised = BTreeMap::new();
        let mut sites: Vec<&Site> = self.by_key.values().collect();
        sites.sort_by(|a, b| a.name.cmp(&b.name));
        for s in sites {
            let mut cidrs: Vec<Ipv4Net> = vec![];
            for c in &s.learned {
                if vpc_cidrs.iter().any(|v| overlaps(v, c)) {
                    continue;
                }
                if taken.iter().any(|t| overlaps(t, c)) {
                    report.add(
                        "OnPremises",
                        &s.name,
                        Outcome::Skipped,
                        format!("{c} is learned from another site too: left to the first"),
                    );
                    continue;
                }
                // Learned prefixes are sorted, so a covering block comes before its parts.
                if cidrs.iter().any(|x| x.contains(c)) {
                    continue;
                }
                cidrs.push(*c);
            }
            let made_up = cidrs.is_empty();
            if made_up {
                let free = (0..=255u8)
                    .filter_map(|n| Ipv4Net::new(std::net::Ipv4Addr::new(10, 255, n, 0), 24).ok())
                    .find(|c| {
                        !vpc_cidrs.iter().any(|v| overlaps(v, c))
                            && !taken.iter().any(|t| overlaps(t, c))
                    });
                let Some(free) = free else {
                    report.add(
                        "OnPremises",
                        &s.name,
                        Outcome::Skipped,
                        "no free block in 10.255.0.0/16 for its made-up CIDR",
                    );
                    continue;
                };
                cidrs.push(free);
                report.add(
                    "OnPremises",
                    &s.name,
                    Outcome::Guessed,
                    format!(
                        "the input does not say which prefixes {} announces: its CIDR {free} is made up (write the real ones, and its hosts)",
                        s.from
                    ),
                );
            } else {
                report.add(
                    "OnPremises",
                    &s.name,
                    Outcome::Guessed,
                    format!(
                        "inferred from {}: CIDRs are the prefixes AWS learned from it; add its hosts",
                        s.from
                    ),
                );
            }
            taken.extend(cidrs.iter().copied());
            let learned: Vec<Ipv4Net> = s.learned.iter().copied().collect();
            if !learned.is_empty() && learned != cidrs {
                advertised.insert(s.name.clone(), learned);
            }
            doc.on_premises.insert(
                s.name.clone(),
                OnPremises {
                    description: Some(format!("behind {}", s.from)),
                    cidrs,
                    hosts: Default::default(),
                },
            );
        }
        advertised
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_made_once_per_key_with_unique_names() {
        let mut s = Sites::default();
        let a = s
            .site("1.1.1.2", "1.1.1.2", "customer gateway cgw-1")
            .name
            .clone();
        assert_eq!(a, "onprem-1-1-1-2");
        s.site("1.1.1.2", "x", "y")
            .learned
            .insert("10.1.0.0/16".parse().unwrap());
        assert_eq!(s.by_key.len(), 1);
        assert_eq!(s.by_key["1.1.1.2"].learned.len(), 1);
        assert_eq!(s.name_of("nope"), None);
    }
}
