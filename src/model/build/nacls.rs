//! Network ACLs: the implicit `default` (allow all both ways as rule 100) unless the file
//! declares one by that name, then the declared ones with their entries sorted by number.

use super::{display_id, text, Builder, Built, Unresolved};
use crate::model::*;
use crate::topology::{spec, Loc, Sp, Word};

impl Builder<'_> {
    /// The NACLs of a VPC.
    pub(super) fn nacls(&mut self, vid: VpcId, v: &spec::Vpc) -> Built<()> {
        if !v.network_acls.contains("default") {
            let all = vec![allow_all_entry()];
            self.push_nacl(vid, "default".into(), None, all.clone(), all);
        }
        for (name, acl) in v.network_acls.iter() {
            let v4 = |r: &&spec::NaclRule| !crate::topology::ipv6::is_ipv6_text(&r.cidr.value);
            let inbound = acl
                .inbound
                .iter()
                .filter(v4)
                .map(nacl_entry)
                .collect::<Built<_>>()?;
            let outbound = acl
                .outbound
                .iter()
                .filter(v4)
                .map(nacl_entry)
                .collect::<Built<_>>()?;
            self.push_nacl(vid, name.value.clone(), Some(acl), inbound, outbound);
        }
        Ok(())
    }

    fn push_nacl(
        &mut self,
        vid: VpcId,
        name: String,
        written: Option<&spec::NetworkAcl>,
        mut inbound: Vec<NaclEntry>,
        mut outbound: Vec<NaclEntry>,
    ) {
        inbound.sort_by_key(|e| e.number);
        outbound.sort_by_key(|e| e.number);
        let id = NaclId(self.n.nacls.len() as u32);
        self.n.nacls.push(NetworkAcl {
            id,
            aws_id: display_id(written.and_then(|w| w.aws_id.as_ref()), "acl", &name),
            description: written.and_then(|w| text(&w.description)),
            default: name == "default",
            name,
            vpc: vid,
            inbound,
            outbound,
        });
        self.n.vpcs[vid.idx()].nacls.push(id);
    }

    /// The NACL of this VPC with this name.
    pub(super) fn nacl_named(&self, vid: VpcId, name: &str, loc: Loc) -> Built<NaclId> {
        let n = &self.n;
        n.vpc(vid)
            .nacls
            .iter()
            .copied()
            .find(|a| n.nacl(*a).name == name)
            .ok_or_else(|| Unresolved::new(loc, format!("network ACL `{name}`")))
    }
}

/// AWS's rule 100 of a default NACL: everything allowed.
fn allow_all_entry() -> NaclEntry {
    NaclEntry {
        number: 100,
        action: Action::Allow,
        protocol: Protocol::All,
        ports: PortRange::ALL,
        icmp: IcmpMatch::default(),
        cidr: Ipv4Net::default(),
        loc: Loc::default(),
    }
}

fn nacl_entry(r: &spec::NaclRule) -> Built<NaclEntry> {
    let protocol = rule_protocol(&r.protocol)?;
    Ok(NaclEntry {
        number: u16::try_from(r.rule.value)
            .map_err(|_| Unresolved::new(r.rule.loc, format!("rule number {}", r.rule.value)))?,
        action: if r.action.value.eq_ignore_ascii_case("deny") {
            Action::Deny
        } else {
            Action::Allow
        },
        protocol,
        ports: rule_ports(&protocol, r.ports.as_ref(), r.protocol.loc)?,
        icmp: icmp_match(r.icmp.as_ref()),
        cidr: crate::topology::parse::cidr(&r.cidr.value)
            .map_err(|_| Unresolved::new(r.cidr.loc, format!("CIDR `{}`", r.cidr.value)))?,
        loc: r.rule.loc,
    })
}

/// A NACL entry's or SG rule's protocol.
pub(super) fn rule_protocol(w: &Sp<Word>) -> Built<Protocol> {
    Protocol::parse(w.value.as_str())
        .map_err(|_| Unresolved::new(w.loc, format!("protocol `{}`", w.value.as_str())))
}

/// A rule's ports: its `ports` for tcp and udp (validation requires them there and forbids
/// them elsewhere), every port otherwise. `at` is the rule's position.
pub(super) fn rule_ports(
    protocol: &Protocol,
    ports: Option<&Sp<Word>>,
    at: Loc,
) -> Built<PortRange> {
    match (protocol.has_ports(), ports) {
        (false, _) => Ok(PortRange::ALL),
        (true, Some(p)) => PortRange::parse(p.value.as_str())
            .map_err(|_| Unresolved::new(p.loc, format!("ports `{}`", p.value.as_str()))),
        (true, None) => Err(Unresolved::new(
            at,
            format!("the ports of a {protocol} rule"),
        )),
    }
}

/// A rule's ICMP filter; -1 (or a missing key) is every type or code.
pub(super) fn icmp_match(i: Option<&spec::Icmp>) -> IcmpMatch {
    let conv = |v: Option<&Sp<i64>>| v.and_then(|x| u8::try_from(x.value).ok());
    match i {
        Some(i) => IcmpMatch {
            icmp_type: conv(i.icmp_type.as_ref()),
            code: conv(i.code.as_ref()),
        },
        None => IcmpMatch::default(),
    }
}
