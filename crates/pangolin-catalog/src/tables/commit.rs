//! Committing table changes: one table (`POST .../tables/{t}`) or several atomically
//! (`POST .../transactions/commit`). Each attempt re-reads the tables, checks the client's
//! requirements, folds the updates with the `iceberg` builders, writes new metadata files and
//! moves every pointer in one store commit. Losing a race on a pointer re-runs the attempt: the
//! client's requirements, not our bookkeeping, decide what conflicts.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use iceberg::{TableRequirement, TableUpdate};
use pangolin_core::context::RequestContext;
use pangolin_core::{Error, Result, TableIdent};

use super::files::delete_quietly;
use super::finish::{commit_message, store_changes};
use crate::{CachedMetadata, Prefix, Services, Target};

/// Table property: delete metadata files that fall out of the metadata log.
pub(super) const DELETE_AFTER_COMMIT: &str = "write.metadata.delete-after-commit.enabled";

/// The changes a client asks for on one table.
#[derive(Debug, Clone)]
pub struct TableChange {
    pub ident: TableIdent,
    pub requirements: Vec<TableRequirement>,
    pub updates: Vec<TableUpdate>,
}

/// A table's state after a successful commit.
pub struct Committed {
    pub ident: TableIdent,
    pub metadata_location: String,
    pub metadata: Arc<CachedMetadata>,
}

/// How one commit attempt ended, when it did not fail outright.
enum Attempt {
    Committed(Vec<Committed>),
    /// Another writer moved a pointer between our read and our store commit.
    LostRace(Error),
}

impl Services {
    pub async fn commit_table(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        change: TableChange,
    ) -> Result<Committed> {
        let mut out = self.commit_transaction(ctx, prefix, vec![change]).await?;
        Ok(out.remove(0))
    }

    /// Applies all changes atomically: every table moves or none does.
    pub async fn commit_transaction(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        changes: Vec<TableChange>,
    ) -> Result<Vec<Committed>> {
        let target = self.resolve(ctx, prefix).await?;
        target.require_writable()?;
        check_distinct(&changes)?;
        let mut retries_left = self.settings().commit_retries;
        loop {
            match self.attempt_commit(ctx, &target, &changes).await? {
                Attempt::Committed(done) => return Ok(done),
                Attempt::LostRace(_) if retries_left > 0 => {
                    retries_left -= 1;
                    let attempt = self.settings().commit_retries - retries_left;
                    tokio::time::sleep(retry_backoff(attempt)).await;
                }
                Attempt::LostRace(e) => return Err(e),
            }
        }
    }

    /// One try. Requirement failures are final errors; losing a pointer race to a concurrent
    /// writer is an [`Attempt::LostRace`], which the caller re-runs against the new state.
    async fn attempt_commit(
        &self,
        ctx: &RequestContext,
        target: &Target,
        changes: &[TableChange],
    ) -> Result<Attempt> {
        let mut prepared = Vec::with_capacity(changes.len());
        for change in changes {
            prepared.push(self.prepare(ctx, target, change).await?);
        }
        let written = self.write_new_files(target, &prepared).await?;
        let (store_changes, audit) = store_changes(ctx, target, &prepared)?;
        if !store_changes.is_empty() {
            let message = commit_message(changes);
            if let Err(e) = self
                .commit_changes(ctx, target, store_changes, message, audit)
                .await
            {
                if !matches!(e, Error::CommitStateUnknown(_)) {
                    delete_quietly(target.io(), written).await;
                }
                return match e {
                    Error::Conflict { .. } | Error::AlreadyExists { .. } => {
                        Ok(Attempt::LostRace(e))
                    }
                    other => Err(other),
                };
            }
        }
        Ok(Attempt::Committed(self.finish(target, prepared).await))
    }
}

/// Full-jitter exponential backoff before re-basing a commit that lost a pointer race, so that
/// many writers racing on one table spread out instead of colliding again on every retry.
fn retry_backoff(attempt: u32) -> Duration {
    let cap_ms = (2u64 << attempt.min(6)).min(100);
    Duration::from_millis(rand::random_range(0..=cap_ms))
}

fn check_distinct(changes: &[TableChange]) -> Result<()> {
    if changes.is_empty() {
        return Err(Error::invalid("a commit needs at least one table change"));
    }
    let mut seen = HashSet::new();
    match changes.iter().find(|c| !seen.insert(&c.ident)) {
        Some(c) => Err(Error::invalid(format!(
            "table {} appears twice in one transaction",
            c.ident
        ))),
        None => Ok(()),
    }
}
