//! Service users: round-trips, the tier rule, unique names per tenant, tenant scoping,
//! updates and listing.

use std::time::Duration;

use pangolin_core::model::Tier;
use pangolin_core::{Error, PageRequest, ServiceUserId};

use super::Case;
use super::fixtures::{collect_pages, name, new_service_user, new_tenant, service_user, tenant};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(service_user_round_trips_exactly),
        case!(service_user_refusals_are_typed),
        case!(service_user_of_another_tenant_is_not_found),
        case!(service_user_update_replaces_its_fields),
        case!(service_users_are_listed_by_name_in_pages),
    ]
}

async fn service_user_round_trips_exactly(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let mut ci = new_service_user(acme.id, "ci ✓");
    ci.description = Some("builds the lake — nightly".into());
    ci.tier = Tier::TenantAdmin;
    ci.disabled = true;
    store.create_service_user(&ci, &[]).await.unwrap();
    let bare = service_user(&store, acme.id, "etl").await;

    assert_eq!(store.get_service_user(acme.id, ci.id).await.unwrap(), ci);
    assert_eq!(
        store.get_service_user(acme.id, bare.id).await.unwrap(),
        bare
    );
    let listed = store.list_service_users(acme.id, &PageRequest::all()).await;
    let listed = listed.unwrap();
    assert_eq!(listed.items, vec![ci, bare]);
    assert!(listed.next.is_none());
}

async fn service_user_refusals_are_typed(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let mut root = new_service_user(acme.id, "root");
    root.tier = Tier::Root;
    assert_err!(
        store.create_service_user(&root, &[]).await,
        Error::InvalidInput(_)
    );
    let ghost = new_tenant("ghost");
    let orphan = new_service_user(ghost.id, "ci");
    assert_not_found!(store.create_service_user(&orphan, &[]).await, Tenant);

    let first = service_user(&store, acme.id, "ci").await;
    let again = new_service_user(acme.id, "ci");
    assert_already_exists!(store.create_service_user(&again, &[]).await, ServiceUser);
    let mut same_id = new_service_user(acme.id, "cd");
    same_id.id = first.id;
    assert_already_exists!(store.create_service_user(&same_id, &[]).await, ServiceUser);
    service_user(&store, globex.id, "ci").await;

    let mut promoted = first.clone();
    promoted.tier = Tier::Root;
    assert_err!(
        store.update_service_user(&promoted, &[]).await,
        Error::InvalidInput(_)
    );
    assert_eq!(
        store.get_service_user(acme.id, first.id).await.unwrap(),
        first
    );
    let page = store.list_service_users(acme.id, &PageRequest::all()).await;
    assert_eq!(page.unwrap().items, vec![first]);
}

async fn service_user_of_another_tenant_is_not_found(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let ci = service_user(&store, acme.id, "ci").await;
    assert_not_found!(store.get_service_user(globex.id, ci.id).await, ServiceUser);
    let mut hijack = ci.clone();
    hijack.tenant_id = globex.id;
    hijack.name = name("mallory");
    assert_not_found!(store.update_service_user(&hijack, &[]).await, ServiceUser);
    assert_not_found!(
        store.delete_service_user(globex.id, ci.id, &[]).await,
        ServiceUser
    );
    let listed = store
        .list_service_users(globex.id, &PageRequest::all())
        .await;
    assert!(listed.unwrap().items.is_empty());
    assert_eq!(store.get_service_user(acme.id, ci.id).await.unwrap(), ci);
    let missing = ServiceUserId::generate();
    assert_not_found!(store.get_service_user(acme.id, missing).await, ServiceUser);
    assert_not_found!(
        store.delete_service_user(acme.id, missing, &[]).await,
        ServiceUser
    );
}

async fn service_user_update_replaces_its_fields(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let original = service_user(&store, acme.id, "ci").await;
    let taken = service_user(&store, acme.id, "cd").await;
    let mut changed = original.clone();
    changed.name = name("ci-renamed ✓");
    changed.description = Some("renamed".into());
    changed.tier = Tier::TenantAdmin;
    changed.disabled = true;
    changed.updated_at = original.updated_at + Duration::from_micros(1_234_567);
    let mut sent = changed.clone();
    // Not replaced: the creation time stays.
    sent.created_at = original.created_at + Duration::from_secs(60);
    store.update_service_user(&sent, &[]).await.unwrap();
    let stored = store.get_service_user(acme.id, original.id).await;
    assert_eq!(stored.unwrap(), changed);

    let mut clash = changed.clone();
    clash.name = taken.name.clone();
    assert_already_exists!(store.update_service_user(&clash, &[]).await, ServiceUser);
    let ghost = new_service_user(acme.id, "ghost");
    assert_not_found!(store.update_service_user(&ghost, &[]).await, ServiceUser);
}

async fn service_users_are_listed_by_name_in_pages(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    for n in ["é", "a", "Z", "_x", "B"] {
        service_user(&store, acme.id, n).await;
    }
    service_user(&store, globex.id, "a").await;
    let all = store.list_service_users(acme.id, &PageRequest::all()).await;
    let names: Vec<_> = all
        .unwrap()
        .items
        .iter()
        .map(|u| u.name.to_string())
        .collect();
    assert_eq!(names, ["B", "Z", "_x", "a", "é"]);
    let s = &store;
    let walked = collect_pages(
        2,
        |p| async move { s.list_service_users(acme.id, &p).await },
    )
    .await;
    let walked: Vec<_> = walked.iter().map(|u| u.name.to_string()).collect();
    assert_eq!(walked, names);
}
