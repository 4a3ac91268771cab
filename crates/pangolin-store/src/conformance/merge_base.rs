//! `RefStore::merge_base`: the best common ancestor over all parents — the older commit of a
//! linear history, the fork point of diverged branches, the merged-in head after a merge, the
//! newest best candidate of a criss-cross — decided by ancestry, not by the greatest id, also
//! over histories longer than a backend's first bounded walk.

use pangolin_core::model::ContentKind;
use pangolin_core::{CatalogId, CommitId, TableIdent};

use super::Case;
use super::fixtures::{
    World, branch, catalog, create_table, head, ident, location, main_branch, merge_commit, name,
    put_new_table, request, update_table, world_with_tables,
};
use crate::{Change, DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(merge_base_of_a_linear_history_is_the_older_commit),
        case!(merge_base_of_diverged_branches_is_the_fork_point),
        case!(merge_base_after_a_merge_is_the_merged_in_head),
        case!(merge_base_of_a_criss_cross_is_the_newest_best_candidate),
        case!(merge_base_is_decided_by_ancestry_not_by_the_greatest_id),
        case!(merge_base_of_missing_or_foreign_commits_is_not_found),
        case!(merge_base_over_long_histories_finds_recent_and_old_forks),
    ]
}

/// Asserts the merge base of `a` and `b`, both ways round.
async fn assert_base(
    store: &DynStore,
    catalog: CatalogId,
    a: CommitId,
    b: CommitId,
    want: CommitId,
) {
    for (x, y) in [(a, b), (b, a)] {
        let got = store.merge_base(catalog, x, y).await.unwrap();
        assert_eq!(got, Some(want), "merge_base({x}, {y})");
    }
}

/// The same table on another branch: what a merge carries over.
async fn carry(store: &DynStore, w: &World, from: &str, t: &TableIdent) -> Change {
    let from = name(from);
    let on_source = store.load_content(w.cid(), &from, t, ContentKind::Table);
    let c = on_source.await.expect("table on the source");
    Change::Put {
        ident: t.clone(),
        kind: ContentKind::Table,
        content_id: c.content_id,
        expected: Expected::Absent,
        location: c.location,
        metadata_location: c.metadata_location,
        metadata: None,
    }
}

/// Creates table `db.<table>` on `branch`; returns the new head.
async fn create_on(store: &DynStore, w: &World, branch: &str, table: &str) -> CommitId {
    let t = ident(&["db"], table);
    create_table(store, w.cid(), &name(branch), &t).await;
    head(store, w.cid(), &name(branch)).await
}

async fn merge_base_of_a_linear_history_is_the_older_commit(store: DynStore) {
    let w = world_with_tables(&store, &[]).await;
    let main = main_branch();
    let root = head(&store, w.cid(), &main).await;
    let t = ident(&["db"], "t");
    let l0 = create_table(&store, w.cid(), &main, &t).await;
    let c1 = head(&store, w.cid(), &main).await;
    update_table(&store, w.cid(), &main, &t, &l0).await;
    let c2 = head(&store, w.cid(), &main).await;

    assert_base(&store, w.cid(), c1, c2, c1).await;
    assert_base(&store, w.cid(), root, c2, root).await;
    assert_base(&store, w.cid(), c2, c2, c2).await;
}

async fn merge_base_of_diverged_branches_is_the_fork_point(store: DynStore) {
    let w = world_with_tables(&store, &["t"]).await;
    let fork = head(&store, w.cid(), &main_branch()).await;
    branch(&store, w.cid(), "dev", fork).await;
    let m1 = create_on(&store, &w, "main", "m1").await;
    let m2 = create_on(&store, &w, "main", "m2").await;
    let d1 = create_on(&store, &w, "dev", "d1").await;
    let d2 = create_on(&store, &w, "dev", "d2").await;

    assert_base(&store, w.cid(), m2, d2, fork).await;
    assert_base(&store, w.cid(), m1, d1, fork).await;
    assert_base(&store, w.cid(), fork, d2, fork).await;
}

async fn merge_base_after_a_merge_is_the_merged_in_head(store: DynStore) {
    let w = world_with_tables(&store, &["t"]).await;
    let main = main_branch();
    let fork = head(&store, w.cid(), &main).await;
    branch(&store, w.cid(), "dev", fork).await;
    let d1 = create_on(&store, &w, "dev", "d1").await;
    let m1 = create_on(&store, &w, "main", "m1").await;
    assert_base(&store, w.cid(), m1, d1, fork).await;

    let change = carry(&store, &w, "dev", &ident(&["db"], "d1")).await;
    let merged = merge_commit(&store, w.cid(), &main, d1, vec![change]).await;
    assert_eq!(merged.parents, vec![m1, d1]);
    let d2 = create_on(&store, &w, "dev", "d2").await;
    let m2 = create_on(&store, &w, "main", "m2").await;

    // The merge made d1 an ancestor of main: the next merge starts from there.
    assert_base(&store, w.cid(), m2, d2, d1).await;
    assert_base(&store, w.cid(), merged.id, d1, d1).await;
    assert_base(&store, w.cid(), merged.id, m1, m1).await;
}

async fn merge_base_of_a_criss_cross_is_the_newest_best_candidate(store: DynStore) {
    let w = world_with_tables(&store, &["t"]).await;
    let x = head(&store, w.cid(), &main_branch()).await;
    branch(&store, w.cid(), "a", x).await;
    branch(&store, w.cid(), "b", x).await;
    let a1 = create_on(&store, &w, "a", "ta").await;
    let b1 = create_on(&store, &w, "b", "tb").await;
    // Each branch merges the other's first commit: a1 and b1 are both best common ancestors
    // of the two merges, and neither lies below the other.
    let into_b = carry(&store, &w, "a", &ident(&["db"], "ta")).await;
    let mb = merge_commit(&store, w.cid(), &name("b"), a1, vec![into_b]).await;
    let into_a = carry(&store, &w, "b", &ident(&["db"], "tb")).await;
    let ma = merge_commit(&store, w.cid(), &name("a"), b1, vec![into_a]).await;

    assert_base(&store, w.cid(), ma.id, mb.id, a1.max(b1)).await;
    assert_base(&store, w.cid(), ma.id, b1, b1).await;
    assert_base(&store, w.cid(), mb.id, a1, a1).await;
}

async fn merge_base_is_decided_by_ancestry_not_by_the_greatest_id(store: DynStore) {
    let w = world_with_tables(&store, &[]).await;
    let main = main_branch();
    // Ids are chosen before a commit lands, so a child may carry a smaller id than its
    // parent (two writers racing). Here `child` lands on top of `parent` with the smaller id.
    let (x, y) = (CommitId::generate(), CommitId::generate());
    let (small, large) = (x.min(y), x.max(y));
    let mut first = request(
        w.cid(),
        &main,
        vec![put_new_table(&ident(&["db"], "p"), &loc("p"))],
    );
    first.commit_id = large;
    let parent = store.commit(&first).await.unwrap();
    let mut second = request(
        w.cid(),
        &main,
        vec![put_new_table(&ident(&["db"], "c"), &loc("c"))],
    );
    second.commit_id = small;
    let child = store.commit(&second).await.unwrap();
    assert_eq!(child.parents, vec![parent.id]);

    branch(&store, w.cid(), "dev", child.id).await;
    let d1 = create_on(&store, &w, "dev", "d1").await;
    let m1 = create_on(&store, &w, "main", "m1").await;
    // The common ancestors are the root, `parent` and `child`; `parent` has the greatest id
    // but lies below `child`.
    assert_base(&store, w.cid(), m1, d1, child.id).await;
    assert_base(&store, w.cid(), parent.id, child.id, parent.id).await;
}

fn loc(table: &str) -> String {
    location(&ident(&["db"], table))
}

async fn merge_base_of_missing_or_foreign_commits_is_not_found(store: DynStore) {
    let w = world_with_tables(&store, &["t"]).await;
    let ours = head(&store, w.cid(), &main_branch()).await;
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    let theirs = head(&store, other.id, &main_branch()).await;
    let ghost = CommitId::generate();

    for (a, b) in [(ours, ghost), (ghost, ours), (ours, theirs), (theirs, ours)] {
        assert_not_found!(store.merge_base(w.cid(), a, b).await, Commit);
    }
    assert_not_found!(store.merge_base(w.cid(), theirs, theirs).await, Commit);
    assert_not_found!(store.merge_base(other.id, ours, ours).await, Commit);
}

/// Longer than the first walk of a backend that bounds it (the SQL stores' 64 commits).
const LONG: usize = 80;

/// `count` commits updating `db.t` on `branch`; returns the new head.
async fn grow(store: &DynStore, w: &World, branch: &str, count: usize) -> CommitId {
    let (branch, t) = (name(branch), ident(&["db"], "t"));
    let current = store.load_content(w.cid(), &branch, &t, ContentKind::Table);
    let mut loc = current.await.expect("db.t exists").metadata_location;
    for _ in 0..count {
        loc = update_table(store, w.cid(), &branch, &t, &loc).await;
    }
    head(store, w.cid(), &branch).await
}

async fn merge_base_over_long_histories_finds_recent_and_old_forks(store: DynStore) {
    let w = world_with_tables(&store, &["t"]).await;
    let old_fork = head(&store, w.cid(), &main_branch()).await;
    branch(&store, w.cid(), "old", old_fork).await;
    let old = grow(&store, &w, "old", LONG).await;
    grow(&store, &w, "main", LONG).await;
    let recent_fork = head(&store, w.cid(), &main_branch()).await;
    branch(&store, w.cid(), "recent", recent_fork).await;
    let recent = create_on(&store, &w, "recent", "r").await;
    let main = grow(&store, &w, "main", 2).await;

    assert_base(&store, w.cid(), main, recent, recent_fork).await;
    assert_base(&store, w.cid(), main, old, old_fork).await;

    // A criss-cross on top of the long history: two best candidates, each a side's head.
    let x = main;
    branch(&store, w.cid(), "a", x).await;
    branch(&store, w.cid(), "b", x).await;
    let a1 = create_on(&store, &w, "a", "ta").await;
    let b1 = create_on(&store, &w, "b", "tb").await;
    let into_b = carry(&store, &w, "a", &ident(&["db"], "ta")).await;
    let mb = merge_commit(&store, w.cid(), &name("b"), a1, vec![into_b]).await;
    let into_a = carry(&store, &w, "b", &ident(&["db"], "tb")).await;
    let ma = merge_commit(&store, w.cid(), &name("a"), b1, vec![into_a]).await;
    assert_base(&store, w.cid(), ma.id, mb.id, a1.max(b1)).await;
}
