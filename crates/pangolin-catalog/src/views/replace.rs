//! Replacing a view (`POST .../views/{view}`): check the requirements against the current
//! version, fold the updates with the `iceberg` builder, write the next metadata file and move
//! the pointer by compare-and-swap. Losing the race on the pointer re-runs all of it against
//! the new current version: the client's requirements, not our bookkeeping, decide conflicts.

use iceberg::ViewUpdate;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Content, ContentKind};
use pangolin_core::{Error, Result, TableIdent};
use pangolin_store::Expected;

use super::files::NewViewMetadata;
use super::publish::PointerMove;
use super::updates::apply_updates;
use super::{LoadedView, ViewRequirement};
use crate::tables::files::built;
use crate::tables::locations::checked_location;
use crate::{Prefix, Services, Target, guard};

/// The changes a client asks for on one view.
#[derive(Debug, Clone)]
pub struct ViewChange {
    pub ident: TableIdent,
    pub requirements: Vec<ViewRequirement>,
    pub updates: Vec<ViewUpdate>,
}

/// One attempt's outcome before the store commit.
enum Prepared {
    /// The updates changed nothing: no new file, no pointer move.
    Unchanged(LoadedView),
    Changed {
        current: Content,
        new: NewViewMetadata,
    },
}

impl Services {
    /// A failed requirement is `Conflict` (409) at once; a lost pointer race is retried up to
    /// `commit_retries` times before it is.
    pub async fn replace_view(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        change: ViewChange,
    ) -> Result<LoadedView> {
        let target = self.resolve(ctx, prefix).await?;
        target.require_writable()?;
        let mut attempt = 0;
        loop {
            let (current, new) = match self.prepare_replace(ctx, &target, &change).await? {
                Prepared::Unchanged(view) => return Ok(view),
                Prepared::Changed { current, new } => (current, new),
            };
            let pointer = PointerMove {
                ident: &change.ident,
                content_id: current.content_id,
                expected: Expected::At(current.metadata_location),
            };
            match self
                .publish_view(ctx, &target, pointer, "view.replace", new)
                .await
            {
                Err(Error::Conflict { .. }) if attempt < self.settings().commit_retries => {
                    attempt += 1
                }
                outcome => return outcome,
            }
        }
    }

    async fn prepare_replace(
        &self,
        ctx: &RequestContext,
        target: &Target,
        change: &ViewChange,
    ) -> Result<Prepared> {
        let found = self
            .content_now(target, &change.ident, ContentKind::View)
            .await;
        let namespace = &change.ident.namespace;
        let current = guard::require_found(ctx, Action::Write, &target.handle, namespace, found)?;
        let cached = self.metadata_at(target, &current.metadata_location).await?;
        let metadata = cached.view()?;
        for requirement in &change.requirements {
            requirement.check(&metadata)?;
        }
        let builder = (*metadata).clone().into_builder();
        let builder = apply_updates(builder, metadata.uuid(), &change.updates)?;
        let result = built(builder.build())?;
        if result.changes.is_empty() {
            return Ok(Prepared::Unchanged(
                self.loaded_view(target, current).await?,
            ));
        }
        // A `set-location` must not point the view's future files outside the warehouse.
        checked_location(target, result.metadata.location())?;
        let new = NewViewMetadata::next(&current.metadata_location, result.metadata)?;
        Ok(Prepared::Changed { current, new })
    }
}
