//! The server's local filesystem. Writes go to a temporary file that is then linked into
//! place, so readers never see partial files and create-only writes are atomic.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use pangolin_core::model::FileProfile;
use pangolin_core::{Error, Result};

pub(super) fn build(profile: &FileProfile) -> Result<Arc<dyn ObjectStore>> {
    std::fs::create_dir_all(&profile.root).map_err(|e| {
        Error::internal(format_args!(
            "cannot create warehouse root '{}': {e}",
            profile.root
        ))
    })?;
    let fs = LocalFileSystem::new_with_prefix(&profile.root)
        .map_err(|e| Error::internal(format_args!("cannot open warehouse root: {e}")))?
        // Purging a table removes its then-empty directories too (never the root itself).
        .with_automatic_cleanup(true);
    Ok(Arc::new(fs))
}
