//! Stored metadata lives exactly as long as some content row points at its location, and the
//! questions the catalog asks before deleting files: is a metadata file in use, which
//! references still hold a table.

use pangolin_core::model::{ContentKind, RefKind};
use pangolin_core::{CatalogId, ContentId};

use super::Case;
use super::fixtures::{
    branch, catalog, commit, create_table, delete, head, ident, location, main_branch,
    metadata_json, name, new_ref, request, update_table, world_with_tables,
};
use crate::{Change, DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(metadata_of_a_replaced_location_is_gone_after_the_commit),
        case!(metadata_stays_while_a_branch_or_tag_points_at_it),
        case!(metadata_is_gone_once_the_last_ref_holding_it_is_deleted),
        case!(metadata_in_use_counts_every_reference_of_the_catalog_only),
        case!(refs_holding_lists_every_ref_with_the_content_under_any_name),
        case!(racing_drops_on_every_branch_leave_no_body_behind),
    ]
}

/// Asserts that `location`'s body is stored (and is the one committed) and that it is in use.
async fn assert_kept(store: &DynStore, catalog: CatalogId, location: &str) {
    let body = store.load_metadata(catalog, location).await;
    assert_eq!(body.unwrap(), metadata_json(location), "body of {location}");
    assert!(store.metadata_in_use(catalog, location).await.unwrap());
}

/// Asserts that nothing points at `location` and its body is gone.
async fn assert_released(store: &DynStore, catalog: CatalogId, location: &str) {
    assert_not_found!(store.load_metadata(catalog, location).await, Table);
    assert!(!store.metadata_in_use(catalog, location).await.unwrap());
}

async fn current_location(store: &DynStore, catalog: CatalogId, table: &str) -> String {
    let (main, t) = (main_branch(), ident(&["db"], table));
    let content = store.load_content(catalog, &main, &t, ContentKind::Table);
    content.await.expect("table on main").metadata_location
}

async fn metadata_of_a_replaced_location_is_gone_after_the_commit(store: DynStore) {
    let w = world_with_tables(&store, &["t", "other"]).await;
    let (main, t) = (main_branch(), ident(&["db"], "t"));
    let l0 = current_location(&store, w.cid(), "t").await;
    assert_kept(&store, w.cid(), &l0).await;
    let l1 = update_table(&store, w.cid(), &main, &t, &l0).await;
    assert_released(&store, w.cid(), &l0).await;
    assert_kept(&store, w.cid(), &l1).await;

    let drop = delete(ContentKind::Table, &t, Expected::At(l1.clone()));
    commit(&store, w.cid(), &main, vec![drop]).await;
    assert_released(&store, w.cid(), &l1).await;
    let untouched = current_location(&store, w.cid(), "other").await;
    assert_kept(&store, w.cid(), &untouched).await;
}

async fn metadata_stays_while_a_branch_or_tag_points_at_it(store: DynStore) {
    let w = world_with_tables(&store, &["t"]).await;
    let (main, t) = (main_branch(), ident(&["db"], "t"));
    let l0 = current_location(&store, w.cid(), "t").await;
    let at = head(&store, w.cid(), &main).await;
    let tag = new_ref(w.cid(), "v1", RefKind::Tag, at);
    store.create_ref(&tag, &[]).await.unwrap();
    let dev = branch(&store, w.cid(), "dev", at).await;

    update_table(&store, w.cid(), &main, &t, &l0).await;
    assert_kept(&store, w.cid(), &l0).await;
    let l_dev = update_table(&store, w.cid(), &dev.name, &t, &l0).await;
    assert_kept(&store, w.cid(), &l0).await;
    let drop = delete(ContentKind::Table, &t, Expected::At(l_dev.clone()));
    commit(&store, w.cid(), &dev.name, vec![drop]).await;
    assert_released(&store, w.cid(), &l_dev).await;
    assert_kept(&store, w.cid(), &l0).await;
}

async fn metadata_is_gone_once_the_last_ref_holding_it_is_deleted(store: DynStore) {
    let w = world_with_tables(&store, &["t"]).await;
    let (main, t) = (main_branch(), ident(&["db"], "t"));
    let l0 = current_location(&store, w.cid(), "t").await;
    let at = head(&store, w.cid(), &main).await;
    let dev = branch(&store, w.cid(), "dev", at).await;
    let tag = new_ref(w.cid(), "v1", RefKind::Tag, at);
    store.create_ref(&tag, &[]).await.unwrap();
    let l1 = update_table(&store, w.cid(), &main, &t, &l0).await;

    store.delete_ref(w.cid(), &dev.name, &[]).await.unwrap();
    assert_kept(&store, w.cid(), &l0).await;
    store.delete_ref(w.cid(), &tag.name, &[]).await.unwrap();
    assert_released(&store, w.cid(), &l0).await;
    assert_kept(&store, w.cid(), &l1).await;
}

async fn metadata_in_use_counts_every_reference_of_the_catalog_only(store: DynStore) {
    let w = world_with_tables(&store, &["t"]).await;
    let (main, t) = (main_branch(), ident(&["db"], "t"));
    let l0 = current_location(&store, w.cid(), "t").await;
    let created = head(&store, w.cid(), &main).await;
    update_table(&store, w.cid(), &main, &t, &l0).await;
    // A branch at the old commit points at l0 again: in use, though its body is gone.
    branch(&store, w.cid(), "old", created).await;
    assert!(store.metadata_in_use(w.cid(), &l0).await.unwrap());
    assert_not_found!(store.load_metadata(w.cid(), &l0).await, Table);

    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    assert!(!store.metadata_in_use(other.id, &l0).await.unwrap());
    let never = location(&t);
    assert!(!store.metadata_in_use(w.cid(), &never).await.unwrap());
}

async fn refs_holding_lists_every_ref_with_the_content_under_any_name(store: DynStore) {
    let w = world_with_tables(&store, &["a", "b"]).await;
    let main = main_branch();
    let (a, b) = (ident(&["db"], "a"), ident(&["db"], "b"));
    let load = |t| store.load_content(w.cid(), &main, t, ContentKind::Table);
    let (a_now, b_now) = (load(&a).await.unwrap(), load(&b).await.unwrap());
    let at = head(&store, w.cid(), &main).await;
    for (n, kind) in [("v1", RefKind::Tag), ("dev", RefKind::Branch)] {
        store
            .create_ref(&new_ref(w.cid(), n, kind, at), &[])
            .await
            .unwrap();
    }
    // On dev, `a` lives on under another name; main drops it.
    let renamed = ident(&["db"], "a renamed");
    let rename = vec![
        delete(ContentKind::Table, &a, Expected::Present),
        Change::Put {
            ident: renamed,
            kind: ContentKind::Table,
            content_id: a_now.content_id,
            expected: Expected::Absent,
            location: a_now.location.clone(),
            metadata_location: a_now.metadata_location.clone(),
            metadata: None,
        },
    ];
    commit(&store, w.cid(), &name("dev"), rename).await;
    let drop = delete(ContentKind::Table, &a, Expected::Present);
    commit(&store, w.cid(), &main, vec![drop]).await;

    let holding = |id| store.refs_holding(w.cid(), id);
    assert_eq!(
        holding(a_now.content_id).await.unwrap(),
        [name("dev"), name("v1")]
    );
    assert_eq!(
        holding(b_now.content_id).await.unwrap(),
        [name("dev"), name("main"), name("v1")]
    );
    assert!(holding(ContentId::generate()).await.unwrap().is_empty());
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    let elsewhere = store.refs_holding(other.id, b_now.content_id).await;
    assert!(elsewhere.unwrap().is_empty());

    for n in ["dev", "v1"] {
        store.delete_ref(w.cid(), &name(n), &[]).await.unwrap();
    }
    assert!(holding(a_now.content_id).await.unwrap().is_empty());
    assert_eq!(holding(b_now.content_id).await.unwrap(), [name("main")]);
}

async fn racing_drops_on_every_branch_leave_no_body_behind(store: DynStore) {
    const BRANCHES: usize = 4;
    const ROUNDS: usize = 5;
    let w = world_with_tables(&store, &[]).await;
    let main = main_branch();
    for round in 0..ROUNDS {
        let t = ident(&["db"], &format!("t{round}"));
        let l0 = create_table(&store, w.cid(), &main, &t).await;
        let at = head(&store, w.cid(), &main).await;
        let mut refs = vec![main.clone()];
        for i in 1..BRANCHES {
            refs.push(
                branch(&store, w.cid(), &format!("r{round}-{i}"), at)
                    .await
                    .name,
            );
        }
        // Each drop sees the others' pointers until they commit: the last one must still
        // find itself last and delete the body.
        let tasks = refs.into_iter().map(|r| {
            let req = request(
                w.cid(),
                &r,
                vec![delete(ContentKind::Table, &t, Expected::Present)],
            );
            let store = store.clone();
            tokio::spawn(async move { store.commit(&req).await.map(drop) })
        });
        for task in futures::future::join_all(tasks).await {
            task.expect("dropping task panicked").expect("drop");
        }
        assert_released(&store, w.cid(), &l0).await;
    }
}
