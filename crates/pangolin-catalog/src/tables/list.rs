//! Listing tables (and views, through the same path): the caller must see the namespace;
//! the items it cannot see are left out.

use pangolin_core::context::RequestContext;
use pangolin_core::model::{Content, ContentKind};
use pangolin_core::{NamespaceIdent, Page, PageRequest, Result, TableIdent};

use crate::{Prefix, Services, Version};

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
        let visible = self
            .visibility_inside(ctx, &target, Some(namespace))
            .await?;
        let catalog = target.catalog_id();
        let page = match &target.version {
            Version::Branch(r) | Version::Tag(r) => {
                self.store()
                    .list_contents(catalog, r, namespace, kind, page)
                    .await?
            }
            Version::Commit(at) => {
                self.store().get_namespace(catalog, namespace).await?;
                let all = self.store().contents_at(catalog, *at).await?;
                page_of(all, namespace, kind, page)
            }
        };
        let handle = &target.handle;
        Ok(page
            .filter(|c| visible.can_see(&handle.content_resource(c)))
            .map(|c| c.ident))
    }
}

/// One page of the content of `kind` directly in `namespace`, from a full state ordered by
/// identifier (what `contents_at` returns).
fn page_of(
    all: Vec<Content>,
    namespace: &NamespaceIdent,
    kind: ContentKind,
    page: &PageRequest,
) -> Page<Content> {
    let after = page.after_key();
    let rows: Vec<Content> = all
        .into_iter()
        .filter(|c| c.kind == kind && &c.ident.namespace == namespace)
        .filter(|c| {
            after
                .as_ref()
                .is_none_or(|a| c.ident.name.as_str() > a.as_str())
        })
        .take(page.fetch_limit().unwrap_or(usize::MAX))
        .collect();
    Page::from_rows(rows, page, |c| c.ident.name.to_string())
}
