//! All or nothing: a commit whose last change fails leaves no trace (no pointer moved, no
//! commit, no audit event); a successful one writes its audit events with it.

use pangolin_core::model::{Commit, Content, ContentKind};
use pangolin_core::{CommitId, Error, PageRequest, Result};

use super::Case;
use super::fixtures::{
    World, create_table, event, head, ident, location, main_branch, namespace, put, put_new_table,
    request, world,
};
use crate::{AuditFilter, Change, DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(failing_last_change_applies_nothing),
        case!(successful_commit_writes_its_audit_events),
    ]
}

/// Two tables `a` and `b` on main, and the state a failed commit must leave untouched.
struct Before {
    w: World,
    a: Content,
    b: Content,
    head: CommitId,
}

async fn two_tables(store: &DynStore) -> Before {
    let w = world(store).await;
    let main = main_branch();
    namespace(store, w.cid(), &["db"]).await;
    let (a, b) = (ident(&["db"], "a"), ident(&["db"], "b"));
    create_table(store, w.cid(), &main, &a).await;
    create_table(store, w.cid(), &main, &b).await;
    let load = |t| store.load_content(w.cid(), &main, t, ContentKind::Table);
    let (a, b) = (load(&a).await.unwrap(), load(&b).await.unwrap());
    let head = head(store, w.cid(), &main).await;
    Before { w, a, b, head }
}

/// Commits [update a, create c, `last`] with an audit event; checks that nothing of it
/// applied and returns the store's answer.
async fn commit_failing_at(store: &DynStore, before: &Before, last: Change) -> Result<Commit> {
    let (cid, main, c) = (before.w.cid(), main_branch(), ident(&["db"], "c"));
    let a = &before.a;
    let expected = Expected::At(a.metadata_location.clone());
    let changes = vec![
        put(
            ContentKind::Table,
            &a.ident,
            a.content_id,
            expected,
            &location(&a.ident),
        ),
        put_new_table(&c, &location(&c)),
        last,
    ];
    let mut req = request(cid, &main, changes);
    req.audit = vec![event(Some(before.w.tenant.id), "table.commit")];
    let result = store.commit(&req).await;
    assert!(result.is_err(), "the last change must fail");

    let load = |t| store.load_content(cid, &main, t, ContentKind::Table);
    assert_eq!(load(&a.ident).await.unwrap(), *a);
    assert_eq!(load(&before.b.ident).await.unwrap(), before.b);
    assert_not_found!(load(&c).await, Table);
    assert_eq!(head(store, cid, &main).await, before.head);
    assert_not_found!(store.get_commit(cid, req.commit_id).await, Commit);
    let filter = AuditFilter {
        action: Some("table.commit".into()),
        ..AuditFilter::default()
    };
    let audit = store
        .list_audit(&filter, &PageRequest::all())
        .await
        .unwrap();
    assert!(
        audit.items.is_empty(),
        "audit of a failed commit: {audit:?}"
    );
    result
}

async fn failing_last_change_applies_nothing(store: DynStore) {
    let before = two_tables(&store).await;
    let b = &before.b;
    let stale = Expected::At("file:///stale.metadata.json".into());
    let cas = put(
        ContentKind::Table,
        &b.ident,
        b.content_id,
        stale,
        "file:///x",
    );
    let result = commit_failing_at(&store, &before, cas).await;
    assert_err!(result, Error::Conflict { current: Some(ref c), .. } if *c == b.metadata_location);
    let exists = commit_failing_at(&store, &before, put_new_table(&b.ident, "file:///y")).await;
    assert_already_exists!(exists, Table);
    let homeless = put_new_table(&ident(&["missing"], "d"), "file:///z");
    assert_not_found!(
        commit_failing_at(&store, &before, homeless).await,
        Namespace
    );
}

async fn successful_commit_writes_its_audit_events(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let (a, b) = (ident(&["db"], "a"), ident(&["db"], "b"));
    let changes = vec![
        put_new_table(&a, &location(&a)),
        put_new_table(&b, &location(&b)),
    ];
    let mut ok = request(w.cid(), &main, changes);
    ok.audit = vec![
        event(Some(w.tenant.id), "table.commit"),
        event(None, "table.commit"),
    ];
    let made = store.commit(&ok).await.unwrap();
    assert_eq!(made.operations.len(), 2);

    let filter = AuditFilter {
        action: Some("table.commit".into()),
        ..AuditFilter::default()
    };
    let written = store
        .list_audit(&filter, &PageRequest::all())
        .await
        .unwrap()
        .items;
    assert_eq!(written, ok.audit.iter().rev().cloned().collect::<Vec<_>>());
}
