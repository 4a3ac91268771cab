//! The audit log: writes ride along with mutations ([`Dialect::insert_audit`]); reads list and
//! count with filters; the chain operations are in [`super::audit_chain`].

use async_trait::async_trait;
use pangolin_core::audit::{AuditChainHead, AuditEvent, SealedAuditEvent};
use pangolin_core::{AuditId, Error, Page, PageRequest, Result, TenantId};
use pangolin_store::{AuditFilter, AuditStore};

use super::audit_chain;
use super::{Access, SqlStore};
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;
use crate::common::{decode, row_limit};

/// An audit query: `$select`, the filter (`$1`–`$7`; a filter that is not set is bound as
/// NULL and matches everything) with `$cursor` spliced in before it, then `$tail`.
macro_rules! audit_query {
    ($select:literal, $cursor:literal, $tail:literal) => {
        concat!(
            $select,
            " FROM audit_events WHERE ",
            $cursor,
            " ($1 IS NULL OR tenant_id = $1)
              AND ($2 IS NULL OR principal = $2)
              AND ($3 IS NULL OR action = $3)
              AND ($4 IS NULL OR resource = $4)
              AND ($5 IS NULL OR result = $5)
              AND ($6 IS NULL OR time >= $6)
              AND ($7 IS NULL OR time < $7) ",
            $tail
        )
    };
}

/// Binds `$1`–`$7` of [`audit_query!`].
fn bind_filter<S: Stmt>(stmt: S, filter: &AuditFilter) -> S {
    stmt.opt_id(filter.tenant)
        .opt_text(filter.principal.as_deref())
        .opt_text(filter.action.as_deref())
        .opt_text(filter.resource.as_deref())
        .opt_text(filter.result.map(|r| r.as_str()))
        .opt_ts(filter.since)
        .opt_ts(filter.until)
}

#[async_trait]
impl<DB: Dialect> AuditStore for SqlStore<DB> {
    async fn append_audit(&self, events: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        DB::insert_audit(&mut tx, events).await?;
        tx.commit().await.db()
    }

    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        // Newest first: the cursor is the id of the last event returned. Ids are UUIDv7 and
        // compare like their string forms in both dialects.
        let before = page
            .after_key()
            .map(|k| k.parse::<AuditId>())
            .transpose()
            .map_err(|_| Error::invalid("invalid page token for the audit log"))?;
        let stmt = DB::stmt(match before {
            None => audit_query!("SELECT *", "", "ORDER BY id DESC LIMIT $8"),
            Some(_) => audit_query!("SELECT *", "id < $9 AND", "ORDER BY id DESC LIMIT $8"),
        });
        let stmt = bind_filter(stmt, filter).int(row_limit(page));
        let stmt = match before {
            Some(before) => stmt.id(before),
            None => stmt,
        };
        let rows = stmt.fetch_all(&mut *self.conn().await?).await.db()?;
        let events = decode::all(&rows, decode::audit_event)?;
        Ok(Page::from_rows(events, page, |e| e.id.to_string()))
    }

    async fn count_audit(&self, filter: &AuditFilter) -> Result<u64> {
        let stmt = DB::stmt(audit_query!("SELECT COUNT(*) AS n", "", ""));
        let row = bind_filter(stmt, filter)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let n = row.map(|r| decode::RowExt::big(&r, "n")).transpose()?;
        Ok(n.map_or(0, |n| n.max(0) as u64))
    }

    async fn seal_audit(&self, limit: usize) -> Result<u64> {
        audit_chain::seal(self, limit).await
    }

    async fn audit_chain(
        &self,
        chain: Option<TenantId>,
        after_seq: Option<u64>,
        limit: usize,
    ) -> Result<Vec<SealedAuditEvent>> {
        audit_chain::read(self, chain, after_seq, limit).await
    }

    async fn audit_chain_head(&self, chain: Option<TenantId>) -> Result<Option<AuditChainHead>> {
        audit_chain::head(self, chain).await
    }

    async fn audit_chain_heads(&self) -> Result<Vec<AuditChainHead>> {
        audit_chain::heads(self).await
    }
}
