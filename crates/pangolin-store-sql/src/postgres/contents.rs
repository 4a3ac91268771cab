use std::sync::Arc;

use async_trait::async_trait;
use pangolin_core::model::{Commit, Content, ContentKind};
use pangolin_core::{
    CatalogId, CommitId, Error, Kind, Name, NamespaceIdent, Page, PageRequest, Result, TableIdent,
};
use pangolin_store::{CommitRequest, ContentStore};
use sqlx::PgConnection;

use super::PostgresStore;
use super::history::{commit_exists, last_operation_on};
use super::namespaces::namespace_exists;
use super::row::id;
use crate::common::decode;
use crate::common::error::DbResultExt;
use crate::common::{after_key, fetch_limit};

pub(super) async fn ref_exists(
    conn: &mut PgConnection,
    catalog: CatalogId,
    name: &Name,
) -> Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM refs WHERE catalog_id = $1 AND name = $2)")
        .bind(id(catalog))
        .bind(name.as_str())
        .fetch_one(conn)
        .await
        .db()
}

#[async_trait]
impl ContentStore for PostgresStore {
    async fn load_content(
        &self,
        catalog: CatalogId,
        reference: &Name,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content> {
        let mut conn = self.pool.acquire().await.db()?;
        let row = sqlx::query(
            "SELECT * FROM contents
             WHERE catalog_id = $1 AND ref_name = $2 AND namespace = $3 AND name = $4",
        )
        .bind(id(catalog))
        .bind(reference.as_str())
        .bind(ident.namespace.encoded())
        .bind(ident.name.as_str())
        .fetch_optional(&mut *conn)
        .await
        .db()?;
        let missing = || Error::not_found(kind.error_kind(), ident);
        match row {
            Some(row) => {
                let content = decode::content(&row, ident.clone())?;
                if content.kind == kind {
                    Ok(content)
                } else {
                    Err(missing())
                }
            }
            // A content row implies its reference, so only a miss needs the second look.
            None if ref_exists(&mut conn, catalog, reference).await? => Err(missing()),
            None => Err(Error::not_found(Kind::Reference, reference)),
        }
    }

    async fn list_contents(
        &self,
        catalog: CatalogId,
        reference: &Name,
        namespace: &NamespaceIdent,
        kind: ContentKind,
        page: &PageRequest,
    ) -> Result<Page<Content>> {
        let mut conn = self.pool.acquire().await.db()?;
        if !ref_exists(&mut conn, catalog, reference).await? {
            return Err(Error::not_found(Kind::Reference, reference));
        }
        if !namespace_exists(&mut conn, catalog, namespace).await? {
            return Err(Error::not_found(Kind::Namespace, namespace));
        }
        let rows = sqlx::query(
            "SELECT * FROM contents
             WHERE catalog_id = $1 AND ref_name = $2 AND namespace = $3 AND kind = $4
                 AND name > $5
             ORDER BY name LIMIT $6",
        )
        .bind(id(catalog))
        .bind(reference.as_str())
        .bind(namespace.encoded())
        .bind(kind.as_str())
        .bind(after_key(page))
        .bind(fetch_limit(page))
        .fetch_all(&mut *conn)
        .await
        .db()?;
        let contents = decode::all(&rows, decode::keyed_content)?;
        Ok(Page::from_rows(contents, page, |c| {
            c.ident.name.to_string()
        }))
    }

    async fn load_metadata(&self, catalog: CatalogId, location: &str) -> Result<Arc<str>> {
        let body: Option<String> = sqlx::query_scalar(
            "SELECT metadata FROM metadata_blobs WHERE catalog_id = $1 AND location = $2",
        )
        .bind(id(catalog))
        .bind(location)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        body.map(Arc::from)
            .ok_or_else(|| Error::not_found(Kind::Table, location))
    }

    async fn commit(&self, req: &CommitRequest) -> Result<Commit> {
        super::commit::commit(self, req).await
    }

    async fn content_at(
        &self,
        catalog: CatalogId,
        at: CommitId,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content> {
        let mut conn = self.pool.acquire().await.db()?;
        let row = last_operation_on(&mut conn, catalog, at, ident).await?;
        let content = match &row {
            Some(row) => decode::put_content(row, ident)?,
            // No operation on the key: distinguish an empty history from a missing commit.
            None if !commit_exists(&mut conn, catalog, at).await? => {
                return Err(Error::not_found(Kind::Commit, at));
            }
            None => None,
        };
        content
            .filter(|c| c.kind == kind)
            .ok_or_else(|| Error::not_found(kind.error_kind(), ident))
    }
}
