//! Tables and views: creation through commits, loads by kind, listing, stored metadata.

use pangolin_core::model::{Content, ContentKind, Operation, RefKind};
use pangolin_core::{ContentId, Name, PageRequest};

use super::Case;
use super::fixtures::{
    World, base_of, catalog, collect_pages, commit, create_table, create_view, delete, head, ident,
    location, longest_name, main_branch, metadata_json, name, namespace, new_ref, ns, put,
    put_new_table, request, update_table, world,
};
use crate::{DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(created_table_loads_with_its_commit_and_metadata),
        case!(created_view_loads_as_a_view),
        case!(creating_an_existing_key_is_already_exists),
        case!(loading_with_the_other_kind_is_not_found),
        case!(put_into_a_missing_namespace_is_not_found),
        case!(contents_are_listed_by_kind_and_name),
        case!(metadata_of_referenced_locations_stays_loadable),
        case!(content_is_found_by_id_under_its_current_name),
    ]
}

async fn created_table_loads_with_its_commit_and_metadata(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    let root = head(&store, w.cid(), &main).await;
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], &longest_name());
    let loc = location(&t);
    let content_id = ContentId::generate();
    let req = request(
        w.cid(),
        &main,
        vec![put(
            ContentKind::Table,
            &t,
            content_id,
            Expected::Absent,
            &loc,
        )],
    );
    let made = store.commit(&req).await.unwrap();

    let op = Operation::Put {
        ident: t.clone(),
        content_id,
        kind: ContentKind::Table,
        location: base_of(&loc),
        metadata_location: loc.clone(),
    };
    assert_eq!(
        (made.id, made.catalog_id, &made.parents),
        (req.commit_id, w.cid(), &vec![root])
    );
    assert_eq!((&made.author, &made.message), (&req.author, &req.message));
    assert_eq!(
        (made.created_at, &made.operations),
        (req.created_at, &vec![op])
    );
    assert_eq!(store.get_commit(w.cid(), made.id).await.unwrap(), made);
    assert_eq!(head(&store, w.cid(), &main).await, made.id);

    let content = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap();
    let expected = Content {
        content_id,
        kind: ContentKind::Table,
        ident: t.clone(),
        location: base_of(&loc),
        metadata_location: loc.clone(),
        last_commit_id: made.id,
        updated_at: req.created_at,
    };
    assert_eq!(content, expected);
    assert_eq!(
        store.load_metadata(w.cid(), &loc).await.unwrap(),
        metadata_json(&loc)
    );
}

async fn created_view_loads_as_a_view(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let v = ident(&["db"], "Ünïcode view");
    let loc = location(&v);
    let id = ContentId::generate();
    let made = commit(
        &store,
        w.cid(),
        &main,
        vec![put(ContentKind::View, &v, id, Expected::Absent, &loc)],
    )
    .await;
    let content = store
        .load_content(w.cid(), &main, &v, ContentKind::View)
        .await
        .unwrap();
    assert_eq!((content.kind, content.content_id), (ContentKind::View, id));
    assert_eq!(
        (content.metadata_location, content.last_commit_id),
        (loc.clone(), made.id)
    );
    assert_eq!(
        store.load_metadata(w.cid(), &loc).await.unwrap(),
        metadata_json(&loc)
    );
}

async fn creating_an_existing_key_is_already_exists(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let v = ident(&["db"], "v");
    let loc = create_table(&store, w.cid(), &main, &t).await;
    create_view(&store, w.cid(), &main, &v).await;
    let before = head(&store, w.cid(), &main).await;

    let table_again = request(w.cid(), &main, vec![put_new_table(&t, &location(&t))]);
    assert_already_exists!(store.commit(&table_again).await, Table);
    let id = ContentId::generate();
    let view_over_table = put(ContentKind::View, &t, id, Expected::Absent, &location(&t));
    assert_already_exists!(
        store
            .commit(&request(w.cid(), &main, vec![view_over_table]))
            .await,
        Table
    );
    let table_over_view = request(w.cid(), &main, vec![put_new_table(&v, &location(&v))]);
    assert_already_exists!(store.commit(&table_over_view).await, View);

    assert_eq!(head(&store, w.cid(), &main).await, before);
    let content = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await;
    assert_eq!(content.unwrap().metadata_location, loc);
}

async fn loading_with_the_other_kind_is_not_found(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let v = ident(&["db"], "v");
    create_table(&store, w.cid(), &main, &t).await;
    create_view(&store, w.cid(), &main, &v).await;

    assert_not_found!(
        store
            .load_content(w.cid(), &main, &t, ContentKind::View)
            .await,
        View
    );
    assert_not_found!(
        store
            .load_content(w.cid(), &main, &v, ContentKind::Table)
            .await,
        Table
    );
    let missing = ident(&["db"], "missing");
    assert_not_found!(
        store
            .load_content(w.cid(), &main, &missing, ContentKind::Table)
            .await,
        Table
    );
    assert_not_found!(
        store
            .load_content(w.cid(), &main, &missing, ContentKind::View)
            .await,
        View
    );
    let nowhere = name("nowhere");
    assert_not_found!(
        store
            .load_content(w.cid(), &nowhere, &t, ContentKind::Table)
            .await,
        Reference
    );
}

async fn put_into_a_missing_namespace_is_not_found(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let before = head(&store, w.cid(), &main).await;
    let t = ident(&["db", "missing"], "t");
    let req = request(w.cid(), &main, vec![put_new_table(&t, &location(&t))]);
    assert_not_found!(store.commit(&req).await, Namespace);
    assert_eq!(head(&store, w.cid(), &main).await, before);
    assert_not_found!(store.get_commit(w.cid(), req.commit_id).await, Commit);
}

async fn list_names(store: &DynStore, w: &World, kind: ContentKind, size: usize) -> Vec<String> {
    let (s, cid, main, db) = (store, w.cid(), main_branch(), ns(&["db"]));
    let rows = collect_pages(size, |p| {
        let (main, db) = (main.clone(), db.clone());
        async move { s.list_contents(cid, &main, &db, kind, &p).await }
    });
    rows.await
        .into_iter()
        .map(|c| c.ident.name.to_string())
        .collect()
}

async fn contents_are_listed_by_kind_and_name(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    namespace(&store, w.cid(), &["db", "inner"]).await;
    for n in ["t_b", "T", "t_a", "é"] {
        create_table(&store, w.cid(), &main, &ident(&["db"], n)).await;
    }
    create_table(&store, w.cid(), &main, &ident(&["db", "inner"], "nested")).await;
    let v = ident(&["db"], "v1");
    create_view(&store, w.cid(), &main, &v).await;

    let tables = ["T", "t_a", "t_b", "é"];
    assert_eq!(
        list_names(&store, &w, ContentKind::Table, 100).await,
        tables
    );
    assert_eq!(list_names(&store, &w, ContentKind::Table, 1).await, tables);
    assert_eq!(list_names(&store, &w, ContentKind::Table, 3).await, tables);
    assert_eq!(list_names(&store, &w, ContentKind::View, 1).await, ["v1"]);

    let all = PageRequest::all();
    let page = store
        .list_contents(w.cid(), &main, &v.namespace, ContentKind::View, &all)
        .await
        .unwrap();
    let loaded = store
        .load_content(w.cid(), &main, &v, ContentKind::View)
        .await
        .unwrap();
    assert_eq!(page.items, vec![loaded]);
    let ghost = ns(&["ghost"]);
    assert_not_found!(
        store
            .list_contents(w.cid(), &main, &ghost, ContentKind::Table, &all)
            .await,
        Namespace
    );
    let nowhere: Name = name("nowhere");
    assert_not_found!(
        store
            .list_contents(w.cid(), &nowhere, &v.namespace, ContentKind::Table, &all)
            .await,
        Reference
    );
}

async fn metadata_of_referenced_locations_stays_loadable(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let t1 = ident(&["db"], "t1");
    let t2 = ident(&["db"], "t2");
    let l1 = create_table(&store, w.cid(), &main, &t1).await;
    let tag = new_ref(
        w.cid(),
        "v1",
        RefKind::Tag,
        head(&store, w.cid(), &main).await,
    );
    store.create_ref(&tag, &[]).await.unwrap();
    let mut l2 = create_table(&store, w.cid(), &main, &t2).await;
    let mut replaced = Vec::new();
    for _ in 0..3 {
        replaced.push(l2.clone());
        l2 = update_table(&store, w.cid(), &main, &t2, &l2).await;
    }
    let l1_new = update_table(&store, w.cid(), &main, &t1, &l1).await;

    // l1 stays with the tag; the locations t2 moved away from were referenced by nothing.
    for loc in [&l1, &l2, &l1_new] {
        let doc = store.load_metadata(w.cid(), loc).await.unwrap();
        assert_eq!(doc, metadata_json(loc), "metadata of {loc}");
    }
    for loc in &replaced {
        assert_not_found!(store.load_metadata(w.cid(), loc).await, Table);
    }
    assert_not_found!(
        store
            .load_metadata(w.cid(), "file:///nowhere.metadata.json")
            .await,
        Table
    );
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    assert_not_found!(store.load_metadata(other.id, &l2).await, Table);
}

async fn content_is_found_by_id_under_its_current_name(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    namespace(&store, w.cid(), &["other"]).await;
    let t = ident(&["db"], "t");
    let loc = create_table(&store, w.cid(), &main, &t).await;
    let v = ident(&["db"], "v");
    create_view(&store, w.cid(), &main, &v).await;
    let table = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap();
    let tag = new_ref(w.cid(), "before", RefKind::Tag, table.last_commit_id);
    store.create_ref(&tag, &[]).await.unwrap();
    // A rename keeps the content id: the lookup follows it into the other namespace.
    let moved = ident(&["other"], "moved");
    let rename = vec![
        delete(ContentKind::Table, &t, Expected::At(loc.clone())),
        put(
            ContentKind::Table,
            &moved,
            table.content_id,
            Expected::Absent,
            &loc,
        ),
    ];
    commit(&store, w.cid(), &main, rename).await;

    let found = store
        .find_content(w.cid(), &main, table.content_id)
        .await
        .unwrap()
        .expect("the renamed table");
    assert_eq!((found.ident, found.kind), (moved, ContentKind::Table));
    let on_tag = store
        .find_content(w.cid(), &tag.name, table.content_id)
        .await
        .unwrap()
        .expect("the tag keeps the old name");
    assert_eq!(on_tag.ident, t);
    let view = store
        .load_content(w.cid(), &main, &v, ContentKind::View)
        .await
        .unwrap();
    let found = store.find_content(w.cid(), &main, view.content_id).await;
    assert_eq!(found.unwrap().map(|c| c.kind), Some(ContentKind::View));
    let unknown = store
        .find_content(w.cid(), &main, ContentId::generate())
        .await;
    assert_eq!(unknown.unwrap(), None);
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    let elsewhere = store.find_content(other.id, &main, table.content_id).await;
    assert_eq!(elsewhere.unwrap(), None);
    assert_not_found!(
        store
            .find_content(w.cid(), &name("nowhere"), table.content_id)
            .await,
        Reference
    );
}
