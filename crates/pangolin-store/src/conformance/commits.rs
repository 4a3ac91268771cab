//! Commits: compare-and-swap per change, deletes, renames, and the checks on the branch and
//! the change list.

use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::model::{ContentKind, Operation, RefKind};
use pangolin_core::{ContentId, Error, PageRequest};

use super::Case;
use super::fixtures::{
    commit, create_table, delete, head, ident, location, main_branch, metadata_in, metadata_json,
    name, namespace, new_ref, put, put_new_table, request, update_table, world,
};
use crate::{AuditFilter, Change, DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(stale_cas_is_conflict_naming_the_current_location),
        case!(expected_present_needs_content_of_the_same_kind),
        case!(delete_removes_the_content_and_records_its_id),
        case!(rename_as_delete_and_put_keeps_the_content_id),
        case!(duplicate_key_in_one_commit_is_invalid),
        case!(commit_to_a_tag_is_invalid),
        case!(table_update_on_a_tag_is_invalid),
        case!(table_update_lands_on_the_head_with_its_audit_event),
        case!(commit_to_a_missing_branch_is_not_found),
    ]
}

async fn stale_cas_is_conflict_naming_the_current_location(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let l0 = create_table(&store, w.cid(), &main, &t).await;
    let l1 = update_table(&store, w.cid(), &main, &t, &l0).await;
    let before = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap();

    let stale = put(
        ContentKind::Table,
        &t,
        before.content_id,
        Expected::At(l0),
        &location(&t),
    );
    let result = store.commit(&request(w.cid(), &main, vec![stale])).await;
    assert_err!(result, Error::Conflict { current: Some(ref c), .. } if *c == l1);
    let after = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!(after, before);
    assert_eq!(head(&store, w.cid(), &main).await, before.last_commit_id);
}

async fn expected_present_needs_content_of_the_same_kind(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let l0 = create_table(&store, w.cid(), &main, &t).await;
    let id = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap()
        .content_id;

    let l1 = location(&t);
    commit(
        &store,
        w.cid(),
        &main,
        vec![put(ContentKind::Table, &t, id, Expected::Present, &l1)],
    )
    .await;
    let now = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!((now.metadata_location, now.content_id), (l1.clone(), id));

    let as_view = put(ContentKind::View, &t, id, Expected::Present, &location(&t));
    assert_not_found!(
        store.commit(&request(w.cid(), &main, vec![as_view])).await,
        View
    );
    let view_at = put(
        ContentKind::View,
        &t,
        id,
        Expected::At(l1.clone()),
        &location(&t),
    );
    assert_not_found!(
        store.commit(&request(w.cid(), &main, vec![view_at])).await,
        View
    );
    let missing = ident(&["db"], "missing");
    let new_id = ContentId::generate();
    let present = put(
        ContentKind::Table,
        &missing,
        new_id,
        Expected::Present,
        &location(&missing),
    );
    assert_not_found!(
        store.commit(&request(w.cid(), &main, vec![present])).await,
        Table
    );
    let at = put(
        ContentKind::Table,
        &missing,
        new_id,
        Expected::At(l0),
        &location(&missing),
    );
    assert_not_found!(
        store.commit(&request(w.cid(), &main, vec![at])).await,
        Table
    );
}

async fn delete_removes_the_content_and_records_its_id(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let l0 = create_table(&store, w.cid(), &main, &t).await;
    let l1 = update_table(&store, w.cid(), &main, &t, &l0).await;
    let id = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap()
        .content_id;

    let stale = delete(ContentKind::Table, &t, Expected::At(l0));
    let result = store.commit(&request(w.cid(), &main, vec![stale])).await;
    assert_err!(result, Error::Conflict { current: Some(ref c), .. } if *c == l1);
    let as_view = delete(ContentKind::View, &t, Expected::Present);
    assert_not_found!(
        store.commit(&request(w.cid(), &main, vec![as_view])).await,
        View
    );

    let dropped = commit(
        &store,
        w.cid(),
        &main,
        vec![delete(ContentKind::Table, &t, Expected::At(l1))],
    )
    .await;
    let op = Operation::Delete {
        ident: t.clone(),
        content_id: id,
        kind: ContentKind::Table,
    };
    assert_eq!(dropped.operations, vec![op]);
    assert_not_found!(
        store
            .load_content(w.cid(), &main, &t, ContentKind::Table)
            .await,
        Table
    );
    let again = delete(ContentKind::Table, &t, Expected::Present);
    assert_not_found!(
        store.commit(&request(w.cid(), &main, vec![again])).await,
        Table
    );
}

async fn rename_as_delete_and_put_keeps_the_content_id(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    namespace(&store, w.cid(), &["archive"]).await;
    let from = ident(&["db"], "t");
    let to = ident(&["archive"], "t renamed");
    let loc = create_table(&store, w.cid(), &main, &from).await;
    let before = store
        .load_content(w.cid(), &main, &from, ContentKind::Table)
        .await
        .unwrap();
    let id = before.content_id;

    // The put at the new key keeps the table's location: its own id never conflicts.
    let rename = vec![
        delete(ContentKind::Table, &from, Expected::At(loc.clone())),
        Change::Put {
            ident: to.clone(),
            kind: ContentKind::Table,
            content_id: id,
            expected: Expected::Absent,
            location: before.location.clone(),
            metadata_location: loc.clone(),
            metadata: None,
        },
    ];
    let made = commit(&store, w.cid(), &main, rename).await;
    assert_not_found!(
        store
            .load_content(w.cid(), &main, &from, ContentKind::Table)
            .await,
        Table
    );
    let moved = store
        .load_content(w.cid(), &main, &to, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!((moved.content_id, &moved.metadata_location), (id, &loc));
    assert_eq!(moved.location, before.location);
    assert_eq!(moved.last_commit_id, made.id);
    assert_eq!(
        store.load_metadata(w.cid(), &loc).await.unwrap(),
        metadata_json(&loc)
    );
}

async fn duplicate_key_in_one_commit_is_invalid(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let before = head(&store, w.cid(), &main).await;
    let twice = vec![
        put_new_table(&t, &location(&t)),
        put_new_table(&t, &location(&t)),
    ];
    assert_err!(
        store.commit(&request(w.cid(), &main, twice)).await,
        Error::InvalidInput(_)
    );
    assert_eq!(head(&store, w.cid(), &main).await, before);
    assert_not_found!(
        store
            .load_content(w.cid(), &main, &t, ContentKind::Table)
            .await,
        Table
    );
}

async fn commit_to_a_tag_is_invalid(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let root = head(&store, w.cid(), &main).await;
    let tag = store
        .create_ref(&new_ref(w.cid(), "v1", RefKind::Tag, root), &[])
        .await
        .unwrap();
    let t = ident(&["db"], "t");
    let req = request(w.cid(), &tag.name, vec![put_new_table(&t, &location(&t))]);
    assert_err!(store.commit(&req).await, Error::InvalidInput(_));
    assert_eq!(store.get_ref(w.cid(), &tag.name).await.unwrap(), tag);
    assert_not_found!(
        store
            .load_content(w.cid(), &tag.name, &t, ContentKind::Table)
            .await,
        Table
    );
}

async fn commit_to_a_missing_branch_is_not_found(store: DynStore) {
    let w = world(&store).await;
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let req = request(
        w.cid(),
        &name("nowhere"),
        vec![put_new_table(&t, &location(&t))],
    );
    assert_not_found!(store.commit(&req).await, Reference);
    assert_not_found!(store.get_commit(w.cid(), req.commit_id).await, Commit);
}

/// A pointer move (the hot write path) onto a key a tag holds is refused as a write to a tag,
/// not judged by its requirement.
async fn table_update_on_a_tag_is_invalid(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let l0 = create_table(&store, w.cid(), &main, &t).await;
    let root = head(&store, w.cid(), &main).await;
    let tag = store
        .create_ref(&new_ref(w.cid(), "v1", RefKind::Tag, root), &[])
        .await
        .unwrap();
    let tagged = store
        .load_content(w.cid(), &tag.name, &t, ContentKind::Table)
        .await
        .unwrap();
    let moved = metadata_in(&tagged.location);
    let change = put(
        ContentKind::Table,
        &t,
        tagged.content_id,
        Expected::At(l0),
        &moved,
    );
    let req = request(w.cid(), &tag.name, vec![change]);
    assert_err!(store.commit(&req).await, Error::InvalidInput(_));
    assert_eq!(store.get_ref(w.cid(), &tag.name).await.unwrap(), tag);
    let after = store
        .load_content(w.cid(), &tag.name, &t, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!(after, tagged);
    assert_not_found!(store.get_commit(w.cid(), req.commit_id).await, Commit);
}

/// A pointer move lands on the branch's head (first parent), becomes the head, records its
/// operation, and writes its audit event with it.
async fn table_update_lands_on_the_head_with_its_audit_event(store: DynStore) {
    let w = world(&store).await;
    let main = main_branch();
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let l0 = create_table(&store, w.cid(), &main, &t).await;
    let before = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap();
    let base = head(&store, w.cid(), &main).await;
    let l1 = metadata_in(&before.location);
    let change = put(
        ContentKind::Table,
        &t,
        before.content_id,
        Expected::At(l0),
        &l1,
    );
    let mut req = request(w.cid(), &main, vec![change]);
    let event = AuditEvent::new(
        Some(w.tenant.id),
        "alice",
        "table.commit",
        "db.t",
        AuditResult::Success,
    );
    req.audit = vec![event.clone()];
    let landed = store.commit(&req).await.unwrap();

    assert_eq!(landed.parents, vec![base]);
    assert_eq!(head(&store, w.cid(), &main).await, landed.id);
    assert_eq!(store.get_commit(w.cid(), landed.id).await.unwrap(), landed);
    assert_eq!(
        landed.operations,
        vec![Operation::Put {
            ident: t.clone(),
            content_id: before.content_id,
            kind: ContentKind::Table,
            location: before.location.clone(),
            metadata_location: l1.clone(),
        }]
    );
    let after = store
        .load_content(w.cid(), &main, &t, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!(
        (after.metadata_location, after.last_commit_id),
        (l1, landed.id)
    );
    let audit = store
        .list_audit(&AuditFilter::default(), &PageRequest::all())
        .await
        .unwrap();
    assert!(
        audit
            .items
            .iter()
            .any(|e| e.id == event.id && e.action == "table.commit"),
        "the commit's audit event is missing"
    );
}
