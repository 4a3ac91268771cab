//! Registering an existing view metadata file (written by another catalog or kept from a
//! dropped view) as a view.

use std::sync::Arc;

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, ContentKind};
use pangolin_core::{ContentId, Error, Name, NamespaceIdent, Result, TableIdent};
use pangolin_store::{Change, Expected};

use super::files::parse_view_metadata;
use super::{LoadedView, RegisterViewRequest};
use crate::tables::files::read_json;
use crate::tables::locations::checked_location;
use crate::{CachedMetadata, Prefix, Services, guard};

impl Services {
    /// Both the file and the view location it names must lie inside the warehouse.
    /// `AlreadyExists` when a table or view holds the name.
    pub async fn register_view(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        namespace: &NamespaceIdent,
        request: RegisterViewRequest,
    ) -> Result<LoadedView> {
        let ident = TableIdent::new(namespace.clone(), Name::new(&request.name)?);
        let target = self.resolve(ctx, prefix).await?;
        guard::require(
            ctx,
            Action::Create,
            &target.handle.namespace_resource(namespace),
        )?;
        target.require_writable()?;
        let location = checked_location(&target, &request.metadata_location)?;
        let json = read_json(target.io(), &location)
            .await
            .map_err(|e| match e {
                Error::NotFound { .. } => {
                    Error::invalid(format!("metadata file {location} does not exist"))
                }
                other => other,
            })?;
        let metadata = parse_view_metadata(&json, &location)?;
        let view_location = checked_location(&target, metadata.location())?;
        self.refuse_existing(&target, &ident).await?;
        let content_id = ContentId::generate();
        let change = Change::Put {
            ident: ident.clone(),
            kind: ContentKind::View,
            content_id,
            expected: Expected::Absent,
            location: view_location,
            metadata_location: location.clone(),
            metadata: Some(Arc::from(
                std::str::from_utf8(&json).map_err(|_| Error::invalid("metadata is not UTF-8"))?,
            )),
        };
        let audit = ctx
            .audit(
                "view.register",
                target.resource("view", &ident),
                AuditResult::Success,
            )
            .with_summary(serde_json::json!({ "metadata-location": location }));
        let message = format!("register view {ident}");
        self.commit_changes(ctx, &target, vec![change], message, vec![audit])
            .await?;
        let entry = Arc::new(CachedMetadata::from_view_parts(json, Arc::new(metadata)));
        self.cache_metadata(target.catalog_id(), &location, entry.clone());
        Ok(LoadedView {
            ident,
            content_id,
            metadata_location: location,
            metadata: entry,
            config: Default::default(),
        })
    }
}
