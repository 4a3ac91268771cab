//! Identity and access rows ↔ domain values, shared by both dialects: the decoders, and the
//! columns a grantee, an assignee or a scope is stored in (one nullable id column per kind,
//! so that the database checks each against its table).

use pangolin_core::model::{
    Action, ApiKey, Assignee, ExternalIdentity, Grant, Grantee, PasswordHash, RevokedToken, Role,
    RoleAssignment, Scope, ServiceUser, SigningKey, Tier, User, Username,
};
use pangolin_core::{CatalogId, RoleId, ServiceUserId, UserId, WarehouseId};
use pangolin_core::{Result, TenantId};

use crate::common::decode::{RowExt, bad, parse_enum};

fn tier(r: &impl RowExt) -> Result<Tier> {
    parse_enum("tier", r.text("tier")?, Tier::parse)
}

pub(crate) fn user(r: &impl RowExt) -> Result<User> {
    let issuer = r.opt_text("external_issuer")?;
    let subject = r.opt_text("external_subject")?;
    Ok(User {
        id: r.id("id")?,
        tenant_id: r.opt_uuid("tenant_id")?.map(TenantId::from_uuid),
        name: Username::new(r.text("name")?).map_err(|e| bad("name", e))?,
        tier: tier(r)?,
        email: r.opt_text("email")?,
        display_name: r.opt_text("display_name")?,
        password_hash: r.opt_text("password_hash")?.map(PasswordHash),
        external: issuer
            .zip(subject)
            .map(|(issuer, subject)| ExternalIdentity { issuer, subject }),
        disabled: r.bool("disabled")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) fn service_user(r: &impl RowExt) -> Result<ServiceUser> {
    Ok(ServiceUser {
        id: r.id("id")?,
        tenant_id: r.id("tenant_id")?,
        name: r.name("name")?,
        description: r.opt_text("description")?,
        tier: tier(r)?,
        disabled: r.bool("disabled")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// The columns of an API key as [`api_key`] reads them: renamed where a service user's
/// columns of the same name may sit in the same row.
macro_rules! api_key_columns {
    ($k:literal) => {
        concat!(
            $k,
            "key_id, ",
            $k,
            "service_user_id, ",
            $k,
            "name AS key_name, ",
            $k,
            "secret_sha256, ",
            $k,
            "created_at AS key_created_at, ",
            $k,
            "expires_at, ",
            $k,
            "revoked_at"
        )
    };
}
pub(crate) use api_key_columns;

/// An API key read with [`api_key_columns`] (and `tenant_id`).
pub(crate) fn api_key(r: &impl RowExt) -> Result<ApiKey> {
    Ok(ApiKey {
        key_id: r.text("key_id")?,
        tenant_id: r.id("tenant_id")?,
        service_user_id: r.id("service_user_id")?,
        name: r.opt_text("key_name")?,
        secret_sha256: r.text("secret_sha256")?,
        created_at: r.ts("key_created_at")?,
        expires_at: r.opt_ts("expires_at")?,
        revoked_at: r.opt_ts("revoked_at")?,
    })
}

pub(crate) fn signing_key(r: &impl RowExt) -> Result<SigningKey> {
    Ok(SigningKey {
        kid: r.text("kid")?,
        algorithm: r.text("algorithm")?,
        public_key: r.bytes("public_key")?,
        private_key: r.json("private_key")?,
        created_at: r.ts("created_at")?,
        retired_at: r.opt_ts("retired_at")?,
        expires_at: r.opt_ts("expires_at")?,
    })
}

pub(crate) fn revoked_token(r: &impl RowExt) -> Result<RevokedToken> {
    Ok(RevokedToken {
        jti: r.text("jti")?,
        expires_at: r.ts("expires_at")?,
        revoked_at: r.ts("revoked_at")?,
    })
}

pub(crate) fn role(r: &impl RowExt) -> Result<Role> {
    Ok(Role {
        id: r.id("id")?,
        tenant_id: r.id("tenant_id")?,
        name: r.name("name")?,
        description: r.opt_text("description")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) fn assignment(r: &impl RowExt) -> Result<RoleAssignment> {
    let assignee = match (
        r.opt_uuid("user_id")?,
        r.opt_uuid("service_user_id")?,
        r.opt_text("group_name")?,
    ) {
        (Some(id), None, None) => Assignee::User(UserId::from_uuid(id)),
        (None, Some(id), None) => Assignee::ServiceUser(ServiceUserId::from_uuid(id)),
        (None, None, Some(group)) => Assignee::Group(group),
        _ => return Err(bad("user_id", "not exactly one assignee")),
    };
    Ok(RoleAssignment {
        tenant_id: r.id("tenant_id")?,
        role_id: r.id("role_id")?,
        assignee,
        created_at: r.ts("created_at")?,
    })
}

pub(crate) fn grant(r: &impl RowExt) -> Result<Grant> {
    let grantee = match (
        r.opt_uuid("user_id")?,
        r.opt_uuid("service_user_id")?,
        r.opt_uuid("role_id")?,
    ) {
        (Some(id), None, None) => Grantee::User(UserId::from_uuid(id)),
        (None, Some(id), None) => Grantee::ServiceUser(ServiceUserId::from_uuid(id)),
        (None, None, Some(id)) => Grantee::Role(RoleId::from_uuid(id)),
        _ => return Err(bad("user_id", "not exactly one grantee")),
    };
    Ok(Grant {
        id: r.id("id")?,
        tenant_id: r.id("tenant_id")?,
        grantee,
        action: parse_enum("action", r.text("action")?, Action::parse)?,
        scope: r.json("scope")?,
        granted_by: r.text("granted_by")?,
        created_at: r.ts("created_at")?,
    })
}

/// A grantee as its columns (`user_id`, `service_user_id`, `role_id`), exactly one set.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct GranteeColumns {
    pub user: Option<UserId>,
    pub service_user: Option<ServiceUserId>,
    pub role: Option<RoleId>,
}

impl GranteeColumns {
    pub(crate) fn of(grantee: &Grantee) -> Self {
        let mut cols = GranteeColumns::default();
        match grantee {
            Grantee::User(id) => cols.user = Some(*id),
            Grantee::ServiceUser(id) => cols.service_user = Some(*id),
            Grantee::Role(id) => cols.role = Some(*id),
        }
        cols
    }
}

/// An assignee as its columns (`user_id`, `service_user_id`, `group_name`), exactly one set.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct AssigneeColumns<'a> {
    pub user: Option<UserId>,
    pub service_user: Option<ServiceUserId>,
    pub group: Option<&'a str>,
}

impl<'a> AssigneeColumns<'a> {
    pub(crate) fn of(assignee: &'a Assignee) -> Self {
        let mut cols = AssigneeColumns::default();
        match assignee {
            Assignee::User(id) => cols.user = Some(*id),
            Assignee::ServiceUser(id) => cols.service_user = Some(*id),
            Assignee::Group(group) => cols.group = Some(group),
        }
        cols
    }
}

/// The warehouse and catalog a scope names, as their columns.
pub(crate) fn scope_owners(scope: &Scope) -> (Option<WarehouseId>, Option<CatalogId>) {
    match scope {
        Scope::Warehouse { warehouse } => (Some(*warehouse), None),
        other => (None, other.catalog()),
    }
}
