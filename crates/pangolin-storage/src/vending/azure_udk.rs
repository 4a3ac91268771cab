//! User delegation keys: a warehouse with client credentials (a service principal) signs
//! SAS tokens with a key the blob service issues to it, never with the account key.
//! Flow: client-credentials token from Entra ID → `Get User Delegation Key`.

use std::fmt;

use chrono::{Duration, Utc};
use pangolin_core::model::{AzureProfile, WarehouseSecret};
use pangolin_core::{Error, Result, Timestamp};
use serde::Deserialize;

use super::azure::{SAS_VERSION, sas_time};
use super::http::{Client, malformed};

const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";
/// Keys start a little in the past so that clock skew cannot make a fresh SAS invalid.
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// The key the blob service returned; `value` signs SAS tokens.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UserDelegationKey {
    pub(crate) signed_oid: String,
    pub(crate) signed_tid: String,
    pub(crate) signed_start: String,
    pub(crate) signed_expiry: String,
    pub(crate) signed_service: String,
    pub(crate) signed_version: String,
    pub(crate) value: String,
}

impl fmt::Debug for UserDelegationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserDelegationKey(oid {}, <redacted>)", self.signed_oid)
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
}

/// A user delegation key valid at least until `until`.
pub(super) async fn fetch(
    client: &Client,
    profile: &AzureProfile,
    secret: &WarehouseSecret,
    until: Timestamp,
) -> Result<UserDelegationKey> {
    let WarehouseSecret::AzureClientCredentials {
        tenant_id,
        client_id,
        client_secret,
    } = secret
    else {
        return Err(Error::invalid(
            "user delegation needs azure-client-credentials",
        ));
    };
    let authority = profile
        .authority_host
        .as_deref()
        .unwrap_or(DEFAULT_AUTHORITY)
        .trim_end_matches('/');
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id.as_str()),
        ("client_secret", client_secret.as_str()),
        ("scope", STORAGE_SCOPE),
    ];
    let request = client
        .http()
        .post(format!("{authority}/{tenant_id}/oauth2/v2.0/token"))
        .form(&form);
    let body = client.send("Microsoft Entra ID", request).await?;
    let token: TokenResponse =
        serde_json::from_str(&body).map_err(|e| malformed("Microsoft Entra ID", e))?;
    let key_info = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><KeyInfo><Start>{}</Start><Expiry>{}</Expiry></KeyInfo>",
        sas_time(Utc::now() - CLOCK_SKEW),
        sas_time(until + CLOCK_SKEW),
    );
    let request = client
        .http()
        .post(format!(
            "{}/?restype=service&comp=userdelegationkey",
            blob_endpoint(profile)
        ))
        .bearer_auth(&token.access_token)
        .header("x-ms-version", SAS_VERSION)
        .header("content-type", "application/xml")
        .body(key_info);
    let xml = client
        .send("Azure Get User Delegation Key", request)
        .await?;
    quick_xml::de::from_str(&xml).map_err(|e| malformed("Azure Get User Delegation Key", e))
}

fn blob_endpoint(profile: &AzureProfile) -> String {
    match &profile.endpoint {
        Some(endpoint) => endpoint.trim_end_matches('/').to_owned(),
        None => format!("https://{}.blob.core.windows.net", profile.account_name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_user_delegation_key() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><UserDelegationKey>\
            <SignedOid>o</SignedOid><SignedTid>t</SignedTid>\
            <SignedStart>2030-01-01T00:00:00Z</SignedStart><SignedExpiry>2030-01-02T00:00:00Z</SignedExpiry>\
            <SignedService>b</SignedService><SignedVersion>2022-11-02</SignedVersion>\
            <Value>a2V5</Value></UserDelegationKey>";
        let key: UserDelegationKey = quick_xml::de::from_str(xml).unwrap();
        assert_eq!(key.signed_oid, "o");
        assert_eq!(key.value, "a2V5");
        assert!(!format!("{key:?}").contains("a2V5"));
    }
}
