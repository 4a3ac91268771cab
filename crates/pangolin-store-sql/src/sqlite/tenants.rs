use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Tenant, Warehouse};
use pangolin_core::{Error, Kind, Name, Page, PageRequest, Result, TenantId, WarehouseId};
use pangolin_store::{TenantStore, WarehouseStore};
use sqlx::SqliteConnection;

use super::audit::insert_audit;
use super::row::{id, ts};
use super::{SqliteStore, limit};
use crate::common::error::DbResultExt;
use crate::common::{after_key, decode, to_json, to_opt_json};

pub(super) async fn tenant_exists(conn: &mut SqliteConnection, tenant: TenantId) -> Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1)")
        .bind(id(tenant))
        .fetch_one(conn)
        .await
        .db()
}

#[async_trait]
impl TenantStore for SqliteStore {
    async fn create_tenant(&self, t: &Tenant, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO tenants (id, name, properties, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id(t.id))
        .bind(t.name.as_str())
        .bind(to_json(&t.properties)?)
        .bind(ts(t.created_at))
        .bind(ts(t.updated_at))
        .execute(&mut *tx)
        .await
        .on_violation(|_| Error::already_exists(Kind::Tenant, &t.name))?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_tenant(&self, tid: TenantId) -> Result<Tenant> {
        let row = sqlx::query("SELECT * FROM tenants WHERE id = $1")
            .bind(id(tid))
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Tenant, tid))?;
        decode::tenant(&row)
    }

    async fn get_tenant_by_name(&self, name: &Name) -> Result<Tenant> {
        let row = sqlx::query("SELECT * FROM tenants WHERE name = $1")
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Tenant, name))?;
        decode::tenant(&row)
    }

    async fn list_tenants(&self, page: &PageRequest) -> Result<Page<Tenant>> {
        let rows = sqlx::query("SELECT * FROM tenants WHERE name > $1 ORDER BY name LIMIT $2")
            .bind(after_key(page))
            .bind(limit(page))
            .fetch_all(&self.pool)
            .await
            .db()?;
        let tenants = decode::all(&rows, decode::tenant)?;
        Ok(Page::from_rows(tenants, page, |t| t.name.to_string()))
    }

    async fn update_tenant(&self, t: &Tenant, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE tenants SET name = $2, properties = $3, updated_at = $4 WHERE id = $1",
        )
        .bind(id(t.id))
        .bind(t.name.as_str())
        .bind(to_json(&t.properties)?)
        .bind(ts(t.updated_at))
        .execute(&mut *tx)
        .await
        .on_violation(|_| Error::already_exists(Kind::Tenant, &t.name))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(Kind::Tenant, t.id));
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn delete_tenant(&self, tid: TenantId, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM tenants WHERE id = $1")
            .bind(id(tid))
            .fetch_optional(&mut *tx)
            .await
            .db()?;
        let name = name.ok_or_else(|| Error::not_found(Kind::Tenant, tid))?;
        let busy = || Error::not_empty(Kind::Tenant, &name, "it still owns warehouses or catalogs");
        let owns: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM warehouses WHERE tenant_id = $1)
                 OR EXISTS (SELECT 1 FROM catalogs WHERE tenant_id = $1)",
        )
        .bind(id(tid))
        .fetch_one(&mut *tx)
        .await
        .db()?;
        if owns {
            return Err(busy());
        }
        sqlx::query("DELETE FROM tenants WHERE id = $1")
            .bind(id(tid))
            .execute(&mut *tx)
            .await
            .on_violation(|_| busy())?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }
}

#[async_trait]
impl WarehouseStore for SqliteStore {
    async fn create_warehouse(&self, w: &Warehouse, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        if !tenant_exists(&mut tx, w.tenant_id).await? {
            return Err(Error::not_found(Kind::Tenant, w.tenant_id));
        }
        sqlx::query(
            "INSERT INTO warehouses
                 (id, tenant_id, name, storage, secret, properties, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id(w.id))
        .bind(id(w.tenant_id))
        .bind(w.name.as_str())
        .bind(to_json(&w.storage)?)
        .bind(to_opt_json(w.secret.as_ref())?)
        .bind(to_json(&w.properties)?)
        .bind(ts(w.created_at))
        .bind(ts(w.updated_at))
        .execute(&mut *tx)
        .await
        .on_violation(|_| Error::already_exists(Kind::Warehouse, &w.name))?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_warehouse(&self, tenant: TenantId, wid: WarehouseId) -> Result<Warehouse> {
        let row = sqlx::query("SELECT * FROM warehouses WHERE id = $1 AND tenant_id = $2")
            .bind(id(wid))
            .bind(id(tenant))
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Warehouse, wid))?;
        decode::warehouse(&row)
    }

    async fn get_warehouse_by_name(&self, tenant: TenantId, name: &Name) -> Result<Warehouse> {
        let row = sqlx::query("SELECT * FROM warehouses WHERE tenant_id = $1 AND name = $2")
            .bind(id(tenant))
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Warehouse, name))?;
        decode::warehouse(&row)
    }

    async fn list_warehouses(
        &self,
        tenant: TenantId,
        page: &PageRequest,
    ) -> Result<Page<Warehouse>> {
        let rows = sqlx::query(
            "SELECT * FROM warehouses WHERE tenant_id = $1 AND name > $2 ORDER BY name LIMIT $3",
        )
        .bind(id(tenant))
        .bind(after_key(page))
        .bind(limit(page))
        .fetch_all(&self.pool)
        .await
        .db()?;
        let warehouses = decode::all(&rows, decode::warehouse)?;
        Ok(Page::from_rows(warehouses, page, |w| w.name.to_string()))
    }

    async fn update_warehouse(&self, w: &Warehouse, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE warehouses SET name = $3, storage = $4, secret = $5, properties = $6,
                 updated_at = $7
             WHERE id = $1 AND tenant_id = $2",
        )
        .bind(id(w.id))
        .bind(id(w.tenant_id))
        .bind(w.name.as_str())
        .bind(to_json(&w.storage)?)
        .bind(to_opt_json(w.secret.as_ref())?)
        .bind(to_json(&w.properties)?)
        .bind(ts(w.updated_at))
        .execute(&mut *tx)
        .await
        .on_violation(|_| Error::already_exists(Kind::Warehouse, &w.name))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(Kind::Warehouse, w.id));
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn delete_warehouse(
        &self,
        tenant: TenantId,
        wid: WarehouseId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM warehouses WHERE id = $1 AND tenant_id = $2")
                .bind(id(wid))
                .bind(id(tenant))
                .fetch_optional(&mut *tx)
                .await
                .db()?;
        let name = name.ok_or_else(|| Error::not_found(Kind::Warehouse, wid))?;
        let busy = || Error::not_empty(Kind::Warehouse, &name, "a catalog still uses it");
        let used: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM catalogs WHERE warehouse_id = $1)")
                .bind(id(wid))
                .fetch_one(&mut *tx)
                .await
                .db()?;
        if used {
            return Err(busy());
        }
        sqlx::query("DELETE FROM warehouses WHERE id = $1")
            .bind(id(wid))
            .execute(&mut *tx)
            .await
            .on_violation(|_| busy())?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }
}
