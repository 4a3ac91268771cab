//! References: branches and tags carry the state of the commit they start at, stay isolated
//! from each other, and partial branches carry only their scope.

use pangolin_core::model::{ContentKind, RefKind};
use pangolin_core::{Error, PageRequest};

use super::Case;
use super::fixtures::{
    World, branch, commit, create_table, delete, head, ident, main_branch, name, namespace,
    new_ref, request, update_table, world, world_with_tables,
};
use crate::{DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(branch_from_main_copies_its_state),
        case!(branches_are_isolated_from_each_other),
        case!(tag_shows_the_older_state_and_is_read_only),
        case!(partial_branch_carries_only_its_scope),
        case!(ref_from_a_non_head_commit_replays_that_state),
    ]
}

async fn location_on(store: &DynStore, w: &World, reference: &str, table: &str) -> String {
    let t = ident(&["db"], table);
    let reference = name(reference);
    let content = store.load_content(w.cid(), &reference, &t, ContentKind::Table);
    content.await.expect("table on reference").metadata_location
}

async fn branch_from_main_copies_its_state(store: DynStore) {
    let w = world_with_tables(&store, &["a", "b"]).await;
    let main = main_branch();
    let from = head(&store, w.cid(), &main).await;
    let new = new_ref(w.cid(), "dev ✓", RefKind::Branch, from);
    let dev = store.create_ref(&new, &[]).await.unwrap();
    assert_eq!(
        (&dev.name, dev.kind, dev.head),
        (&new.name, RefKind::Branch, from)
    );
    assert_eq!(
        (&dev.properties, dev.created_at, &dev.scope),
        (&new.properties, new.created_at, &None)
    );
    assert_eq!(store.get_ref(w.cid(), &new.name).await.unwrap(), dev);

    for t in ["a", "b"] {
        let t = ident(&["db"], t);
        let on_main = store
            .load_content(w.cid(), &main, &t, ContentKind::Table)
            .await
            .unwrap();
        let on_dev = store
            .load_content(w.cid(), &dev.name, &t, ContentKind::Table)
            .await
            .unwrap();
        assert_eq!(on_dev, on_main);
    }
}

async fn branches_are_isolated_from_each_other(store: DynStore) {
    let w = world_with_tables(&store, &["a", "b"]).await;
    let main = main_branch();
    let dev = branch(&store, w.cid(), "dev", head(&store, w.cid(), &main).await).await;
    let (a, b, c) = (
        ident(&["db"], "a"),
        ident(&["db"], "b"),
        ident(&["db"], "c"),
    );
    let (a0, b0) = (
        location_on(&store, &w, "main", "a").await,
        location_on(&store, &w, "main", "b").await,
    );

    let a_dev = update_table(&store, w.cid(), &dev.name, &a, &a0).await;
    create_table(&store, w.cid(), &dev.name, &c).await;
    let b_main = update_table(&store, w.cid(), &main, &b, &b0).await;

    assert_eq!(location_on(&store, &w, "main", "a").await, a0);
    assert_eq!(location_on(&store, &w, "dev", "a").await, a_dev);
    assert_eq!(location_on(&store, &w, "main", "b").await, b_main);
    assert_eq!(location_on(&store, &w, "dev", "b").await, b0);
    assert_not_found!(
        store
            .load_content(w.cid(), &main, &c, ContentKind::Table)
            .await,
        Table
    );
    let dev_head = store
        .get_commit(w.cid(), head(&store, w.cid(), &dev.name).await)
        .await;
    assert_eq!(dev_head.unwrap().parents.len(), 1);
    assert_ne!(
        head(&store, w.cid(), &main).await,
        head(&store, w.cid(), &dev.name).await
    );
}

async fn tag_shows_the_older_state_and_is_read_only(store: DynStore) {
    let w = world_with_tables(&store, &["a", "b"]).await;
    let main = main_branch();
    let old_head = head(&store, w.cid(), &main).await;
    let a = ident(&["db"], "a");
    let a0 = location_on(&store, &w, "main", "a").await;
    update_table(&store, w.cid(), &main, &a, &a0).await;
    create_table(&store, w.cid(), &main, &ident(&["db"], "c")).await;

    let tag = store
        .create_ref(&new_ref(w.cid(), "v1", RefKind::Tag, old_head), &[])
        .await
        .unwrap();
    assert_eq!((tag.kind, tag.head), (RefKind::Tag, old_head));
    assert_eq!(location_on(&store, &w, "v1", "a").await, a0);
    // a0's body went with main's update; the tag points at it again without restoring it.
    assert_not_found!(store.load_metadata(w.cid(), &a0).await, Table);
    assert!(store.metadata_in_use(w.cid(), &a0).await.unwrap());
    let c = ident(&["db"], "c");
    assert_not_found!(
        store
            .load_content(w.cid(), &tag.name, &c, ContentKind::Table)
            .await,
        Table
    );

    let write = request(
        w.cid(),
        &tag.name,
        vec![delete(ContentKind::Table, &a, Expected::Present)],
    );
    assert_err!(store.commit(&write).await, Error::InvalidInput(_));
    assert_eq!(location_on(&store, &w, "v1", "a").await, a0);
    assert_eq!(store.get_ref(w.cid(), &tag.name).await.unwrap(), tag);
}

async fn partial_branch_carries_only_its_scope(store: DynStore) {
    let w = world_with_tables(&store, &["a", "b"]).await;
    let main = main_branch();
    let (a, b) = (ident(&["db"], "a"), ident(&["db"], "b"));
    let mut new = new_ref(
        w.cid(),
        "ingest",
        RefKind::Branch,
        head(&store, w.cid(), &main).await,
    );
    new.scope = Some(vec![a.clone()]);
    let partial = store.create_ref(&new, &[]).await.unwrap();
    assert_eq!(partial.scope, Some(vec![a.clone()]));
    assert_eq!(
        store.get_ref(w.cid(), &new.name).await.unwrap().scope,
        Some(vec![a.clone()])
    );

    let on_main = store
        .load_content(w.cid(), &main, &a, ContentKind::Table)
        .await
        .unwrap();
    let on_partial = store
        .load_content(w.cid(), &new.name, &a, ContentKind::Table)
        .await;
    assert_eq!(on_partial.unwrap(), on_main);
    assert_not_found!(
        store
            .load_content(w.cid(), &new.name, &b, ContentKind::Table)
            .await,
        Table
    );
    let all = PageRequest::all();
    let listed = store.list_contents(w.cid(), &new.name, &a.namespace, ContentKind::Table, &all);
    assert_eq!(listed.await.unwrap().items.len(), 1);
}

async fn ref_from_a_non_head_commit_replays_that_state(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let (a, b) = (ident(&["db"], "a"), ident(&["db"], "b"));
    let a0 = create_table(&store, w.cid(), &main, &a).await;
    let created_a = head(&store, w.cid(), &main).await;
    create_table(&store, w.cid(), &main, &b).await;
    let with_b = head(&store, w.cid(), &main).await;
    let a1 = update_table(&store, w.cid(), &main, &a, &a0).await;
    let updated_a = head(&store, w.cid(), &main).await;
    commit(
        &store,
        w.cid(),
        &main,
        vec![delete(ContentKind::Table, &b, Expected::Present)],
    )
    .await;

    branch(&store, w.cid(), "at-b", with_b).await;
    let replayed = store
        .load_content(w.cid(), &name("at-b"), &a, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!(
        (replayed.metadata_location.as_str(), replayed.last_commit_id),
        (a0.as_str(), created_a)
    );
    assert!(
        store
            .load_content(w.cid(), &name("at-b"), &b, ContentKind::Table)
            .await
            .is_ok()
    );
    assert_not_found!(store.load_metadata(w.cid(), &a0).await, Table);
    assert!(store.metadata_in_use(w.cid(), &a0).await.unwrap());

    branch(&store, w.cid(), "at-update", updated_a).await;
    assert_eq!(location_on(&store, &w, "at-update", "a").await, a1);
    assert!(
        store
            .load_content(w.cid(), &name("at-update"), &b, ContentKind::Table)
            .await
            .is_ok()
    );
    assert_not_found!(
        store
            .load_content(w.cid(), &main, &b, ContentKind::Table)
            .await,
        Table
    );
}
