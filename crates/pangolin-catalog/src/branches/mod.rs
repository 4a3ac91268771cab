//! Git-like version control of whole catalogs (DESIGN §3): branches and tags over the commit
//! DAG, the commit log, diffs between versions, and merges with per-table conflict detection,
//! resolution and rebase. Who may do what is in `access`.

mod access;
mod diff;
mod log;
mod merge;
mod plan;
mod refs;
mod resolve;

pub use diff::{DiffKind, TableDiff, diff_states};
pub use merge::{MergeOutcome, MergeRequest, OnConflict, Strategy};
pub use plan::PlannedChange;
pub(crate) use refs::main;
pub use refs::{BASE_PROPERTY, BranchKind, KIND_PROPERTY, NewBranch, Source};

use std::sync::Arc;

use pangolin_core::context::RequestContext;
use pangolin_core::model::{Content, ContentVersion, Reference};
use pangolin_core::{CommitId, Name, Result};

use crate::{CatalogHandle, Services, Target, Version};

impl Services {
    /// The catalog `name` of the caller's tenant, for management operations, if the caller
    /// may see it (what it may do there is checked by each operation).
    pub(crate) async fn managed_catalog(
        &self,
        ctx: &RequestContext,
        name: &Name,
    ) -> Result<Arc<CatalogHandle>> {
        self.visible_catalog(ctx, name).await
    }

    /// The head commit a [`Source`] names, and the reference if it named one.
    pub(crate) async fn source_head(
        &self,
        handle: &CatalogHandle,
        source: &Source,
    ) -> Result<(CommitId, Option<Reference>)> {
        match source {
            Source::Ref(name) => {
                let reference = self.store().get_ref(handle.catalog.id, name).await?;
                Ok((reference.head, Some(reference)))
            }
            Source::Commit(id) => {
                self.store().get_commit(handle.catalog.id, *id).await?;
                Ok((*id, None))
            }
        }
    }
}

/// A read-only view of a catalog, for reading metadata files while planning.
pub(crate) fn reader(handle: Arc<CatalogHandle>, at: CommitId) -> Target {
    Target {
        handle,
        version: Version::Commit(at),
    }
}

/// One content's version, as merges and diffs compare them.
pub(crate) fn version_of(c: &Content) -> ContentVersion {
    ContentVersion {
        content_id: c.content_id,
        kind: c.kind,
        metadata_location: c.metadata_location.clone(),
        location: c.location.clone(),
    }
}
