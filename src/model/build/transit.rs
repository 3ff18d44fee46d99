//! The hybrid objects (`Network::hybrid`): on-premises networks, Direct Connect gateways,
//! VGWs, transit gateways (route tables, attachments, static and propagated routes), VPN
//! connections and virtual interfaces; later, the VGW routes propagated into VPC route tables
//! (`propagated_routes`) and the on-premises hosts (`on_premises_hosts`).

use super::{display_id, Builder, Built, Unresolved};
use crate::model::transit::*;
use crate::model::*;
use crate::topology::transit as spec;
use crate::topology::Sp;

/// The table the file calls `default` when it declares none by that name.
const DEFAULT_TABLE: &str = "default";

impl Builder<'_> {
    /// Builds everything of `Network::hybrid` except hosts (after VPCs and subnets).
    pub(super) fn hybrid(&mut self) -> Built<()> {
        let t = self.t;
        for (n, o) in t.on_premises.iter() {
            let cidrs = o.cidrs.iter().map(|c| self.cidr(c)).collect::<Built<_>>()?;
            self.n.hybrid.on_premises.push(OnPremises {
                name: n.value.clone(),
                cidrs,
                hosts: vec![],
            });
        }
        for (n, g) in t.direct_connect_gateways.iter() {
            self.n.hybrid.dx_gateways.push(DxGateway {
                name: n.value.clone(),
                aws_id: display_id(g.aws_id.as_ref(), "dxgw", &n.value),
            });
        }
        for (n, g) in t.vpn_gateways.iter() {
            let vpc = g.vpc.as_ref().map(|v| self.vpc_named(v)).transpose()?;
            let dx_gateway = match &g.direct_connect_gateway {
                None => None,
                Some(d) => {
                    let dx = index_of(&t.direct_connect_gateways, d)?;
                    let allowed = match (&g.allowed_prefixes, vpc) {
                        (Some(p), _) => p.iter().map(|c| self.cidr(c)).collect::<Built<_>>()?,
                        (None, Some(v)) => self.n.vpc(v).cidrs.clone(),
                        (None, None) => vec![],
                    };
                    Some((dx, allowed))
                }
            };
            self.n.hybrid.vgws.push(VpnGateway {
                name: n.value.clone(),
                aws_id: display_id(g.aws_id.as_ref(), "vgw", &n.value),
                vpc,
                dx_gateway,
            });
        }
        for (n, g) in t.transit_gateways.iter() {
            self.tgw_shell(n, g);
        }
        for (gi, (_, g)) in t.transit_gateways.iter().enumerate() {
            for (an, a) in g.attachments.iter() {
                self.attachment(gi, g, an, a)?;
            }
        }
        for (n, c) in t.vpn_connections.iter() {
            self.vpn(n, c)?;
        }
        for (n, v) in t.virtual_interfaces.iter() {
            self.vif(n, v)?;
        }
        for (gi, (_, g)) in t.transit_gateways.iter().enumerate() {
            self.tgw_routes(gi, g)?;
        }
        self.propagations()
    }

    /// A transit gateway with its route tables (no routes yet).
    fn tgw_shell(&mut self, n: &Sp<String>, g: &spec::TransitGateway) {
        let h = &mut self.n.hybrid;
        let tgw = h.tgws.len();
        let mut names: Vec<(String, Option<&spec::TgwRouteTable>)> = vec![];
        if implicit_default(g) && !g.route_tables.contains(DEFAULT_TABLE) {
            names.push((DEFAULT_TABLE.into(), None));
        }
        names.extend(
            g.route_tables
                .iter()
                .map(|(k, v)| (k.value.clone(), Some(v))),
        );
        let mut tables = vec![];
        for (name, written) in names {
            tables.push(h.tgw_route_tables.len());
            h.tgw_route_tables.push(TgwRouteTable {
                aws_id: display_id(
                    written.and_then(|w| w.aws_id.as_ref()),
                    "tgw-rtb",
                    &format!("{}-{name}", n.value),
                ),
                name,
                tgw,
                routes: vec![],
            });
        }
        let region = g
            .region
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_else(|| self.n.region.clone());
        self.n.hybrid.tgws.push(TransitGateway {
            name: n.value.clone(),
            aws_id: display_id(g.aws_id.as_ref(), "tgw", &n.value),
            region,
            attachments: vec![],
            route_tables: tables,
        });
    }

    /// The route table named `name` of transit gateway `tgw`.
    fn tgw_table(&self, tgw: TgwIdx, name: &Sp<String>) -> Built<TgwRtIdx> {
        let h = &self.n.hybrid;
        h.tgws[tgw]
            .route_tables
            .iter()
            .copied()
            .find(|r| h.tgw_route_tables[*r].name == name.value)
            .ok_or_else(|| {
                Unresolved::new(
                    name.loc,
                    format!("transit gateway route table `{}`", name.value),
                )
            })
    }

    /// The table an attachment without `association:` gets (None: default association off).
    fn default_association(
        &self,
        tgw: TgwIdx,
        g: &spec::TransitGateway,
    ) -> Built<Option<TgwRtIdx>> {
        if !g
            .default_route_table_association
            .as_ref()
            .is_none_or(|b| b.value)
        {
            return Ok(None);
        }
        let name = g
            .association_default_route_table
            .clone()
            .unwrap_or_else(|| Sp::new(DEFAULT_TABLE.into()));
        self.tgw_table(tgw, &name).map(Some)
    }

    fn attachment(
        &mut self,
        tgw: TgwIdx,
        g: &spec::TransitGateway,
        an: &Sp<String>,
        a: &spec::TgwAttachment,
    ) -> Built<()> {
        let t = self.t;
        let kind = if let Some(v) = &a.vpc {
            let vpc = self.vpc_named(v)?;
            let subnets = a
                .subnets
                .iter()
                .map(|s| self.subnet_named(vpc, s))
                .collect::<Built<_>>()?;
            AttachmentKind::Vpc {
                vpc,
                subnets,
                appliance_mode: a.appliance_mode.as_ref().is_some_and(|b| b.value),
            }
        } else if let Some(v) = &a.vpn_connection {
            AttachmentKind::Vpn(index_of(&t.vpn_connections, v)?)
        } else if let Some(d) = &a.direct_connect_gateway {
            AttachmentKind::DxGateway {
                dxgw: index_of(&t.direct_connect_gateways, d)?,
                allowed_prefixes: a
                    .allowed_prefixes
                    .iter()
                    .map(|c| self.cidr(c))
                    .collect::<Built<_>>()?,
            }
        } else if let Some(p) = &a.peer_transit_gateway {
            let peer = index_of(&t.transit_gateways, p)?;
            let pg = t
                .transit_gateways
                .get(&p.value)
                .ok_or_else(|| Unresolved::new(p.loc, format!("transit gateway `{}`", p.value)))?;
            let peer_association = match &a.peer_association {
                Some(r) => Some(self.tgw_table(peer, r)?),
                None => self.default_association(peer, pg)?,
            };
            AttachmentKind::Peering {
                peer,
                peer_association,
            }
        } else {
            return Err(Unresolved::new(
                an.loc,
                format!("the kind of attachment `{}`", an.value),
            ));
        };
        let association = match &a.association {
            Some(r) if r.value == "none" => None,
            Some(r) => Some(self.tgw_table(tgw, r)?),
            None => self.default_association(tgw, g)?,
        };
        let h = &mut self.n.hybrid;
        let idx = h.attachments.len();
        if let AttachmentKind::Peering { peer, .. } = &kind {
            h.tgws[*peer].attachments.push(idx);
        }
        h.tgws[tgw].attachments.push(idx);
        h.attachments.push(TgwAttachment {
            name: an.value.clone(),
            aws_id: display_id(a.aws_id.as_ref(), "tgw-attach", &an.value),
            tgw,
            kind,
            association,
        });
        Ok(())
    }

    fn vpn(&mut self, n: &Sp<String>, c: &spec::VpnConnection) -> Built<()> {
        let t = self.t;
        let cg = &c.customer_gateway;
        let cgw = t
            .customer_gateways
            .get(&cg.value)
            .ok_or_else(|| Unresolved::new(cg.loc, format!("customer gateway `{}`", cg.value)))?;
        let on_premises = index_of(&t.on_premises, &cgw.on_premises)?;
        let termination = match &c.vpn_gateway {
            Some(g) => VpnTermination::Vgw(index_of(&t.vpn_gateways, g)?),
            None => {
                let me = self.n.hybrid.vpns.len();
                let at = self
                    .n
                    .hybrid
                    .attachments
                    .iter()
                    .position(|a| a.kind == AttachmentKind::Vpn(me))
                    .ok_or_else(|| {
                        Unresolved::new(
                            n.loc,
                            format!("the attachment of VPN connection `{}`", n.value),
                        )
                    })?;
                VpnTermination::Tgw(at)
            }
        };
        let static_routing = c.routing.as_ref().is_some_and(|r| r.value == "static");
        let prefixes = if static_routing {
            c.static_routes
                .iter()
                .map(|p| self.cidr(p))
                .collect::<Built<_>>()?
        } else {
            match &c.advertised_prefixes {
                Some(p) => p.iter().map(|p| self.cidr(p)).collect::<Built<_>>()?,
                None => self.n.hybrid.on_premises[on_premises].cidrs.clone(),
            }
        };
        self.n.hybrid.vpns.push(VpnConnection {
            name: n.value.clone(),
            aws_id: display_id(c.aws_id.as_ref(), "vpn", &n.value),
            customer_gateway: display_id(cgw.aws_id.as_ref(), "cgw", &cg.value),
            on_premises,
            termination,
            static_routing,
            prefixes,
            up: c.state.as_ref().is_none_or(|s| s.value != "down"),
        });
        Ok(())
    }

    fn vif(&mut self, n: &Sp<String>, v: &spec::VirtualInterface) -> Built<()> {
        let t = self.t;
        let on_premises = index_of(&t.on_premises, &v.on_premises)?;
        let termination = match (&v.direct_connect_gateway, &v.vpn_gateway) {
            (Some(d), _) => VifTermination::DxGateway(index_of(&t.direct_connect_gateways, d)?),
            (None, Some(g)) => VifTermination::Vgw(index_of(&t.vpn_gateways, g)?),
            (None, None) => {
                return Err(Unresolved::new(
                    n.loc,
                    format!("where virtual interface `{}` ends", n.value),
                ))
            }
        };
        let prefixes = match &v.advertised_prefixes {
            Some(p) => p.iter().map(|p| self.cidr(p)).collect::<Built<_>>()?,
            None => self.n.hybrid.on_premises[on_premises].cidrs.clone(),
        };
        self.n.hybrid.vifs.push(VirtualInterface {
            name: n.value.clone(),
            aws_id: display_id(v.aws_id.as_ref(), "dxvif", &n.value),
            transit: v.vif_type.value == "transit",
            on_premises,
            termination,
            prefixes,
            up: v.state.as_ref().is_none_or(|s| s.value != "down"),
        });
        Ok(())
    }

    /// The static and blackhole routes of a transit gateway's tables.
    fn tgw_routes(&mut self, tgw: TgwIdx, g: &spec::TransitGateway) -> Built<()> {
        for (tn, rt) in g.route_tables.iter() {
            let table = self.tgw_table(tgw, tn)?;
            for r in &rt.routes {
                let destination = self.cidr(&r.destination)?;
                let attachment = match &r.attachment {
                    None => None,
                    Some(a) => Some(
                        self.n
                            .hybrid
                            .attachments
                            .iter()
                            .position(|x| x.name == a.value)
                            .ok_or_else(|| {
                                Unresolved::new(a.loc, format!("attachment `{}`", a.value))
                            })?,
                    ),
                };
                self.n.hybrid.tgw_route_tables[table].routes.push(TgwRoute {
                    destination,
                    attachment,
                    origin: TgwRouteOrigin::Static,
                });
            }
        }
        Ok(())
    }

    /// Every attachment's propagated routes, into its `propagations` (or the propagation
    /// default table); for one destination the better origin stays (AWS's priority).
    fn propagations(&mut self) -> Built<()> {
        let t = self.t;
        let mut adds: Vec<(TgwRtIdx, TgwRoute)> = vec![];
        let mut idx = 0;
        for (gi, (_, g)) in t.transit_gateways.iter().enumerate() {
            for (_, a) in g.attachments.iter() {
                let at = idx;
                idx += 1;
                let tables: Vec<TgwRtIdx> = match &a.propagations {
                    Some(list) => list
                        .iter()
                        .map(|r| self.tgw_table(gi, r))
                        .collect::<Built<_>>()?,
                    None if a.peer_transit_gateway.is_none()
                        && g.default_route_table_propagation
                            .as_ref()
                            .is_none_or(|b| b.value) =>
                    {
                        let name = g
                            .propagation_default_route_table
                            .clone()
                            .unwrap_or_else(|| Sp::new(DEFAULT_TABLE.into()));
                        vec![self.tgw_table(gi, &name)?]
                    }
                    None => vec![],
                };
                let (origin, prefixes) = self.propagated_by(at);
                for table in tables {
                    for &destination in &prefixes {
                        adds.push((
                            table,
                            TgwRoute {
                                destination,
                                attachment: Some(at),
                                origin,
                            },
                        ));
                    }
                }
            }
        }
        for (table, r) in adds {
            let routes = &mut self.n.hybrid.tgw_route_tables[table].routes;
            match routes.iter().position(|x| x.destination == r.destination) {
                Some(i) if routes[i].origin > r.origin => routes[i] = r,
                Some(_) => {}
                None => routes.push(r),
            }
        }
        Ok(())
    }

    /// What attachment `at` propagates: a VPC's CIDRs, a dynamic VPN's prefixes, the up
    /// transit virtual interfaces' prefixes of a Direct Connect gateway; a peering nothing.
    fn propagated_by(&self, at: AttachmentIdx) -> (TgwRouteOrigin, Vec<Ipv4Net>) {
        let h = &self.n.hybrid;
        match &h.attachments[at].kind {
            AttachmentKind::Vpc { vpc, .. } => {
                (TgwRouteOrigin::Vpc, self.n.vpc(*vpc).cidrs.clone())
            }
            AttachmentKind::Vpn(v) => {
                let c = &h.vpns[*v];
                let p = if c.up && !c.static_routing {
                    c.prefixes.clone()
                } else {
                    vec![]
                };
                (TgwRouteOrigin::Vpn, p)
            }
            AttachmentKind::DxGateway { dxgw, .. } => {
                let p = h
                    .vifs
                    .iter()
                    .filter(|v| {
                        v.up && v.transit && v.termination == VifTermination::DxGateway(*dxgw)
                    })
                    .flat_map(|v| v.prefixes.iter().copied())
                    .collect();
                (TgwRouteOrigin::DirectConnect, p)
            }
            AttachmentKind::Peering { .. } => (TgwRouteOrigin::Static, vec![]),
        }
    }

    /// The routes VGWs propagate into the VPC's tables (`propagating_vgws:`): each prefix the
    /// gateway learned from an up connection, unless the table has a route to it already or a
    /// VPC CIDR holds it (AWS: the local route wins even over a more specific propagated one).
    pub(super) fn propagated_routes(
        &mut self,
        vid: VpcId,
        v: &crate::topology::spec::Vpc,
    ) -> Built<()> {
        for (tname, table) in v.route_tables.iter() {
            if table.propagating_vgws.is_empty() {
                continue;
            }
            let rt = self.route_table_named(vid, tname)?;
            for g in &table.propagating_vgws {
                let name = self.t.vpn_gateway_name(&g.value).ok_or_else(|| {
                    Unresolved::new(g.loc, format!("virtual private gateway `{}`", g.value))
                })?;
                let vgw = index_of(&self.t.vpn_gateways, &Sp::at(name.to_string(), g.loc))?;
                let cidrs = self.n.vpc(vid).cidrs.clone();
                for destination in vgw_learned(&self.n.hybrid, vgw) {
                    if cidrs.iter().any(|c| c.contains(&destination)) {
                        continue;
                    }
                    let routes = &mut self.n.route_tables[rt.idx()].routes;
                    if routes.iter().all(|r| r.destination != destination) {
                        routes.push(Route {
                            destination,
                            target: Target::VpnGateway {
                                vgw,
                                propagated: true,
                            },
                            prefix_list: None,
                            loc: g.loc,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// The on-premises hosts, as internet hosts on private addresses (after `internet`).
    pub(super) fn on_premises_hosts(&mut self) -> Built<()> {
        for (oi, (_, o)) in self.t.on_premises.iter().enumerate() {
            for (name, h) in o.hosts.iter() {
                let ip = self.ipv4(&h.ip)?;
                let id = InternetHostId(self.n.internet_hosts.len() as u32);
                self.n.internet_hosts.push(InternetHost {
                    id,
                    name: name.value.clone(),
                    ip,
                    location: None,
                    region: None,
                    services: self.services(&h.services)?,
                    run: h.run.iter().map(|r| r.value.clone()).collect(),
                    ephemeral: self.ephemeral(h.ephemeral_ports.as_ref())?,
                    port: PortId(0),
                });
                self.n.idx.host_by_name.insert(name.value.clone(), id);
                self.n.idx.host_by_ip.insert(ip, id);
                self.n.hybrid.on_premises[oi].hosts.push(id);
            }
        }
        Ok(())
    }
}

/// The prefixes VGW `vgw` learned from its up connections, best path first for each: Direct
/// Connect (private virtual interfaces, direct or through its DX gateway), then VPN.
pub fn vgw_learned(h: &Hybrid, vgw: VgwIdx) -> Vec<Ipv4Net> {
    let mut out: Vec<Ipv4Net> = vec![];
    let dx = h.vgws[vgw].dx_gateway.as_ref().map(|(d, _)| *d);
    for v in h.vifs.iter().filter(|v| v.up && !v.transit) {
        let here = v.termination == VifTermination::Vgw(vgw)
            || dx.is_some_and(|d| v.termination == VifTermination::DxGateway(d));
        if here {
            out.extend(&v.prefixes);
        }
    }
    for c in h
        .vpns
        .iter()
        .filter(|c| c.up && c.termination == VpnTermination::Vgw(vgw))
    {
        out.extend(&c.prefixes);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(*p));
    out
}

/// The position of `name` in a map of the file (declaration order is the model's order).
fn index_of<T>(map: &crate::topology::NamedMap<T>, name: &Sp<String>) -> Built<usize> {
    map.iter()
        .position(|(k, _)| k.value == name.value)
        .ok_or_else(|| Unresolved::new(name.loc, format!("`{}`", name.value)))
}

/// True when the implicit `default` table exists (a default is enabled).
fn implicit_default(g: &spec::TransitGateway) -> bool {
    g.default_route_table_association
        .as_ref()
        .is_none_or(|b| b.value)
        || g.default_route_table_propagation
            .as_ref()
            .is_none_or(|b| b.value)
}
