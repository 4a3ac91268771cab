use std::sync::Arc;

use pangolin_store::DynStore;

/// Settings the HTTP layer needs, extracted from the server config once at startup.
#[derive(Debug, Clone, Default)]
pub struct ApiConfig {}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: DynStore,
    #[allow(dead_code)]
    config: ApiConfig,
}

impl AppState {
    pub fn new(store: DynStore, config: ApiConfig) -> Self {
        AppState {
            inner: Arc::new(Inner { store, config }),
        }
    }

    pub fn store(&self) -> &DynStore {
        &self.inner.store
    }
}
