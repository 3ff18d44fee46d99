//! Connection tracking at an ENI: whether an admitted packet starts a tracked flow, the decision
//! a tracked packet gets, and the security-group step of the walk that uses both.

use super::walker::{Step, Walker};
use crate::model::{EniId, EniOwner, Network, SgPeer};
use crate::policy::{sg, ComponentKind, Decision, Direction, Header, RuleId, Verdict};

/// True when an SG-admitted packet starts a tracked flow at `eni`: neither it nor the flow it
/// would answer is untracked (a reply of an untracked flow never creates an entry).
///
/// An interface endpoint's ENI tracks every flow whatever its groups say: AWS lists AWS
/// PrivateLink (interface VPC endpoints) among the "automatically tracked connections"
/// (EC2 User Guide, security group connection tracking), so an endpoint whose groups allow
/// all addresses both ways still answers its clients (its replies leave as a tracked flow's).
pub fn tracks(net: &Network, eni: EniId, dir: Direction, h: &Header) -> bool {
    if matches!(net.eni(eni).owner, EniOwner::VpcEndpoint(_)) {
        return true;
    }
    // Cheap precheck: untracked flows need an all-addresses rule in both directions.
    let all = |inbound: bool| {
        net.eni(eni).sgs.iter().any(|g| {
            let sg = net.sg(*g);
            let rules = if inbound { &sg.inbound } else { &sg.outbound };
            rules
                .iter()
                .any(|r| matches!(r.peer, SgPeer::Cidr(c) if c.prefix_len() == 0))
        })
    };
    if !h.has_ports() || !all(true) || !all(false) {
        return true;
    }
    let opposite = match dir {
        Direction::Inbound => Direction::Outbound,
        Direction::Outbound => Direction::Inbound,
    };
    !sg::is_untracked(net, eni, dir, h) && !sg::is_untracked(net, eni, opposite, &h.reversed())
}

/// Decision used for a tracked flow's packet at an ENI, credited to its first security group
/// (the ENI itself when it has none).
pub fn tracked_decision(net: &Network, eni: EniId, dir: Direction) -> Decision {
    let e = net.eni(eni);
    let comp = e
        .sgs
        .first()
        .map(|g| net.sg(*g).aws_id.clone())
        .unwrap_or_else(|| e.aws_id.clone());
    Decision {
        verdict: Verdict::Accept,
        component: comp,
        kind: ComponentKind::SecurityGroup,
        direction: Some(dir),
        rule: RuleId::Tracked,
        code: None,
        detail: format!("{dir} packet of a tracked connection"),
    }
}

impl Walker<'_> {
    /// The security groups of `eni` in `dir`: a tracked packet passes without evaluation, others
    /// are evaluated (and marked for tracking when admitted). Records the ENI's observation and
    /// returns its index.
    pub(super) fn security_group(&mut self, eni: EniId, dir: Direction, h: &Header) -> Step<usize> {
        if self.state.tracked(eni, dir, h) {
            let d = self.tracked_at(eni, dir);
            if self.trace {
                self.hop(
                    &d.component.clone(),
                    d.kind,
                    d.to_string(),
                    Some((*d).clone()),
                );
            }
            Ok(self.observe_shared(eni, dir, h, d, false))
        } else {
            let d = self.sg_decision(eni, dir, h);
            let track = d.accepted() && self.tracks_at(eni, dir, h);
            let i = self.observe_shared(eni, dir, h, d.clone(), track);
            self.check_shared(d)?;
            Ok(i)
        }
    }
}
