//! The store conformance suite: one set of behavioural cases every backend must pass.
//!
//! A backend's test calls [`run`] with a factory that returns a fresh, migrated, empty store
//! for each case. Every case runs (failures do not stop the others) and the run panics at the
//! end naming each failed case, so one `cargo test` line per backend reports them all.

mod fixtures;

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
pub(crate) use case;

/// Every case of the suite.
pub fn cases() -> Vec<Case> {
    Vec::new()
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
