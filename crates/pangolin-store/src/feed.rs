//! Change notifications between servers that share one store, so that each can drop what it
//! cached about a catalog another server just changed.

use pangolin_core::CatalogId;
use tokio::sync::broadcast;

/// What another server (or this one, through the backend) changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChange {
    /// Something of this catalog changed: a commit, a reference created or deleted, the
    /// catalog itself.
    Catalog(CatalogId),
    /// Notifications may have been missed (e.g. the listening connection dropped): forget
    /// everything.
    Everything,
}

/// A subscription to [`StoreChange`]s. A lagging receiver must treat the lag as
/// [`StoreChange::Everything`].
pub type ChangeFeed = broadcast::Receiver<StoreChange>;
