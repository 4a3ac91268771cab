//! Merge operations that stopped on conflicts: inspect, resolve per table, complete or abort.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Commit, MergeOperation, MergeStatus, Resolution};
use pangolin_core::{Error, Kind, MergeId, Name, Page, PageRequest, Result, TableIdent};

use super::access;
use super::merge::{merge_resource, settle_conflict};
use crate::{CatalogHandle, Services};

impl Services {
    pub async fn list_merges(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        status: Option<MergeStatus>,
        page: &PageRequest,
    ) -> Result<Page<MergeOperation>> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        access::require_on_catalog(ctx, &handle, Action::Read)?;
        self.store()
            .list_merges(handle.catalog.id, status, page)
            .await
    }

    pub async fn get_merge(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        id: MergeId,
    ) -> Result<MergeOperation> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        access::require_on_catalog(ctx, &handle, Action::Read)?;
        self.store().get_merge(handle.catalog.id, id).await
    }

    /// Records how one conflicting table is to be settled (it can be changed until completion).
    pub async fn resolve_conflict(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        id: MergeId,
        ident: &TableIdent,
        resolution: Resolution,
    ) -> Result<MergeOperation> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        let mut op = self.open_operation(&handle, id).await?;
        self.require_manage_merge(ctx, &handle, &op).await?;
        let conflict = op
            .conflicts
            .iter_mut()
            .find(|c| &c.ident == ident)
            .ok_or_else(|| {
                Error::not_found(Kind::Table, format!("{ident} (no conflict of merge {id})"))
            })?;
        conflict.resolution = Some(resolution);
        op.updated_at = pangolin_core::now();
        let audit = ctx
            .audit(
                "merge.resolve",
                merge_resource(&handle, id),
                AuditResult::Success,
            )
            .with_summary(
                serde_json::json!({ "table": ident.to_string(), "resolution": resolution }),
            );
        self.store().update_merge(&op, &[audit]).await?;
        Ok(op)
    }

    /// Makes the merge commit with every conflict settled as resolved. The target must not have
    /// moved since the merge was planned; if it did, abort and merge again.
    pub async fn complete_merge(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        id: MergeId,
    ) -> Result<(MergeOperation, Commit)> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        let op = self.open_operation(&handle, id).await?;
        if let Some(open) = op.conflicts.iter().find(|c| c.resolution.is_none()) {
            return Err(Error::invalid(format!(
                "the conflict on {} is not resolved yet",
                open.ident
            )));
        }
        let source = self.store().get_ref(handle.catalog.id, &op.source).await?;
        let target = self.store().get_ref(handle.catalog.id, &op.target).await?;
        access::require_merge(ctx, &handle, Some(&source), Some(&target))?;
        let mut plan = self
            .plan_merge(&handle, &source, &target, op.source_head, op.target_head)
            .await?;
        plan.conflicts.clear();
        for conflict in &op.conflicts {
            let resolution = conflict.resolution.expect("checked above");
            settle_conflict(&mut plan, conflict.clone(), resolution);
        }
        access::require_changes(ctx, &handle, &plan.changes, &[])?;
        let commit = self
            .commit_merge(
                ctx,
                &handle,
                &op.target,
                &plan,
                op.message.clone(),
                Some(op.id),
            )
            .await
            .map_err(|e| target_moved(e, &op))?;
        let done = self.store().get_merge(handle.catalog.id, id).await?;
        Ok((done, commit))
    }

    pub async fn abort_merge(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        id: MergeId,
    ) -> Result<MergeOperation> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        let mut op = self.open_operation(&handle, id).await?;
        self.require_manage_merge(ctx, &handle, &op).await?;
        op.status = MergeStatus::Aborted;
        op.updated_at = pangolin_core::now();
        let audit = ctx.audit(
            "merge.abort",
            merge_resource(&handle, id),
            AuditResult::Success,
        );
        self.store().update_merge(&op, &[audit]).await?;
        Ok(op)
    }

    /// The managing actions of an operation's references; one deleted since is judged as an
    /// experimental branch.
    async fn require_manage_merge(
        &self,
        ctx: &RequestContext,
        handle: &CatalogHandle,
        op: &MergeOperation,
    ) -> Result<()> {
        let catalog = handle.catalog.id;
        let source = self.existing_ref(catalog, &op.source).await?;
        let target = self.existing_ref(catalog, &op.target).await?;
        access::require_merge(ctx, handle, source.as_ref(), target.as_ref())
    }

    async fn existing_ref(
        &self,
        catalog: pangolin_core::CatalogId,
        name: &Name,
    ) -> Result<Option<pangolin_core::model::Reference>> {
        match self.store().get_ref(catalog, name).await {
            Ok(r) => Ok(Some(r)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn open_operation(&self, handle: &CatalogHandle, id: MergeId) -> Result<MergeOperation> {
        let op = self.store().get_merge(handle.catalog.id, id).await?;
        if op.status != MergeStatus::Open {
            return Err(Error::conflict(
                format!(
                    "merge {id} is {} and can no longer change",
                    op.status.as_str()
                ),
                Some(op.status.as_str().to_owned()),
            ));
        }
        Ok(op)
    }
}

/// A completion refused because the target's head moved gets an actionable message.
fn target_moved(e: Error, op: &MergeOperation) -> Error {
    match e {
        Error::Conflict { current, .. }
            if current.as_deref() != Some(MergeStatus::Completed.as_str()) =>
        {
            Error::conflict(
                format!(
                    "branch '{}' moved since merge {} was planned; abort it and merge again",
                    op.target, op.id
                ),
                current,
            )
        }
        other => other,
    }
}
