//! Listing tables (and views, through the same path).

use pangolin_core::context::RequestContext;
use pangolin_core::model::ContentKind;
use pangolin_core::{NamespaceIdent, Page, PageRequest, Result, TableIdent};

use crate::{Prefix, Services};

impl Services {
    pub async fn list_tables(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        namespace: &NamespaceIdent,
        page: &PageRequest,
    ) -> Result<Page<TableIdent>> {
        self.list_content(ctx, prefix, namespace, ContentKind::Table, page)
            .await
    }

    pub(crate) async fn list_content(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        namespace: &NamespaceIdent,
        kind: ContentKind,
        page: &PageRequest,
    ) -> Result<Page<TableIdent>> {
        let target = self.resolve(ctx, prefix).await?;
        let page = self
            .store()
            .list_contents(
                target.catalog_id(),
                &target.reference,
                namespace,
                kind,
                page,
            )
            .await?;
        Ok(page.map(|c| c.ident))
    }
}
