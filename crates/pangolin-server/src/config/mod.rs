//! The server's typed configuration: loaded once at startup (see [`load`]), validated, then
//! passed by value to whatever needs it. Nothing reads the environment after loading.

mod auth;
mod error;
mod load;
mod login;
mod login_checks;
mod secret;
mod validate;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use pangolin_core::Name;
use pangolin_core::model::{FileProfile, StorageProfile};
use serde::{Deserialize, Deserializer, Serialize};

pub use auth::AuthConfig;
pub use error::{ConfigError, ConfigErrors};
pub use load::{Sources, load};
pub use login::{GithubLoginConfig, OidcConfig, Preset};
pub use secret::{Dsn, Secret, StorageSecret};

/// The port Iceberg REST catalogs conventionally use.
pub const DEFAULT_PORT: u16 = 8181;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the embedded defaults live: the SQLite file, the warehouse, the generated key.
    pub data_dir: PathBuf,
    pub server: ServerConfig,
    pub store: StoreConfig,
    pub bootstrap: BootstrapConfig,
    pub encryption: EncryptionConfig,
    pub auth: AuthConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    #[serde(deserialize_with = "socket_addr")]
    pub bind: SocketAddr,
    /// Directories in which tenant admins may create `file` warehouses; `[data_dir]` when
    /// empty. Any other local path is refused, so a warehouse cannot expose server files.
    pub file_warehouse_roots: Vec<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    pub backend: Backend,
    /// PostgreSQL connection URL (postgres backend only).
    pub url: Option<Dsn>,
    /// A file holding the connection URL (for container secrets); exclusive with `url`.
    pub url_file: Option<PathBuf>,
    /// SQLite database file; defaults to `<data_dir>/pangolin.db`.
    pub path: Option<PathBuf>,
    /// PostgreSQL schema to keep the tables in; the database's search path when unset.
    pub schema: Option<String>,
    /// Pool size; the backend's own default when unset.
    pub max_connections: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    #[default]
    Sqlite,
    Postgres,
    Memory,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Memory => "memory",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BootstrapConfig {
    /// Create the default tenant, warehouse and catalog on `serve` when they are missing.
    pub enabled: bool,
    pub tenant: Name,
    pub warehouse: Name,
    pub catalog: Name,
    /// Root directory of the default (file) warehouse; defaults to `<data_dir>/warehouse`.
    pub warehouse_root: Option<PathBuf>,
    /// The default warehouse's storage (any typed profile, e.g. `{ type = "s3", bucket = ... }`);
    /// a file warehouse at `warehouse_root` when unset. Exclusive with `warehouse_root`.
    pub storage: Option<StorageProfile>,
    /// The credential the default warehouse reaches `storage` with; sealed with the encryption
    /// key before it is stored, redacted wherever the configuration is printed.
    pub storage_secret: Option<StorageSecret>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncryptionConfig {
    /// 64 hex digits or base64 of 32 bytes.
    pub key: Option<Secret>,
    /// A file holding the key in the same encoding; exclusive with `key`.
    pub key_file: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A `tracing` env-filter directive, e.g. `info` or `pangolin_api=debug,info`.
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("pangolin-data"),
            server: ServerConfig::default(),
            store: StoreConfig::default(),
            bootstrap: BootstrapConfig::default(),
            encryption: EncryptionConfig::default(),
            auth: AuthConfig::default(),
            log: LogConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            file_warehouse_roots: Vec::new(),
        }
    }
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        let default = || Name::new("default").expect("'default' is a valid name");
        BootstrapConfig {
            enabled: true,
            tenant: default(),
            warehouse: default(),
            catalog: default(),
            warehouse_root: None,
            storage: None,
            storage_secret: None,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

impl Config {
    /// The SQLite database file.
    pub fn sqlite_path(&self) -> PathBuf {
        self.store
            .path
            .clone()
            .unwrap_or_else(|| self.data_dir.join("pangolin.db"))
    }

    /// The root directory of the bootstrapped file warehouse.
    pub fn warehouse_root(&self) -> PathBuf {
        self.bootstrap
            .warehouse_root
            .clone()
            .unwrap_or_else(|| self.data_dir.join("warehouse"))
    }

    /// The storage profile of the bootstrapped warehouse: `bootstrap.storage`, or a file
    /// warehouse at [`Config::warehouse_root`].
    pub fn bootstrap_storage(&self) -> StorageProfile {
        self.bootstrap.storage.clone().unwrap_or_else(|| {
            StorageProfile::File(FileProfile {
                root: self.warehouse_root().to_string_lossy().into_owned(),
            })
        })
    }

    /// Where a generated encryption key is kept when none is configured.
    pub fn generated_key_path(&self) -> PathBuf {
        self.data_dir.join("encryption.key")
    }

    /// Whether requests have to authenticate (`auth.enabled`).
    pub fn auth_configured(&self) -> bool {
        self.auth.enabled
    }

    /// Refuses to expose an unauthenticated server beyond this machine: only loopback binds
    /// may run without authentication.
    pub fn check_exposure(&self) -> Result<(), ConfigError> {
        let ip = self.server.bind.ip();
        if ip.is_loopback() || self.auth_configured() {
            return Ok(());
        }
        Err(ConfigError::new(
            "server.bind",
            format!(
                "refusing to listen on {ip}: the server would be reachable from other hosts \
                 without authentication. Enable authentication (auth.enabled = true, PANGOLIN_AUTH__ENABLED=true) first; until then \
                 bind a loopback address such as 127.0.0.1:{}",
                self.server.bind.port()
            ),
        ))
    }
}

/// The effective configuration as one JSON line, secrets redacted (for the startup log).
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&json)
    }
}

/// Socket addresses are parsed here rather than by serde's impl so the message shows an example.
fn socket_addr<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let s = String::deserialize(d)?;
    s.trim().parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "invalid socket address {s:?}: expected IP:PORT, e.g. 127.0.0.1:{DEFAULT_PORT}"
        ))
    })
}
