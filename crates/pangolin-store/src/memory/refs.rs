use std::collections::BTreeMap;

use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Commit, Content, MAIN_BRANCH, Operation, Reference};
use pangolin_core::{
    CatalogId, CommitId, Error, Kind, Name, Page, PageRequest, Result, TableIdent,
};

use super::commit::content_key;
use super::{MemoryStore, State, paginate};
use crate::{NewRef, RefStore};

impl State {
    pub(super) fn commit_of(&self, catalog: CatalogId, id: CommitId) -> Result<&Commit> {
        self.commits
            .get(&id)
            .filter(|c| c.catalog_id == catalog)
            .ok_or_else(|| Error::not_found(Kind::Commit, id))
    }

    /// The catalog's contents as of commit `at`: the newest operation per key along the
    /// first-parent chain (commits carry every change they made, merges included).
    pub(super) fn state_at(
        &self,
        catalog: CatalogId,
        at: CommitId,
    ) -> Result<BTreeMap<TableIdent, Content>> {
        let mut seen = BTreeMap::new();
        let mut next = Some(self.commit_of(catalog, at)?);
        while let Some(commit) = next {
            for op in &commit.operations {
                seen.entry(op.ident().clone()).or_insert_with(|| match op {
                    Operation::Put {
                        ident,
                        content_id,
                        kind,
                        location,
                        metadata_location,
                    } => Some(Content {
                        content_id: *content_id,
                        kind: *kind,
                        ident: ident.clone(),
                        location: location.clone(),
                        metadata_location: metadata_location.clone(),
                        last_commit_id: commit.id,
                        updated_at: commit.created_at,
                    }),
                    Operation::Delete { .. } => None,
                });
            }
            next = commit
                .first_parent()
                .map(|p| self.commit_of(catalog, p))
                .transpose()?;
        }
        Ok(seen
            .into_iter()
            .filter_map(|(k, v)| v.map(|c| (k, c)))
            .collect())
    }
}

#[async_trait]
impl RefStore for MemoryStore {
    async fn create_ref(&self, new: &NewRef, audit: &[AuditEvent]) -> Result<Reference> {
        let mut s = self.state.lock();
        if !s.catalogs.contains_key(&new.catalog_id) {
            return Err(Error::not_found(Kind::Catalog, new.catalog_id));
        }
        let state: Vec<Content> = s
            .state_at(new.catalog_id, new.from)?
            .into_values()
            .filter(|c| {
                new.scope
                    .as_ref()
                    .is_none_or(|scope| scope.contains(&c.ident))
            })
            .collect();
        let key = (new.catalog_id, new.name.to_string());
        if s.refs.contains_key(&key) {
            return Err(Error::already_exists(Kind::Reference, &new.name));
        }
        // Namespaces are not versioned: one dropped since `from` cannot hold the copy.
        if let Some(missing) = state
            .iter()
            .map(|c| &c.ident.namespace)
            .find(|ns| !s.namespaces.contains_key(&(new.catalog_id, ns.encoded())))
        {
            return Err(Error::not_found(Kind::Namespace, missing));
        }
        for content in state {
            let ckey = content_key(new.catalog_id, new.name.as_str(), &content.ident);
            s.contents.insert(ckey, content);
        }
        let reference = Reference {
            catalog_id: new.catalog_id,
            name: new.name.clone(),
            kind: new.kind,
            head: new.from,
            scope: new.scope.clone(),
            properties: new.properties.clone(),
            created_at: new.created_at,
            updated_at: new.created_at,
        };
        s.refs.insert(key, reference.clone());
        s.record(audit);
        Ok(reference)
    }

    async fn get_ref(&self, catalog: CatalogId, name: &Name) -> Result<Reference> {
        let s = self.state.lock();
        s.refs
            .get(&(catalog, name.to_string()))
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Reference, name))
    }

    async fn list_refs(&self, catalog: CatalogId, page: &PageRequest) -> Result<Page<Reference>> {
        let s = self.state.lock();
        let rows = s
            .refs
            .iter()
            .filter(|((c, _), _)| *c == catalog)
            .map(|(_, r)| r.clone());
        Ok(paginate(rows, page, |r| r.name.to_string()))
    }

    async fn delete_ref(
        &self,
        catalog: CatalogId,
        name: &Name,
        audit: &[AuditEvent],
    ) -> Result<()> {
        if name.as_str() == MAIN_BRANCH {
            return Err(Error::invalid("the main branch cannot be deleted"));
        }
        let mut s = self.state.lock();
        if s.refs.remove(&(catalog, name.to_string())).is_none() {
            return Err(Error::not_found(Kind::Reference, name));
        }
        let mut released = Vec::new();
        s.contents.retain(|(c, r, ..), content| {
            let keep = !(*c == catalog && r == name.as_str());
            if !keep {
                released.push(content.metadata_location.clone());
            }
            keep
        });
        s.release_metadata(catalog, released);
        s.record(audit);
        Ok(())
    }

    async fn get_commit(&self, catalog: CatalogId, id: CommitId) -> Result<Commit> {
        let s = self.state.lock();
        s.commit_of(catalog, id).cloned()
    }

    async fn list_commits(
        &self,
        catalog: CatalogId,
        from: CommitId,
        page: &PageRequest,
    ) -> Result<Page<Commit>> {
        let s = self.state.lock();
        let first = s.commit_of(catalog, from)?;
        let start = match page.after_key() {
            None => Some(first.id),
            Some(key) => {
                let after: CommitId = key.parse()?;
                s.commit_of(catalog, after)?.first_parent()
            }
        };
        let mut rows = Vec::new();
        let mut next = start;
        while let Some(id) = next {
            if page.fetch_limit().is_some_and(|n| rows.len() >= n) {
                break;
            }
            let commit = s.commit_of(catalog, id)?;
            next = commit.first_parent();
            rows.push(commit.clone());
        }
        Ok(Page::from_rows(rows, page, |c| c.id.to_string()))
    }

    async fn merge_base(
        &self,
        catalog: CatalogId,
        a: CommitId,
        b: CommitId,
    ) -> Result<Option<CommitId>> {
        self.state.lock().merge_base(catalog, a, b)
    }

    async fn contents_at(&self, catalog: CatalogId, at: CommitId) -> Result<Vec<Content>> {
        self.state.lock().contents_at(catalog, at)
    }
}
