//! The hash chain over audit records. Each record, once sealed, carries the hash of the one
//! before it in its chain and its own hash over both, so editing or deleting a sealed record
//! (or cutting off the end of a chain, against the stored chain head) is detectable.
//!
//! The hash input is a canonical, unambiguous encoding: every field is length-prefixed (an
//! optional one is tagged present/absent first), so no two different events encode alike,
//! and the summary is canonical JSON (sorted keys, no whitespace), so it hashes the same
//! whatever order a backend stores its keys in.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::AuditEvent;
use crate::TenantId;

/// The `prev_hash` of a chain's first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Names the encoding, so a future change of it cannot collide with this one.
const DOMAIN: &[u8] = b"pangolin-audit-chain-v1";

/// An audit event linked into its chain: the `seq`-th record of the chain of its tenant
/// (events without a tenant form one more chain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SealedAuditEvent {
    pub event: AuditEvent,
    /// 1 for the first record of a chain, then one more per record.
    pub seq: u64,
    /// The previous record's `hash`; [`GENESIS_HASH`] for the first.
    pub prev_hash: String,
    /// [`chain_hash`]`(prev_hash, event)`.
    pub hash: String,
}

/// The newest sealed record of a chain, as the store remembers it apart from the records:
/// a cut-off tail shows as a head the last record does not match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AuditChainHead {
    /// The chain's tenant; `None` for the chain of events outside any tenant.
    pub chain: Option<TenantId>,
    pub seq: u64,
    pub hash: String,
}

/// Hex SHA-256 over `prev` and every field of `event` (the time at microsecond precision,
/// which is what every backend keeps).
pub fn chain_hash(prev: &str, event: &AuditEvent) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    field(&mut h, prev);
    field(&mut h, &event.id.to_string());
    field(&mut h, &event.time.timestamp_micros().to_string());
    optional(&mut h, event.tenant_id.map(|t| t.to_string()).as_deref());
    field(&mut h, &event.principal);
    field(&mut h, &event.action);
    field(&mut h, &event.resource);
    field(&mut h, event.result.as_str());
    optional(&mut h, event.request_id.as_deref());
    optional(&mut h, event.client_addr.as_deref());
    optional(&mut h, event.user_agent.as_deref());
    field(&mut h, &canonical_json(&event.summary));
    hex::encode(h.finalize())
}

/// A length-prefixed field: its byte length (8 bytes, big endian), then its bytes.
fn field(h: &mut Sha256, value: &str) {
    h.update((value.len() as u64).to_be_bytes());
    h.update(value.as_bytes());
}

/// `0` for an absent value; `1` and the field for a present one (so `None` ≠ `Some("")`).
fn optional(h: &mut Sha256, value: Option<&str>) {
    match value {
        None => h.update([0u8]),
        Some(v) => {
            h.update([1u8]);
            field(h, v);
        }
    }
}

/// JSON with object keys sorted (bytewise) at every level and no whitespace.
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        // Scalars have one serde_json rendering each.
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::AuditId;
    use crate::audit::AuditResult;

    fn event() -> AuditEvent {
        let mut e = AuditEvent::new(
            Some(TenantId::generate()),
            "alice",
            "table.commit",
            "catalog/sales/table/db.t",
            AuditResult::Success,
        );
        e.request_id = Some("req-1".into());
        e.client_addr = Some("127.0.0.1".into());
        e.user_agent = Some("PyIceberg".into());
        e.summary = json!({"updates": 2, "nested": {"b": 1, "a": [1, "x"]}});
        e
    }

    type Edit = (&'static str, fn(&mut AuditEvent));

    /// Every way to change one field of an event.
    fn edits() -> Vec<Edit> {
        vec![
            ("id", |e| e.id = AuditId::generate()),
            ("time", |e| e.time += Duration::from_micros(1)),
            ("tenant", |e| e.tenant_id = Some(TenantId::generate())),
            ("no tenant", |e| e.tenant_id = None),
            ("principal", |e| e.principal.push('x')),
            ("action", |e| e.action = "table.drop".into()),
            ("resource", |e| e.resource.push('/')),
            ("result", |e| e.result = AuditResult::Failure),
            ("request id", |e| e.request_id = None),
            ("empty request id", |e| e.request_id = Some(String::new())),
            ("client addr", |e| e.client_addr = Some("10.0.0.1".into())),
            ("user agent", |e| e.user_agent = None),
            ("summary value", |e| e.summary["updates"] = json!(3)),
            ("summary key", |e| e.summary = json!({"updates": 2})),
            ("summary type", |e| e.summary["updates"] = json!("2")),
        ]
    }

    #[test]
    fn any_field_change_changes_the_hash() {
        let base = event();
        let hash = chain_hash(GENESIS_HASH, &base);
        assert_eq!(hash.len(), 64);
        assert_eq!(
            hash,
            chain_hash(GENESIS_HASH, &base.clone()),
            "deterministic"
        );
        for (what, edit) in edits() {
            let mut changed = base.clone();
            edit(&mut changed);
            assert_ne!(chain_hash(GENESIS_HASH, &changed), hash, "{what}");
        }
        assert_ne!(chain_hash(&hash, &base), hash, "the previous hash counts");
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let mut a = event();
        (a.principal, a.action) = ("ab".into(), "c".into());
        let mut b = a.clone();
        (b.principal, b.action) = ("a".into(), "bc".into());
        assert_ne!(chain_hash(GENESIS_HASH, &a), chain_hash(GENESIS_HASH, &b));

        // An absent optional field is not an empty one, nor a shifted neighbour.
        let (mut c, mut d) = (event(), event());
        d.id = c.id;
        d.time = c.time;
        d.tenant_id = c.tenant_id;
        (c.request_id, c.client_addr) = (Some("x".into()), None);
        (d.request_id, d.client_addr) = (None, Some("x".into()));
        assert_ne!(chain_hash(GENESIS_HASH, &c), chain_hash(GENESIS_HASH, &d));
    }

    #[test]
    fn sub_microsecond_time_does_not_count() {
        // Backends keep microseconds; the hash must survive the round trip.
        let base = event();
        let mut finer = base.clone();
        finer.time += Duration::from_nanos(999);
        assert_eq!(
            chain_hash(GENESIS_HASH, &base),
            chain_hash(GENESIS_HASH, &finer)
        );
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let value: serde_json::Value =
            serde_json::from_str(r#"{ "b": {"z": null, "y": [true, 1.5]}, "a": "\u0000é\"" }"#)
                .unwrap();
        assert_eq!(
            canonical_json(&value),
            r#"{"a":"\u0000é\"","b":{"y":[true,1.5],"z":null}}"#
        );
        let reparsed: serde_json::Value = serde_json::from_str(&canonical_json(&value)).unwrap();
        assert_eq!(reparsed, value);
    }
}
