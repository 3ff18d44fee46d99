//! Which ENIs a flow log or a capture covers: `vpc:NAME` (every ENI in it, NAT gateway ENIs
//! included), `subnet:VPC/NAME` (ENIs in the subnet), `instance:NAME` (its ENI).

use crate::model::{EniId, Network};

/// Resolves a resource (`vpc:main`, `subnet:main/data-a`, `instance:web`, or a bare instance
/// name) to its ENIs, in model order (see `Network::resource_enis`). The error says what is
/// unknown.
pub fn resolve(net: &Network, resource: &str) -> Result<Vec<EniId>, String> {
    net.resource_enis(resource)
}

/// A set of ENIs with O(1) membership (indexed by `EniId`).
#[derive(Clone, Debug, Default)]
pub struct EniSet {
    bits: Vec<bool>,
}

impl EniSet {
    /// The set of these ENIs (duplicates are harmless).
    pub fn new(enis: &[EniId]) -> Self {
        let n = enis.iter().map(|e| e.idx() + 1).max().unwrap_or(0);
        let mut bits = vec![false; n];
        for e in enis {
            bits[e.idx()] = true;
        }
        EniSet { bits }
    }
    /// True when `eni` is in the set (false for any id past the largest given).
    pub fn contains(&self, eni: EniId) -> bool {
        self.bits.get(eni.idx()).copied().unwrap_or(false)
    }
}
