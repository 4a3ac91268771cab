//! Catalogs: local and federated round-trips, the initial `main` branch, warehouse and tenant
//! scoping, refusal to delete a catalog with namespaces, cleanup of its history on delete.

use std::time::Duration;

use pangolin_core::model::{CatalogKind, ContentKind, RefKind};
use pangolin_core::{CatalogId, PageRequest, TenantId, WarehouseId};

use super::Case;
use super::fixtures::{
    catalog, commit, create_table, delete, federated_catalog, federated_kind, ident, local_catalog,
    longest_name, main_branch, name, namespace, new_ref, tenant, tricky_props, warehouse, world,
};
use crate::{DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(local_catalog_round_trips_exactly),
        case!(federated_catalog_round_trips_exactly),
        case!(new_catalog_has_main_at_an_empty_root_commit),
        case!(catalog_needs_its_tenant_and_a_warehouse_of_that_tenant),
        case!(duplicate_catalog_name_is_already_exists_within_a_tenant_only),
        case!(catalog_of_another_tenant_is_not_found),
        case!(catalog_update_replaces_name_kind_and_properties),
        case!(catalog_rename_onto_existing_name_is_already_exists),
        case!(catalog_with_namespaces_cannot_be_deleted),
        case!(deleting_a_catalog_removes_its_refs_and_commits),
    ]
}

async fn local_catalog_round_trips_exactly(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let wh = warehouse(&store, acme.id, "lake").await;
    let mut sales = local_catalog(acme.id, wh.id, &longest_name());
    sales.properties = tricky_props();
    sales.updated_at = sales.created_at + Duration::from_micros(3);
    store.create_catalog(&sales, &[]).await.unwrap();

    assert_eq!(store.get_catalog(acme.id, sales.id).await.unwrap(), sales);
    assert_eq!(
        store
            .get_catalog_by_name(acme.id, &sales.name)
            .await
            .unwrap(),
        sales
    );
    let listed = store.list_catalogs(acme.id, &PageRequest::all()).await;
    assert_eq!(listed.unwrap().items, vec![sales]);
}

async fn federated_catalog_round_trips_exactly(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let remote = federated_catalog(acme.id, "remote ✈");
    store.create_catalog(&remote, &[]).await.unwrap();
    assert_eq!(store.get_catalog(acme.id, remote.id).await.unwrap(), remote);
    let by_name = store.get_catalog_by_name(acme.id, &remote.name).await;
    assert_eq!(by_name.unwrap(), remote);
}

async fn new_catalog_has_main_at_an_empty_root_commit(store: DynStore) {
    let w = world(&store).await;
    let main = store.get_ref(w.cid(), &main_branch()).await.unwrap();
    assert_eq!(main.kind, RefKind::Branch);
    assert_eq!(main.catalog_id, w.cid());
    assert!(main.scope.is_none());

    let root = store.get_commit(w.cid(), main.head).await.unwrap();
    assert!(root.parents.is_empty(), "root has parents: {root:?}");
    assert!(root.operations.is_empty(), "root has operations: {root:?}");
    assert_eq!(root.catalog_id, w.cid());
    let history = store
        .list_commits(w.cid(), main.head, &PageRequest::all())
        .await;
    assert_eq!(history.unwrap().items, vec![root]);
    let refs = store.list_refs(w.cid(), &PageRequest::all()).await.unwrap();
    assert_eq!(refs.items, vec![main]);
}

async fn catalog_needs_its_tenant_and_a_warehouse_of_that_tenant(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let acme_wh = warehouse(&store, acme.id, "lake").await;
    let globex_wh = warehouse(&store, globex.id, "lake").await;

    let orphan = local_catalog(TenantId::generate(), acme_wh.id, "sales");
    assert_not_found!(store.create_catalog(&orphan, &[]).await, Tenant);
    let nowhere = local_catalog(acme.id, globex_wh.id, "sales");
    assert_not_found!(store.create_catalog(&nowhere, &[]).await, Warehouse);
    let missing = local_catalog(acme.id, WarehouseId::generate(), "sales");
    assert_not_found!(store.create_catalog(&missing, &[]).await, Warehouse);
    let listed = store.list_catalogs(acme.id, &PageRequest::all()).await;
    assert!(listed.unwrap().items.is_empty());
}

async fn duplicate_catalog_name_is_already_exists_within_a_tenant_only(store: DynStore) {
    let w = world(&store).await;
    let again = local_catalog(w.tenant.id, w.warehouse.id, "sales");
    assert_already_exists!(store.create_catalog(&again, &[]).await, Catalog);
    let federated_again = federated_catalog(w.tenant.id, "sales");
    assert_already_exists!(store.create_catalog(&federated_again, &[]).await, Catalog);

    let globex = tenant(&store, "globex").await;
    let theirs = federated_catalog(globex.id, "sales");
    store.create_catalog(&theirs, &[]).await.unwrap();
    let read = store.get_catalog_by_name(globex.id, &name("sales")).await;
    assert_eq!(read.unwrap(), theirs);
    assert_eq!(
        store
            .get_catalog_by_name(w.tenant.id, &name("sales"))
            .await
            .unwrap(),
        w.catalog
    );
}

async fn catalog_of_another_tenant_is_not_found(store: DynStore) {
    let w = world(&store).await;
    let globex = tenant(&store, "globex").await;
    assert_not_found!(store.get_catalog(globex.id, w.cid()).await, Catalog);
    assert_not_found!(
        store.get_catalog_by_name(globex.id, &w.catalog.name).await,
        Catalog
    );
    let listed = store.list_catalogs(globex.id, &PageRequest::all()).await;
    assert!(listed.unwrap().items.is_empty());
    let mut hijack = w.catalog.clone();
    hijack.tenant_id = globex.id;
    hijack.kind = federated_kind();
    assert_not_found!(store.update_catalog(&hijack, &[]).await, Catalog);
    assert_not_found!(
        store.delete_catalog(globex.id, w.cid(), false, &[]).await,
        Catalog
    );
    assert_not_found!(
        store.get_catalog(w.tenant.id, CatalogId::generate()).await,
        Catalog
    );
    assert_eq!(
        store.get_catalog(w.tenant.id, w.cid()).await.unwrap(),
        w.catalog
    );
}

async fn catalog_update_replaces_name_kind_and_properties(store: DynStore) {
    let w = world(&store).await;
    let mut changed = w.catalog.clone();
    changed.name = name("sales-federated");
    changed.kind = federated_kind();
    changed.properties = tricky_props();
    changed.updated_at = w.catalog.updated_at + Duration::from_micros(10_001);
    store.update_catalog(&changed, &[]).await.unwrap();
    assert_eq!(
        store.get_catalog(w.tenant.id, w.cid()).await.unwrap(),
        changed
    );

    let pond = warehouse(&store, w.tenant.id, "pond").await;
    changed.kind = CatalogKind::Local {
        warehouse_id: pond.id,
    };
    store.update_catalog(&changed, &[]).await.unwrap();
    assert_eq!(
        store.get_catalog(w.tenant.id, w.cid()).await.unwrap(),
        changed
    );

    let globex = tenant(&store, "globex").await;
    let foreign = warehouse(&store, globex.id, "lake").await;
    let mut bad = changed.clone();
    bad.kind = CatalogKind::Local {
        warehouse_id: foreign.id,
    };
    assert_not_found!(store.update_catalog(&bad, &[]).await, Warehouse);
    assert_eq!(
        store.get_catalog(w.tenant.id, w.cid()).await.unwrap(),
        changed
    );
}

async fn catalog_rename_onto_existing_name_is_already_exists(store: DynStore) {
    let w = world(&store).await;
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "marketing").await;
    let mut renamed = other.clone();
    renamed.name = w.catalog.name.clone();
    assert_already_exists!(store.update_catalog(&renamed, &[]).await, Catalog);
    assert_eq!(
        store.get_catalog(w.tenant.id, other.id).await.unwrap(),
        other
    );
}

async fn catalog_with_namespaces_cannot_be_deleted(store: DynStore) {
    let w = world(&store).await;
    namespace(&store, w.cid(), &["db"]).await;
    assert_not_empty!(
        store.delete_catalog(w.tenant.id, w.cid(), false, &[]).await,
        Catalog
    );
    assert_eq!(
        store.get_catalog(w.tenant.id, w.cid()).await.unwrap(),
        w.catalog
    );
    assert!(store.get_ref(w.cid(), &main_branch()).await.is_ok());
}

async fn deleting_a_catalog_removes_its_refs_and_commits(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    let root = store.get_ref(w.cid(), &main).await.unwrap().head;
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let loc = create_table(&store, w.cid(), &main, &t).await;
    let tag = new_ref(
        w.cid(),
        "v1",
        RefKind::Tag,
        store.get_ref(w.cid(), &main).await.unwrap().head,
    );
    store.create_ref(&tag, &[]).await.unwrap();
    store.delete_ref(w.cid(), &tag.name, &[]).await.unwrap();
    let dropped = commit(
        &store,
        w.cid(),
        &main,
        vec![delete(ContentKind::Table, &t, Expected::Present)],
    )
    .await;
    store
        .drop_namespace(w.cid(), &t.namespace, &[])
        .await
        .unwrap();

    store
        .delete_catalog(w.tenant.id, w.cid(), false, &[])
        .await
        .unwrap();
    assert_not_found!(store.get_catalog(w.tenant.id, w.cid()).await, Catalog);
    assert_not_found!(store.get_ref(w.cid(), &main).await, Reference);
    assert_not_found!(store.get_commit(w.cid(), root).await, Commit);
    assert_not_found!(store.get_commit(w.cid(), dropped.id).await, Commit);
    assert_not_found!(store.load_metadata(w.cid(), &loc).await, Table);
    assert_not_found!(
        store.delete_catalog(w.tenant.id, w.cid(), false, &[]).await,
        Catalog
    );

    let again = catalog(&store, w.tenant.id, w.warehouse.id, "sales").await;
    let head = store.get_ref(again.id, &main).await.unwrap().head;
    let history = store
        .list_commits(again.id, head, &PageRequest::all())
        .await;
    assert_eq!(history.unwrap().items.len(), 1);
}
