//! The commit log of a reference: newest first, optionally only commits touching one table.

use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Commit};
use pangolin_core::{Name, Page, PageRequest, PageToken, Result, TableIdent};

use super::access;
use crate::Services;

/// How many commits one store read fetches while filtering by table.
const SCAN_BATCH: usize = 200;

impl Services {
    pub async fn commit_log(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        reference: &Name,
        table: Option<&TableIdent>,
        page: &PageRequest,
    ) -> Result<Page<Commit>> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        access::require_on_catalog(ctx, &handle, Action::Read)?;
        let head = self
            .store()
            .get_ref(handle.catalog.id, reference)
            .await?
            .head;
        let Some(table) = table else {
            return self
                .store()
                .list_commits(handle.catalog.id, head, page)
                .await;
        };
        self.filtered_log(handle.catalog.id, head, table, page)
            .await
    }

    /// One commit of the catalog.
    pub async fn get_commit(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        id: pangolin_core::CommitId,
    ) -> Result<Commit> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        access::require_on_catalog(ctx, &handle, Action::Read)?;
        self.store().get_commit(handle.catalog.id, id).await
    }

    /// Scans the log in batches, keeping commits that touch `table`, until a page is full.
    /// The token is the last commit returned, so scanning resumes right after it.
    async fn filtered_log(
        &self,
        catalog: pangolin_core::CatalogId,
        head: pangolin_core::CommitId,
        table: &TableIdent,
        page: &PageRequest,
    ) -> Result<Page<Commit>> {
        let limit = page.limit.unwrap_or(usize::MAX);
        let mut found: Vec<Commit> = Vec::new();
        let mut scan = PageRequest {
            token: page.token.clone(),
            limit: Some(SCAN_BATCH),
        };
        loop {
            let batch = self.store().list_commits(catalog, head, &scan).await?;
            for commit in batch.items {
                if commit.operations.iter().any(|op| op.ident() == table) {
                    found.push(commit);
                    if found.len() > limit {
                        return Ok(page_with_more(found, limit));
                    }
                }
            }
            match batch.next {
                Some(token) => scan.token = Some(token),
                None => {
                    return Ok(Page {
                        items: found,
                        next: None,
                    });
                }
            }
        }
    }
}

fn page_with_more(mut found: Vec<Commit>, limit: usize) -> Page<Commit> {
    found.truncate(limit);
    let next = found.last().map(|c| PageToken::after(&c.id.to_string()));
    Page { items: found, next }
}
