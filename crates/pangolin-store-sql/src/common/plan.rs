//! The commit path between reading and writing: what the store must read to decide a commit
//! ([`Found`], handed to the shared [`rules::check_commit`]) and what an accepted commit
//! writes ([`Plan`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use pangolin_core::model::{Commit, Content, MergeStatus, Operation, RefKind};
use pangolin_core::{CommitId, ContentId, Error, NamespaceIdent, Result, TableIdent};
use pangolin_store::locations::{self, Occupant};
use pangolin_store::rules::{self, CommitFacts};
use pangolin_store::{Change, CommitRequest};

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
    /// The status of the merge operation the commit completes (read and locked), `None`
    /// when there is none in the catalog or the commit completes none.
    pub merge_status: Option<MergeStatus>,
    /// The current content of the commit's keys on the branch.
    pub existing: HashMap<TableIdent, Content>,
    /// Which of [`rules::namespaces_deciding`] exist.
    pub namespaces: HashSet<NamespaceIdent>,
    /// Content overlapping the locations of [`locations_to_check`] under another id.
    pub occupants: Vec<Occupant>,
}

impl CommitFacts for Found {
    fn branch(&self) -> Option<(RefKind, CommitId)> {
        self.branch.map(|b| (b.kind, b.head))
    }

    fn merge_parent_exists(&self) -> bool {
        self.merge_parent_exists
    }

    fn merge_status(&self) -> Option<MergeStatus> {
        self.merge_status
    }

    fn existing(&self, ident: &TableIdent) -> Option<&Content> {
        self.existing.get(ident)
    }

    fn namespace_exists(&self, namespace: &NamespaceIdent) -> bool {
        self.namespaces.contains(namespace)
    }

    fn occupants(&self, _location: &str) -> Cow<'_, [Occupant]> {
        // Read for every checked location at once; the rule ignores the ones that do not
        // overlap the put it judges.
        Cow::Borrowed(&self.occupants)
    }
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

/// Decides a commit with the shared rules ([`rules::check_commit`]) and builds what it writes
/// (the reused commit id is the database's to find, when the commit is written).
pub(crate) fn plan(req: &CommitRequest, found: &Found) -> Result<Plan> {
    let head = rules::check_commit(req, found)?;
    build(req, head, &found.existing)
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
