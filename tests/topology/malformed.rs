//! The malformed-topology corpus: every file under `tests/malformed/` has one defect and a
//! first line `# expect: LINE:COL SUBSTRING`. `vpclab validate` must exit 2, print the error
//! first at exactly that position, with the substring in the message and a `hint:` line, and
//! never panic. The shared corpus (`../shared/corpus/malformed/`, read in place) must get
//! specific messages at the right place, and inline cases cover each class: strict booleans,
//! strict numbers, octal-looking addresses, and YAML structure errors.

use std::path::PathBuf;
use std::process::Command;

fn corpus() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/malformed exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_is_large_enough() {
    assert!(
        corpus().len() >= 45,
        "only {} malformed topologies",
        corpus().len()
    );
}

#[test]
fn every_malformed_topology_fails_at_its_line_with_a_hint() {
    let mut failures = vec![];
    for path in corpus() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let header = text.lines().next().unwrap_or_default();
        let spec = header.strip_prefix("# expect: ").unwrap_or_else(|| {
            panic!(
                "{}: first line must be `# expect: LINE:COL TEXT`",
                path.display()
            )
        });
        let (pos, needle) = spec.split_once(' ').expect("`LINE:COL TEXT`");
        let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
            .arg("validate")
            .arg(&path)
            .output()
            .expect("runs vpclab");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let file = path.display().to_string();
        let prefix = format!("{file}:{pos}: error:");
        let first = stderr.lines().next().unwrap_or_default();
        let problems: Vec<&str> = [
            (out.status.code() != Some(2), "exit code is not 2"),
            (
                !first.starts_with(&prefix),
                "stderr does not start with the expected FILE:LINE:COL: error:",
            ),
            (
                !first.contains(needle),
                "the first error does not contain the expected text",
            ),
            (
                !stderr
                    .lines()
                    .nth(1)
                    .unwrap_or_default()
                    .trim_start()
                    .starts_with("hint:"),
                "no hint line after the error",
            ),
            (stderr.contains("panicked"), "panic"),
        ]
        .into_iter()
        .filter_map(|(bad, what)| bad.then_some(what))
        .collect();
        if !problems.is_empty() {
            failures.push(format!(
                "{file}: {}\n  expected: {prefix} ...{needle}...\n  got (exit {:?}):\n{stderr}",
                problems.join("; "),
                out.status.code()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_output_lists_the_error_with_its_position() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/malformed/subnet-overlap.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .args(["validate", "--json"])
        .arg(&path)
        .output()
        .expect("runs vpclab");
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    assert_eq!(v["ok"], false);
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(
        (d["severity"].as_str(), d["line"].as_u64()),
        (Some("error"), Some(9))
    );
    assert!(d["hint"].is_string());
}

/// The shared corpus of malformed files (`../shared/corpus/malformed/`, written by others; read
/// in place, never copied): each file's exit code, the position of its first error and a
/// phrase of it. Files not listed must still exit 0 or 2 without a generic message.
const SHARED: &[(&str, i32, &str, &str)] = &[
    (
        "05-igw-string.yaml",
        2,
        "15:23",
        "expected true or false, found the string \"yes\"",
    ),
    (
        "06-services-scalar.yaml",
        2,
        "38:85",
        "`services` takes a list, found the value `http:80`",
    ),
    ("07-tabs-indent.yaml", 2, "14:1", "indented with a tab"),
    ("08-mixed-tabs.yaml", 2, "15:3", "indented with a tab"),
    (
        "09-anchor-merge-ok.yaml",
        2,
        "2:1",
        "unknown field `defaults`",
    ),
    (
        "10-undefined-alias.yaml",
        2,
        "38:68",
        "`*nosuch` refers to the anchor `&nosuch`",
    ),
    (
        "12-deep-flow-nesting.yaml",
        2,
        "2:7",
        "`vpcs` takes a mapping of VPC names to VPCs, found a list",
    ),
    ("16-crlf-valid.yaml", 0, "", ""),
    ("18-only-comments.yaml", 2, "1:1", "only comments"),
    (
        "19-top-level-list.yaml",
        2,
        "1:1",
        "a topology file is a mapping of keys such as `name:` and `vpcs:`, found a list",
    ),
    (
        "20-top-level-scalar.yaml",
        2,
        "1:1",
        "found the value `relbad`",
    ),
    (
        "21-huge-conntrack.yaml",
        2,
        "44:26",
        "the number 99999999999999999999999999 is too large",
    ),
    (
        "22-float-rule.yaml",
        2,
        "31:37",
        "`1e309` is not a port number",
    ),
    ("40-utf8-bom.yaml", 0, "", ""),
    ("41-nul-byte.yaml", 2, "8:10", "control character U+0000"),
    (
        "42-multi-doc.yaml",
        2,
        "44:1",
        "a second YAML document starts here",
    ),
    ("43-unterminated-quote.yaml", 2, "8:7", "never closed"),
    (
        "44-unterminated-flow.yaml",
        2,
        "39:15",
        "this `{` is never closed",
    ),
    (
        "45-missing-colon.yaml",
        2,
        "8:5",
        "`name` has no colon after it",
    ),
    (
        "47-cidr-leading-zeros.yaml",
        2,
        "14:11",
        "`010.010.0.0/16` has a leading zero in `010`",
    ),
    (
        "50-vpcs-null.yaml",
        2,
        "2:1",
        "`vpcs` is empty; it takes a mapping of VPC names to VPCs",
    ),
    (
        "53-norway-yes.yaml",
        2,
        "17:92",
        "expected true or false, found the string \"yes\"",
    ),
    (
        "59-indent-error.yaml",
        2,
        "15:6",
        "`internet_gateway` is indented deeper than `cidr:` above it",
    ),
    (
        "60-nacl-rule-huge.yaml",
        2,
        "31:21",
        "the number 18446744073709551617 is too large",
    ),
    (
        "65-billion-laughs-in-run.yaml",
        2,
        "8:33",
        "each entry of `run` must be a single value (text), found the alias `*a`, which is a list",
    ),
    (
        "66-billion-laughs-dns.yaml",
        2,
        "5:10",
        "each entry of `zones` must be a hosted zone",
    ),
    (
        "67-billion-laughs-flowlogs.yaml",
        2,
        "4:8",
        "each entry of `flow_logs` must be a flow log",
    ),
    (
        "69-deep-dns-nesting.yaml",
        2,
        "2:6",
        "`dns` takes a mapping with `zones:`",
    ),
    ("71-valid-anchors.yaml", 0, "", ""),
    (
        "x-igw-no.yaml",
        2,
        "5:23",
        "expected true or false, found the string \"no\"",
    ),
];

/// Phrases of the YAML layer that name its API or say nothing about the file.
const GENERIC: &[&str] = &[
    "expected mapping start",
    "expected sequence start",
    "expected string scalar",
    "unexpected end of input",
    "invalid u64",
    "invalid i64",
    "from_str_multiple",
    "configured policy",
    "multiline quoted scalar",
    "check the YAML syntax here",
];

/// The shared corpus's `malformed/` folder: `$VPCLAB_SHARED/corpus/malformed` when set, else
/// `../shared/corpus/malformed` beside the project, else this workplace's `/work/shared` (where a
/// clone made elsewhere on the machine finds it). Missing everywhere is a failure, not a skip.
fn shared_corpus() -> PathBuf {
    let mut candidates = Vec::new();
    if let Some(s) = std::env::var_os("VPCLAB_SHARED") {
        candidates.push(PathBuf::from(s).join("corpus/malformed"));
    }
    candidates.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/malformed"
    )));
    candidates.push(PathBuf::from("/work/shared/corpus/malformed"));
    match candidates.iter().find(|d| d.is_dir()) {
        Some(d) => d.clone(),
        None => panic!(
            "the shared corpus is missing (looked in {candidates:?}): it must sit beside the \
             project (../shared/corpus), or set VPCLAB_SHARED to the folder holding corpus/"
        ),
    }
}

#[test]
fn shared_corpus_files_fail_with_specific_messages_at_the_right_place() {
    let dir = shared_corpus();
    let mut failures = vec![];
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable corpus")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 60, "only {} corpus files", files.len());
    for (name, _, _, _) in SHARED {
        assert!(
            dir.join(name).is_file(),
            "{name} is missing from the corpus"
        );
    }
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_vpclab"))
            .current_dir(&dir)
            .args(["validate", &name])
            .output()
            .expect("runs vpclab");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().next().unwrap_or_default();
        let code = out.status.code();
        let mut bad = vec![];
        if let Some(g) = GENERIC.iter().find(|g| stderr.contains(*g)) {
            bad.push(format!("generic message `{g}`"));
        }
        if stderr.contains("panicked") {
            bad.push("panic".into());
        }
        match SHARED.iter().find(|(n, ..)| *n == name) {
            Some((_, exit, pos, needle)) => {
                if code != Some(*exit) {
                    bad.push(format!("exit {code:?}, expected {exit}"));
                }
                if *exit == 2 && !first.starts_with(&format!("{name}:{pos}: error: ")) {
                    bad.push(format!("first line is not at {pos}"));
                }
                if !first.contains(needle) {
                    bad.push(format!("first line lacks `{needle}`"));
                }
            }
            None if !matches!(code, Some(0) | Some(2)) => bad.push(format!("exit {code:?}")),
            None => {}
        }
        if code == Some(2)
            && !stderr
                .lines()
                .nth(1)
                .unwrap_or("")
                .trim_start()
                .starts_with("hint:")
        {
            bad.push("no hint".into());
        }
        if !bad.is_empty() {
            failures.push(format!("{name}: {}\n{stderr}", bad.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} files:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A small valid topology the inline cases below bend one key at a time.
const BASE: &str = "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      a: { cidr: 10.0.1.0/24 }\n";

/// The first error for a YAML text (parse, then validate), rendered with its hint.
fn first_error(yaml: &str) -> String {
    let report = match vpclab::topology::parse_str("t.yaml", yaml) {
        Err(r) => r,
        Ok(t) => vpclab::topology::validate::validate(&t, "t.yaml"),
    };
    let e = report.errors().next().map(|d| d.render("t.yaml"));
    e.unwrap_or_else(|| panic!("no error for:\n{yaml}"))
}

/// Checks each `(yaml, "LINE:COL", phrase of the message, phrase of the hint)`.
fn check_cases(cases: &[(String, &str, &str, &str)]) {
    let mut failures = vec![];
    for (yaml, pos, msg, hint) in cases {
        let got = first_error(yaml);
        let (first, h) = got.split_once("\n  hint: ").unwrap_or((&got, ""));
        if !first.starts_with(&format!("t.yaml:{pos}: error: "))
            || !first.contains(msg)
            || !h.contains(hint)
        {
            failures.push(format!(
                "expected {pos} `{msg}` (hint `{hint}`), got:\n{got}\nfor:\n{yaml}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_string_or_other_spelling_where_a_boolean_belongs_is_an_error() {
    let igw = |v: &str| format!("{BASE}    internet_gateway: {v}\n");
    let cases = vec![
        (igw("\"yes\""), "7:23", "expected true or false, found the string \"yes\"", "write `internet_gateway: true`"),
        (igw("yes"), "7:23", "found the string \"yes\"", "`internet_gateway: true`"),
        (igw("\"true\""), "7:23", "found the string \"true\"", "`internet_gateway: true` (without quotes)"),
        (igw("off"), "7:23", "found the string \"off\"", "`internet_gateway: false`"),
        (igw("n"), "7:23", "found the string \"n\"", "`internet_gateway: false`"),
        (igw("1"), "7:23", "expected true or false, found the number 1", "`internet_gateway: true` or"),
        (igw("[true]"), "7:23", "expected true or false, found a list", ""),
        (
            BASE.replace("a: { cidr: 10.0.1.0/24 }", "a: { cidr: 10.0.1.0/24, map_public_ip: \"on\" }"),
            "6:46", "found the string \"on\"", "`map_public_ip: true`",
        ),
        (format!("{BASE}    dns: {{ support: \"no\" }}\n"), "7:21", "found the string \"no\"", "`support: false`"),
        (format!("{BASE}    instances:\n      i: {{ subnet: a, source_dest_check: \"false\" }}\n"), "8:42", "found the string \"false\"", "`source_dest_check: false`"),
        (
            format!("{BASE}dns:\n  health_checks:\n    h: {{ target: 203.0.113.9, protocol: tcp, inverted: \"yes\" }}\n"),
            "9:56", "found the string \"yes\"", "`inverted: true`",
        ),
    ];
    check_cases(&cases);
    // The YAML 1.2 spellings stay booleans.
    for v in ["true", "false", "True", "FALSE"] {
        assert!(
            vpclab::topology::parse_str("t.yaml", &igw(v)).is_ok(),
            "{v}"
        );
    }
}

#[test]
fn a_string_or_out_of_range_value_where_a_number_belongs_is_an_error() {
    let nacl = |v: &str| {
        format!("{BASE}    network_acls:\n      n:\n        inbound:\n          - {{ rule: {v}, action: allow, protocol: all, cidr: 0.0.0.0/0 }}\n")
    };
    let cases = vec![
        (
            nacl("\"100\""),
            "10:21",
            "expected a whole number, found the string \"100\"",
            "write `rule: 100` (without quotes)",
        ),
        (
            nacl("1.5"),
            "10:21",
            "expected a whole number, found the number 1.5",
            "`rule` takes a number in 1..32766",
        ),
        (
            nacl("99999999999999999999"),
            "10:21",
            "the number 99999999999999999999 is too large",
            "1..32766",
        ),
        (
            nacl("{ n: 1 }"),
            "10:21",
            "expected a whole number, found a mapping",
            "",
        ),
        (
            format!("{BASE}engine: {{ conntrack_max: \"5\" }}\n"),
            "7:26",
            "found the string \"5\"",
            "write `conntrack_max: 5`",
        ),
        (
            format!("{BASE}engine: {{ conntrack_max: -1 }}\n"),
            "7:26",
            "the number -1 is too small (at least 0)",
            "1..100000000",
        ),
        (
            format!("{BASE}dns:\n  latency: {{ us-east-1: {{ eu-west-1: \"80\" }} }}\n"),
            "8:38",
            "found the string \"80\"",
            "",
        ),
    ];
    check_cases(&cases);
}

#[test]
fn octal_looking_addresses_are_errors() {
    let cases = vec![
        (BASE.replace("cidr: 10.0.0.0/16", "cidr: 010.0.0.0/16"), "4:11", "`010.0.0.0/16` has a leading zero in `010`", "10.0.0.0/16"),
        (BASE.replace("cidr: 10.0.1.0/24", "cidr: 10.0.01.0/24"), "6:18", "leading zero in `01`", "10.0.1.0/24"),
        (format!("{BASE}    instances:\n      i: {{ subnet: a, ip: 10.0.1.010 }}\n"), "8:27", "leading zero in `010`", "10.0.1.10"),
        (
            format!("{BASE}    security_groups:\n      w:\n        inbound: [{{ protocol: tcp, ports: 80, source: 010.0.0.0/8 }}]\n"),
            "9:55", "leading zero", "10.0.0.0/8",
        ),
        (format!("{BASE}internet:\n  hosts:\n    c: {{ ip: 198.051.100.10 }}\n"), "9:14", "leading zero in `051`", "198.51.100.10"),
    ];
    check_cases(&cases);
}

#[test]
fn yaml_structure_errors_say_what_is_wrong_where() {
    let cases: Vec<(String, &str, &str, &str)> = vec![
        (
            "- name: t\n- vpcs: {}\n".into(),
            "1:1",
            "a topology file is a mapping",
            "remove the `- `",
        ),
        ("t\n".into(), "1:1", "found the value `t`", "name: NAME"),
        ("# a\n\n# b\n".into(), "1:1", "only comments", "name:"),
        (
            "name: t\nvpcs:\n".into(),
            "2:1",
            "`vpcs` is empty",
            "vpcs: {}",
        ),
        (
            format!("{BASE}---\nname: u\n"),
            "7:1",
            "a second YAML document",
            "---",
        ),
        (
            "name: \"t\nvpcs: {}\n".into(),
            "1:7",
            "never closed",
            "closing \"",
        ),
        (
            BASE.replace("a: { cidr: 10.0.1.0/24 }", "a: { cidr: 10.0.1.0/24")
                + "    instances: {}\n",
            "6:10",
            "this `{` is never closed",
            "`}`",
        ),
        (
            "name t\nvpcs: {}\n".into(),
            "1:5",
            "`name` has no colon",
            "write `name: t`",
        ),
        (
            BASE.replace("    subnets:", "\tsubnets:"),
            "5:1",
            "indented with a tab",
            "spaces",
        ),
        (
            BASE.replace("    subnets:", "     subnets:"),
            "5:6",
            "`subnets` is indented deeper than `cidr:`",
            "4 spaces",
        ),
        (
            format!("{BASE}    instances:\n      i: {{ subnet: a, services: tcp:5432 }}\n"),
            "8:33",
            "`services` takes a list, found the value `tcp:5432`",
            "services: [tcp:5432]",
        ),
        (
            format!("{BASE}    instances:\n      i: {{ subnet: a, security_groups: *sg }}\n"),
            "8:40",
            "`*sg` refers to the anchor `&sg`",
            "&sg",
        ),
        (
            "name: t\nvpcs: [main]\n".into(),
            "2:7",
            "`vpcs` takes a mapping of VPC names to VPCs, found a list",
            "",
        ),
        (
            "name: t\nflow_logs:\n  - vpc:main\n".into(),
            "3:5",
            "each entry of `flow_logs` must be a flow log",
            "",
        ),
        (
            "name: t\u{1}\n".into(),
            "1:8",
            "control character U+0001",
            "remove it",
        ),
    ];
    check_cases(&cases);
}
