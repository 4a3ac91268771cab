//! What a delete takes along, in the deleting transaction: the assignments, grants and API
//! keys hanging on a deleted account, role or tenant. Each statement names the tenant, so it
//! runs on the indexes that lead with it.

use pangolin_core::{Result, RoleId, ServiceUserId, TenantId, UserId};

use crate::common::decode::DbId;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;

/// Runs each statement with the tenant as `$1` and `id` as `$2`.
async fn run_each<DB: Dialect>(
    conn: &mut DB::Connection,
    statements: &[&'static str],
    tenant: TenantId,
    id: impl DbId,
) -> Result<()> {
    for sql in statements {
        DB::stmt(sql)
            .id(tenant)
            .id(id)
            .execute(&mut *conn)
            .await
            .db()?;
    }
    Ok(())
}

pub(super) async fn user<DB: Dialect>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    id: UserId,
) -> Result<()> {
    let statements = [
        "DELETE FROM role_assignments WHERE tenant_id = $1 AND user_id = $2",
        "DELETE FROM grants WHERE tenant_id = $1 AND user_id = $2",
    ];
    run_each::<DB>(conn, &statements, tenant, id).await
}

pub(super) async fn service_user<DB: Dialect>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    id: ServiceUserId,
) -> Result<()> {
    let statements = [
        "DELETE FROM api_keys WHERE tenant_id = $1 AND service_user_id = $2",
        "DELETE FROM role_assignments WHERE tenant_id = $1 AND service_user_id = $2",
        "DELETE FROM grants WHERE tenant_id = $1 AND service_user_id = $2",
    ];
    run_each::<DB>(conn, &statements, tenant, id).await
}

pub(super) async fn role<DB: Dialect>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    id: RoleId,
) -> Result<()> {
    let statements = [
        "DELETE FROM role_assignments WHERE tenant_id = $1 AND role_id = $2",
        "DELETE FROM grants WHERE tenant_id = $1 AND role_id = $2",
    ];
    run_each::<DB>(conn, &statements, tenant, id).await
}

/// Everything of a tenant but its warehouses and catalogs (which a tenant delete refuses
/// to take along), children first.
pub(super) async fn tenant<DB: Dialect>(conn: &mut DB::Connection, tenant: TenantId) -> Result<()> {
    for sql in [
        "DELETE FROM grants WHERE tenant_id = $1",
        "DELETE FROM role_assignments WHERE tenant_id = $1",
        "DELETE FROM api_keys WHERE tenant_id = $1",
        "DELETE FROM roles WHERE tenant_id = $1",
        "DELETE FROM service_users WHERE tenant_id = $1",
        "DELETE FROM users WHERE tenant_id = $1",
    ] {
        DB::stmt(sql).id(tenant).execute(&mut *conn).await.db()?;
    }
    Ok(())
}
