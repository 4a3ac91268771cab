//! The decisions of the versioned store, written once for every backend: whether a commit may
//! apply (its checks and their order) and whether a merge operation may still change.
//!
//! A backend reads what decides a commit in its own way (a lock and a map lookup in memory,
//! rows read inside a transaction in SQL) and hands it over as [`CommitFacts`]; the verdict,
//! and which error wins when several checks fail, is [`check_commit`]'s alone.

use std::borrow::Cow;
use std::collections::HashSet;

use pangolin_core::model::{Content, MergeStatus, RefKind};
use pangolin_core::{
    CommitId, Error, Kind, MergeId, NamespaceIdent, PageRequest, Result, TableIdent,
};

use crate::locations::{self, Occupant};
use crate::{Change, CommitRequest, Expected};

/// What a backend knows, inside the commit's transaction, that decides a [`CommitRequest`].
pub trait CommitFacts {
    /// The kind and head of the request's branch; `None` when no reference has its name.
    fn branch(&self) -> Option<(RefKind, CommitId)>;
    /// Whether the request's `merge_parent` is a commit of the catalog.
    fn merge_parent_exists(&self) -> bool;
    /// The status of the merge operation the request completes; `None` when the catalog has
    /// no operation with that id.
    fn merge_status(&self) -> Option<MergeStatus>;
    /// The content currently at `ident` on the branch.
    fn existing(&self, ident: &TableIdent) -> Option<&Content>;
    /// Whether `namespace` exists; asked only for those of [`namespaces_deciding`].
    fn namespace_exists(&self, namespace: &NamespaceIdent) -> bool;
    /// Content whose location overlaps `location`, in any catalog. Rows that do not overlap
    /// may be included (they are ignored), so a backend can answer for several puts at once.
    fn occupants(&self, location: &str) -> Cow<'_, [Occupant]>;
}

/// Decides a commit; returns the branch head it builds on. Checks, in this order: the branch
/// (exists, is not a tag, is at `expected_head`), the merge parent, the merge operation it
/// completes, then each change in order — its expectation, then its location. The first
/// failing check decides the error. (Whether `commit_id` is already used is found when the
/// commit is written.)
pub fn check_commit(req: &CommitRequest, facts: &impl CommitFacts) -> Result<CommitId> {
    let head = check_branch(req, facts.branch())?;
    if let Some(p) = req.merge_parent
        && !facts.merge_parent_exists()
    {
        return Err(Error::not_found(Kind::Commit, p));
    }
    if let Some(id) = req.completes_merge {
        check_open(id, facts.merge_status())?;
    }
    check_unique_keys(&req.changes)?;
    for change in &req.changes {
        let existing = facts.existing(change.ident());
        let ns_exists = || facts.namespace_exists(&change.ident().namespace);
        check_change(existing, change, ns_exists)?;
        if let Change::Put { location, .. } = change
            && locations::needs_check(change, existing)
        {
            locations::check_put(req, change, &facts.occupants(location))?;
        }
    }
    Ok(head)
}

/// The branch must exist, be a branch, and be where the request expects it.
fn check_branch(req: &CommitRequest, branch: Option<(RefKind, CommitId)>) -> Result<CommitId> {
    let (kind, head) = branch.ok_or_else(|| Error::not_found(Kind::Reference, &req.branch))?;
    if kind != RefKind::Branch {
        return Err(Error::invalid(format!(
            "'{}' is a tag; tags cannot be written to",
            req.branch
        )));
    }
    match req.expected_head {
        Some(expected) if expected != head => Err(Error::conflict(
            format!(
                "branch '{}' moved: expected head {expected}, found {head}",
                req.branch
            ),
            Some(head.to_string()),
        )),
        _ => Ok(head),
    }
}

/// Checks one change against the branch's current content; `Ok` means it may apply.
/// `namespace_exists` is asked only when it decides (a create into a free key).
pub fn check_change(
    existing: Option<&Content>,
    change: &Change,
    namespace_exists: impl FnOnce() -> bool,
) -> Result<()> {
    let ident = change.ident();
    let kind = change.kind();
    match (change.expected(), existing) {
        (Expected::Absent, Some(e)) => Err(Error::already_exists(e.kind.error_kind(), ident)),
        (Expected::Absent, None) if matches!(change, Change::Delete { .. }) => Err(Error::invalid(
            format!("a delete of {ident} cannot expect it to be absent"),
        )),
        (Expected::Absent, None) if !namespace_exists() => {
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
pub fn check_unique_keys(changes: &[Change]) -> Result<()> {
    let mut seen = HashSet::new();
    match changes.iter().find(|c| !seen.insert(c.ident())) {
        Some(c) => Err(Error::invalid(format!(
            "{} appears twice in one commit",
            c.ident()
        ))),
        None => Ok(()),
    }
}

/// The namespaces whose existence can decide a commit (those of puts into free keys, see
/// [`check_change`]), sorted, each once: what a backend must look up beforehand.
pub fn namespaces_deciding(req: &CommitRequest) -> Vec<NamespaceIdent> {
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

/// A merge operation changes (is resolved, aborted or completed) only while it is open:
/// `NotFound(Merge)` when `status` is `None` (no such operation in the catalog),
/// `Conflict { current: Some(status) }` once it is completed or aborted, so of two racing
/// writers exactly one wins.
pub fn check_open(id: MergeId, status: Option<MergeStatus>) -> Result<()> {
    match status {
        None => Err(Error::not_found(Kind::Merge, id)),
        Some(MergeStatus::Open) => Ok(()),
        Some(other) => Err(Error::conflict(
            format!(
                "merge operation {id} is {} and can no longer change",
                other.as_str()
            ),
            Some(other.as_str().to_owned()),
        )),
    }
}

/// Where a newest-first page of merge operations continues: below the last id of the previous
/// page. `InvalidInput` for a token whose key is not a merge id.
pub fn merges_before(page: &PageRequest) -> Result<Option<MergeId>> {
    page.after_key()
        .map(|k| k.parse::<MergeId>())
        .transpose()
        .map_err(|_| Error::invalid("invalid page token for merge operations"))
}
