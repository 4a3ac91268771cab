//! API keys: the request path's lookup (key and service user in one read), store-wide
//! unique key ids, tenant scoping, listing and revocation.

use std::time::Duration;

use pangolin_core::ServiceUserId;
use pangolin_core::model::ApiKey;

use super::Case;
use super::fixtures::{
    api_key, collect_pages, micros_now, new_api_key, new_service_user, service_user, tenant,
};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(api_key_lookup_returns_the_key_and_its_service_user),
        case!(api_key_refusals_are_typed),
        case!(api_keys_are_listed_by_key_id_in_pages),
        case!(revoking_a_key_keeps_the_first_time),
    ]
}

async fn api_key_lookup_returns_the_key_and_its_service_user(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let ci = service_user(&store, acme.id, "ci").await;
    let key = api_key(&store, &ci, "0123456789abcdef").await;
    let mut bare = new_api_key(&ci, "fedcba9876543210");
    (bare.name, bare.expires_at) = (None, None);
    store.create_api_key(&bare, &[]).await.unwrap();

    assert_eq!(
        store.get_api_key(&key.key_id).await.unwrap(),
        (key.clone(), ci.clone())
    );
    assert_eq!(store.get_api_key(&bare.key_id).await.unwrap(), (bare, ci));
    // The lookup compares the id exactly.
    assert_not_found!(store.get_api_key("0123456789ABCDEF").await, ApiKey);
    assert_not_found!(store.get_api_key("").await, ApiKey);
}

async fn api_key_refusals_are_typed(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let ci = service_user(&store, acme.id, "ci").await;
    let theirs = service_user(&store, globex.id, "ci").await;
    api_key(&store, &ci, "0123456789abcdef").await;

    // Another tenant's service user, or none: not found either way.
    let mut crossed = new_api_key(&theirs, "1111111111111111");
    crossed.tenant_id = acme.id;
    assert_not_found!(store.create_api_key(&crossed, &[]).await, ServiceUser);
    let ghost = new_api_key(&new_service_user(acme.id, "ghost"), "2222222222222222");
    assert_not_found!(store.create_api_key(&ghost, &[]).await, ServiceUser);
    // Key ids are unique store-wide, not per tenant.
    let reused = new_api_key(&theirs, "0123456789abcdef");
    assert_already_exists!(store.create_api_key(&reused, &[]).await, ApiKey);
    let (found, owner) = store.get_api_key("0123456789abcdef").await.unwrap();
    assert_eq!((found.tenant_id, owner.id), (acme.id, ci.id));
    assert_not_found!(store.get_api_key("1111111111111111").await, ApiKey);
}

async fn api_keys_are_listed_by_key_id_in_pages(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let ci = service_user(&store, acme.id, "ci").await;
    let cd = service_user(&store, acme.id, "cd").await;
    let now = micros_now();
    let mut mine = Vec::new();
    for id in ["c000000000000000", "a000000000000000", "b000000000000000"] {
        mine.push(api_key(&store, &ci, id).await);
    }
    // Expired and revoked keys are listed too.
    let mut expired = new_api_key(&ci, "0000000000000000");
    expired.expires_at = Some(now - Duration::from_secs(1));
    store.create_api_key(&expired, &[]).await.unwrap();
    let revoked = store
        .revoke_api_key(acme.id, "b000000000000000", now, &[])
        .await
        .unwrap();
    api_key(&store, &cd, "d000000000000000").await;
    mine[2] = revoked;
    mine.push(expired);
    mine.sort_by(|a, b| a.key_id.cmp(&b.key_id));

    let s = &store;
    let walked = collect_pages(
        1,
        |p| async move { s.list_api_keys(acme.id, ci.id, &p).await },
    )
    .await;
    assert_eq!(walked, mine);
    let all = store
        .list_api_keys(acme.id, ci.id, &Default::default())
        .await;
    assert_eq!(all.unwrap().items, mine);

    let elsewhere = store
        .list_api_keys(globex.id, ci.id, &Default::default())
        .await;
    assert_not_found!(elsewhere, ServiceUser);
    let missing = ServiceUserId::generate();
    let none = store
        .list_api_keys(acme.id, missing, &Default::default())
        .await;
    assert_not_found!(none, ServiceUser);
}

async fn revoking_a_key_keeps_the_first_time(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let ci = service_user(&store, acme.id, "ci").await;
    let key = api_key(&store, &ci, "0123456789abcdef").await;
    let first = micros_now();

    let wrong_tenant = store
        .revoke_api_key(globex.id, &key.key_id, first, &[])
        .await;
    assert_not_found!(wrong_tenant, ApiKey);
    let unknown = store
        .revoke_api_key(acme.id, "ffffffffffffffff", first, &[])
        .await;
    assert_not_found!(unknown, ApiKey);
    assert_eq!(store.get_api_key(&key.key_id).await.unwrap().0, key);

    let expected = ApiKey {
        revoked_at: Some(first),
        ..key.clone()
    };
    let revoked = store.revoke_api_key(acme.id, &key.key_id, first, &[]).await;
    assert_eq!(revoked.unwrap(), expected);
    let later = first + Duration::from_secs(5);
    let again = store.revoke_api_key(acme.id, &key.key_id, later, &[]).await;
    assert_eq!(again.unwrap(), expected);
    let (stored, _) = store.get_api_key(&key.key_id).await.unwrap();
    assert_eq!(stored, expected);
    assert!(!stored.is_active(later));
}
