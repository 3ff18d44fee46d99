//! Route tables: the implicit `main` (unless the file declares a table by that name), the
//! declared ones, each starting with the VPC's local routes; then the declared routes with
//! their targets resolved, and the longest-prefix index.

use super::{display_id, text, Builder, Built, Unresolved};
use crate::model::*;
use crate::topology::parse::{self, TargetRef};
use crate::topology::{spec, Loc, Sp};

impl Builder<'_> {
    /// The route-table shells of a VPC (local routes only) and its main table.
    pub(super) fn route_tables(
        &mut self,
        vid: VpcId,
        v: &spec::Vpc,
        cidrs: &[Ipv4Net],
    ) -> Built<()> {
        let local: Vec<Route> = cidrs
            .iter()
            .map(|c| Route {
                destination: *c,
                target: Target::Local,
                prefix_list: None,
                loc: Loc::default(),
            })
            .collect();
        let main_name = v
            .main_route_table
            .as_ref()
            .map_or("main", |m| m.value.as_str());
        // The implicit `main` only while it is the main table: a VPC whose `main_route_table`
        // names another table has no table called `main` (no phantom in `show`).
        let implicit =
            (main_name == "main" && !v.route_tables.contains("main")).then(|| "main".to_string());
        let names = implicit
            .into_iter()
            .chain(v.route_tables.iter().map(|(k, _)| k.value.clone()));
        for name in names {
            let id = RouteTableId(self.n.route_tables.len() as u32);
            let written = v.route_tables.get(&name);
            self.n.route_tables.push(RouteTable {
                id,
                aws_id: display_id(written.and_then(|w| w.aws_id.as_ref()), "rtb", &name),
                description: written.and_then(|w| text(&w.description)),
                main: name == main_name,
                name,
                vpc: vid,
                routes: local.clone(),
                lpm: Default::default(),
            });
            self.n.vpcs[vid.idx()].route_tables.push(id);
        }
        let at = v
            .main_route_table
            .as_ref()
            .map(|m| m.loc)
            .unwrap_or_default();
        let main = self.route_table_named(vid, &Sp::at(main_name.to_string(), at))?;
        self.n.vpcs[vid.idx()].main_route_table = main;
        Ok(())
    }

    /// The route table of this VPC with this name.
    pub(super) fn route_table_named(&self, vid: VpcId, name: &Sp<String>) -> Built<RouteTableId> {
        let n = &self.n;
        n.vpc(vid)
            .route_tables
            .iter()
            .copied()
            .find(|r| n.route_table(*r).name == name.value)
            .ok_or_else(|| Unresolved::new(name.loc, format!("route table `{}`", name.value)))
    }

    /// The declared routes of every table of a VPC, then each table's longest-prefix index. A
    /// route to a VPC CIDR replaces its local route (an appliance in the path, as AWS allows).
    /// A prefix-list route becomes one route per entry, added after the CIDR routes and only
    /// where no route has that CIDR yet (AWS: a CIDR route beats a prefix-list entry of the
    /// same CIDR; between two lists the first declared is kept).
    pub(super) fn routes(&mut self, vid: VpcId, v: &spec::Vpc) -> Built<()> {
        for (tname, table) in v.route_tables.iter() {
            let rt = self.route_table_named(vid, tname)?;
            for route in &table.routes {
                if parse::prefix_list_ref(&route.destination.value).is_some()
                    || crate::topology::ipv6::is_ipv6_text(&route.destination.value)
                {
                    continue;
                }
                let destination = self.cidr(&route.destination)?;
                let new = Route {
                    destination,
                    target: self.target(vid, &route.target)?,
                    prefix_list: None,
                    loc: route.destination.loc,
                };
                let routes = &mut self.n.route_tables[rt.idx()].routes;
                match routes.iter().position(|r| r.destination == destination) {
                    Some(i) if routes[i].target == Target::Local => routes[i] = new,
                    Some(_) => {
                        return Err(Unresolved::new(
                            route.destination.loc,
                            format!("a second route to {destination}"),
                        ))
                    }
                    None => routes.push(new),
                }
            }
            for route in &table.routes {
                let Some(name) = parse::prefix_list_ref(&route.destination.value) else {
                    continue;
                };
                let pl = self.prefix_list_named(name, route.destination.loc)?;
                let target = self.target(vid, &route.target)?;
                for &destination in &self.n.prefix_list(pl).entries.clone() {
                    let routes = &mut self.n.route_tables[rt.idx()].routes;
                    if routes.iter().all(|r| r.destination != destination) {
                        routes.push(Route {
                            destination,
                            target: target.clone(),
                            prefix_list: Some(pl),
                            loc: route.destination.loc,
                        });
                    }
                }
            }
        }
        self.propagated_routes(vid, v)?;
        for rt in self.n.vpcs[vid.idx()].route_tables.clone() {
            let t = &mut self.n.route_tables[rt.idx()];
            let mut lpm = prefix_trie::PrefixMap::new();
            for (i, r) in t.routes.iter().enumerate() {
                lpm.insert(r.destination, i);
            }
            t.lpm = lpm;
        }
        Ok(())
    }

    /// A route's target: the IGW, a NAT gateway of the VPC, a peering that includes it, or an
    /// instance of the VPC.
    pub(super) fn target(&self, vid: VpcId, s: &Sp<String>) -> Built<Target> {
        let n = &self.n;
        let missing = || Unresolved::new(s.loc, format!("route target `{}`", s.value));
        Ok(match parse::target_ref(&s.value).map_err(|_| missing())? {
            TargetRef::Local => Target::Local,
            TargetRef::Igw => Target::Igw,
            TargetRef::Blackhole => Target::Blackhole,
            TargetRef::Nat(name) => n
                .vpc(vid)
                .nat_gateways
                .iter()
                .copied()
                .find(|g| n.nat(*g).name == name)
                .map(Target::Nat)
                .ok_or_else(missing)?,
            TargetRef::Pcx(name) => n
                .peerings
                .iter()
                .find(|p| p.name == name && p.other(vid).is_some())
                .map(|p| Target::Peering(p.id))
                .ok_or_else(missing)?,
            TargetRef::Instance(name) => n
                .instance_by_name(&name)
                .filter(|i| n.instance(*i).vpc == vid)
                .map(Target::Instance)
                .ok_or_else(missing)?,
            TargetRef::Tgw(g) => self
                .t
                .transit_gateway_name(&g)
                .and_then(|name| n.hybrid.tgws.iter().position(|x| x.name == name))
                .map(Target::TransitGateway)
                .ok_or_else(missing)?,
            TargetRef::Vgw(g) => self
                .t
                .vpn_gateway_name(&g)
                .and_then(|name| n.hybrid.vgws.iter().position(|x| x.name == name))
                .map(|vgw| Target::VpnGateway {
                    vgw,
                    propagated: false,
                })
                .ok_or_else(missing)?,
        })
    }
}
