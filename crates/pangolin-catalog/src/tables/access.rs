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

use pangolin_core::model::Resource;

use super::vend_log::{Mechanism, Vend};
use crate::vend::vend_mode;
use crate::{Prefix, Services, Target};

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

/// The access `ctx` may get to `table`'s files (`crate::vend::vend_mode`), or a 403 for
/// the endpoints whose whole point is that access.
fn required_mode(ctx: &RequestContext, target: &Target, table: &Resource) -> Result<VendMode> {
    vend_mode(ctx, &target.version, table).ok_or_else(|| {
        Error::Forbidden("storage access to this table needs vend-read or vend-write".into())
    })
}

impl Services {
    /// The access the request asked for and the warehouse can give for `location`.
    /// `table` is the table's resource (for a table being created: its content id placed in
    /// its namespace); a caller without vend grants gets nothing, never an error.
    /// Every hand-out is audited (`vend_log`); one that cannot be recorded is not made.
    pub(crate) async fn delegate(
        &self,
        ctx: &RequestContext,
        target: &Target,
        ident: &TableIdent,
        table: &Resource,
        location: &str,
    ) -> TableAccess {
        let asked = ctx.delegation;
        let warehouse = &target.handle.warehouse;
        let Some(mode) = vend_mode(ctx, &target.version, table) else {
            return TableAccess::None;
        };
        let vend = |mechanism, expires_at| Vend {
            ident,
            location,
            mode,
            mechanism,
            expires_at,
        };
        if asked.vended_credentials && self.storage().can_vend(warehouse) {
            match self.storage().vend(warehouse, location, mode).await {
                Ok(Some(credential)) => {
                    let v = vend(Mechanism::VendedCredentials, credential.expires_at);
                    return match self.record_vend(ctx, target, v).await {
                        Ok(()) => TableAccess::Credentials(Box::new(credential)),
                        Err(e) => unrecorded(e, location),
                    };
                }
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
            let v = vend(Mechanism::RemoteSigning, None);
            return match self.record_vend(ctx, target, v).await {
                Ok(()) => TableAccess::RemoteSigning,
                Err(e) => unrecorded(e, location),
            };
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
        let mode = required_mode(ctx, &target, &target.handle.content_resource(&content))?;
        let warehouse = &target.handle.warehouse;
        let vended = self
            .storage()
            .vend(warehouse, &content.location, mode)
            .await?;
        if let Some(credential) = &vended {
            let vend = Vend {
                ident,
                location: &content.location,
                mode,
                mechanism: Mechanism::VendedCredentials,
                expires_at: credential.expires_at,
            };
            self.record_vend(ctx, &target, vend).await?;
        }
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
        let mode = required_mode(ctx, &target, &target.handle.content_resource(&content))?;
        let warehouse = &target.handle.warehouse;
        let signed = self
            .storage()
            .sign(warehouse, &content.location, mode, request)?;
        let vend = Vend {
            ident,
            location: &content.location,
            mode,
            mechanism: Mechanism::RemoteSigning,
            expires_at: None,
        };
        self.record_vend(ctx, &target, vend).await?;
        Ok(signed)
    }
}

/// A hand-out that could not be recorded is not made: the load goes on without it.
fn unrecorded(e: Error, location: &str) -> TableAccess {
    tracing::warn!(error = %e, location, "storage access not handed out: the audit record failed");
    TableAccess::None
}
