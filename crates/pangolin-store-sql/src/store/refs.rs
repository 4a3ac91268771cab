use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Commit, Content, MAIN_BRANCH, Reference};
use pangolin_core::{CatalogId, CommitId, Error, Kind, Name, Page, PageRequest, Result};
use pangolin_store::{NewRef, RefStore};

use super::dag::merge_base;
use super::history::{commit_exists, contents_at, first_parent_chain, load_commit};
use super::namespaces::catalog_exists;
use super::{Access, SqlStore};
use crate::common::decode::{self, RowExt};
use crate::common::dialect::{Dialect, Stmt, for_update};
use crate::common::error::DbResultExt;
use crate::common::state::{in_scope, missing_namespace, namespaces_of};
use crate::common::{after_key, row_limit, to_json, to_opt_json};

pub(super) async fn insert_ref<DB: Dialect>(
    conn: &mut DB::Connection,
    r: &Reference,
) -> Result<()> {
    DB::stmt(
        "INSERT INTO refs
             (catalog_id, name, kind, head, scope, properties, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .id(r.catalog_id)
    .text(r.name.as_str())
    .text(r.kind.as_str())
    .id(r.head)
    .opt_json(to_opt_json(r.scope.as_ref())?.as_deref())
    .json(&to_json(&r.properties)?)
    .ts(r.created_at)
    .ts(r.updated_at)
    .execute(conn)
    .await
    .on_violation(|_| Error::already_exists(Kind::Reference, &r.name))
    .map(drop)
}

#[async_trait]
impl<DB: Dialect> RefStore for SqlStore<DB> {
    async fn create_ref(&self, new: &NewRef, audit: &[AuditEvent]) -> Result<Reference> {
        let mut tx = self.write().await?;
        let cid = new.catalog_id;
        if !catalog_exists::<DB>(&mut tx, cid).await? {
            return Err(Error::not_found(Kind::Catalog, cid));
        }
        if !commit_exists::<DB>(&mut tx, cid, new.from).await? {
            return Err(Error::not_found(Kind::Commit, new.from));
        }
        let state = in_scope(
            contents_at::<DB>(&mut tx, cid, new.from).await?,
            new.scope.as_deref(),
        );
        let reference = Reference {
            catalog_id: cid,
            name: new.name.clone(),
            kind: new.kind,
            head: new.from,
            scope: new.scope.clone(),
            properties: new.properties.clone(),
            created_at: new.created_at,
            updated_at: new.created_at,
        };
        insert_ref::<DB>(&mut tx, &reference).await?;
        // Namespaces are not versioned: one dropped since `from` cannot hold the copy.
        let wanted = namespaces_of(&state);
        let found = DB::existing_namespaces(&mut tx, cid, &wanted).await?;
        if let Some(ns) = missing_namespace(&wanted, &found) {
            return Err(Error::not_found(Kind::Namespace, ns));
        }
        DB::copy_contents(&mut tx, cid, new.name.as_str(), &state).await?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()?;
        Ok(reference)
    }

    async fn get_ref(&self, catalog: CatalogId, name: &Name) -> Result<Reference> {
        let row = DB::stmt("SELECT * FROM refs WHERE catalog_id = $1 AND name = $2")
            .id(catalog)
            .text(name.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Reference, name))?;
        decode::reference(&row)
    }

    async fn list_refs(&self, catalog: CatalogId, page: &PageRequest) -> Result<Page<Reference>> {
        let rows = DB::stmt(
            "SELECT * FROM refs WHERE catalog_id = $1 AND name > $2 ORDER BY name LIMIT $3",
        )
        .id(catalog)
        .text(&after_key(page))
        .int(row_limit(page))
        .fetch_all(&mut *self.conn().await?)
        .await
        .db()?;
        let refs = decode::all(&rows, decode::reference)?;
        Ok(Page::from_rows(refs, page, |r| r.name.to_string()))
    }

    async fn delete_ref(
        &self,
        catalog: CatalogId,
        name: &Name,
        audit: &[AuditEvent],
    ) -> Result<()> {
        if name.as_str() == MAIN_BRANCH {
            return Err(Error::invalid("the main branch cannot be deleted"));
        }
        let mut tx = self.write().await?;
        // The reference row first, in the lock order of `commit`: a commit in flight finishes
        // before its branch goes, and no deadlock forms over the content rows.
        let found = DB::stmt(for_update!(
            DB,
            "SELECT name FROM refs WHERE catalog_id = $1 AND name = $2"
        ))
        .id(catalog)
        .text(name.as_str())
        .fetch_optional(&mut tx)
        .await
        .db()?;
        if found.is_none() {
            return Err(Error::not_found(Kind::Reference, name));
        }
        // The commits stay in the DAG; the stored metadata only this reference pointed at goes.
        let released = DB::stmt(
            "DELETE FROM contents WHERE catalog_id = $1 AND ref_name = $2
             RETURNING metadata_location",
        )
        .id(catalog)
        .text(name.as_str())
        .fetch_all(&mut tx)
        .await
        .db()?;
        let mut released = decode::all(&released, |r| r.text("metadata_location"))?;
        released.sort();
        released.dedup();
        DB::stmt("DELETE FROM refs WHERE catalog_id = $1 AND name = $2")
            .id(catalog)
            .text(name.as_str())
            .execute(&mut tx)
            .await
            .db()?;
        DB::release_metadata(&mut tx, catalog, &released).await?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_commit(&self, catalog: CatalogId, commit: CommitId) -> Result<Commit> {
        load_commit::<DB>(&mut *self.conn().await?, catalog, commit).await
    }

    async fn list_commits(
        &self,
        catalog: CatalogId,
        from: CommitId,
        page: &PageRequest,
    ) -> Result<Page<Commit>> {
        let mut conn = self.conn().await?;
        if !commit_exists::<DB>(&mut conn, catalog, from).await? {
            return Err(Error::not_found(Kind::Commit, from));
        }
        let start = match page.after_key() {
            None => Some(from),
            // The next page starts at the first parent of the last commit returned.
            Some(key) => {
                let after: CommitId = key.parse()?;
                let row = DB::stmt("SELECT parent FROM commits WHERE id = $1 AND catalog_id = $2")
                    .id(after)
                    .id(catalog)
                    .fetch_optional(&mut conn)
                    .await
                    .db()?;
                let row = row.ok_or_else(|| Error::not_found(Kind::Commit, after))?;
                row.opt_uuid("parent")?.map(CommitId::from_uuid)
            }
        };
        let commits = match start {
            Some(start) => {
                first_parent_chain::<DB>(&mut conn, catalog, start, row_limit(page)).await?
            }
            None => Vec::new(),
        };
        Ok(Page::from_rows(commits, page, |c| c.id.to_string()))
    }

    async fn merge_base(
        &self,
        catalog: CatalogId,
        a: CommitId,
        b: CommitId,
    ) -> Result<Option<CommitId>> {
        let mut conn = self.conn().await?;
        for id in [a, b] {
            if !commit_exists::<DB>(&mut conn, catalog, id).await? {
                return Err(Error::not_found(Kind::Commit, id));
            }
        }
        merge_base::<DB>(&mut conn, catalog, a, b).await
    }

    async fn contents_at(&self, catalog: CatalogId, at: CommitId) -> Result<Vec<Content>> {
        let mut conn = self.conn().await?;
        if !commit_exists::<DB>(&mut conn, catalog, at).await? {
            return Err(Error::not_found(Kind::Commit, at));
        }
        contents_at::<DB>(&mut conn, catalog, at).await
    }
}
