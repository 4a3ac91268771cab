//! Differences between two versions of a catalog, per table or view.

use std::collections::BTreeMap;

use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Content, ContentKind, ContentVersion};
use pangolin_core::{Name, Result, TableIdent};
use serde::Serialize;

use super::{Source, access, version_of};
use crate::Services;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffKind {
    Added,
    Removed,
    /// Another metadata version, or another table under the same name.
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct TableDiff {
    pub ident: TableIdent,
    pub kind: ContentKind,
    pub change: DiffKind,
    pub from: Option<ContentVersion>,
    pub to: Option<ContentVersion>,
}

/// What changed from state `from` to state `to`, ordered by identifier.
pub fn diff_states(from: &[Content], to: &[Content]) -> Vec<TableDiff> {
    let before: BTreeMap<&TableIdent, &Content> = from.iter().map(|c| (&c.ident, c)).collect();
    let after: BTreeMap<&TableIdent, &Content> = to.iter().map(|c| (&c.ident, c)).collect();
    let mut keys: Vec<&TableIdent> = before.keys().chain(after.keys()).copied().collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| diff_one(k, before.get(k).copied(), after.get(k).copied()))
        .collect()
}

fn diff_one(ident: &TableIdent, from: Option<&Content>, to: Option<&Content>) -> Option<TableDiff> {
    let change = match (from, to) {
        (None, None) => return None,
        (None, Some(_)) => DiffKind::Added,
        (Some(_), None) => DiffKind::Removed,
        (Some(a), Some(b)) if same_version(a, b) => return None,
        (Some(_), Some(_)) => DiffKind::Changed,
    };
    let kind = to.or(from).map(|c| c.kind).expect("one side is present");
    Some(TableDiff {
        ident: ident.clone(),
        kind,
        change,
        from: from.map(version_of),
        to: to.map(version_of),
    })
}

pub(crate) fn same_version(a: &Content, b: &Content) -> bool {
    a.content_id == b.content_id && a.metadata_location == b.metadata_location && a.kind == b.kind
}

impl Services {
    /// The per-table differences between two versions of a catalog.
    pub async fn diff(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        from: &Source,
        to: &Source,
    ) -> Result<Vec<TableDiff>> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        access::require_on_catalog(ctx, &handle, Action::Read)?;
        let (from_head, _) = self.source_head(&handle, from).await?;
        let (to_head, _) = self.source_head(&handle, to).await?;
        let before = self
            .store()
            .contents_at(handle.catalog.id, from_head)
            .await?;
        let after = self.store().contents_at(handle.catalog.id, to_head).await?;
        Ok(diff_states(&before, &after))
    }
}

#[cfg(test)]
mod tests {
    use pangolin_core::{CommitId, ContentId};

    use super::*;

    fn content(name: &str, id: ContentId, loc: &str) -> Content {
        Content {
            content_id: id,
            kind: ContentKind::Table,
            ident: TableIdent::from_strs(&["db"], name).unwrap(),
            metadata_location: loc.into(),
            location: format!("file:///w/{name}"),
            last_commit_id: CommitId::generate(),
            updated_at: pangolin_core::now(),
        }
    }

    #[test]
    fn diffs_name_added_removed_and_changed_tables() {
        let (a, b, c, d) = (
            ContentId::generate(),
            ContentId::generate(),
            ContentId::generate(),
            ContentId::generate(),
        );
        let from = vec![
            content("kept", a, "m1"),
            content("gone", b, "m1"),
            content("moved", c, "m1"),
        ];
        let to = vec![
            content("kept", a, "m1"),
            content("moved", c, "m2"),
            content("new", d, "m1"),
        ];
        let diff = diff_states(&from, &to);
        let summary: Vec<(&str, DiffKind)> = diff
            .iter()
            .map(|d| (d.ident.name.as_str(), d.change))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("gone", DiffKind::Removed),
                ("moved", DiffKind::Changed),
                ("new", DiffKind::Added)
            ]
        );
        let moved = &diff[1];
        assert_eq!(moved.from.as_ref().unwrap().metadata_location, "m1");
        assert_eq!(moved.to.as_ref().unwrap().metadata_location, "m2");
    }

    #[test]
    fn a_recreated_table_is_a_change_even_at_the_same_location() {
        let from = vec![content("t", ContentId::generate(), "m1")];
        let to = vec![content("t", ContentId::generate(), "m1")];
        assert_eq!(diff_states(&from, &to)[0].change, DiffKind::Changed);
    }
}
