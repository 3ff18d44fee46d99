//! The first packet compiled ([`Compiled`]): every ENI's security groups and every NACL turned,
//! once per network (the engine builds it at `Engine::new` and `Engine::apply`), into
//! structures that decide in a few lookups, each accepting rule's [`Decision`] built in
//! advance and shared (`Arc`), so a walk allocates nothing to credit the rule that decided.
//!
//! The compiled form answers exactly what [`super::sg::evaluate`], [`super::nacl::evaluate`]
//! and [`super::path::tracks`] answer (a property test over random rule sets checks it):
//! rejections, whose details name the packet, are left to those plain functions.

mod nacl;
mod sg;
#[cfg(test)]
mod tests;

use crate::model::{EniId, NaclId, Network};
use crate::policy::{Decision, Direction, Header};
use std::sync::Arc;

/// A network's SGs (per ENI) and NACLs compiled for the walk; see the module doc.
#[derive(Debug, Default)]
pub struct Compiled {
    /// Per ENI (index = `EniId`): its groups' rules merged, inbound and outbound.
    enis: Vec<sg::EniRules>,
    /// Per ENI: [`super::path::tracked_decision`] inbound and outbound.
    tracked: Vec<[Arc<Decision>; 2]>,
    /// Per NACL (index = `NaclId`): its entries, inbound and outbound.
    nacls: Vec<nacl::NaclRules>,
}

impl Compiled {
    /// Compiles every ENI's security groups and every NACL of `net`.
    pub fn new(net: &Network) -> Compiled {
        Compiled {
            enis: net.enis.iter().map(|e| sg::EniRules::new(net, e)).collect(),
            tracked: net
                .enis
                .iter()
                .map(|e| {
                    let d = |dir| Arc::new(super::path::tracked_decision(net, e.id, dir));
                    [d(Direction::Inbound), d(Direction::Outbound)]
                })
                .collect(),
            nacls: net.nacls.iter().map(nacl::NaclRules::new).collect(),
        }
    }

    /// [`super::sg::evaluate`]: the first rule (groups in the ENI's order) that admits `h`
    /// crossing `eni` in `dir`, or the plain evaluation's rejection.
    pub fn sg(&self, net: &Network, eni: EniId, dir: Direction, h: &Header) -> Arc<Decision> {
        match self.enis.get(eni.idx()).and_then(|e| e.admit(net, dir, h)) {
            Some(d) => d.clone(),
            None => Arc::new(super::sg::evaluate(net, eni, dir, h)),
        }
    }

    /// [`super::nacl::evaluate`]: the first entry by number that matches `h` crossing NACL
    /// `acl` in `dir`, or the final `*` rule's rejection.
    pub fn nacl(&self, net: &Network, acl: NaclId, dir: Direction, h: &Header) -> Arc<Decision> {
        match self.nacls.get(acl.idx()).map(|a| a.first_match(dir, h)) {
            Some(Some(d)) => d.clone(),
            _ => Arc::new(super::nacl::evaluate(net, acl, dir, h)),
        }
    }

    /// [`super::path::tracks`]: false only where the ENI has all-addresses rules both ways (the
    /// plain function then decides).
    pub fn tracks(&self, net: &Network, eni: EniId, dir: Direction, h: &Header) -> bool {
        match self.enis.get(eni.idx()) {
            Some(e) if !e.may_untrack() => true,
            _ => super::path::tracks(net, eni, dir, h),
        }
    }

    /// [`super::path::tracked_decision`]: the decision of a tracked flow's packet at `eni`.
    pub fn tracked(&self, net: &Network, eni: EniId, dir: Direction) -> Arc<Decision> {
        match self.tracked.get(eni.idx()) {
            Some(d) => d[usize::from(dir == Direction::Outbound)].clone(),
            None => Arc::new(super::path::tracked_decision(net, eni, dir)),
        }
    }
}
