//! Warehouses: CRUD inside a tenant, exact round-trip of the storage profile and sealed
//! secret, tenant scoping, refusal to delete a warehouse a catalog uses.

use std::time::Duration;

use pangolin_core::model::{FileProfile, StorageProfile};
use pangolin_core::{PageRequest, TenantId};

use super::Case;
use super::fixtures::{
    catalog, file_warehouse, longest_name, name, s3_warehouse, sealed, tenant, tricky_props,
    warehouse,
};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(s3_warehouse_round_trips_profile_secret_and_properties),
        case!(file_warehouse_with_longest_name_round_trips),
        case!(warehouse_needs_an_existing_tenant),
        case!(duplicate_warehouse_name_is_already_exists_within_a_tenant_only),
        case!(missing_warehouse_is_not_found),
        case!(warehouse_of_another_tenant_is_not_found),
        case!(warehouse_update_replaces_every_field),
        case!(warehouse_rename_onto_existing_name_is_already_exists),
        case!(warehouse_used_by_a_catalog_cannot_be_deleted),
    ]
}

async fn s3_warehouse_round_trips_profile_secret_and_properties(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let wh = s3_warehouse(acme.id, "s3 湖");
    store.create_warehouse(&wh, &[]).await.unwrap();

    let read = store.get_warehouse(acme.id, wh.id).await.unwrap();
    assert_eq!(read, wh);
    assert_eq!(read.secret.as_ref().unwrap().ciphertext.len(), 512);
    assert_eq!(
        store
            .get_warehouse_by_name(acme.id, &wh.name)
            .await
            .unwrap(),
        wh
    );
    let listed = store.list_warehouses(acme.id, &PageRequest::all()).await;
    assert_eq!(listed.unwrap().items, vec![wh]);
}

async fn file_warehouse_with_longest_name_round_trips(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let wh = file_warehouse(acme.id, &longest_name());
    store.create_warehouse(&wh, &[]).await.unwrap();
    let read = store
        .get_warehouse_by_name(acme.id, &wh.name)
        .await
        .unwrap();
    assert_eq!(read, wh);
    assert!(read.secret.is_none());
}

async fn warehouse_needs_an_existing_tenant(store: DynStore) {
    let orphan = file_warehouse(TenantId::generate(), "lake");
    assert_not_found!(store.create_warehouse(&orphan, &[]).await, Tenant);
    assert_not_found!(
        store.get_warehouse(orphan.tenant_id, orphan.id).await,
        Warehouse
    );
}

async fn duplicate_warehouse_name_is_already_exists_within_a_tenant_only(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let first = warehouse(&store, acme.id, "lake").await;
    let again = file_warehouse(acme.id, "lake");
    assert_already_exists!(store.create_warehouse(&again, &[]).await, Warehouse);
    assert_eq!(
        store
            .get_warehouse_by_name(acme.id, &first.name)
            .await
            .unwrap(),
        first
    );

    let elsewhere = warehouse(&store, globex.id, "lake").await;
    let read = store.get_warehouse_by_name(globex.id, &name("lake")).await;
    assert_eq!(read.unwrap(), elsewhere);
}

async fn missing_warehouse_is_not_found(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let ghost = file_warehouse(acme.id, "ghost");
    assert_not_found!(store.get_warehouse(acme.id, ghost.id).await, Warehouse);
    assert_not_found!(
        store.get_warehouse_by_name(acme.id, &ghost.name).await,
        Warehouse
    );
    assert_not_found!(store.update_warehouse(&ghost, &[]).await, Warehouse);
    assert_not_found!(
        store.delete_warehouse(acme.id, ghost.id, &[]).await,
        Warehouse
    );
}

async fn warehouse_of_another_tenant_is_not_found(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let wh = warehouse(&store, acme.id, "lake").await;

    assert_not_found!(store.get_warehouse(globex.id, wh.id).await, Warehouse);
    assert_not_found!(
        store.get_warehouse_by_name(globex.id, &wh.name).await,
        Warehouse
    );
    let listed = store.list_warehouses(globex.id, &PageRequest::all()).await;
    assert!(listed.unwrap().items.is_empty());
    let mut hijack = wh.clone();
    hijack.tenant_id = globex.id;
    hijack.name = name("stolen");
    assert_not_found!(store.update_warehouse(&hijack, &[]).await, Warehouse);
    assert_not_found!(
        store.delete_warehouse(globex.id, wh.id, &[]).await,
        Warehouse
    );
    assert_eq!(store.get_warehouse(acme.id, wh.id).await.unwrap(), wh);
}

async fn warehouse_update_replaces_every_field(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let original = s3_warehouse(acme.id, "lake");
    store.create_warehouse(&original, &[]).await.unwrap();

    let mut changed = original.clone();
    changed.name = name("lake-2");
    changed.storage = StorageProfile::File(FileProfile {
        root: "/srv/ünï/lake".into(),
    });
    changed.secret = None;
    changed.properties = [("only".to_string(), String::new())].into();
    changed.updated_at = original.updated_at + Duration::from_micros(999_001);
    store.update_warehouse(&changed, &[]).await.unwrap();
    assert_eq!(
        store.get_warehouse(acme.id, original.id).await.unwrap(),
        changed
    );
    assert_not_found!(
        store.get_warehouse_by_name(acme.id, &original.name).await,
        Warehouse
    );

    changed.secret = Some(sealed("gcs-service-account"));
    changed.properties = tricky_props();
    store.update_warehouse(&changed, &[]).await.unwrap();
    assert_eq!(
        store.get_warehouse(acme.id, original.id).await.unwrap(),
        changed
    );
}

async fn warehouse_rename_onto_existing_name_is_already_exists(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let lake = warehouse(&store, acme.id, "lake").await;
    let pond = warehouse(&store, acme.id, "pond").await;
    let mut renamed = pond.clone();
    renamed.name = lake.name.clone();
    assert_already_exists!(store.update_warehouse(&renamed, &[]).await, Warehouse);
    assert_eq!(store.get_warehouse(acme.id, pond.id).await.unwrap(), pond);
    assert_eq!(store.get_warehouse(acme.id, lake.id).await.unwrap(), lake);
}

async fn warehouse_used_by_a_catalog_cannot_be_deleted(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let wh = warehouse(&store, acme.id, "lake").await;
    let sales = catalog(&store, acme.id, wh.id, "sales").await;
    assert_not_empty!(store.delete_warehouse(acme.id, wh.id, &[]).await, Warehouse);
    assert_eq!(store.get_warehouse(acme.id, wh.id).await.unwrap(), wh);

    store
        .delete_catalog(acme.id, sales.id, false, &[])
        .await
        .unwrap();
    store.delete_warehouse(acme.id, wh.id, &[]).await.unwrap();
    assert_not_found!(store.get_warehouse(acme.id, wh.id).await, Warehouse);
    assert_not_found!(store.delete_warehouse(acme.id, wh.id, &[]).await, Warehouse);
}
