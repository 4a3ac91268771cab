//! Preparing one table's next metadata version in memory: read it, check the client's
//! requirements, fold the updates with the `iceberg` builders. Nothing is written here.

use std::sync::Arc;

use iceberg::spec::{MetadataLog, TableMetadata};
use iceberg::{TableRequirement, TableUpdate};
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Content, ContentKind};
use pangolin_core::{ContentId, Error, Result, TableIdent};
use pangolin_store::Expected;

use super::commit::{Committed, TableChange};
use super::files::{NewMetadata, built};
use super::seed::seed_builder;
use crate::{CachedMetadata, Services, Target, guard};

/// One table's outcome of an attempt, before the store commit.
pub(super) enum Prepared {
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
    /// Reads one table, authorizes the change against what it read, checks the requirements
    /// and builds its next metadata.
    pub(super) async fn prepare(
        &self,
        ctx: &RequestContext,
        target: &Target,
        change: &TableChange,
    ) -> Result<Prepared> {
        let current = self.current(target, &change.ident).await?;
        authorize(ctx, target, change, current.as_ref().map(|(c, _)| c))?;
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
        let content = match self.content_now(target, ident, ContentKind::Table).await {
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
}

/// `write` on an existing table; `create` on the namespace for a staged create (a change that
/// asserts the table does not exist yet: if it does, the assertion fails with 409 and nothing
/// is written). A change to a missing table without that assertion is answered `NotFound` only
/// for callers who may write in the namespace. Every attempt checks again against what it
/// read, so a table replaced under the same name between two attempts is authorized as the
/// table it now is.
fn authorize(
    ctx: &RequestContext,
    target: &Target,
    change: &TableChange,
    current: Option<&Content>,
) -> Result<()> {
    let handle = &target.handle;
    let namespace = handle.namespace_resource(&change.ident.namespace);
    if change.requirements.contains(&TableRequirement::NotExist) {
        return guard::require(ctx, Action::Create, &namespace);
    }
    match current {
        Some(content) => guard::require(ctx, Action::Write, &handle.content_resource(content)),
        None => guard::require(ctx, Action::Write, &namespace),
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
