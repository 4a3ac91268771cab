//! Namespaces: nesting, direct-children listing in encoded order, atomic property updates,
//! refusal to drop a namespace that still holds something on any branch.

use pangolin_core::model::{Namespace, PropertiesUpdate};
use pangolin_core::{CatalogId, Error, PageRequest, Properties};

use super::Case;
use super::fixtures::{
    branch, commit, create_table, create_view, head, ident, location, longest_name, main_branch,
    namespace, ns, props, put_new_table, tricky_props, world,
};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(namespace_round_trips_exactly),
        case!(nested_namespace_needs_its_parent_and_catalog),
        case!(duplicate_namespace_is_already_exists),
        case!(namespaces_list_direct_children_in_encoded_order),
        case!(listing_under_a_missing_parent_is_not_found),
        case!(property_update_reports_updated_removed_and_missing),
        case!(property_update_setting_and_removing_one_key_changes_nothing),
        case!(property_update_of_missing_namespace_is_not_found),
        case!(namespace_with_children_cannot_be_dropped),
        case!(namespace_with_content_on_any_branch_cannot_be_dropped),
        case!(dropped_namespace_can_be_recreated),
    ]
}

async fn namespace_round_trips_exactly(store: DynStore) {
    let w = world(&store).await;
    let long = longest_name();
    namespace(&store, w.cid(), &["Ünïcode 表"]).await;
    let nested = Namespace::new(w.cid(), ns(&["Ünïcode 表", &long]), tricky_props());
    store.create_namespace(&nested, &[]).await.unwrap();

    assert_eq!(
        store.get_namespace(w.cid(), &nested.ident).await.unwrap(),
        nested
    );
    let parent = ns(&["Ünïcode 表"]);
    let listed = store
        .list_namespaces(w.cid(), Some(&parent), &PageRequest::all())
        .await;
    assert_eq!(listed.unwrap().items, vec![nested]);
}

async fn nested_namespace_needs_its_parent_and_catalog(store: DynStore) {
    let w = world(&store).await;
    let orphan = Namespace::new(w.cid(), ns(&["a", "b"]), Properties::new());
    assert_not_found!(store.create_namespace(&orphan, &[]).await, Namespace);
    assert_not_found!(store.get_namespace(w.cid(), &orphan.ident).await, Namespace);

    let homeless = Namespace::new(CatalogId::generate(), ns(&["a"]), Properties::new());
    assert_not_found!(store.create_namespace(&homeless, &[]).await, Catalog);

    namespace(&store, w.cid(), &["a"]).await;
    store.create_namespace(&orphan, &[]).await.unwrap();
    assert_eq!(
        store.get_namespace(w.cid(), &orphan.ident).await.unwrap(),
        orphan
    );
}

async fn duplicate_namespace_is_already_exists(store: DynStore) {
    let w = world(&store).await;
    let first = namespace(&store, w.cid(), &["db"]).await;
    let again = Namespace::new(w.cid(), ns(&["db"]), tricky_props());
    assert_already_exists!(store.create_namespace(&again, &[]).await, Namespace);
    assert_eq!(
        store.get_namespace(w.cid(), &first.ident).await.unwrap(),
        first
    );
}

async fn list_names(store: &DynStore, catalog: CatalogId, parent: &[&str]) -> Vec<String> {
    let parent = (!parent.is_empty()).then(|| ns(parent));
    let all = PageRequest::all();
    let page = store
        .list_namespaces(catalog, parent.as_ref(), &all)
        .await
        .unwrap();
    assert!(page.next.is_none());
    page.items.iter().map(|n| n.ident.to_string()).collect()
}

/// `a_b` and `a%` guard against LIKE-pattern prefix matching; `B` before `a` is bytewise order.
async fn namespaces_list_direct_children_in_encoded_order(store: DynStore) {
    let w = world(&store).await;
    let paths: [&[&str]; 12] = [
        &["b"],
        &["a"],
        &["a_b"],
        &["axb"],
        &["B"],
        &["a%"],
        &["a", "c d"],
        &["a", "c"],
        &["a", "c", "deep"],
        &["a_b", "z"],
        &["a_b", "y"],
        &["axb", "w"],
    ];
    for levels in paths {
        namespace(&store, w.cid(), levels).await;
    }
    let top = list_names(&store, w.cid(), &[]).await;
    assert_eq!(top, ["B", "a", "a%", "a_b", "axb", "b"]);
    assert_eq!(list_names(&store, w.cid(), &["a"]).await, ["a.c", "a.c d"]);
    assert_eq!(
        list_names(&store, w.cid(), &["a_b"]).await,
        ["a_b.y", "a_b.z"]
    );
    assert_eq!(list_names(&store, w.cid(), &["a", "c"]).await, ["a.c.deep"]);
    assert!(list_names(&store, w.cid(), &["a%"]).await.is_empty());
}

async fn listing_under_a_missing_parent_is_not_found(store: DynStore) {
    let w = world(&store).await;
    namespace(&store, w.cid(), &["a"]).await;
    let missing = ns(&["a", "missing"]);
    let page = PageRequest::all();
    assert_not_found!(
        store.list_namespaces(w.cid(), Some(&missing), &page).await,
        Namespace
    );
    let ghost = ns(&["ghost"]);
    assert_not_found!(
        store.list_namespaces(w.cid(), Some(&ghost), &page).await,
        Namespace
    );
}

fn sorted(update: PropertiesUpdate) -> PropertiesUpdate {
    let sort = |mut v: Vec<String>| {
        v.sort();
        v
    };
    PropertiesUpdate {
        updated: sort(update.updated),
        removed: sort(update.removed),
        missing: sort(update.missing),
    }
}

async fn property_update_reports_updated_removed_and_missing(store: DynStore) {
    let w = world(&store).await;
    let initial = props(&[
        ("keep", "1"),
        ("drop-me", "x"),
        ("change", "old"),
        ("gone", "y"),
    ]);
    let created = Namespace::new(w.cid(), ns(&["db"]), initial);
    store.create_namespace(&created, &[]).await.unwrap();

    let updates = props(&[("change", "new ✓"), ("added", ""), ("ключ", "значение")]);
    let removals = ["drop-me", "gone", "never-there"].map(String::from);
    let result = store
        .update_namespace_properties(w.cid(), &created.ident, &updates, &removals, &[])
        .await
        .unwrap();
    let expected = PropertiesUpdate {
        updated: ["added", "change", "ключ"].map(String::from).into(),
        removed: ["drop-me", "gone"].map(String::from).into(),
        missing: vec!["never-there".into()],
    };
    assert_eq!(sorted(result), expected);

    let stored = store.get_namespace(w.cid(), &created.ident).await.unwrap();
    let want = props(&[
        ("keep", "1"),
        ("change", "new ✓"),
        ("added", ""),
        ("ключ", "значение"),
    ]);
    assert_eq!(stored.properties, want);
    assert_eq!(
        (stored.id, stored.created_at),
        (created.id, created.created_at)
    );
}

async fn property_update_setting_and_removing_one_key_changes_nothing(store: DynStore) {
    let w = world(&store).await;
    let created = Namespace::new(w.cid(), ns(&["db"]), props(&[("a", "1"), ("b", "2")]));
    store.create_namespace(&created, &[]).await.unwrap();
    let updates = props(&[("a", "changed"), ("c", "3")]);
    let removals = ["b".to_string(), "a".to_string()];
    let result = store
        .update_namespace_properties(w.cid(), &created.ident, &updates, &removals, &[])
        .await;
    assert_err!(result, Error::InvalidInput(_));
    let stored = store.get_namespace(w.cid(), &created.ident).await.unwrap();
    assert_eq!(stored, created);
}

async fn property_update_of_missing_namespace_is_not_found(store: DynStore) {
    let w = world(&store).await;
    let result = store
        .update_namespace_properties(w.cid(), &ns(&["ghost"]), &props(&[("a", "1")]), &[], &[])
        .await;
    assert_not_found!(result, Namespace);
}

async fn namespace_with_children_cannot_be_dropped(store: DynStore) {
    let w = world(&store).await;
    let parent = namespace(&store, w.cid(), &["a"]).await;
    namespace(&store, w.cid(), &["a", "b"]).await;
    assert_not_empty!(
        store.drop_namespace(w.cid(), &parent.ident, &[]).await,
        Namespace
    );
    assert_eq!(
        store.get_namespace(w.cid(), &parent.ident).await.unwrap(),
        parent
    );

    store
        .drop_namespace(w.cid(), &ns(&["a", "b"]), &[])
        .await
        .unwrap();
    store
        .drop_namespace(w.cid(), &parent.ident, &[])
        .await
        .unwrap();
    assert_not_found!(store.get_namespace(w.cid(), &parent.ident).await, Namespace);
}

async fn namespace_with_content_on_any_branch_cannot_be_dropped(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    let db = namespace(&store, w.cid(), &["db"]).await;
    let root = head(&store, w.cid(), &main).await;
    let dev = branch(&store, w.cid(), "dev", root).await;
    create_table(&store, w.cid(), &dev.name, &ident(&["db"], "only_on_dev")).await;
    assert_not_empty!(
        store.drop_namespace(w.cid(), &db.ident, &[]).await,
        Namespace
    );

    let views = namespace(&store, w.cid(), &["views"]).await;
    let v = ident(&["views"], "v");
    create_view(&store, w.cid(), &main, &v).await;
    assert_not_empty!(
        store.drop_namespace(w.cid(), &views.ident, &[]).await,
        Namespace
    );
    assert_eq!(store.get_namespace(w.cid(), &db.ident).await.unwrap(), db);
}

async fn dropped_namespace_can_be_recreated(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    let ghost = ns(&["ghost"]);
    assert_not_found!(store.drop_namespace(w.cid(), &ghost, &[]).await, Namespace);

    let first = namespace(&store, w.cid(), &["db"]).await;
    store
        .drop_namespace(w.cid(), &first.ident, &[])
        .await
        .unwrap();
    assert_not_found!(store.get_namespace(w.cid(), &first.ident).await, Namespace);
    assert!(list_all(&store, w.cid()).await.is_empty());

    let second = Namespace::new(w.cid(), first.ident.clone(), tricky_props());
    store.create_namespace(&second, &[]).await.unwrap();
    assert_eq!(
        store.get_namespace(w.cid(), &first.ident).await.unwrap(),
        second
    );
    let t = ident(&["db"], "t");
    commit(
        &store,
        w.cid(),
        &main,
        vec![put_new_table(&t, &location(&t))],
    )
    .await;
    assert_eq!(list_all(&store, w.cid()).await, vec![second]);
}

async fn list_all(store: &DynStore, catalog: CatalogId) -> Vec<Namespace> {
    let page = store
        .list_namespaces(catalog, None, &PageRequest::all())
        .await;
    page.unwrap().items
}
