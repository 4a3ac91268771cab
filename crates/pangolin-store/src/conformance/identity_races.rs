//! Racing creates of one identity: exactly one wins and every other is told it exists, also
//! among root accounts (no tenant) and across tenants where uniqueness is store-wide;
//! racing idempotent writes (assignments, revocations) all succeed and agree.

use std::future::Future;
use std::time::Duration;

use pangolin_core::model::{Action, Assignee, Grantee, Scope};
use pangolin_core::{Error, Kind, Result};

use super::Case;
use super::fixtures::{
    all_grants, api_key, assignment, external, micros_now, new_api_key, new_grant, new_role,
    new_service_user, new_user, role, service_user, tenant, user,
};
use crate::DynStore;

const TASKS: usize = 8;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(racing_account_creates_have_exactly_one_winner),
        case!(racing_key_role_and_grant_creates_have_exactly_one_winner),
        case!(racing_idempotent_writes_all_succeed_and_agree),
    ]
}

/// Runs `TASKS` calls of `call(i)` at once; returns their outcomes.
async fn race<T, F, Fut>(call: F) -> Vec<Result<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let tasks: Vec<_> = (0..TASKS).map(|i| tokio::spawn(call(i))).collect();
    let mut outcomes = Vec::new();
    for task in futures::future::join_all(tasks).await {
        outcomes.push(task.expect("racing task panicked"));
    }
    outcomes
}

/// One success; every other outcome `AlreadyExists(kind)`.
fn assert_one_winner<T: std::fmt::Debug>(what: &str, outcomes: &[Result<T>], kind: Kind) {
    let winners = outcomes.iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1, "{what}: {outcomes:?}");
    for outcome in outcomes.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(outcome, Err(Error::AlreadyExists { kind: k, .. }) if *k == kind),
            "{what}: {outcome:?}"
        );
    }
}

async fn racing_account_creates_have_exactly_one_winner(store: DynStore) {
    let t = tenant(&store, "acme").await.id;
    for tenant_id in [Some(t), None] {
        let s = store.clone();
        let outcomes = race(|_| {
            let (s, u) = (s.clone(), new_user(tenant_id, "admin"));
            async move { s.create_user(&u, &[]).await }
        })
        .await;
        assert_one_winner("user name", &outcomes, Kind::User);
    }
    // One external identity, claimed from different tenants at once.
    let tenants = [t, tenant(&store, "globex").await.id];
    let s = store.clone();
    let outcomes = race(|i| {
        let mut u = new_user(Some(tenants[i % 2]), &format!("user-{i}"));
        u.external = Some(external("https://idp.example.com", "sub-1"));
        let s = s.clone();
        async move { s.create_user(&u, &[]).await }
    })
    .await;
    assert_one_winner("external identity", &outcomes, Kind::User);
    let s = store.clone();
    let outcomes = race(|_| {
        let (s, u) = (s.clone(), new_service_user(t, "ci"));
        async move { s.create_service_user(&u, &[]).await }
    })
    .await;
    assert_one_winner("service user name", &outcomes, Kind::ServiceUser);
}

async fn racing_key_role_and_grant_creates_have_exactly_one_winner(store: DynStore) {
    let t = tenant(&store, "acme").await.id;
    let g = tenant(&store, "globex").await.id;
    let owners = [
        service_user(&store, t, "ci").await,
        service_user(&store, g, "ci").await,
    ];
    let s = store.clone();
    let outcomes = race(|i| {
        let (s, key) = (s.clone(), new_api_key(&owners[i % 2], "0123456789abcdef"));
        async move { s.create_api_key(&key, &[]).await }
    })
    .await;
    assert_one_winner("API key id", &outcomes, Kind::ApiKey);
    let s = store.clone();
    let outcomes = race(|_| {
        let (s, r) = (s.clone(), new_role(t, "readers"));
        async move { s.create_role(&r, &[]).await }
    })
    .await;
    assert_one_winner("role name", &outcomes, Kind::Role);
    let alice = Grantee::User(user(&store, Some(t), "alice").await.id);
    let s = store.clone();
    let outcomes = race(|_| {
        let grant = new_grant(t, alice.clone(), Action::Write, Scope::Tenant);
        let s = s.clone();
        async move { s.create_grant(&grant, &[]).await }
    })
    .await;
    assert_one_winner("grant", &outcomes, Kind::Grant);
    assert_eq!(all_grants(&store, t).await.len(), 1);
}

async fn racing_idempotent_writes_all_succeed_and_agree(store: DynStore) {
    let t = tenant(&store, "acme").await.id;
    let readers = role(&store, t, "readers").await;
    let s = store.clone();
    let outcomes = race(|_| {
        let a = assignment(t, &readers, Assignee::Group("analysts".into()));
        let s = s.clone();
        async move { s.assign_role(&a, &[]).await }
    })
    .await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let assigned = store.list_assignments(t, None, None).await.unwrap();
    assert_eq!(assigned.len(), 1);

    let ci = service_user(&store, t, "ci").await;
    let key = api_key(&store, &ci, "0123456789abcdef").await;
    let start = micros_now();
    let s = store.clone();
    let outcomes = race(|i| {
        let at = start + Duration::from_secs(i as u64);
        let (s, id) = (s.clone(), key.key_id.clone());
        async move { s.revoke_api_key(t, &id, at, &[]).await }
    })
    .await;
    let (stored, _) = store.get_api_key(&key.key_id).await.unwrap();
    assert!(stored.revoked_at.is_some());
    for outcome in outcomes {
        assert_eq!(
            outcome.unwrap(),
            stored,
            "every revocation reports the one time kept"
        );
    }
}
