//! One NACL compiled ([`NaclRules`]): its entries in rule-number order, each with its CIDR as
//! (network, mask) words and the decision that credits it, listed per protocol so a packet
//! meets only the entries of its protocol (and `all` ones), first match deciding.

use crate::model::{proto, Action, IcmpMatch, NaclEntry, NetworkAcl, PortRange, Protocol};
use crate::policy::{ComponentKind, Decision, Direction, ExplanationCode, Header, RuleId, Verdict};
use std::sync::Arc;

/// One entry, ready to match.
#[derive(Debug)]
struct Entry {
    /// The CIDR's network address.
    net: u32,
    /// The CIDR's mask.
    mask: u32,
    /// The entry's protocol.
    protocol: Protocol,
    /// Its ports (tcp and udp entries).
    ports: PortRange,
    /// Its ICMP type and code (icmp entries).
    icmp: IcmpMatch,
    /// What [`crate::policy::nacl::evaluate`] returns when this entry matches.
    decision: Arc<Decision>,
}

impl Entry {
    /// `nacl::entry_matches`, compiled (`addr` is the source inbound, the destination outbound).
    fn matches(&self, h: &Header, addr: u32) -> bool {
        if addr & self.mask != self.net || !self.protocol.matches(h.proto) {
            return false;
        }
        if self.protocol.has_ports() {
            return self.ports.contains(h.dport);
        }
        if h.proto == proto::ICMP && self.protocol != Protocol::All {
            return self.icmp.matches(h.icmp_type(), h.icmp_code());
        }
        true
    }
}

/// One direction of a NACL.
#[derive(Debug, Default)]
struct Entries {
    /// Every entry, in the NACL's order (ascending number).
    all: Vec<Entry>,
    /// Positions of the entries that may match TCP, in order.
    tcp: Vec<u32>,
    /// ... UDP.
    udp: Vec<u32>,
    /// ... ICMP.
    icmp: Vec<u32>,
}

impl Entries {
    /// Compiles direction `dir` of NACL `a`.
    fn new(a: &NetworkAcl, dir: Direction) -> Entries {
        let list = match dir {
            Direction::Inbound => &a.inbound,
            Direction::Outbound => &a.outbound,
        };
        let all: Vec<Entry> = list.iter().map(|e| compile(&a.aws_id, e, dir)).collect();
        let of = |p: u8| {
            (0..all.len() as u32)
                .filter(|&i| all[i as usize].protocol.matches(p))
                .collect()
        };
        Entries {
            tcp: of(proto::TCP),
            udp: of(proto::UDP),
            icmp: of(proto::ICMP),
            all,
        }
    }

    /// The first matching entry's decision; None when only `*` is left.
    fn first_match(&self, dir: Direction, h: &Header) -> Option<&Arc<Decision>> {
        let addr = u32::from(match dir {
            Direction::Inbound => h.src,
            Direction::Outbound => h.dst,
        });
        let ids = match h.proto {
            proto::TCP => &self.tcp,
            proto::UDP => &self.udp,
            proto::ICMP => &self.icmp,
            _ => {
                return self
                    .all
                    .iter()
                    .find(|e| e.matches(h, addr))
                    .map(|e| &e.decision)
            }
        };
        ids.iter()
            .map(|&i| &self.all[i as usize])
            .find(|e| e.matches(h, addr))
            .map(|e| &e.decision)
    }
}

/// Compiles entry `e` of NACL `acl` (display id) in direction `dir`, with the decision
/// `nacl::evaluate` makes when it matches.
fn compile(acl: &str, e: &NaclEntry, dir: Direction) -> Entry {
    let verdict = match e.action {
        Action::Allow => Verdict::Accept,
        Action::Deny => Verdict::Reject,
    };
    let decision = Decision {
        verdict,
        component: acl.to_string(),
        kind: ComponentKind::NetworkAcl,
        direction: Some(dir),
        rule: RuleId::Number(e.number),
        code: (verdict == Verdict::Reject).then_some(ExplanationCode::SubnetAclRestriction),
        detail: format!(
            "{dir} rule {} {} {} {}{}",
            e.number,
            if verdict == Verdict::Accept {
                "allows"
            } else {
                "denies"
            },
            e.protocol,
            e.cidr,
            if e.protocol.has_ports() {
                format!(" ports {}", e.ports)
            } else {
                String::new()
            }
        ),
    };
    Entry {
        net: u32::from(e.cidr.network()),
        mask: u32::from(e.cidr.netmask()),
        protocol: e.protocol,
        ports: e.ports,
        icmp: e.icmp,
        decision: Arc::new(decision),
    }
}

/// A NACL compiled, both directions.
#[derive(Debug, Default)]
pub(super) struct NaclRules {
    /// Inbound entries.
    inbound: Entries,
    /// Outbound entries.
    outbound: Entries,
}

impl NaclRules {
    /// Compiles NACL `a`.
    pub(super) fn new(a: &NetworkAcl) -> NaclRules {
        NaclRules {
            inbound: Entries::new(a, Direction::Inbound),
            outbound: Entries::new(a, Direction::Outbound),
        }
    }

    /// The decision of the first entry matching `h` in `dir`; None: the `*` rule denies it.
    pub(super) fn first_match(&self, dir: Direction, h: &Header) -> Option<&Arc<Decision>> {
        match dir {
            Direction::Inbound => self.inbound.first_match(dir, h),
            Direction::Outbound => self.outbound.first_match(dir, h),
        }
    }
}
