use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Namespace, PropertiesUpdate};
use pangolin_core::{
    CatalogId, Error, Kind, NamespaceIdent, Page, PageRequest, Properties, Result,
};
use pangolin_store::NamespaceStore;
use sqlx::PgConnection;

use super::PostgresStore;
use super::audit::insert_audit;
use super::row::{id, ts};
use crate::common::decode::RowExt;
use crate::common::error::{DbResultExt, Violation};
use crate::common::plan::{apply_properties, check_disjoint};
use crate::common::{after_key, decode, fetch_limit, to_json};

pub(super) async fn namespace_exists(
    conn: &mut PgConnection,
    catalog: CatalogId,
    ns: &NamespaceIdent,
) -> Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM namespaces WHERE catalog_id = $1 AND path = $2)",
    )
    .bind(id(catalog))
    .bind(ns.encoded())
    .fetch_one(conn)
    .await
    .db()
}

pub(super) async fn catalog_exists(conn: &mut PgConnection, catalog: CatalogId) -> Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM catalogs WHERE id = $1)")
        .bind(id(catalog))
        .fetch_one(conn)
        .await
        .db()
}

async fn check_droppable(
    conn: &mut PgConnection,
    catalog: CatalogId,
    ident: &NamespaceIdent,
) -> Result<()> {
    let encoded = ident.encoded();
    let has_children: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM namespaces WHERE catalog_id = $1 AND parent_path = $2)",
    )
    .bind(id(catalog))
    .bind(&encoded)
    .fetch_one(&mut *conn)
    .await
    .db()?;
    if has_children {
        return Err(Error::not_empty(
            Kind::Namespace,
            ident,
            "it has child namespaces",
        ));
    }
    let has_contents: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM contents WHERE catalog_id = $1 AND namespace = $2)",
    )
    .bind(id(catalog))
    .bind(&encoded)
    .fetch_one(&mut *conn)
    .await
    .db()?;
    if has_contents {
        return Err(Error::not_empty(
            Kind::Namespace,
            ident,
            "it has tables or views",
        ));
    }
    Ok(())
}

#[async_trait]
impl NamespaceStore for PostgresStore {
    async fn create_namespace(&self, ns: &Namespace, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.begin().await?;
        let cid = ns.catalog_id;
        if !catalog_exists(&mut tx, cid).await? {
            return Err(Error::not_found(Kind::Catalog, cid));
        }
        let parent = ns.ident.parent();
        if let Some(p) = &parent
            && !namespace_exists(&mut tx, cid, p).await?
        {
            return Err(Error::not_found(Kind::Namespace, p));
        }
        sqlx::query(
            "INSERT INTO namespaces
                 (catalog_id, path, parent_path, id, properties, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5::json, $6, $7)",
        )
        .bind(id(cid))
        .bind(ns.ident.encoded())
        .bind(parent.as_ref().map(NamespaceIdent::encoded))
        .bind(id(ns.id))
        .bind(to_json(&ns.properties)?)
        .bind(ts(ns.created_at))
        .bind(ts(ns.updated_at))
        .execute(&mut *tx)
        .await
        .on_violation(|v| match (v, &parent) {
            (Violation::Unique, _) => Error::already_exists(Kind::Namespace, &ns.ident),
            (Violation::ForeignKey, Some(p)) => Error::not_found(Kind::Namespace, p),
            (Violation::ForeignKey, None) => Error::not_found(Kind::Catalog, cid),
        })?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_namespace(&self, catalog: CatalogId, ident: &NamespaceIdent) -> Result<Namespace> {
        let row = sqlx::query("SELECT * FROM namespaces WHERE catalog_id = $1 AND path = $2")
            .bind(id(catalog))
            .bind(ident.encoded())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Namespace, ident))?;
        decode::namespace(&row)
    }

    async fn list_namespaces(
        &self,
        catalog: CatalogId,
        parent: Option<&NamespaceIdent>,
        page: &PageRequest,
    ) -> Result<Page<Namespace>> {
        let mut conn = self.pool.acquire().await.db()?;
        if let Some(p) = parent
            && !namespace_exists(&mut conn, catalog, p).await?
        {
            return Err(Error::not_found(Kind::Namespace, p));
        }
        // Two statements rather than `IS NOT DISTINCT FROM`, so each is a plain index range.
        let sql = match parent {
            None => {
                "SELECT * FROM namespaces WHERE catalog_id = $1 AND parent_path IS NULL
                     AND path > $2 ORDER BY path LIMIT $3"
            }
            Some(_) => {
                "SELECT * FROM namespaces WHERE catalog_id = $1 AND parent_path = $4
                     AND path > $2 ORDER BY path LIMIT $3"
            }
        };
        let mut q = sqlx::query(sql)
            .bind(id(catalog))
            .bind(after_key(page))
            .bind(fetch_limit(page));
        if let Some(p) = parent {
            q = q.bind(p.encoded());
        }
        let rows = q.fetch_all(&mut *conn).await.db()?;
        let namespaces = decode::all(&rows, decode::namespace)?;
        Ok(Page::from_rows(namespaces, page, |ns| ns.ident.encoded()))
    }

    async fn update_namespace_properties(
        &self,
        catalog: CatalogId,
        ident: &NamespaceIdent,
        updates: &Properties,
        removals: &[String],
        audit: &[AuditEvent],
    ) -> Result<PropertiesUpdate> {
        check_disjoint(updates, removals)?;
        let mut tx = self.begin().await?;
        // Locked, so concurrent updates apply one after the other instead of losing one.
        let row = sqlx::query(
            "SELECT properties FROM namespaces WHERE catalog_id = $1 AND path = $2 FOR UPDATE",
        )
        .bind(id(catalog))
        .bind(ident.encoded())
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Namespace, ident))?;
        let mut properties: Properties = row.json("properties")?;
        let result = apply_properties(&mut properties, updates, removals);
        sqlx::query(
            "UPDATE namespaces SET properties = $3::json, updated_at = $4
             WHERE catalog_id = $1 AND path = $2",
        )
        .bind(id(catalog))
        .bind(ident.encoded())
        .bind(to_json(&properties)?)
        .bind(ts(pangolin_core::now()))
        .execute(&mut *tx)
        .await
        .db()?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()?;
        Ok(result)
    }

    async fn drop_namespace(
        &self,
        catalog: CatalogId,
        ident: &NamespaceIdent,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        if !namespace_exists(&mut tx, catalog, ident).await? {
            return Err(Error::not_found(Kind::Namespace, ident));
        }
        check_droppable(&mut tx, catalog, ident).await?;
        sqlx::query("DELETE FROM namespaces WHERE catalog_id = $1 AND path = $2")
            .bind(id(catalog))
            .bind(ident.encoded())
            .execute(&mut *tx)
            .await
            .on_violation(|_| {
                Error::not_empty(
                    Kind::Namespace,
                    ident,
                    "it has child namespaces, tables or views",
                )
            })?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }
}
