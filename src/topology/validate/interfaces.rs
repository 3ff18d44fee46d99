//! An instance's further network interfaces (`network_interfaces:`): a subnet of the same VPC
//! in the primary's AZ, groups of the VPC. Their addresses are checked in `addresses.rs`, their
//! ids in `ids.rs`.

use super::super::spec;
use super::{Sp, Validator};

impl Validator<'_> {
    /// Checks the interfaces of instance `iname` of VPC `vname` (whose region is `region`).
    pub(super) fn interfaces(
        &mut self,
        vname: &Sp<String>,
        v: &spec::Vpc,
        iname: &Sp<String>,
        i: &spec::Instance,
        region: &str,
    ) {
        let az = |s: &spec::Subnet| {
            s.az.as_ref()
                .map_or_else(|| format!("{region}a"), |a| a.value.clone())
        };
        let primary_az = v.subnets.get(&i.subnet.value).map(az);
        for (k, ni) in i.network_interfaces.iter().enumerate() {
            let device = k + 1;
            match v.subnets.get(&ni.subnet.value) {
                None => self.err(
                    ni.subnet.loc,
                    format!(
                        "subnet `{}` does not exist in VPC `{}`",
                        ni.subnet.value, vname.value
                    ),
                    "an interface sits in a subnet of its instance's VPC; use a name under `subnets:`",
                ),
                Some(s) => {
                    let here = az(s);
                    if let Some(p) = primary_az.as_ref().filter(|p| **p != here) {
                        self.err(
                            ni.subnet.loc,
                            format!(
                                "interface {device} of instance `{}` is in {here} (subnet `{}`), its primary interface in {p}",
                                iname.value, ni.subnet.value
                            ),
                            "AWS attaches only interfaces of the instance's availability zone; pick a subnet of that AZ",
                        );
                    }
                }
            }
            for sg in ni.security_groups.iter().flatten() {
                if sg.value != "default" && !v.security_groups.contains(&sg.value) {
                    self.err(
                        sg.loc,
                        format!("security group `{}` does not exist in VPC `{}`", sg.value, vname.value),
                        "an interface can only use groups of its own VPC; declare it under `security_groups:`",
                    );
                }
            }
        }
    }
}
