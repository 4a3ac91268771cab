use async_trait::async_trait;
use pangolin_core::{Result, Timestamp};

use super::MemoryStore;
use crate::{IdempotencyRecord, IdempotencyStore, StoreAdmin};

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn get_idempotency(
        &self,
        scope: &str,
        key: &str,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>> {
        let s = self.state.lock();
        let record = s.idempotency.get(&(scope.to_owned(), key.to_owned()));
        Ok(record.filter(|r| r.expires_at > now).cloned())
    }

    async fn put_idempotency(&self, record: &IdempotencyRecord) -> Result<bool> {
        let mut s = self.state.lock();
        let key = (record.scope.clone(), record.key.clone());
        if s.idempotency
            .get(&key)
            .is_some_and(|r| r.expires_at > record.created_at)
        {
            return Ok(false);
        }
        s.idempotency.insert(key, record.clone());
        Ok(true)
    }

    async fn purge_idempotency(&self, now: Timestamp) -> Result<u64> {
        let mut s = self.state.lock();
        let before = s.idempotency.len();
        s.idempotency.retain(|_, r| r.expires_at > now);
        Ok((before - s.idempotency.len()) as u64)
    }
}

#[async_trait]
impl StoreAdmin for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn migrate(&self) -> Result<()> {
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        Ok(())
    }
}
