//! Iceberg view operations. Views are content of kind `View` in the key space tables use: per
//! reference, a pointer to an immutable metadata file, moved by store commits exactly like a
//! table's. The metadata is built with the `iceberg` crate's `ViewMetadataBuilder`; what the
//! crate lacks (the `ViewUpdate` dispatch, `assert-view-uuid`) lives in `updates` and `requests`.

mod create;
mod drop;
mod files;
mod load;
mod publish;
mod register;
mod replace;
mod requests;
mod updates;

use std::collections::BTreeMap;
use std::sync::Arc;

use pangolin_core::{ContentId, TableIdent};

use crate::CachedMetadata;

pub use replace::ViewChange;
pub use requests::{CommitViewRequest, CreateViewRequest, RegisterViewRequest, ViewRequirement};

/// A view as load, create, replace and register return it (a `LoadViewResult`).
pub struct LoadedView {
    pub ident: TableIdent,
    pub content_id: ContentId,
    pub metadata_location: String,
    pub metadata: Arc<CachedMetadata>,
    /// View-specific client configuration; views read no data files, so nothing yet.
    pub config: BTreeMap<String, String>,
}
