//! [`WarehouseIo`]: object IO confined to one warehouse.
//!
//! Every operation first resolves its location against the warehouse's base location and
//! fails with `Forbidden` (outside) or `InvalidInput` (malformed) before storage is touched.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutMode, PutPayload};
use pangolin_core::{Error, Result, Timestamp};

use crate::error::map;
use crate::location::{self, Parsed};

/// One object found by [`WarehouseIo::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The object's full URL, under the warehouse's base location.
    pub location: String,
    pub size: u64,
    pub last_modified: Timestamp,
}

/// Object IO for one warehouse; cheap to share (`Arc`), built by the
/// [`StorageRegistry`](crate::StorageRegistry).
pub struct WarehouseIo {
    base: String,
    root: Parsed,
    /// Rooted at `base`: its paths are keys relative to the base location.
    store: Arc<dyn ObjectStore>,
}

impl fmt::Debug for WarehouseIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WarehouseIo({})", self.base)
    }
}

impl WarehouseIo {
    pub(crate) fn new(base_location: &str, store: Arc<dyn ObjectStore>) -> Result<Self> {
        let root = Parsed::parse(base_location)?;
        Ok(WarehouseIo {
            base: root.to_string(),
            root,
            store,
        })
    }

    /// The warehouse's base URL without a trailing slash, e.g. `s3://bucket/prefix`.
    pub fn base_location(&self) -> &str {
        &self.base
    }

    /// Whether `location` is the base location or lies below it (segment-wise, same store).
    pub fn contains(&self, location: &str) -> bool {
        Parsed::parse(location).is_ok_and(|parsed| self.root.contains(&parsed))
    }

    /// The object's bytes; `NotFound(Kind::Table, location)` when it does not exist.
    pub async fn read(&self, location: &str) -> Result<Bytes> {
        let path = self.object_path(location)?;
        let result = self.store.get(&path).await;
        let result = result.map_err(|e| map(e, "read", location))?;
        result.bytes().await.map_err(|e| map(e, "read", location))
    }

    /// Writes a new object; `AlreadyExists` if one is there. Readers never see partial data.
    pub async fn write(&self, location: &str, data: Bytes) -> Result<()> {
        let path = self.object_path(location)?;
        let payload = PutPayload::from(data.clone());
        match self
            .store
            .put_opts(&path, payload, PutMode::Create.into())
            .await
        {
            Ok(_) => Ok(()),
            Err(
                object_store::Error::NotImplemented { .. }
                | object_store::Error::NotSupported { .. },
            ) => self.write_checked(&path, location, data).await,
            Err(e) => Err(map(e, "write", location)),
        }
    }

    /// Writes a new object under a name its caller made unique (it holds a random UUID), so
    /// no other writer ever targets it: on object stores exactly [`Self::write`]; on the local
    /// filesystem a staged file renamed into place, without the create-only check. There
    /// `object_store` makes a create-only write a hard link of the staged file plus an unlink,
    /// and the inodes those unlinks free make ext4's inode allocation skip ever more recently
    /// freed inodes (perf: about 15% of a commit's server CPU; bench: +8–15% commits/s).
    /// Readers never see partial data either way.
    pub async fn write_unique(&self, location: &str, data: Bytes) -> Result<()> {
        if !self.root.is_local() {
            return self.write(location, data).await;
        }
        let path = self.object_path(location)?;
        self.store
            .put_opts(&path, PutPayload::from(data), PutMode::Overwrite.into())
            .await
            .map(drop)
            .map_err(|e| map(e, "write", location))
    }

    /// Create-only write for stores configured without conditional puts: HEAD, then put.
    ///
    /// RACE: two writers can both see the object missing, and the later put silently wins.
    /// Tolerable only because the catalog names metadata files uniquely (sequence + UUID) and
    /// decides between commits by compare-and-swap in the store, never by this write.
    async fn write_checked(&self, path: &Path, location: &str, data: Bytes) -> Result<()> {
        if self.exists_at(path, location).await? {
            return Err(Error::already_exists(pangolin_core::Kind::Table, location));
        }
        let put = self.store.put(path, PutPayload::from(data)).await;
        put.map(drop).map_err(|e| map(e, "write", location))
    }

    pub async fn exists(&self, location: &str) -> Result<bool> {
        let path = self.object_path(location)?;
        self.exists_at(&path, location).await
    }

    async fn exists_at(&self, path: &Path, location: &str) -> Result<bool> {
        match self.store.head(path).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(map(e, "exists check", location)),
        }
    }

    /// Deletes one object; a missing object is fine.
    pub async fn delete(&self, location: &str) -> Result<()> {
        let path = self.object_path(location)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(map(e, "delete", location)),
        }
    }

    /// Deletes every object under `prefix/` (not siblings that merely share the string
    /// prefix) and returns how many were deleted. Refuses the warehouse root itself.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<u64> {
        let path = self.resolve(prefix)?;
        if path.as_ref().is_empty() {
            return Err(Error::invalid(format!(
                "refusing to delete everything in warehouse '{}'",
                self.base
            )));
        }
        // List fully first: deleting while a listing is in flight could remove directories
        // (file backend cleanup) under a walk that has not reached them yet.
        let paths: Vec<Path> = self
            .list_under(&path)
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(|e| map(e, "list", prefix))?;
        let paths = futures::stream::iter(paths.into_iter().map(Ok)).boxed();
        let mut deleted = self.store.delete_stream(paths);
        let mut count = 0;
        while let Some(result) = deleted.next().await {
            match result {
                Ok(_) => count += 1,
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(map(e, "delete", prefix)),
            }
        }
        tracing::debug!(prefix, count, "deleted objects under prefix");
        Ok(count)
    }

    /// Every object under `prefix/` (the base location lists the whole warehouse).
    pub async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        let path = self.resolve(prefix)?;
        let objects: Vec<ObjectMeta> = self
            .list_under(&path)
            .try_collect()
            .await
            .map_err(|e| map(e, "list", prefix))?;
        Ok(objects
            .into_iter()
            .map(|meta| ObjectInfo {
                location: location::join(&self.base, meta.location.as_ref()),
                size: meta.size,
                last_modified: meta.last_modified,
            })
            .collect())
    }

    /// Objects strictly below `path`, segment-wise. Objects that vanish while listing are
    /// skipped.
    fn list_under(
        &self,
        path: &Path,
    ) -> futures::stream::BoxStream<'static, object_store::Result<ObjectMeta>> {
        let prefix = path.clone();
        let scope = (!path.as_ref().is_empty()).then_some(path);
        self.store
            .list(scope)
            .try_filter(move |meta| {
                futures::future::ready(
                    meta.location != prefix && meta.location.prefix_matches(&prefix),
                )
            })
            .filter(|result| {
                let vanished = matches!(result, Err(object_store::Error::NotFound { .. }));
                futures::future::ready(!vanished)
            })
            .boxed()
    }

    /// The store path of an object strictly inside the warehouse.
    fn object_path(&self, location: &str) -> Result<Path> {
        let path = self.resolve(location)?;
        if path.as_ref().is_empty() {
            return Err(Error::invalid(format!(
                "location '{location}' is the warehouse root, not an object"
            )));
        }
        Ok(path)
    }

    /// The store path of `location` (empty for the base location itself); `Forbidden` if it
    /// is outside the warehouse, `InvalidInput` if it is malformed.
    fn resolve(&self, location: &str) -> Result<Path> {
        let parsed = Parsed::parse(location)?;
        let relative = self.root.relative(&parsed).ok_or_else(|| {
            Error::Forbidden(format!(
                "location '{}' is outside the warehouse",
                location.escape_debug()
            ))
        })?;
        Path::parse(relative.join("/"))
            .map_err(|_| Error::invalid(format!("location '{location}' is not a valid object key")))
    }
}
