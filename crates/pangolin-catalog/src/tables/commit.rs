//! Committing table changes: one table (`POST .../tables/{t}`) or several atomically
//! (`POST .../transactions/commit`). Each attempt re-reads the tables, checks the client's
//! requirements, folds the updates with the `iceberg` builders, writes new metadata files and
//! moves every pointer in one store commit. Losing a race on a pointer re-runs the attempt: the
//! client's requirements, not our bookkeeping, decide what conflicts.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use iceberg::spec::{MetadataLog, TableMetadata};
use iceberg::{TableRequirement, TableUpdate};
use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Commit, Content, ContentKind};
use pangolin_core::{CommitId, ContentId, Error, Result, TableIdent};
use pangolin_store::{Change, CommitRequest, Expected};

use super::files::{NewMetadata, built, delete_quietly};
use super::locations::base_location;
use super::seed::seed_builder;
use crate::{CachedMetadata, Prefix, Services, Target};

/// Table property: delete metadata files that fall out of the metadata log.
const DELETE_AFTER_COMMIT: &str = "write.metadata.delete-after-commit.enabled";

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

/// One table's outcome of an attempt, before the store commit.
enum Prepared {
    /// The updates changed nothing: no new file, no pointer move.
    Unchanged(Committed),
    Changed {
        ident: TableIdent,
        content_id: ContentId,
        expected: Expected,
        new: NewMetadata,
        expired: Vec<MetadataLog>,
    },
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
            prepared.push(self.prepare(target, change).await?);
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

    /// Reads one table, checks the requirements and builds its next metadata.
    async fn prepare(&self, target: &Target, change: &TableChange) -> Result<Prepared> {
        let current = self.current(target, &change.ident).await?;
        let current_metadata = current.as_ref().map(|(_, m)| m.clone());
        for requirement in &change.requirements {
            requirement
                .check(current_metadata.as_deref())
                .map_err(crate::errors::from_iceberg)?;
        }
        match current {
            Some((content, metadata)) => self.prepare_update(target, change, content, metadata),
            None if change.requirements.contains(&TableRequirement::NotExist) => {
                self.prepare_create(target, change).await
            }
            None => Err(Error::not_found(pangolin_core::Kind::Table, &change.ident)),
        }
    }

    fn prepare_update(
        &self,
        target: &Target,
        change: &TableChange,
        content: Content,
        metadata: Arc<TableMetadata>,
    ) -> Result<Prepared> {
        let previous_location = metadata.location().to_owned();
        let builder = (*metadata)
            .clone()
            .into_builder(Some(content.metadata_location.clone()));
        let result = built(apply_updates(builder, &change.updates))?;
        if result.changes.is_empty() {
            let cached = Arc::new(CachedMetadata::from_parts(
                bytes::Bytes::from(serde_json::to_vec(&*metadata).map_err(Error::internal)?),
                metadata,
            ));
            return Ok(Prepared::Unchanged(Committed {
                ident: change.ident.clone(),
                metadata_location: content.metadata_location,
                metadata: cached,
            }));
        }
        check_inside(target, &result.metadata)?;
        let new = NewMetadata::next(
            &content.metadata_location,
            &previous_location,
            result.metadata,
        )?;
        Ok(Prepared::Changed {
            ident: change.ident.clone(),
            content_id: content.content_id,
            expected: Expected::At(content.metadata_location),
            new,
            expired: result.expired_metadata_logs,
        })
    }

    async fn prepare_create(&self, target: &Target, change: &TableChange) -> Result<Prepared> {
        let namespace = self
            .store()
            .get_namespace(target.catalog_id(), &change.ident.namespace)
            .await?;
        let content_id = ContentId::generate();
        let builder = seed_builder(
            target,
            &namespace,
            &change.ident,
            content_id,
            &change.updates,
        )?;
        let result = built(apply_updates(builder, &change.updates))?;
        check_inside(target, &result.metadata)?;
        Ok(Prepared::Changed {
            ident: change.ident.clone(),
            content_id,
            expected: Expected::Absent,
            new: NewMetadata::first(result.metadata)?,
            expired: vec![],
        })
    }

    /// The table's pointer and parsed metadata, or `None` when it does not exist.
    async fn current(
        &self,
        target: &Target,
        ident: &TableIdent,
    ) -> Result<Option<(Content, Arc<TableMetadata>)>> {
        let content = match self.content(target, ident, ContentKind::Table).await {
            Ok(c) => c,
            Err(Error::NotFound {
                kind: pangolin_core::Kind::Table,
                ..
            }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let metadata = self
            .metadata_at(target, &content.metadata_location)
            .await?
            .table()?;
        Ok(Some((content, metadata)))
    }

    /// Writes every new metadata file; on failure deletes those already written.
    async fn write_new_files(&self, target: &Target, prepared: &[Prepared]) -> Result<Vec<String>> {
        let mut written = Vec::new();
        for p in prepared {
            if let Prepared::Changed { new, .. } = p {
                if let Err(e) = new.write(target.io()).await {
                    delete_quietly(target.io(), written).await;
                    return Err(e);
                }
                written.push(new.location_string());
            }
        }
        Ok(written)
    }

    /// After the store commit: cache the new versions and drop expired files if asked to.
    async fn finish(&self, target: &Target, prepared: Vec<Prepared>) -> Vec<Committed> {
        let mut out = Vec::with_capacity(prepared.len());
        for p in prepared {
            match p {
                Prepared::Unchanged(c) => out.push(c),
                Prepared::Changed {
                    ident,
                    new,
                    expired,
                    ..
                } => {
                    let location = new.location_string();
                    let entry = new.cache_entry();
                    self.cache_metadata(target.catalog_id(), &location, entry.clone());
                    if delete_after_commit(&new.metadata) {
                        self.delete_expired(target, &ident, expired).await;
                    }
                    out.push(Committed {
                        ident,
                        metadata_location: location,
                        metadata: entry,
                    });
                }
            }
        }
        out
    }

    /// Deletes metadata files that left the log, unless a reference (any branch or tag, under
    /// any name) still points at one. Files only old commits name go: like Iceberg's own
    /// cleanup, history beyond the log is not kept readable.
    async fn delete_expired(&self, target: &Target, ident: &TableIdent, expired: Vec<MetadataLog>) {
        let mut deletable = Vec::new();
        for log in expired {
            let file = log.metadata_file;
            match self
                .store()
                .metadata_in_use(target.catalog_id(), &file)
                .await
            {
                Ok(false) => deletable.push(file),
                Ok(true) => tracing::debug!(%file, "expired metadata still referenced; kept"),
                Err(e) => {
                    tracing::warn!(table = %ident, %file, error = %e, "expired metadata kept: references unreadable");
                }
            }
        }
        delete_quietly(target.io(), deletable).await;
    }

    /// Appends one catalog commit carrying `changes` to the target branch.
    pub(crate) async fn commit_changes(
        &self,
        ctx: &RequestContext,
        target: &Target,
        changes: Vec<Change>,
        generated_message: String,
        audit: Vec<AuditEvent>,
    ) -> Result<Commit> {
        let request = CommitRequest {
            catalog_id: target.catalog_id(),
            branch: target.reference.clone(),
            commit_id: CommitId::generate(),
            expected_head: None,
            merge_parent: None,
            completes_merge: None,
            author: ctx.principal.name.clone(),
            message: ctx.commit_message.clone().unwrap_or(generated_message),
            created_at: pangolin_core::now(),
            changes,
            audit,
        };
        self.store().commit(&request).await
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

/// Applies updates in order. `remove-snapshots` also drops the removed snapshots' statistics,
/// which the builder would otherwise leave dangling.
fn apply_updates(
    mut builder: iceberg::spec::TableMetadataBuilder,
    updates: &[TableUpdate],
) -> iceberg::Result<iceberg::spec::TableMetadataBuildResult> {
    for update in updates {
        builder = update.clone().apply(builder)?;
        if let TableUpdate::RemoveSnapshots { snapshot_ids } = update {
            for id in snapshot_ids {
                builder = builder
                    .remove_statistics(*id)
                    .remove_partition_statistics(*id);
            }
        }
    }
    builder.build()
}

/// A table's location (and so every file it will write) must stay inside the warehouse.
fn check_inside(target: &Target, metadata: &TableMetadata) -> Result<()> {
    super::locations::checked_location(target, metadata.location()).map(|_| ())
}

fn delete_after_commit(metadata: &TableMetadata) -> bool {
    metadata
        .properties()
        .get(DELETE_AFTER_COMMIT)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn store_changes(
    ctx: &RequestContext,
    target: &Target,
    prepared: &[Prepared],
) -> Result<(Vec<Change>, Vec<AuditEvent>)> {
    let mut changes = Vec::new();
    let mut audit = Vec::new();
    for p in prepared {
        let Prepared::Changed {
            ident,
            content_id,
            expected,
            new,
            ..
        } = p
        else {
            continue;
        };
        let location = new.location_string();
        let action = if *expected == Expected::Absent {
            "table.create"
        } else {
            "table.commit"
        };
        audit.push(
            ctx.audit(
                action,
                target.resource("table", ident),
                AuditResult::Success,
            )
            .with_summary(serde_json::json!({ "metadata-location": location })),
        );
        changes.push(Change::Put {
            ident: ident.clone(),
            kind: ContentKind::Table,
            content_id: *content_id,
            expected: expected.clone(),
            location: base_location(new.metadata.location())?,
            metadata_location: location,
            metadata: Some(Arc::from(
                std::str::from_utf8(&new.json).map_err(Error::internal)?,
            )),
        });
    }
    Ok((changes, audit))
}

fn commit_message(changes: &[TableChange]) -> String {
    let names: Vec<String> = changes.iter().map(|c| c.ident.to_string()).collect();
    format!("commit {}", names.join(", "))
}
