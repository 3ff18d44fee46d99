//! The `flow_logs:` section resolved into `FlowLog`s: each resource to its ENIs, the
//! enumerations typed and the defaults applied. Runs after the ENIs exist.

use super::{Builder, Built, Unresolved};
use crate::model::flow_logs::{Format, Traffic};
use crate::model::*;
use crate::topology::Sp;

impl Builder<'_> {
    /// Fills `Network::flow_logs`.
    pub(super) fn flow_logs(&mut self) -> Built<()> {
        let mut out = Vec::with_capacity(self.t.flow_logs.len());
        for def in &self.t.flow_logs {
            let r = &def.resource;
            let word = |w: &Sp<String>| Unresolved::new(w.loc, format!("`{}`", w.value));
            out.push(FlowLog {
                resource: r.value.clone(),
                enis: self.n.resource_enis(&r.value).map_err(|_| {
                    Unresolved::new(r.loc, format!("flow-log resource `{}`", r.value))
                })?,
                traffic: match &def.traffic {
                    Some(t) => Traffic::parse(&t.value).ok_or_else(|| word(t))?,
                    None => Traffic::All,
                },
                format: match &def.format {
                    Some(f) => Format::parse(&f.value).ok_or_else(|| word(f))?,
                    None => Format::Aws,
                },
                path: def.path.value.trim().to_string(),
                aggregation_interval: def
                    .aggregation_interval
                    .as_ref()
                    .map_or(600, |i| i.value)
                    .clamp(1, 3600) as u64,
                fields: def
                    .fields
                    .as_ref()
                    .map(|l| l.iter().map(|f| f.value.trim().to_string()).collect()),
            });
        }
        self.n.flow_logs = out;
        Ok(())
    }
}
