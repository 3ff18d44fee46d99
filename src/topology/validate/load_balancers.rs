//! Validation of `load_balancers:` (`docs/topology.md`, "Load balancers"): values, references
//! into the VPC (subnets, security groups, instances), AWS's rules on zones and groups, and
//! the shapes of listeners, rules, actions and target groups.

use crate::topology::load_balancer::{Action, LoadBalancer, TargetGroup};
use crate::topology::spec::{Topology, Vpc};
use crate::topology::{parse, Report, Sp};
use std::collections::HashSet;

/// Checks every load balancer.
pub(super) fn check(t: &Topology, r: &mut Report) {
    let mut names = HashSet::new();
    for (name, lb) in t.load_balancers.iter() {
        if !parse::is_valid_name(&name.value) || name.value.len() > 32 {
            r.error(
                name.loc,
                format!(
                    "load balancer name `{}` must be 1-32 characters of a-z, 0-9 and `-`",
                    name.value
                ),
                "AWS allows 32 characters; vpclab also wants lower case",
            );
        }
        if !names.insert(name.value.clone()) {
            r.error(
                name.loc,
                format!("load balancer `{}` is declared twice", name.value),
                "rename one",
            );
        }
        let Some(vpc) = t.vpcs.get(&lb.vpc.value) else {
            r.error(
                lb.vpc.loc,
                format!("no VPC named `{}`", lb.vpc.value),
                "name a key of `vpcs:`",
            );
            continue;
        };
        check_one(t, vpc, name, lb, r);
    }
}

fn check_one(t: &Topology, vpc: &Vpc, name: &Sp<String>, lb: &LoadBalancer, r: &mut Report) {
    let alb = match lb.lb_type.value.as_str() {
        "application" => true,
        "network" => false,
        other => {
            r.error(
                lb.lb_type.loc,
                format!("`{other}` is not a load balancer type"),
                "use `network` or `application`",
            );
            return;
        }
    };
    if let Some(s) = &lb.scheme {
        if !matches!(s.value.as_str(), "internet-facing" | "internal") {
            r.error(
                s.loc,
                format!("`{}` is not a scheme", s.value),
                "use `internet-facing` or `internal`",
            );
        }
    }
    let mut zones = HashSet::new();
    for entry in &lb.subnets {
        let s = &Sp::at(entry.subnet().value.clone(), entry.loc);
        let Some(sub) = vpc.subnets.get(&s.value) else {
            r.error(
                s.loc,
                format!("no subnet `{}` in VPC `{}`", s.value, lb.vpc.value),
                "name a subnet of the load balancer's VPC",
            );
            continue;
        };
        let region = vpc
            .region
            .as_ref()
            .or(t.region.as_ref())
            .map_or("us-east-1", |x| x.value.as_str());
        let az = sub
            .az
            .as_ref()
            .map_or_else(|| format!("{region}a"), |a| a.value.clone());
        if !zones.insert(az.clone()) {
            r.error(
                s.loc,
                format!("two subnets of load balancer `{}` are in {az}", name.value),
                "a load balancer takes one subnet per Availability Zone",
            );
        }
        if let Some(n) = entry.node() {
            if let Some(ip) = &n.ip.as_ref().map(|x| Sp::at(x.value.clone(), entry.loc)) {
                let ok = parse::ipv4(&ip.value)
                    .ok()
                    .zip(parse::cidr(&sub.cidr.value).ok())
                    .is_some_and(|(a, c)| c.contains(&a));
                if !ok {
                    r.error(
                        ip.loc,
                        format!("`{}` is not an address of subnet `{}`", ip.value, s.value),
                        "write a free address inside the subnet",
                    );
                }
            }
            if let Some(p) = &n
                .public_ip
                .as_ref()
                .map(|x| Sp::at(x.value.clone(), entry.loc))
            {
                if !parse::ipv4(&p.value).is_ok_and(super::is_internet_address) {
                    r.error(
                        p.loc,
                        format!("`{}` is not a public IPv4 address", p.value),
                        "write a public address, or leave it out to draw one from the pool",
                    );
                }
                if lb
                    .scheme
                    .as_ref()
                    .is_none_or(|x| x.value != "internet-facing")
                {
                    r.error(
                        p.loc,
                        "an internal load balancer's nodes have no public address",
                        "remove `public_ip`, or set `scheme: internet-facing`",
                    );
                }
            }
            if let Some(e) = &n
                .eni_aws_id
                .as_ref()
                .map(|x| Sp::at(x.value.clone(), entry.loc))
            {
                if !e.value.starts_with("eni-") {
                    r.error(
                        e.loc,
                        format!("`{}` is not an ENI id", e.value),
                        "write `eni-…`",
                    );
                }
            }
        }
    }
    if lb.subnets.is_empty() {
        r.error(
            name.loc,
            format!("load balancer `{}` has no subnet", name.value),
            "list one subnet per Availability Zone under `subnets:`",
        );
    } else if alb && zones.len() < 2 {
        r.error(
            name.loc,
            format!(
                "application load balancer `{}` needs subnets in two Availability Zones at least",
                name.value
            ),
            "add a subnet of another zone (AWS requires two)",
        );
    }
    match &lb.security_groups {
        None if alb => r.error(
            name.loc,
            format!(
                "application load balancer `{}` needs security groups",
                name.value
            ),
            "add `security_groups: [NAME]`",
        ),
        None => {}
        Some(gs) => {
            for g in gs {
                if g.value != "default" && !vpc.security_groups.contains(&g.value) {
                    r.error(
                        g.loc,
                        format!("no security group `{}` in VPC `{}`", g.value, lb.vpc.value),
                        "name a group of the load balancer's VPC",
                    );
                }
            }
        }
    }
    if alb {
        if let Some(c) = &lb.cross_zone {
            if !c.value {
                r.error(
                    c.loc,
                    "an application load balancer always balances across zones",
                    "remove `cross_zone: false`",
                );
            }
        }
    }
    if let Some(a) = &lb.aws_id {
        if !a.value.starts_with("arn:aws:elasticloadbalancing:") {
            r.error(
                a.loc,
                format!("`{}` is not a load balancer ARN", a.value),
                "write `arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app|net/NAME/ID`",
            );
        }
    }
    if let Some(d) = &lb.description {
        if d.value.len() > 255 {
            r.error(
                d.loc,
                "description is longer than 255 characters",
                "shorten it",
            );
        }
    }
    if let Some(d) = &lb.dns_name {
        if d.value.is_empty() || d.value.contains(' ') {
            r.error(
                d.loc,
                format!("`{}` is not a DNS name", d.value),
                "write the load balancer's DNSName",
            );
        }
    }
    let mut ports = HashSet::new();
    for l in &lb.listeners {
        let ok = match l.protocol.value.to_ascii_lowercase().as_str() {
            "tcp" | "udp" => !alb,
            "http" | "https" => alb,
            _ => false,
        };
        if !ok {
            let want = if alb {
                "`http` or `https`"
            } else {
                "`tcp` or `udp`"
            };
            r.error(
                l.protocol.loc,
                format!(
                    "`{}` is not a listener protocol of a {} load balancer",
                    l.protocol.value, lb.lb_type.value
                ),
                format!("use {want}"),
            );
        }
        let https = l.protocol.value.eq_ignore_ascii_case("https");
        if let Some(c) = &l.certificate_arn {
            if !https {
                r.error(
                    c.loc,
                    "`certificate_arn` on a listener that is not HTTPS",
                    "only an `https` listener has a certificate",
                );
            }
        }
        port(&l.port, r);
        if !ports.insert((l.protocol.value.to_ascii_lowercase(), l.port.value)) {
            r.error(
                l.port.loc,
                format!("two listeners on {} {}", l.protocol.value, l.port.value),
                "one listener per protocol and port",
            );
        }
        if !alb && !l.rules.is_empty() {
            r.error(
                l.port.loc,
                "a network load balancer's listener has no rules",
                "remove `rules:` (only `default:` forwards)",
            );
        }
        let mut prios = HashSet::new();
        for rule in &l.rules {
            if !(1..=50000).contains(&rule.priority.value) {
                r.error(
                    rule.priority.loc,
                    format!("priority {} is outside 1..50000", rule.priority.value),
                    "AWS priorities are 1..50000",
                );
            }
            if !prios.insert(rule.priority.value) {
                r.error(
                    rule.priority.loc,
                    format!("two rules have priority {}", rule.priority.value),
                    "priorities are unique within a listener",
                );
            }
            if rule.host.is_none() && rule.path.is_none() {
                r.error(
                    rule.priority.loc,
                    "a rule needs a condition",
                    "add `host:` or `path:`",
                );
            }
            action(lb, &rule.action, alb, https, rule.priority.loc, r);
        }
        action(lb, &l.default, alb, https, l.port.loc, r);
    }
    for (tname, tg) in lb.target_groups.iter() {
        target_group(t, vpc, lb, tname, tg, alb, r);
    }
}

/// A port 1..65535.
fn port(p: &Sp<u64>, r: &mut Report) {
    if !(1..=65535).contains(&p.value) {
        r.error(
            p.loc,
            format!("port {} is outside 1..65535", p.value),
            "write a port 1..65535",
        );
    }
}

fn action(
    lb: &LoadBalancer,
    a: &Action,
    alb: bool,
    https: bool,
    loc: crate::topology::Loc,
    r: &mut Report,
) {
    if let Some(rd) = &a.redirect {
        if a.forward.is_some() || a.fixed_response.is_some() {
            r.error(
                loc,
                "an action is one of `forward:`, `fixed_response:` or `redirect:`",
                "write exactly one of them",
            );
        }
        redirect(rd, alb, https, r);
        return;
    }
    match (&a.forward, &a.fixed_response) {
        (Some(f), None) => {
            if !lb.target_groups.contains(&f.value) {
                r.error(
                    f.loc,
                    format!("no target group `{}` in this load balancer", f.value),
                    "name a key of its `target_groups:`",
                );
            }
        }
        (None, Some(fr)) => {
            if !alb {
                r.error(
                    fr.status.loc,
                    "a network load balancer cannot answer with a fixed response",
                    "forward to a target group",
                );
            }
            if !(200..=599).contains(&fr.status.value) {
                r.error(
                    fr.status.loc,
                    format!("status {} is outside 200..599", fr.status.value),
                    "AWS's fixed responses use 2XX, 4XX or 5XX",
                );
            }
        }
        _ => r.error(
            loc,
            "an action is one of `forward:`, `fixed_response:` or `redirect:`",
            "write exactly one of them",
        ),
    }
}

/// AWS's `RedirectActionConfig` rules: status `HTTP_301`/`HTTP_302`; protocol `HTTP`,
/// `HTTPS` or `#{protocol}`, never HTTPS to HTTP; port 1..65535 or `#{port}`; an absolute path;
/// components at most 128 characters; at least one of protocol, host, port, path changed
/// (else a redirect loop).
fn redirect(rd: &crate::topology::load_balancer::Redirect, alb: bool, https: bool, r: &mut Report) {
    let loc = rd.status_code.loc;
    if !alb {
        r.error(
            loc,
            "a network load balancer cannot redirect",
            "forward to a target group",
        );
    }
    if !matches!(rd.status_code.value.as_str(), "HTTP_301" | "HTTP_302") {
        r.error(
            loc,
            format!(
                "status_code `{}` is not HTTP_301 or HTTP_302",
                rd.status_code.value
            ),
            "AWS redirects with HTTP_301 (permanent) or HTTP_302 (temporary)",
        );
    }
    if let Some(p) = &rd.protocol {
        if !matches!(p.value.as_str(), "HTTP" | "HTTPS" | "#{protocol}") {
            r.error(
                p.loc,
                format!("redirect protocol `{}`", p.value),
                "write HTTP, HTTPS or #{protocol}",
            );
        } else if https && p.value == "HTTP" {
            r.error(
                p.loc,
                "an HTTPS listener cannot redirect to HTTP",
                "AWS redirects HTTP to HTTP or HTTPS, and HTTPS to HTTPS only",
            );
        }
    }
    if let Some(p) = &rd.port {
        let t = p.text();
        let ok = t == "#{port}" || t.parse::<u64>().is_ok_and(|n| (1..=65535).contains(&n));
        if !ok {
            r.error(
                loc,
                format!("redirect port `{t}`"),
                "write a port 1..65535 or #{port}",
            );
        }
    }
    if let Some(p) = &rd.path {
        if !p.value.starts_with('/') {
            r.error(
                p.loc,
                format!("redirect path `{}` does not start with `/`", p.value),
                "write an absolute path",
            );
        }
    }
    for v in [&rd.protocol, &rd.host, &rd.path, &rd.query]
        .into_iter()
        .flatten()
    {
        if v.value.len() > 128 {
            r.error(
                v.loc,
                "a redirect component is longer than 128 characters",
                "AWS allows 128",
            );
        }
    }
    let changed = rd
        .protocol
        .as_ref()
        .is_some_and(|p| p.value != "#{protocol}")
        || rd.host.as_ref().is_some_and(|h| h.value != "#{host}")
        || rd.port.as_ref().is_some_and(|p| p.text() != "#{port}")
        || rd.path.as_ref().is_some_and(|p| p.value != "/#{path}");
    if !changed {
        r.error(
            loc,
            "this redirect changes nothing: a redirect loop",
            "change at least one of protocol, host, port or path",
        );
    }
}

fn target_group(
    t: &Topology,
    vpc: &Vpc,
    lb: &LoadBalancer,
    name: &Sp<String>,
    tg: &TargetGroup,
    alb: bool,
    r: &mut Report,
) {
    if !parse::is_valid_name(&name.value) || name.value.len() > 32 {
        r.error(
            name.loc,
            format!(
                "target group name `{}` must be 1-32 characters of a-z, 0-9 and `-`",
                name.value
            ),
            "rename it",
        );
    }
    port(&tg.port, r);
    if let Some(p) = &tg.protocol {
        let ok = match p.value.to_ascii_lowercase().as_str() {
            "tcp" | "udp" => !alb,
            "http" => alb,
            _ => false,
        };
        if !ok {
            r.error(
                p.loc,
                format!(
                    "`{}` is not a target group protocol of a {} load balancer",
                    p.value, lb.lb_type.value
                ),
                if alb {
                    "use `http`"
                } else {
                    "use `tcp` or `udp`"
                },
            );
        }
    }
    let ip_type = match tg.target_type.as_ref().map(|x| x.value.as_str()) {
        None | Some("instance") => false,
        Some("ip") => true,
        Some(other) => {
            let loc = tg.target_type.as_ref().map_or(name.loc, |x| x.loc);
            r.error(
                loc,
                format!("`{other}` is not a target type"),
                "use `instance` or `ip`",
            );
            return;
        }
    };
    for target in &tg.targets {
        if let Some(p) = &target.port {
            port(p, r);
        }
        match (&target.instance, &target.ip) {
            (Some(i), None) => {
                if ip_type {
                    r.error(
                        i.loc,
                        "an `ip` target group registers addresses",
                        "write `ip: ADDRESS`, or set `target_type: instance`",
                    );
                } else if !vpc.instances.contains(&i.value) {
                    let elsewhere = t.vpcs.iter().any(|(_, v)| v.instances.contains(&i.value));
                    let why = if elsewhere {
                        "it is in another VPC"
                    } else {
                        "no instance has that name"
                    };
                    r.error(
                        i.loc,
                        format!("instance `{}` cannot be a target: {why}", i.value),
                        "register an instance of the load balancer's VPC",
                    );
                }
            }
            (None, Some(a)) => {
                if !ip_type {
                    r.error(
                        a.loc,
                        "an `instance` target group registers instances",
                        "write `instance: NAME`, or set `target_type: ip`",
                    );
                } else if !parse::ipv4(&a.value).is_ok_and(|ip| {
                    crate::topology::validate::non_internet_range(ip).is_some() || ip.is_private()
                }) {
                    r.error(
                        a.loc,
                        format!("`{}` is not a private IPv4 address", a.value),
                        "an IP target is a private address (RFC 1918 or 100.64/10)",
                    );
                }
            }
            _ => {
                let loc = target
                    .instance
                    .as_ref()
                    .or(target.ip.as_ref())
                    .map_or(name.loc, |x| x.loc);
                r.error(
                    loc,
                    "a target is `instance: NAME` or `ip: ADDRESS`",
                    "write exactly one of them",
                );
            }
        }
        if let Some(h) = &target.reported_health {
            if !matches!(
                h.value.as_str(),
                "initial"
                    | "healthy"
                    | "unhealthy"
                    | "unused"
                    | "draining"
                    | "unavailable"
                    | "unhealthy.draining"
            ) {
                r.error(
                    h.loc,
                    format!("`{}` is not a target health state", h.value),
                    "use AWS's states: initial, healthy, unhealthy, unused, draining, unavailable",
                );
            }
        }
    }
    if let Some(hc) = &tg.health_check {
        if let Some(p) = &hc.protocol {
            if !matches!(p.value.to_ascii_lowercase().as_str(), "tcp" | "http") {
                r.error(
                    p.loc,
                    format!("`{}` is not a health check protocol", p.value),
                    "use `tcp` or `http`",
                );
            }
        }
        if let Some(p) = &hc.port {
            let s = p.value.as_str();
            if s != "traffic-port" && !s.parse::<u16>().is_ok_and(|n| n > 0) {
                r.error(
                    p.loc,
                    format!("`{s}` is not a health check port"),
                    "write a port 1..65535 or `traffic-port`",
                );
            }
        }
        for th in [&hc.healthy_threshold, &hc.unhealthy_threshold]
            .into_iter()
            .flatten()
        {
            if !(2..=10).contains(&th.value) {
                r.error(
                    th.loc,
                    format!("threshold {} is outside 2..10", th.value),
                    "AWS's thresholds are 2..10",
                );
            }
        }
        if let Some(i) = &hc.interval {
            if !(5..=300).contains(&i.value) {
                r.error(
                    i.loc,
                    format!("interval {} is outside 5..300 seconds", i.value),
                    "AWS's intervals are 5..300 seconds",
                );
            }
        }
        if let Some(p) = &hc.path {
            if !p.value.starts_with('/') {
                r.error(
                    p.loc,
                    format!("health check path `{}` does not start with `/`", p.value),
                    "write a path such as `/health`",
                );
            }
        }
    }
}
