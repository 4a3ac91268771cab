//! The commit DAG: commits are scoped to their catalog, listed newest first along the
//! first-parent chain, old states can be read back; heads move by compare-and-swap and merge
//! commits record their second parent.

use pangolin_core::model::{Commit, ContentKind};
use pangolin_core::{CatalogId, CommitId, Error, PageRequest};

use super::Case;
use super::fixtures::{
    branch, catalog, collect_pages, commit, create_table, delete, head, ident, location,
    main_branch, namespace, put, put_new_table, request, update_table, world,
};
use crate::{DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(commit_of_another_catalog_is_not_found),
        case!(commits_are_listed_newest_first_through_the_whole_chain),
        case!(content_at_an_old_commit_returns_the_old_state),
        case!(expected_head_mismatch_is_conflict_naming_the_head),
        case!(merge_parent_is_recorded_as_second_parent),
    ]
}

async fn commit_of_another_catalog_is_not_found(store: DynStore) {
    let w = world(&store).await;
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    let ours = head(&store, w.cid(), &main_branch()).await;
    let theirs = head(&store, other.id, &main_branch()).await;
    let all = PageRequest::all();

    assert_eq!(
        store.get_commit(w.cid(), ours).await.unwrap().catalog_id,
        w.cid()
    );
    assert_not_found!(store.get_commit(w.cid(), theirs).await, Commit);
    assert_not_found!(store.get_commit(other.id, ours).await, Commit);
    assert_not_found!(
        store.get_commit(w.cid(), CommitId::generate()).await,
        Commit
    );
    assert_not_found!(store.list_commits(w.cid(), theirs, &all).await, Commit);
    assert_not_found!(
        store
            .list_commits(w.cid(), CommitId::generate(), &all)
            .await,
        Commit
    );
}

async fn chain(store: &DynStore, catalog: CatalogId, from: CommitId, size: usize) -> Vec<Commit> {
    let s = store;
    collect_pages(
        size,
        |p| async move { s.list_commits(catalog, from, &p).await },
    )
    .await
}

async fn commits_are_listed_newest_first_through_the_whole_chain(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    let root = head(&store, w.cid(), &main).await;
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let mut loc = create_table(&store, w.cid(), &main, &t).await;
    for _ in 0..8 {
        loc = update_table(&store, w.cid(), &main, &t, &loc).await;
    }
    let side = branch(&store, w.cid(), "side", root).await;
    create_table(&store, w.cid(), &side.name, &ident(&["db"], "side")).await;

    let newest = head(&store, w.cid(), &main).await;
    let everything = store
        .list_commits(w.cid(), newest, &PageRequest::all())
        .await
        .unwrap();
    assert!(everything.next.is_none());
    let commits = everything.items;
    assert_eq!(commits.len(), 10, "root, create, 8 updates");
    assert_eq!((commits[0].id, commits[9].id), (newest, root));
    for pair in commits.windows(2) {
        assert_eq!(
            pair[0].parents,
            vec![pair[1].id],
            "newest first along first parents"
        );
    }
    for size in [1, 3, 10, 11] {
        assert_eq!(
            chain(&store, w.cid(), newest, size).await,
            commits,
            "page size {size}"
        );
    }
    let below = chain(&store, w.cid(), commits[4].id, 2).await;
    assert_eq!(below, commits[4..]);
}

async fn content_at_an_old_commit_returns_the_old_state(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    let root = head(&store, w.cid(), &main).await;
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let l0 = create_table(&store, w.cid(), &main, &t).await;
    let created = head(&store, w.cid(), &main).await;
    let l1 = update_table(&store, w.cid(), &main, &t, &l0).await;
    let updated = head(&store, w.cid(), &main).await;
    let dropped = commit(
        &store,
        w.cid(),
        &main,
        vec![delete(ContentKind::Table, &t, Expected::Present)],
    )
    .await;

    let at_created = store
        .content_at(w.cid(), created, &t, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!(
        (
            at_created.metadata_location.as_str(),
            at_created.last_commit_id
        ),
        (l0.as_str(), created)
    );
    let at_updated = store
        .content_at(w.cid(), updated, &t, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!(
        (
            at_updated.metadata_location.as_str(),
            at_updated.last_commit_id
        ),
        (l1.as_str(), updated)
    );
    assert_eq!(at_updated.content_id, at_created.content_id);

    assert_not_found!(
        store
            .content_at(w.cid(), dropped.id, &t, ContentKind::Table)
            .await,
        Table
    );
    assert_not_found!(
        store
            .content_at(w.cid(), root, &t, ContentKind::Table)
            .await,
        Table
    );
    assert_not_found!(
        store
            .content_at(w.cid(), updated, &t, ContentKind::View)
            .await,
        View
    );
    let ghost = CommitId::generate();
    assert_not_found!(
        store
            .content_at(w.cid(), ghost, &t, ContentKind::Table)
            .await,
        Commit
    );
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    assert_not_found!(
        store
            .content_at(other.id, updated, &t, ContentKind::Table)
            .await,
        Commit
    );
}

async fn expected_head_mismatch_is_conflict_naming_the_head(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let root = head(&store, w.cid(), &main).await;
    let moved = commit(
        &store,
        w.cid(),
        &main,
        vec![put_new_table(&ident(&["db"], "a"), "file:///a")],
    )
    .await;

    let b = ident(&["db"], "b");
    let mut stale = request(w.cid(), &main, vec![put_new_table(&b, &location(&b))]);
    stale.expected_head = Some(root);
    let want = moved.id.to_string();
    assert_err!(store.commit(&stale).await, Error::Conflict { current: Some(ref c), .. } if *c == want);
    assert_not_found!(
        store
            .load_content(w.cid(), &main, &b, ContentKind::Table)
            .await,
        Table
    );

    stale.expected_head = Some(moved.id);
    let made = store.commit(&stale).await.unwrap();
    assert_eq!(made.parents, vec![moved.id]);
}

async fn merge_parent_is_recorded_as_second_parent(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let root = head(&store, w.cid(), &main).await;
    let dev = branch(&store, w.cid(), "dev", root).await;
    let t = ident(&["db"], "t");
    let loc = create_table(&store, w.cid(), &dev.name, &t).await;
    let dev_head = head(&store, w.cid(), &dev.name).await;

    let id = store
        .load_content(w.cid(), &dev.name, &t, ContentKind::Table)
        .await
        .unwrap()
        .content_id;
    let mut merge = request(
        w.cid(),
        &main,
        vec![put(ContentKind::Table, &t, id, Expected::Absent, &loc)],
    );
    merge.expected_head = Some(root);
    merge.merge_parent = Some(dev_head);
    let made = store.commit(&merge).await.unwrap();
    assert_eq!(made.parents, vec![root, dev_head]);
    assert_eq!(
        store.get_commit(w.cid(), made.id).await.unwrap().parents,
        vec![root, dev_head]
    );
    let merged = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!((merged.content_id, merged.metadata_location), (id, loc));
}
