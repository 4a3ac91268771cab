//! Planning a merge: what the source changed since the common ancestor, what the target
//! changed, and where the two collide.
//!
//! A table changed on both sides is a conflict, except when one side's version descends from
//! the other's (the same table, and the older metadata file appears in the newer one's
//! metadata log): then the newer one wins without loss ("fast-forward per table"). A merge thus
//! never silently discards a change made on the target.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use pangolin_core::model::{Content, ContentKind, ContentVersion, MergeConflict, Reference};
use pangolin_core::{CommitId, Result, TableIdent};

use super::diff::same_version;
use super::{reader, version_of};
use crate::{CatalogHandle, Services};

/// One table the merge commit changes on the target.
#[derive(Debug, Clone)]
pub struct PlannedChange {
    pub ident: TableIdent,
    /// The target's current version (what the merge commit expects to find).
    pub target: Option<ContentVersion>,
    /// The version the target gets; `None` deletes it.
    pub source: Option<ContentVersion>,
}

#[derive(Debug, Clone)]
pub(crate) struct MergePlan {
    pub(crate) base: Option<CommitId>,
    pub(crate) source_head: CommitId,
    pub(crate) target_head: CommitId,
    pub(crate) changes: Vec<PlannedChange>,
    pub(crate) conflicts: Vec<MergeConflict>,
}

impl MergePlan {
    /// The source has nothing the target lacks.
    pub(crate) fn up_to_date(&self) -> bool {
        self.base == Some(self.source_head)
    }
}

type State = BTreeMap<TableIdent, Content>;

fn state(contents: Vec<Content>) -> State {
    contents.into_iter().map(|c| (c.ident.clone(), c)).collect()
}

/// Keys whose content differs between `base` and `side`.
fn changed(base: &State, side: &State) -> BTreeSet<TableIdent> {
    let keys = base.keys().chain(side.keys());
    keys.filter(|k| match (base.get(*k), side.get(*k)) {
        (Some(a), Some(b)) => !same_version(a, b),
        (None, None) => false,
        _ => true,
    })
    .cloned()
    .collect()
}

/// The keys both references carry: a partial branch only ever touches its own tables.
fn in_scope(ident: &TableIdent, source: &Reference, target: &Reference) -> bool {
    let carries = |r: &Reference| r.scope.as_ref().is_none_or(|s| s.contains(ident));
    carries(source) && carries(target)
}

impl Services {
    pub(crate) async fn plan_merge(
        &self,
        handle: &Arc<CatalogHandle>,
        source: &Reference,
        target: &Reference,
        source_head: CommitId,
        target_head: CommitId,
    ) -> Result<MergePlan> {
        let catalog = handle.catalog.id;
        let base = self
            .store()
            .merge_base(catalog, source_head, target_head)
            .await?;
        let mut plan = MergePlan {
            base,
            source_head,
            target_head,
            changes: vec![],
            conflicts: vec![],
        };
        if plan.up_to_date() {
            return Ok(plan);
        }
        let base_state = match base {
            Some(b) => state(self.store().contents_at(catalog, b).await?),
            None => State::new(),
        };
        let source_state = state(self.store().contents_at(catalog, source_head).await?);
        let target_state = state(self.store().contents_at(catalog, target_head).await?);
        let on_target = changed(&base_state, &target_state);
        for ident in changed(&base_state, &source_state) {
            if !in_scope(&ident, source, target) {
                continue;
            }
            let (b, s, t) = (
                base_state.get(&ident),
                source_state.get(&ident),
                target_state.get(&ident),
            );
            let change = PlannedChange {
                ident: ident.clone(),
                target: t.map(version_of),
                source: s.map(version_of),
            };
            if !on_target.contains(&ident) {
                plan.changes.push(change);
                continue;
            }
            match self.settle(handle, source_head, s, t).await? {
                Settled::TakeSource => plan.changes.push(change),
                Settled::KeepTarget => {}
                Settled::Conflict => plan.conflicts.push(MergeConflict {
                    ident,
                    base: b.map(version_of),
                    source: change.source,
                    target: change.target,
                    resolution: None,
                }),
            }
        }
        Ok(plan)
    }

    /// Decides a key both sides changed.
    async fn settle(
        &self,
        handle: &Arc<CatalogHandle>,
        at: CommitId,
        source: Option<&Content>,
        target: Option<&Content>,
    ) -> Result<Settled> {
        let (Some(s), Some(t)) = (source, target) else {
            // Both deleted it: nothing to do. Deleted on one side, changed on the other: conflict.
            return Ok(if source.is_none() && target.is_none() {
                Settled::KeepTarget
            } else {
                Settled::Conflict
            });
        };
        if same_version(s, t) {
            return Ok(Settled::KeepTarget);
        }
        if self.descends(handle, at, t, s).await? {
            return Ok(Settled::TakeSource);
        }
        if self.descends(handle, at, s, t).await? {
            return Ok(Settled::KeepTarget);
        }
        Ok(Settled::Conflict)
    }

    /// Whether table version `newer` was made on top of `older`: the same table, and `older`'s
    /// metadata file is in `newer`'s metadata log. Views keep no such log: never.
    async fn descends(
        &self,
        handle: &Arc<CatalogHandle>,
        at: CommitId,
        older: &Content,
        newer: &Content,
    ) -> Result<bool> {
        if older.content_id != newer.content_id || newer.kind != ContentKind::Table {
            return Ok(false);
        }
        let target = reader(handle.clone(), at);
        let metadata = self
            .metadata_at(&target, &newer.metadata_location)
            .await?
            .table()?;
        Ok(metadata
            .metadata_log()
            .iter()
            .any(|log| log.metadata_file == older.metadata_location))
    }
}

enum Settled {
    TakeSource,
    KeepTarget,
    Conflict,
}

#[cfg(test)]
mod tests {
    use pangolin_core::{ContentId, Name};

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
    fn changed_keys_cover_puts_deletes_and_replacements() {
        let (a, b) = (ContentId::generate(), ContentId::generate());
        let base = state(vec![content("same", a, "m1"), content("dropped", b, "m1")]);
        let side = state(vec![
            content("same", a, "m1"),
            content("added", ContentId::generate(), "m1"),
        ]);
        let names: Vec<String> = changed(&base, &side)
            .into_iter()
            .map(|k| k.name.to_string())
            .collect();
        assert_eq!(names, vec!["added", "dropped"]);
    }

    #[test]
    fn partial_references_limit_the_keys() {
        let t = |n: &str| TableIdent::from_strs(&["db"], n).unwrap();
        let reference = |scope: Option<Vec<TableIdent>>| Reference {
            catalog_id: pangolin_core::CatalogId::generate(),
            name: Name::new("r").unwrap(),
            kind: pangolin_core::model::RefKind::Branch,
            head: CommitId::generate(),
            scope,
            properties: Default::default(),
            created_at: pangolin_core::now(),
            updated_at: pangolin_core::now(),
        };
        let full = reference(None);
        let partial = reference(Some(vec![t("a")]));
        assert!(in_scope(&t("a"), &partial, &full));
        assert!(!in_scope(&t("b"), &partial, &full));
        assert!(!in_scope(&t("b"), &full, &partial));
        assert!(in_scope(&t("b"), &full, &full));
    }
}
