//! Concurrency: racing compare-and-swaps have exactly one winner; commits to different tables
//! of one branch never conflict and none is lost.

use std::collections::HashSet;

use pangolin_core::model::ContentKind;
use pangolin_core::{CommitId, Error, PageRequest, Result, TableIdent};

use super::Case;
use super::fixtures::{
    World, collect_pages, create_table, head, ident, location, main_branch, namespace, put,
    request, world,
};
use crate::{DynStore, Expected};

const TASKS: usize = 16;
const ROUNDS: usize = 5;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(racing_cas_on_one_table_has_exactly_one_winner),
        case!(repeated_cas_races_each_have_exactly_one_winner),
        case!(concurrent_commits_to_different_tables_all_succeed),
    ]
}

/// Spawns one commit per location, all expecting `table` at `from`; returns each outcome
/// with the location it tried to set.
async fn race(
    store: &DynStore,
    w: &World,
    table: &TableIdent,
    from: &str,
) -> Vec<(String, Result<CommitId>)> {
    let main = main_branch();
    let current = store
        .load_content(w.cid(), &main, table, ContentKind::Table)
        .await;
    let content_id = current.unwrap().content_id;
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let loc = location(table);
            let change = put(
                ContentKind::Table,
                table,
                content_id,
                Expected::At(from.into()),
                &loc,
            );
            let req = request(w.cid(), &main, vec![change]);
            let store = store.clone();
            tokio::spawn(async move { (loc, store.commit(&req).await.map(|c| c.id)) })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in futures::future::join_all(tasks).await {
        outcomes.push(task.expect("racing task panicked"));
    }
    outcomes
}

/// Checks one race: one winner, every loser told the winner's location; returns it.
async fn assert_one_winner(store: &DynStore, w: &World, table: &TableIdent, from: &str) -> String {
    let outcomes = race(store, w, table, from).await;
    let winners: Vec<_> = outcomes.iter().filter(|(_, r)| r.is_ok()).collect();
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let (winner, winning_commit) = winners[0].clone();
    for (loc, outcome) in &outcomes {
        if loc != &winner {
            assert!(
                matches!(outcome, Err(Error::Conflict { current: Some(c), .. }) if *c == winner),
                "loser {loc}: {outcome:?}"
            );
        }
    }
    let main = main_branch();
    let now = store
        .load_content(w.cid(), &main, table, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!(now.metadata_location, winner);
    assert_eq!(now.last_commit_id, winning_commit.unwrap());
    assert_eq!(head(store, w.cid(), &main).await, now.last_commit_id);
    winner
}

async fn racing_cas_on_one_table_has_exactly_one_winner(store: DynStore) {
    let w = world(&store).await;
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let l0 = create_table(&store, w.cid(), &main_branch(), &t).await;
    let before = head(&store, w.cid(), &main_branch()).await;
    assert_one_winner(&store, &w, &t, &l0).await;
    let history = chain(&store, &w).await;
    assert_eq!(history.len(), 3, "root, create, the winner");
    assert_eq!(history[1], before);
}

async fn repeated_cas_races_each_have_exactly_one_winner(store: DynStore) {
    let w = world(&store).await;
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let mut current = create_table(&store, w.cid(), &main_branch(), &t).await;
    for _ in 0..ROUNDS {
        current = assert_one_winner(&store, &w, &t, &current).await;
    }
    assert_eq!(chain(&store, &w).await.len(), 2 + ROUNDS);
}

/// The first-parent chain from main's head, newest first.
async fn chain(store: &DynStore, w: &World) -> Vec<CommitId> {
    let (s, cid) = (store, w.cid());
    let from = head(store, cid, &main_branch()).await;
    let commits = collect_pages(7, |p| async move { s.list_commits(cid, from, &p).await }).await;
    commits.into_iter().map(|c| c.id).collect()
}

async fn concurrent_commits_to_different_tables_all_succeed(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let mut tables = Vec::new();
    for i in 0..TASKS {
        let t = ident(&["db"], &format!("t{i:02}"));
        let loc = create_table(&store, w.cid(), &main, &t).await;
        let content = store
            .load_content(w.cid(), &main, &t, ContentKind::Table)
            .await
            .unwrap();
        tables.push((t, loc, content.content_id));
    }
    let created: Vec<CommitId> = chain(&store, &w).await;

    let tasks: Vec<_> = tables
        .iter()
        .map(|(t, from, id)| {
            let (new_loc, expected) = (location(t), Expected::At(from.clone()));
            let req = request(
                w.cid(),
                &main,
                vec![put(ContentKind::Table, t, *id, expected, &new_loc)],
            );
            let store = store.clone();
            tokio::spawn(async move { store.commit(&req).await.map(|c| (c.id, new_loc)) })
        })
        .collect();
    let mut updates = Vec::new();
    for task in futures::future::join_all(tasks).await {
        updates.push(
            task.expect("committing task panicked")
                .expect("no conflict"),
        );
    }

    let history = chain(&store, &w).await;
    assert_eq!(
        history.len(),
        2 * TASKS + 1,
        "16 updates, 16 creations, the root"
    );
    assert_eq!(
        history.iter().collect::<HashSet<_>>().len(),
        history.len(),
        "duplicates"
    );
    assert_eq!(
        history[TASKS..],
        created[..],
        "creation commits stay below the updates"
    );
    let updated: HashSet<_> = updates.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        history[..TASKS].iter().copied().collect::<HashSet<_>>(),
        updated
    );
    for ((t, _, _), (_, new_loc)) in tables.iter().zip(&updates) {
        let now = store
            .load_content(w.cid(), &main, t, ContentKind::Table)
            .await
            .unwrap();
        assert_eq!(&now.metadata_location, new_loc);
    }
    let all = PageRequest::all();
    let listed = store.list_contents(
        w.cid(),
        &main,
        &tables[0].0.namespace,
        ContentKind::Table,
        &all,
    );
    assert_eq!(listed.await.unwrap().items.len(), TASKS);
}
