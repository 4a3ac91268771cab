//! S3 remote signing (`POST .../tables/{t}/sign`): the client sends the request it is about to
//! make; if it stays inside the table (see `s3_request`), the server signs it with the
//! warehouse's keys and returns the headers to send. The keys never leave the server.

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use aws_sigv4::http_request::SignableBody;
use pangolin_core::model::{S3Profile, WarehouseSecret};
use pangolin_core::{Error, Result};
use serde::{Deserialize, Serialize};
use url::Url;

use super::VendMode;
use super::s3_request::{Operation, authorize};
use super::sigv4::{self, Keys, Service};
use crate::location::Parsed;

/// The spec's `RemoteSignRequest`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RemoteSignRequest {
    pub region: String,
    pub uri: String,
    pub method: String,
    pub headers: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
}

/// The spec's `RemoteSignResult`: the URI and every header to send (the client's own plus
/// the signature's).
#[derive(Clone, Serialize)]
pub struct SignedRequest {
    pub uri: String,
    pub headers: BTreeMap<String, Vec<String>>,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SignedRequest({}, headers {:?}, values redacted)",
            self.uri,
            self.headers.keys()
        )
    }
}

const CONTENT_SHA256: &str = "x-amz-content-sha256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Headers a client may have set that the signature replaces.
const REPLACED: &[&str] = &[
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    CONTENT_SHA256,
];

/// Signs `request` for the table at `table_location` if it stays inside it.
pub(crate) fn sign(
    profile: &S3Profile,
    secret: Option<&WarehouseSecret>,
    table_location: &str,
    mode: VendMode,
    request: &RemoteSignRequest,
) -> Result<SignedRequest> {
    if request
        .provider
        .as_deref()
        .is_some_and(|p| !p.eq_ignore_ascii_case("s3"))
    {
        return Err(Error::invalid("only S3 requests can be remotely signed"));
    }
    let Some(WarehouseSecret::S3AccessKey {
        access_key_id,
        secret_access_key,
        session_token,
    }) = secret
    else {
        return Err(Error::NotImplemented(
            "remote signing needs a warehouse with an S3 access key".into(),
        ));
    };
    let method = request.method.to_ascii_uppercase();
    let url =
        Url::parse(&request.uri).map_err(|_| Error::invalid("the URI to sign is not a URL"))?;
    let table_key = Parsed::parse(table_location)?.key();
    let operation = authorize(
        profile,
        &table_key,
        mode,
        &method,
        &url,
        request.body.as_deref(),
    )?;
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .filter(|(name, _)| !REPLACED.contains(&name.to_ascii_lowercase().as_str()))
        .map(|(name, values)| (name.clone(), values.join(",")))
        .collect();
    headers.sort();
    let content_sha = content_sha256(request);
    // A bulk delete is authorized by its body, so the signature must cover exactly that body.
    let body = match (&operation, &request.body) {
        (Operation::DeleteObjects, Some(body)) => SignableBody::Bytes(body.as_bytes()),
        _ => SignableBody::Precomputed(content_sha.clone()),
    };
    let keys = Keys {
        access_key_id,
        secret_access_key,
        session_token: session_token.as_deref(),
    };
    let signable = sigv4::Request {
        method: &method,
        url: url.as_str(),
        headers: &headers,
        body,
    };
    let added = sigv4::sign_headers(
        &keys,
        &profile.region,
        Service::S3,
        signable,
        SystemTime::now(),
    )?;
    let mut out: BTreeMap<String, Vec<String>> = request
        .headers
        .iter()
        .filter(|(name, _)| !REPLACED.contains(&name.to_ascii_lowercase().as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (name, value) in added {
        out.insert(name, vec![value]);
    }
    Ok(SignedRequest {
        uri: request.uri.clone(),
        headers: out,
    })
}

/// The payload hash the client declared, else `UNSIGNED-PAYLOAD` (the body is not sent).
fn content_sha256(request: &RemoteSignRequest) -> String {
    request
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(CONTENT_SHA256))
        .and_then(|(_, values)| values.first().cloned())
        .unwrap_or_else(|| UNSIGNED_PAYLOAD.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> S3Profile {
        S3Profile {
            bucket: "lake".into(),
            key_prefix: None,
            region: "us-east-1".into(),
            endpoint: Some("http://127.0.0.1:9000".into()),
            path_style_access: true,
            sts: None,
            allow_static_credential_vending: false,
        }
    }

    fn secret() -> WarehouseSecret {
        WarehouseSecret::S3AccessKey {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        }
    }

    fn request(method: &str, uri: &str) -> RemoteSignRequest {
        RemoteSignRequest {
            region: "us-east-1".into(),
            uri: uri.into(),
            method: method.into(),
            headers: BTreeMap::from([
                ("User-Agent".into(), vec!["test".into()]),
                ("Authorization".into(), vec!["stale".into()]),
            ]),
            properties: BTreeMap::new(),
            body: None,
            provider: None,
        }
    }

    #[test]
    fn signs_requests_inside_the_table() {
        let r = request("GET", "http://127.0.0.1:9000/lake/t/data/f.parquet");
        let signed = sign(
            &profile(),
            Some(&secret()),
            "s3://lake/t",
            VendMode::Read,
            &r,
        )
        .unwrap();
        let auth = &signed.headers["authorization"][0];
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
            "{auth}"
        );
        assert!(auth.contains("/us-east-1/s3/aws4_request"), "{auth}");
        assert_eq!(
            signed.headers["x-amz-content-sha256"],
            vec![UNSIGNED_PAYLOAD]
        );
        assert!(signed.headers.contains_key("x-amz-date"));
        assert_eq!(signed.headers["User-Agent"], vec!["test"]);
        assert!(
            !signed.headers.contains_key("Authorization"),
            "the stale one is replaced"
        );
        assert!(!format!("{signed:?}").contains("Signature="));
    }

    #[test]
    fn refuses_without_keys_or_outside() {
        let r = request("GET", "http://127.0.0.1:9000/lake/t2/f");
        let outside = sign(
            &profile(),
            Some(&secret()),
            "s3://lake/t",
            VendMode::Read,
            &r,
        );
        assert!(matches!(outside, Err(Error::Forbidden(_))));
        let r = request("PUT", "http://127.0.0.1:9000/lake/t/f");
        let read_only = sign(
            &profile(),
            Some(&secret()),
            "s3://lake/t",
            VendMode::Read,
            &r,
        );
        assert!(matches!(read_only, Err(Error::Forbidden(_))));
        let no_keys = sign(&profile(), None, "s3://lake/t", VendMode::ReadWrite, &r);
        assert!(matches!(no_keys, Err(Error::NotImplemented(_))));
        let mut gcs = request("GET", "http://127.0.0.1:9000/lake/t/f");
        gcs.provider = Some("gcs".into());
        let wrong = sign(
            &profile(),
            Some(&secret()),
            "s3://lake/t",
            VendMode::Read,
            &gcs,
        );
        assert!(matches!(wrong, Err(Error::InvalidInput(_))));
    }
}
