//! What the warehouse holds on disk.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The local path of a `file://` location.
pub fn local_path(location: &str) -> PathBuf {
    PathBuf::from(
        location
            .strip_prefix("file://")
            .unwrap_or_else(|| panic!("{location} is not a file:// location")),
    )
}

/// The files (recursively) under a `file://` location, sorted; empty when it does not exist.
pub fn files_under(location: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&local_path(location), &mut out);
    out.sort();
    out
}

/// The `*.metadata.json` files of a table whose `LoadTableResult` is `table`.
pub fn metadata_files(table: &Value) -> Vec<PathBuf> {
    let location = table["metadata"]["location"]
        .as_str()
        .expect("metadata.location");
    files_under(&format!("{location}/metadata"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".metadata.json"))
        .collect()
}
