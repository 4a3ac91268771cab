//! Pagination: page size 1 walks every list with no duplicates and no gaps in the same order as
//! an unpaged read; cursors are keys, so rows inserted or deleted around them never repeat.

use std::collections::HashSet;
use std::fmt::Debug;

use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{ContentKind, RefKind};
use pangolin_core::{Page, PageRequest, Result};

use super::Case;
use super::fixtures::{
    World, catalog, collect_pages, create_table, event, head, ident, main_branch, name, namespace,
    new_ref, ns, tenant, update_table, warehouse, world,
};
use crate::{AuditFilter, DynStore};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(page_size_one_walks_every_list),
        case!(rows_inserted_or_deleted_around_the_cursor_never_repeat),
        case!(audit_events_appended_during_paging_never_repeat),
    ]
}

/// Checks that walking with page size 1 yields `all` exactly, with `all` of length `len`.
fn assert_walk<T: PartialEq + Debug>(what: &str, walked: Vec<T>, all: Page<T>, len: usize) {
    assert!(
        all.next.is_none(),
        "{what}: an unlimited page has no next token"
    );
    assert_eq!(all.items.len(), len, "{what}: unpaged count");
    assert_eq!(
        walked, all.items,
        "{what}: paged walk differs from the unpaged read"
    );
}

/// A catalog with 3 top-level namespaces, 3 tables and 2 references and some history.
async fn populated(store: &DynStore) -> World {
    let w = world(store).await;
    let main = main_branch();
    for n in ["n1", "n2", "n3"] {
        namespace(store, w.cid(), &[n]).await;
    }
    for n in ["c", "a", "b"] {
        let t = ident(&["n1"], n);
        let loc = create_table(store, w.cid(), &main, &t).await;
        update_table(store, w.cid(), &main, &t, &loc).await;
    }
    let from = head(store, w.cid(), &main).await;
    store
        .create_ref(&new_ref(w.cid(), "v1", RefKind::Tag, from), &[])
        .await
        .unwrap();
    for n in ["globex", "initech"] {
        let t = tenant(store, n).await;
        warehouse(store, t.id, "lake").await;
    }
    for n in ["x", "y"] {
        warehouse(store, w.tenant.id, n).await;
        catalog(store, w.tenant.id, w.warehouse.id, n).await;
    }
    w
}

async fn page_size_one_walks_every_list(store: DynStore) {
    let w = populated(&store).await;
    let (s, cid, tid, all) = (&store, w.cid(), w.tenant.id, PageRequest::all());
    let main = main_branch();
    let n1 = ns(&["n1"]);

    let walked = collect_pages(1, |p| async move { s.list_tenants(&p).await }).await;
    assert_walk("tenants", walked, s.list_tenants(&all).await.unwrap(), 3);
    let walked = collect_pages(1, |p| async move { s.list_warehouses(tid, &p).await }).await;
    assert_walk(
        "warehouses",
        walked,
        s.list_warehouses(tid, &all).await.unwrap(),
        3,
    );
    let walked = collect_pages(1, |p| async move { s.list_catalogs(tid, &p).await }).await;
    assert_walk(
        "catalogs",
        walked,
        s.list_catalogs(tid, &all).await.unwrap(),
        3,
    );
    let walked = collect_pages(1, |p| async move { s.list_namespaces(cid, None, &p).await }).await;
    assert_walk(
        "namespaces",
        walked,
        s.list_namespaces(cid, None, &all).await.unwrap(),
        3,
    );
    let walked = collect_pages(1, |p| async move { s.list_refs(cid, &p).await }).await;
    assert_walk("refs", walked, s.list_refs(cid, &all).await.unwrap(), 2);

    let (main_ref, n1_ref) = (&main, &n1);
    let tables = |p: PageRequest| async move {
        s.list_contents(cid, main_ref, n1_ref, ContentKind::Table, &p)
            .await
    };
    let walked = collect_pages(1, tables).await;
    assert_walk("tables", walked, tables(all.clone()).await.unwrap(), 3);
    let from = head(&store, cid, &main).await;
    let walked = collect_pages(1, |p| async move { s.list_commits(cid, from, &p).await }).await;
    assert_walk(
        "commits",
        walked,
        s.list_commits(cid, from, &all).await.unwrap(),
        7,
    );
}

async fn rows_inserted_or_deleted_around_the_cursor_never_repeat(store: DynStore) {
    for n in ["b", "d", "f", "h"] {
        tenant(&store, n).await;
    }
    let first = store.list_tenants(&PageRequest::first(2)).await.unwrap();
    let token = first.next.clone().expect("more pages");
    for n in ["a", "c", "e", "g"] {
        tenant(&store, n).await;
    }
    let d = store.get_tenant_by_name(&name("d")).await.unwrap();
    store.delete_tenant(d.id, &[]).await.unwrap();

    let mut names: Vec<String> = first.items.iter().map(|t| t.name.to_string()).collect();
    let mut request = PageRequest::after(token, Some(2));
    loop {
        let page = store.list_tenants(&request).await.unwrap();
        names.extend(page.items.iter().map(|t| t.name.to_string()));
        match page.next {
            Some(next) => request = PageRequest::after(next, Some(2)),
            None => break,
        }
    }
    assert_eq!(names, ["b", "d", "e", "f", "g", "h"]);
    let unique: HashSet<_> = names.iter().collect();
    assert_eq!(unique.len(), names.len());
}

async fn audit_events_appended_during_paging_never_repeat(store: DynStore) {
    let older: Vec<AuditEvent> = (0..5).map(|i| event(None, &format!("a{i}"))).collect();
    store.append_audit(&older).await.unwrap();
    let filter = AuditFilter::default();
    let first = store
        .list_audit(&filter, &PageRequest::first(2))
        .await
        .unwrap();
    store.append_audit(&[event(None, "newer")]).await.unwrap();

    let mut seen = first.items;
    let mut next = first.next;
    while let Some(token) = next {
        let page: Result<Page<AuditEvent>> = store
            .list_audit(&filter, &PageRequest::after(token, Some(2)))
            .await;
        let page = page.unwrap();
        seen.extend(page.items);
        next = page.next;
    }
    let expected: Vec<AuditEvent> = older.into_iter().rev().collect();
    assert_eq!(seen, expected);
    let all = store
        .list_audit(&filter, &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(all.items.len(), 6);
    assert_eq!(all.items[0].action, "newer");
}
