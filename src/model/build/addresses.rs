//! Address allocation for every ENI (NAT gateways' and instances', in declaration order):
//! private IPs (explicit ones first, then the first free one from the subnet's base+4), then
//! public IPs and Elastic IPs (explicit ones and fixed `public_ip` addresses first, then the
//! next free one of the pools in order, each from base+10, skipping internet hosts'
//! addresses). Running out of addresses is the one error
//! found here: validation cannot see it.

use super::{Builder, Built};
use crate::model::*;
use crate::topology::{spec, Loc, Sp};
use std::collections::HashSet;

/// What an ENI to create belongs to, as written.
#[derive(Clone, Copy)]
pub(super) enum Owner<'a> {
    /// A NAT gateway's requester-managed ENI.
    Nat(&'a spec::NatGateway),
    /// An instance's primary ENI.
    Instance(&'a spec::Instance),
    /// An instance's further ENI: `network_interfaces[device - 1]`.
    Interface(&'a spec::NetworkInterface, u32),
}

/// An ENI to create: its owner's name and spec, its VPC and subnet.
pub(super) struct Pending<'a> {
    pub name: &'a Sp<String>,
    pub vid: VpcId,
    pub subnet: SubnetId,
    pub owner: Owner<'a>,
}

/// A public address and whether it is an Elastic IP.
pub(super) type Public = Option<(Ipv4Addr, bool)>;

/// What public address an ENI is to get.
enum Wish<'s> {
    /// None.
    Nothing,
    /// The next free address of the pool; `elastic` when it is an Elastic IP.
    Next { elastic: bool },
    /// This address, as written, and where; `elastic` for an Elastic IP (else a fixed
    /// public IP).
    Explicit {
        addr: &'s str,
        loc: Loc,
        elastic: bool,
    },
}

impl<'a> Builder<'a> {
    /// Creates every ENI with its addresses, and the NAT gateways and instances owning them.
    pub(super) fn allocate(&mut self) -> Built<()> {
        let pending = self.pending()?;
        let private = self.private_ips(&pending)?;
        let public = self.public_ips(&pending)?;
        for ((p, ip), public) in pending.iter().zip(private).zip(public) {
            // No address means the subnet was full, which is already reported.
            if let Some(ip) = ip {
                self.eni(p, ip, public)?;
            }
        }
        Ok(())
    }

    /// Every ENI to create, in declaration order (NAT gateways and instances interleaved as
    /// written in the file).
    fn pending(&self) -> Built<Vec<Pending<'a>>> {
        let t = self.t;
        let mut pending = vec![];
        for (vname, v) in t.vpcs.iter() {
            let vid = self.vpc_named(vname)?;
            let nats = v
                .nat_gateways
                .iter()
                .map(|(n, g)| (n, &g.subnet, Owner::Nat(g)));
            let insts = v
                .instances
                .iter()
                .map(|(n, i)| (n, &i.subnet, Owner::Instance(i)));
            for (name, subnet, owner) in nats.chain(insts) {
                pending.push(Pending {
                    name,
                    vid,
                    subnet: self.subnet_named(vid, subnet)?,
                    owner,
                });
                // The instance's further interfaces right after it (the sort below is stable).
                if let Owner::Instance(i) = owner {
                    for (k, ni) in i.network_interfaces.iter().enumerate() {
                        pending.push(Pending {
                            name,
                            vid,
                            subnet: self.subnet_named(vid, &ni.subnet)?,
                            owner: Owner::Interface(ni, k as u32 + 1),
                        });
                    }
                }
            }
        }
        pending.sort_by_key(|p| p.name.loc);
        Ok(pending)
    }

    /// Private addresses: the explicit ones, then the first free one of each subnet. An
    /// explicit address is unique across the whole topology (validation checks each VPC).
    fn private_ips(&mut self, pending: &[Pending]) -> Built<Vec<Option<Ipv4Addr>>> {
        let mut used: HashSet<Ipv4Addr> = HashSet::new();
        let mut ips: Vec<Option<Ipv4Addr>> = vec![None; pending.len()];
        // Secondary IPs are always written: reserved before any allocation.
        for p in pending {
            let secondary = match p.owner {
                Owner::Instance(i) => &i.secondary_ips[..],
                Owner::Interface(ni, _) => &ni.secondary_ips[..],
                Owner::Nat(_) => &[],
            };
            for s in secondary {
                used.insert(self.ipv4(s)?);
            }
        }
        for (k, p) in pending.iter().enumerate() {
            let explicit = match p.owner {
                Owner::Nat(g) => g.ip.as_ref(),
                Owner::Instance(i) => i.ip.as_ref(),
                Owner::Interface(ni, _) => ni.ip.as_ref(),
            };
            let Some(s) = explicit else { continue };
            let a = self.ipv4(s)?;
            if !used.insert(a) {
                let cidr = self.n.subnet(p.subnet).cidr;
                self.r.error(
                    s.loc,
                    format!("address {a} cannot be used in subnet {cidr}"),
                    "pick a free address inside the subnet, not one of its 5 reserved addresses",
                );
            }
            ips[k] = Some(a);
        }
        for (k, p) in pending.iter().enumerate() {
            if ips[k].is_some() {
                continue;
            }
            let s = self.n.subnet(p.subnet);
            let (first, last) = (
                u32::from(s.cidr.network()).saturating_add(4),
                u32::from(s.cidr.broadcast()),
            );
            match (first..last)
                .map(Ipv4Addr::from)
                .find(|a| !used.contains(a))
            {
                Some(a) => {
                    used.insert(a);
                    ips[k] = Some(a);
                }
                None => {
                    let msg = format!(
                        "subnet `{}` ({}) has no free address left for `{}`",
                        s.name, s.cidr, p.name.value
                    );
                    self.r.error(
                        p.name.loc,
                        msg,
                        "use a larger subnet or move instances to another subnet",
                    );
                }
            }
        }
        Ok(ips)
    }

    /// Public addresses: explicit Elastic IPs, then the next free pool address for each NAT
    /// gateway without one (unless private), each `elastic_ip: true`, and each instance that
    /// gets a public IP (its `public_ip`, else the subnet's `map_public_ip`).
    fn public_ips(&mut self, pending: &[Pending]) -> Built<Vec<Public>> {
        let mut used: HashSet<Ipv4Addr> = HashSet::new();
        let mut pubs: Vec<Public> = vec![None; pending.len()];
        // (index, elastic) of the ENIs that take the next free address.
        let mut wants: Vec<(usize, bool)> = vec![];
        for (k, p) in pending.iter().enumerate() {
            match self.public_wish(p) {
                Wish::Nothing => {}
                Wish::Next { elastic } => wants.push((k, elastic)),
                Wish::Explicit { addr, loc, elastic } => {
                    let a = self.ipv4(&Sp::at(addr.to_string(), loc))?;
                    used.insert(a);
                    pubs[k] = Some((a, elastic));
                }
            }
        }
        let pools = self.n.public_pools.clone();
        let hosts: HashSet<Ipv4Addr> = self
            .t
            .internet
            .iter()
            .flat_map(|i| i.hosts.iter())
            .filter_map(|(_, h)| crate::topology::parse::ipv4(&h.ip.value).ok())
            .collect();
        let mut free = pools
            .iter()
            .flat_map(|pool| {
                (u32::from(pool.network()).saturating_add(10)..u32::from(pool.broadcast()))
                    .map(Ipv4Addr::from)
            })
            .filter(|a| !used.contains(a) && !hosts.contains(a));
        for (k, elastic) in wants {
            match free.next() {
                Some(a) => pubs[k] = Some((a, elastic)),
                None => self.r.error(
                    pending[k].name.loc,
                    format!(
                        "the public IP pool {} has no free address left",
                        pools
                            .iter()
                            .map(|p| p.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "set a larger `public_ip_pool:` at the top level",
                ),
            }
        }
        Ok(pubs)
    }

    /// A private NAT gateway gets nothing; a public one its `elastic_ip` or the next free
    /// address. An instance gets its `elastic_ip` (an address, or `true` for the next free
    /// one), else a public IP when `public_ip` (or its subnet's `map_public_ip`) says so.
    fn public_wish(&self, p: &Pending<'a>) -> Wish<'a> {
        match p.owner {
            Owner::Nat(g)
                if g.connectivity
                    .as_ref()
                    .is_some_and(|c| c.value == "private") =>
            {
                Wish::Nothing
            }
            Owner::Nat(g) => match &g.elastic_ip {
                Some(e) => Wish::Explicit {
                    addr: e.value.as_str(),
                    loc: e.loc,
                    elastic: true,
                },
                None => Wish::Next { elastic: true },
            },
            // AWS auto-assigns only to a single-interface instance: `true` here is an
            // Elastic-IP-like address from the pool.
            Owner::Interface(ni, _) => match ni.public_ip.as_ref() {
                Some(Sp {
                    value: spec::PublicIp::Fixed(a),
                    loc,
                }) => Wish::Explicit {
                    addr: a.as_str(),
                    loc: *loc,
                    elastic: false,
                },
                Some(Sp {
                    value: spec::PublicIp::Auto(true),
                    ..
                }) => Wish::Next { elastic: true },
                _ => Wish::Nothing,
            },
            Owner::Instance(i) => {
                let map = self.n.subnet(p.subnet).map_public_ip;
                let auto = match i.public_ip.as_ref().map(|b| &b.value) {
                    None => map,
                    Some(spec::PublicIp::Auto(b)) => *b,
                    Some(spec::PublicIp::Fixed(_)) => false,
                };
                let fixed = match &i.public_ip {
                    Some(Sp {
                        value: spec::PublicIp::Fixed(a),
                        loc,
                    }) => Some((a.as_str(), *loc)),
                    _ => None,
                };
                match i.elastic_ip.as_ref().map(|e| (e.value.as_str(), e.loc)) {
                    Some(("true", _)) => Wish::Next { elastic: true },
                    Some(("false", _)) | None => match fixed {
                        Some((addr, loc)) => Wish::Explicit {
                            addr,
                            loc,
                            elastic: false,
                        },
                        None if auto => Wish::Next { elastic: false },
                        None => Wish::Nothing,
                    },
                    Some((addr, loc)) => Wish::Explicit {
                        addr,
                        loc,
                        elastic: true,
                    },
                }
            }
        }
    }
}
