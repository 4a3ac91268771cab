//! Reading views: list, load, exists. Loads read the pointer from the store and the metadata
//! through the shared cache (keyed by location, so entries never go stale).

use pangolin_core::context::RequestContext;
use pangolin_core::model::{Content, ContentKind};
use pangolin_core::{NamespaceIdent, Page, PageRequest, Result, TableIdent};

use super::LoadedView;
use crate::{Prefix, Services, Target};

impl Services {
    pub async fn list_views(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        namespace: &NamespaceIdent,
        page: &PageRequest,
    ) -> Result<Page<TableIdent>> {
        self.list_content(ctx, prefix, namespace, ContentKind::View, page)
            .await
    }

    /// `NotFound(View)` also when the name holds a table.
    pub async fn load_view(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &TableIdent,
    ) -> Result<LoadedView> {
        let target = self.resolve(ctx, prefix).await?;
        let content = self
            .readable(ctx, &target, ident, ContentKind::View)
            .await?;
        self.loaded_view(&target, content).await
    }

    /// `HEAD` on a view: `NotFound(View)` or `Ok`.
    pub async fn view_exists(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &TableIdent,
    ) -> Result<()> {
        let target = self.resolve(ctx, prefix).await?;
        self.readable(ctx, &target, ident, ContentKind::View)
            .await
            .map(|_| ())
    }

    pub(crate) async fn loaded_view(
        &self,
        target: &Target,
        content: Content,
    ) -> Result<LoadedView> {
        let metadata = self.metadata_at(target, &content.metadata_location).await?;
        Ok(LoadedView {
            ident: content.ident,
            content_id: content.content_id,
            metadata_location: content.metadata_location,
            metadata,
            config: Default::default(),
        })
    }
}
