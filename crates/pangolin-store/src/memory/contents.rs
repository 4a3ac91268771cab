//! `ContentStore` in memory: reads of pointers and stored metadata, and commits (decided
//! and applied in `commit.rs`).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use pangolin_core::model::{Commit, Content, ContentKind};
use pangolin_core::{
    CatalogId, CommitId, ContentId, Error, Kind, Name, NamespaceIdent, Page, PageRequest, Result,
    TableIdent,
};

use super::{MemoryStore, paginate};
use crate::{CommitRequest, ContentStore};

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
        s.record_commit(req, commit.clone());
        Ok(commit)
    }

    async fn metadata_in_use(&self, catalog: CatalogId, location: &str) -> Result<bool> {
        Ok(self.state.lock().metadata_in_use(catalog, location))
    }

    async fn refs_holding(&self, catalog: CatalogId, content_id: ContentId) -> Result<Vec<Name>> {
        let s = self.state.lock();
        // A set of the stored names: ordered bytewise, like every list, and each ref once.
        let held: BTreeSet<&String> = s
            .contents
            .iter()
            .filter(|((c, ..), content)| *c == catalog && content.content_id == content_id)
            .map(|((_, reference, ..), _)| reference)
            .collect();
        Ok(held
            .into_iter()
            .filter_map(|r| s.refs.get(&(catalog, r.clone())))
            .map(|r| r.name.clone())
            .collect())
    }

    async fn find_content(
        &self,
        catalog: CatalogId,
        reference: &Name,
        content_id: ContentId,
    ) -> Result<Option<Content>> {
        let s = self.state.lock();
        s.require_ref(catalog, reference)?;
        Ok(s.contents
            .iter()
            .find(|((c, r, _, _), v)| {
                *c == catalog && r == reference.as_str() && v.content_id == content_id
            })
            .map(|(_, v)| v.clone()))
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
