//! Hosted zones: names, private zones' VPC associations (and their DNS attributes), one zone
//! per name and visibility.

use super::records;
use crate::topology::records::domain;
use crate::topology::spec::{Dns, Topology, Zone};
use crate::topology::{Loc, Report};

/// Checks every hosted zone of `dns`: its name, its VPC associations, no duplicate zone, then
/// its records.
pub(super) fn check(t: &Topology, dns: &Dns, r: &mut Report) {
    let mut seen: Vec<(String, bool, Vec<String>, Loc)> = Vec::new();
    for z in &dns.zones {
        let Ok(zname) = domain(&z.name).map_err(|e| {
            r.error(
                z.name.loc,
                format!("zone name: {e}"),
                "write a domain name such as example.com",
            )
        }) else {
            continue;
        };
        let private = z.private.as_ref().is_some_and(|p| p.value);
        check_zone_vpcs(t, z, private, r);
        let vpcs: Vec<String> = z.vpcs.iter().map(|v| v.value.clone()).collect();
        if let Some((_, _, _, loc)) = seen.iter().find(|(n, p, v, _)| {
            *n == zname && *p == private && (!private || v.iter().any(|x| vpcs.contains(x)))
        }) {
            r.error(
                z.name.loc,
                format!(
                    "a {} hosted zone named {zname} is already defined at line {}",
                    if private { "private" } else { "public" },
                    loc.line
                ),
                "merge the two zones' records into one zone",
            );
        }
        seen.push((zname.clone(), private, vpcs, z.name.loc));
        records::check(t, dns, z, &zname, private, r);
    }
}

fn check_zone_vpcs(t: &Topology, z: &Zone, private: bool, r: &mut Report) {
    if private && z.vpcs.is_empty() {
        r.error(
            z.name.loc,
            "a private hosted zone needs at least one VPC",
            "add `vpcs: [VPC]` listing the VPCs that may resolve it",
        );
    }
    if !private && !z.vpcs.is_empty() {
        r.error(
            z.vpcs[0].loc,
            "a public hosted zone is not associated with VPCs",
            "add `private: true` to make it a private hosted zone, or remove `vpcs:`",
        );
    }
    for v in &z.vpcs {
        match t.vpcs.get(v) {
            None => r.error(
                v.loc,
                format!("VPC `{}` does not exist", v.value),
                format!(
                    "one of: {}",
                    t.vpcs
                        .iter()
                        .map(|(k, _)| k.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Some(vpc) if private => {
                let d = vpc.dns.as_ref();
                let support = d.and_then(|d| d.support.as_ref()).is_none_or(|s| s.value);
                let hostnames = d
                    .and_then(|d| d.hostnames.as_ref())
                    .is_some_and(|s| s.value);
                if !support || !hostnames {
                    r.warning(
                        v.loc,
                        format!("VPC `{}` has dns support {support} and hostnames {hostnames}: the private zone will not resolve there", v.value),
                        "set `dns: { support: true, hostnames: true }` on the VPC (AWS requires both for private hosted zones)",
                    );
                }
            }
            Some(_) => {}
        }
    }
}
