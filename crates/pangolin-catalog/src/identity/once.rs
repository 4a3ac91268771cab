//! One-time values (a browser login's `state`, the code handed to the UI): the first use
//! leaves a marker in the store until the value expires, and every later use finds it. The
//! marker is one atomic store call (`put_idempotency` refuses a key whose record has not
//! expired), so a value is used once even across servers sharing the store.

use pangolin_core::{Result, Timestamp};
use pangolin_store::IdempotencyRecord;

use crate::Services;

/// Marker scopes. They cannot collide with request idempotency keys, whose scopes are
/// `<tenant id>/<principal id>`.
pub(crate) const LOGIN_STATE: &str = "auth:login-state";
pub(crate) const EXCHANGE_CODE: &str = "auth:exchange-code";

impl Services {
    /// Whether this is the first use of `key` in `scope`. The marker is kept until
    /// `expires_at`, which must not be before the value itself stops being accepted.
    pub(crate) async fn first_use(
        &self,
        scope: &str,
        key: &str,
        expires_at: Timestamp,
    ) -> Result<bool> {
        let record = IdempotencyRecord {
            scope: scope.to_owned(),
            key: key.to_owned(),
            fingerprint: String::new(),
            status: 0,
            body: String::new(),
            created_at: pangolin_core::now(),
            expires_at,
        };
        self.store().put_idempotency(&record).await
    }
}
