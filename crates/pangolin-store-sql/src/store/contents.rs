use std::sync::Arc;

use async_trait::async_trait;
use pangolin_core::model::{Commit, Content, ContentKind};
use pangolin_core::{
    CatalogId, CommitId, ContentId, Error, Kind, Name, NamespaceIdent, Page, PageRequest, Result,
    TableIdent,
};
use pangolin_store::{CommitRequest, ContentStore};

use super::history::content_at;
use super::namespaces::namespace_exists;
use super::{Access, SqlStore};
use crate::common::decode::RowExt;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;
use crate::common::{after_key, decode, row_limit};

pub(super) async fn ref_exists<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    name: &Name,
) -> Result<bool> {
    DB::stmt("SELECT EXISTS (SELECT 1 FROM refs WHERE catalog_id = $1 AND name = $2)")
        .id(catalog)
        .text(name.as_str())
        .exists(conn)
        .await
        .db()
}

#[async_trait]
impl<DB: Dialect> ContentStore for SqlStore<DB> {
    async fn load_content(
        &self,
        catalog: CatalogId,
        reference: &Name,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content> {
        let mut conn = self.conn().await?;
        let row = DB::stmt(
            "SELECT * FROM contents
             WHERE catalog_id = $1 AND ref_name = $2 AND namespace = $3 AND name = $4",
        )
        .id(catalog)
        .text(reference.as_str())
        .text(&ident.namespace.encoded())
        .text(ident.name.as_str())
        .fetch_optional(&mut conn)
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
            // A content row implies its reference, so only a miss needs a second look.
            None if ref_exists::<DB>(&mut conn, catalog, reference).await? => Err(missing()),
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
        let mut conn = self.conn().await?;
        if !ref_exists::<DB>(&mut conn, catalog, reference).await? {
            return Err(Error::not_found(Kind::Reference, reference));
        }
        if !namespace_exists::<DB>(&mut conn, catalog, namespace).await? {
            return Err(Error::not_found(Kind::Namespace, namespace));
        }
        let rows = DB::stmt(
            "SELECT * FROM contents
             WHERE catalog_id = $1 AND ref_name = $2 AND namespace = $3 AND kind = $4
                 AND name > $5
             ORDER BY name LIMIT $6",
        )
        .id(catalog)
        .text(reference.as_str())
        .text(&namespace.encoded())
        .text(kind.as_str())
        .text(&after_key(page))
        .int(row_limit(page))
        .fetch_all(&mut conn)
        .await
        .db()?;
        let contents = decode::all(&rows, decode::keyed_content)?;
        Ok(Page::from_rows(contents, page, |c| {
            c.ident.name.to_string()
        }))
    }

    async fn load_metadata(&self, catalog: CatalogId, location: &str) -> Result<Arc<str>> {
        let row =
            DB::stmt("SELECT metadata FROM metadata_blobs WHERE catalog_id = $1 AND location = $2")
                .id(catalog)
                .text(location)
                .fetch_optional(&mut *self.conn().await?)
                .await
                .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Table, location))?;
        row.text("metadata").map(Arc::from)
    }

    async fn commit(&self, req: &CommitRequest) -> Result<Commit> {
        super::commit::commit(self, req).await
    }

    async fn metadata_in_use(&self, catalog: CatalogId, location: &str) -> Result<bool> {
        DB::stmt(
            "SELECT EXISTS (SELECT 1 FROM contents
                            WHERE catalog_id = $1 AND metadata_location = $2)",
        )
        .id(catalog)
        .text(location)
        .exists(&mut *self.conn().await?)
        .await
        .db()
    }

    async fn refs_holding(&self, catalog: CatalogId, content_id: ContentId) -> Result<Vec<Name>> {
        let rows = DB::stmt(
            "SELECT DISTINCT ref_name FROM contents WHERE catalog_id = $1 AND content_id = $2
             ORDER BY ref_name",
        )
        .id(catalog)
        .id(content_id)
        .fetch_all(&mut *self.conn().await?)
        .await
        .db()?;
        decode::all(&rows, |r| r.name("ref_name"))
    }

    async fn find_content(
        &self,
        catalog: CatalogId,
        reference: &Name,
        content_id: ContentId,
    ) -> Result<Option<Content>> {
        let mut conn = self.conn().await?;
        let row = DB::stmt(
            "SELECT * FROM contents
             WHERE catalog_id = $1 AND content_id = $2 AND ref_name = $3",
        )
        .id(catalog)
        .id(content_id)
        .text(reference.as_str())
        .fetch_optional(&mut conn)
        .await
        .db()?;
        match row {
            Some(row) => decode::keyed_content(&row).map(Some),
            None if ref_exists::<DB>(&mut conn, catalog, reference).await? => Ok(None),
            None => Err(Error::not_found(Kind::Reference, reference)),
        }
    }

    async fn content_at(
        &self,
        catalog: CatalogId,
        at: CommitId,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content> {
        let mut conn = self.conn().await?;
        content_at::<DB>(&mut conn, catalog, at, ident)
            .await?
            .filter(|c| c.kind == kind)
            .ok_or_else(|| Error::not_found(kind.error_kind(), ident))
    }
}
