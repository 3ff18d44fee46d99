//! Which ENIs a flow log or a capture covers: `vpc:NAME` (every ENI in it, NAT gateway ENIs
//! included), `subnet:VPC/NAME` (ENIs in the subnet), `instance:NAME` (its ENI).

use crate::model::{EniId, Network};

/// Resolves a resource (`vpc:main`, `subnet:main/data-a`, `instance:web`, or a bare instance
/// name) to its ENIs, in model order. The error says what is unknown.
pub fn resolve(net: &Network, resource: &str) -> Result<Vec<EniId>, String> {
    let (kind, name) = resource.split_once(':').unwrap_or(("instance", resource));
    match kind {
        "vpc" => {
            let v = net
                .vpc_by_name(name)
                .ok_or_else(|| format!("no VPC named `{name}`"))?;
            Ok(net
                .enis
                .iter()
                .filter(|e| e.vpc == v)
                .map(|e| e.id)
                .collect())
        }
        "subnet" => {
            let (vn, sn) = name.split_once('/').ok_or_else(|| {
                format!("`{resource}` does not name a VPC and a subnet (subnet:VPC/NAME)")
            })?;
            let v = net
                .vpc_by_name(vn)
                .ok_or_else(|| format!("no VPC named `{vn}`"))?;
            let s = net
                .subnets
                .iter()
                .find(|s| s.vpc == v && s.name == sn)
                .ok_or_else(|| format!("VPC `{vn}` has no subnet named `{sn}`"))?;
            Ok(net
                .enis
                .iter()
                .filter(|e| e.subnet == s.id)
                .map(|e| e.id)
                .collect())
        }
        "instance" => {
            let i = net
                .instance_by_name(name)
                .ok_or_else(|| format!("no instance named `{name}`"))?;
            Ok(vec![net.instance(i).eni])
        }
        _ => Err(format!(
            "`{resource}` is not an instance, subnet:VPC/NAME or vpc:NAME"
        )),
    }
}

/// A set of ENIs with O(1) membership (indexed by `EniId`).
#[derive(Clone, Debug, Default)]
pub struct EniSet {
    bits: Vec<bool>,
}

impl EniSet {
    /// The set of these ENIs.
    pub fn new(enis: &[EniId]) -> Self {
        let n = enis.iter().map(|e| e.idx() + 1).max().unwrap_or(0);
        let mut bits = vec![false; n];
        for e in enis {
            bits[e.idx()] = true;
        }
        EniSet { bits }
    }
    /// True when `eni` is in the set.
    pub fn contains(&self, eni: EniId) -> bool {
        self.bits.get(eni.idx()).copied().unwrap_or(false)
    }
}
