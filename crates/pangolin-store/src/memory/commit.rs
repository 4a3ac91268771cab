//! `ContentStore::commit` in memory: the facts the shared checks ([`rules::check_commit`])
//! decide on, and the apply, including the retention rule for stored metadata.

use std::borrow::Cow;
use std::sync::Arc;

use pangolin_core::model::{Commit, Content, MergeStatus, Operation, RefKind, Reference};
use pangolin_core::{CatalogId, CommitId, Error, Kind, Name, NamespaceIdent, Result, TableIdent};

use super::{ContentKey, State};
use crate::locations::{self, Occupant};
use crate::rules::{self, CommitFacts};
use crate::{Change, CommitRequest};

pub(super) fn content_key(catalog: CatalogId, reference: &str, ident: &TableIdent) -> ContentKey {
    (
        catalog,
        reference.to_owned(),
        ident.namespace.encoded(),
        ident.name.to_string(),
    )
}

impl State {
    pub(super) fn content(
        &self,
        catalog: CatalogId,
        reference: &str,
        ident: &TableIdent,
    ) -> Option<&Content> {
        self.contents.get(&content_key(catalog, reference, ident))
    }

    pub(super) fn require_ref(&self, catalog: CatalogId, name: &Name) -> Result<&Reference> {
        self.refs
            .get(&(catalog, name.to_string()))
            .ok_or_else(|| Error::not_found(Kind::Reference, name))
    }

    /// Every content row, of every catalog, whose location overlaps `location`.
    fn occupants(&self, location: &str) -> Vec<Occupant> {
        self.contents
            .iter()
            .filter(|(_, c)| locations::overlaps(&c.location, location))
            .map(|((catalog, reference, ..), c)| Occupant {
                catalog_id: *catalog,
                reference: reference.clone(),
                ident: c.ident.clone(),
                content_id: c.content_id,
                location: c.location.clone(),
            })
            .collect()
    }

    /// Decides a commit ([`rules::check_commit`], then the commit id); returns the branch
    /// head it builds on.
    pub(super) fn check_commit(&self, req: &CommitRequest) -> Result<CommitId> {
        let head = rules::check_commit(req, &Facts { state: self, req })?;
        if self.commits.contains_key(&req.commit_id) {
            return Err(Error::invalid(format!(
                "commit id {} is already used",
                req.commit_id
            )));
        }
        Ok(head)
    }

    /// Applies checked changes; returns the operations.
    pub(super) fn apply_changes(&mut self, req: &CommitRequest) -> Vec<Operation> {
        let mut ops = Vec::with_capacity(req.changes.len());
        let mut released = Vec::new();
        for change in &req.changes {
            let key = content_key(req.catalog_id, req.branch.as_str(), change.ident());
            let old = match put_parts(req, change) {
                Some((content, op, metadata)) => {
                    if let Some(m) = metadata {
                        let at = (req.catalog_id, content.metadata_location.clone());
                        self.metadata.insert(at, m);
                    }
                    ops.push(op);
                    self.contents.insert(key, content)
                }
                None => {
                    let old = self.contents.remove(&key).expect("checked: present");
                    ops.push(Operation::Delete {
                        ident: change.ident().clone(),
                        content_id: old.content_id,
                        kind: change.kind(),
                    });
                    Some(old)
                }
            };
            released.extend(old.map(|c| c.metadata_location));
        }
        self.release_metadata(req.catalog_id, released);
        ops
    }

    /// Deletes the stored metadata of `locations` no content row of the catalog points at
    /// any more (the contract's "referenced only" retention).
    pub(super) fn release_metadata(&mut self, catalog: CatalogId, locations: Vec<String>) {
        for location in locations {
            if !self.metadata_in_use(catalog, &location) {
                self.metadata.remove(&(catalog, location));
            }
        }
    }

    pub(super) fn metadata_in_use(&self, catalog: CatalogId, location: &str) -> bool {
        self.contents
            .iter()
            .any(|((c, ..), content)| *c == catalog && content.metadata_location == location)
    }

    /// Records an applied commit, moves the branch head to it and completes the merge
    /// operation it lands, if any.
    pub(super) fn record_commit(&mut self, req: &CommitRequest, commit: Commit) {
        self.commits.insert(commit.id, commit);
        let reference = self
            .refs
            .get_mut(&(req.catalog_id, req.branch.to_string()))
            .expect("checked");
        reference.head = req.commit_id;
        reference.updated_at = req.created_at;
        if let Some(op) = req.completes_merge.and_then(|id| self.merges.get_mut(&id)) {
            op.status = MergeStatus::Completed;
            op.result_commit = Some(req.commit_id);
            op.updated_at = req.created_at;
        }
        self.record(&req.audit);
    }
}

/// For a put: the content it leaves at its key, the operation that records it and the
/// metadata body to store. `None` for a delete.
fn put_parts(
    req: &CommitRequest,
    change: &Change,
) -> Option<(Content, Operation, Option<Arc<str>>)> {
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
        return None;
    };
    let content = Content {
        content_id: *content_id,
        kind: *kind,
        ident: ident.clone(),
        location: location.clone(),
        metadata_location: metadata_location.clone(),
        last_commit_id: req.commit_id,
        updated_at: req.created_at,
    };
    let op = Operation::Put {
        ident: ident.clone(),
        content_id: *content_id,
        kind: *kind,
        location: location.clone(),
        metadata_location: metadata_location.clone(),
    };
    Some((content, op, metadata.clone()))
}

/// The state a commit is decided on, as [`rules::check_commit`] asks for it.
struct Facts<'a> {
    state: &'a State,
    req: &'a CommitRequest,
}

impl CommitFacts for Facts<'_> {
    fn branch(&self) -> Option<(RefKind, CommitId)> {
        let key = (self.req.catalog_id, self.req.branch.to_string());
        self.state.refs.get(&key).map(|r| (r.kind, r.head))
    }

    fn merge_parent_exists(&self) -> bool {
        self.req
            .merge_parent
            .is_some_and(|p| self.state.commit_of(self.req.catalog_id, p).is_ok())
    }

    fn merge_status(&self) -> Option<MergeStatus> {
        let op = self.state.merges.get(&self.req.completes_merge?)?;
        (op.catalog_id == self.req.catalog_id).then_some(op.status)
    }

    fn existing(&self, ident: &TableIdent) -> Option<&Content> {
        let branch = self.req.branch.as_str();
        self.state.content(self.req.catalog_id, branch, ident)
    }

    fn namespace_exists(&self, namespace: &NamespaceIdent) -> bool {
        let key = (self.req.catalog_id, namespace.encoded());
        self.state.namespaces.contains_key(&key)
    }

    fn occupants(&self, location: &str) -> Cow<'_, [Occupant]> {
        Cow::Owned(self.state.occupants(location))
    }
}
