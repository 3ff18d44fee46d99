//! `aws_vpc_endpoint` (+ `aws_vpc_endpoint_route_table_association`,
//! `aws_vpc_endpoint_subnet_association`) → a VPC's `endpoints:`, and a gateway endpoint's
//! computed `prefix_list_id` / `cidr_blocks` → an `aws_services:` entry. The routes of a
//! gateway endpoint come from its `route_table_ids` and the associations, never `aws_route`
//! (the provider's rule, import-and-next-wave §4.3); interface ENIs take addresses vpclab
//! allocates (a plan does not know them; a state lists only their ids).

use super::{Builder, Link, SG, SUBNET};
use crate::import::doc_endpoints::{
    regional_dns_name, AwsService, Endpoint, EndpointSubnet, ManagedPrefixList,
};
use crate::import::report::Outcome;
use crate::import::terraform::values::{flag, parse_cidr, strings, text};
use crate::topology::aws_services::has_gateway;

/// Route table types.
const RT: &[&str] = &["aws_route_table", "aws_default_route_table"];

impl Builder<'_> {
    /// Every endpoint of a VPC in the input (after route tables, subnets and groups).
    pub(super) fn vpc_endpoints(&mut self) {
        for i in self.each("aws_vpc_endpoint") {
            let a = self.at(i);
            let Some(service) = text(a, "service_name").map(str::to_string) else {
                self.note(
                    i,
                    Outcome::Skipped,
                    "an endpoint whose service_name is not known",
                );
                continue;
            };
            let Some(vpc) = self.vpc_at(i, "vpc_id") else {
                self.note(
                    i,
                    Outcome::Skipped,
                    "an endpoint whose VPC is not in the input",
                );
                continue;
            };
            let short = service
                .strip_prefix("com.amazonaws.")
                .and_then(|r| r.split_once('.'))
                .map(|(_, s)| s.to_string())
                .filter(|s| !s.contains('.'));
            let Some(short) = short else {
                self.note(i, Outcome::Unsupported, format!("an endpoint to {service} (a PrivateLink service of another account) is not in the format"));
                continue;
            };
            let kind = text(a, "vpc_endpoint_type")
                .unwrap_or("Gateway")
                .to_string();
            let mut ep = Endpoint {
                service: service.clone(),
                aws_id: text(a, "id")
                    .filter(|x| x.starts_with("vpce-"))
                    .map(str::to_string),
                ..Endpoint::default()
            };
            match kind.as_str() {
                "Gateway" if has_gateway(&short) => {
                    ep.endpoint_type = "gateway";
                    let (mut tables, _) = self.links(i, "route_table_ids", RT);
                    for x in self.each("aws_vpc_endpoint_route_table_association") {
                        if self.link(x, "vpc_endpoint_id", &["aws_vpc_endpoint"]) == Link::Found(i)
                        {
                            if let Link::Found(t) = self.link(x, "route_table_id", RT) {
                                tables.push(t);
                            }
                        }
                    }
                    for t in tables {
                        match self.rt_of.get(&t) {
                            Some((v, n)) if *v == vpc && !ep.route_tables.contains(n) => {
                                ep.route_tables.push(n.clone())
                            }
                            _ => {}
                        }
                    }
                    self.managed_list(i, &service);
                }
                "Interface" => {
                    ep.endpoint_type = "interface";
                    let (mut subs, _) = self.links(i, "subnet_ids", SUBNET);
                    for x in self.each("aws_vpc_endpoint_subnet_association") {
                        if self.link(x, "vpc_endpoint_id", &["aws_vpc_endpoint"]) == Link::Found(i)
                        {
                            if let Link::Found(s) = self.link(x, "subnet_id", SUBNET) {
                                subs.push(s);
                            }
                        }
                    }
                    for s in subs {
                        if let Some((v, n)) = self.subnet_of.get(&s) {
                            if *v == vpc && !ep.subnets.iter().any(|x| x.subnet == *n) {
                                ep.subnets.push(EndpointSubnet {
                                    subnet: n.clone(),
                                    ..EndpointSubnet::default()
                                });
                            }
                        }
                    }
                    let (groups, _) = self.links(i, "security_group_ids", SG);
                    ep.security_groups = groups
                        .iter()
                        .filter_map(|g| self.sg_of.get(g))
                        .filter(|(v, _)| *v == vpc)
                        .map(|(_, n)| n.clone())
                        .collect();
                    let dns = flag(self.at(i), "private_dns_enabled").unwrap_or(false);
                    let attrs = self
                        .doc
                        .vpcs
                        .get(&vpc)
                        .and_then(|v| v.dns.as_ref())
                        .is_some_and(|d| d.support != Some(false) && d.hostnames == Some(true));
                    if dns && !attrs {
                        self.note(i, Outcome::Approximated, "private_dns_enabled without the VPC's DNS hostnames in the input: imported with private DNS off");
                    }
                    ep.private_dns = Some(dns && attrs);
                    if let (Some(id), Some((region, _))) = (
                        ep.aws_id.clone(),
                        service
                            .strip_prefix("com.amazonaws.")
                            .and_then(|r| r.split_once('.')),
                    ) {
                        let names = self
                            .at(i)
                            .get("dns_entry")
                            .and_then(|v| v.as_array())
                            .map(|a| {
                                a.iter()
                                    .filter_map(|d| d["dns_name"].as_str())
                                    .collect::<Vec<_>>()
                            })
                            .unwrap_or_default();
                        ep.dns_name = regional_dns_name(names, &id, &short, region);
                    }
                    if ep.subnets.is_empty() {
                        self.note(
                            i,
                            Outcome::Skipped,
                            "an interface endpoint none of whose subnets is in the input",
                        );
                        continue;
                    }
                }
                other => {
                    self.note(
                        i,
                        Outcome::Unsupported,
                        format!("a {other} endpoint to {service} is not in the format"),
                    );
                    continue;
                }
            }
            ep.route_tables.sort();
            ep.subnets.sort_by(|x, y| x.subnet.cmp(&y.subnet));
            let name = self.scoped_name(&vpc, "endpoint", i, None);
            self.note(
                i,
                Outcome::Approximated,
                "its endpoint policy (IAM) is not modelled: every request is allowed",
            );
            if let Some(v) = self.vpc_mut(&vpc) {
                v.endpoints.insert(name, ep);
            }
        }
    }

    /// A gateway endpoint's computed `prefix_list_id` and `cidr_blocks` (known in a state)
    /// as the service's `aws_services:` entry, once per service.
    fn managed_list(&mut self, i: super::ResId, service: &str) {
        let a = self.at(i);
        let (Some(id), cidrs) = (text(a, "prefix_list_id"), strings(a, "cidr_blocks")) else {
            return;
        };
        let entries: Vec<_> = cidrs.iter().filter_map(|c| parse_cidr(c)).collect();
        if entries.is_empty() || self.doc.aws_services.iter().any(|s| s.service == service) {
            return;
        }
        self.doc.aws_services.push(AwsService {
            service: service.to_string(),
            prefix_list: Some(ManagedPrefixList {
                aws_id: id.to_string(),
                entries,
            }),
        });
    }

    /// The AWS-managed list a route or SG rule names by id (`pl-…` not in the input): the
    /// `pl:` name of a gateway service whose endpoint computed that id, or of us-east-1's
    /// S3 and DynamoDB lists; None for any other id.
    pub(super) fn managed_list_name(&self, id: &str) -> Option<String> {
        if let Some(s) = self
            .doc
            .aws_services
            .iter()
            .find(|s| s.prefix_list.as_ref().is_some_and(|p| p.aws_id == id))
        {
            return Some(s.service.clone());
        }
        for i in self.each("aws_vpc_endpoint") {
            let a = self.at(i);
            if text(a, "prefix_list_id") == Some(id) {
                return text(a, "service_name").map(str::to_string);
            }
        }
        ["s3", "dynamodb"].iter().find_map(|s| {
            (crate::topology::aws_services::default_prefix_list_id("us-east-1", s) == id)
                .then(|| crate::topology::aws_services::full_name("us-east-1", s))
        })
    }
}
