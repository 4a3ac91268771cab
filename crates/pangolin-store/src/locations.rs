//! The location rule of [`crate::Change::Put`], shared by every backend: which puts are
//! checked, what overlapping means, and how a put is judged against the content already there.
//!
//! Locations are compared as strings split at `/`, never as raw prefixes, so `s3://b/t` and
//! `s3://b/t2` do not overlap. Callers pass normalized locations (one spelling per place);
//! the store does not parse URLs.

use pangolin_core::model::Content;
use pangolin_core::{CatalogId, ContentId, Error, Result, TableIdent};

use crate::{Change, CommitRequest, Expected};

/// A content row whose location overlaps a put's, as a backend found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupant {
    pub catalog_id: CatalogId,
    pub reference: String,
    pub ident: TableIdent,
    pub content_id: ContentId,
    pub location: String,
}

/// Whether one location equals the other or lies below it.
pub fn overlaps(a: &str, b: &str) -> bool {
    within(a, b) || within(b, a)
}

/// Whether `location` is `base` or lies below it, segment-wise.
fn within(base: &str, location: &str) -> bool {
    location
        .strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `location` and every location above it (`s3://b/x/y` → `s3://b`, `s3://b/x`,
/// `s3://b/x/y`): the stored locations that contain it are exactly those equal to one of
/// these. The scheme's `//` is not a segment boundary.
pub fn ancestors(location: &str) -> Vec<&str> {
    let start = location.find("://").map_or(0, |i| i + 3);
    let mut out: Vec<&str> = location[start..]
        .match_indices('/')
        .filter(|(i, _)| *i > 0)
        .map(|(i, _)| &location[..start + i])
        .collect();
    out.push(location);
    out
}

/// Bounds `(low, high)` such that the locations strictly inside `location` are exactly those
/// with `low < x < high` bytewise: everything that starts with `location/`. `'0'` is the
/// byte after `'/'`, so no `LIKE` (whose `_` and `%` locations may contain) is needed.
pub fn inside_bounds(location: &str) -> (String, String) {
    (format!("{location}/"), format!("{location}0"))
}

/// Whether `change` is a put whose location must be checked: a new key, or a key whose
/// content moves to another location (`existing` is the key's current content).
pub fn needs_check(change: &Change, existing: Option<&Content>) -> bool {
    match change {
        Change::Put {
            expected, location, ..
        } => *expected == Expected::Absent || existing.is_none_or(|e| &e.location != location),
        Change::Delete { .. } => false,
    }
}

/// Judges the put `change` of `req` against `occupants` (content found in the store whose
/// locations overlap it; others are ignored) and against the commit's other puts.
///
/// The state judged is the one after the commit: rows on the commit's branch at keys the
/// commit changes are replaced or deleted by it, so they do not count.
pub fn check_put(req: &CommitRequest, change: &Change, occupants: &[Occupant]) -> Result<()> {
    let Change::Put {
        ident,
        content_id,
        location,
        ..
    } = change
    else {
        return Ok(());
    };
    check_syntax(location)?;
    let replaced = |o: &Occupant| {
        o.catalog_id == req.catalog_id
            && o.reference == req.branch.as_str()
            && req.changes.iter().any(|c| c.ident() == &o.ident)
    };
    let clash_in_store = occupants
        .iter()
        .any(|o| o.content_id != *content_id && overlaps(&o.location, location) && !replaced(o));
    let clash_in_commit = req.changes.iter().any(|other| match other {
        Change::Put {
            ident: i,
            content_id: c,
            location: l,
            ..
        } => i != ident && c != content_id && overlaps(l, location),
        Change::Delete { .. } => false,
    });
    if clash_in_store || clash_in_commit {
        return Err(Error::invalid(format!(
            "location {location} overlaps the location of an existing table or view"
        )));
    }
    Ok(())
}

/// A location must name a place: not empty, and without a trailing `/` (the normalized
/// form), or containment would not be decidable on strings.
fn check_syntax(location: &str) -> Result<()> {
    if location.is_empty() || location.ends_with('/') {
        return Err(Error::invalid(format!(
            "location {location:?} must be a normalized, non-empty location without a trailing '/'"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_is_segment_aware() {
        assert!(overlaps("s3://b/t", "s3://b/t"));
        assert!(overlaps("s3://b/t", "s3://b/t/data"));
        assert!(overlaps("s3://b/t/data", "s3://b/t"));
        assert!(!overlaps("s3://b/t", "s3://b/t2"));
        assert!(!overlaps("s3://b/t2", "s3://b/t"));
        assert!(!overlaps("s3://b/t", "s3://c/t"));
        assert!(!overlaps("s3://b/t_%", "s3://b/tx%"));
    }

    #[test]
    fn ancestors_start_after_the_scheme() {
        assert_eq!(
            ancestors("s3://b/x/y"),
            ["s3://b", "s3://b/x", "s3://b/x/y"]
        );
        assert_eq!(ancestors("file:///var/t"), ["file:///var", "file:///var/t"]);
        assert_eq!(ancestors("relative/t"), ["relative", "relative/t"]);
    }

    #[test]
    fn inside_bounds_select_exactly_the_locations_below() {
        let (low, high) = inside_bounds("s3://b/t");
        let inside = |x: &str| low.as_str() < x && x < high.as_str();
        assert!(inside("s3://b/t/data"));
        assert!(inside("s3://b/t/x/y"));
        assert!(!inside("s3://b/t"));
        assert!(!inside("s3://b/t0"));
        assert!(!inside("s3://b/t2"));
        assert!(!inside("s3://b/t-x"));
        assert!(!inside("s3://b/t.x"));
    }
}
