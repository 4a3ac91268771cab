//! Tenants: CRUD, unique names, refusal to delete a tenant that still owns things.

use std::time::Duration;

use pangolin_core::{PageRequest, TenantId};

use super::Case;
use super::fixtures::{
    federated_catalog, longest_name, name, new_tenant, tenant, tricky_props, warehouse,
};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(tenant_round_trips_exactly),
        case!(tenant_with_longest_name_round_trips),
        case!(duplicate_tenant_name_is_already_exists),
        case!(missing_tenant_is_not_found),
        case!(tenant_update_replaces_name_properties_and_updated_at),
        case!(tenant_rename_onto_existing_name_is_already_exists),
        case!(tenant_with_warehouse_cannot_be_deleted),
        case!(tenant_with_catalog_cannot_be_deleted),
        case!(tenants_are_listed_by_name),
    ]
}

async fn tenant_round_trips_exactly(store: DynStore) {
    let mut tenant = new_tenant("Ünïcode 表 tenant");
    tenant.properties = tricky_props();
    store.create_tenant(&tenant, &[]).await.unwrap();

    assert_eq!(store.get_tenant(tenant.id).await.unwrap(), tenant);
    assert_eq!(
        store.get_tenant_by_name(&tenant.name).await.unwrap(),
        tenant
    );
    let listed = store.list_tenants(&PageRequest::all()).await.unwrap();
    assert_eq!(listed.items, vec![tenant]);
    assert!(listed.next.is_none());
}

async fn tenant_with_longest_name_round_trips(store: DynStore) {
    let long = longest_name();
    assert_eq!(long.len(), 255);
    let tenant = new_tenant(&long);
    store.create_tenant(&tenant, &[]).await.unwrap();
    let by_name = store.get_tenant_by_name(&name(&long)).await.unwrap();
    assert_eq!(by_name, tenant);
}

async fn duplicate_tenant_name_is_already_exists(store: DynStore) {
    let first = tenant(&store, "acme").await;
    let again = new_tenant("acme");
    assert_already_exists!(store.create_tenant(&again, &[]).await, Tenant);
    assert_eq!(
        store.get_tenant_by_name(&name("acme")).await.unwrap(),
        first
    );
    assert_not_found!(store.get_tenant(again.id).await, Tenant);
}

async fn missing_tenant_is_not_found(store: DynStore) {
    tenant(&store, "acme").await;
    let ghost = new_tenant("ghost");
    assert_not_found!(store.get_tenant(TenantId::generate()).await, Tenant);
    assert_not_found!(store.get_tenant_by_name(&name("ghost")).await, Tenant);
    assert_not_found!(store.update_tenant(&ghost, &[]).await, Tenant);
    assert_not_found!(store.delete_tenant(ghost.id, &[]).await, Tenant);
}

async fn tenant_update_replaces_name_properties_and_updated_at(store: DynStore) {
    let original = tenant(&store, "acme").await;
    let mut changed = original.clone();
    changed.name = name("acme-renamed ✓");
    changed.properties = tricky_props();
    changed.updated_at = original.updated_at + Duration::from_micros(1_234_567);
    store.update_tenant(&changed, &[]).await.unwrap();

    assert_eq!(store.get_tenant(original.id).await.unwrap(), changed);
    assert_eq!(
        store.get_tenant_by_name(&changed.name).await.unwrap(),
        changed
    );
    assert_not_found!(store.get_tenant_by_name(&name("acme")).await, Tenant);
}

async fn tenant_rename_onto_existing_name_is_already_exists(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let mut renamed = globex.clone();
    renamed.name = acme.name.clone();
    assert_already_exists!(store.update_tenant(&renamed, &[]).await, Tenant);
    assert_eq!(store.get_tenant(globex.id).await.unwrap(), globex);
    assert_eq!(store.get_tenant(acme.id).await.unwrap(), acme);
}

async fn tenant_with_warehouse_cannot_be_deleted(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let wh = warehouse(&store, acme.id, "lake").await;
    assert_not_empty!(store.delete_tenant(acme.id, &[]).await, Tenant);
    assert_eq!(store.get_tenant(acme.id).await.unwrap(), acme);

    store.delete_warehouse(acme.id, wh.id, &[]).await.unwrap();
    store.delete_tenant(acme.id, &[]).await.unwrap();
    assert_not_found!(store.get_tenant(acme.id).await, Tenant);
    assert!(
        store
            .list_tenants(&PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn tenant_with_catalog_cannot_be_deleted(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let catalog = federated_catalog(acme.id, "remote");
    store.create_catalog(&catalog, &[]).await.unwrap();
    assert_not_empty!(store.delete_tenant(acme.id, &[]).await, Tenant);
    store
        .delete_catalog(acme.id, catalog.id, false, &[])
        .await
        .unwrap();
    store.delete_tenant(acme.id, &[]).await.unwrap();
    assert_not_found!(store.get_tenant_by_name(&acme.name).await, Tenant);
}

/// Bytewise order: a collation-aware backend would put `a` before `B`.
async fn tenants_are_listed_by_name(store: DynStore) {
    for n in ["é", "a", "Z", "_x", "B"] {
        tenant(&store, n).await;
    }
    let page = store.list_tenants(&PageRequest::all()).await.unwrap();
    let names: Vec<_> = page.items.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["B", "Z", "_x", "a", "é"]);
    assert!(page.next.is_none());
}
