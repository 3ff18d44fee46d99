//! Load balancers (`load_balancers:`): after every instance and NAT gateway has its addresses,
//! each node's ENI takes the next free private address of its subnet (and, internet-facing,
//! the next free pool address), so adding a load balancer never moves another address; then
//! listeners, rules and target groups with targets resolved to addresses, ENIs and zones.

use super::{mac_for, text, Builder, Built, Unresolved};
use crate::model::load_balancer::*;
use crate::model::*;
use crate::topology::load_balancer as spec;
use crate::topology::Sp;
use std::collections::HashSet;

impl Builder<'_> {
    /// Builds every load balancer with its nodes' ENIs.
    pub(super) fn load_balancers(&mut self) -> Built<()> {
        let t = self.t;
        for (name, lb) in t.load_balancers.iter() {
            self.load_balancer(name, lb)?;
        }
        Ok(())
    }

    fn load_balancer(&mut self, name: &Sp<String>, s: &spec::LoadBalancer) -> Built<()> {
        let id = LoadBalancerId(self.n.load_balancers.len() as u32);
        let vid = self.vpc_named(&s.vpc)?;
        let lb_type = if s.lb_type.value == "application" {
            LbType::Application
        } else {
            LbType::Network
        };
        let internet_facing = s
            .scheme
            .as_ref()
            .is_some_and(|x| x.value == "internet-facing");
        let (region, account) = {
            let v = self.n.vpc(vid);
            (v.region.clone(), v.account.clone())
        };
        let arn = s.aws_id.as_ref().map_or_else(
            || names::arn(&name.value, lb_type, &region, &account),
            |a| a.value.clone(),
        );
        let dns_name = s.dns_name.as_ref().map_or_else(
            || names::dns_name(&name.value, lb_type, &region, !internet_facing),
            |d| d.value.trim_end_matches('.').to_ascii_lowercase(),
        );
        let mut sgs = vec![];
        for g in s.security_groups.iter().flatten() {
            let sg = self.sg_named(vid, &g.value, g.loc)?;
            if !sgs.contains(&sg) {
                sgs.push(sg);
            }
        }
        let mut nodes = vec![];
        for entry in &s.subnets {
            let sub = self.subnet_named(vid, &Sp::at(entry.subnet().value.clone(), entry.loc))?;
            let eni = self.lb_node_eni(name, id, vid, sub, entry.node(), internet_facing, &sgs)?;
            let az = self.n.subnet(sub).az.clone();
            nodes.push(LbNodeRef {
                eni,
                subnet: sub,
                az,
                port: None,
            });
        }
        let mut target_groups = vec![];
        for (tname, tg) in s.target_groups.iter() {
            target_groups.push(self.target_group(name, tname, tg, lb_type, vid)?);
        }
        let mut listeners = vec![];
        for l in &s.listeners {
            let port = l.port.value as u16;
            let protocol = LbProtocol::parse(&l.protocol.value)
                .ok_or_else(|| Unresolved::new(l.protocol.loc, "listener protocol"))?;
            let mut rules = vec![];
            for r in &l.rules {
                rules.push(ListenerRule {
                    priority: r.priority.value as u32,
                    host: r.host.as_ref().map(|h| h.value.to_ascii_lowercase()),
                    path: r.path.as_ref().map(|p| p.value.clone()),
                    action: action(s, &r.action, l.port.loc)?,
                });
            }
            rules.sort_by_key(|r| r.priority);
            listeners.push(Listener {
                protocol,
                port,
                rules,
                default: action(s, &l.default, l.port.loc)?,
                arn: l
                    .aws_id
                    .as_ref()
                    .map_or_else(|| names::listener_arn(&arn, port), |a| a.value.clone()),
                certificate: l.certificate_arn.as_ref().map(|c| c.value.clone()),
            });
        }
        let cross_zone = match lb_type {
            LbType::Application => true,
            LbType::Network => s.cross_zone.as_ref().is_some_and(|c| c.value),
        };
        self.n.load_balancers.push(LoadBalancer {
            id,
            name: name.value.clone(),
            arn,
            dns_name,
            description: text(&s.description),
            lb_type,
            internet_facing,
            vpc: vid,
            nodes,
            sgs,
            cross_zone,
            listeners,
            target_groups,
        });
        Ok(())
    }

    /// The ENI of the node in `sub`: its written addresses, else the next free ones.
    #[allow(clippy::too_many_arguments)]
    fn lb_node_eni(
        &mut self,
        name: &Sp<String>,
        lb: LoadBalancerId,
        vid: VpcId,
        sub: SubnetId,
        node: Option<&spec::LbNode>,
        internet_facing: bool,
        sgs: &[SgId],
    ) -> Built<EniId> {
        let id = EniId(self.n.enis.len() as u32);
        let used: HashSet<Ipv4Addr> = self
            .n
            .enis
            .iter()
            .flat_map(|e| std::iter::once(e.private_ip).chain(e.secondary_ips.iter().copied()))
            .collect();
        let private_ip = match node.and_then(|n| n.ip.as_ref()) {
            Some(ip) => self.ipv4(ip)?,
            None => {
                let s = self.n.subnet(sub);
                let first = u32::from(s.cidr.network()).saturating_add(4);
                let last = u32::from(s.cidr.broadcast());
                match (first..last)
                    .map(Ipv4Addr::from)
                    .find(|a| !used.contains(a))
                {
                    Some(a) => a,
                    None => {
                        let msg = format!(
                            "subnet `{}` ({}) has no free address left for load balancer `{}`",
                            s.name, s.cidr, name.value
                        );
                        self.r
                            .error(name.loc, msg, "use a larger subnet for the load balancer");
                        return Ok(id);
                    }
                }
            }
        };
        let public_ip = if !internet_facing {
            None
        } else if let Some(p) = node.and_then(|n| n.public_ip.as_ref()) {
            Some(self.ipv4(p)?)
        } else {
            let taken: HashSet<Ipv4Addr> = self
                .n
                .enis
                .iter()
                .filter_map(|e| e.public_ip)
                .chain(self.written_lb_public_ips())
                .collect();
            let hosts: HashSet<Ipv4Addr> = self
                .t
                .internet
                .iter()
                .flat_map(|i| i.hosts.iter())
                .filter_map(|(_, h)| crate::topology::parse::ipv4(&h.ip.value).ok())
                .collect();
            let next = self
                .n
                .public_pools
                .iter()
                .flat_map(|pool| {
                    (u32::from(pool.network()).saturating_add(10)..u32::from(pool.broadcast()))
                        .map(Ipv4Addr::from)
                })
                .find(|a| !taken.contains(a) && !hosts.contains(a));
            if next.is_none() {
                self.r.error(
                    name.loc,
                    "the public IP pool has no free address left for a load balancer node",
                    "set a larger `public_ip_pool:` at the top level",
                );
            }
            next
        };
        let az = self.n.subnet(sub).az.clone();
        let aws_id = node.and_then(|n| n.eni_aws_id.as_ref()).map_or_else(
            || format!("eni-lb-{}-{az}", name.value),
            |a| a.value.clone(),
        );
        for sg in sgs {
            self.n.sgs[sg.idx()].members.push(id);
        }
        self.n.enis.push(Eni {
            id,
            aws_id,
            description: None,
            owner: EniOwner::LoadBalancer(lb),
            vpc: vid,
            subnet: sub,
            private_ip,
            device: 0,
            secondary_ips: vec![],
            public_ip,
            elastic: false,
            mac: mac_for(&self.n.name, 0, id.idx()),
            sgs: sgs.to_vec(),
            source_dest_check: false,
        });
        Ok(id)
    }

    /// Every public address written on a load-balancer node (kept out of allocation).
    fn written_lb_public_ips(&self) -> Vec<Ipv4Addr> {
        self.t
            .load_balancers
            .iter()
            .flat_map(|(_, l)| l.subnets.iter())
            .filter_map(|s| s.value.node().and_then(|n| n.public_ip.as_ref()))
            .filter_map(|p| crate::topology::parse::ipv4(&p.value).ok())
            .collect()
    }

    fn target_group(
        &mut self,
        lb: &Sp<String>,
        name: &Sp<String>,
        s: &spec::TargetGroup,
        lb_type: LbType,
        vid: VpcId,
    ) -> Built<TargetGroup> {
        let port = s.port.value as u16;
        let protocol = match &s.protocol {
            Some(p) => LbProtocol::parse(&p.value)
                .ok_or_else(|| Unresolved::new(p.loc, "target group protocol"))?,
            None if lb_type == LbType::Application => LbProtocol::Http,
            None => LbProtocol::Tcp,
        };
        let target_type = match s.target_type.as_ref().map(|t| t.value.as_str()) {
            Some("ip") => TargetType::Ip,
            _ => TargetType::Instance,
        };
        let mut targets = vec![];
        for t in &s.targets {
            let tport = t.port.as_ref().map_or(port, |p| p.value as u16);
            let (instance, ip) = match (&t.instance, &t.ip) {
                (Some(i), _) => {
                    let inst = self
                        .n
                        .instance_by_name(&i.value)
                        .ok_or_else(|| Unresolved::new(i.loc, format!("instance `{}`", i.value)))?;
                    (Some(inst), self.n.eni(self.n.instance(inst).eni).private_ip)
                }
                (None, Some(a)) => (None, self.ipv4(a)?),
                (None, None) => return Err(Unresolved::new(name.loc, "target")),
            };
            let eni = self
                .n
                .enis
                .iter()
                .find(|e| e.vpc == vid && e.owns(ip))
                .map(|e| e.id);
            let az = eni.map(|e| self.n.subnet(self.n.eni(e).subnet).az.clone());
            targets.push(LbTarget {
                instance,
                ip,
                port: tport,
                eni,
                az,
                reported_health: t.reported_health.as_ref().map(|h| h.value.clone()),
            });
        }
        let hc = s.health_check.clone().unwrap_or_default();
        let alb = lb_type == LbType::Application;
        let hc_protocol = match &hc.protocol {
            Some(p) => LbProtocol::parse(&p.value)
                .ok_or_else(|| Unresolved::new(p.loc, "health check protocol"))?,
            None if alb => LbProtocol::Http,
            None => LbProtocol::Tcp,
        };
        let hc_port = match &hc.port {
            Some(p) if p.value.as_str() != "traffic-port" => Some(
                p.value
                    .as_str()
                    .parse::<u16>()
                    .map_err(|_| Unresolved::new(p.loc, "health check port"))?,
            ),
            _ => None,
        };
        let (region, account) = {
            let v = self.n.vpc(vid);
            (v.region.clone(), v.account.clone())
        };
        Ok(TargetGroup {
            name: name.value.clone(),
            arn: s.aws_id.as_ref().map_or_else(
                || names::target_group_arn(&lb.value, &name.value, &region, &account),
                |a| a.value.clone(),
            ),
            protocol,
            port,
            target_type,
            targets,
            health: HealthCheck {
                protocol: hc_protocol,
                port: hc_port,
                path: hc
                    .path
                    .as_ref()
                    .map_or_else(|| "/".into(), |p| p.value.clone()),
                healthy_threshold: hc
                    .healthy_threshold
                    .as_ref()
                    .map_or(if alb { 5 } else { 3 }, |v| v.value as u32),
                unhealthy_threshold: hc
                    .unhealthy_threshold
                    .as_ref()
                    .map_or(if alb { 2 } else { 3 }, |v| v.value as u32),
                interval_secs: hc.interval.as_ref().map_or(30, |v| v.value as u32),
            },
        })
    }
}

/// A listener action resolved against the load balancer's target groups.
fn action(lb: &spec::LoadBalancer, a: &spec::Action, loc: crate::topology::Loc) -> Built<LbAction> {
    if let Some(f) = &a.forward {
        let i = lb
            .target_groups
            .iter()
            .position(|(n, _)| n.value == f.value)
            .ok_or_else(|| Unresolved::new(f.loc, format!("target group `{}`", f.value)))?;
        return Ok(LbAction::Forward(i));
    }
    if let Some(r) = &a.redirect {
        let text = |v: &Option<crate::topology::Sp<String>>, d: &str| {
            v.as_ref()
                .map_or_else(|| d.to_string(), |x| x.value.clone())
        };
        return Ok(LbAction::Redirect(crate::model::load_balancer::Redirect {
            protocol: text(&r.protocol, "#{protocol}"),
            port: r
                .port
                .as_ref()
                .map_or_else(|| "#{port}".into(), |p| p.text()),
            host: text(&r.host, "#{host}"),
            path: text(&r.path, "/#{path}"),
            query: text(&r.query, "#{query}"),
            status: if r.status_code.value.eq_ignore_ascii_case("HTTP_302") {
                302
            } else {
                301
            },
        }));
    }
    match &a.fixed_response {
        Some(r) => Ok(LbAction::FixedResponse {
            status: r.status.value as u16,
            body: r.body.clone().unwrap_or_default(),
            content_type: r
                .content_type
                .clone()
                .unwrap_or_else(|| "text/plain".into()),
        }),
        None => Err(Unresolved::new(loc, "listener action")),
    }
}

impl Builder<'_> {
    /// One engine port per ALB node, after every instance's and internet host's (their ids
    /// stay as they were): the node's ENI's MAC and private address, the subnet router as
    /// gateway, the VPC resolver when DNS is on. Named `alb.LB.AZ` (no instance or internet
    /// host name has a dot). NLB nodes get none: the engine forwards through them.
    pub(super) fn load_balancer_ports(&mut self) {
        let n = &mut self.n;
        for l in 0..n.load_balancers.len() {
            if n.load_balancers[l].lb_type != LbType::Application {
                continue;
            }
            for k in 0..n.load_balancers[l].nodes.len() {
                let node = &n.load_balancers[l].nodes[k];
                let eni = &n.enis[node.eni.idx()];
                let subnet = &n.subnets[eni.subnet.idx()];
                let vpc = &n.vpcs[eni.vpc.idx()];
                let id = PortId(n.ports.len() as u32);
                let port = Port {
                    id,
                    name: format!("alb.{}.{}", n.load_balancers[l].name, node.az),
                    owner: PortOwner::LoadBalancerNode(node.eni),
                    mac: eni.mac,
                    ip: eni.private_ip,
                    prefix_len: subnet.cidr.prefix_len(),
                    gateway: Some(subnet.router_ip()),
                    resolver: vpc.dns_support.then(|| vpc.resolver_ip()),
                };
                n.ports.push(port);
                n.load_balancers[l].nodes[k].port = Some(id);
            }
        }
    }
}
