//! The one error type of the domain. The API layer maps each variant to exactly one HTTP
//! status and Iceberg error `type`; nothing above the store inspects error message text.

use std::fmt;

use uuid::Uuid;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of thing an error is about; decides e.g. `NoSuchTableException` vs
/// `NoSuchNamespaceException`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Tenant,
    Warehouse,
    Catalog,
    Namespace,
    Table,
    View,
    Reference,
    Commit,
    Merge,
    IdempotencyKey,
    User,
    ServiceUser,
    ApiKey,
    Role,
    Grant,
    SigningKey,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Tenant => "tenant",
            Kind::Warehouse => "warehouse",
            Kind::Catalog => "catalog",
            Kind::Namespace => "namespace",
            Kind::Table => "table",
            Kind::View => "view",
            Kind::Reference => "reference",
            Kind::Commit => "commit",
            Kind::Merge => "merge operation",
            Kind::IdempotencyKey => "idempotency key",
            Kind::User => "user",
            Kind::ServiceUser => "service user",
            Kind::ApiKey => "API key",
            Kind::Role => "role",
            Kind::Grant => "grant",
            Kind::SigningKey => "signing key",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The addressed object does not exist (or belongs to another tenant, which must look the same).
    #[error("{kind} '{name}' does not exist")]
    NotFound { kind: Kind, name: String },

    /// A create collided with an existing object of `kind`.
    #[error("{kind} '{name}' already exists")]
    AlreadyExists { kind: Kind, name: String },

    /// A delete was refused because the object still contains something.
    #[error("{kind} '{name}' is not empty: {reason}")]
    NotEmpty {
        kind: Kind,
        name: String,
        reason: String,
    },

    /// A compare-and-swap lost: `current` is what the writer should have expected
    /// (a metadata location, a commit id), `None` when the object is gone.
    #[error("{message}")]
    Conflict {
        message: String,
        current: Option<String>,
    },

    /// The request itself is malformed or violates a rule; retrying it cannot help.
    #[error("{0}")]
    InvalidInput(String),

    #[error("{0}")]
    Unauthenticated(String),

    #[error("{0}")]
    Forbidden(String),

    /// Too many attempts (failed logins, token requests) from one account or address.
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },

    /// A feature the server deliberately does not offer (yet); the message says why.
    #[error("{0}")]
    NotImplemented(String),

    /// A dependency (store, object storage, remote catalog) is unreachable; retry later.
    #[error("{0}")]
    Unavailable(String),

    /// A commit was sent but whether it landed is unknown (e.g. the store connection dropped
    /// mid-commit). Clients must not assume failure and clean up.
    #[error("{0}")]
    CommitStateUnknown(String),

    /// A bug or an unexpected backend failure. `message` is for logs only; clients see `id`.
    #[error("internal error {id}: {message}")]
    Internal { id: Uuid, message: String },
}

impl Error {
    pub fn not_found(kind: Kind, name: impl fmt::Display) -> Self {
        Error::NotFound {
            kind,
            name: name.to_string(),
        }
    }

    pub fn already_exists(kind: Kind, name: impl fmt::Display) -> Self {
        Error::AlreadyExists {
            kind,
            name: name.to_string(),
        }
    }

    pub fn not_empty(kind: Kind, name: impl fmt::Display, reason: impl Into<String>) -> Self {
        Error::NotEmpty {
            kind,
            name: name.to_string(),
            reason: reason.into(),
        }
    }

    pub fn conflict(message: impl Into<String>, current: Option<String>) -> Self {
        Error::Conflict {
            message: message.into(),
            current,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    /// Wraps an unexpected failure; the message is never shown to clients.
    pub fn internal(message: impl fmt::Display) -> Self {
        Error::Internal {
            id: Uuid::now_v7(),
            message: message.to_string(),
        }
    }

    /// Whether retrying the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Conflict { .. } | Error::Unavailable(_))
    }
}
