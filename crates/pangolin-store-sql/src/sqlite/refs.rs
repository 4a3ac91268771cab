use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Commit, Content, MAIN_BRANCH, Reference};
use pangolin_core::{CatalogId, CommitId, Error, Kind, Name, Page, PageRequest, Result};
use pangolin_store::{NewRef, RefStore};
use sqlx::SqliteConnection;

use super::audit::insert_audit;
use super::commit::upsert_content;
use super::history::{commit_exists, first_parent_chain, load_commit, state_at};
use super::namespaces::{catalog_exists, namespace_exists};
use super::row::{id, ts};
use super::{SqliteStore, limit};
use crate::common::decode;
use crate::common::error::DbResultExt;
use crate::common::plan::{in_scope, namespaces_of};
use crate::common::{after_key, to_json, to_opt_json};

pub(super) async fn insert_ref(conn: &mut SqliteConnection, r: &Reference) -> Result<()> {
    sqlx::query(
        "INSERT INTO refs
             (catalog_id, name, kind, head, scope, properties, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id(r.catalog_id))
    .bind(r.name.as_str())
    .bind(r.kind.as_str())
    .bind(id(r.head))
    .bind(to_opt_json(r.scope.as_ref())?)
    .bind(to_json(&r.properties)?)
    .bind(ts(r.created_at))
    .bind(ts(r.updated_at))
    .execute(conn)
    .await
    .on_violation(|_| Error::already_exists(Kind::Reference, &r.name))
    .map(drop)
}

/// The catalog state at `from` (which exists). A whole-catalog reference whose head is `from`
/// already holds exactly that state, so it is copied instead of folding the history.
async fn contents_at(
    conn: &mut SqliteConnection,
    catalog: CatalogId,
    from: CommitId,
) -> Result<Vec<Content>> {
    let rows = sqlx::query(
        "SELECT r.name AS source, c.namespace, c.name, c.content_id, c.kind,
                c.metadata_location, c.last_commit_id, c.updated_at
         FROM (SELECT name FROM refs WHERE catalog_id = $1 AND head = $2 AND scope IS NULL
               ORDER BY name LIMIT 1) r
         LEFT JOIN contents c ON c.catalog_id = $1 AND c.ref_name = r.name
         ORDER BY c.namespace, c.name",
    )
    .bind(id(catalog))
    .bind(id(from))
    .fetch_all(&mut *conn)
    .await
    .db()?;
    if rows.is_empty() {
        return state_at(conn, catalog, from).await;
    }
    decode::outer_joined_contents(&rows)
}

#[async_trait]
impl RefStore for SqliteStore {
    async fn create_ref(&self, new: &NewRef, audit: &[AuditEvent]) -> Result<Reference> {
        let mut tx = self.write().await?;
        let cid = new.catalog_id;
        if !catalog_exists(&mut tx, cid).await? {
            return Err(Error::not_found(Kind::Catalog, cid));
        }
        if !commit_exists(&mut tx, cid, new.from).await? {
            return Err(Error::not_found(Kind::Commit, new.from));
        }
        let state = in_scope(
            contents_at(&mut tx, cid, new.from).await?,
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
        insert_ref(&mut tx, &reference).await?;
        // Namespaces are not versioned: one dropped since `from` cannot hold the copy.
        for ns in namespaces_of(&state) {
            if !namespace_exists(&mut tx, cid, &ns).await? {
                return Err(Error::not_found(Kind::Namespace, ns));
            }
        }
        for content in &state {
            upsert_content(&mut tx, cid, new.name.as_str(), content).await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()?;
        Ok(reference)
    }

    async fn get_ref(&self, catalog: CatalogId, name: &Name) -> Result<Reference> {
        let row = sqlx::query("SELECT * FROM refs WHERE catalog_id = $1 AND name = $2")
            .bind(id(catalog))
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Reference, name))?;
        decode::reference(&row)
    }

    async fn list_refs(&self, catalog: CatalogId, page: &PageRequest) -> Result<Page<Reference>> {
        let rows = sqlx::query(
            "SELECT * FROM refs WHERE catalog_id = $1 AND name > $2 ORDER BY name LIMIT $3",
        )
        .bind(id(catalog))
        .bind(after_key(page))
        .bind(limit(page))
        .fetch_all(&self.pool)
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
        // Contents first (they reference the ref row); the commits stay in the DAG and the
        // stored metadata stays with the catalog.
        sqlx::query("DELETE FROM contents WHERE catalog_id = $1 AND ref_name = $2")
            .bind(id(catalog))
            .bind(name.as_str())
            .execute(&mut *tx)
            .await
            .db()?;
        let done = sqlx::query("DELETE FROM refs WHERE catalog_id = $1 AND name = $2")
            .bind(id(catalog))
            .bind(name.as_str())
            .execute(&mut *tx)
            .await
            .db()?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(Kind::Reference, name));
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_commit(&self, catalog: CatalogId, commit: CommitId) -> Result<Commit> {
        let mut conn = self.pool.acquire().await.db()?;
        load_commit(&mut conn, catalog, commit).await
    }

    async fn list_commits(
        &self,
        catalog: CatalogId,
        from: CommitId,
        page: &PageRequest,
    ) -> Result<Page<Commit>> {
        let mut conn = self.pool.acquire().await.db()?;
        if !commit_exists(&mut conn, catalog, from).await? {
            return Err(Error::not_found(Kind::Commit, from));
        }
        let start = match page.after_key() {
            None => Some(from),
            Some(key) => {
                let after: CommitId = key.parse()?;
                let parent: Option<Option<String>> = sqlx::query_scalar(
                    "SELECT parent FROM commits WHERE id = $1 AND catalog_id = $2",
                )
                .bind(id(after))
                .bind(id(catalog))
                .fetch_optional(&mut *conn)
                .await
                .db()?;
                let parent = parent.ok_or_else(|| Error::not_found(Kind::Commit, after))?;
                parent.map(|p| p.parse()).transpose()?
            }
        };
        let commits = match start {
            Some(start) => first_parent_chain(&mut conn, catalog, start, limit(page)).await?,
            None => Vec::new(),
        };
        Ok(Page::from_rows(commits, page, |c| c.id.to_string()))
    }
}
