//! `vpclab import terraform` on the command line: YAML on stdout or in `-o`, the report on
//! stderr, exit 2 on bad input (with line:col for bad JSON) and with `--strict` on any guess.

use super::plans_dir;
use crate::support::vpclab;

#[test]
fn writes_the_topology_and_strict_fails_on_guesses() {
    let d = tempfile::tempdir().unwrap();
    let plan = plans_dir().join("terraform-compliance/test_issue-158/plan.out.json");
    let out = d.path().join("t.yaml");
    let o = vpclab(&[
        "import",
        "terraform",
        plan.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(o.stdout.is_empty());
    assert!(stderr.contains("import: guessed aws_route_table_association module.vpc.aws_route_table_association.private[0]: subnet_id: resolved by position"), "{stderr}");
    assert!(!stderr.contains("does not validate"), "{stderr}");
    let y = std::fs::read_to_string(&out).unwrap();
    assert!(y.contains("name: plan-out\n"), "named after the file: {y}");
    let v = vpclab(&["validate", out.to_str().unwrap()]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let strict = vpclab(&["import", "terraform", plan.to_str().unwrap(), "--strict"]);
    assert_eq!(strict.status.code(), Some(2));
    assert!(!strict.stdout.is_empty(), "the topology is still written");
}

#[test]
fn strict_passes_when_nothing_was_guessed() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("state.json");
    std::fs::write(&f, r#"{"format_version":"1.0","values":{"root_module":{"resources":[
        {"address":"aws_vpc.v","mode":"managed","type":"aws_vpc","name":"v","values":{"id":"vpc-1","cidr_block":"10.0.0.0/16"}},
        {"address":"aws_subnet.s","mode":"managed","type":"aws_subnet","name":"s","values":{"id":"subnet-1","vpc_id":"vpc-1","cidr_block":"10.0.0.0/24","availability_zone":"us-east-1a"}}]}}}"#).unwrap();
    let o = vpclab(&[
        "import",
        "terraform",
        f.to_str().unwrap(),
        "--strict",
        "--name",
        "st",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("aws_id: subnet-1"));
}

#[test]
fn bad_input_exits_2_with_a_position() {
    let d = tempfile::tempdir().unwrap();
    let bad = d.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"values\": @\n}").unwrap();
    let o = vpclab(&["import", "terraform", bad.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.json:2:"), "{stderr}");
    let other = d.path().join("other.json");
    std::fs::write(&other, r#"{"Vpcs": []}"#).unwrap();
    let o = vpclab(&["import", "terraform", other.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not Terraform JSON"), "{stderr}");
    let future = d.path().join("future.json");
    std::fs::write(&future, r#"{"format_version": "2.0", "values": {}}"#).unwrap();
    let o = vpclab(&["import", "terraform", future.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let missing = vpclab(&[
        "import",
        "terraform",
        d.path().join("nope.json").to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(2));
}
