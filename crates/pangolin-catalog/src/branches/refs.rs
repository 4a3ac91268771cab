//! Branches and tags.

use std::collections::HashSet;

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, RefKind, Reference};
use pangolin_core::{
    CommitId, Error, Kind, Name, Page, PageRequest, Properties, Result, TableIdent,
};
use pangolin_store::NewRef;
use serde::{Deserialize, Serialize};

use super::access;
use crate::{CatalogHandle, Services};

/// Reference property: what a branch is for; it decides which action manages the branch.
pub const KIND_PROPERTY: &str = "pangolin.branch-kind";
/// Reference property: the branch a branch was created from, which `rebase` merges in.
pub const BASE_PROPERTY: &str = "pangolin.base";

/// Where a new reference starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The current head of a branch or tag.
    Ref(Name),
    /// A commit of the catalog.
    Commit(CommitId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BranchKind {
    /// Staging writes that are merged back after validation.
    Ingest,
    /// Free-form experiments.
    #[default]
    Experimental,
}

impl BranchKind {
    fn as_str(self) -> &'static str {
        match self {
            BranchKind::Ingest => "ingest",
            BranchKind::Experimental => "experimental",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewBranch {
    pub name: Name,
    /// `main` when not given.
    pub from: Option<Source>,
    pub kind: BranchKind,
    /// A partial branch carries only these tables and views.
    pub tables: Option<Vec<TableIdent>>,
}

impl Services {
    pub async fn create_branch(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        new: NewBranch,
    ) -> Result<Reference> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        access::require_on_catalog(ctx, &handle, new.kind.manage_action())?;
        let from = new.from.clone().unwrap_or_else(|| Source::Ref(main()));
        let (head, source_ref) = self.source_head(&handle, &from).await?;
        if let Some(tables) = &new.tables {
            self.check_tables_exist(&handle, head, tables).await?;
        }
        let mut properties = Properties::new();
        properties.insert(KIND_PROPERTY.into(), new.kind.as_str().into());
        if let Some(r) = source_ref.filter(|r| r.kind == RefKind::Branch) {
            properties.insert(BASE_PROPERTY.into(), r.name.to_string());
        }
        let audit = ctx
            .audit("branch.create", format!("catalog/{catalog}/branch/{}", new.name), AuditResult::Success)
            .with_summary(serde_json::json!({ "from": head.to_string(), "kind": new.kind.as_str(), "tables": new.tables }));
        let reference = NewRef {
            catalog_id: handle.catalog.id,
            name: new.name,
            kind: RefKind::Branch,
            from: head,
            scope: new.tables,
            properties,
            created_at: pangolin_core::now(),
        };
        let created = self.store().create_ref(&reference, &[audit]).await?;
        self.catalog_changed(handle.catalog.id);
        Ok(created)
    }

    pub async fn create_tag(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        name: Name,
        from: Option<Source>,
    ) -> Result<Reference> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        access::require_on_catalog(ctx, &handle, Action::ManageExperimentalBranches)?;
        let from = from.unwrap_or_else(|| Source::Ref(main()));
        let (head, _) = self.source_head(&handle, &from).await?;
        let audit = ctx
            .audit(
                "tag.create",
                format!("catalog/{catalog}/tag/{name}"),
                AuditResult::Success,
            )
            .with_summary(serde_json::json!({ "commit": head.to_string() }));
        let reference = NewRef {
            catalog_id: handle.catalog.id,
            name,
            kind: RefKind::Tag,
            from: head,
            scope: None,
            properties: Properties::new(),
            created_at: pangolin_core::now(),
        };
        let created = self.store().create_ref(&reference, &[audit]).await?;
        self.catalog_changed(handle.catalog.id);
        Ok(created)
    }

    /// Branches or tags of a catalog, ordered by name.
    pub async fn list_references(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        kind: RefKind,
        page: &PageRequest,
    ) -> Result<Page<Reference>> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        let all = self
            .store()
            .list_refs(handle.catalog.id, &PageRequest::all())
            .await?;
        let after = page.after_key();
        let rows: Vec<Reference> = all
            .items
            .into_iter()
            .filter(|r| {
                r.kind == kind && after.as_ref().is_none_or(|a| r.name.as_str() > a.as_str())
            })
            .take(page.fetch_limit().unwrap_or(usize::MAX))
            .collect();
        Ok(Page::from_rows(rows, page, |r| r.name.to_string()))
    }

    /// A branch or tag; one of the other kind is `NotFound`.
    pub async fn get_reference(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        name: &Name,
        kind: RefKind,
    ) -> Result<Reference> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        let reference = self.store().get_ref(handle.catalog.id, name).await?;
        if reference.kind != kind {
            return Err(Error::not_found(Kind::Reference, name));
        }
        Ok(reference)
    }

    /// Deletes a branch or tag (never `main`); its commits stay in the DAG.
    pub async fn delete_reference(
        &self,
        ctx: &RequestContext,
        catalog: &Name,
        name: &Name,
        kind: RefKind,
    ) -> Result<()> {
        let handle = self.managed_catalog(ctx, catalog).await?;
        let reference = self.get_reference(ctx, catalog, name, kind).await?;
        // `main` has no managing action; the store refuses to delete it for anyone.
        let action =
            access::manage_action(&reference).unwrap_or(Action::ManageExperimentalBranches);
        access::require_on_catalog(ctx, &handle, action)?;
        let action = format!("{}.delete", kind.as_str());
        let audit = ctx.audit(
            &action,
            format!("catalog/{catalog}/{}/{name}", kind.as_str()),
            AuditResult::Success,
        );
        self.store()
            .delete_ref(handle.catalog.id, name, &[audit])
            .await?;
        self.catalog_changed(handle.catalog.id);
        Ok(())
    }

    /// A partial branch may only name tables that exist where it starts.
    async fn check_tables_exist(
        &self,
        handle: &CatalogHandle,
        at: CommitId,
        tables: &[TableIdent],
    ) -> Result<()> {
        if tables.is_empty() {
            return Err(Error::invalid("a partial branch needs at least one table"));
        }
        let state = self.store().contents_at(handle.catalog.id, at).await?;
        let present: HashSet<&TableIdent> = state.iter().map(|c| &c.ident).collect();
        match tables.iter().find(|t| !present.contains(t)) {
            Some(missing) => Err(Error::invalid(format!(
                "{missing} does not exist where the branch starts"
            ))),
            None => Ok(()),
        }
    }
}

pub(crate) fn main() -> Name {
    Name::new(pangolin_core::model::MAIN_BRANCH).expect("'main' is a valid name")
}
