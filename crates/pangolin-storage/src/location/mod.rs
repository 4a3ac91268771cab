//! Location helpers: pure functions over full storage URLs (`file:///abs/path`,
//! `s3://bucket/key`, `gs://bucket/key`, `abfss://container@account.dfs.core.windows.net/key`,
//! `wasbs://container@account.blob.core.windows.net/key`).
//!
//! Containment is decided on parsed segments, never on raw string prefixes, so
//! `s3://b/prefix-other` is not within `s3://b/prefix`.

mod parsed;

#[cfg(test)]
mod tests;

use pangolin_core::Result;

pub(crate) use parsed::Parsed;

/// The canonical form of a location: trailing `/` trimmed, `s3a://`/`s3n://` → `s3://`,
/// `file:/x` → `file:///x`, scheme lower-cased.
///
/// Rejects (as `InvalidInput`) empty or relative locations, unsupported schemes, control
/// characters, empty segments (`//`) and `.`/`..` segments, also percent-encoded ones.
pub fn normalize(location: &str) -> Result<String> {
    Parsed::parse(location).map(|parsed| parsed.to_string())
}

/// Whether `location` is `base` or lies below it: same store (scheme family and
/// bucket/container), and `base`'s segments are a prefix of `location`'s. False when either
/// does not parse.
pub fn is_within(base: &str, location: &str) -> bool {
    match (Parsed::parse(base), Parsed::parse(location)) {
        (Ok(base), Ok(location)) => base.contains(&location),
        _ => false,
    }
}

/// Whether one location is within the other (e.g. two tables must not share files).
pub fn overlaps(a: &str, b: &str) -> bool {
    is_within(a, b) || is_within(b, a)
}

/// Appends `segment` (which may itself contain `/`) to `base` with exactly one `/` between.
pub fn join(base: &str, segment: &str) -> String {
    let base = base.trim_end_matches('/');
    let segment = segment.trim_start_matches('/');
    if segment.is_empty() {
        base.to_owned()
    } else {
        format!("{base}/{segment}")
    }
}
