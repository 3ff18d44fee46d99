//! Customer-managed prefix lists (`prefix_lists:`): built before the VPCs, because routes and
//! SG rules name them.

use super::{display_id, text, Builder, Built, Unresolved};
use crate::model::*;
use crate::topology::Loc;

impl Builder<'_> {
    /// Every prefix list, entries in file order.
    pub(super) fn prefix_lists(&mut self) -> Built<()> {
        for (name, pl) in self.t.prefix_lists.iter() {
            let entries = pl
                .entries
                .iter()
                .map(|e| {
                    crate::topology::parse::cidr(e.value.cidr())
                        .map_err(|_| Unresolved::new(e.loc, format!("CIDR `{}`", e.value.cidr())))
                })
                .collect::<Built<Vec<_>>>()?;
            let id = PrefixListId(self.n.prefix_lists.len() as u32);
            self.n.prefix_lists.push(PrefixList {
                id,
                name: name.value.clone(),
                aws_id: display_id(pl.aws_id.as_ref(), "pl", &name.value),
                description: text(&pl.description),
                max_entries: pl
                    .max_entries
                    .as_ref()
                    .map_or(entries.len() as u32, |m| m.value.clamp(1, 1000) as u32),
                entries,
            });
        }
        Ok(())
    }

    /// The prefix list with this name.
    pub(super) fn prefix_list_named(&self, name: &str, loc: Loc) -> Built<PrefixListId> {
        self.n
            .prefix_lists
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.id)
            .ok_or_else(|| Unresolved::new(loc, format!("prefix list `{name}`")))
    }
}
