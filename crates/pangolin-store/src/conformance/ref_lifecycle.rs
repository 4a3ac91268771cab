//! Reference lifecycle: unique names, checked origins, deletion with the reference's contents,
//! listing by name.

use pangolin_core::model::{ContentKind, RefKind};
use pangolin_core::{CatalogId, CommitId, Error, PageRequest};

use super::Case;
use super::fixtures::{
    branch, catalog, collect_pages, commit, head, ident, location, main_branch, name, new_ref,
    put_new_table, world, world_with_tables,
};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(creating_a_ref_checks_name_commit_and_catalog),
        case!(deleting_a_ref_removes_it_and_its_contents),
        case!(refs_are_listed_by_name),
    ]
}

async fn creating_a_ref_checks_name_commit_and_catalog(store: DynStore) {
    let w = world_with_tables(&store, &["a", "b"]).await;
    let from = head(&store, w.cid(), &main_branch()).await;
    let dev = branch(&store, w.cid(), "dev", from).await;
    let root = store
        .list_commits(w.cid(), from, &PageRequest::all())
        .await
        .unwrap()
        .items;
    let root = root.last().unwrap().id;
    let again = new_ref(w.cid(), "dev", RefKind::Tag, root);
    assert_already_exists!(store.create_ref(&again, &[]).await, Reference);
    assert_eq!(store.get_ref(w.cid(), &dev.name).await.unwrap(), dev);
    assert_already_exists!(
        store
            .create_ref(&new_ref(w.cid(), "main", RefKind::Branch, root), &[])
            .await,
        Reference
    );

    let ghost = new_ref(w.cid(), "ghost", RefKind::Branch, CommitId::generate());
    assert_not_found!(store.create_ref(&ghost, &[]).await, Commit);
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    let foreign = new_ref(other.id, "stolen", RefKind::Branch, from);
    assert_not_found!(store.create_ref(&foreign, &[]).await, Commit);
    let homeless = new_ref(CatalogId::generate(), "x", RefKind::Branch, from);
    assert_not_found!(store.create_ref(&homeless, &[]).await, Catalog);
    assert_not_found!(store.get_ref(w.cid(), &name("ghost")).await, Reference);
}

async fn deleting_a_ref_removes_it_and_its_contents(store: DynStore) {
    let w = world_with_tables(&store, &["a", "b"]).await;
    let main = main_branch();
    let root_and_more = head(&store, w.cid(), &main).await;
    let dev = branch(&store, w.cid(), "dev", root_and_more).await;
    let c = ident(&["db"], "c");
    let on_dev = commit(
        &store,
        w.cid(),
        &dev.name,
        vec![put_new_table(&c, &location(&c))],
    )
    .await;

    assert_err!(
        store.delete_ref(w.cid(), &main, &[]).await,
        Error::InvalidInput(_)
    );
    store.delete_ref(w.cid(), &dev.name, &[]).await.unwrap();
    assert_not_found!(store.get_ref(w.cid(), &dev.name).await, Reference);
    assert_not_found!(
        store
            .load_content(w.cid(), &dev.name, &c, ContentKind::Table)
            .await,
        Reference
    );
    assert_not_found!(store.delete_ref(w.cid(), &dev.name, &[]).await, Reference);
    assert_eq!(store.get_commit(w.cid(), on_dev.id).await.unwrap(), on_dev);
    let all = PageRequest::all();
    let on_main = store.list_contents(w.cid(), &main, &c.namespace, ContentKind::Table, &all);
    assert_eq!(on_main.await.unwrap().items.len(), 2, "main keeps a and b");

    branch(&store, w.cid(), "dev", root_and_more).await;
    assert_not_found!(
        store
            .load_content(w.cid(), &dev.name, &c, ContentKind::Table)
            .await,
        Table
    );
    let refs = store
        .list_refs(w.cid(), &PageRequest::all())
        .await
        .unwrap()
        .items;
    assert_eq!(
        refs.iter().map(|r| r.name.to_string()).collect::<Vec<_>>(),
        ["dev", "main"]
    );
}

async fn refs_are_listed_by_name(store: DynStore) {
    let w = world(&store).await;
    let root = head(&store, w.cid(), &main_branch()).await;
    for (n, kind) in [
        ("é", RefKind::Tag),
        ("dev", RefKind::Branch),
        ("B", RefKind::Branch),
        ("v1.0", RefKind::Tag),
    ] {
        store
            .create_ref(&new_ref(w.cid(), n, kind, root), &[])
            .await
            .unwrap();
    }
    let (s, cid) = (&store, w.cid());
    let paged = collect_pages(1, |p| async move { s.list_refs(cid, &p).await }).await;
    let names: Vec<_> = paged.iter().map(|r| r.name.to_string()).collect();
    assert_eq!(names, ["B", "dev", "main", "v1.0", "é"]);
    let all = store.list_refs(w.cid(), &PageRequest::all()).await.unwrap();
    assert_eq!((all.items, all.next), (paged, None));
}
