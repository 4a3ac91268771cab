//! Table/view metadata cached by metadata location. A location names an immutable file, so an
//! entry never goes stale; it only ages out under the byte budget. Each entry keeps the JSON
//! exactly as stored (served as-is to `snapshots=all` loads) and lazily derives the parsed
//! form (for commits) and the `snapshots=refs` rendering.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use iceberg::spec::{TableMetadata, ViewMetadata};
use pangolin_core::{CatalogId, Error, Result};
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::errors::bad_json;

/// One metadata file's content.
#[derive(Debug)]
pub struct CachedMetadata {
    json: Bytes,
    parsed: OnceLock<Arc<TableMetadata>>,
    view: OnceLock<Arc<ViewMetadata>>,
    refs_only: OnceLock<Bytes>,
}

impl CachedMetadata {
    pub fn new(json: Bytes) -> Self {
        CachedMetadata {
            json,
            parsed: OnceLock::new(),
            view: OnceLock::new(),
            refs_only: OnceLock::new(),
        }
    }

    /// An entry for metadata the caller just built, so it is never parsed back.
    pub fn from_parts(json: Bytes, metadata: Arc<TableMetadata>) -> Self {
        let entry = CachedMetadata::new(json);
        let _ = entry.parsed.set(metadata);
        entry
    }

    /// An entry for view metadata the caller just built, so it is never parsed back.
    pub fn from_view_parts(json: Bytes, metadata: Arc<ViewMetadata>) -> Self {
        let entry = CachedMetadata::new(json);
        let _ = entry.view.set(metadata);
        entry
    }

    /// The metadata JSON as written to the file.
    pub fn json(&self) -> &Bytes {
        &self.json
    }

    /// The parsed table metadata (parsed once, then shared).
    pub fn table(&self) -> Result<Arc<TableMetadata>> {
        if let Some(m) = self.parsed.get() {
            return Ok(m.clone());
        }
        let parsed: TableMetadata =
            serde_json::from_slice(&self.json).map_err(|e| bad_json("table metadata", e))?;
        Ok(self.parsed.get_or_init(|| Arc::new(parsed)).clone())
    }

    /// The parsed view metadata (parsed once, then shared). Tables and views share one key
    /// space, so an entry is only ever asked for the kind its pointer says it is.
    pub fn view(&self) -> Result<Arc<ViewMetadata>> {
        if let Some(m) = self.view.get() {
            return Ok(m.clone());
        }
        let parsed: ViewMetadata =
            serde_json::from_slice(&self.json).map_err(|e| bad_json("view metadata", e))?;
        Ok(self.view.get_or_init(|| Arc::new(parsed)).clone())
    }

    /// The JSON with only the snapshots that some branch or tag references (`snapshots=refs`).
    pub fn refs_only_json(&self) -> Result<Bytes> {
        if let Some(b) = self.refs_only.get() {
            return Ok(b.clone());
        }
        let rendered = render_refs_only(&self.json)?;
        Ok(self.refs_only.get_or_init(|| rendered).clone())
    }
}

/// Drops every snapshot no reference points at; everything else is kept verbatim.
fn render_refs_only(json: &[u8]) -> Result<Bytes> {
    let mut doc: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| bad_json("table metadata", e))?;
    let referenced: Vec<i64> = doc
        .get("refs")
        .and_then(|r| r.as_object())
        .map(|refs| {
            refs.values()
                .filter_map(|r| r.get("snapshot-id")?.as_i64())
                .collect()
        })
        .unwrap_or_default();
    if let Some(snapshots) = doc.get_mut("snapshots").and_then(|s| s.as_array_mut()) {
        snapshots.retain(|s| {
            s.get("snapshot-id")
                .and_then(|id| id.as_i64())
                .is_some_and(|id| referenced.contains(&id))
        });
    }
    serde_json::to_vec(&doc)
        .map(Bytes::from)
        .map_err(Error::internal)
}

#[derive(Clone)]
struct JsonBytes;

impl Weighter<(CatalogId, String), Arc<CachedMetadata>> for JsonBytes {
    fn weight(&self, key: &(CatalogId, String), val: &Arc<CachedMetadata>) -> u64 {
        // The refs-only rendering and the parsed form roughly double the JSON's footprint.
        (key.1.len() + 2 * val.json.len()) as u64 + 64
    }
}

/// Metadata by (catalog, metadata location), bounded by bytes.
pub struct MetadataCache {
    cache: Cache<(CatalogId, String), Arc<CachedMetadata>, JsonBytes>,
}

impl MetadataCache {
    pub fn new(max_bytes: u64) -> Self {
        // Sized for a few tables at first (the table grows): an idle server stays small.
        let estimated_items = (max_bytes / 16_384).clamp(16, 256) as usize;
        MetadataCache {
            cache: Cache::with_weighter(estimated_items, max_bytes.max(1), JsonBytes),
        }
    }

    pub fn get(&self, catalog: CatalogId, location: &str) -> Option<Arc<CachedMetadata>> {
        self.cache.get(&(catalog, location.to_owned()))
    }

    pub fn insert(&self, catalog: CatalogId, location: &str, entry: Arc<CachedMetadata>) {
        self.cache.insert((catalog, location.to_owned()), entry);
    }

    pub fn remove(&self, catalog: CatalogId, location: &str) {
        self.cache.remove(&(catalog, location.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_only_keeps_just_referenced_snapshots() {
        let json = br#"{"refs":{"main":{"snapshot-id":2,"type":"branch"}},
            "snapshots":[{"snapshot-id":1},{"snapshot-id":2}],"other":[1,2]}"#;
        let entry = CachedMetadata::new(Bytes::from_static(json));
        let out: serde_json::Value =
            serde_json::from_slice(&entry.refs_only_json().unwrap()).unwrap();
        assert_eq!(out["snapshots"], serde_json::json!([{"snapshot-id": 2}]));
        assert_eq!(out["other"], serde_json::json!([1, 2]));
    }

    #[test]
    fn the_cache_is_bounded_by_bytes() {
        let cache = MetadataCache::new(10_000);
        let catalog = CatalogId::generate();
        for i in 0..100 {
            let entry = Arc::new(CachedMetadata::new(Bytes::from(vec![b' '; 1_000])));
            cache.insert(catalog, &format!("loc-{i}"), entry);
        }
        let kept = (0..100)
            .filter(|i| cache.get(catalog, &format!("loc-{i}")).is_some())
            .count();
        assert!(
            kept > 0 && kept < 10,
            "kept {kept} entries of ~2 KB in a 10 KB cache"
        );
    }

    #[test]
    fn malformed_metadata_is_a_bad_request_not_a_panic() {
        let entry = CachedMetadata::new(Bytes::from_static(b"{not json"));
        assert!(matches!(entry.table(), Err(Error::InvalidInput(_))));
        assert!(matches!(entry.view(), Err(Error::InvalidInput(_))));
        assert!(matches!(
            entry.refs_only_json(),
            Err(Error::InvalidInput(_))
        ));
    }
}
