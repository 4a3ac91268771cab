//! Deleting a tenant, warehouse or catalog takes along the accounts and grants hanging on it;
//! a refused delete takes nothing. A cascading catalog delete also takes its namespaces and
//! everything in them on every reference.

use pangolin_core::model::{Action, Assignee, ContentKind, Grantee, RefKind, Scope};
use pangolin_core::{PageRequest, TenantId};

use super::Case;
use super::fixtures::{
    World, all_grants, api_key, assign, catalog, create_table, create_view, grant, head, ident,
    main_branch, namespace, new_ref, ns, put_new_table, request, role, service_user, user,
    warehouse, world, world_named,
};
use super::grants::every_scope;
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(deleting_a_tenant_removes_its_accounts_and_access),
        case!(refused_tenant_delete_keeps_its_accounts),
        case!(deleting_a_warehouse_removes_the_grants_on_it),
        case!(deleting_a_catalog_removes_the_grants_in_it),
        case!(cascading_catalog_delete_removes_namespaces_and_contents),
    ]
}

async fn grant_count(store: &DynStore, tenant: TenantId) -> usize {
    all_grants(store, tenant).await.len()
}

async fn deleting_a_tenant_removes_its_accounts_and_access(store: DynStore) {
    let acme = super::fixtures::tenant(&store, "acme").await;
    let globex = world_named(&store, "globex").await;
    let t = acme.id;
    let root = user(&store, None, "root").await;
    let alice = user(&store, Some(t), "alice").await;
    let ci = service_user(&store, t, "ci").await;
    let key = api_key(&store, &ci, "0123456789abcdef").await;
    let readers = role(&store, t, "readers").await;
    assign(&store, &readers, Assignee::User(alice.id)).await;
    assign(&store, &readers, Assignee::Group("analysts".into())).await;
    grant(
        &store,
        t,
        Grantee::Role(readers.id),
        Action::Read,
        Scope::Tenant,
    )
    .await;
    grant(
        &store,
        t,
        Grantee::ServiceUser(ci.id),
        Action::Write,
        Scope::Tenant,
    )
    .await;
    let bob = user(&store, Some(globex.tenant.id), "alice").await;

    store.delete_tenant(t, &[]).await.unwrap();
    assert_not_found!(store.get_tenant(t).await, Tenant);
    assert_not_found!(store.get_user(Some(t), alice.id).await, User);
    assert_not_found!(store.get_service_user(t, ci.id).await, ServiceUser);
    assert_not_found!(store.get_api_key(&key.key_id).await, ApiKey);
    assert_not_found!(store.get_role(t, readers.id).await, Role);
    assert!(
        store
            .list_assignments(t, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(grant_count(&store, t).await, 0);
    assert!(
        store
            .list_users(Some(t), &PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // Root accounts and other tenants' accounts stay.
    assert_eq!(store.get_user(None, root.id).await.unwrap(), root);
    let other = store.get_user(Some(globex.tenant.id), bob.id).await;
    assert_eq!(other.unwrap(), bob);
    // The names and the key id are free again.
    let again = super::fixtures::tenant(&store, "acme").await;
    user(&store, Some(again.id), "alice").await;
    let ci = service_user(&store, again.id, "ci").await;
    api_key(&store, &ci, &key.key_id).await;
}

async fn refused_tenant_delete_keeps_its_accounts(store: DynStore) {
    let w = world(&store).await;
    let t = w.tenant.id;
    let alice = user(&store, Some(t), "alice").await;
    let ci = service_user(&store, t, "ci").await;
    let key = api_key(&store, &ci, "0123456789abcdef").await;
    let g = grant(
        &store,
        t,
        Grantee::User(alice.id),
        Action::Read,
        Scope::Tenant,
    )
    .await;
    assert_not_empty!(store.delete_tenant(t, &[]).await, Tenant);
    assert_eq!(store.get_user(Some(t), alice.id).await.unwrap(), alice);
    assert_eq!(store.get_api_key(&key.key_id).await.unwrap(), (key, ci));
    assert_eq!(store.get_grant(t, g.id).await.unwrap(), g);
}

async fn deleting_a_warehouse_removes_the_grants_on_it(store: DynStore) {
    let w = world(&store).await;
    let t = w.tenant.id;
    let spare = warehouse(&store, t, "spare").await;
    let alice = Grantee::User(user(&store, Some(t), "alice").await.id);
    let on = |warehouse| Scope::Warehouse { warehouse };
    grant(&store, t, alice.clone(), Action::Read, on(spare.id)).await;
    let in_use = grant(&store, t, alice.clone(), Action::Read, on(w.warehouse.id)).await;
    let tenant_wide = grant(&store, t, alice, Action::List, Scope::Tenant).await;

    assert_not_empty!(
        store.delete_warehouse(t, w.warehouse.id, &[]).await,
        Warehouse
    );
    assert_eq!(grant_count(&store, t).await, 3);
    store.delete_warehouse(t, spare.id, &[]).await.unwrap();
    let left = all_grants(&store, t).await;
    assert_eq!(left, vec![in_use, tenant_wide]);
}

/// Grants on every scope of `w` and on another catalog `other` of its tenant; returns the
/// ones outside `w`'s catalog.
async fn grants_around(store: &DynStore, w: &World) -> Vec<pangolin_core::model::Grant> {
    let t = w.tenant.id;
    let alice = Grantee::User(user(store, Some(t), "alice").await.id);
    let other = catalog(store, t, w.warehouse.id, "other").await;
    let mut outside = Vec::new();
    for scope in every_scope(w) {
        let made = grant(store, t, alice.clone(), Action::Read, scope).await;
        if made.scope.catalog().is_none() {
            outside.push(made);
        }
    }
    let elsewhere = Scope::Catalog { catalog: other.id };
    outside.push(grant(store, t, alice, Action::Read, elsewhere).await);
    outside
}

async fn deleting_a_catalog_removes_the_grants_in_it(store: DynStore) {
    let w = world(&store).await;
    let t = w.tenant.id;
    let outside = grants_around(&store, &w).await;
    namespace(&store, w.cid(), &["db"]).await;
    assert_not_empty!(store.delete_catalog(t, w.cid(), false, &[]).await, Catalog);
    assert_eq!(grant_count(&store, t).await, every_scope(&w).len() + 1);

    store
        .drop_namespace(w.cid(), &ns(&["db"]), &[])
        .await
        .unwrap();
    store.delete_catalog(t, w.cid(), false, &[]).await.unwrap();
    let left = all_grants(&store, t).await;
    assert_eq!(left, outside);
}

async fn cascading_catalog_delete_removes_namespaces_and_contents(store: DynStore) {
    let w = world(&store).await;
    let (t, cid, main) = (w.tenant.id, w.cid(), main_branch());
    let outside = grants_around(&store, &w).await;
    namespace(&store, cid, &["db"]).await;
    namespace(&store, cid, &["db", "sub"]).await;
    let table = ident(&["db"], "t");
    let loc = create_table(&store, cid, &main, &table).await;
    create_view(&store, cid, &main, &ident(&["db", "sub"], "v")).await;
    let dev = new_ref(cid, "dev", RefKind::Branch, head(&store, cid, &main).await);
    store.create_ref(&dev, &[]).await.unwrap();
    create_table(
        &store,
        cid,
        &dev.name,
        &ident(&["db", "sub"], "only-on-dev"),
    )
    .await;

    store.delete_catalog(t, cid, true, &[]).await.unwrap();
    assert_not_found!(store.get_catalog(t, cid).await, Catalog);
    assert_not_found!(store.get_namespace(cid, &ns(&["db"])).await, Namespace);
    assert_not_found!(store.get_ref(cid, &dev.name).await, Reference);
    assert_not_found!(store.load_metadata(cid, &loc).await, Table);
    let left = all_grants(&store, t).await;
    assert_eq!(left, outside);
    assert_not_found!(store.delete_catalog(t, cid, true, &[]).await, Catalog);

    // The table's files are free again: another catalog may put a table there.
    let again = catalog(&store, t, w.warehouse.id, "sales").await;
    namespace(&store, again.id, &["db"]).await;
    let reuse = request(again.id, &main, vec![put_new_table(&table, &loc)]);
    store.commit(&reuse).await.unwrap();
    let found = store
        .load_content(again.id, &main, &table, ContentKind::Table)
        .await;
    assert_eq!(found.unwrap().metadata_location, loc);
}
