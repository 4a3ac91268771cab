//! Config values that must never reach a log: secrets print as `<redacted>`, connection strings
//! print with their password masked. `Debug`, `Display` and `Serialize` all redact, so neither
//! `{:?}` nor the effective-config dump can leak them.

use std::fmt;

use pangolin_core::model::WarehouseSecret;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const REDACTED: &str = "<redacted>";

/// A secret string (e.g. the encryption key).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself: call only where it is used, never to log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// A storage credential from the configuration (`bootstrap.storage_secret`): shows only its
/// kind, e.g. `StorageSecret(s3-access-key, <redacted>)`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct StorageSecret(WarehouseSecret);

impl StorageSecret {
    pub fn new(secret: WarehouseSecret) -> Self {
        StorageSecret(secret)
    }

    /// The credential itself: only to seal it.
    pub fn expose(&self) -> &WarehouseSecret {
        &self.0
    }
}

impl fmt::Debug for StorageSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StorageSecret({}, {REDACTED})", self.0.kind())
    }
}

impl Serialize for StorageSecret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// A PostgreSQL connection URL (`postgres://user:password@host:port/db?...`).
#[derive(Clone, PartialEq, Eq)]
pub struct Dsn(url::Url);

impl Dsn {
    pub fn parse(s: &str) -> Result<Self, String> {
        let url = url::Url::parse(s.trim()).map_err(|e| format!("not a URL ({e})"))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(format!(
                "expected a postgres:// or postgresql:// URL, found scheme {:?}",
                url.scheme()
            ));
        }
        Ok(Dsn(url))
    }

    /// The full connection string, password included: only for the driver.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// The URL with its password (userinfo or `password` query parameter) masked.
    pub fn redacted(&self) -> String {
        let mut url = self.0.clone();
        if url.password().is_some() {
            // Only fails for URLs that cannot carry credentials; postgres URLs can.
            let _ = url.set_password(Some("***"));
        }
        if url
            .query_pairs()
            .any(|(k, _)| k.eq_ignore_ascii_case("password"))
        {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if k.eq_ignore_ascii_case("password") {
                        "***".to_owned()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        url.to_string()
    }
}

impl fmt::Debug for Dsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dsn({})", self.redacted())
    }
}

impl fmt::Display for Dsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for Dsn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for Dsn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Dsn::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_everywhere() {
        let dsn =
            Dsn::parse("postgres://u:s3cr3t@db:5432/p?password=s3cr3t&sslmode=require").unwrap();
        for shown in [
            format!("{dsn}"),
            format!("{dsn:?}"),
            serde_json::to_string(&dsn).unwrap(),
        ] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(shown.contains("sslmode=require"), "{shown}");
        }
        assert!(dsn.expose().contains("s3cr3t"));
        assert!(Dsn::parse("mysql://db/x").is_err());
        assert!(!format!("{:?}", Secret::new("k3y")).contains("k3y"));
    }
}
