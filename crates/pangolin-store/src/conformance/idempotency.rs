//! Idempotency records: remembered until they expire, never overwritten while live, purged
//! once expired.

use std::time::Duration;

use pangolin_core::Timestamp;

use super::Case;
use super::fixtures::micros_now;
use crate::{DynStore, IdempotencyRecord};

const HOUR: Duration = Duration::from_secs(3600);

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(stored_record_is_returned_until_it_expires),
        case!(live_record_is_not_replaced),
        case!(expired_record_may_be_replaced),
        case!(purge_deletes_only_expired_records),
    ]
}

fn record(scope: &str, key: &str, created_at: Timestamp, ttl: Duration) -> IdempotencyRecord {
    IdempotencyRecord {
        scope: scope.into(),
        key: key.into(),
        fingerprint: format!("sha256:{scope}:{key}"),
        status: 200,
        body: r#"{"metadata-location":"file:///x","ünï":"✓"}"#.into(),
        created_at,
        expires_at: created_at + ttl,
    }
}

async fn stored_record_is_returned_until_it_expires(store: DynStore) {
    let now = micros_now();
    let rec = record("tenant-a/sales", "key-1", now, HOUR);
    assert!(store.put_idempotency(&rec).await.unwrap());

    let read = store
        .get_idempotency("tenant-a/sales", "key-1", now)
        .await
        .unwrap();
    assert_eq!(read, Some(rec.clone()));
    let just_before = rec.expires_at - Duration::from_micros(1);
    let still = store
        .get_idempotency("tenant-a/sales", "key-1", just_before)
        .await
        .unwrap();
    assert_eq!(still, Some(rec.clone()));
    let after = rec.expires_at + Duration::from_secs(1);
    assert_eq!(
        store
            .get_idempotency("tenant-a/sales", "key-1", after)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .get_idempotency("tenant-b/sales", "key-1", now)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .get_idempotency("tenant-a/sales", "key-2", now)
            .await
            .unwrap(),
        None
    );
}

async fn live_record_is_not_replaced(store: DynStore) {
    let now = micros_now();
    let original = record("s", "k", now, HOUR);
    assert!(store.put_idempotency(&original).await.unwrap());
    let mut other = record("s", "k", now + Duration::from_secs(60), HOUR);
    other.status = 409;
    other.body = "{}".into();
    assert!(!store.put_idempotency(&other).await.unwrap());
    let read = store
        .get_idempotency("s", "k", now + Duration::from_secs(61))
        .await
        .unwrap();
    assert_eq!(read, Some(original));

    let elsewhere = record("other-scope", "k", now, HOUR);
    assert!(store.put_idempotency(&elsewhere).await.unwrap());
    assert_eq!(
        store
            .get_idempotency("other-scope", "k", now)
            .await
            .unwrap(),
        Some(elsewhere)
    );
}

async fn expired_record_may_be_replaced(store: DynStore) {
    let long_ago = micros_now() - 2 * HOUR;
    let stale = record("s", "k", long_ago, HOUR);
    assert!(store.put_idempotency(&stale).await.unwrap());
    let now = micros_now();
    let fresh = record("s", "k", now, HOUR);
    assert!(store.put_idempotency(&fresh).await.unwrap());
    assert_eq!(
        store.get_idempotency("s", "k", now).await.unwrap(),
        Some(fresh)
    );
    let at_old_time = long_ago + Duration::from_secs(1);
    let read_back = store.get_idempotency("s", "k", at_old_time).await.unwrap();
    assert_eq!(
        read_back.map(|r| r.created_at),
        Some(now),
        "the stale record was replaced"
    );
}

async fn purge_deletes_only_expired_records(store: DynStore) {
    let now = micros_now();
    let expired = [
        record("s", "old-1", now - 3 * HOUR, HOUR),
        record("s", "old-2", now - 2 * HOUR, Duration::from_secs(60)),
    ];
    let live = [
        record("s", "live", now, HOUR),
        record("t", "old-1", now - HOUR / 2, HOUR),
    ];
    for r in expired.iter().chain(&live) {
        assert!(store.put_idempotency(r).await.unwrap());
    }
    assert_eq!(store.purge_idempotency(now).await.unwrap(), 2);
    for r in &expired {
        let before_expiry = r.created_at + Duration::from_secs(1);
        let gone = store
            .get_idempotency(&r.scope, &r.key, before_expiry)
            .await
            .unwrap();
        assert_eq!(gone, None, "{} was purged", r.key);
    }
    for r in &live {
        let kept = store.get_idempotency(&r.scope, &r.key, now).await.unwrap();
        assert_eq!(kept.as_ref(), Some(r));
    }
    assert_eq!(store.purge_idempotency(now).await.unwrap(), 0);
}
