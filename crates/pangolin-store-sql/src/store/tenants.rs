use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Tenant, Warehouse};
use pangolin_core::{Error, Kind, Name, Page, PageRequest, Result, TenantId, WarehouseId};
use pangolin_store::{TenantStore, WarehouseStore};

use super::{Access, SqlStore, forget};
use crate::common::decode::RowExt;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::{DbResultExt, Violation};
use crate::common::{after_key, decode, row_limit, to_json, to_opt_json};

pub(super) async fn tenant_exists<DB: Dialect>(
    conn: &mut DB::Connection,
    tenant: TenantId,
) -> Result<bool> {
    DB::stmt("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1)")
        .id(tenant)
        .exists(conn)
        .await
        .db()
}

#[async_trait]
impl<DB: Dialect> TenantStore for SqlStore<DB> {
    async fn create_tenant(&self, t: &Tenant, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        DB::stmt(
            "INSERT INTO tenants (id, name, properties, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .id(t.id)
        .text(t.name.as_str())
        .json(&to_json(&t.properties)?)
        .ts(t.created_at)
        .ts(t.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|_| Error::already_exists(Kind::Tenant, &t.name))?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_tenant(&self, tid: TenantId) -> Result<Tenant> {
        let row = DB::stmt("SELECT * FROM tenants WHERE id = $1")
            .id(tid)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Tenant, tid))?;
        decode::tenant(&row)
    }

    async fn get_tenant_by_name(&self, name: &Name) -> Result<Tenant> {
        let row = DB::stmt("SELECT * FROM tenants WHERE name = $1")
            .text(name.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Tenant, name))?;
        decode::tenant(&row)
    }

    async fn list_tenants(&self, page: &PageRequest) -> Result<Page<Tenant>> {
        let rows = DB::stmt("SELECT * FROM tenants WHERE name > $1 ORDER BY name LIMIT $2")
            .text(&after_key(page))
            .int(row_limit(page))
            .fetch_all(&mut *self.conn().await?)
            .await
            .db()?;
        let tenants = decode::all(&rows, decode::tenant)?;
        Ok(Page::from_rows(tenants, page, |t| t.name.to_string()))
    }

    async fn update_tenant(&self, t: &Tenant, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let changed = DB::stmt(
            "UPDATE tenants SET name = $2, properties = $3, updated_at = $4 WHERE id = $1",
        )
        .id(t.id)
        .text(t.name.as_str())
        .json(&to_json(&t.properties)?)
        .ts(t.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|_| Error::already_exists(Kind::Tenant, &t.name))?;
        if changed == 0 {
            return Err(Error::not_found(Kind::Tenant, t.id));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn delete_tenant(&self, tid: TenantId, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let row = DB::stmt("SELECT name FROM tenants WHERE id = $1")
            .id(tid)
            .fetch_optional(&mut tx)
            .await
            .db()?;
        let name = row
            .ok_or_else(|| Error::not_found(Kind::Tenant, tid))?
            .name("name")?;
        let busy = || Error::not_empty(Kind::Tenant, &name, "it still owns warehouses or catalogs");
        let owns = DB::stmt(
            "SELECT EXISTS (SELECT 1 FROM warehouses WHERE tenant_id = $1)
                 OR EXISTS (SELECT 1 FROM catalogs WHERE tenant_id = $1)",
        )
        .id(tid)
        .exists(&mut tx)
        .await
        .db()?;
        if owns {
            return Err(busy());
        }
        forget::tenant::<DB>(&mut tx, tid).await?;
        // The foreign keys refuse the delete if something was added since the check.
        let deleted = DB::stmt("DELETE FROM tenants WHERE id = $1")
            .id(tid)
            .execute(&mut tx)
            .await
            .on_violation(|_| busy())?;
        // Gone since the check: a concurrent delete won.
        if deleted == 0 {
            return Err(Error::not_found(Kind::Tenant, tid));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }
}

#[async_trait]
impl<DB: Dialect> WarehouseStore for SqlStore<DB> {
    async fn create_warehouse(&self, w: &Warehouse, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        if !tenant_exists::<DB>(&mut tx, w.tenant_id).await? {
            return Err(Error::not_found(Kind::Tenant, w.tenant_id));
        }
        DB::stmt(
            "INSERT INTO warehouses
                 (id, tenant_id, name, storage, secret, properties, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .id(w.id)
        .id(w.tenant_id)
        .text(w.name.as_str())
        .json(&to_json(&w.storage)?)
        .opt_json(to_opt_json(w.secret.as_ref())?.as_deref())
        .json(&to_json(&w.properties)?)
        .ts(w.created_at)
        .ts(w.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|v| match v {
            Violation::Unique => Error::already_exists(Kind::Warehouse, &w.name),
            // The tenant was checked: only one deleted since can be missing.
            Violation::ForeignKey => Error::not_found(Kind::Tenant, w.tenant_id),
        })?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_warehouse(&self, tenant: TenantId, wid: WarehouseId) -> Result<Warehouse> {
        let row = DB::stmt("SELECT * FROM warehouses WHERE id = $1 AND tenant_id = $2")
            .id(wid)
            .id(tenant)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Warehouse, wid))?;
        decode::warehouse(&row)
    }

    async fn get_warehouse_by_name(&self, tenant: TenantId, name: &Name) -> Result<Warehouse> {
        let row = DB::stmt("SELECT * FROM warehouses WHERE tenant_id = $1 AND name = $2")
            .id(tenant)
            .text(name.as_str())
            .fetch_optional(&mut *self.conn().await?)
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
        let rows = DB::stmt(
            "SELECT * FROM warehouses WHERE tenant_id = $1 AND name > $2 ORDER BY name LIMIT $3",
        )
        .id(tenant)
        .text(&after_key(page))
        .int(row_limit(page))
        .fetch_all(&mut *self.conn().await?)
        .await
        .db()?;
        let warehouses = decode::all(&rows, decode::warehouse)?;
        Ok(Page::from_rows(warehouses, page, |w| w.name.to_string()))
    }

    async fn update_warehouse(&self, w: &Warehouse, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let changed = DB::stmt(
            "UPDATE warehouses SET name = $3, storage = $4, secret = $5, properties = $6,
                 updated_at = $7
             WHERE id = $1 AND tenant_id = $2",
        )
        .id(w.id)
        .id(w.tenant_id)
        .text(w.name.as_str())
        .json(&to_json(&w.storage)?)
        .opt_json(to_opt_json(w.secret.as_ref())?.as_deref())
        .json(&to_json(&w.properties)?)
        .ts(w.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|_| Error::already_exists(Kind::Warehouse, &w.name))?;
        if changed == 0 {
            return Err(Error::not_found(Kind::Warehouse, w.id));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn delete_warehouse(
        &self,
        tenant: TenantId,
        wid: WarehouseId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let row = DB::stmt("SELECT name FROM warehouses WHERE id = $1 AND tenant_id = $2")
            .id(wid)
            .id(tenant)
            .fetch_optional(&mut tx)
            .await
            .db()?;
        let name = row
            .ok_or_else(|| Error::not_found(Kind::Warehouse, wid))?
            .name("name")?;
        let busy = || Error::not_empty(Kind::Warehouse, &name, "a catalog still uses it");
        let used = DB::stmt("SELECT EXISTS (SELECT 1 FROM catalogs WHERE warehouse_id = $1)")
            .id(wid)
            .exists(&mut tx)
            .await
            .db()?;
        if used {
            return Err(busy());
        }
        DB::stmt("DELETE FROM grants WHERE warehouse_id = $1")
            .id(wid)
            .execute(&mut tx)
            .await
            .db()?;
        let deleted = DB::stmt("DELETE FROM warehouses WHERE id = $1")
            .id(wid)
            .execute(&mut tx)
            .await
            .on_violation(|_| busy())?;
        if deleted == 0 {
            return Err(Error::not_found(Kind::Warehouse, wid));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }
}
