//! Checks of network ACL entries and security group rules: numbers, actions, protocols, ports,
//! ICMP filters, and SG peers (`source` / `destination`) with their references.

use super::super::parse::{self, PeerRef};
use super::super::spec;
use super::super::Word;
use super::{Loc, Sp, Validator};
use std::collections::HashMap;

impl Validator<'_> {
    /// Protocol, ports and ICMP of a rule; `at` is the rule's position for missing keys.
    fn proto_ports(
        &mut self,
        protocol: &Sp<Word>,
        ports: Option<&Sp<Word>>,
        icmp: Option<&spec::Icmp>,
    ) {
        let p = match parse::protocol(protocol.value.as_str()) {
            Ok(p) => p,
            Err(e) => {
                self.err(
                    protocol.loc,
                    e,
                    "write tcp, udp, icmp, all (or -1), or a protocol number 0..255",
                );
                return;
            }
        };
        let word = parse::protocol_word(p);
        match (parse::takes_ports(p), ports) {
            (true, None) => self.err(
                protocol.loc,
                format!("a {word} rule needs `ports`"),
                "add `ports: 80` or `ports: 1024-65535` (or `ports: all`)",
            ),
            (true, Some(w)) => {
                if let Err(e) = parse::port_range(w.value.as_str()) {
                    self.err(
                        w.loc,
                        format!("invalid ports: {e}"),
                        "write one port (80) or a range (1024-65535), ports 0..65535",
                    );
                }
            }
            (false, Some(w)) => {
                let hint = if parse::is_icmp(p) {
                    "ICMP has no ports; use `icmp: { type: 8, code: 0 }` (or omit it for all ICMP)"
                } else {
                    "only tcp and udp rules take ports; remove `ports`"
                };
                self.err(w.loc, format!("a `{word}` rule cannot have `ports`"), hint);
            }
            (false, None) => {}
        }
        if let Some(i) = icmp {
            if !parse::is_icmp(p) {
                let loc = i
                    .icmp_type
                    .as_ref()
                    .or(i.code.as_ref())
                    .map(|x| x.loc)
                    .unwrap_or(protocol.loc);
                self.err(
                    loc,
                    format!("`icmp` is only for icmp rules, not `{word}`"),
                    "set `protocol: icmp` or remove `icmp`",
                );
            }
            for v in [i.icmp_type.as_ref(), i.code.as_ref()]
                .into_iter()
                .flatten()
            {
                if !(-1..=255).contains(&v.value) {
                    self.err(
                        v.loc,
                        format!("ICMP type/code {} is outside -1..255", v.value),
                        "use -1 (or omit it) for all",
                    );
                }
            }
        }
    }

    pub(super) fn nacls(&mut self, v: &spec::Vpc) {
        for (aname, acl) in v.network_acls.iter() {
            self.name("network ACL", aname);
            for (dir, entries) in [("inbound", &acl.inbound), ("outbound", &acl.outbound)] {
                let mut numbers: HashMap<i64, Loc> = HashMap::new();
                for e in entries {
                    let n = e.rule.value;
                    if !(1..=32766).contains(&n) {
                        self.err(
                            e.rule.loc,
                            format!("NACL rule number {n} is outside 1..32766"),
                            "AWS numbers NACL entries 1 to 32766; 32767 is the implicit `*` rule",
                        );
                    } else if let Some(first) = numbers.get(&n) {
                        self.err(
                            e.rule.loc,
                            format!("{dir} rule number {n} of network ACL `{}` is already used (line {})", aname.value, first.line),
                            "rule numbers are unique per direction; renumber one (leave gaps, e.g. 100, 110, 120)",
                        );
                    } else {
                        numbers.insert(n, e.rule.loc);
                    }
                    if e.action.value != "allow" && e.action.value != "deny" {
                        self.err(
                            e.action.loc,
                            format!("action `{}` is not `allow` or `deny`", e.action.value),
                            "write `action: allow` or `action: deny`",
                        );
                    }
                    self.proto_ports(&e.protocol, e.ports.as_ref(), e.icmp.as_ref());
                    if parse::prefix_list_ref(&e.cidr.value).is_some() {
                        self.err(
                            e.cidr.loc,
                            format!("a NACL rule cannot use the prefix list `{}`", e.cidr.value),
                            "NACLs take CIDRs only (as in AWS): write one rule per CIDR of the list",
                        );
                        continue;
                    }
                    if crate::topology::ipv6::is_ipv6_text(&e.cidr.value) {
                        self.rule_cidr6(&e.cidr, "NACL rule");
                        continue;
                    }
                    self.cidr(&e.cidr, "NACL rule", false);
                }
            }
        }
    }

    pub(super) fn security_groups(&mut self, vname: &Sp<String>, v: &spec::Vpc) {
        for (gname, g) in v.security_groups.iter() {
            self.name("security group", gname);
            for r in g.inbound.iter().flatten() {
                if let Some(d) = &r.destination {
                    self.err(
                        d.loc,
                        "an inbound rule takes `source`, not `destination`",
                        "write `source: CIDR` or `source: sg:NAME`",
                    );
                }
                match &r.source {
                    Some(s) => self.sg_peer(vname, v, s),
                    None if r.destination.is_none() => self.err(
                        r.protocol.loc,
                        "this inbound rule has no `source`",
                        "add `source:` with a CIDR (0.0.0.0/0 for anywhere), `sg:NAME` or `sg:VPC/NAME`",
                    ),
                    None => {}
                }
                self.proto_ports(&r.protocol, r.ports.as_ref(), r.icmp.as_ref());
            }
            for r in g.outbound.iter().flatten() {
                if let Some(s) = &r.source {
                    self.err(
                        s.loc,
                        "an outbound rule takes `destination`, not `source`",
                        "write `destination: CIDR` or `destination: sg:NAME`",
                    );
                }
                match &r.destination {
                    Some(d) => self.sg_peer(vname, v, d),
                    None if r.source.is_none() => self.err(
                        r.protocol.loc,
                        "this outbound rule has no `destination`",
                        "add `destination:` with a CIDR (0.0.0.0/0 for anywhere), `sg:NAME` or `sg:VPC/NAME`",
                    ),
                    None => {}
                }
                self.proto_ports(&r.protocol, r.ports.as_ref(), r.icmp.as_ref());
            }
        }
    }

    fn sg_peer(&mut self, vname: &Sp<String>, v: &spec::Vpc, s: &Sp<String>) {
        let t = self.t;
        if crate::topology::ipv6::is_ipv6_text(&s.value) {
            return self.rule_cidr6(s, "security group rule");
        }
        match parse::peer_ref(&s.value) {
            Ok(PeerRef::Cidr(_)) => {}
            Ok(PeerRef::PrefixList(name)) => self.prefix_list_exists(&name, s.loc),
            Ok(PeerRef::Sg { vpc: None, name }) => {
                if name != "default" && !v.security_groups.contains(&name) {
                    self.err(
                        s.loc,
                        format!("security group `{name}` does not exist in VPC `{}`", vname.value),
                        "declare it under this VPC's `security_groups:`, or write `sg:VPC/NAME` for a group of a peered VPC",
                    );
                }
            }
            Ok(PeerRef::Sg {
                vpc: Some(pv),
                name,
            }) => {
                let Some(other) = t.vpcs.get(&pv) else {
                    self.err(
                        s.loc,
                        format!("VPC `{pv}` does not exist"),
                        "write `sg:VPC/NAME` with a VPC declared under `vpcs:`",
                    );
                    return;
                };
                let peered = pv == vname.value
                    || t.peerings.iter().any(|(_, p)| {
                        (p.requester.value == vname.value && p.accepter.value == pv)
                            || (p.accepter.value == vname.value && p.requester.value == pv)
                    });
                if !peered {
                    self.err(
                        s.loc,
                        format!("VPC `{pv}` is not peered with VPC `{}`, so its groups cannot be referenced", vname.value),
                        "add a peering between the two VPCs under `peerings:`, or use the peer's CIDR",
                    );
                } else if region_of(t, other) != region_of(t, v) {
                    self.err(
                        s.loc,
                        format!(
                            "VPC `{pv}` is in {} but VPC `{}` is in {}: groups can be referenced only across a same-region peering",
                            region_of(t, other),
                            vname.value,
                            region_of(t, v)
                        ),
                        "use the peer VPC's CIDR instead of its group",
                    );
                } else if name != "default" && !other.security_groups.contains(&name) {
                    self.err(
                        s.loc,
                        format!("security group `{name}` does not exist in VPC `{pv}`"),
                        "check the group's name in that VPC",
                    );
                }
            }
            Err(e) => self.err(
                s.loc,
                e,
                parse::leading_zero_hint(&s.value).unwrap_or_else(|| {
                    "write a CIDR such as 10.0.0.0/16, `sg:NAME` or `sg:VPC/NAME`".into()
                }),
            ),
        }
    }
}

/// The region of a VPC: its own, the topology's, or `us-east-1`.
fn region_of<'a>(t: &'a crate::topology::Topology, v: &'a spec::Vpc) -> &'a str {
    v.region
        .as_ref()
        .or(t.region.as_ref())
        .map(|r| r.value.as_str())
        .unwrap_or("us-east-1")
}
