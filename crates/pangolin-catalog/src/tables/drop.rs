//! Dropping tables, optionally purging their files.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Content, ContentKind};
use pangolin_core::{Error, Result, TableIdent};
use pangolin_store::{Change, Expected};

use crate::{Prefix, Services, Target, guard};

impl Services {
    /// Removes the table from the branch. With `purge`, also deletes everything under the
    /// table's location, unless another reference still holds the table. A commit racing the
    /// drop makes it re-read and try again, so a drop never answers 409. Needs `delete` on the
    /// table (purging included: the files go only when no reference holds the table anymore).
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
            let found = self.content_now(&target, ident, ContentKind::Table).await;
            let content =
                guard::require_found(ctx, Action::Delete, &target.handle, &ident.namespace, found)?;
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

    /// Deletes a dropped table's files, unless a branch or tag still holds the table (under
    /// any name). The drop already succeeded, so failures are logged.
    async fn purge(&self, target: &Target, dropped: &Content, table_location: &str) {
        let holders = self
            .store()
            .refs_holding(target.catalog_id(), dropped.content_id)
            .await;
        match holders {
            Ok(refs) if refs.is_empty() => {}
            Ok(refs) => {
                let refs: Vec<String> = refs.iter().map(ToString::to_string).collect();
                tracing::info!(%table_location, ?refs, "not purging: other references still hold the table");
                return;
            }
            Err(e) => {
                tracing::warn!(%table_location, error = %e, "not purging: references unreadable");
                return;
            }
        }
        match target.io().delete_prefix(table_location).await {
            Ok(n) => tracing::info!(%table_location, files = n, "purged dropped table"),
            Err(e) => {
                tracing::error!(%table_location, error = %e, "purging a dropped table failed")
            }
        }
    }
}
