//! Who may change which references, and what a merge must be allowed to write.
//!
//! - Branches are managed by kind: `ingest` branches with `manage-ingest-branches`,
//!   `experimental` ones (and branches without a recorded kind) with
//!   `manage-experimental-branches`, on the catalog. Tags are immutable, but creating and
//!   deleting them is managing references: `manage-experimental-branches`. `main` is nobody's
//!   to delete.
//! - A merge (and a rebase, which is a merge into the branch) needs the managing action of
//!   both references (`main` needs none; a merge between two unmanaged references needs
//!   `manage-experimental-branches`), and, like any write, rights on every table or view it
//!   changes on the target: `write` on one it updates, `create` in the namespace for one it
//!   adds, `delete` on one it removes (both for one replaced by another object under the same
//!   name). Conflicts count as changes: a resolution may take the source's side.
//! - Reading history (log, commits, diffs, merge operations) needs `read` on the catalog: it
//!   shows every table's changes.

use std::collections::BTreeSet;

use pangolin_core::context::RequestContext;
use pangolin_core::model::{
    Action, ContentVersion, MAIN_BRANCH, MergeConflict, RefKind, Reference,
};
use pangolin_core::{Result, TableIdent};

use super::plan::PlannedChange;
use super::refs::{BranchKind, KIND_PROPERTY};
use crate::{CatalogHandle, guard};

impl BranchKind {
    /// The action that manages branches of this kind.
    pub(crate) fn manage_action(self) -> Action {
        match self {
            BranchKind::Ingest => Action::ManageIngestBranches,
            BranchKind::Experimental => Action::ManageExperimentalBranches,
        }
    }
}

/// The action that manages `reference`; `None` for `main`.
pub(crate) fn manage_action(reference: &Reference) -> Option<Action> {
    if reference.kind == RefKind::Tag {
        return Some(Action::ManageExperimentalBranches);
    }
    if reference.name.as_str() == MAIN_BRANCH {
        return None;
    }
    let kind = match reference.properties.get(KIND_PROPERTY).map(String::as_str) {
        Some("ingest") => BranchKind::Ingest,
        _ => BranchKind::Experimental,
    };
    Some(kind.manage_action())
}

/// `action` on the catalog.
pub(crate) fn require_on_catalog(
    ctx: &RequestContext,
    handle: &CatalogHandle,
    action: Action,
) -> Result<()> {
    guard::require(ctx, action, &handle.resource())
}

/// The managing actions a merge of `source` into `target` needs (see the module docs). A
/// reference that no longer exists (`None`) adds nothing.
pub(crate) fn require_merge(
    ctx: &RequestContext,
    handle: &CatalogHandle,
    source: Option<&Reference>,
    target: Option<&Reference>,
) -> Result<()> {
    let mut actions: BTreeSet<Action> = [source, target]
        .into_iter()
        .flatten()
        .filter_map(manage_action)
        .collect();
    if actions.is_empty() {
        actions.insert(Action::ManageExperimentalBranches);
    }
    for action in actions {
        require_on_catalog(ctx, handle, action)?;
    }
    Ok(())
}

/// Rights on every table or view a merge would change on its target (see the module docs).
pub(crate) fn require_changes(
    ctx: &RequestContext,
    handle: &CatalogHandle,
    changes: &[PlannedChange],
    conflicts: &[MergeConflict],
) -> Result<()> {
    let planned = changes
        .iter()
        .map(|c| (&c.ident, c.target.as_ref(), c.source.as_ref()));
    let conflicted = conflicts
        .iter()
        .map(|c| (&c.ident, c.target.as_ref(), c.source.as_ref()));
    for (ident, target, source) in planned.chain(conflicted) {
        require_change(ctx, handle, ident, target, source)?;
    }
    Ok(())
}

/// What giving `ident` the version `source` on a target that holds `target` needs.
fn require_change(
    ctx: &RequestContext,
    handle: &CatalogHandle,
    ident: &TableIdent,
    target: Option<&ContentVersion>,
    source: Option<&ContentVersion>,
) -> Result<()> {
    let on = |v: &ContentVersion| handle.placed_content(&ident.namespace, v.kind, v.content_id);
    let namespace = handle.namespace_resource(&ident.namespace);
    match (target, source) {
        (Some(t), Some(s)) if t.content_id == s.content_id && t.kind == s.kind => {
            guard::require(ctx, Action::Write, &on(t))
        }
        (Some(t), source) => {
            guard::require(ctx, Action::Delete, &on(t))?;
            match source {
                Some(_) => guard::require(ctx, Action::Create, &namespace),
                None => Ok(()),
            }
        }
        (None, Some(_)) => guard::require(ctx, Action::Create, &namespace),
        (None, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use pangolin_core::model::RefKind;
    use pangolin_core::{CatalogId, CommitId, Name, Properties};

    use super::*;

    fn reference(name: &str, kind: RefKind, branch_kind: Option<&str>) -> Reference {
        let mut properties = Properties::new();
        if let Some(k) = branch_kind {
            properties.insert(KIND_PROPERTY.into(), k.into());
        }
        let now = pangolin_core::now();
        Reference {
            catalog_id: CatalogId::generate(),
            name: Name::new(name).unwrap(),
            kind,
            head: CommitId::generate(),
            scope: None,
            properties,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn references_are_managed_by_their_kind() {
        let ingest = reference("load", RefKind::Branch, Some("ingest"));
        assert_eq!(manage_action(&ingest), Some(Action::ManageIngestBranches));
        let experiment = reference("try", RefKind::Branch, Some("experimental"));
        assert_eq!(
            manage_action(&experiment),
            Some(Action::ManageExperimentalBranches)
        );
        let untyped = reference("old", RefKind::Branch, None);
        assert_eq!(
            manage_action(&untyped),
            Some(Action::ManageExperimentalBranches)
        );
        let tag = reference("v1", RefKind::Tag, None);
        assert_eq!(
            manage_action(&tag),
            Some(Action::ManageExperimentalBranches)
        );
        assert_eq!(
            manage_action(&reference("main", RefKind::Branch, None)),
            None
        );
    }
}
