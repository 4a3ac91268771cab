//! Delegated storage access for table responses (`X-Iceberg-Access-Delegation`): vended
//! credentials or S3 remote signing, the `loadCredentials` endpoint and the signing endpoint.
//!
//! A load never fails because of delegation: a mechanism the warehouse cannot serve is simply
//! not offered, and a vending failure is logged and answered without credentials (the client
//! then fails at the storage with its own message, the server log says why). Only the
//! credentials endpoint, whose whole point is the credential, reports the error.

use pangolin_core::context::RequestContext;
use pangolin_core::model::ContentKind;
use pangolin_core::{Error, Result, TableIdent};
use pangolin_storage::{RemoteSignRequest, SignedRequest, VendMode, VendedCredential};

use crate::{Prefix, Services, Target, Version};

/// What delegated access a table response carries.
#[derive(Debug, Clone, Default)]
pub enum TableAccess {
    /// Nothing requested, nothing the warehouse can serve, or vending failed.
    #[default]
    None,
    /// A credential for the table's location (also the refresh endpoint's answer).
    Credentials(Box<VendedCredential>),
    /// The client should sign S3 requests through the table's signing endpoint.
    RemoteSigning,
}

/// May this caller get read or read-write access to the table's files?
///
/// Today: read-write on a branch, read-only on a tag or a commit (they are immutable).
/// RBAC will replace this with the caller's `vend-read` / `vend-write` grants on the table;
/// this function is the one place that decision lives.
pub(crate) fn vend_mode(_ctx: &RequestContext, target: &Target) -> VendMode {
    match target.version {
        Version::Branch(_) => VendMode::ReadWrite,
        Version::Tag(_) | Version::Commit(_) => VendMode::Read,
    }
}

impl Services {
    /// The access the request asked for and the warehouse can give for `location`.
    pub(crate) async fn delegate(
        &self,
        ctx: &RequestContext,
        target: &Target,
        location: &str,
    ) -> TableAccess {
        let asked = ctx.delegation;
        let warehouse = &target.handle.warehouse;
        if asked.vended_credentials && self.storage().can_vend(warehouse) {
            let mode = vend_mode(ctx, target);
            match self.storage().vend(warehouse, location, mode).await {
                Ok(Some(credential)) => return TableAccess::Credentials(Box::new(credential)),
                Ok(None) => {}
                Err(e) => tracing::warn!(
                    error = %e,
                    warehouse = %warehouse.name,
                    location,
                    "credential vending failed; answering without credentials"
                ),
            }
        }
        if asked.remote_signing && self.storage().can_sign(warehouse) {
            return TableAccess::RemoteSigning;
        }
        TableAccess::None
    }

    /// `GET .../tables/{t}/credentials`: the credentials for the table's location (empty when
    /// the warehouse vends none).
    pub async fn table_credentials(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &TableIdent,
    ) -> Result<Vec<VendedCredential>> {
        let target = self.resolve(ctx, prefix).await?;
        let content = self.content(&target, ident, ContentKind::Table).await?;
        let mode = vend_mode(ctx, &target);
        let warehouse = &target.handle.warehouse;
        let vended = self
            .storage()
            .vend(warehouse, &content.location, mode)
            .await?;
        Ok(vended.into_iter().collect())
    }

    /// `POST .../tables/{t}/sign`: signs an S3 request that stays inside the table's location
    /// (`Forbidden` otherwise, and for writes by read-only callers). The spec documents no 404
    /// here: signing for a table (or catalog) that does not exist is refused as `Forbidden`.
    pub async fn sign_table_request(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &TableIdent,
        request: &RemoteSignRequest,
    ) -> Result<SignedRequest> {
        let missing = |e: Error| match e {
            Error::NotFound { kind, name } => {
                Error::Forbidden(format!("refusing to sign: {kind} '{name}' does not exist"))
            }
            other => other,
        };
        let target = self.resolve(ctx, prefix).await.map_err(missing)?;
        let content = self
            .content(&target, ident, ContentKind::Table)
            .await
            .map_err(missing)?;
        let mode = vend_mode(ctx, &target);
        let warehouse = &target.handle.warehouse;
        self.storage()
            .sign(warehouse, &content.location, mode, request)
    }
}
