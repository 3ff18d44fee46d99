//! ELBv2 load balancers (`aws elbv2 describe-load-balancers`, `describe-target-groups`,
//! `describe-listeners`, `describe-rules`, `describe-target-health`,
//! `describe-load-balancer-attributes`, and Batfish's per-load-balancer wrappers) into the
//! document's `load_balancers:`. Nodes take their addresses from the load balancer's network
//! interfaces (`Description: ELB app|net/NAME/ID`, imported here, not as instances); targets
//! come from target health (describe-target-groups lists none), with the health AWS reported
//! kept as `reported_health`. What the format cannot say (Gateway Load Balancers, HTTPS and
//! TLS listeners, redirects, weighted forwards, other rule conditions) is reported.

use super::super::doc_lb as d;
use super::super::names::Namer;
use super::super::report::Outcome;
use super::build::Builder;
use super::json_elb::{Action, LoadBalancer, Rule};
use super::json_hosts::NetworkInterface;
use super::snapshot::Snapshot;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

const KIND: &str = "LoadBalancer";

/// `app/NAME/ID` or `net/NAME/ID` of a load balancer's ARN.
fn arn_tail(arn: &str) -> Option<&str> {
    arn.split_once(":loadbalancer/").map(|(_, t)| t)
}

/// True when `e` is a node interface of one of the snapshot's ELBv2 load balancers (its
/// description is `ELB app|net/NAME/ID`): the load-balancer step imports it.
pub fn is_node_interface(snap: &Snapshot, e: &NetworkInterface) -> bool {
    let Some(rest) = e
        .description
        .as_deref()
        .and_then(|d| d.strip_prefix("ELB "))
    else {
        return false;
    };
    snap.elbv2
        .load_balancers
        .iter()
        .any(|l| arn_tail(&l.load_balancer_arn) == Some(rest))
}

/// Imports every load balancer of the snapshot.
pub fn load_balancers(b: &mut Builder, snap: &Snapshot) {
    let mut lbs = snap.elbv2.load_balancers.clone();
    lbs.sort_by(|a, c| a.load_balancer_arn.cmp(&c.load_balancer_arn));
    lbs.dedup_by(|a, c| a.load_balancer_arn == c.load_balancer_arn);
    let mut names = Namer::new();
    for lb in &lbs {
        if let Err(why) = one(b, snap, lb, &mut names) {
            b.report
                .add(KIND, &lb.load_balancer_arn, Outcome::Skipped, why);
        }
    }
}

fn one(
    b: &mut Builder,
    snap: &Snapshot,
    lb: &LoadBalancer,
    names: &mut Namer,
) -> Result<(), String> {
    let lb_type = match lb.lb_type.as_deref() {
        Some("application") => "application",
        Some("network") => "network",
        Some(t) => {
            return Err(format!(
                "a {t} load balancer: vpclab models application and network load balancers"
            ))
        }
        None => return Err("no Type".into()),
    };
    if let Some(s) = lb.state.as_ref().and_then(|s| s.code.as_deref()) {
        if s != "active" && s != "active_impaired" {
            return Err(format!("state {s}: not active"));
        }
    }
    let vpc_id = lb.vpc_id.clone().ok_or("no VpcId")?;
    let vpc = b
        .index
        .vpcs
        .get(&vpc_id)
        .map(|v| v.name.clone())
        .ok_or_else(|| format!("its VPC {vpc_id} is not imported"))?;
    let tail = arn_tail(&lb.load_balancer_arn)
        .unwrap_or_default()
        .to_string();
    let enis: Vec<&NetworkInterface> = snap
        .network_interfaces
        .iter()
        .map(|a| &a.item)
        .filter(|e| {
            e.description
                .as_deref()
                .and_then(|d| d.strip_prefix("ELB "))
                == Some(tail.as_str())
        })
        .collect();
    let mut nodes = vec![];
    for z in &lb.availability_zones {
        let Some(sid) = &z.subnet_id else { continue };
        let Some(sub) = b.index.subnets.get(sid).map(|s| s.name.clone()) else {
            b.report.add(
                KIND,
                &lb.load_balancer_arn,
                Outcome::Skipped,
                format!("its subnet {sid} is not imported: no node there"),
            );
            continue;
        };
        let eni = enis
            .iter()
            .find(|e| e.subnet_id.as_deref() == Some(sid.as_str()));
        let ip = eni
            .and_then(|e| e.private_ip_address.as_deref())
            .or_else(|| {
                z.load_balancer_addresses
                    .iter()
                    .find_map(|a| a.private_ipv4_address.as_deref())
            })
            .and_then(|s| s.parse::<Ipv4Addr>().ok());
        let public_ip = eni
            .and_then(|e| e.association.as_ref())
            .and_then(|a| a.public_ip.as_deref())
            .or_else(|| {
                z.load_balancer_addresses
                    .iter()
                    .find_map(|a| a.ip_address.as_deref())
            })
            .and_then(|s| s.parse::<Ipv4Addr>().ok())
            .filter(|_| lb.scheme.as_deref() == Some("internet-facing"));
        if let Some(ip) = ip {
            b.index.taken_ips.insert(ip);
        }
        nodes.push(d::Node {
            subnet: sub,
            ip,
            public_ip,
            eni_aws_id: eni.map(|e| e.network_interface_id.clone()),
        });
    }
    if nodes.is_empty() {
        return Err("none of its subnets is imported".into());
    }
    let sgs: Vec<String> = lb
        .security_groups
        .iter()
        .filter_map(|g| b.index.sgs.get(g).map(|(_, n)| n.clone()))
        .collect();
    let cross_zone = snap
        .elbv2
        .attributes
        .iter()
        .filter(|(arn, _)| arn.as_deref().is_none_or(|a| a == lb.load_balancer_arn))
        .flat_map(|(_, a)| a.iter())
        .find(|a| a.key == "load_balancing.cross_zone.enabled")
        .and_then(|a| a.value.as_deref())
        .map(|v| v == "true");
    let mut out = d::LoadBalancer {
        lb_type: lb_type.into(),
        scheme: lb.scheme.clone().unwrap_or_else(|| "internal".into()),
        vpc,
        subnets: nodes,
        security_groups: (!sgs.is_empty() || lb_type == "application").then_some(sgs),
        cross_zone: if lb_type == "network" {
            cross_zone
        } else {
            None
        },
        aws_id: Some(lb.load_balancer_arn.clone()),
        dns_name: lb.dns_name.clone(),
        ..Default::default()
    };
    let groups = target_groups(b, snap, lb, lb_type, &vpc_id);
    let mut tg_name: BTreeMap<String, String> = BTreeMap::new();
    let mut tg_names = Namer::new();
    for (arn, name, tg) in groups {
        let n = tg_names.name(Some(&name), &arn);
        tg_name.insert(arn, n.clone());
        out.target_groups.insert(n, tg);
    }
    let mut listeners: Vec<_> = snap
        .elbv2
        .listeners
        .iter()
        .filter(|l| l.load_balancer_arn == lb.load_balancer_arn)
        .collect();
    listeners.sort_by(|a, c| a.listener_arn.cmp(&c.listener_arn));
    listeners.dedup_by(|a, c| a.listener_arn == c.listener_arn);
    for l in listeners {
        let proto = l.protocol.as_deref().unwrap_or("").to_ascii_lowercase();
        let ok = match lb_type {
            "application" => proto == "http" || proto == "https",
            _ => proto == "tcp" || proto == "udp",
        };
        if !ok {
            b.report.later(
                "Listener",
                &l.listener_arn,
                Outcome::Unsupported,
                format!(
                    "a {} listener: vpclab models HTTP and HTTPS (ALB), TCP and UDP (NLB)",
                    l.protocol.as_deref().unwrap_or("?")
                ),
                15,
            );
            continue;
        }
        let Some(port) = l.port else { continue };
        let Some(default) = action(b, &l.default_actions, &tg_name, &l.listener_arn) else {
            b.report.add("Listener", &l.listener_arn, Outcome::Skipped, "its default action is not one vpclab models (forward to an imported target group, fixed response, redirect)");
            continue;
        };
        let rules = rules_of(b, snap, &l.listener_arn, &tg_name);
        out.listeners.push(d::Listener {
            protocol: proto.clone(),
            port,
            rules,
            default,
            aws_id: Some(l.listener_arn.clone()),
            certificate_arn: (proto == "https")
                .then(|| l.certificates.first().map(|c| c.certificate_arn.clone()))
                .flatten()
                .filter(|c| !c.is_empty()),
        });
    }
    for why in d::settle(&b.doc, &mut out)? {
        b.report
            .add(KIND, &lb.load_balancer_arn, Outcome::Approximated, why);
    }
    let name = names.name(Some(&lb.load_balancer_name), &lb.load_balancer_arn);
    b.doc.load_balancers.insert(name, out);
    Ok(())
}

/// The action of `actions` vpclab can say: the last (AWS: the one that ends the chain) forward
/// to an imported group or fixed response.
fn action(
    b: &mut Builder,
    actions: &[Action],
    tgs: &BTreeMap<String, String>,
    at: &str,
) -> Option<d::Action> {
    let mut acts = actions.to_vec();
    acts.sort_by_key(|a| a.order.unwrap_or(0));
    let a = acts.last()?;
    match a.action_type.as_str() {
        "forward" => {
            let arn = a.target_group_arn.clone().or_else(|| {
                let fc = a.forward_config.as_ref()?;
                if fc.target_groups.len() > 1 {
                    b.report.add(
                        "Listener",
                        at,
                        Outcome::Approximated,
                        "a weighted forward to several target groups: forwards to the first",
                    );
                }
                fc.target_groups.first().map(|g| g.target_group_arn.clone())
            })?;
            Some(d::Action {
                forward: Some(tgs.get(&arn)?.clone()),
                ..Default::default()
            })
        }
        "fixed-response" => {
            let c = a.fixed_response_config.clone().unwrap_or_default();
            Some(d::Action {
                forward: None,
                redirect: None,
                fixed_response: Some(d::FixedResponse {
                    status: c
                        .status_code
                        .as_deref()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(200),
                    body: c.message_body,
                    content_type: c.content_type,
                }),
            })
        }
        "redirect" => {
            let c = a.redirect_config.clone().unwrap_or_default();
            Some(d::Action {
                redirect: Some(d::Redirect {
                    protocol: c.protocol,
                    port: c.port,
                    host: c.host,
                    path: c.path,
                    query: c.query,
                    status_code: c.status_code.unwrap_or_else(|| "HTTP_301".into()),
                }),
                ..Default::default()
            })
        }
        other => {
            b.report.later(
                "Listener",
                at,
                Outcome::Unsupported,
                format!("a {other} action"),
                15,
            );
            None
        }
    }
}

/// The non-default rules of listener `listener` (their ARNs start with its ARN's id path).
fn rules_of(
    b: &mut Builder,
    snap: &Snapshot,
    listener: &str,
    tgs: &BTreeMap<String, String>,
) -> Vec<d::Rule> {
    let prefix = listener.replacen(":listener/", ":listener-rule/", 1) + "/";
    let mut rules: Vec<&Rule> = snap
        .elbv2
        .rules
        .iter()
        .filter(|r| r.rule_arn.starts_with(&prefix) && !r.is_default)
        .collect();
    rules.sort_by(|a, c| a.rule_arn.cmp(&c.rule_arn));
    rules.dedup_by(|a, c| a.rule_arn == c.rule_arn);
    let mut out = vec![];
    for r in rules {
        let Some(priority) = r.priority.as_deref().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let (mut host, mut path) = (None, None);
        let mut ok = true;
        for c in &r.conditions {
            let vals = |cfg: &Option<super::json_elb::Values>| {
                cfg.as_ref()
                    .map(|v| v.values.clone())
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| c.values.clone())
            };
            match c.field.as_deref() {
                Some("host-header") => host = vals(&c.host_header_config).first().cloned(),
                Some("path-pattern") => path = vals(&c.path_pattern_config).first().cloned(),
                other => {
                    ok = false;
                    b.report.later(
                        "ListenerRule",
                        &r.rule_arn,
                        Outcome::Unsupported,
                        format!("a {} condition", other.unwrap_or("?")),
                        15,
                    );
                }
            }
        }
        if !ok || host.is_none() && path.is_none() {
            continue;
        }
        let Some(action) = action(b, &r.actions, tgs, &r.rule_arn) else {
            continue;
        };
        out.push(d::Rule {
            priority,
            host,
            path,
            action,
        });
    }
    out.sort_by_key(|r| r.priority);
    out
}

/// The load balancer's target groups (those naming it), with targets from target health.
fn target_groups(
    b: &mut Builder,
    snap: &Snapshot,
    lb: &LoadBalancer,
    lb_type: &str,
    vpc_id: &str,
) -> Vec<(String, String, d::TargetGroup)> {
    let mut tgs: Vec<_> = snap
        .elbv2
        .target_groups
        .iter()
        .filter(|t| t.load_balancer_arns.contains(&lb.load_balancer_arn))
        .collect();
    tgs.sort_by(|a, c| a.target_group_arn.cmp(&c.target_group_arn));
    tgs.dedup_by(|a, c| a.target_group_arn == c.target_group_arn);
    let single = snap.elbv2.target_groups.len() == 1;
    let mut out = vec![];
    for t in tgs {
        let ip = match t.target_type.as_deref() {
            None | Some("instance") => false,
            Some("ip") => true,
            Some(other) => {
                b.report.later(
                    "TargetGroup",
                    &t.target_group_arn,
                    Outcome::Unsupported,
                    format!("{other} targets"),
                    15,
                );
                continue;
            }
        };
        let proto = t.protocol.as_deref().map(str::to_ascii_lowercase);
        let proto = match (lb_type, proto.as_deref()) {
            ("application", Some("http")) | ("network", Some("tcp" | "udp")) => proto,
            (_, p) => {
                b.report.add(
                    "TargetGroup",
                    &t.target_group_arn,
                    Outcome::Approximated,
                    format!(
                        "protocol {}: imported with the load balancer's default",
                        p.unwrap_or("?")
                    ),
                );
                None
            }
        };
        let mut targets = vec![];
        for (arn, list) in &snap.elbv2.target_health {
            let mine = match arn {
                Some(a) => *a == t.target_group_arn,
                None => single,
            };
            if !mine {
                continue;
            }
            for h in list {
                let id = &h.target.id;
                let reported = h.target_health.as_ref().and_then(|x| x.state.clone());
                let target = if ip {
                    let Ok(a) = id.parse::<Ipv4Addr>() else {
                        continue;
                    };
                    d::Target {
                        ip: Some(a),
                        instance: None,
                        port: h.target.port.filter(|p| Some(*p) != t.port),
                        reported_health: reported,
                    }
                } else {
                    match b.index.instances.get(id) {
                        Some((v, n)) if v == vpc_id => d::Target {
                            instance: Some(n.clone()),
                            ip: None,
                            port: h.target.port.filter(|p| Some(*p) != t.port),
                            reported_health: reported,
                        },
                        _ => {
                            b.report.add(
                                "Target",
                                format!("{}/{id}", t.target_group_name),
                                Outcome::Skipped,
                                "an instance not imported (or in another VPC)",
                            );
                            continue;
                        }
                    }
                };
                targets.push(target);
            }
        }
        let hc_proto = t
            .health_check_protocol
            .as_deref()
            .map(str::to_ascii_lowercase)
            .filter(|p| p == "tcp" || p == "http");
        out.push((
            t.target_group_arn.clone(),
            t.target_group_name.clone(),
            d::TargetGroup {
                protocol: proto,
                port: t.port.unwrap_or(80),
                target_type: ip.then(|| "ip".to_string()),
                targets,
                health_check: Some(d::HealthCheck {
                    protocol: hc_proto,
                    port: t.health_check_port.clone(),
                    path: t.health_check_path.clone(),
                    healthy_threshold: t.healthy_threshold_count.filter(|n| (2..=10).contains(n)),
                    unhealthy_threshold: t
                        .unhealthy_threshold_count
                        .filter(|n| (2..=10).contains(n)),
                    interval: t
                        .health_check_interval_seconds
                        .filter(|n| (5..=300).contains(n)),
                }),
                aws_id: Some(t.target_group_arn.clone()),
            },
        ));
    }
    out
}
