//! The audit log and its hash chains: events are stored unsealed and linked by `seal_audit`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use pangolin_core::audit::{
    AuditChainHead, AuditEvent, GENESIS_HASH, SealedAuditEvent, chain_hash,
};
use pangolin_core::{AuditId, Error, Page, PageRequest, Result, TenantId};

use super::{MemoryStore, State};
use crate::{AuditFilter, AuditStore};

/// An event and, once sealed, its place in its chain.
#[derive(Debug, Clone)]
pub(super) struct AuditRow {
    pub(super) event: AuditEvent,
    pub(super) seal: Option<Seal>,
}

#[derive(Debug, Clone)]
pub(super) struct Seal {
    /// The chain the sealer put the event in (its tenant when sealed).
    pub(super) chain: Option<TenantId>,
    pub(super) seq: u64,
    pub(super) prev_hash: String,
    pub(super) hash: String,
}

/// Stores `event`, replacing an unsealed event of the same id; a sealed one never changes.
pub(super) fn record(log: &mut BTreeMap<AuditId, AuditRow>, event: &AuditEvent) {
    if log.get(&event.id).is_some_and(|r| r.seal.is_some()) {
        return;
    }
    let row = AuditRow {
        event: event.clone(),
        seal: None,
    };
    log.insert(event.id, row);
}

/// Whether `event` passes every filter that is set.
fn matches(filter: &AuditFilter, event: &AuditEvent) -> bool {
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

impl State {
    /// Seals the unsealed events of `chain` (oldest first by time, then id), at most `limit`.
    fn seal_chain(&mut self, chain: Option<TenantId>, limit: usize) -> u64 {
        let mut pending: Vec<(AuditEvent, AuditId)> = self
            .audit
            .values()
            .filter(|r| r.seal.is_none() && r.event.tenant_id == chain)
            .map(|r| (r.event.clone(), r.event.id))
            .collect();
        pending.sort_by_key(|(e, id)| (e.time, *id));
        pending.truncate(limit);
        let (mut seq, mut prev) = self
            .audit_heads
            .get(&chain)
            .cloned()
            .unwrap_or_else(|| (0, GENESIS_HASH.to_owned()));
        for (event, id) in &pending {
            seq += 1;
            let hash = chain_hash(&prev, event);
            let seal = Seal {
                chain,
                seq,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
            };
            if let Some(row) = self.audit.get_mut(id) {
                row.seal = Some(seal);
            }
        }
        if !pending.is_empty() {
            self.audit_heads.insert(chain, (seq, prev));
        }
        pending.len() as u64
    }
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
            .map(|r| &r.event)
            .filter(|e| before.is_none_or(|b| e.id < b))
            .filter(|e| matches(filter, e))
            .take(page.fetch_limit().unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(Page::from_rows(rows, page, |e| e.id.to_string()))
    }

    async fn count_audit(&self, filter: &AuditFilter) -> Result<u64> {
        let s = self.state.lock();
        Ok(s.audit
            .values()
            .filter(|r| matches(filter, &r.event))
            .count() as u64)
    }

    async fn seal_audit(&self, limit: usize) -> Result<u64> {
        let mut s = self.state.lock();
        // The chain waiting longest first, so a busy chain cannot starve the others.
        let mut oldest: BTreeMap<Option<TenantId>, pangolin_core::Timestamp> = BTreeMap::new();
        for e in s
            .audit
            .values()
            .filter(|r| r.seal.is_none())
            .map(|r| &r.event)
        {
            let t = oldest.entry(e.tenant_id).or_insert(e.time);
            *t = (*t).min(e.time);
        }
        let mut chains: Vec<_> = oldest.into_iter().collect();
        chains.sort_by_key(|(chain, time)| (*time, *chain));
        let mut sealed = 0;
        for (chain, _) in chains {
            let left = limit.saturating_sub(sealed as usize);
            if left == 0 {
                break;
            }
            sealed += s.seal_chain(chain, left);
        }
        Ok(sealed)
    }

    async fn audit_chain(
        &self,
        chain: Option<TenantId>,
        after_seq: Option<u64>,
        limit: usize,
    ) -> Result<Vec<SealedAuditEvent>> {
        let s = self.state.lock();
        let mut rows: Vec<SealedAuditEvent> = s
            .audit
            .values()
            .filter_map(|r| {
                let seal = r.seal.as_ref()?;
                let wanted = seal.chain == chain && after_seq.is_none_or(|a| seal.seq > a);
                wanted.then(|| SealedAuditEvent {
                    event: r.event.clone(),
                    seq: seal.seq,
                    prev_hash: seal.prev_hash.clone(),
                    hash: seal.hash.clone(),
                })
            })
            .collect();
        rows.sort_by_key(|r| r.seq);
        rows.truncate(limit);
        Ok(rows)
    }

    async fn audit_chain_head(&self, chain: Option<TenantId>) -> Result<Option<AuditChainHead>> {
        let s = self.state.lock();
        Ok(s.audit_heads.get(&chain).map(|(seq, hash)| AuditChainHead {
            chain,
            seq: *seq,
            hash: hash.clone(),
        }))
    }

    async fn audit_chain_heads(&self) -> Result<Vec<AuditChainHead>> {
        let s = self.state.lock();
        let heads = s
            .audit_heads
            .iter()
            .map(|(chain, (seq, hash))| AuditChainHead {
                chain: *chain,
                seq: *seq,
                hash: hash.clone(),
            });
        Ok(heads.collect())
    }
}
