//! Audit chains: sealing links each chain's events in (time, id) order with contiguous seqs
//! and correct hashes, continues from the head, stops at its limit, and never changes a
//! sealed event.

use pangolin_core::{PageRequest, TenantId};

use super::Case;
use super::fixtures::{assert_chain, event_at, ids, ids_of, new_tenant, read_chain};
use crate::{AuditFilter, DynStore};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(sealing_links_each_chain_in_time_order),
        case!(sealing_is_idempotent_and_continues_from_the_head),
        case!(sealing_stops_at_the_limit),
        case!(chains_read_in_pages),
        case!(sealed_events_never_change),
        case!(mutation_events_are_sealed_like_appended_ones),
    ]
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
