//! Renaming tables, also across namespaces. The content id (and so every grant and piece of
//! business metadata keyed on it) moves with the table.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::ContentKind;
use pangolin_core::{Error, Result, TableIdent};
use pangolin_store::{Change, Expected};

use crate::{Prefix, Services};

impl Services {
    pub async fn rename_table(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        from: &TableIdent,
        to: &TableIdent,
    ) -> Result<()> {
        self.rename_content(ctx, prefix, ContentKind::Table, from, to)
            .await
    }

    pub(crate) async fn rename_content(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        kind: ContentKind,
        from: &TableIdent,
        to: &TableIdent,
    ) -> Result<()> {
        let target = self.resolve(ctx, prefix).await?;
        target.require_writable()?;
        if from == to {
            return Err(Error::invalid(format!("cannot rename {from} to itself")));
        }
        let content = self.content(&target, from, kind).await?;
        let changes = vec![
            Change::Delete {
                ident: from.clone(),
                kind,
                expected: Expected::At(content.metadata_location.clone()),
            },
            Change::Put {
                ident: to.clone(),
                kind,
                content_id: content.content_id,
                expected: Expected::Absent,
                metadata_location: content.metadata_location,
                metadata: None,
            },
        ];
        let action = format!("{kind}.rename");
        let audit = ctx
            .audit(
                &action,
                target.resource(kind.as_str(), from),
                AuditResult::Success,
            )
            .with_summary(serde_json::json!({ "to": to.to_string() }));
        let message = format!("rename {kind} {from} to {to}");
        self.commit_changes(ctx, &target, changes, message, vec![audit])
            .await?;
        Ok(())
    }
}
