//! `MergeStore` in memory.

use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{MergeOperation, MergeStatus};
use pangolin_core::{CatalogId, Error, Kind, MergeId, Page, PageRequest, Result};

use super::MemoryStore;
use crate::{MergeStore, rules};

#[async_trait]
impl MergeStore for MemoryStore {
    async fn create_merge(&self, op: &MergeOperation, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        if !s.catalogs.contains_key(&op.catalog_id) {
            return Err(Error::not_found(Kind::Catalog, op.catalog_id));
        }
        if s.merges.contains_key(&op.id) {
            return Err(Error::already_exists(Kind::Merge, op.id));
        }
        s.merges.insert(op.id, op.clone());
        s.record(audit);
        Ok(())
    }

    async fn get_merge(&self, catalog: CatalogId, id: MergeId) -> Result<MergeOperation> {
        let s = self.state.lock();
        s.merges
            .get(&id)
            .filter(|op| op.catalog_id == catalog)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Merge, id))
    }

    async fn list_merges(
        &self,
        catalog: CatalogId,
        status: Option<MergeStatus>,
        page: &PageRequest,
    ) -> Result<Page<MergeOperation>> {
        let before = rules::merges_before(page)?;
        let s = self.state.lock();
        let rows: Vec<MergeOperation> = s
            .merges
            .values()
            .rev()
            .filter(|op| before.is_none_or(|b| op.id < b))
            .filter(|op| op.catalog_id == catalog && status.is_none_or(|st| op.status == st))
            .take(page.fetch_limit().unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(Page::from_rows(rows, page, |op| op.id.to_string()))
    }

    async fn update_merge(&self, op: &MergeOperation, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        let Some(stored) = s
            .merges
            .get_mut(&op.id)
            .filter(|stored| stored.catalog_id == op.catalog_id)
        else {
            return Err(Error::not_found(Kind::Merge, op.id));
        };
        rules::check_open(op.id, Some(stored.status))?;
        stored.conflicts = op.conflicts.clone();
        stored.status = op.status;
        stored.result_commit = op.result_commit;
        stored.updated_at = op.updated_at;
        s.record(audit);
        Ok(())
    }
}
