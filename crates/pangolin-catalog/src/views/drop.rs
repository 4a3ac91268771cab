//! Dropping and renaming views. A drop removes the pointer only: the metadata files stay, as
//! other references (branches, tags) may still point at them.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Content, ContentKind};
use pangolin_core::{Error, Result, TableIdent};
use pangolin_store::{Change, Expected};

use crate::{Prefix, Services, Target, guard};

impl Services {
    /// `NotFound(View)` also when the name holds a table. A replace racing the drop makes it
    /// re-read and try again, so a drop never answers 409.
    pub async fn drop_view(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &TableIdent,
    ) -> Result<()> {
        let target = self.resolve(ctx, prefix).await?;
        target.require_writable()?;
        let mut attempt = 0;
        loop {
            let found = self.content_now(&target, ident, ContentKind::View).await;
            let handle = &target.handle;
            let content =
                guard::require_found(ctx, Action::Delete, handle, &ident.namespace, found)?;
            match self.commit_drop(ctx, &target, content).await {
                Err(Error::Conflict { .. }) if attempt < self.settings().commit_retries => {
                    attempt += 1
                }
                outcome => return outcome,
            }
        }
    }

    async fn commit_drop(
        &self,
        ctx: &RequestContext,
        target: &Target,
        content: Content,
    ) -> Result<()> {
        let change = Change::Delete {
            ident: content.ident.clone(),
            kind: ContentKind::View,
            expected: Expected::At(content.metadata_location.clone()),
        };
        let audit = ctx
            .audit(
                "view.drop",
                target.resource("view", &content.ident),
                AuditResult::Success,
            )
            .with_summary(serde_json::json!({ "metadata-location": content.metadata_location }));
        let message = format!("drop view {}", content.ident);
        self.commit_changes(ctx, target, vec![change], message, vec![audit])
            .await
            .map(|_| ())
    }

    /// Renames a view, also across namespaces; the content id moves with it. `AlreadyExists`
    /// when a table or view holds the new name.
    pub async fn rename_view(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        from: &TableIdent,
        to: &TableIdent,
    ) -> Result<()> {
        self.rename_content(ctx, prefix, ContentKind::View, from, to)
            .await
    }
}
