//! Which S3 requests remote signing will sign: only requests to the warehouse's own endpoint
//! and bucket that stay inside one table's prefix (objects under it, listings of it, bulk
//! deletes of keys under it), with only read methods for read-only callers. Everything
//! else is refused with `Forbidden` before anything is signed.

use pangolin_core::model::S3Profile;
use pangolin_core::{Error, Result};
use serde::Deserialize;
use url::Url;

use super::VendMode;

/// Query parameters an object request may carry.
const OBJECT_PARAMS: &[&str] = &["uploads", "uploadId", "partNumber", "versionId", "x-id"];
/// Query parameters of a listing (ListObjectsV2 and V1).
const LIST_PARAMS: &[&str] = &[
    "list-type",
    "prefix",
    "delimiter",
    "continuation-token",
    "start-after",
    "max-keys",
    "encoding-type",
    "fetch-owner",
    "marker",
    "x-id",
];

/// What a request addresses, once it is known to target the warehouse's bucket.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    /// A request on one object (GET, HEAD, PUT, DELETE, multipart POST).
    Object { key: String },
    /// A bucket listing with its `prefix` parameter.
    List { prefix: String },
    /// `POST ?delete` (DeleteObjects): the keys come from the body.
    DeleteObjects,
}

/// Checks a request against the table at `table_key` (its key prefix in `profile.bucket`)
/// and `mode`; returns the operation it performs.
pub(crate) fn authorize(
    profile: &S3Profile,
    table_key: &str,
    mode: VendMode,
    method: &str,
    url: &Url,
    body: Option<&str>,
) -> Result<Operation> {
    let operation = operation(profile, method, url)?;
    let inside = |key: &str| is_inside(table_key, key);
    let read = matches!(method, "GET" | "HEAD");
    match &operation {
        Operation::Object { key } if !inside(key) => Err(denied("outside the table's location")),
        Operation::Object { .. } if !read && !mode.can_write() => {
            Err(denied("the table is read-only for this caller"))
        }
        Operation::Object { .. }
            if !matches!(method, "GET" | "HEAD" | "PUT" | "POST" | "DELETE") =>
        {
            Err(denied("method not allowed"))
        }
        Operation::List { prefix } if !inside(prefix) => {
            Err(denied("the listing prefix is outside the table's location"))
        }
        Operation::DeleteObjects if !mode.can_write() => {
            Err(denied("the table is read-only for this caller"))
        }
        Operation::DeleteObjects => {
            let keys = delete_keys(body.ok_or_else(|| denied("a bulk delete without its body"))?)?;
            if keys.is_empty() || !keys.iter().all(|k| inside(k)) {
                return Err(denied(
                    "a bulk delete names keys outside the table's location",
                ));
            }
            Ok(operation)
        }
        _ => Ok(operation),
    }
}

/// Parses the URL: the warehouse's endpoint host (path style) or `<bucket>.<host>`
/// (virtual-hosted), the warehouse's bucket, then the operation by method and query.
fn operation(profile: &S3Profile, method: &str, url: &Url) -> Result<Operation> {
    let host = url_host(url)?;
    let path = url.path().trim_start_matches('/');
    let virtual_host = endpoint_hosts(profile)
        .iter()
        .any(|h| host == format!("{}.{h}", profile.bucket));
    let key = if virtual_host {
        path
    } else if endpoint_hosts(profile).contains(&host) {
        match path.split_once('/') {
            Some((bucket, key)) if bucket == profile.bucket => key,
            None if path == profile.bucket => "",
            _ => return Err(denied("not the warehouse's bucket")),
        }
    } else {
        return Err(denied("not the warehouse's S3 endpoint"));
    };
    let key = decode(key)?;
    let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let names = params.iter().map(|(k, _)| k.as_str());
    if !key.is_empty() {
        let extra = names.filter(|n| !OBJECT_PARAMS.contains(n) && !n.starts_with("response-"));
        return match extra.collect::<Vec<_>>().first() {
            Some(name) => Err(denied(&format!("sub-resource '{name}' is not allowed"))),
            None => Ok(Operation::Object { key }),
        };
    }
    match method {
        "POST" if params.iter().any(|(k, _)| k == "delete") => {
            match params.iter().find(|(k, _)| k != "delete" && k != "x-id") {
                Some((name, _)) => Err(denied(&format!("sub-resource '{name}' is not allowed"))),
                None => Ok(Operation::DeleteObjects),
            }
        }
        "GET" => {
            if let Some(name) = names.clone().find(|n| !LIST_PARAMS.contains(n)) {
                return Err(denied(&format!("sub-resource '{name}' is not allowed")));
            }
            let prefix = params
                .iter()
                .find(|(k, _)| k == "prefix")
                .map(|(_, v)| v.clone());
            Ok(Operation::List {
                prefix: prefix.unwrap_or_default(),
            })
        }
        _ => Err(denied(
            "bucket-level requests other than listings are not allowed",
        )),
    }
}

/// `host[:port]` as clients send it in the Host header.
fn url_host(url: &Url) -> Result<String> {
    let host = url
        .host_str()
        .ok_or_else(|| Error::invalid("the URI has no host"))?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// The hosts the warehouse's S3 lives on: its endpoint, or AWS's global and regional names.
fn endpoint_hosts(profile: &S3Profile) -> Vec<String> {
    if let Some(endpoint) = &profile.endpoint {
        return Url::parse(endpoint)
            .ok()
            .and_then(|u| url_host(&u).ok())
            .into_iter()
            .collect();
    }
    let suffix = if profile.region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    let region = &profile.region;
    vec![
        format!("s3.{suffix}"),
        format!("s3.{region}.{suffix}"),
        format!("s3.dualstack.{region}.{suffix}"),
    ]
}

/// The object key from a URL path: percent-decoded once (clients encode keys), refusing
/// empty or dot segments that could mean something else to another layer.
fn decode(path: &str) -> Result<String> {
    let key = percent_decode(path)?;
    if key.is_empty() {
        return Ok(key);
    }
    let bad = key
        .trim_end_matches('/')
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..");
    if bad {
        return Err(denied("the key has empty or dot segments"));
    }
    Ok(key)
}

fn percent_decode(s: &str) -> Result<String> {
    let bytes: Vec<u8> =
        url::form_urlencoded::parse(format!("k={}", s.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())
            .unwrap_or_default();
    String::from_utf8(bytes).map_err(|_| Error::invalid("the key is not valid UTF-8"))
}

/// Whether `key` (an object key or listing prefix) lies under `table_key/`.
fn is_inside(table_key: &str, key: &str) -> bool {
    if table_key.is_empty() {
        return true;
    }
    key.strip_prefix(table_key)
        .is_some_and(|rest| rest.starts_with('/'))
}

#[derive(Deserialize)]
struct Delete {
    #[serde(rename = "Object", default)]
    objects: Vec<DeleteObject>,
}

#[derive(Deserialize)]
struct DeleteObject {
    #[serde(rename = "Key")]
    key: String,
}

fn delete_keys(body: &str) -> Result<Vec<String>> {
    let delete: Delete = quick_xml::de::from_str(body)
        .map_err(|_| Error::invalid("the bulk delete body is not a valid Delete document"))?;
    Ok(delete.objects.into_iter().map(|o| o.key).collect())
}

fn denied(why: &str) -> Error {
    Error::Forbidden(format!("refusing to sign this request: {why}"))
}

#[cfg(test)]
#[path = "s3_request_tests.rs"]
mod tests;
