//! AWS services (`aws_services:`) and VPC endpoints (`endpoints:` of a VPC): service names,
//! regions and addresses; gateway endpoints only for S3 and DynamoDB, on route tables of their
//! VPC, one per service per table and not beside a written route to the same managed list;
//! interface endpoints in subnets of their VPC (at most one per AZ), with existing groups,
//! addresses inside their subnet, and private DNS only where the VPC has both DNS attributes.

use super::super::aws_services::{self, has_gateway, managed_list_ref, parse_service};
use super::super::spec::{self, Topology};
use super::super::spec_endpoints::{AwsServiceDecl, VpcEndpoint};
use super::{Sp, Validator};
use crate::topology::parse;
use std::collections::HashMap;

/// Gateway endpoints per account and Region, AWS's default quota (adjustable on request).
pub const GATEWAY_ENDPOINTS_PER_REGION: i64 = 20;
/// Interface (and Gateway Load Balancer) endpoints per VPC, AWS's default quota.
pub const INTERFACE_ENDPOINTS_PER_VPC: i64 = 50;

impl Validator<'_> {
    /// Checks `aws_services:` and every VPC's `endpoints:`.
    pub(super) fn endpoints(&mut self) {
        let t = self.t;
        let mut declared: HashMap<(String, String), u32> = HashMap::new();
        for d in &t.aws_services {
            let Some((region, short)) = self.service_name(&d.value.service_sp(d.loc), None) else {
                continue;
            };
            let region = match &d.value {
                AwsServiceDecl::Full(f) => match &f.region {
                    Some(r) => {
                        self.region(r);
                        r.value.clone()
                    }
                    None => region.unwrap_or_else(|| default_region(t)),
                },
                AwsServiceDecl::Name(_) => region.unwrap_or_else(|| default_region(t)),
            };
            if let Some(line) = declared.insert((region.clone(), short.clone()), d.loc.line) {
                self.err(
                    d.loc,
                    format!("AWS service {short} in {region} is already declared (line {line})"),
                    "declare each service once per region",
                );
            }
            if let AwsServiceDecl::Full(f) = &d.value {
                if let Some(ip) = &f.ip {
                    if let Some(a) = self.ip(ip, "AWS service address") {
                        if !super::is_internet_address(a) {
                            self.err(
                                ip.loc,
                                format!("{a} is not a public address"),
                                "AWS services answer on public addresses",
                            );
                        }
                    }
                }
                if let Some(pl) = &f.prefix_list {
                    if !has_gateway(&short) {
                        self.err(
                            f.service.loc,
                            format!("{short} has no AWS-managed prefix list"),
                            "only s3 and dynamodb have one (their gateway endpoints route to it)",
                        );
                    }
                    if let Some(id) = &pl.aws_id {
                        self.id_prefix(id, "pl");
                    }
                    for e in &pl.entries {
                        self.cidr(e, "prefix list entry", false);
                    }
                    if let Some(m) = &pl.max_entries {
                        if m.value < pl.entries.len() as i64 || m.value > 1000 {
                            self.err(
                                m.loc,
                                format!(
                                    "max_entries {} is below the entries or above 1000",
                                    m.value
                                ),
                                "write at least the number of entries, at most 1000",
                            );
                        }
                    }
                }
            }
        }
        // Gateway endpoints per account and Region, AWS's default quota.
        let mut gateways: HashMap<(String, String), i64> = HashMap::new();
        for (vname, v) in t.vpcs.iter() {
            let region = v
                .region
                .as_ref()
                .map(|r| r.value.clone())
                .unwrap_or_else(|| default_region(t));
            let account = v
                .account
                .as_ref()
                .or(t.account.as_ref())
                .map(|a| a.value.clone())
                .unwrap_or_default();
            let mut interfaces: i64 = 0;
            let mut on_table: HashMap<(String, String), u32> = HashMap::new();
            let mut private_dns: HashMap<String, u32> = HashMap::new();
            for (ename, e) in v.endpoints.iter() {
                self.name("endpoint", ename);
                if let Some(id) = &e.aws_id {
                    self.id_prefix(id, "vpce");
                }
                let Some((r, short)) = self.service_name(&e.service, Some(&region)) else {
                    continue;
                };
                if r.is_some_and(|r| r != region) {
                    self.err(
                        e.service.loc,
                        format!(
                            "endpoint `{}` names a service of another region",
                            ename.value
                        ),
                        format!("an endpoint serves its VPC's region ({region}) only"),
                    );
                }
                let gateway = match e.endpoint_type.as_ref().map(|t| t.value.as_str()) {
                    None => has_gateway(&short),
                    Some("gateway") => true,
                    Some("interface") => false,
                    Some(other) => {
                        let at = e.endpoint_type.as_ref().map(|t| t.loc).unwrap_or_default();
                        self.err(
                            at,
                            format!("`{other}` is not an endpoint type"),
                            "write gateway or interface",
                        );
                        continue;
                    }
                };
                let count = if gateway {
                    let c = gateways
                        .entry((account.clone(), region.clone()))
                        .or_default();
                    *c += 1;
                    (*c, GATEWAY_ENDPOINTS_PER_REGION, "gateway", "per Region")
                } else {
                    interfaces += 1;
                    (
                        interfaces,
                        INTERFACE_ENDPOINTS_PER_VPC,
                        "interface",
                        "per VPC",
                    )
                };
                if count.0 == count.1 + 1 {
                    self.err(
                        ename.loc,
                        format!(
                            "endpoint `{}` is {} endpoint {} {}: AWS's default quota is {}",
                            ename.value, count.2, count.0, count.3, count.1
                        ),
                        "AWS raises the quota on request; vpclab holds its default",
                    );
                }
                if gateway {
                    self.gateway_endpoint(vname, v, ename, e, &short, &region, &mut on_table);
                } else {
                    self.interface_endpoint(
                        vname,
                        v,
                        ename,
                        e,
                        (&short, &region),
                        &mut private_dns,
                    );
                }
            }
        }
    }

    /// A service name (`s3`, `com.amazonaws.REGION.s3`) → (its region if written, the short
    /// name); an error at its position when it is none. `region` is the VPC's, for the message.
    fn service_name(
        &mut self,
        s: &Sp<String>,
        region: Option<&str>,
    ) -> Option<(Option<String>, String)> {
        match parse_service(&s.value) {
            Ok((r, short)) => Some((r.map(String::from), short.to_string())),
            Err(e) => {
                let example = aws_services::full_name(region.unwrap_or("us-east-1"), "s3");
                self.err(
                    s.loc,
                    e,
                    format!("write a service such as s3, sqs or {example}"),
                );
                None
            }
        }
    }

    /// An id written at `id` must start with `PREFIX-`.
    fn id_prefix(&mut self, id: &Sp<String>, prefix: &str) {
        let ok = id
            .value
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('-'))
            .is_some_and(|r| !r.is_empty());
        if !ok {
            self.err(
                id.loc,
                format!("`{}` is not a {prefix}- id", id.value),
                format!("write the AWS id, e.g. {prefix}-0a1b2c3d4e5f60718"),
            );
        }
    }

    /// A gateway endpoint: S3 or DynamoDB, route tables of this VPC, one per service per
    /// table, no interface keys.
    #[allow(clippy::too_many_arguments)]
    fn gateway_endpoint(
        &mut self,
        vname: &Sp<String>,
        v: &spec::Vpc,
        ename: &Sp<String>,
        e: &VpcEndpoint,
        short: &str,
        region: &str,
        on_table: &mut HashMap<(String, String), u32>,
    ) {
        if !has_gateway(short) {
            self.err(
                e.service.loc,
                format!("{short} has no gateway endpoint"),
                "only s3 and dynamodb do; write type: interface",
            );
            return;
        }
        if !e.subnets.is_empty()
            || e.security_groups.is_some()
            || e.private_dns.is_some()
            || e.dns_name.is_some()
        {
            self.err(
                ename.loc,
                format!("gateway endpoint `{}` takes route_tables only", ename.value),
                "subnets, security_groups, private_dns and dns_name belong to interface endpoints",
            );
        }
        let list = aws_services::full_name(region, short);
        let main = v
            .main_route_table
            .as_ref()
            .map_or("main", |m| m.value.as_str());
        for rt in &e.route_tables {
            let exists = v.route_tables.contains(&rt.value) || rt.value == main;
            if !exists {
                self.err(
                    rt.loc,
                    format!(
                        "route table `{}` does not exist in VPC `{}`",
                        rt.value, vname.value
                    ),
                    "name a route table of the endpoint's VPC",
                );
                continue;
            }
            if let Some(line) = on_table.insert((rt.value.clone(), short.to_string()), rt.loc.line)
            {
                self.err(
                    rt.loc,
                    format!(
                        "route table `{}` already routes {list} to an endpoint (line {line})",
                        rt.value
                    ),
                    "a route table holds one route per prefix list",
                );
            }
            let written = v
                .route_tables
                .get(&rt.value)
                .into_iter()
                .flat_map(|t| &t.routes);
            for r in written {
                let same = parse::prefix_list_ref(&r.destination.value)
                    .and_then(managed_list_ref)
                    .is_some_and(|(rr, s)| rr == region && s == short);
                if same {
                    self.err(
                        r.destination.loc,
                        format!(
                            "route table `{}` gets the route to {list} from endpoint `{}`",
                            rt.value, ename.value
                        ),
                        "remove this route, or the table from the endpoint's route_tables",
                    );
                }
            }
        }
    }

    /// An interface endpoint: subnets of this VPC, one per AZ, groups of this VPC, private DNS
    /// once per service and only with both DNS attributes, no route tables.
    fn interface_endpoint(
        &mut self,
        vname: &Sp<String>,
        v: &spec::Vpc,
        ename: &Sp<String>,
        e: &VpcEndpoint,
        (short, region): (&str, &str),
        private_dns: &mut HashMap<String, u32>,
    ) {
        if !e.route_tables.is_empty() {
            self.err(
                ename.loc,
                format!("interface endpoint `{}` takes no route_tables", ename.value),
                "route_tables belong to gateway endpoints (S3, DynamoDB); write subnets instead",
            );
        }
        if e.subnets.is_empty() {
            self.err(
                ename.loc,
                format!("interface endpoint `{}` has no subnets", ename.value),
                "list the subnets that get an endpoint network interface",
            );
        }
        let mut azs: HashMap<String, u32> = HashMap::new();
        for s in &e.subnets {
            let name = s.value.subnet();
            let Some(sub) = v.subnets.get(name) else {
                self.err(
                    s.loc,
                    format!("subnet `{name}` does not exist in VPC `{}`", vname.value),
                    "name a subnet of the endpoint's VPC",
                );
                continue;
            };
            let az = sub
                .az
                .as_ref()
                .map_or_else(|| format!("{region}a"), |a| a.value.clone());
            if let Some(line) = azs.insert(az.clone(), s.loc.line) {
                self.err(
                    s.loc,
                    format!(
                        "endpoint `{}` already has a subnet in this AZ (line {line})",
                        ename.value
                    ),
                    "an interface endpoint has at most one network interface per Availability Zone",
                );
            }
            if let Some(ip) = s.value.ip() {
                let at = Sp::at(ip.to_string(), s.loc);
                if let (Some(a), Some(c)) = (
                    self.ip(&at, "endpoint address"),
                    parse::cidr(&sub.cidr.value).ok(),
                ) {
                    let off = u32::from(a).wrapping_sub(u32::from(c.network()));
                    if !c.contains(&a) || off < 4 || a == c.broadcast() {
                        self.err(
                            s.loc,
                            format!("{a} is not a usable address of subnet `{name}` ({c})"),
                            "pick an address inside the subnet, not one of its 5 reserved ones",
                        );
                    }
                }
            }
            if let Some(id) = s.value.aws_id() {
                self.id_prefix(&Sp::at(id.to_string(), s.loc), "eni");
            }
        }
        for g in e.security_groups.iter().flatten() {
            if g.value != "default" && !v.security_groups.contains(&g.value) {
                self.err(
                    g.loc,
                    format!(
                        "security group `{}` does not exist in VPC `{}`",
                        g.value, vname.value
                    ),
                    "declare it under this VPC's `security_groups:`, or use `default`",
                );
            }
        }
        if let Some(d) = &e.dns_name {
            self.endpoint_dns_name(d, short, region);
        }
        let dns_on = e.private_dns.as_ref().is_none_or(|p| p.value);
        if dns_on {
            let support = v
                .dns
                .as_ref()
                .and_then(|d| d.support.as_ref())
                .is_none_or(|s| s.value);
            let hostnames = v
                .dns
                .as_ref()
                .and_then(|d| d.hostnames.as_ref())
                .is_some_and(|s| s.value);
            if e.private_dns.is_some() && !(support && hostnames) {
                let at = e.private_dns.as_ref().map(|p| p.loc).unwrap_or(ename.loc);
                self.err(
                    at,
                    format!(
                        "private DNS for endpoint `{}` needs the VPC's DNS support and hostnames",
                        ename.value
                    ),
                    "set dns: { support: true, hostnames: true } on the VPC, or private_dns: false",
                );
            }
            if let Some(line) = private_dns.insert(short.to_string(), ename.loc.line) {
                self.err(
                    ename.loc,
                    format!("another endpoint of VPC `{}` has private DNS for {short} (line {line})", vname.value),
                    "only one endpoint per service may have private DNS in a VPC; set private_dns: false",
                );
            }
        }
    }
}

impl Validator<'_> {
    /// An interface endpoint's `dns_name`: `LABEL.SERVICE.REGION.vpce.amazonaws.com` for its own
    /// service, LABEL a DNS label starting `vpce-` (lower case, at most 63 characters).
    fn endpoint_dns_name(&mut self, d: &Sp<String>, short: &str, region: &str) {
        let tail = format!(".{short}.{region}.vpce.amazonaws.com");
        let label = d.value.strip_suffix(&tail).unwrap_or("");
        let ok = label.starts_with("vpce-")
            && label.len() <= 63
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            self.err(
                d.loc,
                format!(
                    "`{}` is not an endpoint DNS name of {short} in {region}",
                    d.value
                ),
                format!("write the regional name AWS lists first in DnsEntries, e.g. vpce-0a1b2c3d4e5f60718-0h4w5u94{tail}"),
            );
        }
    }
}

impl AwsServiceDecl {
    /// The service name with a position (the short form's is the entry's).
    fn service_sp(&self, at: crate::topology::Loc) -> Sp<String> {
        match self {
            AwsServiceDecl::Name(n) => Sp::at(n.clone(), at),
            AwsServiceDecl::Full(f) => f.service.clone(),
        }
    }
}

/// The topology's region (default us-east-1).
fn default_region(t: &Topology) -> String {
    t.region
        .as_ref()
        .map_or_else(|| "us-east-1".to_string(), |r| r.value.clone())
}
