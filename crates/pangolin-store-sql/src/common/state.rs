//! Backend-independent decisions outside the commit path: the history a catalog starts with,
//! what a new reference carries, and namespace property updates (the memory backend's
//! semantics, shared by both dialects).

use std::collections::HashSet;

use pangolin_core::model::{Catalog, Commit, Content, MAIN_BRANCH, RefKind, Reference};
use pangolin_core::{CommitId, Error, Name, NamespaceIdent, Properties, Result, TableIdent};

/// The root commit and `main` branch every catalog starts with (the same values as the
/// memory backend's `initial_history`).
pub(crate) fn initial_history(catalog: &Catalog) -> Result<(Commit, Reference)> {
    let root = Commit {
        id: CommitId::generate(),
        catalog_id: catalog.id,
        parents: vec![],
        author: "pangolin".into(),
        message: "create catalog".into(),
        created_at: catalog.created_at,
        operations: vec![],
    };
    let main = Reference {
        catalog_id: catalog.id,
        name: Name::new(MAIN_BRANCH)?,
        kind: RefKind::Branch,
        head: root.id,
        scope: None,
        properties: Properties::new(),
        created_at: catalog.created_at,
        updated_at: catalog.created_at,
    };
    Ok((root, main))
}

/// Applies a namespace property update as the memory backend does: removals first (in
/// order, reporting the missing ones), then updates.
pub(crate) fn apply_properties(
    properties: &mut Properties,
    updates: &Properties,
    removals: &[String],
) -> pangolin_core::model::PropertiesUpdate {
    let mut result = pangolin_core::model::PropertiesUpdate::default();
    for key in removals {
        match properties.remove(key) {
            Some(_) => result.removed.push(key.clone()),
            None => result.missing.push(key.clone()),
        }
    }
    for (k, v) in updates {
        properties.insert(k.clone(), v.clone());
        result.updated.push(k.clone());
    }
    result
}

/// Rejects a property update that both sets and removes a key.
pub(crate) fn check_disjoint(updates: &Properties, removals: &[String]) -> Result<()> {
    match removals.iter().find(|k| updates.contains_key(*k)) {
        Some(k) => Err(Error::invalid(format!(
            "property '{k}' is both updated and removed"
        ))),
        None => Ok(()),
    }
}

/// The namespaces `contents` live in, sorted, each once.
pub(crate) fn namespaces_of(contents: &[Content]) -> Vec<NamespaceIdent> {
    let mut out: Vec<NamespaceIdent> = contents.iter().map(|c| c.ident.namespace.clone()).collect();
    out.sort();
    out.dedup();
    out
}

/// The first of `wanted` that is not in `found`.
pub(crate) fn missing_namespace<'a>(
    wanted: &'a [NamespaceIdent],
    found: &HashSet<NamespaceIdent>,
) -> Option<&'a NamespaceIdent> {
    wanted.iter().find(|ns| !found.contains(*ns))
}

/// Keeps the contents a new reference carries: all of them, or those in `scope`.
pub(crate) fn in_scope(contents: Vec<Content>, scope: Option<&[TableIdent]>) -> Vec<Content> {
    match scope {
        None => contents,
        Some(scope) => contents
            .into_iter()
            .filter(|c| scope.contains(&c.ident))
            .collect(),
    }
}
