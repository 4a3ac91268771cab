//! Delegated access on the wire: vended credentials in `storage-credentials` and `config`,
//! the remote-signing settings, and the `/credentials` and `/sign` routes.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use pangolin_catalog::tables::TableAccess;
use pangolin_storage::{RemoteSignRequest, VendedCredential};
use serde::Serialize;

use super::paths;
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams};

/// The table's own endpoints, relative to the catalog URI (clients resolve them against it),
/// spelled with the same path segments the client used, so they address the same version.
/// Only borrowed segments until a response actually needs an endpoint (loads without
/// delegation never build one).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableEndpoints<'a> {
    prefix: &'a str,
    namespace: &'a str,
    table: &'a str,
}

impl<'a> TableEndpoints<'a> {
    pub(crate) fn new(prefix: &'a str, namespace: &'a str, table: &'a str) -> Self {
        TableEndpoints {
            prefix,
            namespace,
            table,
        }
    }

    fn base(&self) -> String {
        format!(
            "v1/{}/namespaces/{}/tables/{}",
            encode_segment(self.prefix),
            encode_segment(self.namespace),
            encode_segment(self.table)
        )
    }

    fn credentials(&self) -> String {
        format!("{}/credentials", self.base())
    }

    fn sign(&self) -> String {
        format!("{}/sign", self.base())
    }
}

/// Percent-encodes a path segment (everything but RFC 3986 unreserved characters and `@`).
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One `StorageCredential`.
#[derive(Serialize)]
pub(crate) struct StorageCredential<'a> {
    prefix: &'a str,
    config: &'a pangolin_storage::SecretProperties,
}

/// What a `LoadTableResult` adds for the caller's delegated access.
#[derive(Default)]
pub(crate) struct Rendered {
    /// Merged over the table's own config.
    pub(crate) config: BTreeMap<String, String>,
    pub(crate) credential: Option<VendedCredential>,
    pub(crate) remote_signing: bool,
}

impl Rendered {
    pub(crate) fn of(access: &TableAccess, endpoints: &TableEndpoints<'_>) -> Rendered {
        match access {
            TableAccess::None => Rendered::default(),
            TableAccess::Credentials(credential) => {
                let mut credential = (**credential).clone();
                credential.set_refresh_endpoint(&endpoints.credentials());
                // The spec asks clients to prefer `storage-credentials`; the same keys in
                // `config` serve clients that only read `config` (PyIceberg 0.12, DuckDB).
                let config = credential
                    .config
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Rendered {
                    config,
                    credential: Some(credential),
                    remote_signing: false,
                }
            }
            TableAccess::RemoteSigning => {
                let sign = endpoints.sign();
                let config = BTreeMap::from([
                    ("s3.remote-signing-enabled".to_owned(), "true".to_owned()),
                    // PyIceberg's FsspecFileIO: which signer, and where (relative to `uri`).
                    ("s3.signer".to_owned(), "S3V4RestSigner".to_owned()),
                    ("s3.signer.endpoint".to_owned(), sign.clone()),
                    // Deprecated spelling still read by older Java clients.
                    ("signer.endpoint".to_owned(), sign),
                ]);
                Rendered {
                    config,
                    credential: None,
                    remote_signing: true,
                }
            }
        }
    }

    pub(crate) fn storage_credentials(&self) -> Vec<StorageCredential<'_>> {
        self.credential
            .iter()
            .filter(|c| !c.config.is_empty())
            .map(|c| StorageCredential {
                prefix: &c.prefix,
                config: &c.config,
            })
            .collect()
    }
}

/// Set on a response that carries credentials: the same body without them, which is what
/// the idempotency layer may store and replay (credentials never reach the store); `None`:
/// nothing may be stored (a signature).
#[derive(Clone)]
pub(crate) struct CredentialFreeBody(pub(crate) Option<Bytes>);

/// Responses carrying credentials must not be kept by shared caches.
pub(crate) fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[derive(Serialize)]
struct LoadCredentialsResponse<'a> {
    #[serde(rename = "storage-credentials")]
    storage_credentials: Vec<StorageCredential<'a>>,
}

type TablePath = PathParams<(String, String, String)>;

/// `GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials`.
pub(crate) async fn credentials(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, table)): TablePath,
) -> Result<Response, ApiError> {
    let endpoints = TableEndpoints::new(&prefix, &namespace, &table);
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &table)?;
    let mut vended = state
        .services()
        .table_credentials(&ctx, &prefix, &ident)
        .await?;
    for credential in &mut vended {
        credential.set_refresh_endpoint(&endpoints.credentials());
    }
    let body = LoadCredentialsResponse {
        storage_credentials: vended
            .iter()
            .filter(|c| !c.config.is_empty())
            .map(|c| StorageCredential {
                prefix: &c.prefix,
                config: &c.config,
            })
            .collect(),
    };
    let mut response = Json(body).into_response();
    no_store(&mut response);
    Ok(response)
}

/// `POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign`.
pub(crate) async fn sign(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, table)): TablePath,
    JsonBody(request): JsonBody<RemoteSignRequest>,
) -> Result<Response, ApiError> {
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &table)?;
    let signed = state
        .services()
        .sign_table_request(&ctx, &prefix, &ident, &request)
        .await?;
    let mut response = Json(signed).into_response();
    // Signatures are per request and time-bound: never reuse or store one.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response.extensions_mut().insert(CredentialFreeBody(None));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_reuse_the_request_segments() {
        let e = TableEndpoints::new("cat@dev", "a\u{1f}b", "t#2024");
        assert_eq!(
            e.credentials(),
            "v1/cat@dev/namespaces/a%1Fb/tables/t%232024/credentials"
        );
        assert_eq!(e.sign(), "v1/cat@dev/namespaces/a%1Fb/tables/t%232024/sign");
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
    }
}
