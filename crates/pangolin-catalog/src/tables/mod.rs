//! Iceberg table operations.

mod access;
mod commit;
mod create;
mod drop;
pub(crate) mod files;
mod finish;
mod list;
mod load;
pub(crate) mod locations;
mod prepare;
mod register;
mod rename;
mod seed;
mod vend_log;

pub(crate) use vend_log::VendLog;

use std::collections::BTreeMap;
use std::sync::Arc;

use pangolin_core::{ContentId, TableIdent};
use sha2::{Digest, Sha256};

use crate::CachedMetadata;

pub use access::TableAccess;
pub use commit::{Committed, TableChange};

/// Which snapshots a load returns (`snapshots=all|refs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnapshotsMode {
    #[default]
    All,
    Refs,
}

impl SnapshotsMode {
    pub fn parse(s: &str) -> pangolin_core::Result<Self> {
        match s {
            "all" => Ok(SnapshotsMode::All),
            "refs" => Ok(SnapshotsMode::Refs),
            other => Err(pangolin_core::Error::invalid(format!(
                "snapshots must be 'all' or 'refs', not {other:?}"
            ))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            SnapshotsMode::All => "all",
            SnapshotsMode::Refs => "refs",
        }
    }
}

/// A table as a load or create returns it.
pub struct LoadedTable {
    pub ident: TableIdent,
    pub content_id: ContentId,
    /// `None` for a staged create: nothing is committed yet.
    pub metadata_location: Option<String>,
    pub metadata: Arc<CachedMetadata>,
    /// Table-specific client configuration (FileIO settings; never secrets).
    pub config: BTreeMap<String, String>,
    /// Delegated storage access for this caller only: never cached, never part of the ETag.
    pub access: TableAccess,
}

impl LoadedTable {
    pub fn etag(&self, mode: SnapshotsMode) -> Option<String> {
        self.metadata_location.as_deref().map(|l| etag(l, mode))
    }
}

/// The answer to a conditional load.
pub enum LoadOutcome {
    /// The client's `If-None-Match` names the current version.
    NotModified { etag: String },
    Loaded {
        table: LoadedTable,
        mode: SnapshotsMode,
    },
}

/// A strong ETag for one metadata file rendered in one snapshots mode: the location names an
/// immutable file, so the tag changes exactly when the metadata does.
pub fn etag(metadata_location: &str, mode: SnapshotsMode) -> String {
    let mut h = Sha256::new();
    h.update(metadata_location.as_bytes());
    h.update([0]);
    h.update(mode.as_str().as_bytes());
    format!("\"{}\"", hex::encode(&h.finalize()[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_differ_per_location_and_mode() {
        let a = etag("s3://b/t/metadata/1.json", SnapshotsMode::All);
        assert_eq!(a, etag("s3://b/t/metadata/1.json", SnapshotsMode::All));
        assert_ne!(a, etag("s3://b/t/metadata/1.json", SnapshotsMode::Refs));
        assert_ne!(a, etag("s3://b/t/metadata/2.json", SnapshotsMode::All));
        assert!(a.starts_with('"') && a.ends_with('"'));
    }
}
