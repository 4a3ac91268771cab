//! The backend-independent decisions of the versioned store: whether a commit may apply (the
//! same checks, in the same order, as `pangolin_store::memory`) and what it writes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use pangolin_core::model::{Catalog, Commit, Content, MAIN_BRANCH, Operation, RefKind, Reference};
use pangolin_core::{CommitId, Error, Kind, Name, NamespaceIdent, Properties, Result, TableIdent};
use pangolin_store::{Change, CommitRequest, Expected};

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

/// Checks one change against the branch's current content; `Ok` means it may apply.
pub(crate) fn check_change(
    existing: Option<&Content>,
    change: &Change,
    namespace_exists: bool,
) -> Result<()> {
    let ident = change.ident();
    let kind = change.kind();
    match (change.expected(), existing) {
        (Expected::Absent, Some(e)) => Err(Error::already_exists(e.kind.error_kind(), ident)),
        (Expected::Absent, None) if matches!(change, Change::Delete { .. }) => Err(Error::invalid(
            format!("a delete of {ident} cannot expect it to be absent"),
        )),
        (Expected::Absent, None) if !namespace_exists => {
            Err(Error::not_found(Kind::Namespace, &ident.namespace))
        }
        (Expected::Absent, None) => Ok(()),
        (_, None) => Err(Error::not_found(kind.error_kind(), ident)),
        (_, Some(e)) if e.kind != kind => Err(Error::not_found(kind.error_kind(), ident)),
        (Expected::At(loc), Some(e)) if &e.metadata_location != loc => Err(Error::conflict(
            format!(
                "{kind} {ident} was changed concurrently: expected {loc}, found {}",
                e.metadata_location
            ),
            Some(e.metadata_location.clone()),
        )),
        (Expected::At(_) | Expected::Present, Some(_)) => Ok(()),
    }
}

/// Rejects a commit that names one key twice.
pub(crate) fn check_unique_keys(changes: &[Change]) -> Result<()> {
    let mut seen = HashSet::new();
    match changes.iter().find(|c| !seen.insert(c.ident())) {
        Some(c) => Err(Error::invalid(format!(
            "{} appears twice in one commit",
            c.ident()
        ))),
        None => Ok(()),
    }
}

/// The namespaces whose existence decides a change: those of puts into free keys.
pub(crate) fn namespaces_to_check(req: &CommitRequest) -> Vec<NamespaceIdent> {
    let mut out: Vec<NamespaceIdent> = req
        .changes
        .iter()
        .filter(|c| {
            matches!(
                c,
                Change::Put {
                    expected: Expected::Absent,
                    ..
                }
            )
        })
        .map(|c| c.ident().namespace.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The branch as read (and locked) inside the commit transaction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Branch {
    pub kind: RefKind,
    pub head: CommitId,
}

/// Everything the store read that decides a commit.
pub(crate) struct Found {
    /// `None` when the branch does not exist.
    pub branch: Option<Branch>,
    pub merge_parent_exists: bool,
    /// The current content of the commit's keys on the branch.
    pub existing: HashMap<TableIdent, Content>,
    /// Which of [`namespaces_to_check`] exist.
    pub namespaces: HashSet<NamespaceIdent>,
}

/// What an accepted commit writes.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The commit to record (and return), operations included.
    pub commit: Commit,
    pub puts: Vec<Content>,
    pub deletes: Vec<TableIdent>,
    /// Metadata bodies to store, one per location (the last one given wins). Bodies are
    /// never dropped by a commit: a reference can be created at any earlier commit, which
    /// makes its locations current again (they go with the catalog).
    pub blobs: Vec<(String, Arc<str>)>,
}

/// Decides a commit: the checks of `memory::contents::check_commit`, in its order.
pub(crate) fn plan(req: &CommitRequest, found: &Found) -> Result<Plan> {
    let branch = found
        .branch
        .ok_or_else(|| Error::not_found(Kind::Reference, &req.branch))?;
    if branch.kind != RefKind::Branch {
        return Err(Error::invalid(format!(
            "'{}' is a tag; tags cannot be written to",
            req.branch
        )));
    }
    if let Some(expected) = req.expected_head
        && expected != branch.head
    {
        return Err(Error::conflict(
            format!(
                "branch '{}' moved: expected head {expected}, found {}",
                req.branch, branch.head
            ),
            Some(branch.head.to_string()),
        ));
    }
    if let Some(p) = req.merge_parent
        && !found.merge_parent_exists
    {
        return Err(Error::not_found(Kind::Commit, p));
    }
    check_unique_keys(&req.changes)?;
    for change in &req.changes {
        let ns_exists = found.namespaces.contains(&change.ident().namespace);
        check_change(found.existing.get(change.ident()), change, ns_exists)?;
    }
    build(req, branch.head, &found.existing)
}

fn build(
    req: &CommitRequest,
    head: CommitId,
    existing: &HashMap<TableIdent, Content>,
) -> Result<Plan> {
    let mut plan = Plan {
        commit: Commit {
            id: req.commit_id,
            catalog_id: req.catalog_id,
            parents: std::iter::once(head).chain(req.merge_parent).collect(),
            author: req.author.clone(),
            message: req.message.clone(),
            created_at: req.created_at,
            operations: Vec::with_capacity(req.changes.len()),
        },
        puts: Vec::new(),
        deletes: Vec::new(),
        blobs: Vec::new(),
    };
    for change in &req.changes {
        let old = existing.get(change.ident());
        match change {
            Change::Put {
                ident,
                kind,
                content_id,
                metadata_location,
                metadata,
                ..
            } => {
                if let Some(m) = metadata {
                    plan.blobs.retain(|(loc, _)| loc != metadata_location);
                    plan.blobs.push((metadata_location.clone(), m.clone()));
                }
                plan.puts.push(Content {
                    content_id: *content_id,
                    kind: *kind,
                    ident: ident.clone(),
                    metadata_location: metadata_location.clone(),
                    last_commit_id: req.commit_id,
                    updated_at: req.created_at,
                });
                plan.commit.operations.push(Operation::Put {
                    ident: ident.clone(),
                    content_id: *content_id,
                    kind: *kind,
                    metadata_location: metadata_location.clone(),
                });
            }
            Change::Delete { ident, kind, .. } => {
                // `check_change` let the delete through, so the content exists.
                let content_id = old.map(|c| c.content_id).ok_or_else(|| {
                    Error::internal(format!("checked delete of {ident} found nothing"))
                })?;
                plan.deletes.push(ident.clone());
                plan.commit.operations.push(Operation::Delete {
                    ident: ident.clone(),
                    content_id,
                    kind: *kind,
                });
            }
        }
    }
    Ok(plan)
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
