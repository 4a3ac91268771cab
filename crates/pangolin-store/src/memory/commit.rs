//! `ContentStore::commit` in memory: the checks (in the contract's order) and the apply,
//! including the retention rule for stored metadata.

use std::collections::HashSet;
use std::sync::Arc;

use pangolin_core::model::{Commit, Content, Operation, RefKind, Reference};
use pangolin_core::{CatalogId, CommitId, Error, Kind, Name, Result, TableIdent};

use super::{ContentKey, State};
use crate::locations::{self, Occupant};
use crate::{Change, CommitRequest, Expected};

pub(super) fn content_key(catalog: CatalogId, reference: &str, ident: &TableIdent) -> ContentKey {
    (
        catalog,
        reference.to_owned(),
        ident.namespace.encoded(),
        ident.name.to_string(),
    )
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

    /// Decides a commit; returns the branch head it builds on.
    pub(super) fn check_commit(&self, req: &CommitRequest) -> Result<CommitId> {
        let reference = self.require_ref(req.catalog_id, &req.branch)?;
        if reference.kind != RefKind::Branch {
            return Err(Error::invalid(format!(
                "'{}' is a tag; tags cannot be written to",
                req.branch
            )));
        }
        if let Some(expected) = req.expected_head
            && expected != reference.head
        {
            return Err(Error::conflict(
                format!(
                    "branch '{}' moved: expected head {expected}, found {}",
                    req.branch, reference.head
                ),
                Some(reference.head.to_string()),
            ));
        }
        if let Some(p) = req.merge_parent {
            self.commit_of(req.catalog_id, p)?;
        }
        check_unique_keys(&req.changes)?;
        for change in &req.changes {
            self.check_one(req, change)?;
        }
        if self.commits.contains_key(&req.commit_id) {
            return Err(Error::invalid(format!(
                "commit id {} is already used",
                req.commit_id
            )));
        }
        Ok(reference.head)
    }

    /// One change: its expectation, then its location.
    fn check_one(&self, req: &CommitRequest, change: &Change) -> Result<()> {
        let ns = &change.ident().namespace;
        let ns_exists = self
            .namespaces
            .contains_key(&(req.catalog_id, ns.encoded()));
        let existing = self.content(req.catalog_id, req.branch.as_str(), change.ident());
        check_change(existing, change, ns_exists)?;
        match change {
            Change::Put { location, .. } if locations::needs_check(change, existing) => {
                locations::check_put(req, change, &self.occupants(location))
            }
            _ => Ok(()),
        }
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

    /// Records an applied commit and moves the branch head to it.
    pub(super) fn record_commit(&mut self, req: &CommitRequest, commit: Commit) {
        self.commits.insert(commit.id, commit);
        let reference = self
            .refs
            .get_mut(&(req.catalog_id, req.branch.to_string()))
            .expect("checked");
        reference.head = req.commit_id;
        reference.updated_at = req.created_at;
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
