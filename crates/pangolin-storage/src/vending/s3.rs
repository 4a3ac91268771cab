//! S3 vending: STS `AssumeRole` with a table-scoped session policy, or (only where the
//! warehouse allows it) the warehouse's own long-lived keys.

use std::time::SystemTime;

use aws_sigv4::http_request::SignableBody;
use pangolin_core::model::{S3Profile, StsSettings, WarehouseSecret};
use pangolin_core::{Error, Result, Timestamp};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::http::{Client, malformed};
use super::policy::session_policy;
use super::sigv4::{self, Keys, Service};
use super::{CredentialStorage, SecretProperties, VendMode, VendedCredential};
use crate::location::Parsed;

pub(crate) const ACCESS_KEY_ID: &str = "s3.access-key-id";
pub(crate) const SECRET_ACCESS_KEY: &str = "s3.secret-access-key";
pub(crate) const SESSION_TOKEN: &str = "s3.session-token";
pub(crate) const EXPIRES_AT_MS: &str = "s3.session-token-expires-at-ms";
/// Marks the warehouse's long-lived keys (no expiry, nothing to refresh).
pub(crate) const STATIC_MARKER: &str = "pangolin.static-credentials";

/// STS accepts 900 s to 12 h (the role's maximum may be lower).
const MIN_SESSION_SECONDS: u32 = 900;
const MAX_SESSION_SECONDS: u32 = 43_200;

pub(super) async fn vend(
    client: &Client,
    profile: &S3Profile,
    secret: &WarehouseSecret,
    location: &str,
    mode: VendMode,
) -> Result<VendedCredential> {
    let WarehouseSecret::S3AccessKey {
        access_key_id,
        secret_access_key,
        session_token,
    } = secret
    else {
        return Err(Error::invalid(
            "an S3 warehouse needs an s3-access-key credential",
        ));
    };
    let keys = Keys {
        access_key_id,
        secret_access_key,
        session_token: session_token.as_deref(),
    };
    let mut config = client_settings(profile);
    let expires_at = match &profile.sts {
        Some(sts) => {
            let session = assume_role(client, profile, sts, &keys, location, mode).await?;
            config.insert(ACCESS_KEY_ID, session.access_key_id);
            config.insert(SECRET_ACCESS_KEY, session.secret_access_key);
            config.insert(SESSION_TOKEN, session.session_token);
            config.insert(
                EXPIRES_AT_MS,
                session.expiration.timestamp_millis().to_string(),
            );
            Some(session.expiration)
        }
        None => {
            // can_vend() let us here only because the warehouse allows it explicitly.
            config.insert(ACCESS_KEY_ID, access_key_id.as_str());
            config.insert(SECRET_ACCESS_KEY, secret_access_key.as_str());
            if let Some(token) = session_token {
                config.insert(SESSION_TOKEN, token.as_str());
            }
            config.insert(STATIC_MARKER, "true");
            None
        }
    };
    Ok(VendedCredential {
        prefix: location.to_owned(),
        config,
        expires_at,
        storage: CredentialStorage::S3,
    })
}

/// The non-secret settings a client needs to reach the bucket (also in the table config).
pub(crate) fn client_settings(profile: &S3Profile) -> SecretProperties {
    let mut config = SecretProperties::default();
    config.insert("s3.region", profile.region.as_str());
    config.insert("client.region", profile.region.as_str());
    if let Some(endpoint) = &profile.endpoint {
        config.insert("s3.endpoint", endpoint.as_str());
    }
    config.insert(
        "s3.path-style-access",
        profile.path_style_access.to_string(),
    );
    config
}

/// Temporary keys from STS.
struct Session {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: Timestamp,
}

async fn assume_role(
    client: &Client,
    profile: &S3Profile,
    sts: &StsSettings,
    keys: &Keys<'_>,
    location: &str,
    mode: VendMode,
) -> Result<Session> {
    let parsed = Parsed::parse(location)?;
    let policy = session_policy(&profile.region, parsed.authority(), &parsed.key(), mode);
    let duration = sts
        .session_duration_seconds
        .clamp(MIN_SESSION_SECONDS, MAX_SESSION_SECONDS);
    let mut form = vec![
        ("Action", "AssumeRole".to_owned()),
        ("Version", "2011-06-15".to_owned()),
        ("RoleArn", sts.role_arn.clone()),
        ("RoleSessionName", session_name(location, mode)),
        ("Policy", policy.to_string()),
        ("DurationSeconds", duration.to_string()),
    ];
    if let Some(external_id) = &sts.external_id {
        form.push(("ExternalId", external_id.clone()));
    }
    let body = form_body(&form);
    let url = sts_endpoint(profile, sts);
    let headers = vec![(
        "content-type".to_owned(),
        "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
    )];
    let request = sigv4::Request {
        method: "POST",
        url: &url,
        headers: &headers,
        body: SignableBody::Bytes(body.as_bytes()),
    };
    let signed = sigv4::sign_headers(
        keys,
        &profile.region,
        Service::Sts,
        request,
        SystemTime::now(),
    )?;
    let mut builder = client.http().post(&url).body(body);
    for (name, value) in headers.iter().chain(&signed) {
        builder = builder.header(name, value);
    }
    let xml = client.send("STS AssumeRole", builder).await?;
    parse_assume_role(&xml)
}

/// `application/x-www-form-urlencoded` with every byte but `A-Za-z0-9-_.~` percent-encoded
/// (space as `+`). AWS hashes the raw body, so any valid encoding signs; this strict one is
/// what AWS SDKs send, and what emulators that re-encode the parsed form (moto) reproduce.
fn form_body(pairs: &[(&str, String)]) -> String {
    let encode = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for byte in s.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(byte as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{byte:02X}")),
            }
        }
        out
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// STS: the warehouse's `sts-endpoint`, else its S3-compatible endpoint (MinIO and moto
/// serve STS there), else the regional AWS endpoint.
fn sts_endpoint(profile: &S3Profile, sts: &StsSettings) -> String {
    let chosen = sts.sts_endpoint.as_ref().or(profile.endpoint.as_ref());
    match chosen {
        Some(endpoint) => format!("{}/", endpoint.trim_end_matches('/')),
        None if profile.region.starts_with("cn-") => {
            format!("https://sts.{}.amazonaws.com.cn/", profile.region)
        }
        None => format!("https://sts.{}.amazonaws.com/", profile.region),
    }
}

/// `pangolin-<rw|ro>-<hash of the location>`: the same for every vend of one location and
/// mode (a cached vend serves many callers), short, and within STS's character set.
fn session_name(location: &str, mode: VendMode) -> String {
    let hash = Sha256::digest(location.as_bytes());
    let mode = if mode.can_write() { "rw" } else { "ro" };
    format!("pangolin-{mode}-{}", hex::encode(&hash[..8]))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleResponse {
    assume_role_result: AssumeRoleResult,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleResult {
    credentials: XmlCredentials,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct XmlCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

fn parse_assume_role(xml: &str) -> Result<Session> {
    let response: AssumeRoleResponse =
        quick_xml::de::from_str(xml).map_err(|e| malformed("STS AssumeRole", e))?;
    let c = response.assume_role_result.credentials;
    let expiration = chrono::DateTime::parse_from_rfc3339(&c.expiration)
        .map_err(|e| malformed("STS AssumeRole", e))?
        .to_utc();
    Ok(Session {
        access_key_id: c.access_key_id,
        secret_access_key: c.secret_access_key,
        session_token: c.session_token,
        expiration,
    })
}

#[cfg(test)]
#[path = "s3_tests.rs"]
mod tests;
