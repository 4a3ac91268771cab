//! Loading: defaults < TOML file < `PANGOLIN_*` environment < command-line flags, extracted into
//! [`Config`] in one pass and then validated.

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::providers::{Env, Format, Toml};
use figment::value::{Dict, Map, Uncased, UncasedStr, Value};
use figment::{Figment, Metadata, Profile, Provider};

use super::{Config, ConfigError, ConfigErrors, validate};

const PREFIX: &str = "PANGOLIN_";

/// Top-level keys of [`Config`]. Other `PANGOLIN_*` variables (`PANGOLIN_CONFIG`, those of the
/// CLI tools and the test suites) are not configuration and are left alone.
const SECTIONS: &[&str] = &[
    "data_dir",
    "server",
    "store",
    "bootstrap",
    "encryption",
    "auth",
    "log",
];

/// Short names accepted besides the `__`-nested ones: (variable without prefix, nested form).
const ALIASES: &[(&str, &str)] = &[
    ("log", "log__level"),
    ("encryption_key", "encryption__key"),
    ("encryption_key_file", "encryption__key_file"),
    ("root_user", "auth__root_user"),
    ("root_password", "auth__root_password"),
    ("root_password_file", "auth__root_password_file"),
];

/// Where configuration comes from besides defaults and the environment.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `--config` / `PANGOLIN_CONFIG`.
    pub file: Option<PathBuf>,
    /// `serve --bind`, which beats the file and the environment.
    pub bind: Option<SocketAddr>,
}

/// Loads and validates the configuration; every problem found is reported.
pub fn load(sources: &Sources) -> Result<Config, ConfigErrors> {
    let mut figment = Figment::new();
    if let Some(file) = &sources.file {
        figment = figment.merge(Toml::file_exact(existing_file(file)?));
    }
    figment = figment.merge(EnvVars);
    if let Some(bind) = sources.bind {
        figment = figment.merge(Flag {
            flag: "--bind",
            key: "server.bind",
            value: bind.to_string(),
        });
    }
    // Lossy: environment values are strings, and "16" / "true" must fill numbers and booleans.
    let config: Config = figment
        .extract_lossy()
        .map_err(ConfigErrors::from_figment)?;
    validate::finish(config)
}

/// Figment silently skips missing files; a file the operator named must exist.
fn existing_file(file: &PathBuf) -> Result<PathBuf, ConfigError> {
    let path = std::path::absolute(file).unwrap_or_else(|_| file.clone());
    if path.is_file() {
        Ok(path)
    } else {
        Err(ConfigError::new(
            "",
            format!("configuration file {} does not exist", path.display()),
        ))
    }
}

/// The `PANGOLIN_*` variables, nested at `__` (`PANGOLIN_STORE__URL` = `store.url`). Values stay
/// strings (figment's own `Env` would turn a tenant named `123` into a number).
struct EnvVars;

fn env() -> Env {
    Env::prefixed(PREFIX)
        .map(unalias)
        .split("__")
        .filter(|key| {
            let section = key.as_str().split('.').next().unwrap_or_default();
            SECTIONS.iter().any(|s| s.eq_ignore_ascii_case(section))
        })
}

fn unalias(key: &UncasedStr) -> Uncased<'_> {
    match ALIASES.iter().find(|(alias, _)| key == *alias) {
        Some((_, nested)) => Uncased::from(*nested),
        None => Uncased::from(key.as_str()),
    }
}

/// The variable that set `path`: the nested name, or the alias if only that one is set.
fn var_name(path: &[&str]) -> String {
    let nested = path.join("__");
    let alias = ALIASES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(&nested))
        .map(|(alias, _)| format!("{PREFIX}{}", alias.to_ascii_uppercase()));
    let nested = format!("{PREFIX}{}", nested.to_ascii_uppercase());
    match alias {
        Some(alias) if std::env::var_os(&nested).is_none() => alias,
        _ => nested,
    }
}

impl Provider for EnvVars {
    fn metadata(&self) -> Metadata {
        Metadata::named("environment").interpolater(|_: &Profile, path: &[&str]| {
            format!("environment variable {}", var_name(path))
        })
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        let mut dict = Dict::new();
        for (key, value) in env().iter() {
            let path: Vec<&str> = key.as_str().split('.').collect();
            insert(&mut dict, &path, Value::from(value));
        }
        Ok(Profile::Default.collect(dict))
    }
}

/// A command-line flag that overrides one key.
struct Flag {
    flag: &'static str,
    key: &'static str,
    value: String,
}

impl Provider for Flag {
    fn metadata(&self) -> Metadata {
        let flag = self.flag;
        Metadata::named("command line")
            .interpolater(move |_: &Profile, _: &[&str]| format!("command-line option {flag}"))
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        let mut dict = Dict::new();
        let path: Vec<&str> = self.key.split('.').collect();
        insert(&mut dict, &path, Value::from(self.value.clone()));
        Ok(Profile::Default.collect(dict))
    }
}

/// Sets `path` in a nested dictionary; a later value replaces an earlier one.
fn insert(dict: &mut Dict, path: &[&str], value: Value) {
    match path {
        [] => {}
        [last] => {
            dict.insert((*last).to_owned(), value);
        }
        [first, rest @ ..] => {
            let entry = dict
                .entry((*first).to_owned())
                .or_insert_with(|| Dict::new().into());
            if !matches!(entry, Value::Dict(..)) {
                *entry = Dict::new().into();
            }
            if let Value::Dict(_, child) = entry {
                insert(child, rest, value);
            }
        }
    }
}
