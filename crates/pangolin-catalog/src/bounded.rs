//! Caches that grow to their bound instead of starting there: `quick_cache` sizes its tables
//! for the estimated number of items up front, so a cache created with its maximum allocates
//! that much at start-up (tens of MB across the server's caches, for a server that may hold
//! a handful of tables). Starting small keeps an idle server small; the tables grow on demand.

use std::hash::Hash;

use quick_cache::UnitWeighter;
use quick_cache::sync::Cache;

/// How many items a cache is sized for before it grows.
const INITIAL_ITEMS: usize = 256;

/// A cache of at most `max_items` items, allocated for a few hundred at first.
pub(crate) fn bounded_cache<K: Eq + Hash + Clone, V: Clone>(max_items: usize) -> Cache<K, V> {
    let max = max_items.max(16);
    Cache::with_weighter(INITIAL_ITEMS.min(max), max as u64, UnitWeighter)
}
