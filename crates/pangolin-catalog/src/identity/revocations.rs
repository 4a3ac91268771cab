//! Revoked tokens, held as an in-memory set: a token check costs a hash lookup. The set is
//! refreshed from the store (only revocations newer than the last refresh) at most once per
//! refresh interval, so a revocation made through another server applies within that
//! interval; revocations made here apply at once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use pangolin_core::model::RevokedToken;
use pangolin_core::{Result, Timestamp};
use pangolin_store::DynStore;
use parking_lot::Mutex;

pub(crate) struct Revocations {
    refresh_every: Duration,
    state: Mutex<State>,
    /// One refresh at a time; others keep using the current set.
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    /// jti → when the token expires (after which the entry is useless).
    revoked: HashMap<String, Timestamp>,
    /// The newest `revoked_at` seen (the next refresh reads from there).
    seen_until: Option<Timestamp>,
    refreshed_at: Option<Instant>,
}

impl Revocations {
    pub(crate) fn new(refresh_every: Duration) -> Self {
        Revocations {
            refresh_every,
            state: Mutex::new(State::default()),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// Whether `jti` is revoked, refreshing from the store first when the set is stale.
    pub(crate) async fn is_revoked(&self, store: &DynStore, jti: &str) -> Result<bool> {
        if self.is_stale() {
            self.refresh(store).await?;
        }
        Ok(self.state.lock().revoked.contains_key(jti))
    }

    /// Records a revocation made by this server (it is in the store already).
    pub(crate) fn note(&self, token: &RevokedToken) {
        self.state
            .lock()
            .revoked
            .insert(token.jti.clone(), token.expires_at);
    }

    fn is_stale(&self) -> bool {
        self.state
            .lock()
            .refreshed_at
            .is_none_or(|at| at.elapsed() >= self.refresh_every)
    }

    async fn refresh(&self, store: &DynStore) -> Result<()> {
        let Ok(_guard) = self.refreshing.try_lock() else {
            // Someone else is refreshing; the current set is at most one interval old.
            return Ok(());
        };
        let now = pangolin_core::now();
        // Re-read a margin before the newest revocation seen: another server's revocation
        // may commit a little after a later one was already read.
        let since = self
            .state
            .lock()
            .seen_until
            .map(|t| t - chrono::Duration::seconds(60));
        let fresh = store.list_revoked_tokens(since, now).await?;
        let mut state = self.state.lock();
        for token in fresh {
            state.seen_until = state.seen_until.max(Some(token.revoked_at));
            state.revoked.insert(token.jti, token.expires_at);
        }
        state.revoked.retain(|_, expires| *expires > now);
        state.refreshed_at = Some(Instant::now());
        Ok(())
    }
}
