use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use pangolin_core::model::{Commit, Content, ContentKind, Operation, RefKind};
use pangolin_core::{
    CatalogId, CommitId, Error, Kind, Name, NamespaceIdent, Page, PageRequest, Result, TableIdent,
};

use super::{ContentKey, MemoryStore, State, paginate};
use crate::{Change, CommitRequest, ContentStore, Expected};

fn content_key(catalog: CatalogId, reference: &str, ident: &TableIdent) -> ContentKey {
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
    fn content(&self, catalog: CatalogId, reference: &str, ident: &TableIdent) -> Option<&Content> {
        self.contents.get(&content_key(catalog, reference, ident))
    }

    fn require_ref(
        &self,
        catalog: CatalogId,
        name: &Name,
    ) -> Result<&pangolin_core::model::Reference> {
        self.refs
            .get(&(catalog, name.to_string()))
            .ok_or_else(|| Error::not_found(Kind::Reference, name))
    }

    fn check_commit(&self, req: &CommitRequest) -> Result<CommitId> {
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
            let ns = &change.ident().namespace;
            let ns_exists = self
                .namespaces
                .contains_key(&(req.catalog_id, ns.encoded()));
            check_change(
                self.content(req.catalog_id, req.branch.as_str(), change.ident()),
                change,
                ns_exists,
            )?;
        }
        Ok(reference.head)
    }

    /// Applies checked changes; returns the operations.
    ///
    /// Stored metadata is kept for as long as the catalog exists: a reference can be created at
    /// any commit, which can make any location ever committed current again.
    fn apply_changes(&mut self, req: &CommitRequest) -> Vec<Operation> {
        let mut ops = Vec::with_capacity(req.changes.len());
        for change in &req.changes {
            let key = content_key(req.catalog_id, req.branch.as_str(), change.ident());
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
                        self.metadata
                            .insert((req.catalog_id, metadata_location.clone()), m.clone());
                    }
                    let content = Content {
                        content_id: *content_id,
                        kind: *kind,
                        ident: ident.clone(),
                        metadata_location: metadata_location.clone(),
                        last_commit_id: req.commit_id,
                        updated_at: req.created_at,
                    };
                    self.contents.insert(key, content);
                    ops.push(Operation::Put {
                        ident: ident.clone(),
                        content_id: *content_id,
                        kind: *kind,
                        metadata_location: metadata_location.clone(),
                    });
                }
                Change::Delete { ident, kind, .. } => {
                    let old = self.contents.remove(&key).expect("checked: present");
                    ops.push(Operation::Delete {
                        ident: ident.clone(),
                        content_id: old.content_id,
                        kind: *kind,
                    });
                }
            }
        }
        ops
    }
}

#[async_trait]
impl ContentStore for MemoryStore {
    async fn load_content(
        &self,
        catalog: CatalogId,
        reference: &Name,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content> {
        let s = self.state.lock();
        s.require_ref(catalog, reference)?;
        s.content(catalog, reference.as_str(), ident)
            .filter(|c| c.kind == kind)
            .cloned()
            .ok_or_else(|| Error::not_found(kind.error_kind(), ident))
    }

    async fn list_contents(
        &self,
        catalog: CatalogId,
        reference: &Name,
        namespace: &NamespaceIdent,
        kind: ContentKind,
        page: &PageRequest,
    ) -> Result<Page<Content>> {
        let s = self.state.lock();
        s.require_ref(catalog, reference)?;
        let encoded = namespace.encoded();
        if !s.namespaces.contains_key(&(catalog, encoded.clone())) {
            return Err(Error::not_found(Kind::Namespace, namespace));
        }
        let rows = s
            .contents
            .iter()
            .filter(|((c, r, ns, _), v)| {
                *c == catalog && r == reference.as_str() && *ns == encoded && v.kind == kind
            })
            .map(|(_, v)| v.clone());
        Ok(paginate(rows, page, |c| c.ident.name.to_string()))
    }

    async fn load_metadata(&self, catalog: CatalogId, location: &str) -> Result<Arc<str>> {
        let s = self.state.lock();
        s.metadata
            .get(&(catalog, location.to_owned()))
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Table, location))
    }

    async fn commit(&self, req: &CommitRequest) -> Result<Commit> {
        let mut s = self.state.lock();
        let head = s.check_commit(req)?;
        let operations = s.apply_changes(req);
        let commit = Commit {
            id: req.commit_id,
            catalog_id: req.catalog_id,
            parents: std::iter::once(head).chain(req.merge_parent).collect(),
            author: req.author.clone(),
            message: req.message.clone(),
            created_at: req.created_at,
            operations,
        };
        s.commits.insert(commit.id, commit.clone());
        let reference = s
            .refs
            .get_mut(&(req.catalog_id, req.branch.to_string()))
            .expect("checked");
        reference.head = commit.id;
        reference.updated_at = req.created_at;
        s.record(&req.audit);
        Ok(commit)
    }

    async fn content_at(
        &self,
        catalog: CatalogId,
        at: CommitId,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content> {
        let s = self.state.lock();
        let state = s.state_at(catalog, at)?;
        state
            .get(ident)
            .filter(|c| c.kind == kind)
            .cloned()
            .ok_or_else(|| Error::not_found(kind.error_kind(), ident))
    }
}
