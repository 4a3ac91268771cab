//! Limits failed logins per key (an account, a client address) in memory.
//!
//! Each key counts failures in a fixed window that opens at its first failure; at
//! `max_failures` the key is blocked until the window closes. Successes reset the key. Memory
//! is bounded: at most `max_keys` keys are tracked; when full, closed windows are dropped first,
//! then the oldest tenth of the open ones. Eviction can forget a blocked key early, which is why
//! callers limit by account *and* by client address: flooding keys to evict one's own account
//! entry costs failures on one's own address.
//!
//! This is per server process; several servers each count on their own.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Where the limiter reads the time; tests inject their own.
pub trait Clock: Send + Sync {
    fn now(&self) -> Instant;
}

/// The monotonic system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitConfig {
    /// Failures allowed per key and window; the next attempt is refused.
    pub max_failures: u32,
    pub window: Duration,
    /// Keys tracked at most.
    pub max_keys: usize,
}

impl Default for LimitConfig {
    /// 10 failures per 5 minutes, 100 000 keys (a few MiB at most).
    fn default() -> Self {
        LimitConfig {
            max_failures: 10,
            window: Duration::from_secs(300),
            max_keys: 100_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    opened: Instant,
    failures: u32,
}

/// A keyed failure limiter; share it (`Arc`) between requests.
pub struct FailureLimiter {
    config: LimitConfig,
    clock: Arc<dyn Clock>,
    entries: Mutex<HashMap<String, Entry>>,
}

impl std::fmt::Debug for FailureLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FailureLimiter")
            .field("config", &self.config)
            .field("keys", &self.len())
            .finish()
    }
}

impl FailureLimiter {
    pub fn new(config: LimitConfig) -> Self {
        FailureLimiter::with_clock(config, Arc::new(SystemClock))
    }

    pub fn with_clock(config: LimitConfig, clock: Arc<dyn Clock>) -> Self {
        FailureLimiter {
            config,
            clock,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Before checking credentials: `Err(retry_after)` while `key` is blocked.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = self.clock.now();
        match self.entries.lock().get(key) {
            Some(e) => self.verdict(e, now),
            None => Ok(()),
        }
    }

    /// After credentials failed: counts the failure, and says whether `key` is now blocked.
    pub fn record_failure(&self, key: &str) -> Result<(), Duration> {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        if !entries.contains_key(key) && entries.len() >= self.config.max_keys {
            self.make_room(&mut entries, now);
        }
        let entry = entries.entry(key.to_owned()).or_insert(Entry {
            opened: now,
            failures: 0,
        });
        if self.closed(entry, now) {
            *entry = Entry {
                opened: now,
                failures: 0,
            };
        }
        entry.failures = entry.failures.saturating_add(1);
        self.verdict(entry, now)
    }

    /// After credentials succeeded: forgets `key`'s failures.
    pub fn record_success(&self, key: &str) {
        self.entries.lock().remove(key);
    }

    /// Keys currently tracked.
    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn closed(&self, e: &Entry, now: Instant) -> bool {
        now.saturating_duration_since(e.opened) >= self.config.window
    }

    fn verdict(&self, e: &Entry, now: Instant) -> Result<(), Duration> {
        if e.failures < self.config.max_failures || self.closed(e, now) {
            return Ok(());
        }
        Err((e.opened + self.config.window).saturating_duration_since(now))
    }

    /// Drops closed windows; if that frees less than a tenth, also the oldest open ones, so
    /// the O(n) sweep runs at most once per `max_keys / 10` new keys.
    fn make_room(&self, entries: &mut HashMap<String, Entry>, now: Instant) {
        entries.retain(|_, e| !self.closed(e, now));
        let target = self
            .config
            .max_keys
            .saturating_sub(self.config.max_keys / 10 + 1);
        if entries.len() <= target {
            return;
        }
        let mut by_age: Vec<(Instant, String)> =
            entries.iter().map(|(k, e)| (e.opened, k.clone())).collect();
        by_age.sort_unstable();
        let excess = entries.len() - target;
        for (_, key) in by_age.into_iter().take(excess) {
            entries.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct ManualClock(Mutex<Instant>);

    impl ManualClock {
        fn advance(&self, d: Duration) {
            *self.0.lock() += d;
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> Instant {
            *self.0.lock()
        }
    }

    fn limiter(max_failures: u32, max_keys: usize) -> (FailureLimiter, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock(Mutex::new(Instant::now())));
        let config = LimitConfig {
            max_failures,
            window: Duration::from_secs(60),
            max_keys,
        };
        (FailureLimiter::with_clock(config, clock.clone()), clock)
    }

    #[test]
    fn blocks_after_max_failures_until_the_window_closes() {
        let (l, clock) = limiter(3, 100);
        assert!(l.check("alice").is_ok());
        assert!(l.record_failure("alice").is_ok());
        clock.advance(Duration::from_secs(10));
        assert!(l.record_failure("alice").is_ok());
        assert!(l.check("alice").is_ok());
        assert_eq!(l.record_failure("alice"), Err(Duration::from_secs(50)));
        clock.advance(Duration::from_secs(20));
        assert_eq!(l.check("alice"), Err(Duration::from_secs(30)));
        // Other keys are unaffected.
        assert!(l.check("bob").is_ok());
        clock.advance(Duration::from_secs(30));
        assert!(l.check("alice").is_ok());
        // A fresh window opens with the next failure.
        assert!(l.record_failure("alice").is_ok());
        assert!(l.check("alice").is_ok());
    }

    #[test]
    fn success_resets() {
        let (l, _) = limiter(2, 100);
        assert!(l.record_failure("k").is_ok());
        l.record_success("k");
        assert!(l.record_failure("k").is_ok());
        assert!(l.record_failure("k").is_err());
        l.record_success("k");
        assert!(l.check("k").is_ok());
        assert!(l.is_empty());
    }

    #[test]
    fn memory_is_bounded_and_closed_windows_go_first() {
        let (l, clock) = limiter(1, 100);
        assert!(l.record_failure("early").is_err());
        clock.advance(Duration::from_secs(61));
        assert!(l.record_failure("blocked").is_err());
        for i in 0..1_000 {
            let _ = l.record_failure(&format!("k{i}"));
            assert!(l.len() <= 100);
        }
        // The newest keys survive the eviction of older ones.
        assert!(l.check("k999").is_err());
        assert!(l.check("early").is_ok());
    }

    #[test]
    fn full_of_open_windows_evicts_the_oldest_tenth() {
        let (l, clock) = limiter(1, 20);
        for i in 0..20 {
            let _ = l.record_failure(&format!("k{i:02}"));
            clock.advance(Duration::from_millis(10));
        }
        assert_eq!(l.len(), 20);
        let _ = l.record_failure("new");
        assert!(l.len() <= 18, "{}", l.len());
        assert!(l.check("k00").is_ok(), "the oldest was evicted");
        assert!(l.check("k19").is_err(), "the newest stays blocked");
        assert!(l.check("new").is_err());
    }
}
