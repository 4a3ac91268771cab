//! GCS vending: an OAuth2 access token of the warehouse's service account (JWT bearer grant
//! to the key's `token_uri`), downscoped with a Credential Access Boundary to the table's
//! prefix when the warehouse sets `downscope`. Without downscoping the token carries the
//! service account's own reach (read-only or read-write scope by mode).

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use pangolin_core::model::{GcsProfile, WarehouseSecret};
use pangolin_core::{Error, Result, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::http::{Client, malformed};
use super::{CredentialStorage, SecretProperties, VendMode, VendedCredential};
use crate::location::Parsed;

const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
const DEFAULT_STS: &str = "https://sts.googleapis.com/v1/token";
const READ_SCOPE: &str = "https://www.googleapis.com/auth/devstorage.read_only";
const WRITE_SCOPE: &str = "https://www.googleapis.com/auth/devstorage.read_write";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// Lifetime asked for in the JWT (Google's maximum).
const ASSERTION_LIFETIME: Duration = Duration::hours(1);

/// The parts of a service account key file used here.
#[derive(Deserialize)]
pub(crate) struct ServiceAccountKey {
    client_email: String,
    private_key: String,
    #[serde(default)]
    private_key_id: Option<String>,
    #[serde(default)]
    token_uri: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
}

pub(super) async fn vend(
    client: &Client,
    profile: &GcsProfile,
    secret: &WarehouseSecret,
    location: &str,
    mode: VendMode,
) -> Result<VendedCredential> {
    let WarehouseSecret::GcsServiceAccount { key_json } = secret else {
        return Err(Error::invalid(
            "a GCS warehouse needs a gcs-service-account credential",
        ));
    };
    let key: ServiceAccountKey = serde_json::from_str(key_json)
        .map_err(|_| Error::invalid("the GCS service account key is not valid key JSON"))?;
    let (mut token, mut expires_at) = service_account_token(client, &key, mode).await?;
    if profile.downscope {
        let sts = profile.sts_endpoint.as_deref().unwrap_or(DEFAULT_STS);
        let parsed = Parsed::parse(location)?;
        let boundary = access_boundary(parsed.authority(), &parsed.key(), mode);
        let downscoped = exchange(client, sts, &token, &boundary).await?;
        token = downscoped.access_token;
        if let Some(secs) = downscoped.expires_in {
            expires_at = expires_at.min(Utc::now() + Duration::seconds(secs));
        }
    }
    let mut config = SecretProperties::default();
    config.insert("gcs.oauth2.token", token);
    config.insert(
        "gcs.oauth2.token-expires-at",
        expires_at.timestamp_millis().to_string(),
    );
    if let Some(project) = &key.project_id {
        config.insert("gcs.project-id", project.as_str());
    }
    if let Some(endpoint) = &profile.endpoint {
        config.insert("gcs.service.host", endpoint.trim_end_matches('/'));
    }
    Ok(VendedCredential {
        prefix: location.to_owned(),
        config,
        expires_at: Some(expires_at),
        storage: CredentialStorage::Gcs,
    })
}

/// JWT bearer grant (RFC 7523) with the service account's key.
async fn service_account_token(
    client: &Client,
    key: &ServiceAccountKey,
    mode: VendMode,
) -> Result<(String, Timestamp)> {
    let token_uri = key.token_uri.as_deref().unwrap_or(DEFAULT_TOKEN_URI);
    let now = Utc::now();
    let claims = Claims {
        iss: &key.client_email,
        scope: if mode.can_write() {
            WRITE_SCOPE
        } else {
            READ_SCOPE
        },
        aud: token_uri,
        iat: now.timestamp(),
        exp: (now + ASSERTION_LIFETIME).timestamp(),
    };
    let mut header = Header::new(Algorithm::RS256);
    header.kid = key.private_key_id.clone();
    let signing_key = EncodingKey::from_rsa_pem(key.private_key.as_bytes()).map_err(|_| {
        Error::invalid("the GCS service account's private key is not an RSA PEM key")
    })?;
    let assertion = jsonwebtoken::encode(&header, &claims, &signing_key)
        .map_err(|e| Error::internal(format_args!("signing the GCS token request: {e}")))?;
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        ("assertion", assertion.as_str()),
    ];
    let body = client
        .send("Google OAuth2", client.http().post(token_uri).form(&form))
        .await?;
    let response: TokenResponse =
        serde_json::from_str(&body).map_err(|e| malformed("Google OAuth2", e))?;
    let lifetime = response
        .expires_in
        .unwrap_or(ASSERTION_LIFETIME.num_seconds());
    Ok((response.access_token, now + Duration::seconds(lifetime)))
}

/// The Credential Access Boundary of a table: objects under `prefix/` and listings of it.
pub(crate) fn access_boundary(bucket: &str, prefix: &str, mode: VendMode) -> serde_json::Value {
    let role = if mode.can_write() {
        "inRole:roles/storage.objectAdmin"
    } else {
        "inRole:roles/storage.objectViewer"
    };
    let mut rule = json!({
        "availablePermissions": [role],
        "availableResource": format!("//storage.googleapis.com/projects/_/buckets/{bucket}"),
    });
    if !prefix.is_empty() {
        let expression = format!(
            "resource.name.startsWith('projects/_/buckets/{bucket}/objects/{prefix}/') || \
             api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('{prefix}/')"
        );
        rule["availabilityCondition"] =
            json!({ "title": "table prefix", "expression": expression });
    }
    json!({ "accessBoundary": { "accessBoundaryRules": [rule] } })
}

/// Token exchange at Google's STS: the same token, narrowed to `boundary`.
async fn exchange(
    client: &Client,
    sts: &str,
    token: &str,
    boundary: &serde_json::Value,
) -> Result<TokenResponse> {
    let options = boundary.to_string();
    let form = [
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("subject_token_type", ACCESS_TOKEN_TYPE),
        ("requested_token_type", ACCESS_TOKEN_TYPE),
        ("subject_token", token),
        ("options", options.as_str()),
    ];
    let body = client
        .send("Google STS", client.http().post(sts).form(&form))
        .await?;
    serde_json::from_str(&body).map_err(|e| malformed("Google STS", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_limits_objects_and_listing_to_the_prefix() {
        let b = access_boundary("lake", "wh/ns/t", VendMode::Read);
        let rule = &b["accessBoundary"]["accessBoundaryRules"][0];
        assert_eq!(
            rule["availablePermissions"][0],
            "inRole:roles/storage.objectViewer"
        );
        assert_eq!(
            rule["availableResource"],
            "//storage.googleapis.com/projects/_/buckets/lake"
        );
        let expr = rule["availabilityCondition"]["expression"]
            .as_str()
            .unwrap();
        assert!(
            expr.contains("startsWith('projects/_/buckets/lake/objects/wh/ns/t/')"),
            "{expr}"
        );
        assert!(
            expr.contains("objectListPrefix', '').startsWith('wh/ns/t/')"),
            "{expr}"
        );
        let rw = access_boundary("lake", "t", VendMode::ReadWrite);
        assert_eq!(
            rw["accessBoundary"]["accessBoundaryRules"][0]["availablePermissions"][0],
            "inRole:roles/storage.objectAdmin"
        );
    }
}
