//! Requests every backend refuses the same way, with nothing changed: a reference whose state
//! needs a namespace that is gone, a commit id used twice, a page token of another list.

use pangolin_core::model::{ContentKind, RefKind};
use pangolin_core::{Error, PageRequest, PageToken};

use super::Case;
use super::fixtures::{
    catalog, commit, create_table, delete, event, head, ident, location, main_branch, namespace,
    new_ref, ns, put_new_table, request, world,
};
use crate::{AuditFilter, DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(a_ref_whose_state_needs_a_dropped_namespace_is_not_found),
        case!(a_reused_commit_id_is_invalid),
        case!(an_audit_page_token_that_is_no_event_id_is_invalid),
    ]
}

async fn a_ref_whose_state_needs_a_dropped_namespace_is_not_found(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["gone"]).await;
    let t = ident(&["gone"], "t");
    create_table(&store, w.cid(), &main, &t).await;
    let with_t = head(&store, w.cid(), &main).await;
    let drop = delete(ContentKind::Table, &t, Expected::Present);
    commit(&store, w.cid(), &main, vec![drop]).await;
    store
        .drop_namespace(w.cid(), &ns(&["gone"]), &[])
        .await
        .unwrap();

    for kind in [RefKind::Branch, RefKind::Tag] {
        let new = new_ref(w.cid(), "revived", kind, with_t);
        assert_not_found!(store.create_ref(&new, &[]).await, Namespace);
        assert_not_found!(store.get_ref(w.cid(), &new.name).await, Reference);
    }
    // Scoped to other keys, the same commit is fine.
    let mut scoped = new_ref(w.cid(), "scoped", RefKind::Branch, with_t);
    scoped.scope = Some(vec![ident(&["db"], "other")]);
    store.create_ref(&scoped, &[]).await.unwrap();
}

async fn a_reused_commit_id_is_invalid(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let a = ident(&["db"], "a");
    let first = commit(
        &store,
        w.cid(),
        &main,
        vec![put_new_table(&a, &location(&a))],
    )
    .await;
    let b = ident(&["db"], "b");
    let mut again = request(w.cid(), &main, vec![put_new_table(&b, &location(&b))]);
    again.commit_id = first.id;
    assert_err!(store.commit(&again).await, Error::InvalidInput(_));
    assert_eq!(head(&store, w.cid(), &main).await, first.id);
    assert_eq!(store.get_commit(w.cid(), first.id).await.unwrap(), first);
    assert_not_found!(
        store
            .load_content(w.cid(), &main, &b, ContentKind::Table)
            .await,
        Table
    );

    // Commit ids are unique store-wide, not per catalog.
    let other = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    namespace(&store, other.id, &["db"]).await;
    let mut foreign = request(other.id, &main, vec![put_new_table(&b, &location(&b))]);
    foreign.commit_id = first.id;
    assert_err!(store.commit(&foreign).await, Error::InvalidInput(_));
    assert_not_found!(store.get_commit(other.id, first.id).await, Commit);
}

async fn an_audit_page_token_that_is_no_event_id_is_invalid(store: DynStore) {
    store.append_audit(&[event(None, "login")]).await.unwrap();
    let filter = AuditFilter::default();
    for key in ["not-an-id", "main", ""] {
        let page = PageRequest::after(PageToken::after(key), Some(10));
        assert_err!(
            store.list_audit(&filter, &page).await,
            Error::InvalidInput(_)
        );
    }
    let all = store
        .list_audit(&filter, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(all.items.len(), 1);
}
