use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{RevokedToken, SigningKey};
use pangolin_core::{Error, Kind, Result, Timestamp};

use super::MemoryStore;
use crate::KeyStore;

#[async_trait]
impl KeyStore for MemoryStore {
    async fn create_signing_key(&self, key: &SigningKey, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        if s.signing_keys.contains_key(&key.kid) {
            return Err(Error::already_exists(Kind::SigningKey, &key.kid));
        }
        s.signing_keys.insert(key.kid.clone(), key.clone());
        s.record(audit);
        Ok(())
    }

    async fn list_signing_keys(&self) -> Result<Vec<SigningKey>> {
        let s = self.state.lock();
        let mut keys: Vec<SigningKey> = s.signing_keys.values().cloned().collect();
        keys.sort_by(|a, b| (a.created_at, &a.kid).cmp(&(b.created_at, &b.kid)));
        Ok(keys)
    }

    async fn update_signing_key(&self, key: &SigningKey, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        let stored = s
            .signing_keys
            .get_mut(&key.kid)
            .ok_or_else(|| Error::not_found(Kind::SigningKey, &key.kid))?;
        stored.retired_at = key.retired_at;
        stored.expires_at = key.expires_at;
        s.record(audit);
        Ok(())
    }

    async fn delete_signing_key(&self, kid: &str, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        if s.signing_keys.remove(kid).is_none() {
            return Err(Error::not_found(Kind::SigningKey, kid));
        }
        s.record(audit);
        Ok(())
    }

    async fn revoke_token(&self, token: &RevokedToken, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        s.revoked_tokens
            .entry(token.jti.clone())
            .or_insert_with(|| token.clone());
        s.record(audit);
        Ok(())
    }

    async fn list_revoked_tokens(
        &self,
        since: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Vec<RevokedToken>> {
        let s = self.state.lock();
        let mut tokens: Vec<RevokedToken> = s
            .revoked_tokens
            .values()
            .filter(|t| since.is_none_or(|since| t.revoked_at >= since) && t.expires_at > now)
            .cloned()
            .collect();
        tokens.sort_by(|a, b| (a.revoked_at, &a.jti).cmp(&(b.revoked_at, &b.jti)));
        Ok(tokens)
    }

    async fn purge_revoked_tokens(&self, now: Timestamp) -> Result<u64> {
        let mut s = self.state.lock();
        let before = s.revoked_tokens.len();
        s.revoked_tokens.retain(|_, t| t.expires_at > now);
        Ok((before - s.revoked_tokens.len()) as u64)
    }
}
