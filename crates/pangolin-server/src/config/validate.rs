//! Checks that need more than one field or a file, run once after extraction. `*_file` options
//! are read here, so everything after loading sees the value as if it had been set inline.

use std::path::{Path, PathBuf};

use pangolin_core::model::StorageProfile;
use pangolin_core::secret::SecretBox;
use tracing_subscriber::EnvFilter;

use super::{Backend, Config, ConfigError, ConfigErrors, Dsn, Secret};

pub(super) fn finish(mut config: Config) -> Result<Config, ConfigErrors> {
    let mut errors = Vec::new();
    read_store_url_file(&mut config, &mut errors);
    read_key_file(&mut config, &mut errors);
    read_root_password_file(&mut config, &mut errors);
    check_auth(&config, &mut errors);
    super::login_checks::finish(&mut config.auth, &mut errors);
    check_store(&config, &mut errors);
    check_key(&config, &mut errors);
    check_log(&config, &mut errors);
    absolutize(&mut config, &mut errors);
    check_bootstrap_storage(&config, &mut errors);
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(ConfigErrors(errors))
    }
}

fn read_store_url_file(config: &mut Config, errors: &mut Vec<ConfigError>) {
    let Some(file) = config.store.url_file.clone() else {
        return;
    };
    if config.store.url.is_some() {
        errors.push(both("store.url", "store.url_file"));
        return;
    }
    match read_secret_file(&file).and_then(|s| Dsn::parse(&s)) {
        Ok(dsn) => config.store.url = Some(dsn),
        Err(e) => errors.push(ConfigError::new("store.url_file", e)),
    }
}

fn read_key_file(config: &mut Config, errors: &mut Vec<ConfigError>) {
    let Some(file) = config.encryption.key_file.clone() else {
        return;
    };
    if config.encryption.key.is_some() {
        errors.push(both("encryption.key", "encryption.key_file"));
        return;
    }
    match read_secret_file(&file) {
        Ok(key) => config.encryption.key = Some(Secret::new(key)),
        Err(e) => errors.push(ConfigError::new("encryption.key_file", e)),
    }
}

fn read_root_password_file(config: &mut Config, errors: &mut Vec<ConfigError>) {
    let Some(file) = config.auth.root_password_file.clone() else {
        return;
    };
    if config.auth.root_password.is_some() {
        errors.push(both("auth.root_password", "auth.root_password_file"));
        return;
    }
    match read_secret_file(&file) {
        Ok(password) => config.auth.root_password = Some(Secret::new(password)),
        Err(e) => errors.push(ConfigError::new("auth.root_password_file", e)),
    }
}

fn check_auth(config: &Config, errors: &mut Vec<ConfigError>) {
    let auth = &config.auth;
    if auth.issuer.trim().is_empty() {
        errors.push(ConfigError::new("auth.issuer", "must not be empty"));
    }
    if !(60..=7 * 24 * 3600).contains(&auth.access_token_ttl_seconds) {
        errors.push(ConfigError::new(
            "auth.access_token_ttl_seconds",
            "must be between 60 and 604800 (a week)",
        ));
    }
    if let Err(e) = pangolin_core::model::Username::new(auth.root_user.clone()) {
        errors.push(ConfigError::new("auth.root_user", e.to_string()));
    }
    if auth.login_attempts_per_minute == 0 {
        errors.push(ConfigError::new(
            "auth.login_attempts_per_minute",
            "must be at least 1",
        ));
    }
}

pub(super) fn both(a: &str, b: &str) -> ConfigError {
    ConfigError::new(a, format!("set either {a} or {b}, not both"))
}

pub(super) fn read_secret_file(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn check_store(config: &Config, errors: &mut Vec<ConfigError>) {
    let store = &config.store;
    if store.backend == Backend::Postgres && store.url.is_none() {
        errors.push(ConfigError::new(
            "store.url",
            "required when store.backend is \"postgres\" (e.g. postgres://user:password@host:5432/db)",
        ));
    }
    if store.max_connections == Some(0) {
        errors.push(ConfigError::new(
            "store.max_connections",
            "must be at least 1",
        ));
    }
    if let Some(schema) = &store.schema
        && !is_plain_identifier(schema)
    {
        errors.push(ConfigError::new(
            "store.schema",
            format!("{schema:?} is not a plain identifier: use lowercase letters, digits and '_'"),
        ));
    }
}

/// Schema names are put into SQL unquoted, so only unquoted-safe identifiers are allowed.
fn is_plain_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let first = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    first
        && s.len() <= 63
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_key(config: &Config, errors: &mut Vec<ConfigError>) {
    let Some(key) = &config.encryption.key else {
        return;
    };
    if let Err(e) = SecretBox::from_encoded(key.expose()) {
        let origin = if config.encryption.key_file.is_some() {
            "encryption.key_file"
        } else {
            "encryption.key"
        };
        errors.push(ConfigError::new(origin, e.to_string()));
    }
}

fn check_log(config: &Config, errors: &mut Vec<ConfigError>) {
    if let Err(e) = EnvFilter::builder().parse(&config.log.level) {
        errors.push(ConfigError::new(
            "log.level",
            format!("not a valid filter: {e}"),
        ));
    }
}

/// The default warehouse's storage must be valid as it would be stored, and its credential must
/// be one that kind of storage uses.
fn check_bootstrap_storage(config: &Config, errors: &mut Vec<ConfigError>) {
    let bootstrap = &config.bootstrap;
    if bootstrap.storage.is_some() && bootstrap.warehouse_root.is_some() {
        errors.push(both("bootstrap.warehouse_root", "bootstrap.storage"));
    }
    let storage = config.bootstrap_storage();
    if let (Some(_), Err(e)) = (&bootstrap.storage, storage.validate()) {
        errors.push(ConfigError::new("bootstrap.storage", e.to_string()));
    }
    let Some(secret) = &bootstrap.storage_secret else {
        return;
    };
    let kind = secret.expose().kind();
    let fits = match &storage {
        StorageProfile::File(_) => false,
        StorageProfile::S3(_) => kind.starts_with("s3-"),
        StorageProfile::Azure(_) => kind.starts_with("azure-"),
        StorageProfile::Gcs(_) => kind.starts_with("gcs-"),
    };
    if !fits {
        errors.push(ConfigError::new(
            "bootstrap.storage_secret",
            format!(
                "a {kind} credential does not fit the default warehouse's {} storage",
                storage.kind()
            ),
        ));
    }
}

/// Relative paths are relative to the working directory at startup; resolve them once so a
/// later directory change cannot move the data.
fn absolutize(config: &mut Config, errors: &mut Vec<ConfigError>) {
    let mut fix = |key: &str, path: &mut PathBuf| match std::path::absolute(&*path) {
        Ok(abs) => *path = abs,
        Err(e) => errors.push(ConfigError::new(key, format!("cannot resolve: {e}"))),
    };
    fix("data_dir", &mut config.data_dir);
    for root in config.server.file_warehouse_roots.iter_mut() {
        fix("server.file_warehouse_roots", root);
    }
    if let Some(path) = config.store.path.as_mut() {
        fix("store.path", path);
    }
    if let Some(root) = config.bootstrap.warehouse_root.as_mut() {
        fix("bootstrap.warehouse_root", root);
    }
    if let Some(StorageProfile::File(file)) = config.bootstrap.storage.as_mut() {
        let mut root = PathBuf::from(&file.root);
        fix("bootstrap.storage", &mut root);
        file.root = root.to_string_lossy().into_owned();
    }
}
