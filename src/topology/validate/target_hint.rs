//! "Did you mean" for a route target written without its kind prefix (`target: nat-a` for
//! `nat:nat-a`, `target: ab` for `pcx:ab`, a display id such as `igw-main` or `pcx-ab`): the
//! hint names the target the VPC has under that name.

use super::super::spec;

/// The hint for an unparsable route target `raw` in VPC `v` of topology `t`: "did you mean
/// `KIND:NAME`?" when a NAT gateway, peering or instance of that VPC has that name or display
/// id; the list of forms otherwise.
pub(super) fn target_hint(t: &spec::Topology, vname: &str, v: &spec::Vpc, raw: &str) -> String {
    let forms = "use igw, nat:NAME, pcx:NAME, instance:NAME or blackhole";
    // `nat-a` is both the name `nat-a` and the display id of the name `a`.
    let named = |prefix: &str, name: &str| raw == name || raw == format!("{prefix}-{name}");
    let guess = if raw.starts_with("igw") {
        Some("igw".to_string())
    } else if let Some((n, _)) = v.nat_gateways.iter().find(|(n, _)| named("nat", &n.value)) {
        Some(format!("nat:{}", n.value))
    } else if let Some((n, _)) = t.peerings.iter().find(|(n, p)| {
        named("pcx", &n.value) && (p.requester.value == vname || p.accepter.value == vname)
    }) {
        Some(format!("pcx:{}", n.value))
    } else if let Some((n, _)) = v.instances.iter().find(|(n, _)| named("i", &n.value)) {
        Some(format!("instance:{}", n.value))
    } else {
        None
    };
    match guess {
        Some(g) => format!("did you mean `{g}`? ({forms})"),
        None => forms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::validate;
    use crate::topology::parse_str;

    /// The hints of a VPC whose private table routes to `target`.
    fn hints(target: &str) -> Vec<String> {
        let y = format!(
            "name: t\nvpcs:\n  v:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n      a: {{ cidr: 10.0.0.0/24, route_table: r }}\n    route_tables:\n      r:\n        routes:\n          - {{ destination: 0.0.0.0/0, target: {target} }}\n    nat_gateways:\n      nat-a: {{ subnet: a }}\n      b: {{ subnet: a }}\n    instances:\n      box: {{ subnet: a }}\n"
        );
        let t = parse_str("t.yaml", &y).expect("parses");
        validate(&t, "t.yaml")
            .errors()
            .filter_map(|d| d.hint.clone())
            .collect()
    }

    #[test]
    fn a_target_without_its_prefix_gets_a_did_you_mean() {
        for (raw, want) in [
            ("nat-a", "did you mean `nat:nat-a`?"),
            ("nat-b", "did you mean `nat:b`?"),
            ("box", "did you mean `instance:box`?"),
            ("igw-v", "did you mean `igw`?"),
        ] {
            let h = hints(raw);
            assert!(h.iter().any(|h| h.starts_with(want)), "{raw}: {h:?}");
        }
        assert_eq!(
            hints("nowhere"),
            ["use igw, nat:NAME, pcx:NAME, instance:NAME or blackhole"]
        );
    }
}
