//! `RefStore::contents_at`: the whole catalog state at a commit — equal, key by key, to
//! `content_at`, equal to a whole-catalog reference's rows at its head, following deletes,
//! renames and merge commits along first parents, and the full fold on a partial branch.

use pangolin_core::model::{Content, ContentKind, RefKind};
use pangolin_core::{CatalogId, CommitId, NamespaceIdent};

use super::Case;
use super::fixtures::{
    World, branch, catalog, commit, create_table, create_view, delete, head, ident, main_branch,
    merge_commit, name, namespace, new_ref, ns, rows_of, update_table, world, world_with_tables,
};
use crate::{Change, DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(contents_at_old_commits_is_the_state_then_in_key_order),
        case!(contents_at_a_head_equals_the_reference_rows_before_and_after_it_moves),
        case!(contents_at_follows_deletes_and_renames),
        case!(contents_at_a_partial_branch_head_is_the_whole_fold),
        case!(contents_at_a_merge_commit_holds_what_it_brought_in_only),
        case!(contents_at_a_missing_or_foreign_commit_is_not_found),
    ]
}

/// `contents_at(at)`, checked against `content_at` for every key it returns.
async fn state(store: &DynStore, catalog: CatalogId, at: CommitId) -> Vec<Content> {
    let all = store.contents_at(catalog, at).await.expect("contents_at");
    for c in &all {
        let one = store.content_at(catalog, at, &c.ident, c.kind).await;
        assert_eq!(one.as_ref(), Ok(c), "content_at agrees for {}", c.ident);
    }
    all
}

/// The `(namespace, name, metadata location)` of each content, in order.
fn keys(contents: &[Content]) -> Vec<(String, String, String)> {
    contents
        .iter()
        .map(|c| {
            let ns = c.ident.namespace.to_string();
            (ns, c.ident.name.to_string(), c.metadata_location.clone())
        })
        .collect()
}

fn key(levels: &[&str], table: &str, location: &str) -> (String, String, String) {
    (ns(levels).to_string(), table.into(), location.into())
}

async fn contents_at_old_commits_is_the_state_then_in_key_order(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    let root = head(&store, w.cid(), &main).await;
    for levels in [&["db"][..], &["db", "sub"], &["a"]] {
        namespace(&store, w.cid(), levels).await;
    }
    let (zeta, alpha) = (ident(&["db", "sub"], "zeta"), ident(&["db"], "β"));
    let (view, early) = (ident(&["db"], "a_view"), ident(&["a"], "z"));
    let l_zeta = create_table(&store, w.cid(), &main, &zeta).await;
    let c1 = head(&store, w.cid(), &main).await;
    let l_alpha = create_table(&store, w.cid(), &main, &alpha).await;
    let l_view = create_view(&store, w.cid(), &main, &view).await;
    let l_early = create_table(&store, w.cid(), &main, &early).await;
    let c4 = head(&store, w.cid(), &main).await;
    let l_zeta2 = update_table(&store, w.cid(), &main, &zeta, &l_zeta).await;

    assert!(state(&store, w.cid(), root).await.is_empty());
    let at_c1 = state(&store, w.cid(), c1).await;
    assert_eq!(keys(&at_c1), [key(&["db", "sub"], "zeta", &l_zeta)]);
    assert_eq!(at_c1[0].last_commit_id, c1);
    // Encoded namespace order ("a" < "db" < "db␟sub"), then bytewise names, views included.
    let at_c4 = state(&store, w.cid(), c4).await;
    let want = [
        key(&["a"], "z", &l_early),
        key(&["db"], "a_view", &l_view),
        key(&["db"], "β", &l_alpha),
        key(&["db", "sub"], "zeta", &l_zeta),
    ];
    assert_eq!(keys(&at_c4), want);
    assert_eq!(at_c4[1].kind, ContentKind::View);
    let now = state(&store, w.cid(), head(&store, w.cid(), &main).await).await;
    assert_eq!(keys(&now)[3], key(&["db", "sub"], "zeta", &l_zeta2));
    assert_eq!(now[3].content_id, at_c1[0].content_id);
}

fn namespaces() -> Vec<NamespaceIdent> {
    vec![ns(&["db"])]
}

async fn contents_at_a_head_equals_the_reference_rows_before_and_after_it_moves(store: DynStore) {
    let w = world_with_tables(&store, &["a", "b", "c"]).await;
    let main = main_branch();
    create_view(&store, w.cid(), &main, &ident(&["db"], "v")).await;
    let h = head(&store, w.cid(), &main).await;
    let at_head = state(&store, w.cid(), h).await;
    assert_eq!(
        at_head,
        rows_of(&store, w.cid(), &main, &namespaces()).await
    );
    assert_eq!(at_head.len(), 4);

    let dev = branch(&store, w.cid(), "dev", h).await;
    create_table(&store, w.cid(), &dev.name, &ident(&["db"], "d")).await;
    let d = head(&store, w.cid(), &dev.name).await;
    let on_dev = rows_of(&store, w.cid(), &dev.name, &namespaces()).await;
    assert_eq!(state(&store, w.cid(), d).await, on_dev);
    let tag = new_ref(w.cid(), "v1", RefKind::Tag, h);
    store.create_ref(&tag, &[]).await.unwrap();
    assert_eq!(
        rows_of(&store, w.cid(), &tag.name, &namespaces()).await,
        at_head
    );

    // Once no reference is at `h` any more, the answer (now read from history) is the same.
    store.delete_ref(w.cid(), &tag.name, &[]).await.unwrap();
    store.delete_ref(w.cid(), &dev.name, &[]).await.unwrap();
    create_table(&store, w.cid(), &main, &ident(&["db"], "e")).await;
    assert_eq!(state(&store, w.cid(), h).await, at_head);
    assert_eq!(state(&store, w.cid(), d).await, on_dev);
}

async fn contents_at_follows_deletes_and_renames(store: DynStore) {
    let w = world_with_tables(&store, &["a", "b"]).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db", "sub"]).await;
    let before = state(&store, w.cid(), head(&store, w.cid(), &main).await).await;
    let (a, b) = (ident(&["db"], "a"), ident(&["db"], "b"));
    let dropped = commit(
        &store,
        w.cid(),
        &main,
        vec![delete(ContentKind::Table, &a, Expected::Present)],
    )
    .await;
    let old_b = before[1].clone();
    let renamed_to = ident(&["db", "sub"], "b2");
    let rename = vec![
        delete(
            ContentKind::Table,
            &b,
            Expected::At(old_b.metadata_location.clone()),
        ),
        Change::Put {
            ident: renamed_to.clone(),
            kind: ContentKind::Table,
            content_id: old_b.content_id,
            expected: Expected::Absent,
            location: old_b.location.clone(),
            metadata_location: old_b.metadata_location.clone(),
            metadata: None,
        },
    ];
    let renamed = commit(&store, w.cid(), &main, rename).await;

    assert_eq!(
        state(&store, w.cid(), dropped.id).await,
        std::slice::from_ref(&old_b)
    );
    let after = state(&store, w.cid(), renamed.id).await;
    assert_eq!(after.len(), 1);
    let moved = &after[0];
    assert_eq!(
        (&moved.ident, moved.content_id, &moved.metadata_location),
        (&renamed_to, old_b.content_id, &old_b.metadata_location)
    );
    assert_eq!(moved.last_commit_id, renamed.id);
    assert_eq!(
        state(&store, w.cid(), before[0].last_commit_id).await,
        [before[0].clone()]
    );
}

async fn contents_at_a_partial_branch_head_is_the_whole_fold(store: DynStore) {
    let w = world_with_tables(&store, &["a", "b"]).await;
    let main = main_branch();
    let fork = head(&store, w.cid(), &main).await;
    let full = state(&store, w.cid(), fork).await;
    let mut new = new_ref(w.cid(), "part", RefKind::Branch, fork);
    let a = ident(&["db"], "a");
    new.scope = Some(vec![a.clone()]);
    let part = store.create_ref(&new, &[]).await.unwrap();
    assert_eq!(state(&store, w.cid(), fork).await, full);

    let moved = update_table(&store, w.cid(), &part.name, &a, &full[0].metadata_location).await;
    let p1 = head(&store, w.cid(), &part.name).await;
    // The branch carries only `a`, but its commit sits on main's history, where `b` exists:
    // the state at its head is the fold, so a diff against the fork shows `a` changed only.
    let rows = rows_of(&store, w.cid(), &part.name, &namespaces()).await;
    assert_eq!(keys(&rows), [key(&["db"], "a", &moved)]);
    let at_p1 = state(&store, w.cid(), p1).await;
    assert_eq!(
        keys(&at_p1),
        [key(&["db"], "a", &moved), keys(&full)[1].clone()]
    );
}

/// Creates table `db.<table>` on `branch`.
async fn create_on(store: &DynStore, w: &World, branch: &str, table: &str) {
    create_table(store, w.cid(), &name(branch), &ident(&["db"], table)).await;
}

async fn contents_at_a_merge_commit_holds_what_it_brought_in_only(store: DynStore) {
    let w = world_with_tables(&store, &["t"]).await;
    let main = main_branch();
    let fork = head(&store, w.cid(), &main).await;
    branch(&store, w.cid(), "dev", fork).await;
    create_on(&store, &w, "dev", "taken").await;
    create_on(&store, &w, "dev", "left").await;
    let dev_head = head(&store, w.cid(), &name("dev")).await;
    create_on(&store, &w, "main", "m").await;

    let taken = ident(&["db"], "taken");
    let dev = name("dev");
    let c = store.load_content(w.cid(), &dev, &taken, ContentKind::Table);
    let c = c.await.unwrap();
    let carry = Change::Put {
        ident: taken.clone(),
        kind: ContentKind::Table,
        content_id: c.content_id,
        expected: Expected::Absent,
        location: c.location.clone(),
        metadata_location: c.metadata_location.clone(),
        metadata: None,
    };
    let merged = merge_commit(&store, w.cid(), &main, dev_head, vec![carry]).await;
    // The state follows first parents: what the merge commit applied, not the second parent's
    // whole state.
    let names: Vec<String> = state(&store, w.cid(), merged.id)
        .await
        .iter()
        .map(|c| c.ident.name.to_string())
        .collect();
    assert_eq!(names, ["m", "t", "taken"]);
    let on_main = rows_of(&store, w.cid(), &main, &namespaces()).await;
    assert_eq!(state(&store, w.cid(), merged.id).await, on_main);
}

async fn contents_at_a_missing_or_foreign_commit_is_not_found(store: DynStore) {
    let w = world_with_tables(&store, &["t"]).await;
    let ours = head(&store, w.cid(), &main_branch()).await;
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    let theirs = head(&store, other.id, &main_branch()).await;
    assert_not_found!(
        store.contents_at(w.cid(), CommitId::generate()).await,
        Commit
    );
    assert_not_found!(store.contents_at(w.cid(), theirs).await, Commit);
    assert_not_found!(store.contents_at(other.id, ours).await, Commit);
    assert!(
        store
            .contents_at(other.id, theirs)
            .await
            .unwrap()
            .is_empty()
    );
}
