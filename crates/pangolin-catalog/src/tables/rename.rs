//! Renaming tables, also across namespaces. The content id (and so every grant and piece of
//! business metadata keyed on it) moves with the table.
//!
//! A rename takes the object away from its name and creates it under another one, so it needs
//! `delete` on the object and `create` on the destination namespace: moving a table out of a
//! namespace removes it from everyone whose access came through that namespace.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Content, ContentKind};
use pangolin_core::{Error, Result, TableIdent};
use pangolin_store::{Change, Expected};

use super::locations::base_location;
use crate::{Prefix, Services, Target, guard};

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
        let found = self.content_now(&target, from, kind).await;
        let handle = &target.handle;
        let content = guard::require_found(ctx, Action::Delete, handle, &from.namespace, found)?;
        guard::require(
            ctx,
            Action::Create,
            &handle.namespace_resource(&to.namespace),
        )?;
        let location = self.content_location(&target, &content).await?;
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
                location,
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

    /// The content's recorded location. Content committed before the store recorded
    /// locations has none; its metadata still names it.
    async fn content_location(&self, target: &Target, content: &Content) -> Result<String> {
        if !content.location.is_empty() {
            return Ok(content.location.clone());
        }
        let cached = self.metadata_at(target, &content.metadata_location).await?;
        let recorded = match content.kind {
            ContentKind::Table => cached.table()?.location().to_owned(),
            ContentKind::View => cached.view()?.location().to_owned(),
        };
        base_location(&recorded)
    }
}
