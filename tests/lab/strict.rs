//! Lab files read YAML 1.2 scalars as strictly as topologies (issue 18): `exists: no` or
//! `port: "80"` is an error naming the line, not a silent false or 80.

use vpclab::lab::format::parse_lab;

/// A one-step lab whose only check is `CHECK`.
fn lab(check: &str) -> String {
    format!(
        "id: 99-x\ntitle: t\nbriefing: b\nsteps:\n  - title: s\n    instructions: i\n    checks:\n      - {check}\n"
    )
}

#[test]
fn strict_values_parse() {
    let ok = parse_lab(
        "lab.yaml",
        &lab("flowlog: { after: { from: a, to: b, port: 80 }, resource: eni-b, action: ACCEPT, exists: false }"),
    );
    assert!(ok.is_ok(), "{:?}", ok.err().map(|r| r.to_string()));
}

#[test]
fn yaml_1_1_booleans_are_errors() {
    for word in ["no", "yes", "off", "n", "\"false\""] {
        let text = lab(&format!(
            "flowlog: {{ after: {{ from: a, to: b }}, resource: eni-b, action: ACCEPT, exists: {word} }}"
        ));
        let r = parse_lab("lab.yaml", &text).expect_err(word);
        let s = r.to_string();
        assert!(s.contains("lab.yaml") && s.contains(":8"), "{word}: {s}");
    }
}

#[test]
fn quoted_numbers_are_errors() {
    for check in [
        "reach: { from: a, to: b, port: \"80\", expect: reachable }",
        "exec: { instance: a, command: true, exit: \"1\" }",
    ] {
        let r = parse_lab("lab.yaml", &lab(check)).expect_err(check);
        assert!(
            r.to_string().contains("expected a whole number"),
            "{check}: {r}"
        );
    }
    let minutes = lab("valid: {}").replace("briefing: b", "briefing: b\nminutes: \"15\"");
    assert!(parse_lab("lab.yaml", &minutes).is_err());
}
