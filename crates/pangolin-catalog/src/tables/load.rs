//! Loading tables. The hot path: one indexed store read for the pointer; the metadata comes
//! from the cache keyed by location (falling back to the store, then to object storage).
//! Loads, `HEAD` and metrics reports need `read` on the table; the decision uses the pointer
//! the load reads anyway (its content id), so it costs no store read of its own.

use std::collections::BTreeMap;
use std::sync::Arc;

use pangolin_core::context::RequestContext;
use pangolin_core::model::StorageProfile;
use pangolin_core::model::{Action, Content, ContentKind};
use pangolin_core::{CatalogId, Error, Name, Result, TableIdent};

use super::files::read_json;
use super::{LoadOutcome, LoadedTable, SnapshotsMode, etag};
use crate::pointers::content_key;
use crate::{CachedMetadata, Prefix, Services, Target, Version, guard};

impl Services {
    pub async fn load_table(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &TableIdent,
        mode: SnapshotsMode,
        if_none_match: Option<&str>,
    ) -> Result<LoadOutcome> {
        let target = self.resolve(ctx, prefix).await?;
        let content = self
            .readable(ctx, &target, ident, ContentKind::Table)
            .await?;
        let tag = etag(&content.metadata_location, mode);
        if if_none_match.is_some_and(|inm| etag_matches(inm, &tag)) {
            return Ok(LoadOutcome::NotModified { etag: tag });
        }
        // Only a delegated load pays for anything here.
        let delegated = ctx.delegation.is_requested().then(|| {
            let resource = target.handle.content_resource(&content);
            (resource, content.location.clone())
        });
        let mut table = self.loaded_table(&target, content).await?;
        if let Some((resource, location)) = delegated {
            table.access = self
                .delegate(ctx, &target, ident, &resource, &location)
                .await;
        }
        Ok(LoadOutcome::Loaded { table, mode })
    }

    /// `HEAD` on a table: `NotFound(Table)` or `Ok`.
    pub async fn table_exists(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &TableIdent,
    ) -> Result<()> {
        let target = self.resolve(ctx, prefix).await?;
        self.readable(ctx, &target, ident, ContentKind::Table)
            .await
            .map(|_| ())
    }

    /// The content at `ident` if the caller may read it (see [`guard::require_found`]).
    pub(crate) async fn readable(
        &self,
        ctx: &RequestContext,
        target: &Target,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content> {
        let found = self.content(target, ident, kind).await;
        guard::require_found(ctx, Action::Read, &target.handle, &ident.namespace, found)
    }

    /// The content at `ident` in the target's version: one indexed read for a branch or tag,
    /// a history fold for a commit.
    pub(crate) async fn content(
        &self,
        target: &Target,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content> {
        let catalog = target.catalog_id();
        match &target.version {
            Version::Branch(r) | Version::Tag(r) => self.pointer(catalog, r, ident, kind).await,
            Version::Commit(at) => self.store().content_at(catalog, *at, ident, kind).await,
        }
    }

    /// The content as the store has it right now, bypassing the pointer cache: what writes
    /// must start from (a cached pointer another server moved would make their CAS fail again
    /// on every retry).
    pub(crate) async fn content_now(
        &self,
        target: &Target,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content> {
        let catalog = target.catalog_id();
        match &target.version {
            Version::Branch(r) | Version::Tag(r) => {
                self.store().load_content(catalog, r, ident, kind).await
            }
            Version::Commit(at) => self.store().content_at(catalog, *at, ident, kind).await,
        }
    }

    /// A branch's or tag's pointer: from the cache, else one store read filed under the
    /// generation taken before it (see `pointers`).
    async fn pointer(
        &self,
        catalog: CatalogId,
        reference: &Name,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content> {
        let generation = self.inner.pointers.generation(catalog);
        let key = content_key(catalog, generation, reference, ident, kind);
        if let Some(hit) = self.inner.pointers.content(&key) {
            return Ok(hit);
        }
        let content = self
            .store()
            .load_content(catalog, reference, ident, kind)
            .await?;
        self.inner.pointers.put_content(key, content.clone());
        Ok(content)
    }

    pub(crate) async fn loaded_table(
        &self,
        target: &Target,
        content: Content,
    ) -> Result<LoadedTable> {
        let metadata = self.metadata_at(target, &content.metadata_location).await?;
        Ok(LoadedTable {
            config: client_config(&target.handle.warehouse.storage),
            ident: content.ident,
            content_id: content.content_id,
            metadata_location: Some(content.metadata_location),
            metadata,
            access: Default::default(),
        })
    }

    /// The metadata of `location`: cache, then the store, then the file itself.
    pub(crate) async fn metadata_at(
        &self,
        target: &Target,
        location: &str,
    ) -> Result<Arc<CachedMetadata>> {
        let catalog = target.catalog_id();
        if let Some(hit) = self.inner.metadata.get(catalog, location) {
            return Ok(hit);
        }
        let json = match self.store().load_metadata(catalog, location).await {
            Ok(json) => bytes::Bytes::copy_from_slice(json.as_bytes()),
            Err(Error::NotFound { .. }) => read_json(target.io(), location)
                .await
                .map_err(|e| missing_file(e, location))?,
            Err(e) => return Err(e),
        };
        let entry = Arc::new(CachedMetadata::new(json));
        self.inner.metadata.insert(catalog, location, entry.clone());
        Ok(entry)
    }

    pub(crate) fn uncache_metadata(&self, catalog: CatalogId, location: &str) {
        self.inner.metadata.remove(catalog, location);
    }

    pub(crate) fn cache_metadata(
        &self,
        catalog: CatalogId,
        location: &str,
        entry: Arc<CachedMetadata>,
    ) {
        self.inner.metadata.insert(catalog, location, entry);
    }
}

/// A pointer to a metadata file that is gone is a server-side inconsistency, not a missing table.
fn missing_file(e: Error, location: &str) -> Error {
    match e {
        Error::NotFound { .. } => Error::internal(format!("metadata file {location} is missing")),
        other => other,
    }
}

/// Whether an `If-None-Match` header value names `tag` (a list, possibly weak, or `*`).
fn etag_matches(header: &str, tag: &str) -> bool {
    header
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == tag)
}

/// Non-secret FileIO settings clients need to reach the table's storage.
pub(crate) fn client_config(storage: &StorageProfile) -> BTreeMap<String, String> {
    let mut config = BTreeMap::new();
    if let StorageProfile::S3(s3) = storage {
        config.insert("s3.region".into(), s3.region.clone());
        config.insert("client.region".into(), s3.region.clone());
        if let Some(endpoint) = &s3.endpoint {
            config.insert("s3.endpoint".into(), endpoint.clone());
        }
        config.insert(
            "s3.path-style-access".into(),
            s3.path_style_access.to_string(),
        );
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        assert!(etag_matches("\"abc\"", "\"abc\""));
        assert!(etag_matches("\"x\", W/\"abc\"", "\"abc\""));
        assert!(etag_matches("*", "\"abc\""));
        assert!(!etag_matches("\"abd\"", "\"abc\""));
    }
}
