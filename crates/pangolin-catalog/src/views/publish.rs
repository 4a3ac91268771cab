//! Making a new view metadata file current: write it, move the pointer in one store commit
//! that carries the audit event, and remove the file again when the commit certainly failed.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::ContentKind;
use pangolin_core::{ContentId, Error, Result, TableIdent};
use pangolin_store::{Change, Expected};

use super::LoadedView;
use super::files::NewViewMetadata;
use crate::tables::files::delete_quietly;
use crate::tables::locations::base_location;
use crate::{Services, Target};

/// Which pointer moves, and what it must hold before it does.
pub(super) struct PointerMove<'a> {
    pub(super) ident: &'a TableIdent,
    pub(super) content_id: ContentId,
    pub(super) expected: Expected,
}

impl Services {
    /// `action` is the audit action, e.g. `view.create`.
    pub(super) async fn publish_view(
        &self,
        ctx: &RequestContext,
        target: &Target,
        pointer: PointerMove<'_>,
        action: &str,
        new: NewViewMetadata,
    ) -> Result<LoadedView> {
        let view_location = base_location(new.metadata.location())?;
        new.write(target.io()).await?;
        let change = Change::Put {
            ident: pointer.ident.clone(),
            kind: ContentKind::View,
            content_id: pointer.content_id,
            expected: pointer.expected,
            location: view_location,
            metadata_location: new.location.clone(),
            metadata: Some(new.json_str()?),
        };
        let audit = ctx
            .audit(
                action,
                target.resource("view", pointer.ident),
                AuditResult::Success,
            )
            .with_summary(serde_json::json!({ "metadata-location": new.location }));
        let verb = action.strip_prefix("view.").unwrap_or(action);
        let message = format!("{verb} view {}", pointer.ident);
        if let Err(e) = self
            .commit_changes(ctx, target, vec![change], message, vec![audit])
            .await
        {
            // With an unknown outcome the pointer may already name the file: keep it.
            if !matches!(e, Error::CommitStateUnknown(_)) {
                delete_quietly(target.io(), [new.location.clone()]).await;
            }
            return Err(e);
        }
        let entry = new.cache_entry();
        self.cache_metadata(target.catalog_id(), &new.location, entry.clone());
        Ok(LoadedView {
            ident: pointer.ident.clone(),
            content_id: pointer.content_id,
            metadata_location: new.location,
            metadata: entry,
            config: Default::default(),
        })
    }
}
