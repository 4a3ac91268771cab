//! The server's signing keys (lifecycle, order) and the token revocation list (`since`,
//! `now`, first record wins, purge).

use std::time::Duration;

use super::Case;
use super::fixtures::{micros_now, new_signing_key, revoked};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(signing_key_lifecycle),
        case!(signing_keys_are_listed_by_creation_then_kid),
        case!(revoked_tokens_filter_by_since_and_now),
        case!(revoking_a_token_again_keeps_the_first_record),
        case!(purging_forgets_exactly_the_expired_revocations),
    ]
}

async fn signing_key_lifecycle(store: DynStore) {
    let created = micros_now();
    let key = new_signing_key("k-2026-01", created);
    store.create_signing_key(&key, &[]).await.unwrap();
    assert_eq!(store.list_signing_keys().await.unwrap(), vec![key.clone()]);
    let mut dup = new_signing_key("k-2026-01", created + Duration::from_secs(1));
    dup.algorithm = "ES256".into();
    assert_already_exists!(store.create_signing_key(&dup, &[]).await, SigningKey);

    // Only the retirement and expiry times change.
    let mut retired = key.clone();
    retired.retired_at = Some(created + Duration::from_micros(1_000_001));
    retired.expires_at = Some(created + Duration::from_secs(86_400));
    let mut sent = retired.clone();
    sent.algorithm = "ES256".into();
    sent.public_key = vec![1, 2, 3];
    sent.created_at = created + Duration::from_secs(9);
    store.update_signing_key(&sent, &[]).await.unwrap();
    assert_eq!(
        store.list_signing_keys().await.unwrap(),
        vec![retired.clone()]
    );
    // And back: a key can be un-retired.
    store.update_signing_key(&key, &[]).await.unwrap();
    assert_eq!(store.list_signing_keys().await.unwrap(), vec![key.clone()]);

    let ghost = new_signing_key("ghost", created);
    assert_not_found!(store.update_signing_key(&ghost, &[]).await, SigningKey);
    assert_not_found!(store.delete_signing_key("ghost", &[]).await, SigningKey);
    store.delete_signing_key(&key.kid, &[]).await.unwrap();
    assert!(store.list_signing_keys().await.unwrap().is_empty());
    assert_not_found!(store.delete_signing_key(&key.kid, &[]).await, SigningKey);
}

async fn signing_keys_are_listed_by_creation_then_kid(store: DynStore) {
    let t0 = micros_now();
    let later = t0 + Duration::from_micros(3);
    let keys = [
        new_signing_key("b", t0),
        new_signing_key("a", later),
        new_signing_key("c", t0),
        new_signing_key("B", t0),
    ];
    for key in &keys {
        store.create_signing_key(key, &[]).await.unwrap();
    }
    let kids: Vec<String> = store
        .list_signing_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.kid)
        .collect();
    assert_eq!(kids, ["B", "b", "c", "a"]);
}

async fn revoked_tokens_filter_by_since_and_now(store: DynStore) {
    let now = micros_now();
    let s = |secs: u64| now - Duration::from_secs(secs);
    let f = |secs: u64| now + Duration::from_secs(secs);
    let tokens = [
        revoked("old", s(300), f(60)),
        revoked("b-recent", s(10), f(60)),
        revoked("a-recent", s(10), f(120)),
        revoked("newest", s(1), f(1)),
        // Expired: exactly at `now`, and before it.
        revoked("ends-now", s(5), now),
        revoked("gone", s(5), s(1)),
    ];
    for token in &tokens {
        store.revoke_token(token, &[]).await.unwrap();
    }
    let jtis = |list: Vec<pangolin_core::model::RevokedToken>| {
        list.into_iter().map(|t| t.jti).collect::<Vec<_>>()
    };
    let all = store.list_revoked_tokens(None, now).await.unwrap();
    assert_eq!(all[0], tokens[0]);
    assert_eq!(jtis(all), ["old", "a-recent", "b-recent", "newest"]);
    let since = store.list_revoked_tokens(Some(s(10)), now).await.unwrap();
    assert_eq!(jtis(since), ["a-recent", "b-recent", "newest"]);
    let later = store
        .list_revoked_tokens(Some(s(300)), f(61))
        .await
        .unwrap();
    assert_eq!(jtis(later), ["a-recent"]);
    let before = store.list_revoked_tokens(None, s(10)).await.unwrap();
    let expected = ["old", "a-recent", "b-recent", "ends-now", "gone", "newest"];
    assert_eq!(jtis(before), expected);
}

async fn revoking_a_token_again_keeps_the_first_record(store: DynStore) {
    let now = micros_now();
    let first = revoked("jti-1", now, now + Duration::from_secs(60));
    store.revoke_token(&first, &[]).await.unwrap();
    let second = revoked(
        "jti-1",
        now + Duration::from_secs(1),
        now + Duration::from_secs(600),
    );
    store.revoke_token(&second, &[]).await.unwrap();
    let listed = store.list_revoked_tokens(None, now).await.unwrap();
    assert_eq!(listed, vec![first]);
}

async fn purging_forgets_exactly_the_expired_revocations(store: DynStore) {
    let now = micros_now();
    let live = revoked("live", now, now + Duration::from_micros(1));
    for token in [
        revoked("ends-now", now, now),
        revoked("gone", now, now - Duration::from_secs(1)),
        live.clone(),
    ] {
        store.revoke_token(&token, &[]).await.unwrap();
    }
    assert_eq!(store.purge_revoked_tokens(now).await.unwrap(), 2);
    assert_eq!(store.purge_revoked_tokens(now).await.unwrap(), 0);
    let past = now - Duration::from_secs(10);
    assert_eq!(
        store.list_revoked_tokens(None, past).await.unwrap(),
        vec![live]
    );
}
