//! Cached content pointers and resolved references, so that a table load (and every `304 Not
//! Modified`) needs no store read at all.
//!
//! Entries are filed under their catalog's *generation*. Any change to a catalog — a commit
//! through this server, a reference created or deleted, or a change another server announced
//! on the store's change feed — bumps the generation, which makes every older entry unreachable
//! (it ages out of the bounded cache). A reader takes the generation *before* it reads the store
//! and files what it read under that generation, so a read that raced a change is never served
//! after the change: the change bumped past it.

use std::collections::HashMap;

use pangolin_core::model::{Content, ContentKind};
use pangolin_core::{CatalogId, Name, TableIdent};
use parking_lot::RwLock;
use quick_cache::sync::Cache;

use crate::bounded::bounded_cache;

use crate::Version;

type ContentKey = (CatalogId, u64, Name, TableIdent, ContentKind);
type VersionKey = (CatalogId, u64, Name);

pub(crate) struct PointerCache {
    generations: RwLock<HashMap<CatalogId, u64>>,
    contents: Cache<ContentKey, Content>,
    versions: Cache<VersionKey, Version>,
}

impl PointerCache {
    pub(crate) fn new(max_entries: usize) -> Self {
        PointerCache {
            generations: RwLock::new(HashMap::new()),
            contents: bounded_cache(max_entries),
            versions: bounded_cache(max_entries / 16),
        }
    }

    /// The catalog's current generation; take it before reading the store.
    pub(crate) fn generation(&self, catalog: CatalogId) -> u64 {
        self.generations.read().get(&catalog).copied().unwrap_or(0)
    }

    /// Forgets everything cached about `catalog`.
    pub(crate) fn changed(&self, catalog: CatalogId) {
        *self.generations.write().entry(catalog).or_insert(0) += 1;
    }

    /// Forgets everything (the change feed may have missed notifications).
    pub(crate) fn changed_all(&self) {
        for generation in self.generations.write().values_mut() {
            *generation += 1;
        }
        self.contents.clear();
        self.versions.clear();
    }

    pub(crate) fn content(&self, key: &ContentKey) -> Option<Content> {
        self.contents.get(key)
    }

    pub(crate) fn put_content(&self, key: ContentKey, content: Content) {
        self.contents.insert(key, content);
    }

    pub(crate) fn version(&self, key: &VersionKey) -> Option<Version> {
        self.versions.get(key)
    }

    pub(crate) fn put_version(&self, key: VersionKey, version: Version) {
        self.versions.insert(key, version);
    }
}

/// The cache key of a content pointer.
pub(crate) fn content_key(
    catalog: CatalogId,
    generation: u64,
    reference: &Name,
    ident: &TableIdent,
    kind: ContentKind,
) -> ContentKey {
    (catalog, generation, reference.clone(), ident.clone(), kind)
}

#[cfg(test)]
mod tests {
    use pangolin_core::{CommitId, ContentId};

    use super::*;

    fn content() -> Content {
        Content {
            content_id: ContentId::generate(),
            kind: ContentKind::Table,
            ident: TableIdent::from_strs(&["db"], "t").unwrap(),
            metadata_location: "m1".into(),
            location: "file:///w/t".into(),
            last_commit_id: CommitId::generate(),
            updated_at: pangolin_core::now(),
        }
    }

    #[test]
    fn a_change_hides_everything_read_before_it() {
        let cache = PointerCache::new(100);
        let (catalog, other) = (CatalogId::generate(), CatalogId::generate());
        let main = Name::new("main").unwrap();
        let c = content();
        let before = cache.generation(catalog);
        cache.put_content(
            content_key(catalog, before, &main, &c.ident, c.kind),
            c.clone(),
        );
        cache.put_content(content_key(other, 0, &main, &c.ident, c.kind), c.clone());
        assert!(
            cache
                .content(&content_key(catalog, before, &main, &c.ident, c.kind))
                .is_some()
        );
        cache.changed(catalog);
        let after = cache.generation(catalog);
        assert_ne!(before, after);
        assert!(
            cache
                .content(&content_key(catalog, after, &main, &c.ident, c.kind))
                .is_none()
        );
        assert!(
            cache
                .content(&content_key(other, 0, &main, &c.ident, c.kind))
                .is_some(),
            "other catalogs keep theirs"
        );
        cache.changed_all();
        assert!(
            cache
                .content(&content_key(other, 0, &main, &c.ident, c.kind))
                .is_none()
        );
    }

    #[test]
    fn a_read_that_raced_a_change_is_filed_where_nobody_looks() {
        let cache = PointerCache::new(100);
        let catalog = CatalogId::generate();
        let main = Name::new("main").unwrap();
        let c = content();
        let taken = cache.generation(catalog);
        cache.changed(catalog); // a commit lands while the reader reads the store
        cache.put_content(
            content_key(catalog, taken, &main, &c.ident, c.kind),
            c.clone(),
        );
        let now = cache.generation(catalog);
        assert!(
            cache
                .content(&content_key(catalog, now, &main, &c.ident, c.kind))
                .is_none()
        );
    }
}
