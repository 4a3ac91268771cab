//! Azure vending: a service SAS for the table, signed with the account key or with a user
//! delegation key (client-credential warehouses, see `azure_udk`). On accounts with a
//! hierarchical namespace the SAS covers only the table's directory (`sr=d`); otherwise the
//! blob service cannot scope below the container (`sr=c`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, Utc};
use pangolin_core::model::{AzureProfile, WarehouseSecret};
use pangolin_core::{Error, Result, Timestamp};

use super::azure_udk::{self, UserDelegationKey};
use super::http::Client;
use super::{CredentialStorage, SecretProperties, VendMode, VendedCredential};
use crate::location::Parsed;

/// The SAS version signed: new enough for directory scope (2020-02-10) and encryption
/// scopes in the string-to-sign (2020-12-06), old enough for Azurite.
pub(crate) const SAS_VERSION: &str = "2022-11-02";
/// How long a vended SAS is valid unless the profile says otherwise (at most 7 days, the
/// longest a user delegation key lives).
const SAS_LIFETIME: Duration = Duration::hours(1);
const MAX_SAS_SECONDS: u32 = 7 * 24 * 3600;

pub(super) async fn vend(
    client: &Client,
    profile: &AzureProfile,
    secret: &WarehouseSecret,
    location: &str,
    mode: VendMode,
) -> Result<VendedCredential> {
    let lifetime = profile.sas_duration_seconds.map_or(SAS_LIFETIME, |s| {
        Duration::seconds(i64::from(s.clamp(1, MAX_SAS_SECONDS)))
    });
    let expiry = Utc::now() + lifetime;
    let scope = Scope::of(profile, location)?;
    let fields = SasFields::new(mode, expiry, &scope, https_only(profile));
    let token = match secret {
        WarehouseSecret::AzureSharedKey { account_key } => {
            fields.sign_with_account_key(&profile.account_name, account_key)?
        }
        WarehouseSecret::AzureClientCredentials { .. } => {
            let key = azure_udk::fetch(client, profile, secret, expiry).await?;
            fields.sign_with_delegation_key(&profile.account_name, &key)?
        }
        other => {
            return Err(Error::invalid(format!(
                "a {} credential cannot sign Azure SAS tokens",
                other.kind()
            )));
        }
    };
    Ok(VendedCredential {
        prefix: location.to_owned(),
        config: client_config(profile, &token, expiry),
        expires_at: Some(expiry),
        storage: CredentialStorage::Azure,
    })
}

/// Every spelling clients look the SAS up by (Java: per host; PyIceberg/adlfs: per
/// `<account>.dfs...`; some read the bare account), plus the emulator's host.
fn client_config(profile: &AzureProfile, token: &str, expiry: Timestamp) -> SecretProperties {
    let account = &profile.account_name;
    let expires_ms = expiry.timestamp_millis().to_string();
    let mut config = SecretProperties::default();
    for suffix in [
        format!("{account}.dfs.core.windows.net"),
        format!("{account}.blob.core.windows.net"),
        account.clone(),
    ] {
        config.insert(format!("adls.sas-token.{suffix}"), token);
        config.insert(
            format!("adls.sas-token-expires-at-ms.{suffix}"),
            expires_ms.as_str(),
        );
    }
    if let Some(endpoint) = &profile.endpoint {
        // adlfs builds https://{account_host}; the emulator's host includes the account path.
        let host = endpoint
            .split_once("://")
            .map_or(endpoint.as_str(), |(_, rest)| rest)
            .trim_end_matches('/');
        config.insert("adls.account-host", host);
    }
    config
}

/// HTTPS-only tokens, except for an emulator reached over plain HTTP.
fn https_only(profile: &AzureProfile) -> bool {
    profile
        .endpoint
        .as_deref()
        .is_none_or(|e| !e.to_ascii_lowercase().starts_with("http://"))
}

/// What a SAS grants access to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    pub(crate) container: String,
    /// The table's directory (no leading/trailing `/`) when the account can scope to it.
    pub(crate) directory: Option<String>,
}

impl Scope {
    pub(crate) fn of(profile: &AzureProfile, location: &str) -> Result<Scope> {
        let parsed = Parsed::parse(location)?;
        let key = parsed.key();
        let directory = (profile.hierarchical_namespace && !key.is_empty()).then_some(key);
        Ok(Scope {
            container: profile.container.clone(),
            directory,
        })
    }

    fn resource(&self) -> &'static str {
        if self.directory.is_some() { "d" } else { "c" }
    }

    fn canonical(&self, account: &str) -> String {
        match &self.directory {
            Some(dir) => format!("/blob/{account}/{}/{dir}", self.container),
            None => format!("/blob/{account}/{}", self.container),
        }
    }

    fn depth(&self) -> Option<usize> {
        self.directory.as_ref().map(|d| d.split('/').count())
    }
}

/// The signed fields of a service SAS (those Pangolin uses; the rest are empty).
#[derive(Debug, Clone)]
pub(crate) struct SasFields {
    pub(crate) permissions: &'static str,
    pub(crate) expiry: String,
    pub(crate) scope: Scope,
    pub(crate) https_only: bool,
    pub(crate) version: &'static str,
}

impl SasFields {
    pub(crate) fn new(mode: VendMode, expiry: Timestamp, scope: &Scope, https_only: bool) -> Self {
        SasFields {
            permissions: if mode.can_write() { "racwdl" } else { "rl" },
            expiry: sas_time(expiry),
            scope: scope.clone(),
            https_only,
            version: SAS_VERSION,
        }
    }

    fn protocol(&self) -> &'static str {
        if self.https_only { "https" } else { "" }
    }

    /// The string-to-sign of a service SAS signed with the account key (2020-12-06+).
    pub(crate) fn account_key_string(&self, account: &str) -> String {
        [
            self.permissions,
            "", // signedStart: valid from now, which avoids clock-skew failures
            &self.expiry,
            &self.scope.canonical(account),
            "", // signedIdentifier
            "", // signedIP
            self.protocol(),
            self.version,
            self.scope.resource(),
            "", // signedSnapshotTime
            "", // signedEncryptionScope
            "",
            "",
            "",
            "",
            "", // rscc, rscd, rsce, rscl, rsct
        ]
        .join("\n")
    }

    /// The string-to-sign of a user delegation SAS (2020-12-06+).
    pub(crate) fn delegation_string(&self, account: &str, key: &UserDelegationKey) -> String {
        [
            self.permissions,
            "",
            &self.expiry,
            &self.scope.canonical(account),
            &key.signed_oid,
            &key.signed_tid,
            &key.signed_start,
            &key.signed_expiry,
            &key.signed_service,
            &key.signed_version,
            "", // signedAuthorizedUserObjectId
            "", // signedUnauthorizedUserObjectId
            "", // signedCorrelationId
            "", // signedIP
            self.protocol(),
            self.version,
            self.scope.resource(),
            "", // signedSnapshotTime
            "", // signedEncryptionScope
            "",
            "",
            "",
            "",
            "",
        ]
        .join("\n")
    }

    pub(crate) fn sign_with_account_key(&self, account: &str, key: &str) -> Result<String> {
        let signature = hmac_base64(key, &self.account_key_string(account))?;
        Ok(self.query(&signature, &[]))
    }

    pub(crate) fn sign_with_delegation_key(
        &self,
        account: &str,
        key: &UserDelegationKey,
    ) -> Result<String> {
        let signature = hmac_base64(&key.value, &self.delegation_string(account, key))?;
        let extra = [
            ("skoid", key.signed_oid.as_str()),
            ("sktid", key.signed_tid.as_str()),
            ("skt", key.signed_start.as_str()),
            ("ske", key.signed_expiry.as_str()),
            ("sks", key.signed_service.as_str()),
            ("skv", key.signed_version.as_str()),
        ];
        Ok(self.query(&signature, &extra))
    }

    /// The token as a query string (without the leading `?`).
    fn query(&self, signature: &str, extra: &[(&str, &str)]) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("sv", self.version);
        q.append_pair("sr", self.scope.resource());
        if let Some(depth) = self.scope.depth() {
            q.append_pair("sdd", &depth.to_string());
        }
        q.append_pair("sp", self.permissions);
        q.append_pair("se", &self.expiry);
        if self.https_only {
            q.append_pair("spr", "https");
        }
        for (k, v) in extra {
            q.append_pair(k, v);
        }
        q.append_pair("sig", signature);
        q.finish()
    }
}

/// SAS times: ISO 8601 UTC to the second.
pub(crate) fn sas_time(t: Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Base64 HMAC-SHA256 of `message` under the base64 `key`.
fn hmac_base64(key: &str, message: &str) -> Result<String> {
    let key = STANDARD
        .decode(key.trim())
        .map_err(|_| Error::invalid("the Azure key is not valid base64"))?;
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &key);
    let tag = aws_lc_rs::hmac::sign(&key, message.as_bytes());
    Ok(STANDARD.encode(tag.as_ref()))
}

#[cfg(test)]
#[path = "azure_tests.rs"]
mod tests;
