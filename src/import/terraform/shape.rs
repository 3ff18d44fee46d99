//! The three JSON shapes Terraform writes, read into one [`Inventory`]: `terraform show -json`
//! of a state (`values.root_module`) or of a saved plan (`resource_changes` with `after` and
//! `after_unknown`, else `planned_values`; plus `configuration`), and a raw `terraform.tfstate`
//! (v4 `resources[].instances[]`, v3 `modules[].resources` with flat attributes). Which one a
//! file is comes from its top-level keys, never its name.

use super::address::{Address, Key, Mode, ModulePath, ModuleStep};
use super::config::Config;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Which of the three shapes a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// `terraform show -json` of a state.
    State,
    /// `terraform show -json` of a saved plan.
    Plan,
    /// A raw `terraform.tfstate` (the number is its `version`, 3 or 4).
    RawState(u8),
}

/// One resource instance as the importer sees it: the world after the plan is applied.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Its address.
    pub addr: Address,
    /// Its attributes (`values`, `after` or `attributes`); an object.
    pub values: Map<String, Value>,
    /// `after_unknown` of a plan (`true` at every leaf known only after apply); Null otherwise.
    pub unknown: Value,
}

impl Resource {
    /// Whether attribute `name` is known only after apply.
    pub fn is_unknown(&self, name: &str) -> bool {
        self.unknown
            .get(name)
            .is_some_and(|v| v == &Value::Bool(true))
    }
}

/// Every resource instance of the input, in file order, and the plan's configuration.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// The shape the input had.
    pub kind: InputKind,
    /// Resource instances (deleted ones of a plan left out).
    pub resources: Vec<Resource>,
    /// The plan's `configuration`, when the input was a plan that has one.
    pub config: Option<Config>,
    /// `terraform_version` when given.
    pub terraform_version: Option<String>,
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not JSON, or JSON of the wrong shape at a position.
    #[error("{line}:{column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// JSON, but none of the three shapes.
    #[error("{0}")]
    Shape(String),
}

impl From<serde_json::Error> for ReadError {
    fn from(e: serde_json::Error) -> Self {
        ReadError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    }
}

/// A module of `terraform show -json` (`root_module` or a `child_modules` entry).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ShowModule {
    resources: Vec<ShowResource>,
    child_modules: Vec<ShowModule>,
}

/// A resource of a state or of `planned_values`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ShowResource {
    address: String,
    values: Option<Map<String, Value>>,
}

/// `values` / `planned_values` / `prior_state.values`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ShowValues {
    root_module: ShowModule,
}

/// A `resource_changes` entry.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ResourceChange {
    address: String,
    change: Change,
}

/// Its `change`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Change {
    actions: Vec<String>,
    after: Option<Map<String, Value>>,
    after_unknown: Value,
}

/// The top level of any of the shapes; which keys are present decides.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Top {
    format_version: Option<String>,
    terraform_version: Option<String>,
    version: Option<u64>,
    values: Option<ShowValues>,
    planned_values: Option<ShowValues>,
    resource_changes: Option<Vec<ResourceChange>>,
    configuration: Option<Value>,
    resources: Option<Vec<RawResource>>,
    modules: Option<Vec<RawModuleV3>>,
}

/// A v4 raw state resource.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawResource {
    module: Option<String>,
    mode: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    name: String,
    instances: Vec<RawInstance>,
}

/// One of its instances.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawInstance {
    index_key: Option<Value>,
    attributes: Option<Map<String, Value>>,
    deposed: Option<String>,
}

/// A v3 raw state module: `path` from `root`, resources by `TYPE.NAME[.N]`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawModuleV3 {
    path: Vec<String>,
    resources: Map<String, Value>,
}

/// Reads any of the three shapes.
pub fn read(text: &str) -> Result<Inventory, ReadError> {
    let top: Top = serde_json::from_str(text)?;
    if let Some(v) = &top.format_version {
        let major = v.split('.').next().unwrap_or_default();
        if major != "0" && major != "1" {
            return Err(ReadError::Shape(format!(
                "format_version {v:?}: only major versions 0 and 1 of Terraform's JSON output are known"
            )));
        }
    }
    let tv = top.terraform_version.clone();
    if top.resource_changes.is_some() || top.planned_values.is_some() {
        let config = match &top.configuration {
            Some(c) => Some(Config::read(c)?),
            None => None,
        };
        let resources = match top.resource_changes {
            Some(changes) => from_changes(changes)?,
            None => from_show(top.planned_values.unwrap_or_default().root_module)?,
        };
        return Ok(Inventory {
            kind: InputKind::Plan,
            resources,
            config,
            terraform_version: tv,
        });
    }
    if let Some(version) = top.version {
        let resources = match version {
            4 => from_raw_v4(top.resources.unwrap_or_default())?,
            3 => from_raw_v3(top.modules.unwrap_or_default())?,
            v => {
                return Err(ReadError::Shape(format!(
                    "terraform.tfstate version {v}: only versions 3 and 4 are known"
                )))
            }
        };
        return Ok(Inventory {
            kind: InputKind::RawState(version as u8),
            resources,
            config: None,
            terraform_version: tv,
        });
    }
    if let Some(values) = top.values {
        return Ok(Inventory {
            kind: InputKind::State,
            resources: from_show(values.root_module)?,
            config: None,
            terraform_version: tv,
        });
    }
    if top.format_version.is_some() {
        // `terraform show -json` of an empty state has only the version keys.
        return Ok(Inventory {
            kind: InputKind::State,
            resources: vec![],
            config: None,
            terraform_version: tv,
        });
    }
    Err(ReadError::Shape(
        "not Terraform JSON: expected `terraform show -json` output (a state with `values` or a \
         plan with `planned_values`/`resource_changes`) or a raw terraform.tfstate (`version`)"
            .into(),
    ))
}

/// An address that does not parse: a shape error naming it.
fn bad_address(a: &str) -> ReadError {
    ReadError::Shape(format!("resource address {a:?} is not a Terraform address"))
}

/// The resources of a state or `planned_values` tree, depth first in file order.
fn from_show(root: ShowModule) -> Result<Vec<Resource>, ReadError> {
    let mut out = vec![];
    let mut stack = vec![root];
    while let Some(m) = stack.pop() {
        for r in m.resources {
            let addr = Address::parse(&r.address).ok_or_else(|| bad_address(&r.address))?;
            out.push(Resource {
                addr,
                values: r.values.unwrap_or_default(),
                unknown: Value::Null,
            });
        }
        stack.extend(m.child_modules.into_iter().rev());
    }
    Ok(out)
}

/// The instances of a plan's `resource_changes`, without those only deleted.
fn from_changes(changes: Vec<ResourceChange>) -> Result<Vec<Resource>, ReadError> {
    let mut out = vec![];
    for c in changes {
        if c.change.actions == ["delete"] {
            continue;
        }
        let addr = Address::parse(&c.address).ok_or_else(|| bad_address(&c.address))?;
        out.push(Resource {
            addr,
            values: c.change.after.unwrap_or_default(),
            unknown: c.change.after_unknown,
        });
    }
    Ok(out)
}

/// A raw state's `module` string (`module.a["k"].module.b`) as a path.
fn module_path(s: &str) -> Result<ModulePath, ReadError> {
    // Parse it as the module part of a resource address.
    let a = Address::parse(&format!("{s}.x.y")).ok_or_else(|| bad_address(s))?;
    Ok(a.module)
}

/// The instances of a v4 raw state.
fn from_raw_v4(resources: Vec<RawResource>) -> Result<Vec<Resource>, ReadError> {
    let mut out = vec![];
    for r in resources {
        let module = match &r.module {
            Some(m) => module_path(m)?,
            None => vec![],
        };
        let mode = if r.mode.as_deref() == Some("data") {
            Mode::Data
        } else {
            Mode::Managed
        };
        for i in r.instances {
            if i.deposed.is_some() {
                continue;
            }
            let index = match i.index_key {
                Some(Value::Number(n)) => n.as_u64().map(Key::Int),
                Some(Value::String(s)) => Some(Key::Str(s)),
                _ => None,
            };
            out.push(Resource {
                addr: Address {
                    module: module.clone(),
                    mode,
                    kind: r.kind.clone(),
                    name: r.name.clone(),
                    index,
                },
                values: i.attributes.unwrap_or_default(),
                unknown: Value::Null,
            });
        }
    }
    Ok(out)
}

/// The resources of a v3 raw state: keys `TYPE.NAME` or `TYPE.NAME.N` (`data.` first for
/// data sources), flat `primary.attributes` unflattened.
fn from_raw_v3(modules: Vec<RawModuleV3>) -> Result<Vec<Resource>, ReadError> {
    let mut out = vec![];
    for m in modules {
        let module: ModulePath = m
            .path
            .iter()
            .skip(1)
            .map(|n| ModuleStep {
                name: n.clone(),
                key: None,
            })
            .collect();
        for (key, r) in m.resources {
            let mut parts: Vec<&str> = key.split('.').collect();
            let mode = if parts.first() == Some(&"data") {
                parts.remove(0);
                Mode::Data
            } else {
                Mode::Managed
            };
            let (kind, name, index) = match parts.as_slice() {
                [k, n] => (*k, *n, None),
                [k, n, i] => (
                    *k,
                    *n,
                    Some(Key::Int(i.parse().map_err(|_| bad_address(&key))?)),
                ),
                _ => return Err(bad_address(&key)),
            };
            let attrs = r
                .pointer("/primary/attributes")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            out.push(Resource {
                addr: Address {
                    module: module.clone(),
                    mode,
                    kind: kind.to_string(),
                    name: name.to_string(),
                    index,
                },
                values: unflatten(&attrs),
                unknown: Value::Null,
            });
        }
    }
    Ok(out)
}

/// Terraform 0.11's flatmap (`ingress.#`, `ingress.1234.from_port`, `tags.%`, `tags.Name`)
/// as nested JSON: a `#` count makes a list (entries in key order), a `%` count a map.
fn unflatten(flat: &Map<String, Value>) -> Map<String, Value> {
    let mut tree = Map::new();
    for (k, v) in flat {
        let parts: Vec<&str> = k.split('.').collect();
        if parts.last().is_some_and(|p| *p == "#" || *p == "%") {
            continue;
        }
        insert(&mut tree, &parts, v.clone());
    }
    // Turn the maps that had a `#` count into lists.
    let mut lists: Vec<String> = flat
        .keys()
        .filter_map(|k| k.strip_suffix(".#").map(str::to_string))
        .collect();
    // Deepest first, so an inner list is made while its parent is still an object.
    lists.sort_by_key(|l| std::cmp::Reverse(l.matches('.').count()));
    let mut root = Value::Object(tree);
    for l in lists {
        let path: Vec<&str> = l.split('.').collect();
        if let Some(slot) = walk_mut(&mut root, &path) {
            let list = match slot {
                Value::Object(m) => {
                    let mut entries: Vec<(String, Value)> = std::mem::take(m).into_iter().collect();
                    entries.sort_by(|a, b| match (a.0.parse::<u64>(), b.0.parse::<u64>()) {
                        (Ok(x), Ok(y)) => x.cmp(&y),
                        _ => a.0.cmp(&b.0),
                    });
                    entries.into_iter().map(|(_, v)| v).collect()
                }
                _ => vec![],
            };
            *slot = Value::Array(list);
        } else {
            // `x.# = 0` with no entries: an empty list.
            let (last, parent) = path.split_last().expect("split of a non-empty key");
            if let Some(Value::Object(m)) = walk_mut(&mut root, parent) {
                m.insert(last.to_string(), Value::Array(vec![]));
            }
        }
    }
    match root {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Inserts `v` at `path` in a tree of objects (a scalar in the way is replaced).
fn insert(tree: &mut Map<String, Value>, path: &[&str], v: Value) {
    match path {
        [] => {}
        [last] => {
            tree.insert(last.to_string(), v);
        }
        [first, rest @ ..] => {
            let e = tree
                .entry(first.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !e.is_object() {
                *e = Value::Object(Map::new());
            }
            if let Value::Object(m) = e {
                insert(m, rest, v);
            }
        }
    }
}

/// The value at `path` of a tree, descending objects only (lists are not made yet).
fn walk_mut<'a>(v: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    let mut cur = v;
    for p in path {
        cur = cur.as_object_mut()?.get_mut(*p)?;
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_the_three_shapes_by_their_keys() {
        let state = json!({"format_version": "1.0", "values": {"root_module": {
            "resources": [{"address": "aws_vpc.a", "values": {"id": "vpc-1"}}],
            "child_modules": [{"address": "module.m", "resources": [{"address": "module.m.aws_subnet.s[0]", "values": {}}]}]}}});
        let s = read(&state.to_string()).expect("a state");
        assert_eq!(s.kind, InputKind::State);
        assert_eq!(s.resources.len(), 2);
        assert_eq!(s.resources[1].addr.module[0].name, "m");
        let plan = json!({"format_version": "0.1", "planned_values": {"root_module": {"resources": [{"address": "aws_vpc.a", "values": {}}]}}});
        assert_eq!(
            read(&plan.to_string()).expect("a plan").kind,
            InputKind::Plan
        );
        let raw = json!({"version": 4, "resources": []});
        assert_eq!(
            read(&raw.to_string()).expect("a raw state").kind,
            InputKind::RawState(4)
        );
        assert_eq!(
            read(r#"{"format_version": "1.0"}"#)
                .expect("an empty state")
                .resources
                .len(),
            0
        );
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        assert!(matches!(
            read(r#"{"format_version": "2.0", "values": {}}"#),
            Err(ReadError::Shape(_))
        ));
        assert!(matches!(
            read(r#"{"version": 2, "modules": []}"#),
            Err(ReadError::Shape(_))
        ));
        assert!(matches!(read(r#"{"Vpcs": []}"#), Err(ReadError::Shape(_))));
        assert!(matches!(
            read("{\n  \"values\": @"),
            Err(ReadError::Json { line: 2, .. })
        ));
        assert!(matches!(
            read(r#"{"values": {"root_module": {"resources": [{"address": "not an address"}]}}}"#),
            Err(ReadError::Shape(_))
        ));
    }

    #[test]
    fn plans_keep_the_after_world() {
        let plan = json!({"resource_changes": [
            {"address": "aws_vpc.gone", "change": {"actions": ["delete"], "after": null}},
            {"address": "aws_vpc.new", "change": {"actions": ["delete", "create"], "after": {"cidr_block": "10.0.0.0/16"}, "after_unknown": {"id": true}}}]});
        let p = read(&plan.to_string()).expect("a plan");
        assert_eq!(p.resources.len(), 1);
        assert!(p.resources[0].is_unknown("id"));
        assert!(!p.resources[0].is_unknown("cidr_block"));
    }

    #[test]
    fn flat_v3_attributes_become_nested_lists_and_maps() {
        let flat = json!({"tags.%": "1", "tags.Name": "x", "ingress.#": "2",
            "ingress.9.from_port": "22", "ingress.9.cidr_blocks.#": "1", "ingress.9.cidr_blocks.0": "10.0.0.0/8",
            "ingress.10.from_port": "80", "ingress.10.cidr_blocks.#": "0", "egress.#": "0"});
        let t = unflatten(flat.as_object().unwrap());
        assert_eq!(t["tags"]["Name"], "x");
        assert_eq!(
            t["ingress"][0]["from_port"], "22",
            "entries in numeric key order"
        );
        assert_eq!(t["ingress"][0]["cidr_blocks"], json!(["10.0.0.0/8"]));
        assert_eq!(t["ingress"][1]["cidr_blocks"], json!([]));
        assert_eq!(t["egress"], json!([]));
    }
}
