//! Users: round-trips, validation, uniqueness of names (per tenant and among root accounts)
//! and of external identities (store-wide), tenant scoping, updates and listing.

use std::time::Duration;

use pangolin_core::model::Tier;
use pangolin_core::{Error, PageRequest, TenantId, UserId};

use super::Case;
use super::fixtures::{
    collect_pages, external, full_user, new_tenant, new_user, tenant, user, username,
};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(user_round_trips_exactly),
        case!(invalid_user_is_refused),
        case!(user_needs_its_tenant),
        case!(duplicate_user_name_is_already_exists_within_a_tenant_only),
        case!(root_accounts_are_kept_apart_from_tenant_accounts),
        case!(external_identity_is_unique_store_wide),
        case!(user_of_another_tenant_is_not_found),
        case!(user_update_replaces_all_but_identity),
        case!(users_are_listed_by_name_in_pages),
    ]
}

async fn user_round_trips_exactly(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let full = full_user(Some(acme.id), "zoë@example.com");
    store.create_user(&full, &[]).await.unwrap();
    let bare = user(&store, Some(acme.id), "bob").await;

    assert_eq!(store.get_user(Some(acme.id), full.id).await.unwrap(), full);
    let by_name = store.get_user_by_name(Some(acme.id), &full.name).await;
    assert_eq!(by_name.unwrap(), full);
    let linked = full.external.clone().unwrap();
    assert_eq!(store.get_user_by_external(&linked).await.unwrap(), full);
    assert_eq!(store.get_user(Some(acme.id), bare.id).await.unwrap(), bare);
    let listed = store.list_users(Some(acme.id), &PageRequest::all()).await;
    let listed = listed.unwrap();
    assert_eq!(listed.items, vec![bare, full]);
    assert!(listed.next.is_none());
}

async fn invalid_user_is_refused(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let mut root_in_tenant = new_user(Some(acme.id), "root");
    root_in_tenant.tier = Tier::Root;
    assert_err!(
        store.create_user(&root_in_tenant, &[]).await,
        Error::InvalidInput(_)
    );
    let mut homeless = new_user(None, "nobody");
    homeless.tier = Tier::TenantAdmin;
    assert_err!(
        store.create_user(&homeless, &[]).await,
        Error::InvalidInput(_)
    );

    let stored = user(&store, Some(acme.id), "alice").await;
    let mut promoted = stored.clone();
    promoted.tier = Tier::Root;
    assert_err!(
        store.update_user(&promoted, &[]).await,
        Error::InvalidInput(_)
    );
    assert_eq!(
        store.get_user(Some(acme.id), stored.id).await.unwrap(),
        stored
    );
    assert_eq!(store.count_root_users().await.unwrap(), 0);
}

async fn user_needs_its_tenant(store: DynStore) {
    let ghost = new_tenant("ghost");
    let orphan = new_user(Some(ghost.id), "alice");
    assert_not_found!(store.create_user(&orphan, &[]).await, Tenant);
    assert_not_found!(store.get_user(Some(ghost.id), orphan.id).await, User);
}

async fn duplicate_user_name_is_already_exists_within_a_tenant_only(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let first = user(&store, Some(acme.id), "alice").await;
    let again = new_user(Some(acme.id), "alice");
    assert_already_exists!(store.create_user(&again, &[]).await, User);
    let mut same_id = new_user(Some(acme.id), "alice-2");
    same_id.id = first.id;
    assert_already_exists!(store.create_user(&same_id, &[]).await, User);
    // Names compare exactly: another case is another name.
    user(&store, Some(acme.id), "Alice").await;
    let elsewhere = user(&store, Some(globex.id), "alice").await;

    let name = username("alice");
    let in_acme = store.get_user_by_name(Some(acme.id), &name).await;
    assert_eq!(in_acme.unwrap(), first);
    let in_globex = store.get_user_by_name(Some(globex.id), &name).await;
    assert_eq!(in_globex.unwrap(), elsewhere);
    assert_not_found!(store.get_user(Some(acme.id), again.id).await, User);
}

async fn root_accounts_are_kept_apart_from_tenant_accounts(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    assert_eq!(store.count_root_users().await.unwrap(), 0);
    let root = user(&store, None, "admin").await;
    let tenant_admin = user(&store, Some(acme.id), "admin").await;
    assert_already_exists!(store.create_user(&new_user(None, "admin"), &[]).await, User);
    let other_root = user(&store, None, "operator").await;
    assert_eq!(store.count_root_users().await.unwrap(), 2);

    let name = username("admin");
    assert_eq!(store.get_user_by_name(None, &name).await.unwrap(), root);
    let scoped = store.get_user_by_name(Some(acme.id), &name).await;
    assert_eq!(scoped.unwrap(), tenant_admin);
    assert_not_found!(store.get_user(None, tenant_admin.id).await, User);
    assert_not_found!(store.get_user(Some(acme.id), root.id).await, User);
    assert_not_found!(store.delete_user(Some(acme.id), root.id, &[]).await, User);
    let roots = store.list_users(None, &PageRequest::all()).await.unwrap();
    assert_eq!(roots.items, vec![root.clone(), other_root]);
    let tenants = store.list_users(Some(acme.id), &PageRequest::all()).await;
    assert_eq!(tenants.unwrap().items, vec![tenant_admin.clone()]);

    store.delete_user(None, root.id, &[]).await.unwrap();
    assert_eq!(store.count_root_users().await.unwrap(), 1);
    let kept = store.get_user(Some(acme.id), tenant_admin.id).await;
    assert_eq!(kept.unwrap(), tenant_admin);
}

async fn external_identity_is_unique_store_wide(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let mut linked = new_user(Some(acme.id), "alice");
    linked.external = Some(external("https://idp.example.com", "sub-1"));
    store.create_user(&linked, &[]).await.unwrap();

    let mut copycat = new_user(Some(globex.id), "alice");
    copycat.external = linked.external.clone();
    assert_already_exists!(store.create_user(&copycat, &[]).await, User);
    // The same subject at another issuer is another identity.
    copycat.external = Some(external("https://other.example.com", "sub-1"));
    store.create_user(&copycat, &[]).await.unwrap();

    let found = store
        .get_user_by_external(linked.external.as_ref().unwrap())
        .await;
    assert_eq!(found.unwrap(), linked);
    let unknown = external("https://idp.example.com", "sub-2");
    assert_not_found!(store.get_user_by_external(&unknown).await, User);

    let mut taker = user(&store, Some(acme.id), "bob").await;
    taker.external = linked.external.clone();
    assert_already_exists!(store.update_user(&taker, &[]).await, User);
    taker.external = Some(unknown.clone());
    store.update_user(&taker, &[]).await.unwrap();
    assert_eq!(store.get_user_by_external(&unknown).await.unwrap(), taker);
}

async fn user_of_another_tenant_is_not_found(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let alice = user(&store, Some(acme.id), "alice").await;
    let (g, id) = (Some(globex.id), alice.id);
    assert_not_found!(store.get_user(g, id).await, User);
    assert_not_found!(store.get_user_by_name(g, &alice.name).await, User);
    let mut hijack = alice.clone();
    hijack.tenant_id = g;
    hijack.name = username("mallory");
    assert_not_found!(store.update_user(&hijack, &[]).await, User);
    assert_not_found!(store.delete_user(g, id, &[]).await, User);
    let listed = store.list_users(g, &PageRequest::all()).await.unwrap();
    assert!(listed.items.is_empty());
    assert_eq!(store.get_user(Some(acme.id), id).await.unwrap(), alice);
    assert_not_found!(
        store.get_user(Some(acme.id), UserId::generate()).await,
        User
    );
}

async fn user_update_replaces_all_but_identity(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let original = user(&store, Some(acme.id), "alice").await;
    let taken = user(&store, Some(acme.id), "bob").await;
    let mut changed = full_user(Some(acme.id), "alice.smith");
    changed.id = original.id;
    changed.tier = Tier::TenantAdmin;
    changed.created_at = original.created_at + Duration::from_secs(60);
    changed.updated_at = original.updated_at + Duration::from_micros(1_234_567);
    store.update_user(&changed, &[]).await.unwrap();

    let stored = store.get_user(Some(acme.id), original.id).await.unwrap();
    let expected = pangolin_core::model::User {
        created_at: original.created_at,
        ..changed.clone()
    };
    assert_eq!(stored, expected);
    assert_not_found!(
        store.get_user_by_name(Some(acme.id), &original.name).await,
        User
    );

    let mut clash = stored.clone();
    clash.name = taken.name.clone();
    assert_already_exists!(store.update_user(&clash, &[]).await, User);
    let ghost = new_user(Some(acme.id), "ghost");
    assert_not_found!(store.update_user(&ghost, &[]).await, User);
    assert_not_found!(store.delete_user(Some(acme.id), ghost.id, &[]).await, User);
    let wrong_tenant = new_user(Some(TenantId::generate()), "x");
    assert_not_found!(store.update_user(&wrong_tenant, &[]).await, User);
}

/// Bytewise order, page by page.
async fn users_are_listed_by_name_in_pages(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    for n in ["é", "a@x", "Z", "_x", "B"] {
        user(&store, Some(acme.id), n).await;
    }
    user(&store, None, "root").await;
    let all = store.list_users(Some(acme.id), &PageRequest::all()).await;
    let names: Vec<_> = all
        .unwrap()
        .items
        .iter()
        .map(|u| u.name.to_string())
        .collect();
    assert_eq!(names, ["B", "Z", "_x", "a@x", "é"]);
    let s = &store;
    let walked = collect_pages(2, |p| async move { s.list_users(Some(acme.id), &p).await }).await;
    let walked: Vec<_> = walked.iter().map(|u| u.name.to_string()).collect();
    assert_eq!(walked, names);
}
