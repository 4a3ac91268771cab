//! Creating views.

use iceberg::spec::{ViewFormatVersion, ViewMetadata, ViewMetadataBuilder};
use pangolin_core::context::RequestContext;
use pangolin_core::model::Action;
use pangolin_core::{ContentId, Name, NamespaceIdent, Result, TableIdent};
use pangolin_store::Expected;

use super::files::NewViewMetadata;
use super::publish::PointerMove;
use super::{CreateViewRequest, LoadedView};
use crate::tables::files::built;
use crate::tables::locations::table_location;
use crate::{Prefix, Services, guard};

impl Services {
    /// `AlreadyExists` when a table or view holds the name; `NotFound(Namespace)`.
    pub async fn create_view(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        namespace: &NamespaceIdent,
        request: CreateViewRequest,
    ) -> Result<LoadedView> {
        let ident = TableIdent::new(namespace.clone(), Name::new(&request.name)?);
        let target = self.resolve(ctx, prefix).await?;
        guard::require(
            ctx,
            Action::Create,
            &target.handle.namespace_resource(namespace),
        )?;
        target.require_writable()?;
        let ns = self
            .store()
            .get_namespace(target.catalog_id(), namespace)
            .await?;
        // Checked before writing anything; the store's create-only put still decides races.
        self.refuse_existing(&target, &ident).await?;
        let content_id = ContentId::generate();
        let location = table_location(
            &target,
            &ns,
            &ident,
            content_id,
            request.location.as_deref(),
        )?;
        let new = NewViewMetadata::first(initial_metadata(request, location)?)?;
        let pointer = PointerMove {
            ident: &ident,
            content_id,
            expected: Expected::Absent,
        };
        self.publish_view(ctx, &target, pointer, "view.create", new)
            .await
    }
}

/// Version 1 of a view: the builder assigns the schema its id and rewrites the version's
/// `schema-id` to match, as the spec asks.
fn initial_metadata(request: CreateViewRequest, location: String) -> Result<ViewMetadata> {
    let builder = built(ViewMetadataBuilder::new(
        location,
        request.schema,
        request.view_version,
        ViewFormatVersion::V1,
        request.properties,
    ))?;
    Ok(built(builder.build())?.metadata)
}
