use serde::{Deserialize, Serialize};

use crate::secret::{SealedSecret, SecretBox};
use crate::{Error, Name, Properties, Result, TenantId, Timestamp, WarehouseId};

/// Object storage for catalogs: a typed storage profile plus an optional sealed credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Warehouse {
    pub id: WarehouseId,
    pub tenant_id: TenantId,
    pub name: Name,
    pub storage: StorageProfile,
    /// Encrypted at rest; only the storage layer ever opens it. Never serialized to clients.
    pub secret: Option<SealedSecret>,
    pub properties: Properties,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum StorageProfile {
    File(FileProfile),
    S3(S3Profile),
    Azure(AzureProfile),
    Gcs(GcsProfile),
}

/// A directory on the server's local filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FileProfile {
    /// Absolute path of the warehouse root.
    pub root: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct S3Profile {
    pub bucket: String,
    #[serde(default)]
    pub key_prefix: Option<String>,
    pub region: String,
    /// For S3-compatible stores (MinIO, moto, ...); `None` = AWS.
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub path_style_access: bool,
    #[serde(default)]
    pub sts: Option<StsSettings>,
    /// Vend the warehouse's own long-lived keys when STS is not configured. Off unless set.
    #[serde(default)]
    pub allow_static_credential_vending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StsSettings {
    pub role_arn: String,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub sts_endpoint: Option<String>,
    #[serde(default = "default_session_seconds")]
    pub session_duration_seconds: u32,
}

fn default_session_seconds() -> u32 {
    3600
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AzureProfile {
    pub account_name: String,
    pub container: String,
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// Blob endpoint override for emulators (e.g. `https://127.0.0.1:10001/devstoreaccount1`).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The account has a hierarchical namespace (ADLS Gen2): vended SAS tokens are then scoped
    /// to the table's directory instead of the whole container.
    #[serde(default)]
    pub hierarchical_namespace: bool,
    /// Microsoft Entra authority for client-credential secrets (sovereign clouds, tests);
    /// default `https://login.microsoftonline.com`.
    #[serde(default)]
    pub authority_host: Option<String>,
    /// Lifetime of vended SAS tokens; default one hour.
    #[serde(default)]
    pub sas_duration_seconds: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct GcsProfile {
    pub bucket: String,
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// Endpoint override for emulators.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Downscope vended tokens with a Credential Access Boundary to the table's prefix.
    /// Needs Google's STS (or `sts-endpoint`); off by default because emulators lack it.
    #[serde(default)]
    pub downscope: bool,
    /// Token exchange endpoint for downscoping; default `https://sts.googleapis.com/v1/token`.
    #[serde(default)]
    pub sts_endpoint: Option<String>,
}

impl StorageProfile {
    /// Checks the profile's fields; the message names the bad field.
    pub fn validate(&self) -> Result<()> {
        match self {
            StorageProfile::File(f) => {
                if !f.root.starts_with('/') {
                    return Err(Error::invalid("storage.root must be an absolute path"));
                }
                check_path("storage.root", &f.root)
            }
            StorageProfile::S3(s) => {
                check_bucket("storage.bucket", &s.bucket)?;
                check_required("storage.region", &s.region)?;
                if let Some(endpoint) = &s.endpoint {
                    check_s3_endpoint(endpoint, s.path_style_access)?;
                }
                check_prefix(&s.key_prefix)
            }
            StorageProfile::Azure(a) => {
                check_bucket("storage.account-name", &a.account_name)?;
                check_bucket("storage.container", &a.container)?;
                check_prefix(&a.key_prefix)
            }
            StorageProfile::Gcs(g) => {
                check_bucket("storage.bucket", &g.bucket)?;
                check_prefix(&g.key_prefix)
            }
        }
    }

    /// The URL every location of this warehouse starts with, without a trailing slash.
    pub fn base_location(&self) -> String {
        let joined =
            |base: String, prefix: &Option<String>| match prefix.as_deref().map(trim_slashes) {
                Some(p) if !p.is_empty() => format!("{base}/{p}"),
                _ => base,
            };
        match self {
            StorageProfile::File(f) => format!("file://{}", f.root.trim_end_matches('/')),
            StorageProfile::S3(s) => joined(format!("s3://{}", s.bucket), &s.key_prefix),
            StorageProfile::Azure(a) => joined(
                format!(
                    "abfss://{}@{}.dfs.core.windows.net",
                    a.container, a.account_name
                ),
                &a.key_prefix,
            ),
            StorageProfile::Gcs(g) => joined(format!("gs://{}", g.bucket), &g.key_prefix),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            StorageProfile::File(_) => "file",
            StorageProfile::S3(_) => "s3",
            StorageProfile::Azure(_) => "azure",
            StorageProfile::Gcs(_) => "gcs",
        }
    }
}

/// A warehouse's credential in plaintext: only ever held in memory, sealed before storing.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum WarehouseSecret {
    #[serde(rename_all = "kebab-case")]
    S3AccessKey {
        access_key_id: String,
        secret_access_key: String,
        #[serde(default)]
        session_token: Option<String>,
    },
    #[serde(rename_all = "kebab-case")]
    AzureSharedKey { account_key: String },
    #[serde(rename_all = "kebab-case")]
    AzureClientCredentials {
        tenant_id: String,
        client_id: String,
        client_secret: String,
    },
    #[serde(rename_all = "kebab-case")]
    GcsServiceAccount { key_json: String },
}

impl std::fmt::Debug for WarehouseSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WarehouseSecret({}, <redacted>)", self.kind())
    }
}

impl WarehouseSecret {
    /// The kind shown in responses instead of the secret.
    pub fn kind(&self) -> &'static str {
        match self {
            WarehouseSecret::S3AccessKey { .. } => "s3-access-key",
            WarehouseSecret::AzureSharedKey { .. } => "azure-shared-key",
            WarehouseSecret::AzureClientCredentials { .. } => "azure-client-credentials",
            WarehouseSecret::GcsServiceAccount { .. } => "gcs-service-account",
        }
    }

    /// Encrypts the secret, bound to the warehouse it belongs to.
    pub fn seal(&self, key: &SecretBox, owner: WarehouseId) -> Result<SealedSecret> {
        let json = serde_json::to_vec(self).map_err(Error::internal)?;
        key.seal(self.kind(), owner.as_uuid().as_bytes(), &json)
    }

    /// Decrypts a secret sealed by [`WarehouseSecret::seal`] for `owner`.
    pub fn open(key: &SecretBox, owner: WarehouseId, sealed: &SealedSecret) -> Result<Self> {
        let json = key.open(owner.as_uuid().as_bytes(), sealed)?;
        serde_json::from_slice(&json)
            .map_err(|_| Error::internal("a stored warehouse secret is malformed"))
    }
}

fn trim_slashes(s: &str) -> &str {
    s.trim_matches('/')
}

fn check_required(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(format!("{field} must not be empty")));
    }
    Ok(())
}

fn check_path(field: &str, value: &str) -> Result<()> {
    check_required(field, value)?;
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "{field} must not contain control characters"
        )));
    }
    if value.split('/').any(|seg| seg == "..") {
        return Err(Error::invalid(format!("{field} must not contain '..'")));
    }
    Ok(())
}

fn check_bucket(field: &str, value: &str) -> Result<()> {
    check_required(field, value)?;
    let ok = value.len() <= 255
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        return Err(Error::invalid(format!(
            "{field} may only contain ASCII letters, digits, '-', '_' and '.'"
        )));
    }
    Ok(())
}

/// An S3 endpoint is an http(s) URL; virtual-hosted-style requests put the bucket into the
/// host name, which an IP address cannot take, so those endpoints need path-style access.
fn check_s3_endpoint(endpoint: &str, path_style: bool) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::invalid(format!(
            "storage.endpoint {endpoint:?}: {why}"
        )))
    };
    let Some(rest) = endpoint
        .strip_prefix("http://")
        .or_else(|| endpoint.strip_prefix("https://"))
    else {
        return bad("must be an http:// or https:// URL");
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("has no valid host");
    }
    if !path_style && host.parse::<std::net::IpAddr>().is_ok() {
        return Err(Error::invalid(format!(
            "storage.path-style-access must be true for an endpoint addressed by IP ({endpoint})"
        )));
    }
    Ok(())
}

fn check_prefix(prefix: &Option<String>) -> Result<()> {
    match prefix {
        Some(p) if !p.is_empty() => check_path("storage.key-prefix", p),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(prefix: Option<&str>) -> StorageProfile {
        StorageProfile::S3(S3Profile {
            bucket: "b".into(),
            key_prefix: prefix.map(Into::into),
            region: "us-east-1".into(),
            endpoint: None,
            path_style_access: false,
            sts: None,
            allow_static_credential_vending: false,
        })
    }

    #[test]
    fn base_locations_are_normalized() {
        assert_eq!(s3(None).base_location(), "s3://b");
        assert_eq!(s3(Some("/a/b/")).base_location(), "s3://b/a/b");
        let file = StorageProfile::File(FileProfile {
            root: "/data/wh/".into(),
        });
        assert_eq!(file.base_location(), "file:///data/wh");
    }

    #[test]
    fn validation_names_the_bad_field() {
        let rel = StorageProfile::File(FileProfile { root: "rel".into() });
        assert!(
            rel.validate()
                .unwrap_err()
                .to_string()
                .contains("storage.root")
        );
        let err = s3(Some("a/../b")).validate().unwrap_err().to_string();
        assert!(err.contains("key-prefix"), "{err}");
        assert!(s3(None).validate().is_ok());
    }

    #[test]
    fn s3_endpoints_are_urls_and_ips_need_path_style() {
        let with = |endpoint: &str, path_style: bool| {
            StorageProfile::S3(S3Profile {
                endpoint: Some(endpoint.into()),
                path_style_access: path_style,
                ..match s3(None) {
                    StorageProfile::S3(p) => p,
                    _ => unreachable!(),
                }
            })
            .validate()
        };
        assert!(with("http://127.0.0.1:9000", true).is_ok());
        assert!(with("https://minio.example:9000/", false).is_ok());
        let e = with("http://127.0.0.1:9000", false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("path-style-access"), "{e}");
        assert!(with("http://[::1]:9000", false).is_err());
        assert!(with("ftp://x", true).is_err());
        assert!(with("http://", true).is_err());
    }

    #[test]
    fn secrets_seal_per_warehouse_and_never_print() {
        let key = SecretBox::from_encoded(&SecretBox::generate_encoded()).unwrap();
        let secret = WarehouseSecret::S3AccessKey {
            access_key_id: "AKIA".into(),
            secret_access_key: "s3cr3t".into(),
            session_token: None,
        };
        let owner = WarehouseId::generate();
        let sealed = secret.seal(&key, owner).unwrap();
        assert_eq!(sealed.kind, "s3-access-key");
        assert_eq!(WarehouseSecret::open(&key, owner, &sealed).unwrap(), secret);
        assert!(WarehouseSecret::open(&key, WarehouseId::generate(), &sealed).is_err());
        assert!(!format!("{secret:?}").contains("s3cr3t"));
    }

    #[test]
    fn profiles_parse_from_tagged_json() {
        let p: StorageProfile = serde_json::from_str(
            r#"{"type":"s3","bucket":"b","region":"r","sts":{"role-arn":"arn:x"}}"#,
        )
        .unwrap();
        let StorageProfile::S3(s) = p else {
            panic!("not s3")
        };
        assert_eq!(s.sts.unwrap().session_duration_seconds, 3600);
        assert!(
            serde_json::from_str::<StorageProfile>(r#"{"type":"file","root":"/x","bogus":1}"#)
                .is_err()
        );
    }
}
