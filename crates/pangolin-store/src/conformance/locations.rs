//! Table and view locations never overlap: a put that creates a key or moves its location is
//! refused when it equals, contains or lies inside another content's location, anywhere in the
//! store; copies of the same content on other references never count.

use pangolin_core::model::{ContentKind, RefKind};
use pangolin_core::{CatalogId, ContentId, Error, Result, TableIdent};

use super::Case;
use super::fixtures::{
    branch, catalog, commit, delete, fresh_base, head, ident, main_branch, metadata_in, name,
    namespace, new_ref, put, request, world, world_named,
};
use crate::{Change, DynStore, Expected};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(a_new_location_may_not_equal_contain_or_lie_inside_another),
        case!(overlaps_are_refused_across_catalogs_tenants_and_branches),
        case!(content_never_conflicts_with_its_own_copies),
        case!(moves_are_checked_and_replaced_locations_are_free),
        case!(locations_must_be_non_empty_without_a_trailing_slash),
        case!(racing_creates_of_nested_locations_have_one_winner),
    ]
}

/// A create of table `ident` in table location `base`.
fn new_at(ident: &TableIdent, base: &str) -> Change {
    let id = ContentId::generate();
    put(
        ContentKind::Table,
        ident,
        id,
        Expected::Absent,
        &metadata_in(base),
    )
}

/// `change` with its table location replaced by `location`.
fn located(mut change: Change, location: &str) -> Change {
    if let Change::Put { location: l, .. } = &mut change {
        *l = location.to_owned();
    }
    change
}

async fn try_commit(store: &DynStore, catalog: CatalogId, changes: Vec<Change>) -> Result<()> {
    let req = request(catalog, &main_branch(), changes);
    store.commit(&req).await.map(drop)
}

/// Asserts the overlap refusal for `location`, which names neither the other table nor its
/// catalog or tenant (they may be someone else's).
fn assert_overlap(result: Result<()>, location: &str, secrets: &[&str]) {
    let Err(Error::InvalidInput(message)) = result else {
        panic!("expected InvalidInput for {location}, got {result:?}");
    };
    assert!(message.contains(location), "{message}");
    for secret in secrets {
        assert!(!message.contains(secret), "{message} reveals {secret}");
    }
}

async fn a_new_location_may_not_equal_contain_or_lie_inside_another(store: DynStore) {
    let w = world(&store).await;
    namespace(&store, w.cid(), &["db"]).await;
    let base = fresh_base();
    let secret = ident(&["db"], "secret_orders");
    try_commit(&store, w.cid(), vec![new_at(&secret, &base)])
        .await
        .unwrap();
    let before = head(&store, w.cid(), &main_branch()).await;

    let probe = ident(&["db"], "probe");
    let parent = base.rsplit_once('/').unwrap().0.to_owned();
    for loc in [
        base.clone(),
        format!("{base}/data"),
        format!("{base}/a/b"),
        parent,
    ] {
        let result = try_commit(&store, w.cid(), vec![new_at(&probe, &loc)]).await;
        assert_overlap(result, &loc, &["secret_orders", "sales", "acme"]);
        let view = put(
            ContentKind::View,
            &probe,
            ContentId::generate(),
            Expected::Absent,
            &metadata_in(&loc),
        );
        assert_overlap(try_commit(&store, w.cid(), vec![view]).await, &loc, &[]);
    }
    assert_eq!(head(&store, w.cid(), &main_branch()).await, before);

    // Sibling prefixes share no segment boundary: `t2`, `t_x`, `t-x`, `t.x` are not in `t`.
    for (i, suffix) in ["2", "_x", "-x", ".x", "%"].iter().enumerate() {
        let sibling = ident(&["db"], &format!("sibling{i}"));
        let loc = format!("{base}{suffix}");
        try_commit(&store, w.cid(), vec![new_at(&sibling, &loc)])
            .await
            .unwrap();
    }
}

async fn overlaps_are_refused_across_catalogs_tenants_and_branches(store: DynStore) {
    let w = world(&store).await;
    namespace(&store, w.cid(), &["db"]).await;
    let (base, t) = (fresh_base(), ident(&["db"], "t"));
    try_commit(&store, w.cid(), vec![new_at(&t, &base)])
        .await
        .unwrap();
    let dev = branch(
        &store,
        w.cid(),
        "dev",
        head(&store, w.cid(), &main_branch()).await,
    )
    .await;

    let foreign = world_named(&store, "globex").await;
    namespace(&store, foreign.cid(), &["db"]).await;
    let nested = format!("{base}/stolen");
    let result = try_commit(&store, foreign.cid(), vec![new_at(&t, &nested)]).await;
    assert_overlap(result, &nested, &["acme", "sales"]);
    let sibling = catalog(&store, w.tenant.id, w.warehouse.id, "other").await;
    namespace(&store, sibling.id, &["db"]).await;
    assert_overlap(
        try_commit(&store, sibling.id, vec![new_at(&t, &base)]).await,
        &base,
        &[],
    );
    let other_key = ident(&["db"], "u");
    let on_dev = request(w.cid(), &dev.name, vec![new_at(&other_key, &base)]);
    assert_overlap(store.commit(&on_dev).await.map(drop), &base, &[]);

    // Dropped from main, the table still lives on dev: its location stays taken.
    let drop = delete(ContentKind::Table, &t, Expected::Present);
    commit(&store, w.cid(), &main_branch(), vec![drop]).await;
    assert_overlap(
        try_commit(&store, sibling.id, vec![new_at(&t, &base)]).await,
        &base,
        &[],
    );
    store.delete_ref(w.cid(), &dev.name, &[]).await.unwrap();
    try_commit(&store, sibling.id, vec![new_at(&t, &base)])
        .await
        .unwrap();
}

async fn content_never_conflicts_with_its_own_copies(store: DynStore) {
    let w = world(&store).await;
    namespace(&store, w.cid(), &["db"]).await;
    let (base, t) = (fresh_base(), ident(&["db"], "t"));
    try_commit(&store, w.cid(), vec![new_at(&t, &base)])
        .await
        .unwrap();
    let at = head(&store, w.cid(), &main_branch()).await;
    store
        .create_ref(&new_ref(w.cid(), "v1", RefKind::Tag, at), &[])
        .await
        .unwrap();
    let dev = branch(&store, w.cid(), "dev", at).await;
    let (main, v1) = (main_branch(), name("v1"));
    let load = |r| store.load_content(w.cid(), r, &t, ContentKind::Table);
    let original = load(&main).await.unwrap();
    assert_eq!(original.location, base);

    // A rename on dev creates a key at the location main and v1 still hold, with the same id.
    let renamed = ident(&["db"], "t2");
    let id = original.content_id;
    let rename = vec![
        delete(ContentKind::Table, &t, Expected::Present),
        put(
            ContentKind::Table,
            &renamed,
            id,
            Expected::Absent,
            &original.metadata_location,
        ),
    ];
    commit(&store, w.cid(), &dev.name, rename).await;
    // Moving into a subdirectory of its own location overlaps only itself.
    let inside = format!("{base}/moved");
    let moved = put(
        ContentKind::Table,
        &t,
        id,
        Expected::Present,
        &metadata_in(&inside),
    );
    commit(&store, w.cid(), &main, vec![moved]).await;
    assert_eq!(load(&main).await.unwrap().location, inside);
    assert_eq!(load(&v1).await.unwrap().location, base);
}

async fn moves_are_checked_and_replaced_locations_are_free(store: DynStore) {
    let w = world(&store).await;
    namespace(&store, w.cid(), &["db"]).await;
    let (b1, b2) = (fresh_base(), fresh_base());
    let (t1, t2) = (ident(&["db"], "t1"), ident(&["db"], "t2"));
    try_commit(&store, w.cid(), vec![new_at(&t1, &b1), new_at(&t2, &b2)])
        .await
        .unwrap();
    let main = main_branch();
    let t2_id = store.load_content(w.cid(), &main, &t2, ContentKind::Table);
    let t2_id = t2_id.await.unwrap().content_id;
    let move_t2 = |to: &str| {
        put(
            ContentKind::Table,
            &t2,
            t2_id,
            Expected::Present,
            &metadata_in(to),
        )
    };

    let into_t1 = format!("{b1}/x");
    assert_overlap(
        try_commit(&store, w.cid(), vec![move_t2(&into_t1)]).await,
        &into_t1,
        &[],
    );
    // Dropping t1 in the same commit frees its location: the state after the commit counts.
    let drop_t1 = delete(ContentKind::Table, &t1, Expected::Present);
    try_commit(&store, w.cid(), vec![move_t2(&into_t1), drop_t1])
        .await
        .unwrap();

    // Two new tables of one commit must not overlap each other either; the first is refused.
    let c = fresh_base();
    let (a, b) = (ident(&["db"], "a"), ident(&["db"], "b"));
    let both = vec![new_at(&a, &c), new_at(&b, &format!("{c}/b"))];
    assert_overlap(try_commit(&store, w.cid(), both).await, &c, &[]);
    let apart = vec![new_at(&a, &c), new_at(&b, &format!("{c}b"))];
    try_commit(&store, w.cid(), apart).await.unwrap();
}

async fn locations_must_be_non_empty_without_a_trailing_slash(store: DynStore) {
    let w = world(&store).await;
    namespace(&store, w.cid(), &["db"]).await;
    let t = ident(&["db"], "t");
    let base = fresh_base();
    for bad in [String::new(), format!("{base}/")] {
        let change = located(new_at(&t, &base), &bad);
        assert_err!(
            try_commit(&store, w.cid(), vec![change]).await,
            Error::InvalidInput(_)
        );
    }
    try_commit(&store, w.cid(), vec![new_at(&t, &base)])
        .await
        .unwrap();
}

async fn racing_creates_of_nested_locations_have_one_winner(store: DynStore) {
    const TASKS: usize = 8;
    const ROUNDS: usize = 5;
    let w = world(&store).await;
    // Different catalogs, so no branch serializes the racers.
    let mut catalogs = Vec::new();
    for i in 0..TASKS {
        let c = catalog(&store, w.tenant.id, w.warehouse.id, &format!("c{i}")).await;
        namespace(&store, c.id, &["db"]).await;
        catalogs.push(c.id);
    }
    for round in 0..ROUNDS {
        let (base, t) = (fresh_base(), ident(&["db"], &format!("t{round}")));
        // Every pair of these locations overlaps: base, base/n, base/n/n, ...
        let requests: Vec<_> = (catalogs.iter().enumerate())
            .map(|(i, c)| {
                let loc = format!("{base}{}", "/n".repeat(i));
                request(*c, &main_branch(), vec![new_at(&t, &loc)])
            })
            .collect();
        let tasks = requests.into_iter().map(|req| {
            let store = store.clone();
            tokio::spawn(async move { store.commit(&req).await.map(drop) })
        });
        let mut winners = 0;
        for task in futures::future::join_all(tasks).await {
            match task.expect("racing task panicked") {
                Ok(()) => winners += 1,
                Err(Error::InvalidInput(_)) => {}
                Err(e) => panic!("unexpected error {e:?}"),
            }
        }
        assert_eq!(winners, 1, "round {round}");
    }
}
