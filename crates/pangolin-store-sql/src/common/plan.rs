//! The backend-independent decisions of the versioned store: whether a commit may apply (the
//! same checks, in the same order, as `pangolin_store::memory`) and what it writes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use pangolin_core::model::{Commit, Content, Operation, RefKind};
use pangolin_core::{CommitId, ContentId, Error, Kind, NamespaceIdent, Result, TableIdent};
use pangolin_store::locations::{self, Occupant};
use pangolin_store::{Change, CommitRequest, Expected};

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

/// The puts whose location the store must check ([`locations::needs_check`]), as
/// `(location, content id)`: the store looks up what overlaps each location under another id.
pub(crate) fn locations_to_check<'a>(
    req: &'a CommitRequest,
    existing: &HashMap<TableIdent, Content>,
) -> Vec<(&'a str, ContentId)> {
    req.changes
        .iter()
        .filter(|c| locations::needs_check(c, existing.get(c.ident())))
        .filter_map(|c| match c {
            Change::Put {
                location,
                content_id,
                ..
            } => Some((location.as_str(), *content_id)),
            Change::Delete { .. } => None,
        })
        .collect()
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
    /// Content overlapping the locations of [`locations_to_check`] under another id.
    pub occupants: Vec<Occupant>,
}

/// What an accepted commit writes.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The commit to record (and return), operations included.
    pub commit: Commit,
    pub puts: Vec<Content>,
    pub deletes: Vec<TableIdent>,
    /// Metadata bodies to store, one per location (the last one given wins).
    pub blobs: Vec<(String, Arc<str>)>,
    /// Metadata locations the commit's keys pointed at before it, sorted, each once: their
    /// bodies go once no content row points at them (see [`crate::common::dialect`]).
    pub released: Vec<String>,
}

/// Decides a commit: the checks of `memory::commit::check_commit`, in its order (the reused
/// commit id is the database's to find, when the commit is written).
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
        let existing = found.existing.get(change.ident());
        check_change(existing, change, ns_exists)?;
        if locations::needs_check(change, existing) {
            locations::check_put(req, change, &found.occupants)?;
        }
    }
    build(req, branch.head, &found.existing)
}

fn build(
    req: &CommitRequest,
    head: CommitId,
    existing: &HashMap<TableIdent, Content>,
) -> Result<Plan> {
    let mut released: Vec<String> = existing
        .values()
        .map(|c| c.metadata_location.clone())
        .collect();
    released.sort();
    released.dedup();
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
        released,
    };
    for change in &req.changes {
        match change {
            Change::Put { .. } => add_put(&mut plan, req, change),
            Change::Delete { ident, kind, .. } => {
                // `check_change` let the delete through, so the content exists.
                let content_id = existing.get(ident).map(|c| c.content_id).ok_or_else(|| {
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

fn add_put(plan: &mut Plan, req: &CommitRequest, change: &Change) {
    let Change::Put {
        ident,
        kind,
        content_id,
        location,
        metadata_location,
        metadata,
        ..
    } = change
    else {
        return;
    };
    if let Some(m) = metadata {
        plan.blobs.retain(|(loc, _)| loc != metadata_location);
        plan.blobs.push((metadata_location.clone(), m.clone()));
    }
    plan.puts.push(Content {
        content_id: *content_id,
        kind: *kind,
        ident: ident.clone(),
        location: location.clone(),
        metadata_location: metadata_location.clone(),
        last_commit_id: req.commit_id,
        updated_at: req.created_at,
    });
    plan.commit.operations.push(Operation::Put {
        ident: ident.clone(),
        content_id: *content_id,
        kind: *kind,
        location: location.clone(),
        metadata_location: metadata_location.clone(),
    });
}
