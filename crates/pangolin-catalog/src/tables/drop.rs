//! Dropping tables, optionally purging their files.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Content, ContentKind};
use pangolin_core::{Error, PageRequest, Result, TableIdent};
use pangolin_store::{Change, Expected};

use crate::{Prefix, Services, Target};

impl Services {
    /// Removes the table from the branch. With `purge`, also deletes everything under the
    /// table's location, unless another reference still holds the table. A commit racing the
    /// drop makes it re-read and try again, so a drop never answers 409.
    pub async fn drop_table(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &TableIdent,
        purge: bool,
    ) -> Result<()> {
        let target = self.resolve(ctx, prefix).await?;
        target.require_writable()?;
        let mut retries_left = self.settings().commit_retries;
        loop {
            let content = self.content(&target, ident, ContentKind::Table).await?;
            match self.commit_table_drop(ctx, &target, &content, purge).await {
                Err(Error::Conflict { .. }) if retries_left > 0 => retries_left -= 1,
                outcome => return outcome,
            }
        }
    }

    async fn commit_table_drop(
        &self,
        ctx: &RequestContext,
        target: &Target,
        content: &Content,
        purge: bool,
    ) -> Result<()> {
        let table_location = match purge {
            true => Some(
                self.metadata_at(target, &content.metadata_location)
                    .await?
                    .table()?
                    .location()
                    .to_owned(),
            ),
            false => None,
        };
        let ident = &content.ident;
        let change = Change::Delete {
            ident: ident.clone(),
            kind: ContentKind::Table,
            expected: Expected::At(content.metadata_location.clone()),
        };
        let audit = ctx
            .audit("table.drop", target.resource("table", ident), AuditResult::Success)
            .with_summary(serde_json::json!({ "purge": purge, "metadata-location": content.metadata_location }));
        self.commit_changes(
            ctx,
            target,
            vec![change],
            format!("drop table {ident}"),
            vec![audit],
        )
        .await?;
        if let Some(location) = table_location {
            self.purge(target, content, &location).await;
        }
        Ok(())
    }

    /// Deletes a dropped table's files. The drop already succeeded, so failures are logged.
    async fn purge(&self, target: &Target, dropped: &Content, table_location: &str) {
        let held = match self
            .on_other_refs(target, &dropped.ident, ContentKind::Table)
            .await
        {
            Ok(others) => others.iter().any(|c| c.content_id == dropped.content_id),
            Err(e) => {
                tracing::warn!(%table_location, error = %e, "not purging: references unreadable");
                return;
            }
        };
        if held {
            tracing::info!(%table_location, "not purging: another reference still holds the table");
            return;
        }
        match target.io().delete_prefix(table_location).await {
            Ok(n) => tracing::info!(%table_location, files = n, "purged dropped table"),
            Err(e) => {
                tracing::error!(%table_location, error = %e, "purging a dropped table failed")
            }
        }
    }

    /// What every reference but `target`'s holds at `ident`. (Stored metadata cannot tell this:
    /// the store may keep it for any location ever committed.)
    pub(crate) async fn on_other_refs(
        &self,
        target: &Target,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Vec<Content>> {
        let catalog = target.catalog_id();
        let refs = self.store().list_refs(catalog, &PageRequest::all()).await?;
        let mut held = Vec::new();
        for reference in refs.items {
            if reference.name == target.reference {
                continue;
            }
            match self
                .store()
                .load_content(catalog, &reference.name, ident, kind)
                .await
            {
                Ok(content) => held.push(content),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(held)
    }
}
