//! `CommitRequest::completes_merge`: the merge commit completes its operation in the same
//! transaction; a missing or closed operation refuses the whole commit, and racing writers of
//! one operation (two completions, a completion and an abort) have exactly one winner.

use pangolin_core::model::{ContentKind, MergeOperation, MergeStatus};
use pangolin_core::{CommitId, Error, MergeId, PageRequest, Result};

use super::Case;
use super::fixtures::{
    World, branch, catalog, event, head, ident, location, main_branch, merge_op, merge_request,
    open_merge, put_new_table, world_with_tables,
};
use crate::{AuditFilter, CommitRequest, DynStore};

const RACERS: usize = 16;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(a_merge_commit_completes_its_operation),
        case!(completing_a_closed_merge_applies_nothing),
        case!(completing_a_missing_or_foreign_merge_applies_nothing),
        case!(racing_completions_of_one_merge_have_exactly_one_winner),
        case!(a_completion_racing_an_abort_has_exactly_one_winner),
    ]
}

/// A world with branch `dev ✓` one commit ahead of main, and an open operation merging it.
async fn diverged(store: &DynStore) -> (World, MergeOperation) {
    let w = world_with_tables(store, &["t"]).await;
    let fork = head(store, w.cid(), &main_branch()).await;
    let dev = branch(store, w.cid(), "dev ✓", fork).await;
    let d = ident(&["db"], "d");
    super::fixtures::create_table(store, w.cid(), &dev.name, &d).await;
    let dev_head = head(store, w.cid(), &dev.name).await;
    let op = merge_op(w.cid(), dev_head, fork, Some(fork));
    store.create_merge(&op, &[]).await.expect("create merge");
    (w, op)
}

/// Another open operation like `template` (same source), computed at main's current head.
async fn reopen(store: &DynStore, w: &World, template: &MergeOperation) -> MergeOperation {
    let mut op = template.clone();
    op.id = MergeId::generate();
    op.target_head = head(store, w.cid(), &main_branch()).await;
    store.create_merge(&op, &[]).await.expect("create merge");
    op
}

/// A merge commit of `op` onto main creating table `db.<table>`, completing `completes`.
async fn landing(
    store: &DynStore,
    w: &World,
    op: &MergeOperation,
    table: &str,
    completes: Option<MergeId>,
) -> CommitRequest {
    let t = ident(&["db"], table);
    let change = put_new_table(&t, &location(&t));
    let mut req = merge_request(
        store,
        w.cid(),
        &main_branch(),
        op.source_head,
        vec![change],
        completes,
    )
    .await;
    req.audit = vec![event(Some(w.tenant.id), &format!("merge.land {table}"))];
    req
}

/// Asserts that `req` left no trace: main's head, its table, the commit, its audit event.
async fn assert_nothing_applied(
    store: &DynStore,
    w: &World,
    req: &CommitRequest,
    head_was: CommitId,
) {
    let main = main_branch();
    assert_eq!(head(store, w.cid(), &main).await, head_was);
    assert_not_found!(store.get_commit(w.cid(), req.commit_id).await, Commit);
    let t = req.changes[0].ident();
    assert_not_found!(
        store
            .load_content(w.cid(), &main, t, ContentKind::Table)
            .await,
        Table
    );
    let audit = store
        .list_audit(&AuditFilter::default(), &PageRequest::all())
        .await;
    let logged = audit
        .unwrap()
        .items
        .iter()
        .any(|e| e.action == req.audit[0].action);
    assert!(!logged, "the refused commit's audit event was written");
}

async fn a_merge_commit_completes_its_operation(store: DynStore) {
    let (w, op) = diverged(&store).await;
    let req = landing(&store, &w, &op, "landed", Some(op.id)).await;
    let made = store.commit(&req).await.unwrap();
    assert_eq!(made.parents, vec![op.target_head, op.source_head]);

    let done = store.get_merge(w.cid(), op.id).await.unwrap();
    let mut want = op.clone();
    want.status = MergeStatus::Completed;
    want.result_commit = Some(made.id);
    want.updated_at = req.created_at;
    assert_eq!(done, want);
    let all = PageRequest::all();
    let listed = store.list_merges(w.cid(), Some(MergeStatus::Open), &all);
    assert!(listed.await.unwrap().items.is_empty());
    assert_eq!(head(&store, w.cid(), &main_branch()).await, made.id);
}

async fn completing_a_closed_merge_applies_nothing(store: DynStore) {
    let (w, op) = diverged(&store).await;
    let before = head(&store, w.cid(), &main_branch()).await;
    // A refused head check leaves the operation open.
    let mut stale = landing(&store, &w, &op, "stale", Some(op.id)).await;
    stale.expected_head = Some(op.source_head);
    assert_err!(store.commit(&stale).await, Error::Conflict { .. });
    assert_eq!(store.get_merge(w.cid(), op.id).await.unwrap(), op);

    let mut aborted = op.clone();
    aborted.status = MergeStatus::Aborted;
    store.update_merge(&aborted, &[]).await.unwrap();
    let req = landing(&store, &w, &op, "after_abort", Some(op.id)).await;
    let refused = store.commit(&req).await;
    assert_err!(refused, Error::Conflict { current: Some(ref c), .. } if c == "aborted");
    assert_nothing_applied(&store, &w, &req, before).await;
    assert_eq!(store.get_merge(w.cid(), op.id).await.unwrap(), aborted);

    // A completed operation cannot land twice.
    let again = reopen(&store, &w, &op).await;
    let first = landing(&store, &w, &again, "first", Some(again.id)).await;
    let landed = store.commit(&first).await.unwrap();
    let second = landing(&store, &w, &again, "second", Some(again.id)).await;
    let refused = store.commit(&second).await;
    assert_err!(refused, Error::Conflict { current: Some(ref c), .. } if c == "completed");
    assert_nothing_applied(&store, &w, &second, landed.id).await;
    let stored = store.get_merge(w.cid(), again.id).await.unwrap();
    assert_eq!(stored.result_commit, Some(landed.id));
}

async fn completing_a_missing_or_foreign_merge_applies_nothing(store: DynStore) {
    let (w, op) = diverged(&store).await;
    let before = head(&store, w.cid(), &main_branch()).await;
    let req = landing(&store, &w, &op, "ghost", Some(MergeId::generate())).await;
    assert_not_found!(store.commit(&req).await, Merge);
    assert_nothing_applied(&store, &w, &req, before).await;

    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    let theirs = open_merge(&store, other.id).await;
    let req = landing(&store, &w, &op, "foreign", Some(theirs.id)).await;
    assert_not_found!(store.commit(&req).await, Merge);
    assert_nothing_applied(&store, &w, &req, before).await;
    assert_eq!(store.get_merge(other.id, theirs.id).await.unwrap(), theirs);
    assert_eq!(store.get_merge(w.cid(), op.id).await.unwrap(), op);
}

async fn racing_completions_of_one_merge_have_exactly_one_winner(store: DynStore) {
    let (w, op) = diverged(&store).await;
    let before = head(&store, w.cid(), &main_branch()).await;
    let mut requests = Vec::new();
    for i in 0..RACERS {
        // No head expectation and distinct tables: only the operation decides the race.
        let mut req = landing(&store, &w, &op, &format!("racer{i:02}"), Some(op.id)).await;
        req.expected_head = None;
        requests.push(req);
    }
    let tasks: Vec<_> = requests
        .iter()
        .cloned()
        .map(|req| {
            let store = store.clone();
            tokio::spawn(async move { store.commit(&req).await.map(|c| c.id) })
        })
        .collect();
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for (task, req) in futures::future::join_all(tasks)
        .await
        .into_iter()
        .zip(&requests)
    {
        match task.expect("racing task panicked") {
            Ok(id) => winners.push(id),
            Err(Error::Conflict {
                current: Some(c), ..
            }) if c == "completed" => losers.push(req),
            Err(e) => panic!("loser got {e:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let main_head = store.get_commit(w.cid(), winners[0]).await.unwrap();
    assert_eq!(main_head.parents, vec![before, op.source_head]);
    for req in losers {
        assert_nothing_applied(&store, &w, req, winners[0]).await;
    }
    let done = store.get_merge(w.cid(), op.id).await.unwrap();
    assert_eq!(
        (done.status, done.result_commit),
        (MergeStatus::Completed, Some(winners[0]))
    );
}

async fn a_completion_racing_an_abort_has_exactly_one_winner(store: DynStore) {
    let (w, template) = diverged(&store).await;
    for round in 0..8 {
        let op = reopen(&store, &w, &template).await;
        let before = head(&store, w.cid(), &main_branch()).await;
        let mut req = landing(&store, &w, &op, &format!("round{round}"), Some(op.id)).await;
        req.expected_head = None;
        let mut abort = op.clone();
        abort.status = MergeStatus::Aborted;
        let (s1, s2) = (store.clone(), store.clone());
        let commit = tokio::spawn(async move { s1.commit(&req).await.map(|c| c.id) });
        let aborting = tokio::spawn(async move { s2.update_merge(&abort, &[]).await });
        let (landed, aborted): (Result<CommitId>, Result<()>) = (
            commit.await.expect("commit task"),
            aborting.await.expect("abort task"),
        );
        let stored = store.get_merge(w.cid(), op.id).await.unwrap();
        let now = head(&store, w.cid(), &main_branch()).await;
        match (landed, aborted) {
            (Ok(id), Err(Error::Conflict { .. })) => {
                assert_eq!(
                    (stored.status, stored.result_commit, now),
                    (MergeStatus::Completed, Some(id), id)
                );
            }
            (Err(Error::Conflict { .. }), Ok(())) => {
                assert_eq!(
                    (stored.status, stored.result_commit, now),
                    (MergeStatus::Aborted, None, before)
                );
            }
            other => panic!("round {round}: not exactly one winner: {other:?}"),
        }
    }
}
