//! Checks of the `flow_logs:` section as written: resources exist, enumerations are known,
//! fields are AWS field names, and no two definitions write the same file.

use crate::topology::flowlog_fields::{self as fields, Field};
use crate::topology::spec::FlowLog;
use crate::topology::{Report, Topology};
use std::collections::HashMap;

/// Checks every flow-log definition of `t`, adding errors with hints to `report`.
pub(super) fn validate(t: &Topology, report: &mut Report) {
    let mut paths: HashMap<String, usize> = HashMap::new();
    for (i, fl) in t.flow_logs.iter().enumerate() {
        check_resource(t, fl, report);
        check_enums(fl, report);
        check_fields(fl, report);
        let p = fl.path.value.trim();
        if p.is_empty() {
            report.error(
                fl.path.loc,
                "flow log `path` is empty",
                "give a file name such as flows/main.log",
            );
            continue;
        }
        let norm = normalize(p);
        if let Some(first) = paths.get(&norm) {
            report.error(
                fl.path.loc,
                format!("flow logs {} and {} both write `{p}`", first + 1, i + 1),
                "give each flow log its own path",
            );
        } else {
            paths.insert(norm, i);
        }
    }
}

/// `./flows//a.log` and `flows/a.log` are the same file.
fn normalize(p: &str) -> String {
    p.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn check_resource(t: &Topology, fl: &FlowLog, report: &mut Report) {
    let r = &fl.resource;
    let loc = r.loc;
    let hint = "use vpc:NAME, subnet:VPC/NAME or instance:NAME";
    let Some((kind, name)) = r.value.split_once(':') else {
        report.error(
            loc,
            format!("`{}` is not a flow-log resource", r.value),
            hint,
        );
        return;
    };
    match kind {
        "vpc" => {
            if !t.vpcs.contains(name) {
                report.error(
                    loc,
                    format!("no VPC named `{name}`"),
                    known("VPCs", t.vpcs.iter().map(|(k, _)| k.value.clone())),
                );
            }
        }
        "subnet" => {
            let Some((v, s)) = name.split_once('/') else {
                report.error(
                    loc,
                    format!("`{}` does not name a VPC and a subnet", r.value),
                    "write subnet:VPC/NAME, e.g. subnet:main/data-a",
                );
                return;
            };
            match t.vpcs.get(v) {
                None => report.error(
                    loc,
                    format!("no VPC named `{v}`"),
                    known("VPCs", t.vpcs.iter().map(|(k, _)| k.value.clone())),
                ),
                Some(vpc) if !vpc.subnets.contains(s) => report.error(
                    loc,
                    format!("VPC `{v}` has no subnet named `{s}`"),
                    known(
                        &format!("subnets of {v}"),
                        vpc.subnets.iter().map(|(k, _)| k.value.clone()),
                    ),
                ),
                Some(_) => {}
            }
        }
        "instance" => {
            let found = t.vpcs.iter().any(|(_, v)| v.instances.contains(name));
            if !found {
                let all = t
                    .vpcs
                    .iter()
                    .flat_map(|(_, v)| v.instances.iter().map(|(k, _)| k.value.clone()));
                report.error(
                    loc,
                    format!("no instance named `{name}`"),
                    known("instances", all),
                );
            }
        }
        _ => report.error(
            loc,
            format!("`{kind}:` is not a flow-log resource kind"),
            hint,
        ),
    }
}

fn known(what: &str, names: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = names.collect();
    if v.is_empty() {
        format!("there are no {what}")
    } else {
        format!("known {what}: {}", v.join(", "))
    }
}

fn check_enums(fl: &FlowLog, report: &mut Report) {
    if let Some(tr) = &fl.traffic {
        if !matches!(tr.value.as_str(), "ACCEPT" | "REJECT" | "ALL") {
            report.error(
                tr.loc,
                format!("`{}` is not a traffic type", tr.value),
                "use ACCEPT, REJECT or ALL (upper case, as AWS)",
            );
        }
    }
    if let Some(f) = &fl.format {
        if !matches!(f.value.as_str(), "aws" | "pcap" | "pcapng") {
            report.error(
                f.loc,
                format!("`{}` is not a flow-log format", f.value),
                "use aws, pcap or pcapng",
            );
        }
    }
    if let Some(i) = &fl.aggregation_interval {
        if !matches!(i.value, 60 | 600) {
            report.error(
                i.loc,
                format!("aggregation_interval {} is not allowed", i.value),
                "AWS accepts 60 or 600 seconds",
            );
        }
    }
}

fn check_fields(fl: &FlowLog, report: &mut Report) {
    let Some(list) = &fl.fields else { return };
    let format = fl
        .format
        .as_ref()
        .map(|f| f.value.as_str())
        .unwrap_or("aws");
    if format != "aws" {
        let loc = list.first().map(|f| f.loc).unwrap_or(fl.resource.loc);
        report.error(
            loc,
            format!("`fields` applies only to format aws, not {format}"),
            "remove `fields` or use format: aws",
        );
        return;
    }
    if list.is_empty() {
        report.error(
            fl.resource.loc,
            "`fields` is empty",
            "list at least one field, or omit `fields` for the default version-2 format",
        );
    }
    let mut seen: Vec<Field> = Vec::new();
    for f in list {
        match Field::parse(f.value.trim()) {
            None => report.error(
                f.loc,
                format!("`{}` is not an AWS flow-log field", f.value),
                format!("known fields: {}", fields::known_names()),
            ),
            Some(x) if seen.contains(&x) => report.error(
                f.loc,
                format!("field `{x}` is listed twice"),
                "list each field once",
            ),
            Some(x) => seen.push(x),
        }
    }
}

#[cfg(test)]
mod tests {
    fn check(yaml: &str) -> String {
        let t = crate::topology::parse_str("t.yaml", yaml).expect("parses");
        let mut r = crate::topology::Report::new("t.yaml");
        super::validate(&t, &mut r);
        r.to_string()
    }

    const BASE: &str = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.0.0/24 }\n    instances:\n      web: { subnet: a }\n";

    #[test]
    fn accepts_good_definitions() {
        let y = format!(
            "{BASE}flow_logs:\n  - {{ resource: vpc:main, traffic: ALL, format: aws, path: a.log, aggregation_interval: 60, fields: [version, srcaddr, tcp-flags] }}\n  - {{ resource: subnet:main/a, traffic: REJECT, format: pcapng, path: b.pcapng }}\n  - {{ resource: instance:web, format: pcap, path: c.pcap }}\n"
        );
        assert_eq!(check(&y), "");
    }

    #[test]
    fn reports_each_mistake_with_position() {
        let y = format!(
            "{BASE}flow_logs:\n  - {{ resource: vpc:nope, traffic: all, format: csv, path: a.log, aggregation_interval: 30 }}\n  - {{ resource: subnet:main/b, path: a.log, fields: [srcaddr, color] }}\n  - {{ resource: instance:db, format: pcap, path: '', fields: [srcaddr] }}\n"
        );
        let out = check(&y);
        for want in [
            "t.yaml:10:17: error: no VPC named `nope`",
            "`all` is not a traffic type",
            "`csv` is not a flow-log format",
            "aggregation_interval 30 is not allowed",
            "VPC `main` has no subnet named `b`",
            "flow logs 1 and 2 both write `a.log`",
            "`color` is not an AWS flow-log field",
            "no instance named `db`",
            "`fields` applies only to format aws",
            "flow log `path` is empty",
            "hint:",
        ] {
            assert!(out.contains(want), "missing {want:?} in:\n{out}");
        }
    }
}
