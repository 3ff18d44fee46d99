//! Property test: random bytes, random YAML-ish text and mutations of the example topologies go
//! through the loader, validation, the model builder, the lints and `show`/`graph` without a
//! panic. (~300 cases in total, a few seconds.)

use proptest::prelude::*;
use vpclab::topology;

const EXAMPLES: &[&str] = &[
    include_str!("../../topologies/minimal.yaml"),
    include_str!("../../topologies/public-private.yaml"),
    include_str!("../../topologies/three-tier.yaml"),
    include_str!("../../topologies/peering.yaml"),
];

/// Everything a topology goes through; must never panic.
fn pipeline(text: &str) {
    let Ok(t) = topology::parse_str("fuzz.yaml", text) else {
        return;
    };
    let report = topology::validate::validate(&t, "fuzz.yaml");
    // The builder runs even on invalid input: it must report, not panic.
    let built = vpclab::model::build(&t, "fuzz.yaml");
    if let Ok(net) = built {
        let _ = vpclab::load::lint(&net);
        if !report.has_errors() {
            let _ = vpclab::model::show::to_json(&net);
            let _ = vpclab::model::show::to_text(&net);
            let _ = vpclab::model::graph::dot(&net);
            let _ = vpclab::model::graph::mermaid(&net);
        }
    }
}

/// Tokens that appear in topologies, to make random text look like one.
const TOKENS: &[&str] = &[
    "name: ",
    "vpcs:",
    "  main:",
    "    cidr: ",
    "10.0.0.0/16",
    "10.0.0.0/24",
    "0.0.0.0/0",
    "subnets:",
    "route_tables:",
    "routes:",
    "- ",
    "{ ",
    " }",
    ", ",
    "destination: ",
    "target: ",
    "igw",
    "nat:nat-a",
    "pcx:p",
    "instance:x",
    "instances:",
    "x: ",
    "subnet: ",
    "a",
    "ip: ",
    "10.0.0.10",
    "security_groups:",
    "inbound:",
    "outbound:",
    "protocol: ",
    "tcp",
    "all",
    "icmp",
    "ports: ",
    "80",
    "1024-65535",
    "source: ",
    "sg:web",
    "sg:b/c",
    "network_acls:",
    "rule: ",
    "100",
    "action: ",
    "allow",
    "deny",
    "peerings:",
    "requester: ",
    "accepter: ",
    "internet:",
    "hosts:",
    "198.51.100.1",
    "nat_gateways:",
    "elastic_ip: ",
    "true",
    "false",
    "[",
    "]",
    "\n",
    "\n  ",
    "\n    ",
    "\n      ",
    ":",
    "&a",
    "*a",
    "!!str",
    "'",
    "\"",
    "#",
    "-1",
    "99999999999999999999",
    "~",
    "state: stopped",
    "role: nat",
    "services: [http:80]",
];

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|v| v.concat())
}

/// Applies byte-level edits to an example: delete, duplicate or replace a line, swap
/// characters, insert tokens.
fn mutated() -> impl Strategy<Value = String> {
    (
        prop::sample::select(EXAMPLES),
        prop::collection::vec(
            (
                0usize..4,
                any::<prop::sample::Index>(),
                prop::sample::select(TOKENS),
            ),
            1..6,
        ),
    )
        .prop_map(|(base, edits)| {
            let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
            for (op, idx, tok) in edits {
                if lines.is_empty() {
                    break;
                }
                let i = idx.index(lines.len());
                match op {
                    0 => {
                        lines.remove(i);
                    }
                    1 => {
                        let l = lines[i].clone();
                        lines.insert(i, l);
                    }
                    2 => {
                        let l = &mut lines[i];
                        let cut = idx.index(l.len() + 1);
                        let cut = (0..=cut)
                            .rev()
                            .find(|c| l.is_char_boundary(*c))
                            .unwrap_or(0);
                        l.insert_str(cut, tok);
                    }
                    _ => {
                        // Replace a value after the first ": " with a token.
                        if let Some(p) = lines[i].find(": ") {
                            lines[i].truncate(p + 2);
                            lines[i].push_str(tok);
                        }
                    }
                }
            }
            lines.join("\n")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        pipeline(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn yamlish_text_never_panics(text in yamlish()) {
        pipeline(&text);
    }

    #[test]
    fn mutated_examples_never_panic(text in mutated()) {
        pipeline(&text);
    }
}

#[test]
fn examples_pass_the_pipeline_cleanly() {
    for e in EXAMPLES {
        let t = topology::parse_str("e.yaml", e).expect("examples parse");
        assert!(!topology::validate::validate(&t, "e.yaml").has_errors());
        vpclab::model::build(&t, "e.yaml").expect("examples build");
    }
}

#[test]
fn builder_survives_known_bad_shapes() {
    for text in [
        "name: t\nvpcs:\n  main:\n    cidr: x\n",
        "name: t\nvpcs:\n  main:\n    cidr: x\n    instances:\n      a: { subnet: s }\n",
        "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      s: { cidr: 10.0.0.0/28 }\n    instances:\n      a: { subnet: s }\n      b: { subnet: s }\n      c: { subnet: s }\n      d: { subnet: s }\n      e: { subnet: s }\n      f: { subnet: s }\n      g: { subnet: s }\n      h: { subnet: s }\n      i: { subnet: s }\n      j: { subnet: s }\n      k: { subnet: s }\n      l: { subnet: s }\n",
        "name: t\npublic_ip_pool: 203.0.113.0/28\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n      s: { cidr: 10.0.0.0/24, map_public_ip: true }\n    instances:\n      a: { subnet: s }\n      b: { subnet: s }\n      c: { subnet: s }\n      d: { subnet: s }\n      e: { subnet: s }\n",
        "name: t\npublic_ip_pool: 255.255.255.255/32\nvpcs:\n  main:\n    cidr: 255.255.255.240/28\n    subnets:\n      s: { cidr: 255.255.255.255/32, map_public_ip: true }\n    instances:\n      a: { subnet: s }\n",
    ] {
        pipeline(text);
    }
}
