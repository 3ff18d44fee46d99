//! A plan's `configuration`: per module (by call names from the root), each resource's
//! attribute expressions, the module calls' input expressions and the outputs. Only
//! `references` and `constant_value` are read; Terraform writes no `locals` and no `dynamic`.

use super::address::{Mode, Ref};
use super::shape::ReadError;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A resource block's configuration.
#[derive(Debug, Clone, Default)]
pub struct ResourceConfig {
    /// Attribute → expression (a leaf `{references|constant_value}`, or nested blocks: an
    /// object of expressions or a list of them).
    pub expressions: Map<String, Value>,
    /// Whether the block has `count` or `for_each`.
    pub repeated: bool,
}

/// A module call's configuration.
#[derive(Debug, Clone, Default)]
pub struct CallConfig {
    /// Input variable → expression.
    pub expressions: Map<String, Value>,
}

/// One module's configuration.
#[derive(Debug, Clone, Default)]
pub struct ModuleConfig {
    /// Resource blocks by (mode, type, name).
    pub resources: BTreeMap<(Mode, String, String), ResourceConfig>,
    /// Module calls by name.
    pub calls: BTreeMap<String, CallConfig>,
    /// Output → expression.
    pub outputs: BTreeMap<String, Value>,
}

/// Every module's configuration, keyed by the call names from the root (`[]` = root).
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Modules by configuration path.
    pub modules: BTreeMap<Vec<String>, ModuleConfig>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawModule {
    resources: Vec<RawResource>,
    module_calls: Map<String, Value>,
    outputs: Map<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawResource {
    mode: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    name: String,
    expressions: Map<String, Value>,
    count_expression: Option<Value>,
    for_each_expression: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCall {
    expressions: Map<String, Value>,
    module: Option<Value>,
}

/// Module calls deeper than this are not read (a plan has a handful; a hostile file could nest
/// thousands).
const MAX_DEPTH: usize = 64;

impl Config {
    /// Reads a plan's `configuration` value.
    pub fn read(v: &Value) -> Result<Config, ReadError> {
        let mut cfg = Config::default();
        if let Some(root) = v.get("root_module") {
            cfg.module(vec![], root)?;
        }
        Ok(cfg)
    }

    fn module(&mut self, path: Vec<String>, v: &Value) -> Result<(), ReadError> {
        if path.len() > MAX_DEPTH {
            return Ok(());
        }
        let raw = RawModule::deserialize(v).map_err(|e| shape(&path, e))?;
        let mut m = ModuleConfig::default();
        for r in raw.resources {
            let mode = if r.mode.as_deref() == Some("data") {
                Mode::Data
            } else {
                Mode::Managed
            };
            m.resources.insert(
                (mode, r.kind, r.name),
                ResourceConfig {
                    expressions: r.expressions,
                    repeated: r.count_expression.is_some() || r.for_each_expression.is_some(),
                },
            );
        }
        for (name, out) in raw.outputs {
            if let Some(e) = out.get("expression") {
                m.outputs.insert(name, e.clone());
            }
        }
        let mut children = vec![];
        for (name, call) in raw.module_calls {
            let c = RawCall::deserialize(&call).map_err(|e| shape(&path, e))?;
            m.calls.insert(
                name.clone(),
                CallConfig {
                    expressions: c.expressions,
                },
            );
            if let Some(child) = c.module {
                let mut p = path.clone();
                p.push(name);
                children.push((p, child));
            }
        }
        self.modules.insert(path, m);
        for (p, child) in children {
            self.module(p, &child)?;
        }
        Ok(())
    }

    /// The configuration of a resource block, when the plan has it.
    pub fn resource(
        &self,
        module: &[String],
        mode: Mode,
        kind: &str,
        name: &str,
    ) -> Option<&ResourceConfig> {
        self.modules
            .get(module)?
            .resources
            .get(&(mode, kind.to_string(), name.to_string()))
    }
}

/// A configuration part of the wrong shape.
fn shape(path: &[String], e: serde_json::Error) -> ReadError {
    ReadError::Shape(format!(
        "configuration of module {:?}: {e}",
        if path.is_empty() {
            "root".to_string()
        } else {
            path.join(".")
        }
    ))
}

/// Every reference in an expression, nested blocks included, in order, parsed; entries that
/// do not parse are left out.
pub fn references(expr: &Value) -> Vec<Ref> {
    let mut out = vec![];
    collect(expr, &mut out, 0);
    out
}

fn collect(expr: &Value, out: &mut Vec<Ref>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match expr {
        Value::Object(m) => {
            if let Some(Value::Array(refs)) = m.get("references") {
                out.extend(refs.iter().filter_map(Value::as_str).filter_map(Ref::parse));
            } else if !m.contains_key("constant_value") {
                for v in m.values() {
                    collect(v, out, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                collect(v, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The constant of a leaf expression (`{"constant_value": …}`).
pub fn constant(expr: &Value) -> Option<&Value> {
    expr.get("constant_value")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_nested_modules_and_collects_references() {
        let v = json!({"root_module": {
            "resources": [{"address": "aws_vpc.a", "mode": "managed", "type": "aws_vpc", "name": "a",
                "expressions": {"cidr_block": {"constant_value": "10.0.0.0/16"}}}],
            "module_calls": {"net": {"source": "./net", "expressions": {"vpc_id": {"references": ["aws_vpc.a.id", "aws_vpc.a"]}},
                "module": {"resources": [{"mode": "managed", "type": "aws_subnet", "name": "s",
                    "expressions": {"vpc_id": {"references": ["var.vpc_id"]}}, "count_expression": {"constant_value": 2}}],
                    "outputs": {"subnet": {"expression": {"references": ["aws_subnet.s"]}}}}}}
        }});
        let c = Config::read(&v).expect("reads");
        let s = c
            .resource(&["net".into()], Mode::Managed, "aws_subnet", "s")
            .expect("subnet block");
        assert!(s.repeated);
        assert_eq!(
            references(&s.expressions["vpc_id"]),
            vec![Ref::Var("vpc_id".into())]
        );
        let call = &c.modules[&vec![]].calls["net"];
        assert_eq!(references(&call.expressions["vpc_id"]).len(), 2);
        assert!(c.modules[&vec!["net".to_string()]]
            .outputs
            .contains_key("subnet"));
        let vpc = c
            .resource(&[], Mode::Managed, "aws_vpc", "a")
            .expect("vpc block");
        assert_eq!(
            constant(&vpc.expressions["cidr_block"]),
            Some(&json!("10.0.0.0/16"))
        );
    }

    #[test]
    fn nested_block_references_are_merged() {
        let e = json!([{"gateway_id": {"references": ["aws_internet_gateway.gw"]}, "cidr_block": {"constant_value": "0.0.0.0/0"}}]);
        assert_eq!(references(&e).len(), 1);
    }
}
