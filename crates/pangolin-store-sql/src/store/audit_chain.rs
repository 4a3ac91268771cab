//! Sealing the audit log into per-tenant hash chains, and reading the chains back.
//!
//! Events are inserted unsealed by whatever transaction writes them, so mutations never wait
//! on a chain. A sealer takes one chain at a time in one short transaction that first locks
//! the chain's row in `audit_chains` (`FOR UPDATE` on PostgreSQL; SQLite's write transaction
//! excludes every other writer anyway), so concurrent sealers of a chain queue instead of
//! forking it, and under READ COMMITTED the next one sees what the previous one sealed.

use pangolin_core::audit::{AuditChainHead, GENESIS_HASH, SealedAuditEvent, chain_hash};
use pangolin_core::{Error, Result, TenantId};

use super::{Access, SqlStore};
use crate::common::AuditSeal;
use crate::common::decode::{self, RowExt};
use crate::common::dialect::{Dialect, Stmt, for_update};
use crate::common::error::DbResultExt;

/// The `audit_chains` key of a chain: the tenant id, or '' for events without a tenant
/// (a key must not be NULL, and '' sorts first like the memory backend's `None`).
fn chain_key(chain: Option<TenantId>) -> String {
    chain.map(|t| t.to_string()).unwrap_or_default()
}

fn chain_of(key: &str) -> Result<Option<TenantId>> {
    if key.is_empty() {
        return Ok(None);
    }
    key.parse()
        .map(Some)
        .map_err(|_| Error::internal(format!("bad audit chain key {key:?}")))
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) async fn seal<DB: Dialect>(store: &SqlStore<DB>, limit: usize) -> Result<u64> {
    let mut sealed = 0u64;
    for chain in pending_chains(store).await? {
        let left = limit.saturating_sub(sealed as usize);
        if left == 0 {
            break;
        }
        sealed += seal_chain(store, chain, left).await?;
    }
    Ok(sealed)
}

/// The chains with unsealed events, the one waiting longest first: a busy chain then cannot
/// starve the others when each call seals only up to a limit.
async fn pending_chains<DB: Dialect>(store: &SqlStore<DB>) -> Result<Vec<Option<TenantId>>> {
    let rows = DB::stmt(
        "SELECT tenant_id, MIN(time) AS oldest FROM audit_events WHERE seq IS NULL
         GROUP BY tenant_id ORDER BY oldest",
    )
    .fetch_all(&mut *store.conn().await?)
    .await
    .db()?;
    decode::all(&rows, |r| {
        Ok(r.opt_uuid("tenant_id")?.map(TenantId::from_uuid))
    })
}

/// Seals up to `limit` unsealed events of `chain` after its head, in one transaction.
async fn seal_chain<DB: Dialect>(
    store: &SqlStore<DB>,
    chain: Option<TenantId>,
    limit: usize,
) -> Result<u64> {
    let key = chain_key(chain);
    let mut tx = store.write().await?;
    DB::stmt(
        "INSERT INTO audit_chains (chain_key, seq, hash) VALUES ($1, 0, $2)
         ON CONFLICT (chain_key) DO NOTHING",
    )
    .text(&key)
    .text(GENESIS_HASH)
    .execute(&mut *tx)
    .await
    .db()?;
    let head = DB::stmt(for_update!(
        DB,
        "SELECT seq, hash FROM audit_chains WHERE chain_key = $1"
    ))
    .text(&key)
    .fetch_optional(&mut *tx)
    .await
    .db()?
    .ok_or_else(|| Error::internal("the audit chain head vanished while locked"))?;
    let (mut seq, mut prev) = (head.big("seq")?, head.text("hash")?);

    let limit = to_i64(limit as u64);
    let stmt = match chain {
        Some(tenant) => DB::stmt(
            "SELECT * FROM audit_events WHERE seq IS NULL AND tenant_id = $1
             ORDER BY time, id LIMIT $2",
        )
        .id(tenant),
        None => DB::stmt(
            "SELECT * FROM audit_events WHERE seq IS NULL AND tenant_id IS NULL
             ORDER BY time, id LIMIT $1",
        ),
    };
    let rows = stmt.int(limit).fetch_all(&mut *tx).await.db()?;
    // The hashes are over the events as stored (microseconds, JSON as read back), which is
    // what verification will read too.
    let events = decode::all(&rows, decode::audit_event)?;
    if events.is_empty() {
        return Ok(0); // Dropping the transaction rolls it back.
    }
    let mut seals = Vec::with_capacity(events.len());
    for event in &events {
        seq += 1;
        let hash = chain_hash(&prev, event);
        seals.push(AuditSeal {
            id: event.id,
            seq,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        });
    }
    DB::seal_audit(&mut tx, &key, &seals).await?;
    DB::stmt("UPDATE audit_chains SET seq = $2, hash = $3 WHERE chain_key = $1")
        .text(&key)
        .int(seq)
        .text(&prev)
        .execute(&mut *tx)
        .await
        .db()?;
    tx.commit().await.db()?;
    Ok(events.len() as u64)
}

pub(super) async fn read<DB: Dialect>(
    store: &SqlStore<DB>,
    chain: Option<TenantId>,
    after_seq: Option<u64>,
    limit: usize,
) -> Result<Vec<SealedAuditEvent>> {
    let rows = DB::stmt(
        "SELECT * FROM audit_events WHERE chain_key = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .text(&chain_key(chain))
    .int(to_i64(after_seq.unwrap_or(0)))
    .int(to_i64(limit as u64))
    .fetch_all(&mut *store.conn().await?)
    .await
    .db()?;
    decode::all(&rows, |r| {
        Ok(SealedAuditEvent {
            event: decode::audit_event(r)?,
            seq: u64::try_from(r.big("seq")?).unwrap_or(0),
            // A hash someone blanked out reads as empty, so verification reports it.
            prev_hash: r.opt_text("prev_hash")?.unwrap_or_default(),
            hash: r.opt_text("hash")?.unwrap_or_default(),
        })
    })
}

fn decode_head(r: &impl RowExt) -> Result<AuditChainHead> {
    Ok(AuditChainHead {
        chain: chain_of(&r.text("chain_key")?)?,
        seq: u64::try_from(r.big("seq")?).unwrap_or(0),
        hash: r.text("hash")?,
    })
}

pub(super) async fn head<DB: Dialect>(
    store: &SqlStore<DB>,
    chain: Option<TenantId>,
) -> Result<Option<AuditChainHead>> {
    let row = DB::stmt("SELECT * FROM audit_chains WHERE chain_key = $1 AND seq > 0")
        .text(&chain_key(chain))
        .fetch_optional(&mut *store.conn().await?)
        .await
        .db()?;
    row.as_ref().map(decode_head).transpose()
}

pub(super) async fn heads<DB: Dialect>(store: &SqlStore<DB>) -> Result<Vec<AuditChainHead>> {
    let rows = DB::stmt("SELECT * FROM audit_chains WHERE seq > 0 ORDER BY chain_key")
        .fetch_all(&mut *store.conn().await?)
        .await
        .db()?;
    decode::all(&rows, decode_head)
}
