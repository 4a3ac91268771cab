//! The store conformance suite against the in-memory reference backend.

use pangolin_store::memory::MemoryStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_passes_the_conformance_suite() {
    pangolin_store::conformance::run(|| async { MemoryStore::shared() }).await;
}
