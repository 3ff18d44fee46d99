//! One ENI's security groups compiled ([`EniRules`]): the rules of all its groups merged in
//! evaluation order (groups in the ENI's order, rules in list order), indexed by protocol and,
//! for TCP and UDP, by destination port, so a packet meets only the rules that could admit it.

use crate::model::{proto, Eni, IcmpMatch, Network, PortRange, Protocol, SgPeer, SgRule};
use crate::policy::sg::{describe_peer, peer_matches};
use crate::policy::{ComponentKind, Decision, Direction, Header, RuleId, Verdict};
use ipnet::Ipv4Net;
use std::sync::Arc;

/// Above this many (interval, rule) pairs a port index keeps one interval listing every rule
/// (ports checked rule by rule): a bound on memory for rule sets of many overlapping ranges.
const MAX_PAIRS: usize = 1 << 14;

/// A rule's peer, ready to match: CIDRs as (network, mask) words.
#[derive(Debug)]
enum Peer {
    /// Any address inside one of these (a CIDR, or a prefix list's entries).
    Cidrs(Vec<(u32, u32)>),
    /// Members of a group: asked of the network ([`peer_matches`]).
    Group(SgPeer),
}

/// One rule in evaluation order, with the decision that credits it.
#[derive(Debug)]
struct Rule {
    /// The rule's protocol.
    protocol: Protocol,
    /// Its ports (tcp and udp rules).
    ports: PortRange,
    /// Its ICMP type and code (icmp rules).
    icmp: IcmpMatch,
    /// Source (inbound) or destination (outbound).
    peer: Peer,
    /// True when the peer is 0.0.0.0/0 (AWS's untracked-flow rule looks for these).
    all_addresses: bool,
    /// What [`crate::policy::sg::evaluate`] returns when this rule admits a packet.
    decision: Arc<Decision>,
}

impl Rule {
    /// True when the rule admits `h` (peer = `addr`): `sg::rule_matches`, compiled.
    fn admits(&self, net: &Network, h: &Header, addr: u32) -> bool {
        if !self.protocol.matches(h.proto)
            || self.protocol.has_ports() && !self.ports.contains(h.dport)
            || h.proto == proto::ICMP
                && self.protocol != Protocol::All
                && !self.icmp.matches(h.icmp_type(), h.icmp_code())
        {
            return false;
        }
        match &self.peer {
            Peer::Cidrs(c) => c.iter().any(|&(n, m)| addr & m == n),
            Peer::Group(p) => peer_matches(net, p, addr.into()),
        }
    }
}

/// The rules whose protocol covers one protocol (tcp or udp), by destination port: the port
/// space cut where any rule's range starts or ends, each piece listing (in evaluation order)
/// the rules covering it.
#[derive(Debug, Default)]
struct PortIndex {
    /// First port of each piece, ascending, starting at 0.
    starts: Vec<u16>,
    /// Piece `i`'s rules are `rules[at[i]..at[i + 1]]`.
    at: Vec<u32>,
    /// Rule positions (into `Direction::rules`), piece after piece.
    rules: Vec<u32>,
}

impl PortIndex {
    /// Indexes the rules of `all` that cover protocol `p`.
    fn new(all: &[Rule], p: u8) -> PortIndex {
        let ids: Vec<u32> = (0..all.len() as u32)
            .filter(|&i| all[i as usize].protocol.matches(p))
            .collect();
        let range = |i: u32| {
            let r = &all[i as usize];
            if r.protocol.has_ports() {
                r.ports
            } else {
                PortRange::ALL
            }
        };
        let mut starts = vec![0u16];
        for &i in &ids {
            let r = range(i);
            starts.push(r.from);
            if r.to < u16::MAX {
                starts.push(r.to + 1);
            }
        }
        starts.sort_unstable();
        starts.dedup();
        let mut at = vec![0u32];
        let mut rules = Vec::new();
        for &s in &starts {
            rules.extend(ids.iter().copied().filter(|&i| range(i).contains(s)));
            at.push(rules.len() as u32);
            if rules.len() > MAX_PAIRS {
                let n = ids.len() as u32;
                return PortIndex {
                    starts: vec![0],
                    at: vec![0, n],
                    rules: ids,
                };
            }
        }
        PortIndex { starts, at, rules }
    }

    /// The rules that may cover port `p`, in evaluation order.
    fn candidates(&self, p: u16) -> &[u32] {
        let i = self.starts.partition_point(|&s| s <= p).saturating_sub(1);
        match (self.at.get(i), self.at.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.rules[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// One direction of an ENI's rules.
#[derive(Debug, Default)]
struct Rules {
    /// Every rule, in evaluation order.
    rules: Vec<Rule>,
    /// TCP rules (and `all` rules) by port.
    tcp: PortIndex,
    /// UDP rules (and `all` rules) by port.
    udp: PortIndex,
}

impl Rules {
    /// Compiles direction `dir` of the groups on ENI `e`.
    fn new(net: &Network, e: &Eni, dir: Direction) -> Rules {
        let mut rules = Vec::new();
        for &g in &e.sgs {
            let sg = net.sg(g);
            let list = match dir {
                Direction::Inbound => &sg.inbound,
                Direction::Outbound => &sg.outbound,
            };
            for r in list {
                rules.push(compile(net, &sg.aws_id, r, dir));
            }
        }
        Rules {
            tcp: PortIndex::new(&rules, proto::TCP),
            udp: PortIndex::new(&rules, proto::UDP),
            rules,
        }
    }

    /// The decision of the first rule admitting `h`; None when none does.
    fn admit(&self, net: &Network, dir: Direction, h: &Header) -> Option<&Arc<Decision>> {
        let addr = u32::from(match dir {
            Direction::Inbound => h.src,
            Direction::Outbound => h.dst,
        });
        let pick = |i: &u32| {
            let r = &self.rules[*i as usize];
            r.admits(net, h, addr).then_some(&r.decision)
        };
        match h.proto {
            proto::TCP => self.tcp.candidates(h.dport).iter().find_map(pick),
            proto::UDP => self.udp.candidates(h.dport).iter().find_map(pick),
            _ => self
                .rules
                .iter()
                .find_map(|r| r.admits(net, h, addr).then_some(&r.decision)),
        }
    }
}

/// Compiles rule `r` of group `group` (display id) in direction `dir`, with the decision
/// `sg::evaluate` makes when it admits a packet.
fn compile(net: &Network, group: &str, r: &SgRule, dir: Direction) -> Rule {
    let word = |c: &Ipv4Net| (u32::from(c.network()), u32::from(c.netmask()));
    let peer = match &r.peer {
        SgPeer::Cidr(c) => Peer::Cidrs(vec![word(c)]),
        SgPeer::PrefixList(p) => {
            Peer::Cidrs(net.prefix_list(*p).entries.iter().map(word).collect())
        }
        g @ SgPeer::Group(_) => Peer::Group(g.clone()),
    };
    let decision = Decision {
        verdict: Verdict::Accept,
        component: group.to_string(),
        kind: ComponentKind::SecurityGroup,
        direction: Some(dir),
        rule: RuleId::SgRule {
            group: group.to_string(),
            index: r.index,
        },
        code: None,
        detail: format!(
            "{dir} rule {} allows {} {}",
            r.index,
            r.protocol,
            describe_peer(net, &r.peer)
        ),
    };
    Rule {
        protocol: r.protocol,
        ports: r.ports,
        icmp: r.icmp,
        peer,
        all_addresses: matches!(r.peer, SgPeer::Cidr(c) if c.prefix_len() == 0),
        decision: Arc::new(decision),
    }
}

/// An ENI's security groups compiled, both directions.
#[derive(Debug, Default)]
pub(super) struct EniRules {
    /// Inbound rules.
    inbound: Rules,
    /// Outbound rules.
    outbound: Rules,
    /// Both directions have a rule for all addresses (see [`EniRules::may_untrack`]).
    may_untrack: bool,
}

impl EniRules {
    /// Compiles the groups on ENI `e`.
    pub(super) fn new(net: &Network, e: &Eni) -> EniRules {
        let (inbound, outbound) = (
            Rules::new(net, e, Direction::Inbound),
            Rules::new(net, e, Direction::Outbound),
        );
        let any = |r: &Rules| r.rules.iter().any(|r| r.all_addresses);
        EniRules {
            may_untrack: any(&inbound) && any(&outbound),
            inbound,
            outbound,
        }
    }

    /// The decision of the first rule admitting `h` in `dir`; None when no rule does.
    pub(super) fn admit(
        &self,
        net: &Network,
        dir: Direction,
        h: &Header,
    ) -> Option<&Arc<Decision>> {
        match dir {
            Direction::Inbound => self.inbound.admit(net, dir, h),
            Direction::Outbound => self.outbound.admit(net, dir, h),
        }
    }

    /// True when some flow may be untracked here: both directions have a rule for all
    /// addresses (AWS's untracked-flow rule needs one each way).
    pub(super) fn may_untrack(&self) -> bool {
        self.may_untrack
    }
}
