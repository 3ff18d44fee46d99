//! Which resource an attribute points at. A known id is looked up among the input's resources
//! (by `id`, then by any other attribute holding it: a VPC's `default_route_table_id`, an EIP's
//! `allocation_id`). An id known only after apply is followed through the plan's
//! `configuration`: the expression's references, `var.*` up to the module call, `module.m.out`
//! down to the output; a literal index is exact, `count.index`/`each.*` picks the instance of
//! the same key (a guess by position), and without configuration the only resource of the
//! wanted type in the module (a guess). Every guess carries the reason the report prints.

use super::address::{Key, Mode, ModulePath, ModuleStep, Ref};
use super::config::references;
use super::shape::Inventory;
use serde_json::Value;
use std::collections::HashMap;

/// Index of a resource instance in [`Inventory::resources`].
pub type ResId = usize;

/// What an attribute resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Resources of the input; `guess` says why when it was not exact.
    Found {
        /// The targets (several only for a list attribute).
        targets: Vec<ResId>,
        /// The reason, when the match is a guess.
        guess: Option<String>,
    },
    /// A known id that no resource of the input has (a VPC made elsewhere).
    External(String),
    /// The attribute is not set, or nothing could be found.
    Missing,
}

impl Resolution {
    /// The first target, when found.
    pub fn first(&self) -> Option<ResId> {
        match self {
            Resolution::Found { targets, .. } => targets.first().copied(),
            _ => None,
        }
    }
}

/// Deepest chain of `var`/`module` hops followed (guards against a cyclic hostile file).
const MAX_HOPS: usize = 32;

/// Lookups over one inventory.
pub struct Index<'a> {
    inv: &'a Inventory,
    by_block: HashMap<(ModulePath, Mode, &'a str, &'a str), Vec<ResId>>,
    by_value: HashMap<&'a str, Vec<(ResId, bool)>>,
}

/// A candidate set found by following references.
struct Candidate {
    targets: Vec<ResId>,
    guess: Option<String>,
}

impl<'a> Index<'a> {
    /// Indexes the inventory's blocks and every top-level string attribute.
    pub fn new(inv: &'a Inventory) -> Self {
        let mut by_block: HashMap<_, Vec<ResId>> = HashMap::new();
        let mut by_value: HashMap<&str, Vec<(ResId, bool)>> = HashMap::new();
        for (i, r) in inv.resources.iter().enumerate() {
            let a = &r.addr;
            by_block
                .entry((a.module.clone(), a.mode, a.kind.as_str(), a.name.as_str()))
                .or_default()
                .push(i);
            for (k, v) in &r.values {
                if let Some(s) = v.as_str() {
                    if !s.is_empty() {
                        by_value.entry(s).or_default().push((i, k == "id"));
                    }
                }
            }
        }
        Index {
            inv,
            by_block,
            by_value,
        }
    }

    /// The inventory indexed.
    pub fn inventory(&self) -> &'a Inventory {
        self.inv
    }

    /// The resource of `kinds` whose `id` (else another attribute) is `id`.
    pub fn by_id(&self, id: &str, kinds: &[&str]) -> Option<ResId> {
        let hits = self.by_value.get(id)?;
        let of_kind = |&&(i, _): &&(ResId, bool)| {
            let r = &self.inv.resources[i];
            r.addr.mode == Mode::Managed && kinds.contains(&r.addr.kind.as_str())
        };
        hits.iter()
            .filter(of_kind)
            .find(|(_, is_id)| *is_id)
            .or_else(|| hits.iter().find(of_kind))
            .map(|(i, _)| *i)
    }

    /// Managed resources of `kinds` in module instance `module` (None: anywhere).
    pub fn of_kind(&self, kinds: &[&str], module: Option<&ModulePath>) -> Vec<ResId> {
        (0..self.inv.resources.len())
            .filter(|&i| {
                let a = &self.inv.resources[i].addr;
                a.mode == Mode::Managed
                    && kinds.contains(&a.kind.as_str())
                    && module.is_none_or(|m| &a.module == m)
            })
            .collect()
    }

    /// Resolves a single-valued attribute (`vpc_id`) of resource `from` to one of `kinds`.
    pub fn one(&self, from: ResId, attr: &str, kinds: &[&str]) -> Resolution {
        self.resolve(from, attr, kinds, false)
    }

    /// Resolves a list attribute (`subnet_ids`, `vpc_security_group_ids`).
    pub fn list(&self, from: ResId, attr: &str, kinds: &[&str]) -> Vec<Resolution> {
        let r = &self.inv.resources[from];
        match r.values.get(attr) {
            Some(Value::Array(items)) if !r.is_unknown(attr) && !has_unknown(&r.unknown, attr) => {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|id| self.known(id, kinds))
                    .collect()
            }
            _ => match self.resolve(from, attr, kinds, true) {
                Resolution::Missing => vec![],
                res => vec![res],
            },
        }
    }

    /// A known id: found in the input, or external.
    fn known(&self, id: &str, kinds: &[&str]) -> Resolution {
        match self.by_id(id, kinds) {
            Some(i) => Resolution::Found {
                targets: vec![i],
                guess: None,
            },
            None => Resolution::External(id.to_string()),
        }
    }

    fn resolve(&self, from: ResId, attr: &str, kinds: &[&str], many: bool) -> Resolution {
        let r = &self.inv.resources[from];
        if let Some(id) = r.values.get(attr).and_then(Value::as_str) {
            if !id.is_empty() {
                return self.known(id, kinds);
            }
        }
        let set_in_config = self.expression(from, attr).is_some();
        if !r.is_unknown(attr) && !has_unknown(&r.unknown, attr) && !set_in_config {
            return Resolution::Missing;
        }
        // The plan's configuration has the block but not the attribute: it is not set (an SG
        // without `vpc_id` is in the default VPC), whatever after_unknown says of it.
        if !set_in_config && self.block_config(from).is_some() {
            return Resolution::Missing;
        }
        if let Some(expr) = self.expression(from, attr) {
            let refs = references(expr);
            if let Some(c) =
                self.follow(&r.addr.module, r.addr.index.as_ref(), &refs, kinds, many, 0)
            {
                return Resolution::Found {
                    targets: c.targets,
                    guess: c.guess,
                };
            }
        }
        // Without a usable expression: the only resource of the kind, in the module first.
        for (scope, within) in [
            (Some(&r.addr.module), "in its module"),
            (None, "in the input"),
        ] {
            let all = self.of_kind(kinds, scope);
            if all.len() == 1 {
                return Resolution::Found {
                    targets: all,
                    guess: Some(format!(
                        "{attr} is known only after apply; took the only {} {within}",
                        kinds.join("/")
                    )),
                };
            }
        }
        Resolution::Missing
    }

    /// Whether the plan's configuration sets attribute `attr` of resource `from`.
    pub fn configured(&self, from: ResId, attr: &str) -> bool {
        self.expression(from, attr).is_some()
    }

    /// The configuration block of resource `from`, when the plan has one.
    fn block_config(&self, from: ResId) -> Option<&'a super::config::ResourceConfig> {
        let a = &self.inv.resources[from].addr;
        self.inv
            .config
            .as_ref()?
            .resource(&a.config_module(), a.mode, &a.kind, &a.name)
    }

    /// Resources of `kinds` that the configuration expression of `attr` (a nested block such
    /// as `ingress` or `route`) references, for a value inside it known only after apply.
    pub fn in_block(&self, from: ResId, attr: &str, kinds: &[&str]) -> Resolution {
        let r = &self.inv.resources[from];
        let Some(expr) = self.expression(from, attr) else {
            return Resolution::Missing;
        };
        match self.follow(&r.addr.module, r.addr.index.as_ref(), &references(expr), kinds, true, 0) {
            Some(c) => Resolution::Found {
                targets: c.targets,
                guess: Some(format!(
                    "a value inside {attr} is known only after apply; took what its expression references"
                )),
            },
            None => Resolution::Missing,
        }
    }

    /// The configuration expression of `attr` for resource `from`.
    fn expression(&self, from: ResId, attr: &str) -> Option<&'a Value> {
        let a = &self.inv.resources[from].addr;
        self.inv
            .config
            .as_ref()?
            .resource(&a.config_module(), a.mode, &a.kind, &a.name)?
            .expressions
            .get(attr)
    }

    /// Follows references written in module instance `module` by an instance of key `own`.
    fn follow(
        &self,
        module: &ModulePath,
        own: Option<&Key>,
        refs: &[Ref],
        kinds: &[&str],
        many: bool,
        hops: usize,
    ) -> Option<Candidate> {
        if hops > MAX_HOPS {
            return None;
        }
        let positional = refs.contains(&Ref::Own);
        let mut found: Vec<Candidate> = vec![];
        let mut seen = vec![];
        for r in refs {
            if seen.contains(&r) {
                continue;
            }
            seen.push(r);
            let c = match r {
                Ref::Resource {
                    mode,
                    kind,
                    name,
                    index,
                    ..
                } => {
                    if !kinds.contains(&kind.as_str()) {
                        continue;
                    }
                    let Some(all) =
                        self.by_block
                            .get(&(module.clone(), *mode, kind.as_str(), name.as_str()))
                    else {
                        continue;
                    };
                    let label = format!("{kind}.{name}");
                    self.pick(all, index.as_ref(), own, positional, many, &label)
                }
                Ref::Var(v) => self.through_var(module, v, kinds, many, hops),
                Ref::Module { name, key, output } => self.through_output(
                    module,
                    own,
                    name,
                    key.as_ref(),
                    output.as_deref(),
                    kinds,
                    many,
                    hops,
                ),
                Ref::Own | Ref::Opaque => None,
            };
            // `aws_vpc.main.id` and `aws_vpc.main` name the same thing.
            if let Some(c) = c {
                if !found.iter().any(|f| f.targets == c.targets) {
                    found.push(c);
                }
            }
        }
        let n = found.len();
        if many && n > 1 {
            // A list attribute takes every candidate (`concat(a[*].id, b[*].id)`).
            let mut all = found.into_iter();
            let mut first = all.next()?;
            for c in all {
                for t in c.targets {
                    if !first.targets.contains(&t) {
                        first.targets.push(t);
                    }
                }
                first.guess = first.guess.or(c.guess);
            }
            return Some(first);
        }
        let mut first = found.into_iter().next()?;
        if n > 1 && !many {
            let why = format!("the expression names {n} candidates; took the first");
            first.guess = Some(match first.guess {
                Some(g) => format!("{g}; {why}"),
                None => why,
            });
        }
        Some(first)
    }

    /// One block's instances narrowed by a literal index, the referrer's key, or uniqueness.
    fn pick(
        &self,
        all: &[ResId],
        index: Option<&Key>,
        own: Option<&Key>,
        positional: bool,
        many: bool,
        label: &str,
    ) -> Option<Candidate> {
        let key_of = |i: &ResId| self.inv.resources[*i].addr.index.clone();
        if let Some(k) = index {
            let t: Vec<ResId> = all
                .iter()
                .copied()
                .filter(|i| key_of(i).as_ref() == Some(k))
                .collect();
            return (!t.is_empty()).then_some(Candidate {
                targets: t,
                guess: None,
            });
        }
        if all.len() == 1 || many {
            return Some(Candidate {
                targets: all.to_vec(),
                guess: None,
            });
        }
        if positional {
            if let Some(k) = own {
                if let Some(&i) = all.iter().find(|i| key_of(i).as_ref() == Some(k)) {
                    return Some(Candidate {
                        targets: vec![i],
                        guess: Some(format!(
                            "resolved by position: {label}{k} for the instance {k}"
                        )),
                    });
                }
            }
        }
        Some(Candidate {
            targets: vec![all[0]],
            guess: Some(format!(
                "{label} has {} instances and the expression does not say which; took the first",
                all.len()
            )),
        })
    }

    /// `var.NAME` in `module`: the parent's module-call expression, followed in the parent.
    fn through_var(
        &self,
        module: &ModulePath,
        var: &str,
        kinds: &[&str],
        many: bool,
        hops: usize,
    ) -> Option<Candidate> {
        let (step, parent) = module.split_last()?;
        let parent_cfg: Vec<String> = parent.iter().map(|m| m.name.clone()).collect();
        let expr = self
            .inv
            .config
            .as_ref()?
            .modules
            .get(&parent_cfg)?
            .calls
            .get(&step.name)?
            .expressions
            .get(var)?;
        self.follow(
            &parent.to_vec(),
            step.key.as_ref(),
            &references(expr),
            kinds,
            many,
            hops + 1,
        )
    }

    /// `module.NAME[KEY].OUTPUT` in `module`: the output's expression, followed in the child.
    #[allow(clippy::too_many_arguments)]
    fn through_output(
        &self,
        module: &ModulePath,
        own: Option<&Key>,
        name: &str,
        key: Option<&Key>,
        output: Option<&str>,
        kinds: &[&str],
        many: bool,
        hops: usize,
    ) -> Option<Candidate> {
        let mut child = module.clone();
        // Without a literal key, a repeated module is taken at the referrer's own key.
        let key = key.cloned().or_else(|| {
            let keyed = self.inv.resources.iter().any(|r| {
                r.addr.module.len() > module.len()
                    && r.addr.module[..module.len()] == module[..]
                    && r.addr.module[module.len()].name == name
                    && r.addr.module[module.len()].key.is_some()
            });
            if keyed {
                own.cloned()
            } else {
                None
            }
        });
        child.push(ModuleStep {
            name: name.to_string(),
            key,
        });
        let cfg: Vec<String> = child.iter().map(|m| m.name.clone()).collect();
        let expr = self
            .inv
            .config
            .as_ref()?
            .modules
            .get(&cfg)?
            .outputs
            .get(output?)?;
        self.follow(&child, None, &references(expr), kinds, many, hops + 1)
    }
}

/// Whether `after_unknown` has any unknown leaf under `attr` (a list with unknown entries).
fn has_unknown(unknown: &Value, attr: &str) -> bool {
    fn any(v: &Value) -> bool {
        match v {
            Value::Bool(b) => *b,
            Value::Array(a) => a.iter().any(any),
            Value::Object(m) => m.values().any(any),
            _ => false,
        }
    }
    unknown.get(attr).is_some_and(any)
}

#[cfg(test)]
mod tests {
    use super::super::shape::read;
    use super::*;
    use serde_json::json;

    /// A plan: a VPC, two subnets by `count`, route tables by `for_each`, a module reading
    /// the VPC id through a variable, an SG known by id.
    fn plan() -> Inventory {
        let change = |addr: &str, after: Value, unknown: Value| json!({"address": addr, "change": {"actions": ["create"], "after": after, "after_unknown": unknown}});
        let v = json!({
            "format_version": "1.2",
            "resource_changes": [
                change("aws_vpc.main", json!({"cidr_block": "10.0.0.0/16"}), json!({"id": true})),
                change("aws_subnet.s[0]", json!({"cidr_block": "10.0.0.0/24"}), json!({"id": true, "vpc_id": true})),
                change("aws_subnet.s[1]", json!({"cidr_block": "10.0.1.0/24"}), json!({"id": true, "vpc_id": true})),
                change("aws_route_table_association.a[0]", json!({}), json!({"subnet_id": true, "route_table_id": true})),
                change("aws_route_table_association.a[1]", json!({}), json!({"subnet_id": true, "route_table_id": true})),
                change("module.net.aws_security_group.g", json!({"id": "sg-1"}), json!({"vpc_id": true})),
                change("aws_network_acl.n", json!({"subnet_ids": ["subnet-x"]}), json!({"vpc_id": true, "subnet_ids": [false]})),
                change("aws_instance.i", json!({"vpc_security_group_ids": ["sg-1"], "subnet_id": "subnet-gone"}), json!({})),
            ],
            "configuration": {"root_module": {
                "resources": [
                    {"mode": "managed", "type": "aws_subnet", "name": "s", "count_expression": {"constant_value": 2},
                     "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}}},
                    {"mode": "managed", "type": "aws_route_table_association", "name": "a", "count_expression": {"constant_value": 2},
                     "expressions": {"subnet_id": {"references": ["aws_subnet.s", "count.index"]},
                                     "route_table_id": {"references": ["aws_subnet.s[1]"]}}}
                ],
                "module_calls": {"net": {"expressions": {"vpc": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}},
                    "module": {"resources": [{"mode": "managed", "type": "aws_security_group", "name": "g",
                        "expressions": {"vpc_id": {"references": ["var.vpc"]}}}]}}}
            }}
        });
        read(&v.to_string()).expect("plan reads")
    }

    fn addr(inv: &Inventory, r: &Resolution) -> String {
        inv.resources[r.first().expect("found")].addr.to_string()
    }

    #[test]
    fn exact_references_through_configuration_and_modules() {
        let inv = plan();
        let ix = Index::new(&inv);
        let r = ix.one(1, "vpc_id", &["aws_vpc"]);
        assert_eq!(addr(&inv, &r), "aws_vpc.main");
        assert!(matches!(r, Resolution::Found { guess: None, .. }));
        let sg = ix.one(5, "vpc_id", &["aws_vpc"]);
        assert_eq!(
            addr(&inv, &sg),
            "aws_vpc.main",
            "var.vpc climbs to the module call"
        );
        let lit = ix.one(3, "route_table_id", &["aws_subnet"]);
        assert_eq!(
            addr(&inv, &lit),
            "aws_subnet.s[1]",
            "a literal index is exact"
        );
        assert!(matches!(lit, Resolution::Found { guess: None, .. }));
    }

    #[test]
    fn count_index_is_a_guess_by_position() {
        let inv = plan();
        let ix = Index::new(&inv);
        let r = ix.one(4, "subnet_id", &["aws_subnet"]);
        assert_eq!(addr(&inv, &r), "aws_subnet.s[1]");
        match r {
            Resolution::Found { guess: Some(g), .. } => assert!(g.contains("position"), "{g}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn known_ids_are_exact_or_external_and_heuristics_say_so() {
        let inv = plan();
        let ix = Index::new(&inv);
        let sgs = ix.list(7, "vpc_security_group_ids", &["aws_security_group"]);
        assert_eq!(sgs.len(), 1);
        assert_eq!(addr(&inv, &sgs[0]), "module.net.aws_security_group.g");
        assert_eq!(
            ix.one(7, "subnet_id", &["aws_subnet"]),
            Resolution::External("subnet-gone".into())
        );
        // No expression for the NACL's vpc_id: the only VPC, flagged.
        match ix.one(6, "vpc_id", &["aws_vpc"]) {
            Resolution::Found { guess: Some(g), .. } => assert!(g.contains("only aws_vpc"), "{g}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(ix.one(7, "vpc_id", &["aws_vpc"]), Resolution::Missing);
    }
}
