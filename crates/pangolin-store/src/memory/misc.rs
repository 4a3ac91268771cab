use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::{AuditId, Error, Page, PageRequest, Result, Timestamp};

use super::MemoryStore;
use crate::{AuditFilter, AuditStore, IdempotencyRecord, IdempotencyStore, StoreAdmin};

/// Whether `event` passes every filter that is set.
pub(crate) fn audit_matches(filter: &AuditFilter, event: &AuditEvent) -> bool {
    filter.tenant.is_none_or(|t| event.tenant_id == Some(t))
        && filter
            .principal
            .as_ref()
            .is_none_or(|p| &event.principal == p)
        && filter.action.as_ref().is_none_or(|a| &event.action == a)
        && filter
            .resource
            .as_ref()
            .is_none_or(|r| &event.resource == r)
        && filter.result.is_none_or(|r| event.result == r)
        && filter.since.is_none_or(|t| event.time >= t)
        && filter.until.is_none_or(|t| event.time < t)
}

#[async_trait]
impl AuditStore for MemoryStore {
    async fn append_audit(&self, events: &[AuditEvent]) -> Result<()> {
        self.state.lock().record(events);
        Ok(())
    }

    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        // Newest first: the cursor is the id of the last event returned.
        let before = page
            .after_key()
            .map(|k| k.parse::<AuditId>())
            .transpose()
            .map_err(|_| Error::invalid("invalid page token for the audit log"))?;
        let s = self.state.lock();
        let rows: Vec<AuditEvent> = s
            .audit
            .values()
            .rev()
            .filter(|e| before.is_none_or(|b| e.id < b))
            .filter(|e| audit_matches(filter, e))
            .take(page.fetch_limit().unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(Page::from_rows(rows, page, |e| e.id.to_string()))
    }
}

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
