//! Backend settings, and the redaction of connection strings for logs.

use std::time::Duration;

use pangolin_core::{Error, Result};

/// Settings of [`crate::SqliteStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Connections in the pool. WAL lets readers run beside the one writer.
    pub max_connections: u32,
    /// How long a writer waits for the database lock before the store reports `Unavailable`.
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            max_connections: 4,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Settings of [`crate::PostgresStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    pub max_connections: u32,
    /// How long a request waits for a pooled connection before `Unavailable`.
    pub acquire_timeout: Duration,
    /// A schema to keep every table in (set as `search_path` on each connection and created by
    /// `migrate`); `None` uses the database's default search path. Lowercase ASCII letters,
    /// digits and `_` only, so it never needs quoting.
    pub schema: Option<String>,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
            schema: None,
        }
    }
}

/// Accepts schema names that are valid unquoted Postgres identifiers (max 63 bytes).
pub(crate) fn check_schema(schema: &str) -> Result<()> {
    let mut chars = schema.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && schema.len() <= 63 {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "invalid Postgres schema name {schema:?}: use lowercase letters, digits and '_'"
        )))
    }
}

/// A connection string safe to log: the password (in the userinfo or a `password` query
/// parameter) is replaced; a string that is not a URL is not shown at all.
pub(crate) fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "<connection string hidden>".into();
    };
    if parsed.password().is_some() {
        // Only fails for URLs that cannot have credentials, which then have no password.
        let _ = parsed.set_password(Some("***"));
    }
    let has_secret_param = parsed
        .query_pairs()
        .any(|(k, _)| k.eq_ignore_ascii_case("password"));
    if has_secret_param {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if k.eq_ignore_ascii_case("password") {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_survive_redaction() {
        let r = redact_url("postgres://pangolin:s3cr3t@db:5432/p?sslmode=require");
        assert_eq!(r, "postgres://pangolin:***@db:5432/p?sslmode=require");
        let r = redact_url("postgres://u@db/p?password=s3cr3t&application_name=x");
        assert!(
            !r.contains("s3cr3t") && r.contains("application_name=x"),
            "{r}"
        );
        let r = redact_url("host=db user=u password=s3cr3t");
        assert!(!r.contains("s3cr3t"), "{r}");
        assert_eq!(redact_url("postgres://db/p"), "postgres://db/p");
    }

    #[test]
    fn schema_names_must_be_plain_identifiers() {
        assert!(check_schema("pangolin_test_1").is_ok());
        for bad in ["", "1abc", "Upper", "a-b", "a;drop", &"x".repeat(64)] {
            assert!(check_schema(bad).is_err(), "{bad:?}");
        }
    }
}
