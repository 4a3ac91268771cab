use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::Catalog;
use pangolin_core::{CatalogId, Error, Kind, Name, Page, PageRequest, Result, TenantId};
use pangolin_store::CatalogStore;
use sqlx::PgConnection;

use super::PostgresStore;
use super::audit::insert_audit;
use super::history::insert_commit;
use super::refs::insert_ref;
use super::row::{id, opt_id, ts};
use super::tenants::tenant_exists;
use crate::common::error::{DbResultExt, Violation};
use crate::common::plan::initial_history;
use crate::common::{after_key, decode, fetch_limit, to_json};

/// A local catalog's warehouse must exist in the catalog's tenant.
async fn check_warehouse(conn: &mut PgConnection, c: &Catalog) -> Result<()> {
    let Some(wid) = c.kind.warehouse_id() else {
        return Ok(());
    };
    let found: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM warehouses WHERE id = $1 AND tenant_id = $2)",
    )
    .bind(id(wid))
    .bind(id(c.tenant_id))
    .fetch_one(conn)
    .await
    .db()?;
    if found {
        Ok(())
    } else {
        Err(Error::not_found(Kind::Warehouse, wid))
    }
}

/// What a constraint violation on a catalog write means.
fn catalog_violation(c: &Catalog, v: Violation) -> Error {
    match (v, c.kind.warehouse_id()) {
        (Violation::Unique, _) => Error::already_exists(Kind::Catalog, &c.name),
        (Violation::ForeignKey, Some(wid)) => Error::not_found(Kind::Warehouse, wid),
        (Violation::ForeignKey, None) => Error::not_found(Kind::Tenant, c.tenant_id),
    }
}

#[async_trait]
impl CatalogStore for PostgresStore {
    async fn create_catalog(&self, c: &Catalog, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.begin().await?;
        if !tenant_exists(&mut tx, c.tenant_id).await? {
            return Err(Error::not_found(Kind::Tenant, c.tenant_id));
        }
        check_warehouse(&mut tx, c).await?;
        sqlx::query(
            "INSERT INTO catalogs
                 (id, tenant_id, name, kind, warehouse_id, properties, created_at, updated_at)
             VALUES ($1, $2, $3, $4::json, $5, $6::json, $7, $8)",
        )
        .bind(id(c.id))
        .bind(id(c.tenant_id))
        .bind(c.name.as_str())
        .bind(to_json(&c.kind)?)
        .bind(opt_id(c.kind.warehouse_id()))
        .bind(to_json(&c.properties)?)
        .bind(ts(c.created_at))
        .bind(ts(c.updated_at))
        .execute(&mut *tx)
        .await
        .on_violation(|v| catalog_violation(c, v))?;
        let (root, main) = initial_history(c)?;
        insert_commit(&mut tx, &root).await?;
        insert_ref(&mut tx, &main).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_catalog(&self, tenant: TenantId, cid: CatalogId) -> Result<Catalog> {
        let row = sqlx::query("SELECT * FROM catalogs WHERE id = $1 AND tenant_id = $2")
            .bind(id(cid))
            .bind(id(tenant))
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Catalog, cid))?;
        decode::catalog(&row)
    }

    async fn get_catalog_by_name(&self, tenant: TenantId, name: &Name) -> Result<Catalog> {
        let row = sqlx::query("SELECT * FROM catalogs WHERE tenant_id = $1 AND name = $2")
            .bind(id(tenant))
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Catalog, name))?;
        decode::catalog(&row)
    }

    async fn list_catalogs(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Catalog>> {
        let rows = sqlx::query(
            "SELECT * FROM catalogs WHERE tenant_id = $1 AND name > $2 ORDER BY name LIMIT $3",
        )
        .bind(id(tenant))
        .bind(after_key(page))
        .bind(fetch_limit(page))
        .fetch_all(&self.pool)
        .await
        .db()?;
        let catalogs = decode::all(&rows, decode::catalog)?;
        Ok(Page::from_rows(catalogs, page, |c| c.name.to_string()))
    }

    async fn update_catalog(&self, c: &Catalog, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.begin().await?;
        let found: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM catalogs WHERE id = $1 AND tenant_id = $2)",
        )
        .bind(id(c.id))
        .bind(id(c.tenant_id))
        .fetch_one(&mut *tx)
        .await
        .db()?;
        if !found {
            return Err(Error::not_found(Kind::Catalog, c.id));
        }
        check_warehouse(&mut tx, c).await?;
        sqlx::query(
            "UPDATE catalogs SET name = $2, kind = $3::json, warehouse_id = $4, properties = $5::json,
                 updated_at = $6
             WHERE id = $1",
        )
        .bind(id(c.id))
        .bind(c.name.as_str())
        .bind(to_json(&c.kind)?)
        .bind(opt_id(c.kind.warehouse_id()))
        .bind(to_json(&c.properties)?)
        .bind(ts(c.updated_at))
        .execute(&mut *tx)
        .await
        .on_violation(|v| catalog_violation(c, v))?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn delete_catalog(
        &self,
        tenant: TenantId,
        cid: CatalogId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM catalogs WHERE id = $1 AND tenant_id = $2")
                .bind(id(cid))
                .bind(id(tenant))
                .fetch_optional(&mut *tx)
                .await
                .db()?;
        let name = name.ok_or_else(|| Error::not_found(Kind::Catalog, cid))?;
        let busy = || Error::not_empty(Kind::Catalog, &name, "it still has namespaces");
        let has_namespaces: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM namespaces WHERE catalog_id = $1)")
                .bind(id(cid))
                .fetch_one(&mut *tx)
                .await
                .db()?;
        if has_namespaces {
            return Err(busy());
        }
        // Children first: contents cannot exist without namespaces, refs point at commits.
        for sql in [
            "DELETE FROM metadata_blobs WHERE catalog_id = $1",
            "DELETE FROM refs WHERE catalog_id = $1",
            "DELETE FROM commit_operations
             WHERE commit_id IN (SELECT id FROM commits WHERE catalog_id = $1)",
            "DELETE FROM commits WHERE catalog_id = $1",
            "DELETE FROM catalogs WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(id(cid))
                .execute(&mut *tx)
                .await
                .on_violation(|_| busy())?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }
}
