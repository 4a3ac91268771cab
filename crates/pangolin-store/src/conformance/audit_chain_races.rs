//! Audit chains under concurrency and for readers: racing sealers and writers never fork a
//! chain (every event sealed exactly once, seqs contiguous), and sealing changes nothing that
//! lists, filters and counts show.

use std::collections::{BTreeMap, HashSet};

use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::{AuditId, PageRequest, TenantId};

use super::Case;
use super::fixtures::{assert_chain, event_at};
use crate::{AuditFilter, DynStore};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(concurrent_sealers_never_fork_a_chain),
        case!(sealing_changes_no_listing_filter_or_count),
    ]
}

const SEALERS: usize = 8;

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
