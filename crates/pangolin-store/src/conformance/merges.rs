//! `MergeStore`: merge operations round-trip with their conflicts, stay inside their catalog,
//! list newest first by status, change only while open (one winner when racing) and go with
//! their catalog.

use pangolin_core::model::{MergeOperation, MergeStatus, Resolution};
use pangolin_core::{CatalogId, CommitId, Error, MergeId, PageRequest, PageToken};

use super::Case;
use super::fixtures::{
    catalog, collect_pages, event, merge_op, micros_now, open_merge, world, world_named,
};
use crate::{AuditFilter, DynStore};

const RACERS: usize = 16;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(merge_operation_round_trips_with_its_audit_events),
        case!(merge_operations_are_invisible_to_other_catalogs),
        case!(merge_operations_are_listed_newest_first_by_status),
        case!(an_open_merge_is_resolved_then_aborted_and_then_refuses_changes),
        case!(racing_updates_of_one_merge_have_exactly_one_winner),
        case!(deleting_a_catalog_deletes_its_merge_operations),
    ]
}

async fn audit_actions(store: &DynStore) -> Vec<String> {
    let (filter, all) = (AuditFilter::default(), PageRequest::all());
    let events = store.list_audit(&filter, &all).await.unwrap().items;
    events.into_iter().map(|e| e.action).collect()
}

async fn merge_operation_round_trips_with_its_audit_events(store: DynStore) {
    let w = world(&store).await;
    let (h, other) = (CommitId::generate(), CommitId::generate());
    let mut op = merge_op(w.cid(), h, other, None);
    op.updated_at = op.created_at + std::time::Duration::from_micros(3);
    let created = event(Some(w.tenant.id), "merge.create");
    store.create_merge(&op, &[created]).await.unwrap();
    assert_eq!(store.get_merge(w.cid(), op.id).await.unwrap(), op);

    let dup = event(Some(w.tenant.id), "merge.duplicate");
    assert_already_exists!(store.create_merge(&op, &[dup]).await, Merge);
    let mut orphan = merge_op(CatalogId::generate(), h, other, Some(h));
    assert_not_found!(store.create_merge(&orphan, &[]).await, Catalog);
    orphan.catalog_id = w.cid();
    store.create_merge(&orphan, &[]).await.unwrap();
    assert_eq!(store.get_merge(w.cid(), orphan.id).await.unwrap(), orphan);
    assert_eq!(audit_actions(&store).await, ["merge.create"]);
    assert_not_found!(store.get_merge(w.cid(), MergeId::generate()).await, Merge);
}

async fn merge_operations_are_invisible_to_other_catalogs(store: DynStore) {
    let w = world(&store).await;
    let sibling = catalog(&store, w.tenant.id, w.warehouse.id, "sibling").await;
    let foreign = world_named(&store, "globex").await;
    let op = open_merge(&store, w.cid()).await;

    for other in [sibling.id, foreign.cid()] {
        assert_not_found!(store.get_merge(other, op.id).await, Merge);
        let listed = store.list_merges(other, None, &PageRequest::all()).await;
        assert!(listed.unwrap().items.is_empty());
        let mut hijack = op.clone();
        hijack.catalog_id = other;
        hijack.status = MergeStatus::Aborted;
        assert_not_found!(store.update_merge(&hijack, &[]).await, Merge);
    }
    assert_eq!(store.get_merge(w.cid(), op.id).await.unwrap(), op);
}

async fn list(
    store: &DynStore,
    catalog: CatalogId,
    status: Option<MergeStatus>,
    size: usize,
) -> Vec<MergeId> {
    let s = store;
    let ops = collect_pages(
        size,
        |p| async move { s.list_merges(catalog, status, &p).await },
    );
    ops.await.into_iter().map(|op| op.id).collect()
}

async fn merge_operations_are_listed_newest_first_by_status(store: DynStore) {
    let w = world(&store).await;
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    let statuses = [
        MergeStatus::Open,
        MergeStatus::Completed,
        MergeStatus::Aborted,
    ];
    let mut all: Vec<MergeOperation> = Vec::new();
    for i in 0..8 {
        let mut op = open_merge(&store, w.cid()).await;
        op.status = statuses[i % 3];
        if op.status != MergeStatus::Open {
            store.update_merge(&op, &[]).await.unwrap();
        }
        all.push(op);
        open_merge(&store, other.id).await;
    }
    all.sort_by_key(|op| std::cmp::Reverse(op.id));
    let ids = |status: Option<MergeStatus>| -> Vec<MergeId> {
        let wanted = all
            .iter()
            .filter(|op| status.is_none_or(|s| op.status == s));
        wanted.map(|op| op.id).collect()
    };

    for size in [1, 3, 8, 9] {
        assert_eq!(
            list(&store, w.cid(), None, size).await,
            ids(None),
            "size {size}"
        );
    }
    for status in statuses {
        let want = ids(Some(status));
        assert_eq!(
            list(&store, w.cid(), Some(status), 2).await,
            want,
            "{status:?}"
        );
    }
    let bad = PageRequest::after(PageToken::after("not-a-merge-id"), Some(2));
    assert_err!(
        store.list_merges(w.cid(), None, &bad).await,
        Error::InvalidInput(_)
    );
}

async fn an_open_merge_is_resolved_then_aborted_and_then_refuses_changes(store: DynStore) {
    let w = world(&store).await;
    let op = open_merge(&store, w.cid()).await;
    let mut resolved = op.clone();
    for c in &mut resolved.conflicts {
        c.resolution = Some(Resolution::TakeTarget);
    }
    resolved.updated_at = micros_now();
    // Only conflicts, status, result and update time change; the rest is the operation's.
    resolved.message = "rewritten".into();
    let audit = event(Some(w.tenant.id), "merge.resolve");
    store.update_merge(&resolved, &[audit]).await.unwrap();
    let stored = store.get_merge(w.cid(), op.id).await.unwrap();
    assert_eq!(stored.conflicts, resolved.conflicts);
    assert_eq!(
        (stored.updated_at, &stored.message),
        (resolved.updated_at, &op.message)
    );

    let mut aborted = stored.clone();
    aborted.status = MergeStatus::Aborted;
    store.update_merge(&aborted, &[]).await.unwrap();
    assert_eq!(store.get_merge(w.cid(), op.id).await.unwrap(), aborted);

    let mut revived = aborted.clone();
    revived.status = MergeStatus::Open;
    revived.conflicts.clear();
    let late = event(Some(w.tenant.id), "merge.late");
    let refused = store.update_merge(&revived, &[late]).await;
    assert_err!(refused, Error::Conflict { current: Some(ref c), .. } if c == "aborted");
    assert_eq!(store.get_merge(w.cid(), op.id).await.unwrap(), aborted);
    assert_eq!(audit_actions(&store).await, ["merge.resolve"]);

    let mut done = open_merge(&store, w.cid()).await;
    done.status = MergeStatus::Completed;
    done.result_commit = Some(done.target_head);
    store.update_merge(&done, &[]).await.unwrap();
    let refused = store.update_merge(&done, &[]).await;
    assert_err!(refused, Error::Conflict { current: Some(ref c), .. } if c == "completed");
    let mut ghost = done.clone();
    ghost.id = MergeId::generate();
    assert_not_found!(store.update_merge(&ghost, &[]).await, Merge);
}

async fn racing_updates_of_one_merge_have_exactly_one_winner(store: DynStore) {
    let w = world(&store).await;
    let op = open_merge(&store, w.cid()).await;
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| {
            let mut closing = op.clone();
            closing.status = if i % 2 == 0 {
                MergeStatus::Aborted
            } else {
                MergeStatus::Completed
            };
            closing.conflicts.truncate(i % 3);
            closing.message = format!("racer {i}");
            let store = store.clone();
            tokio::spawn(async move { (store.update_merge(&closing, &[]).await, closing) })
        })
        .collect();
    let mut winners = Vec::new();
    for task in futures::future::join_all(tasks).await {
        let (outcome, attempt) = task.expect("racing task panicked");
        match outcome {
            Ok(()) => winners.push(attempt),
            Err(Error::Conflict {
                current: Some(_), ..
            }) => {}
            Err(e) => panic!("loser got {e:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let stored = store.get_merge(w.cid(), op.id).await.unwrap();
    assert_eq!(
        (stored.status, &stored.conflicts),
        (winners[0].status, &winners[0].conflicts)
    );
}

async fn deleting_a_catalog_deletes_its_merge_operations(store: DynStore) {
    let w = world(&store).await;
    let kept = catalog(&store, w.tenant.id, w.warehouse.id, "kept").await;
    let gone = open_merge(&store, w.cid()).await;
    let stays = open_merge(&store, kept.id).await;
    store
        .delete_catalog(w.tenant.id, w.cid(), false, &[])
        .await
        .unwrap();
    assert_not_found!(store.get_merge(w.cid(), gone.id).await, Merge);
    assert_eq!(store.get_merge(kept.id, stays.id).await.unwrap(), stays);
    let listed = store.list_merges(w.cid(), None, &PageRequest::all()).await;
    assert!(listed.unwrap().items.is_empty());
}
