//! Audit chains: sealing links each chain's events in (time, id) order, exactly once, with
//! contiguous seqs and correct hashes — also with concurrent sealers and writers — and never
//! changes what lists, filters and counts show.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use pangolin_core::audit::{
    AuditChainHead, AuditEvent, AuditResult, GENESIS_HASH, SealedAuditEvent, chain_hash,
};
use pangolin_core::{AuditId, PageRequest, TenantId};

use super::Case;
use super::fixtures::{micros_now, new_tenant};
use crate::{AuditFilter, DynStore};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(sealing_links_each_chain_in_time_order),
        case!(sealing_is_idempotent_and_continues_from_the_head),
        case!(sealing_stops_at_the_limit),
        case!(chains_read_in_pages),
        case!(concurrent_sealers_never_fork_a_chain),
        case!(sealed_events_never_change),
        case!(sealing_changes_no_listing_filter_or_count),
        case!(mutation_events_are_sealed_like_appended_ones),
    ]
}

const SEALERS: usize = 8;

fn event_at(tenant: Option<TenantId>, n: u64, minutes_ago: u64) -> AuditEvent {
    let mut e = AuditEvent::new(
        tenant,
        format!("user-{}", n % 3),
        format!("action.{}", n % 4),
        format!("resource/{n}"),
        [
            AuditResult::Success,
            AuditResult::Failure,
            AuditResult::Denied,
        ][n as usize % 3],
    );
    e.time = micros_now() - Duration::from_secs(60 * minutes_ago);
    e.summary = serde_json::json!({ "n": n, "z": [1, {"b": true, "a": null}] });
    e
}

/// A whole chain, read in pages of 3.
async fn read_chain(store: &DynStore, chain: Option<TenantId>) -> Vec<SealedAuditEvent> {
    let mut all: Vec<SealedAuditEvent> = Vec::new();
    loop {
        let after = all.last().map(|r| r.seq);
        let page = store.audit_chain(chain, after, 3).await.unwrap();
        if page.is_empty() {
            return all;
        }
        assert!(page.len() <= 3, "limit ignored");
        all.extend(page);
    }
}

/// Asserts that `records` form a whole, correct chain ending at `head`.
fn assert_linked(records: &[SealedAuditEvent], head: Option<&AuditChainHead>) {
    let mut prev = GENESIS_HASH.to_owned();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, i as u64 + 1, "seqs are contiguous from 1");
        assert_eq!(r.prev_hash, prev, "seq {} links to the one before", r.seq);
        assert_eq!(r.hash, chain_hash(&r.prev_hash, &r.event), "seq {}", r.seq);
        prev = r.hash.clone();
    }
    match (records.last(), head) {
        (None, None) => {}
        (Some(last), Some(head)) => assert_eq!((head.seq, &head.hash), (last.seq, &last.hash)),
        (last, head) => panic!("last record {last:?} but head {head:?}"),
    }
}

async fn assert_chain(store: &DynStore, chain: Option<TenantId>) -> Vec<SealedAuditEvent> {
    let records = read_chain(store, chain).await;
    let head = store.audit_chain_head(chain).await.unwrap();
    assert_linked(&records, head.as_ref());
    assert!(records.iter().all(|r| r.event.tenant_id == chain));
    records
}

fn ids(records: &[SealedAuditEvent]) -> Vec<AuditId> {
    records.iter().map(|r| r.event.id).collect()
}

async fn sealing_links_each_chain_in_time_order(store: DynStore) {
    let (a, b) = (TenantId::generate(), TenantId::generate());
    // Appended out of time order; sealed oldest first.
    let events = vec![
        event_at(Some(a), 0, 5),
        event_at(Some(b), 1, 4),
        event_at(None, 2, 3),
        event_at(Some(a), 3, 9),
        event_at(Some(a), 4, 1),
        event_at(None, 5, 7),
    ];
    store.append_audit(&events).await.unwrap();
    assert!(store.audit_chain_heads().await.unwrap().is_empty());
    assert!(
        store
            .audit_chain(Some(a), None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(store.seal_audit(100).await.unwrap(), 6);
    let id = |i: usize| events[i].id;
    assert_eq!(
        ids(&assert_chain(&store, Some(a)).await),
        [id(3), id(0), id(4)]
    );
    assert_eq!(ids(&assert_chain(&store, Some(b)).await), [id(1)]);
    assert_eq!(ids(&assert_chain(&store, None).await), [id(5), id(2)]);
    let sealed = assert_chain(&store, Some(a)).await;
    assert_eq!(
        sealed[0].event, events[3],
        "sealed events round-trip exactly"
    );

    let heads = store.audit_chain_heads().await.unwrap();
    let mut expected = vec![None, Some(a), Some(b)];
    expected[1..].sort();
    assert_eq!(heads.iter().map(|h| h.chain).collect::<Vec<_>>(), expected);
    assert_eq!(heads.iter().map(|h| h.seq).sum::<u64>(), 6);
    let unknown = store.audit_chain_head(Some(TenantId::generate())).await;
    assert_eq!(unknown.unwrap(), None);
}

async fn sealing_is_idempotent_and_continues_from_the_head(store: DynStore) {
    let a = TenantId::generate();
    let first: Vec<_> = (0..3).map(|n| event_at(Some(a), n, 10 - n)).collect();
    store.append_audit(&first).await.unwrap();
    assert_eq!(store.seal_audit(100).await.unwrap(), 3);
    let before = assert_chain(&store, Some(a)).await;
    assert_eq!(store.seal_audit(100).await.unwrap(), 0);
    assert_eq!(assert_chain(&store, Some(a)).await, before);

    // Later events (even ones dated before the sealed ones) follow the head.
    let later = vec![event_at(Some(a), 7, 60), event_at(Some(a), 8, 0)];
    store.append_audit(&later).await.unwrap();
    assert_eq!(store.seal_audit(100).await.unwrap(), 2);
    let after = assert_chain(&store, Some(a)).await;
    assert_eq!(after[..3], before[..]);
    assert_eq!(ids(&after[3..]), [later[0].id, later[1].id]);
    assert_eq!(after[3].prev_hash, before[2].hash);
}

async fn sealing_stops_at_the_limit(store: DynStore) {
    let (a, b) = (TenantId::generate(), TenantId::generate());
    let events: Vec<_> = (0..5)
        .map(|n| event_at(Some(if n < 3 { a } else { b }), n, 10 - n))
        .collect();
    store.append_audit(&events).await.unwrap();
    let mut rounds = Vec::new();
    loop {
        let n = store.seal_audit(2).await.unwrap();
        rounds.push(n);
        if n == 0 {
            break;
        }
    }
    assert_eq!(rounds, [2, 2, 1, 0]);
    assert_eq!(assert_chain(&store, Some(a)).await.len(), 3);
    assert_eq!(assert_chain(&store, Some(b)).await.len(), 2);
}

async fn chains_read_in_pages(store: DynStore) {
    let a = TenantId::generate();
    let events: Vec<_> = (0..7).map(|n| event_at(Some(a), n, 20 - n)).collect();
    store.append_audit(&events).await.unwrap();
    store.seal_audit(100).await.unwrap();
    let tail = store.audit_chain(Some(a), Some(4), 100).await.unwrap();
    assert_eq!(tail.iter().map(|r| r.seq).collect::<Vec<_>>(), [5, 6, 7]);
    let window = store.audit_chain(Some(a), Some(1), 2).await.unwrap();
    assert_eq!(window.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 3]);
    assert!(
        store
            .audit_chain(Some(a), Some(7), 5)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(ids(&read_chain(&store, Some(a)).await), ids_of(&events));
}

fn ids_of(events: &[AuditEvent]) -> Vec<AuditId> {
    events.iter().map(|e| e.id).collect()
}

/// Writers keep appending while `SEALERS` tasks seal in small batches: afterwards every
/// event is in exactly one chain position and each chain is whole.
async fn concurrent_sealers_never_fork_a_chain(store: DynStore) {
    let tenants = [Some(TenantId::generate()), Some(TenantId::generate()), None];
    let writers: Vec<_> = (0..3u64)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut written = Vec::new();
                for round in 0..10u64 {
                    let batch: Vec<_> = (0..4u64)
                        .map(|i| event_at(tenants[((w + i) % 3) as usize], round * 4 + i, 0))
                        .collect();
                    store.append_audit(&batch).await.unwrap();
                    written.extend(batch.iter().map(|e| e.id));
                }
                written
            })
        })
        .collect();
    let sealers: Vec<_> = (0..SEALERS)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut sealed = 0;
                for _ in 0..30 {
                    sealed += store.seal_audit(3).await.unwrap();
                    tokio::task::yield_now().await;
                }
                sealed
            })
        })
        .collect();
    let mut written = HashSet::new();
    for w in futures::future::join_all(writers).await {
        written.extend(w.expect("writer panicked"));
    }
    let mut sealed: u64 = 0;
    for s in futures::future::join_all(sealers).await {
        sealed += s.expect("sealer panicked");
    }
    while let n @ 1.. = store.seal_audit(50).await.unwrap() {
        sealed += n;
    }
    assert_eq!(
        sealed,
        written.len() as u64,
        "each event sealed exactly once"
    );

    let mut seen: BTreeMap<AuditId, u64> = BTreeMap::new();
    for chain in tenants {
        for r in assert_chain(&store, chain).await {
            assert!(seen.insert(r.event.id, r.seq).is_none(), "sealed twice");
        }
    }
    let seen: HashSet<AuditId> = seen.into_keys().collect();
    assert_eq!(seen, written);
}

async fn sealed_events_never_change(store: DynStore) {
    let a = TenantId::generate();
    let original = event_at(Some(a), 1, 3);
    store
        .append_audit(std::slice::from_ref(&original))
        .await
        .unwrap();
    // Unsealed, a rewrite of the same id replaces the event.
    let mut rewritten = original.clone();
    rewritten.action = "action.rewritten".into();
    store
        .append_audit(std::slice::from_ref(&rewritten))
        .await
        .unwrap();
    store.seal_audit(10).await.unwrap();
    // Sealed, it is kept as sealed.
    let mut late = rewritten.clone();
    late.principal = "mallory".into();
    store
        .append_audit(std::slice::from_ref(&late))
        .await
        .unwrap();
    let tenant = new_tenant("acme");
    store
        .create_tenant(&tenant, std::slice::from_ref(&late))
        .await
        .unwrap();

    let chain = assert_chain(&store, Some(a)).await;
    assert_eq!(chain.len(), 1);
    assert_eq!(chain[0].event, rewritten);
    let listed = store
        .list_audit(&AuditFilter::default(), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(listed.items, vec![rewritten]);
    assert_eq!(store.seal_audit(10).await.unwrap(), 0);
}

async fn sealing_changes_no_listing_filter_or_count(store: DynStore) {
    let (a, b) = (TenantId::generate(), TenantId::generate());
    let events: Vec<_> = (0..12)
        .map(|n| event_at([Some(a), Some(b), None][n as usize % 3], n, 30 - n))
        .collect();
    store.append_audit(&events).await.unwrap();
    let filters = [
        AuditFilter::default(),
        AuditFilter {
            tenant: Some(a),
            ..Default::default()
        },
        AuditFilter {
            principal: Some("user-1".into()),
            result: Some(AuditResult::Failure),
            ..Default::default()
        },
        AuditFilter {
            tenant: Some(b),
            action: Some("action.1".into()),
            ..Default::default()
        },
        AuditFilter {
            resource: Some("resource/4".into()),
            ..Default::default()
        },
        AuditFilter {
            since: Some(events[3].time),
            until: Some(events[9].time),
            ..Default::default()
        },
        AuditFilter {
            tenant: Some(TenantId::generate()),
            ..Default::default()
        },
    ];
    let unsealed = observe(&store, &filters).await;
    assert_eq!(unsealed[0].len(), 12);
    assert_eq!(unsealed[1].len(), 4);
    assert_eq!(unsealed[5].len(), 6);
    assert!(unsealed[6].is_empty());
    store.seal_audit(5).await.unwrap();
    assert_eq!(observe(&store, &filters).await, unsealed, "half sealed");
    store.seal_audit(100).await.unwrap();
    assert_eq!(observe(&store, &filters).await, unsealed, "all sealed");
}

/// What each filter lists, checking that its count matches.
async fn observe(store: &DynStore, filters: &[AuditFilter]) -> Vec<Vec<AuditEvent>> {
    let mut seen = Vec::new();
    for f in filters {
        let listed = store.list_audit(f, &PageRequest::all()).await.unwrap();
        let count = store.count_audit(f).await.unwrap();
        assert_eq!(
            count,
            listed.items.len() as u64,
            "count matches list: {f:?}"
        );
        seen.push(listed.items);
    }
    seen
}

async fn mutation_events_are_sealed_like_appended_ones(store: DynStore) {
    let tenant = new_tenant("acme");
    let created = event_at(Some(tenant.id), 1, 2);
    store
        .create_tenant(&tenant, std::slice::from_ref(&created))
        .await
        .unwrap();
    let denied = event_at(Some(tenant.id), 2, 1);
    store
        .append_audit(std::slice::from_ref(&denied))
        .await
        .unwrap();
    assert_eq!(store.seal_audit(10).await.unwrap(), 2);
    let chain = assert_chain(&store, Some(tenant.id)).await;
    assert_eq!(ids(&chain), [created.id, denied.id]);
}
