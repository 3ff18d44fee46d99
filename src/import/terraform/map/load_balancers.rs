//! Load balancers (`aws_lb`/`aws_alb`, `aws_lb_listener`, `aws_lb_listener_rule`,
//! `aws_lb_target_group`, `aws_lb_target_group_attachment`, and their `aws_alb_*` aliases) into
//! the document's `load_balancers:`. A target group sits under each load balancer whose
//! listeners forward to it; its targets are its attachments. Classic load balancers
//! (`aws_elb`), Gateway Load Balancers, HTTPS/TLS listeners and actions other than forward and
//! fixed response are reported.

use super::{Builder, Link, SG, SUBNET};
use crate::import::doc_lb as d;
use crate::import::names::Namer;
use crate::import::report::Outcome;
use crate::import::terraform::resolve::ResId;
use crate::import::terraform::values::{addr, blocks, flag, int, strings, text};
use std::collections::BTreeMap;

const LB: &[&str] = &["aws_lb", "aws_alb"];
const LISTENER: &[&str] = &["aws_lb_listener", "aws_alb_listener"];
const TG: &[&str] = &["aws_lb_target_group", "aws_alb_target_group"];

impl Builder<'_> {
    /// Every load balancer of the input.
    pub fn load_balancers(&mut self) {
        let mut names = Namer::new();
        let mut used = std::collections::BTreeSet::new();
        for i in self.ix.of_kind(LB, None) {
            match self.load_balancer(i, &mut names) {
                Ok(parts) => used.extend(parts),
                Err(why) => self.note(i, Outcome::Skipped, why),
            }
        }
        // Nothing of the input vanishes: the parts no imported load balancer took.
        let parts = [
            LISTENER,
            TG,
            &["aws_lb_listener_rule", "aws_alb_listener_rule"],
            &[
                "aws_lb_target_group_attachment",
                "aws_alb_target_group_attachment",
            ],
        ];
        for kinds in parts {
            for r in self.ix.of_kind(kinds, None) {
                if !used.contains(&r) {
                    self.note(r, Outcome::Skipped, "no imported load balancer uses it");
                }
            }
        }
    }

    /// One load balancer; Ok: the listeners, rules, target groups and attachments it took.
    fn load_balancer(&mut self, i: ResId, names: &mut Namer) -> Result<Vec<ResId>, String> {
        let a = self.at(i);
        let lb_type = text(a, "load_balancer_type")
            .unwrap_or("application")
            .to_string();
        if lb_type != "application" && lb_type != "network" {
            return Err(format!(
                "a {lb_type} load balancer: vpclab models application and network load balancers"
            ));
        }
        let internal = flag(a, "internal").unwrap_or(false);
        let mut nodes = vec![];
        let (subs, _) = self.links(i, "subnets", SUBNET);
        for s in subs {
            if let Some((vpc, name)) = self.subnet_of.get(&s).cloned() {
                nodes.push((
                    vpc,
                    d::Node {
                        subnet: name,
                        ..Default::default()
                    },
                ));
            }
        }
        for m in blocks(a, "subnet_mapping") {
            let sid = text(m, "subnet_id").unwrap_or_default();
            let found = self
                .subnet_of
                .iter()
                .find(|(r, _)| self.at(**r).get("id").and_then(|v| v.as_str()) == Some(sid))
                .map(|(_, v)| v.clone());
            if let Some((vpc, name)) = found {
                if nodes.iter().any(|(_, n)| n.subnet == name) {
                    continue;
                }
                nodes.push((
                    vpc,
                    d::Node {
                        subnet: name,
                        ip: addr(m, "private_ipv4_address"),
                        ..Default::default()
                    },
                ));
            }
        }
        let Some(vpc) = nodes.first().map(|(v, _)| v.clone()) else {
            return Err("none of its subnets is in the input".into());
        };
        let (sg_res, _) = self.links(i, "security_groups", SG);
        let sgs: Vec<String> = sg_res
            .iter()
            .filter_map(|g| self.sg_of.get(g))
            .filter(|(v, _)| *v == vpc)
            .map(|(_, n)| n.clone())
            .collect();
        let a = self.at(i);
        let mut out = d::LoadBalancer {
            lb_type: lb_type.clone(),
            scheme: if internal {
                "internal"
            } else {
                "internet-facing"
            }
            .into(),
            vpc: vpc.clone(),
            subnets: nodes
                .into_iter()
                .filter(|(v, _)| *v == vpc)
                .map(|(_, n)| n)
                .collect(),
            security_groups: (!sgs.is_empty() || lb_type == "application").then_some(sgs),
            cross_zone: if lb_type == "network" {
                flag(a, "enable_cross_zone_load_balancing")
            } else {
                None
            },
            aws_id: text(a, "arn")
                .filter(|s| s.starts_with("arn:aws:elasticloadbalancing:"))
                .map(str::to_string),
            dns_name: text(a, "dns_name").map(str::to_string),
            ..Default::default()
        };
        let mut tg_names: BTreeMap<ResId, String> = BTreeMap::new();
        let mut tg_namer = Namer::new();
        let mut used = vec![];
        for l in self.ix.of_kind(LISTENER, None) {
            if self.link(l, "load_balancer_arn", LB) != Link::Found(i) {
                continue;
            }
            used.push(l);
            if let Some(listener) =
                self.listener(l, &lb_type, &mut tg_names, &mut tg_namer, &mut used)
            {
                out.listeners.push(listener);
            }
        }
        for (tg, name) in &tg_names {
            used.push(*tg);
            let g = self.target_group(*tg, &lb_type, &vpc, &mut used);
            out.target_groups.insert(name.clone(), g);
        }
        for why in d::settle(&self.doc, &mut out)? {
            self.note(i, Outcome::Approximated, why);
        }
        let r = self.res(i);
        let name = Self::name_in(names, r, text(self.at(i), "name"));
        self.doc.load_balancers.insert(name, out);
        Ok(used)
    }

    fn listener(
        &mut self,
        l: ResId,
        lb_type: &str,
        tgs: &mut BTreeMap<ResId, String>,
        namer: &mut Namer,
        used: &mut Vec<ResId>,
    ) -> Option<d::Listener> {
        let a = self.at(l);
        let proto = text(a, "protocol")
            .unwrap_or(if lb_type == "application" {
                "HTTP"
            } else {
                "TCP"
            })
            .to_ascii_lowercase();
        let ok = match lb_type {
            "application" => proto == "http" || proto == "https",
            _ => proto == "tcp" || proto == "udp",
        };
        if !ok {
            let why = format!(
                "a {} listener: vpclab models HTTP and HTTPS (ALB), TCP and UDP (NLB)",
                proto.to_uppercase()
            );
            let addr = self.res(l).addr.to_string();
            self.report.later(
                self.res(l).addr.kind.clone(),
                addr,
                Outcome::Unsupported,
                why,
                15,
            );
            return None;
        }
        let port = int(a, "port").and_then(|p| u16::try_from(p).ok())?;
        let default = self.action(l, "default_action", tgs, namer)?;
        let mut rules = vec![];
        for r in self
            .ix
            .of_kind(&["aws_lb_listener_rule", "aws_alb_listener_rule"], None)
        {
            if self.link(r, "listener_arn", LISTENER) != Link::Found(l) {
                continue;
            }
            used.push(r);
            let ra = self.at(r);
            let Some(priority) = int(ra, "priority").and_then(|p| u32::try_from(p).ok()) else {
                continue;
            };
            let (mut host, mut path) = (None, None);
            for c in blocks(ra, "condition") {
                if let Some(h) = blocks(c, "host_header").first() {
                    host = strings(h, "values").first().map(|s| s.to_string());
                }
                if let Some(p) = blocks(c, "path_pattern").first() {
                    path = strings(p, "values").first().map(|s| s.to_string());
                }
            }
            if host.is_none() && path.is_none() {
                self.note(
                    r,
                    Outcome::Unsupported,
                    "no host or path condition (the other conditions are not in the format)",
                );
                continue;
            }
            if let Some(action) = self.action(r, "action", tgs, namer) {
                rules.push(d::Rule {
                    priority,
                    host,
                    path,
                    action,
                });
            }
        }
        rules.sort_by_key(|r| r.priority);
        Some(d::Listener {
            protocol: proto.clone(),
            port,
            rules,
            default,
            aws_id: text(a, "arn")
                .filter(|s| s.starts_with("arn:aws:elasticloadbalancing:"))
                .map(str::to_string),
            certificate_arn: (proto == "https")
                .then(|| text(a, "certificate_arn").map(str::to_string))
                .flatten(),
        })
    }

    /// The action block `key` of `i` (the last one, which ends AWS's chain).
    fn action(
        &mut self,
        i: ResId,
        key: &str,
        tgs: &mut BTreeMap<ResId, String>,
        namer: &mut Namer,
    ) -> Option<d::Action> {
        let a = self.at(i);
        let act = blocks(a, key).last().copied()?;
        match text(act, "type").unwrap_or("forward") {
            "forward" => {
                let tg_arn = text(act, "target_group_arn")
                    .unwrap_or_default()
                    .to_string();
                let tg = self
                    .ix
                    .of_kind(TG, None)
                    .into_iter()
                    .find(|t| {
                        text(self.at(*t), "arn") == Some(tg_arn.as_str())
                            || text(self.at(*t), "id") == Some(tg_arn.as_str())
                    })
                    .or_else(|| {
                        match self.ix.in_block(i, &format!("{key}.target_group_arn"), TG) {
                            crate::import::terraform::resolve::Resolution::Found {
                                targets,
                                ..
                            } => targets.first().copied(),
                            _ => None,
                        }
                    });
                let Some(tg) = tg else {
                    self.note(
                        i,
                        Outcome::Skipped,
                        "forwards to a target group not in the input",
                    );
                    return None;
                };
                let name = match tgs.get(&tg) {
                    Some(n) => n.clone(),
                    None => {
                        let r = self.res(tg);
                        let n = Self::name_in(namer, r, text(self.at(tg), "name"));
                        tgs.insert(tg, n.clone());
                        n
                    }
                };
                Some(d::Action {
                    forward: Some(name),
                    ..Default::default()
                })
            }
            "fixed-response" => {
                let fr = blocks(act, "fixed_response").first().copied();
                Some(d::Action {
                    forward: None,
                    redirect: None,
                    fixed_response: Some(d::FixedResponse {
                        status: fr
                            .and_then(|f| text(f, "status_code"))
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(200),
                        body: fr.and_then(|f| text(f, "message_body")).map(str::to_string),
                        content_type: fr.and_then(|f| text(f, "content_type")).map(str::to_string),
                    }),
                })
            }
            "redirect" => {
                let rd = blocks(act, "redirect").first().copied();
                let get = |k: &str| {
                    rd.and_then(|f| {
                        text(f, k)
                            .map(str::to_string)
                            .or_else(|| int(f, k).map(|n| n.to_string()))
                    })
                };
                Some(d::Action {
                    redirect: Some(d::Redirect {
                        protocol: get("protocol"),
                        port: get("port"),
                        host: get("host"),
                        path: get("path"),
                        query: get("query"),
                        status_code: get("status_code").unwrap_or_else(|| "HTTP_301".into()),
                    }),
                    ..Default::default()
                })
            }
            other => {
                let why = format!("a {other} action is not in the format yet");
                let addr = self.res(i).addr.to_string();
                self.report.later(
                    self.res(i).addr.kind.clone(),
                    addr,
                    Outcome::Unsupported,
                    why,
                    15,
                );
                None
            }
        }
    }

    fn target_group(
        &mut self,
        tg: ResId,
        lb_type: &str,
        vpc: &str,
        used: &mut Vec<ResId>,
    ) -> d::TargetGroup {
        let a = self.at(tg);
        let port = int(a, "port")
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(80);
        let ip = text(a, "target_type") == Some("ip");
        let proto = text(a, "protocol")
            .map(str::to_ascii_lowercase)
            .filter(|p| match lb_type {
                "application" => p == "http",
                _ => p == "tcp" || p == "udp",
            });
        let hc = blocks(a, "health_check")
            .first()
            .copied()
            .map(|h| d::HealthCheck {
                protocol: text(h, "protocol")
                    .map(str::to_ascii_lowercase)
                    .filter(|p| p == "tcp" || p == "http"),
                port: text(h, "port")
                    .map(str::to_string)
                    .or_else(|| int(h, "port").map(|p| p.to_string())),
                path: text(h, "path")
                    .filter(|p| p.starts_with('/'))
                    .map(str::to_string),
                healthy_threshold: int(h, "healthy_threshold")
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| (2..=10).contains(n)),
                unhealthy_threshold: int(h, "unhealthy_threshold")
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| (2..=10).contains(n)),
                interval: int(h, "interval")
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| (5..=300).contains(n)),
            });
        let arn = text(a, "arn")
            .filter(|s| s.starts_with("arn:aws:elasticloadbalancing:"))
            .map(str::to_string);
        let mut targets = vec![];
        for t in self.ix.of_kind(
            &[
                "aws_lb_target_group_attachment",
                "aws_alb_target_group_attachment",
            ],
            None,
        ) {
            if self.link(t, "target_group_arn", TG) != Link::Found(tg) {
                continue;
            }
            used.push(t);
            let ta = self.at(t);
            let tport = int(ta, "port")
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p != port);
            if ip {
                match addr(ta, "target_id") {
                    Some(a) => targets.push(d::Target {
                        ip: Some(a),
                        port: tport,
                        ..Default::default()
                    }),
                    None => self.note(
                        t,
                        Outcome::Skipped,
                        "an ip target group's target_id is not an address",
                    ),
                }
                continue;
            }
            match self.link(t, "target_id", &["aws_instance"]) {
                Link::Found(inst) => match self.inst_of.get(&inst) {
                    Some((v, n)) if v == vpc => targets.push(d::Target {
                        instance: Some(n.clone()),
                        port: tport,
                        ..Default::default()
                    }),
                    _ => self.note(
                        t,
                        Outcome::Skipped,
                        "its instance is not imported in the load balancer's VPC",
                    ),
                },
                _ => self.note(t, Outcome::Skipped, "its instance is not in the input"),
            }
        }
        d::TargetGroup {
            protocol: proto.clone(),
            port,
            target_type: ip.then(|| "ip".to_string()),
            targets,
            health_check: hc,
            aws_id: arn,
        }
    }
}
