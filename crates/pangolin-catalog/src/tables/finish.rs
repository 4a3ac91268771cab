//! After an attempt is prepared: writing the new metadata files, the store changes and audit
//! records they become, the catalog commit itself, and the clean-up once it landed.

use std::sync::Arc;

use iceberg::spec::{MetadataLog, TableMetadata};
use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Commit, ContentKind};
use pangolin_core::{CommitId, Error, Result, TableIdent};
use pangolin_store::{Change, CommitRequest, Expected};

use super::commit::{Committed, DELETE_AFTER_COMMIT, TableChange};
use super::files::delete_quietly;
use super::locations::base_location;
use super::prepare::Prepared;
use crate::{Services, Target};

impl Services {
    /// Writes every new metadata file; on failure deletes those already written.
    pub(super) async fn write_new_files(
        &self,
        target: &Target,
        prepared: &[Prepared],
    ) -> Result<Vec<String>> {
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
    pub(super) async fn finish(&self, target: &Target, prepared: Vec<Prepared>) -> Vec<Committed> {
        let mut out = Vec::with_capacity(prepared.len());
        for p in prepared {
            match p {
                Prepared::Unchanged(c) => out.push(c),
                Prepared::Changed {
                    ident,
                    new,
                    expired,
                    expected,
                    ..
                } => {
                    let location = new.location_string();
                    let entry = new.cache_entry();
                    self.cache_metadata(target.catalog_id(), &location, entry.clone());
                    // The superseded version is rarely read again (old pointers on other branches
                    // reload it on demand); keeping it would fill the cache with dead versions.
                    if let Expected::At(previous) = &expected {
                        self.uncache_metadata(target.catalog_id(), previous);
                    }
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
            branch: target.branch()?.clone(),
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
        let outcome = self.store().commit(&request).await;
        self.note_commit(request.catalog_id, &outcome);
        outcome
    }
}

fn delete_after_commit(metadata: &TableMetadata) -> bool {
    metadata
        .properties()
        .get(DELETE_AFTER_COMMIT)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

pub(super) fn store_changes(
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

pub(super) fn commit_message(changes: &[TableChange]) -> String {
    let names: Vec<String> = changes.iter().map(|c| c.ident.to_string()).collect();
    format!("commit {}", names.join(", "))
}
