//! The 46 plans of `../shared/corpus/terraform/`: no panic, a topology that validates, and
//! every network resource accounted for: an object of the document, or a report entry.

use super::plans;
use crate::support::{assert_validates, tree};
use serde_json::Value;
use vpclab::import::terraform::kinds::{kind, Kind};

/// (address, type) of every managed resource a plan keeps (deleted ones left out).
fn resources(plan: &Value) -> Vec<(String, String)> {
    plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["mode"] == "managed" && r["change"]["actions"] != serde_json::json!(["delete"])
        })
        .map(|r| {
            (
                r["address"].as_str().unwrap_or_default().to_string(),
                r["type"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// How many objects of a document section there are, over every VPC, leaving out the
/// default subnets the importer makes up for instances without `subnet_id`.
fn count(doc: &Value, section: &str) -> usize {
    doc["vpcs"]
        .as_object()
        .into_iter()
        .flat_map(|v| v.values())
        .flat_map(|v| v[section].as_object().into_iter().flat_map(|m| m.values()))
        .filter(|o| {
            !o["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("default subnet of zone"))
        })
        .count()
}

#[test]
fn every_plan_imports_validates_and_accounts_for_its_network_resources() {
    let all = plans();
    assert_eq!(all.len(), 46, "the corpus has 46 plans");
    let mut network = 0;
    for p in all {
        let text = std::fs::read_to_string(&p).expect("readable plan");
        let plan: Value = serde_json::from_str(&text).expect("corpus plans are JSON");
        let i = vpclab::import::terraform::import_text(&p, &text, Some("corpus"))
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_validates(&p.display().to_string(), &i);
        let doc = tree(&i);
        let reported = |addr: &str| i.report.entries().iter().any(|e| e.id == addr);
        let skipped = |t: &str| {
            i.report
                .entries()
                .iter()
                .filter(|e| {
                    e.kind == t
                        && e.outcome.word() == "skipped"
                        && resources(&plan).iter().any(|(a, _)| a == &e.id)
                })
                .map(|e| e.id.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        };
        let res = resources(&plan);
        for (addr, t) in &res {
            if let Kind::Later(..) = kind(t) {
                network += 1;
                assert!(
                    reported(addr),
                    "{}: {addr} is neither imported nor reported",
                    p.display()
                );
            }
        }
        // Object kinds: each instance is an object of the document or reported skipped.
        for (t, section) in [
            ("aws_subnet", "subnets"),
            ("aws_security_group", "security_groups"),
            ("aws_route_table", "route_tables"),
            ("aws_network_acl", "network_acls"),
            ("aws_nat_gateway", "nat_gateways"),
            ("aws_instance", "instances"),
        ] {
            let n = res.iter().filter(|(_, k)| k == t).count();
            network += n;
            let made = count(&doc, section);
            assert!(
                made <= n && made + skipped(t) >= n,
                "{}: {n} {t} in the plan, {made} in the topology, {} reported skipped",
                p.display(),
                skipped(t)
            );
        }
        // Load balancers are top-level objects: each is one of the document or reported
        // skipped; their listeners, rules, target groups and attachments count as network
        // resources too (each is in an imported load balancer or reported).
        let lbs = res
            .iter()
            .filter(|(_, k)| k == "aws_lb" || k == "aws_alb")
            .count();
        let made = doc["load_balancers"].as_object().map_or(0, |m| m.len());
        network += lbs;
        assert!(
            made <= lbs && made + skipped("aws_lb") + skipped("aws_alb") >= lbs,
            "{}: {lbs} load balancers in the plan, {made} in the topology",
            p.display()
        );
        network += res
            .iter()
            .filter(|(_, k)| k.starts_with("aws_lb_") || k.starts_with("aws_alb_"))
            .count();
        let vpcs = res
            .iter()
            .filter(|(_, k)| k == "aws_vpc" || k == "aws_default_vpc")
            .count();
        assert!(
            doc["vpcs"].as_object().map_or(0, |m| m.len()) >= vpcs,
            "{}: VPCs missing",
            p.display()
        );
    }
    assert!(
        network > 150,
        "only {network} network resources in the corpus"
    );
}
