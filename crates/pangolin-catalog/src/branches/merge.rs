//! Merging one reference into a branch.

use std::collections::HashMap;
use std::sync::Arc;

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{
    Commit, MergeConflict, MergeOperation, MergeStatus, RefKind, Reference, Resolution,
};
use pangolin_core::{CommitId, Error, MergeId, Name, Result, TableIdent};
use pangolin_store::{Change, CommitRequest, Expected};
use serde::{Deserialize, Serialize};

use super::access;
use super::plan::{MergePlan, PlannedChange};
use super::refs::{BASE_PROPERTY, main};
use crate::{CatalogHandle, Services};

/// What to do with a table both sides changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnConflict {
    /// Record the conflict on a merge operation for explicit resolution.
    #[default]
    Fail,
    TakeSource,
    TakeTarget,
}

#[derive(Debug, Clone, Default)]
pub struct Strategy {
    pub default: OnConflict,
    pub tables: HashMap<TableIdent, OnConflict>,
}

impl Strategy {
    fn resolution(&self, ident: &TableIdent) -> Option<Resolution> {
        match self.tables.get(ident).copied().unwrap_or(self.default) {
            OnConflict::Fail => None,
            OnConflict::TakeSource => Some(Resolution::TakeSource),
            OnConflict::TakeTarget => Some(Resolution::TakeTarget),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MergeRequest {
    pub source: Name,
    pub target: Name,
    pub dry_run: bool,
    pub strategy: Strategy,
    pub message: Option<String>,
}

#[derive(Debug, Clone)]
pub enum MergeOutcome {
    /// The target already contains everything the source has.
    UpToDate,
    /// What a merge would do; nothing was written.
    DryRun {
        changes: Vec<PlannedChange>,
        conflicts: Vec<MergeConflict>,
    },
    /// The merge commit landed on the target.
    Merged {
        commit: Commit,
        changes: Vec<PlannedChange>,
    },
    /// Conflicts wait on this open operation.
    Conflicts { operation: MergeOperation },
}

/// How often a merge is re-planned when the target moves while it is being made.
const RETRIES: u32 = 5;

impl Services {
    pub async fn merge(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        request: MergeRequest,
    ) -> Result<MergeOutcome> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        let mut retries_left = RETRIES;
        loop {
            match self.merge_once(ctx, &handle, &request).await {
                Err(Error::Conflict { .. }) if retries_left > 0 => retries_left -= 1,
                outcome => return outcome,
            }
        }
    }

    /// Brings `branch` up to date with the branch it was created from (or `main`).
    pub async fn rebase(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        branch: &Name,
        strategy: Strategy,
    ) -> Result<MergeOutcome> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        let reference = self.store().get_ref(handle.catalog.id, branch).await?;
        let base = match reference.properties.get(BASE_PROPERTY) {
            Some(b) => Name::new(b)?,
            None => main(),
        };
        let request = MergeRequest {
            message: Some(format!("rebase {branch} onto {base}")),
            source: base,
            target: branch.clone(),
            dry_run: false,
            strategy,
        };
        self.merge(ctx, catalog, request).await
    }

    async fn merge_once(
        &self,
        ctx: &RequestContext,
        handle: &Arc<CatalogHandle>,
        request: &MergeRequest,
    ) -> Result<MergeOutcome> {
        let catalog = handle.catalog.id;
        let source = self.store().get_ref(catalog, &request.source).await?;
        let target = self.store().get_ref(catalog, &request.target).await?;
        access::require_merge(ctx, handle, Some(&source), Some(&target))?;
        require_branch(&target)?;
        let mut plan = self
            .plan_merge(handle, &source, &target, source.head, target.head)
            .await?;
        if plan.up_to_date() {
            return Ok(MergeOutcome::UpToDate);
        }
        apply_strategy(&mut plan, &request.strategy);
        access::require_changes(ctx, handle, &plan.changes, &plan.conflicts)?;
        if request.dry_run {
            return Ok(MergeOutcome::DryRun {
                changes: plan.changes,
                conflicts: plan.conflicts,
            });
        }
        let message = request
            .message
            .clone()
            .unwrap_or_else(|| format!("merge {} into {}", request.source, request.target));
        if !plan.conflicts.is_empty() {
            let operation = self
                .open_merge(ctx, handle, request, &plan, message)
                .await?;
            return Ok(MergeOutcome::Conflicts { operation });
        }
        let commit = self
            .commit_merge(ctx, handle, &request.target, &plan, message, None)
            .await?;
        Ok(MergeOutcome::Merged {
            commit,
            changes: plan.changes,
        })
    }

    async fn open_merge(
        &self,
        ctx: &RequestContext,
        handle: &CatalogHandle,
        request: &MergeRequest,
        plan: &MergePlan,
        message: String,
    ) -> Result<MergeOperation> {
        let now = pangolin_core::now();
        let operation = MergeOperation {
            id: MergeId::generate(),
            catalog_id: handle.catalog.id,
            source: request.source.clone(),
            target: request.target.clone(),
            source_head: plan.source_head,
            target_head: plan.target_head,
            base: plan.base,
            status: MergeStatus::Open,
            conflicts: plan.conflicts.clone(),
            author: ctx.principal.name.clone(),
            message,
            result_commit: None,
            created_at: now,
            updated_at: now,
        };
        let audit = ctx
            .audit("merge.open", merge_resource(handle, operation.id), AuditResult::Success)
            .with_summary(serde_json::json!({
                "source": request.source, "target": request.target, "conflicts": plan.conflicts.len()
            }));
        self.store().create_merge(&operation, &[audit]).await?;
        Ok(operation)
    }

    /// The merge commit: the planned changes on the target, with the source head as second
    /// parent, only if the target is still where the plan saw it.
    pub(crate) async fn commit_merge(
        &self,
        ctx: &RequestContext,
        handle: &CatalogHandle,
        target: &Name,
        plan: &MergePlan,
        message: String,
        completes: Option<MergeId>,
    ) -> Result<Commit> {
        let changes = plan.changes.iter().filter_map(to_change).collect();
        let commit_id = CommitId::generate();
        let audit = ctx
            .audit("merge.commit", format!("catalog/{}/branch/{target}", handle.catalog.name), AuditResult::Success)
            .with_summary(serde_json::json!({
                "commit": commit_id.to_string(), "merged": plan.source_head.to_string(), "tables": plan.changes.len()
            }));
        let request = CommitRequest {
            catalog_id: handle.catalog.id,
            branch: target.clone(),
            commit_id,
            expected_head: Some(plan.target_head),
            merge_parent: Some(plan.source_head),
            author: ctx.principal.name.clone(),
            message: ctx.commit_message.clone().unwrap_or(message),
            created_at: pangolin_core::now(),
            changes,
            audit: vec![audit],
            completes_merge: completes,
        };
        let outcome = self.store().commit(&request).await;
        self.note_commit(request.catalog_id, &outcome);
        outcome
    }
}

/// Conflicts the strategy settles become changes (take-source) or disappear (take-target).
pub(crate) fn apply_strategy(plan: &mut MergePlan, strategy: &Strategy) {
    let conflicts = std::mem::take(&mut plan.conflicts);
    for conflict in conflicts {
        match strategy.resolution(&conflict.ident) {
            None => plan.conflicts.push(conflict),
            Some(resolution) => settle_conflict(plan, conflict, resolution),
        }
    }
}

pub(crate) fn settle_conflict(
    plan: &mut MergePlan,
    conflict: MergeConflict,
    resolution: Resolution,
) {
    if resolution == Resolution::TakeSource {
        plan.changes.push(PlannedChange {
            ident: conflict.ident,
            target: conflict.target,
            source: conflict.source,
        });
    }
}

/// The store change that gives the target the source's version.
fn to_change(planned: &PlannedChange) -> Option<Change> {
    let expected = |t: &Option<pangolin_core::model::ContentVersion>| match t {
        Some(v) => Expected::At(v.metadata_location.clone()),
        None => Expected::Absent,
    };
    match (&planned.source, &planned.target) {
        (None, None) => None,
        (None, Some(t)) => Some(Change::Delete {
            ident: planned.ident.clone(),
            kind: t.kind,
            expected: expected(&planned.target),
        }),
        (Some(s), _) => Some(Change::Put {
            ident: planned.ident.clone(),
            kind: s.kind,
            content_id: s.content_id,
            expected: expected(&planned.target),
            metadata_location: s.metadata_location.clone(),
            location: s.location.clone(),
            metadata: None,
        }),
    }
}

fn require_branch(target: &Reference) -> Result<()> {
    match target.kind {
        RefKind::Branch => Ok(()),
        RefKind::Tag => Err(Error::invalid(format!(
            "'{}' is a tag; only branches can be merged into",
            target.name
        ))),
    }
}

pub(crate) fn merge_resource(handle: &CatalogHandle, id: MergeId) -> String {
    format!("catalog/{}/merge/{id}", handle.catalog.name)
}
