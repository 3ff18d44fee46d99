//! Golden outputs of six corpus plans checked by hand against their JSON: the YAML written and
//! the report. Regenerate with `VPCLAB_UPDATE_SNAPSHOTS=1` and review the diff.
//!
//! What was checked by hand:
//! - `issue-158` (terraform-aws-modules/vpc, `count` everywhere): six subnets in three zones,
//!   the public table's IGW route, each private table's route to the NAT gateway of the same
//!   index and each association by index (reported as guesses by position), `vpc_id` through
//!   `local.vpc_id` (opaque: the module's only VPC, reported), each NAT gateway's EIP by
//!   position (only a `local` names it) and its address drawn from the pool (reported), the
//!   VPN gateway attached to the module's only VPC (its `vpc_id` known after apply, reported).
//! - `issue-514` (a child module, `count = 2` subnets): the NACL's `subnet_ids` splat puts both
//!   subnets on it, no rules (a custom NACL created without any denies all).
//! - `issue-171` (TF 0.12: inline `route` blocks are absent from the configuration): the
//!   route's unknown `gateway_id` is the only internet gateway (reported), the group's inline
//!   egress kept, the NLB and listeners reported with issue 15.
//! - `issue-249` (known ids): inline and separate rules on one group (`sg-064…`: two inline
//!   ingress rules and one `aws_security_group_rule` from the ALB's group, which becomes
//!   `sg:NAME`), a group without `egress` has `outbound: []`, the groups' VPC (an id not in
//!   the plan, not of the format's shape) a made-up VPC (reported), ALB/ASG/Route 53 reported.
//! - `for-each` (checkov, `for_each` on a module and on resources): three groups keyed by name
//!   from `module.sg["…"]`, no egress, in a made-up VPC for the `vpc_id` the plan passes in
//!   (reported), Route 53 zones reported.
//! - `checkov-tfplan` (TerraGoat): two VPCs, the instances in the subnet their `subnet_id`
//!   names with their groups, the free-standing ENI, the ELB and flow log reported.

use super::plans_dir;
use crate::support::assert_golden;
use std::path::PathBuf;

fn check(label: &str, rel: &str) {
    let path = plans_dir().join(rel);
    let text = std::fs::read_to_string(&path).expect("readable plan");
    let i =
        vpclab::import::terraform::import_text(&PathBuf::from(rel), &text, None).expect("imports");
    let got_yaml = vpclab::import::yaml::to_yaml(&i.doc, "vpclab import terraform").expect("YAML");
    let got_report = i.report.to_text();
    assert_golden(
        "terraform",
        label,
        &[("yaml", &got_yaml), ("report.txt", &got_report)],
    );
}

#[test]
fn module_with_count() {
    check(
        "issue-158",
        "terraform-compliance/test_issue-158/plan.out.json",
    );
}

#[test]
fn child_module_nacl_subnets() {
    check(
        "issue-514",
        "terraform-compliance/test_issue-514/plan.out.json",
    );
}

#[test]
fn inline_route_of_terraform_0_12() {
    check(
        "issue-171",
        "terraform-compliance/test_issue-171/plan.out.json",
    );
}

#[test]
fn inline_and_separate_rules_on_one_group() {
    check(
        "issue-249",
        "terraform-compliance/test_issue-249/plan.out.json",
    );
}

#[test]
fn for_each_on_modules_and_resources() {
    check(
        "for-each",
        "checkov/tests/common/runner_registry/plan_with_for_each_for_enrichment/tf_plan.json",
    );
}

#[test]
fn terragoat_plan() {
    check(
        "checkov-tfplan",
        "checkov/tests/terraform/runner/resources/plan/tfplan.json",
    );
}
