//! Creating tables, immediately or staged (the metadata is returned but nothing is committed
//! until a commit with `assert-create` arrives, as DuckDB and PyIceberg transactions do).

use std::collections::HashMap;
use std::sync::Arc;

use iceberg::spec::{FormatVersion, SortOrder, TableMetadataBuilder};
use iceberg_catalog_rest::CreateTableRequest;
use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, ContentKind};
use pangolin_core::{ContentId, Error, Name, NamespaceIdent, Result, TableIdent};
use pangolin_store::{Change, Expected};

use super::LoadedTable;
use super::files::{NewMetadata, built, delete_quietly};
use super::load::client_config;
use super::locations::{base_location, table_location};
use crate::{CachedMetadata, Prefix, Services, guard};

/// The table property that selects the format version at creation; it is not stored.
const FORMAT_VERSION: &str = "format-version";

impl Services {
    pub async fn create_table(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        namespace: &NamespaceIdent,
        request: CreateTableRequest,
    ) -> Result<LoadedTable> {
        let target = self.resolve(ctx, prefix).await?;
        guard::require(
            ctx,
            Action::Create,
            &target.handle.namespace_resource(namespace),
        )?;
        target.require_writable()?;
        let ident = TableIdent::new(namespace.clone(), Name::new(&request.name)?);
        let ns = self
            .store()
            .get_namespace(target.catalog_id(), namespace)
            .await?;
        self.refuse_existing(&target, &ident).await?;
        let content_id = ContentId::generate();
        let location = table_location(
            &target,
            &ns,
            &ident,
            content_id,
            request.location.as_deref(),
        )?;
        let staged = request.stage_create.unwrap_or(false);
        let new = NewMetadata::first(initial_metadata(request, location)?)?;
        if staged {
            // Writers (DuckDB) put data files before the create commits: they need access now.
            let access = match ctx.delegation.is_requested() {
                true => {
                    let table =
                        target
                            .handle
                            .placed_content(&ns.ident, ContentKind::Table, content_id);
                    self.delegate(ctx, &target, &ident, &table, new.metadata.location())
                        .await
                }
                false => Default::default(),
            };
            return Ok(LoadedTable {
                config: client_config(&target.handle.warehouse.storage),
                ident,
                content_id,
                metadata_location: None,
                metadata: Arc::new(CachedMetadata::new(new.json.clone())),
                access,
            });
        }
        new.write(target.io()).await?;
        let location = new.location_string();
        let change = Change::Put {
            ident: ident.clone(),
            kind: ContentKind::Table,
            content_id,
            expected: Expected::Absent,
            location: base_location(new.metadata.location())?,
            metadata_location: location.clone(),
            metadata: Some(Arc::from(
                std::str::from_utf8(&new.json).map_err(Error::internal)?,
            )),
        };
        let audit = ctx
            .audit(
                "table.create",
                target.resource("table", &ident),
                AuditResult::Success,
            )
            .with_summary(serde_json::json!({ "metadata-location": location }));
        let message = format!("create table {ident}");
        if let Err(e) = self
            .commit_changes(ctx, &target, vec![change], message, vec![audit])
            .await
        {
            // With an unknown outcome the pointer may already name the file: keep it.
            if !matches!(e, Error::CommitStateUnknown(_)) {
                delete_quietly(target.io(), [location]).await;
            }
            return Err(e);
        }
        self.cache_metadata(target.catalog_id(), &location, new.cache_entry());
        let content = self.content(&target, &ident, ContentKind::Table).await?;
        // Only a delegated load pays for anything here.
        let delegated = ctx.delegation.is_requested().then(|| {
            let resource = target.handle.content_resource(&content);
            (resource, content.location.clone())
        });
        let mut table = self.loaded_table(&target, content).await?;
        if let Some((resource, location)) = delegated {
            table.access = self
                .delegate(ctx, &target, &ident, &resource, &location)
                .await;
        }
        Ok(table)
    }

    /// `AlreadyExists` when a table or view already holds the name.
    pub(crate) async fn refuse_existing(
        &self,
        target: &crate::Target,
        ident: &TableIdent,
    ) -> Result<()> {
        for kind in [ContentKind::Table, ContentKind::View] {
            match self.content_now(target, ident, kind).await {
                Ok(c) => return Err(Error::already_exists(c.kind.error_kind(), ident)),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Builds version 1 of a table's metadata; the builder assigns fresh field ids like Java does.
fn initial_metadata(
    request: CreateTableRequest,
    location: String,
) -> Result<iceberg::spec::TableMetadata> {
    let mut properties: HashMap<String, String> = request.properties;
    let format_version = match properties.remove(FORMAT_VERSION) {
        None => FormatVersion::V2,
        Some(v) => parse_format_version(&v)?,
    };
    let spec = request.partition_spec.unwrap_or_default();
    let order = request
        .write_order
        .unwrap_or_else(SortOrder::unsorted_order);
    let builder = built(TableMetadataBuilder::new(
        request.schema,
        spec,
        order,
        location,
        format_version,
        properties,
    ))?;
    Ok(built(builder.build())?.metadata)
}

pub(crate) fn parse_format_version(v: &str) -> Result<FormatVersion> {
    match v.trim() {
        "1" => Ok(FormatVersion::V1),
        "2" => Ok(FormatVersion::V2),
        "3" => Ok(FormatVersion::V3),
        other => Err(Error::invalid(format!(
            "unsupported format-version {other:?}; use 1, 2 or 3"
        ))),
    }
}
