//! The identity and access areas of the store: accounts, API keys, signing keys, revoked
//! tokens, roles, role assignments and grants. Every lookup is scoped to a tenant the way the
//! caller names it, and another tenant's object answers exactly like a missing one.

use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{
    ApiKey, Assignee, ExternalIdentity, Grant, Grantee, RevokedToken, Role, RoleAssignment, Scope,
    ServiceUser, SigningKey, User, Username,
};
use pangolin_core::{
    GrantId, Page, PageRequest, Result, RoleId, ServiceUserId, TenantId, Timestamp, UserId,
};

/// Human accounts. `tenant: None` addresses root accounts (which have no tenant).
#[async_trait]
pub trait UserStore: Send + Sync {
    /// `InvalidInput` when [`User::validate`] fails, `NotFound(Tenant)`,
    /// `AlreadyExists(User)` for an id in use, a name taken in the tenant (or among root
    /// accounts) or an external identity already linked to another account (in any tenant).
    async fn create_user(&self, user: &User, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(User)`, also when the user belongs to another tenant.
    async fn get_user(&self, tenant: Option<TenantId>, id: UserId) -> Result<User>;
    /// `NotFound(User)`.
    async fn get_user_by_name(&self, tenant: Option<TenantId>, name: &Username) -> Result<User>;
    /// The account linked to an external identity, in any tenant. `NotFound(User)`.
    async fn get_user_by_external(&self, identity: &ExternalIdentity) -> Result<User>;
    /// The tenant's accounts (root accounts when `None`), ordered by name.
    async fn list_users(&self, tenant: Option<TenantId>, page: &PageRequest) -> Result<Page<User>>;
    /// Replaces every field but `id`, `tenant_id` and `created_at` of the user `user.id` of
    /// tenant `user.tenant_id`. `NotFound(User)`, `AlreadyExists(User)` as for create,
    /// `InvalidInput` when [`User::validate`] fails.
    async fn update_user(&self, user: &User, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes the user with its role assignments and the grants given to it.
    /// `NotFound(User)`.
    async fn delete_user(
        &self,
        tenant: Option<TenantId>,
        id: UserId,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// How many root accounts exist (first-start bootstrap creates one when there is none).
    async fn count_root_users(&self) -> Result<u64>;
}

/// Service users and their API keys.
#[async_trait]
pub trait ServiceUserStore: Send + Sync {
    /// `InvalidInput` for tier root, `NotFound(Tenant)`, `AlreadyExists(ServiceUser)` for an
    /// id in use or a name taken in the tenant.
    async fn create_service_user(&self, user: &ServiceUser, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(ServiceUser)`, also for another tenant's.
    async fn get_service_user(&self, tenant: TenantId, id: ServiceUserId) -> Result<ServiceUser>;
    /// Ordered by name.
    async fn list_service_users(
        &self,
        tenant: TenantId,
        page: &PageRequest,
    ) -> Result<Page<ServiceUser>>;
    /// Replaces name, description, tier, disabled and `updated_at`.
    /// `NotFound(ServiceUser)`, `AlreadyExists(ServiceUser)`, `InvalidInput` for tier root.
    async fn update_service_user(&self, user: &ServiceUser, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes the service user with its API keys, role assignments and grants.
    /// `NotFound(ServiceUser)`.
    async fn delete_service_user(
        &self,
        tenant: TenantId,
        id: ServiceUserId,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// `NotFound(ServiceUser)` when `key.service_user_id` is not a service user of
    /// `key.tenant_id`; `AlreadyExists(ApiKey)` for a key id in use anywhere.
    async fn create_api_key(&self, key: &ApiKey, audit: &[AuditEvent]) -> Result<()>;
    /// The request path's lookup: the key with this id and its service user, in one indexed
    /// read, whatever the tenant (the key id is all a request names; the caller checks the
    /// secret, the expiry, revocation and `disabled`). `NotFound(ApiKey)`.
    async fn get_api_key(&self, key_id: &str) -> Result<(ApiKey, ServiceUser)>;
    /// The service user's keys (revoked and expired included), ordered by key id.
    /// `NotFound(ServiceUser)`.
    async fn list_api_keys(
        &self,
        tenant: TenantId,
        service_user: ServiceUserId,
        page: &PageRequest,
    ) -> Result<Page<ApiKey>>;
    /// Marks the key revoked at `at` (a key already revoked keeps its first time).
    /// `NotFound(ApiKey)`, also for another tenant's key.
    async fn revoke_api_key(
        &self,
        tenant: TenantId,
        key_id: &str,
        at: Timestamp,
        audit: &[AuditEvent],
    ) -> Result<ApiKey>;
}

/// The server's token signing keys and the revocation list.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// `AlreadyExists(SigningKey)` for a `kid` in use.
    async fn create_signing_key(&self, key: &SigningKey, audit: &[AuditEvent]) -> Result<()>;
    /// Every key, ordered by `created_at`, then `kid`.
    async fn list_signing_keys(&self) -> Result<Vec<SigningKey>>;
    /// Replaces `retired_at` and `expires_at` of key `key.kid`. `NotFound(SigningKey)`.
    async fn update_signing_key(&self, key: &SigningKey, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(SigningKey)`.
    async fn delete_signing_key(&self, kid: &str, audit: &[AuditEvent]) -> Result<()>;
    /// Records a revocation; revoking a `jti` again keeps the first record (and succeeds).
    async fn revoke_token(&self, token: &RevokedToken, audit: &[AuditEvent]) -> Result<()>;
    /// Revocations with `revoked_at >= since` (all when `None`) whose token has not expired
    /// at `now` (`expires_at > now`), ordered by `revoked_at`, then `jti`.
    async fn list_revoked_tokens(
        &self,
        since: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Vec<RevokedToken>>;
    /// Forgets the revocations of tokens expired at `now` (`expires_at <= now`: exactly those
    /// [`KeyStore::list_revoked_tokens`] no longer shows); returns how many.
    async fn purge_revoked_tokens(&self, now: Timestamp) -> Result<u64>;
}

/// Which grants to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantFilter {
    pub grantee: Option<Grantee>,
    /// Grants on exactly this scope.
    pub scope: Option<Scope>,
}

/// Roles, role assignments and grants.
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// `NotFound(Tenant)`, `AlreadyExists(Role)` for an id in use or a name taken in the
    /// tenant.
    async fn create_role(&self, role: &Role, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(Role)`, also for another tenant's.
    async fn get_role(&self, tenant: TenantId, id: RoleId) -> Result<Role>;
    /// Ordered by name.
    async fn list_roles(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Role>>;
    /// Replaces name, description and `updated_at`. `NotFound(Role)`, `AlreadyExists(Role)`.
    async fn update_role(&self, role: &Role, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes the role with its assignments and grants. `NotFound(Role)`.
    async fn delete_role(&self, tenant: TenantId, id: RoleId, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(Role)`; `NotFound(User)` / `NotFound(ServiceUser)` when the assignee is not
    /// an account of the same tenant; `InvalidInput` for a bad group name. Assigning again
    /// is a no-op (the first record stays).
    async fn assign_role(&self, assignment: &RoleAssignment, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(Role)` when the role or the assignment does not exist.
    async fn unassign_role(
        &self,
        tenant: TenantId,
        role: RoleId,
        assignee: &Assignee,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// Assignments of the tenant, only of `role` / to `assignee` when given, ordered by
    /// role id, then assignee.
    async fn list_assignments(
        &self,
        tenant: TenantId,
        role: Option<RoleId>,
        assignee: Option<&Assignee>,
    ) -> Result<Vec<RoleAssignment>>;
    /// `NotFound(User|ServiceUser|Role)` when the grantee is not of `grant.tenant_id`;
    /// `NotFound(Warehouse|Catalog)` when the scope names a warehouse or catalog (also
    /// through a namespace, table or view) that is not of `grant.tenant_id` — so deleting a
    /// warehouse or catalog reliably takes every grant on it along; `AlreadyExists(Grant)`
    /// for an id in use or when the grantee already holds this action on this scope (equal
    /// [`Scope::key`]). The namespace, table or view a scope names need not exist: such
    /// grants outlive a drop of it (content ids are never reused), not their catalog.
    async fn create_grant(&self, grant: &Grant, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(Grant)`, also for another tenant's.
    async fn get_grant(&self, tenant: TenantId, id: GrantId) -> Result<Grant>;
    /// `NotFound(Grant)`.
    async fn delete_grant(&self, tenant: TenantId, id: GrantId, audit: &[AuditEvent])
    -> Result<()>;
    /// Ordered by id (the page cursor is the last id returned). `InvalidInput` for a page
    /// token whose key is not a grant id.
    async fn list_grants(
        &self,
        tenant: TenantId,
        filter: &GrantFilter,
        page: &PageRequest,
    ) -> Result<Page<Grant>>;
    /// Every grant that applies to `principal` (a user or service user of `tenant`): given
    /// to it directly, or to a role assigned to it or to one of `groups` (assignments of
    /// `tenant` only). One read; ordered by id, each grant once. An unknown principal has
    /// none; `InvalidInput` for a role (roles hold grants, they do not act).
    async fn effective_grants(
        &self,
        tenant: TenantId,
        principal: &Grantee,
        groups: &[String],
    ) -> Result<Vec<Grant>>;
}
