//! Walks over the commit DAG in memory: best common ancestors and whole-catalog states.

use std::collections::HashSet;

use pangolin_core::model::Content;
use pangolin_core::{CatalogId, CommitId, Result};

use super::State;

impl State {
    /// Every commit reachable from `from` over all parents, `from` included.
    /// `NotFound(Commit)` when `from` is not a commit of the catalog.
    fn ancestors(&self, catalog: CatalogId, from: CommitId) -> Result<HashSet<CommitId>> {
        let mut seen = HashSet::new();
        let mut todo = vec![from];
        while let Some(id) = todo.pop() {
            if seen.insert(id) {
                todo.extend(&self.commit_of(catalog, id)?.parents);
            }
        }
        Ok(seen)
    }

    /// The contract's `RefStore::merge_base`: among the common ancestors, those that are no
    /// ancestor of another one, and of those the greatest id.
    pub(super) fn merge_base(
        &self,
        catalog: CatalogId,
        a: CommitId,
        b: CommitId,
    ) -> Result<Option<CommitId>> {
        let of_b = self.ancestors(catalog, b)?;
        let common: HashSet<CommitId> = self
            .ancestors(catalog, a)?
            .into_iter()
            .filter(|id| of_b.contains(id))
            .collect();
        // The parents of a common ancestor are common ancestors too, so one that lies below
        // another is always the direct parent of some common ancestor.
        let mut below = HashSet::new();
        for id in &common {
            below.extend(&self.commit_of(catalog, *id)?.parents);
        }
        Ok(common.difference(&below).max().copied())
    }

    /// The whole catalog state at `at`, ordered by encoded namespace, then name.
    pub(super) fn contents_at(&self, catalog: CatalogId, at: CommitId) -> Result<Vec<Content>> {
        let mut all: Vec<Content> = self.state_at(catalog, at)?.into_values().collect();
        all.sort_by_cached_key(|c| (c.ident.namespace.encoded(), c.ident.name.to_string()));
        Ok(all)
    }
}
