//! Registering an existing metadata file as a table.

use std::sync::Arc;

use bytes::Bytes;
use iceberg_catalog_rest::RegisterTableRequest;
use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, ContentKind};
use pangolin_core::{ContentId, Error, Name, NamespaceIdent, Result, TableIdent};
use pangolin_store::{Change, Expected};

use super::LoadedTable;
use super::files::{parse_table_metadata, read_json};
use super::locations::checked_location;
use crate::{CachedMetadata, Prefix, Services, guard};

impl Services {
    pub async fn register_table(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        namespace: &NamespaceIdent,
        request: RegisterTableRequest,
    ) -> Result<LoadedTable> {
        let target = self.resolve(ctx, prefix).await?;
        guard::require(
            ctx,
            Action::Create,
            &target.handle.namespace_resource(namespace),
        )?;
        target.require_writable()?;
        let ident = TableIdent::new(namespace.clone(), Name::new(&request.name)?);
        let location = checked_location(&target, &request.metadata_location)?;
        let json = read_json(target.io(), &location)
            .await
            .map_err(|e| match e {
                Error::NotFound { .. } => {
                    Error::invalid(format!("metadata file {location} does not exist"))
                }
                other => other,
            })?;
        let metadata = parse_table_metadata(&json, &location)?;
        let table_location = checked_location(&target, metadata.location())?;
        let existing = match self.content_now(&target, &ident, ContentKind::Table).await {
            Ok(c) => Some(c),
            Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let (content_id, expected) = match existing {
            Some(c) if request.overwrite.unwrap_or(false) => {
                // Overwriting replaces an existing table's state: that is a write to it.
                guard::require(ctx, Action::Write, &target.handle.content_resource(&c))?;
                (c.content_id, Expected::At(c.metadata_location))
            }
            Some(_) => return Err(Error::already_exists(pangolin_core::Kind::Table, &ident)),
            None => (ContentId::generate(), Expected::Absent),
        };
        let change = Change::Put {
            ident: ident.clone(),
            kind: ContentKind::Table,
            content_id,
            expected,
            location: table_location,
            metadata_location: location.clone(),
            metadata: Some(Arc::from(
                std::str::from_utf8(&json).map_err(|_| Error::invalid("metadata is not UTF-8"))?,
            )),
        };
        let audit = ctx
            .audit(
                "table.register",
                target.resource("table", &ident),
                AuditResult::Success,
            )
            .with_summary(serde_json::json!({ "metadata-location": location }));
        self.commit_changes(
            ctx,
            &target,
            vec![change],
            format!("register table {ident}"),
            vec![audit],
        )
        .await?;
        let entry = Arc::new(CachedMetadata::from_parts(
            Bytes::clone(&json),
            Arc::new(metadata),
        ));
        self.cache_metadata(target.catalog_id(), &location, entry);
        let content = self.content(&target, &ident, ContentKind::Table).await?;
        self.loaded_table(&target, content).await
    }
}
