//! Administration: migrations are idempotent on a store holding data; the store answers pings
//! and names its backend.

use pangolin_core::PageRequest;
use pangolin_core::model::ContentKind;

use super::Case;
use super::fixtures::{create_table, head, ident, main_branch, namespace, world};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(migrating_again_keeps_the_data),
        case!(store_answers_pings_and_names_its_backend),
    ]
}

async fn migrating_again_keeps_the_data(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let loc = create_table(&store, w.cid(), &main, &t).await;
    let before = head(&store, w.cid(), &main).await;

    store.migrate().await.unwrap();
    store.migrate().await.unwrap();

    assert_eq!(store.get_tenant(w.tenant.id).await.unwrap(), w.tenant);
    let warehouse = store
        .get_warehouse(w.tenant.id, w.warehouse.id)
        .await
        .unwrap();
    assert_eq!(warehouse, w.warehouse);
    assert_eq!(
        store.get_catalog(w.tenant.id, w.cid()).await.unwrap(),
        w.catalog
    );
    assert_eq!(head(&store, w.cid(), &main).await, before);
    let content = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!(content.metadata_location, loc);
    assert!(store.load_metadata(w.cid(), &loc).await.is_ok());
    let history = store
        .list_commits(w.cid(), before, &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(history.items.len(), 2);
}

async fn store_answers_pings_and_names_its_backend(store: DynStore) {
    store.ping().await.unwrap();
    let name = store.backend();
    assert!(!name.is_empty());
    assert!(
        name.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "backend name {name:?} is not a short lowercase label"
    );
    store.ping().await.unwrap();
}
