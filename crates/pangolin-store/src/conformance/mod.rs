//! The store conformance suite: one set of behavioural cases every backend must pass.
//!
//! A backend's test calls [`run`] with a factory that returns a fresh, migrated, empty store
//! for each case. Every case runs (failures do not stop the others) and the run panics at the
//! end naming each failed case, so one `cargo test` line per backend reports them all.

use std::future::Future;
use std::pin::Pin;

use crate::DynStore;

type CaseFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One named behaviour check, given a fresh store.
pub struct Case {
    pub name: &'static str,
    pub run: fn(DynStore) -> CaseFuture,
}

/// Builds a [`Case`] from an `async fn(DynStore)`.
macro_rules! case {
    ($f:path) => {
        $crate::conformance::Case {
            name: stringify!($f),
            run: |store| Box::pin($f(store)),
        }
    };
}

/// Asserts that `$result` is `Err` matching `$pattern`, printing what it got otherwise.
macro_rules! assert_err {
    ($result:expr, $pattern:pat $(if $guard:expr)? $(,)?) => {{
        let result = $result;
        assert!(
            matches!(result, Err($pattern) $(if $guard)?),
            "expected Err({}), got {:?}",
            stringify!($pattern),
            result
        );
    }};
}

/// Asserts `Err(Error::NotFound { kind: Kind::$kind, .. })`.
macro_rules! assert_not_found {
    ($result:expr, $kind:ident) => {
        assert_err!(
            $result,
            $crate::Error::NotFound {
                kind: pangolin_core::Kind::$kind,
                ..
            }
        )
    };
}

/// Asserts `Err(Error::AlreadyExists { kind: Kind::$kind, .. })`.
macro_rules! assert_already_exists {
    ($result:expr, $kind:ident) => {
        assert_err!(
            $result,
            $crate::Error::AlreadyExists {
                kind: pangolin_core::Kind::$kind,
                ..
            }
        )
    };
}

/// Asserts `Err(Error::NotEmpty { kind: Kind::$kind, .. })`.
macro_rules! assert_not_empty {
    ($result:expr, $kind:ident) => {
        assert_err!(
            $result,
            $crate::Error::NotEmpty {
                kind: pangolin_core::Kind::$kind,
                ..
            }
        )
    };
}

mod account_cascades;
mod admin;
mod api_keys;
mod atomicity;
mod audit;
mod audit_chain;
mod audit_chain_races;
mod audit_filters;
mod catalogs;
mod commits;
mod concurrency;
mod contents;
mod contents_at;
mod effective;
mod fixtures;
mod grants;
mod history;
mod idempotency;
mod identity_audit;
mod identity_races;
mod keys;
mod locations;
mod merge_base;
mod merge_commits;
mod merges;
mod namespaces;
mod owner_cascades;
mod pagination;
mod ref_lifecycle;
mod refs;
mod refusals;
mod retention;
mod roles;
mod service_users;
mod tenants;
mod users;
mod warehouses;

/// Every case of the suite.
pub fn cases() -> Vec<Case> {
    [
        tenants::cases(),
        warehouses::cases(),
        catalogs::cases(),
        namespaces::cases(),
        contents::cases(),
        commits::cases(),
        locations::cases(),
        retention::cases(),
        atomicity::cases(),
        concurrency::cases(),
        refs::cases(),
        ref_lifecycle::cases(),
        history::cases(),
        merge_base::cases(),
        contents_at::cases(),
        merges::cases(),
        merge_commits::cases(),
        audit::cases(),
        audit_filters::cases(),
        audit_chain::cases(),
        audit_chain_races::cases(),
        idempotency::cases(),
        admin::cases(),
        pagination::cases(),
        refusals::cases(),
        users::cases(),
        service_users::cases(),
        api_keys::cases(),
        keys::cases(),
        roles::cases(),
        grants::cases(),
        effective::cases(),
        account_cascades::cases(),
        owner_cascades::cases(),
        identity_audit::cases(),
        identity_races::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Runs every case against stores from `factory`; panics listing the cases that failed.
pub async fn run<F, Fut>(factory: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = DynStore>,
{
    let mut failed = Vec::new();
    let all = cases();
    for case in &all {
        let store = factory().await;
        // Spawned so a panicking case is contained and reported by name.
        let outcome = tokio::spawn((case.run)(store)).await;
        if let Err(e) = outcome {
            let msg = panic_message(e);
            eprintln!("conformance case {} FAILED: {msg}", case.name);
            failed.push(case.name);
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} conformance cases failed: {failed:?}",
        failed.len(),
        all.len()
    );
    eprintln!("all {} conformance cases passed", all.len());
}

fn panic_message(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into()),
        Err(e) => e.to_string(),
    }
}
