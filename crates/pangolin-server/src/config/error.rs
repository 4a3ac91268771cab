//! Configuration errors that name the offending key (`store.backend`) and where its value came
//! from (a file, an environment variable, a flag), so an operator can fix it without guessing.

use std::fmt;

use figment::error::Kind;
use figment::{Profile, Source};

/// One bad configuration value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The dotted key, e.g. `store.backend`; empty when the error is about a whole file.
    pub key: String,
    pub message: String,
    /// Where the value came from, e.g. `environment variable PANGOLIN_STORE__BACKEND`.
    pub origin: Option<String>,
}

impl ConfigError {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            key: key.into(),
            message: message.into(),
            origin: None,
        }
    }

    fn from_figment(e: figment::Error) -> Self {
        let mut path = e.path.clone();
        let message = match &e.kind {
            // figment's path already ends with the unknown field.
            Kind::UnknownField(_, expected) => {
                format!("unknown key, expected one of {}", quoted(expected))
            }
            Kind::UnknownVariant(found, expected) => {
                format!(
                    "unknown variant {found:?}, expected one of {}",
                    quoted(expected)
                )
            }
            Kind::MissingField(field) => {
                path.push(field.to_string());
                "missing value".to_owned()
            }
            other => other.to_string(),
        };
        let origin = e.metadata.as_ref().map(|md| match &md.source {
            Some(Source::File(file)) => file.display().to_string(),
            _ => md.interpolate(e.profile.as_ref().unwrap_or(&Profile::Default), &path),
        });
        ConfigError {
            key: path.join("."),
            // TOML syntax errors end with a newline; the origin goes right after the text.
            message: message.trim_end().to_owned(),
            origin,
        }
    }
}

fn quoted(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
    items.join(", ")
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)?;
        if let Some(origin) = &self.origin {
            write!(f, " (from {origin})")?;
        }
        Ok(())
    }
}

/// Every problem found while loading, so one run reports them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    pub(crate) fn from_figment(e: figment::Error) -> Self {
        ConfigErrors(e.into_iter().map(ConfigError::from_figment).collect())
    }

    /// Whether some error is about `key`.
    pub fn names(&self, key: &str) -> bool {
        self.0.iter().any(|e| e.key == key)
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(e: ConfigError) -> Self {
        ConfigErrors(vec![e])
    }
}

/// One line per error, each starting with `invalid configuration:`.
impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "invalid configuration: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}
