//! The data-encryption key that seals stored credentials. Configured keys win; otherwise the key
//! lives in `<data_dir>/encryption.key`, generated on first start. Losing that file makes every
//! stored credential unreadable, hence the loud log line when it is created.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context, bail};
use pangolin_core::secret::SecretBox;

use crate::config::{Backend, Config};

/// Loads (or creates) the key the server will seal secrets with.
pub(crate) fn load_or_generate(config: &Config) -> anyhow::Result<SecretBox> {
    if let Some(key) = &config.encryption.key {
        // Validated while loading the config.
        return SecretBox::from_encoded(key.expose()).context("encryption.key");
    }
    if config.store.backend == Backend::Memory {
        // Nothing outlives the process, so neither should the key.
        tracing::info!("no encryption key configured; using a random one for the in-memory store");
        return SecretBox::from_encoded(&SecretBox::generate_encoded())
            .context("generating an encryption key");
    }
    let path = config.generated_key_path();
    match read_key_file(&path)? {
        Some(key) => Ok(key),
        None => generate(&path),
    }
}

fn read_key_file(path: &Path) -> anyhow::Result<Option<SecretBox>> {
    let encoded = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    warn_if_readable_by_others(path);
    let key = SecretBox::from_encoded(&encoded)
        .with_context(|| format!("the encryption key in {} is malformed", path.display()))?;
    tracing::info!(path = %path.display(), "loaded the encryption key");
    Ok(Some(key))
}

fn warn_if_readable_by_others(path: &Path) {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "the encryption key file is accessible to other users; chmod 600 it");
    }
}

fn generate(path: &Path) -> anyhow::Result<SecretBox> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let encoded = SecretBox::generate_encoded();
    // create_new: never overwrite a key another process wrote a moment ago.
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    let mut file = match file {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            return match read_key_file(path)? {
                Some(key) => Ok(key),
                None => bail!("{} vanished while starting", path.display()),
            };
        }
        Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
    };
    file.write_all(format!("{encoded}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "generated a new encryption key; back it up: stored credentials cannot be decrypted without it"
    );
    SecretBox::from_encoded(&encoded).context("generated encryption key")
}
