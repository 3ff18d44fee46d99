//! `vpclab import aws` on the command line: the YAML on stdout or in `-o`, the report on stderr
//! and in `--report` as JSON, exit 2 on bad input and, with `--strict`, on anything reported.

use super::support::{batfish, vpclab};

#[test]
fn writes_the_topology_and_the_report() {
    let d = tempfile::tempdir().unwrap();
    let src = batfish().join("test-vpc-endpoint-gateway/aws_configs");
    let out = d.path().join("t.yaml");
    let rep = d.path().join("r.json");
    let o = vpclab(&[
        "import",
        "aws",
        src.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--report",
        rep.to_str().unwrap(),
        "--name",
        "endpoints",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(o.stdout.is_empty());
    assert!(
        stderr.contains("import: approximated VpcEndpoint"),
        "{stderr}"
    );
    assert!(!stderr.contains("does not validate"), "{stderr}");
    let y = std::fs::read_to_string(&out).unwrap();
    assert!(y.contains("name: endpoints\n"), "{y}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&rep).unwrap()).unwrap();
    assert!(r["counts"]["approximated"].as_u64().unwrap() >= 1, "{r}");
    let v = vpclab(&["validate", out.to_str().unwrap()]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let strict = vpclab(&["import", "aws", src.to_str().unwrap(), "--strict"]);
    assert_eq!(strict.status.code(), Some(2));
    assert!(!strict.stdout.is_empty(), "the topology is still written");
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("Vpcs.json");
    std::fs::write(&f, "{\"Vpcs\": [}").unwrap();
    let o = vpclab(&["import", "aws", f.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("{}:1:", f.display())), "{stderr}");
    let o = vpclab(&["import", "aws", d.path().join("none").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let o = vpclab(&["import", "aws", f.to_str().unwrap(), "--name", "Bad Name"]);
    assert_eq!(o.status.code(), Some(2));
}
