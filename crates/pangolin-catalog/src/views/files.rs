//! View metadata files: `<view location>/metadata/NNNNN-<uuid>.metadata.json`, the version
//! counting up from the previous file's, as Java's `BaseViewOperations` names them. Every
//! version is a new file, written create-only.

use std::sync::Arc;

use bytes::Bytes;
use iceberg::spec::ViewMetadata;
use pangolin_core::{Error, Result};
use pangolin_storage::WarehouseIo;
use uuid::Uuid;

use crate::CachedMetadata;

const SUFFIX: &str = ".metadata.json";

/// A view metadata version built in memory, not yet written.
pub(crate) struct NewViewMetadata {
    pub(crate) location: String,
    pub(crate) metadata: Arc<ViewMetadata>,
    pub(crate) json: Bytes,
}

impl NewViewMetadata {
    /// The first metadata file of a view.
    pub(crate) fn first(metadata: ViewMetadata) -> Result<Self> {
        Self::render(0, metadata)
    }

    /// The file that follows `previous`, under the (possibly moved) view location. A previous
    /// file another catalog named differently starts the count afresh.
    pub(crate) fn next(previous: &str, metadata: ViewMetadata) -> Result<Self> {
        let version = version_of(previous).map_or(0, |v| v.saturating_add(1));
        Self::render(version, metadata)
    }

    fn render(version: u32, metadata: ViewMetadata) -> Result<Self> {
        let location = format!(
            "{}/metadata/{version:05}-{}{SUFFIX}",
            metadata.location().trim_end_matches('/'),
            Uuid::new_v4()
        );
        let json = serde_json::to_vec(&metadata).map_err(Error::internal)?;
        Ok(NewViewMetadata {
            location,
            metadata: Arc::new(metadata),
            json: Bytes::from(json),
        })
    }

    /// The JSON as the store keeps it next to the pointer.
    pub(crate) fn json_str(&self) -> Result<Arc<str>> {
        std::str::from_utf8(&self.json)
            .map(Arc::from)
            .map_err(Error::internal)
    }

    pub(crate) fn cache_entry(&self) -> Arc<CachedMetadata> {
        Arc::new(CachedMetadata::from_view_parts(
            self.json.clone(),
            self.metadata.clone(),
        ))
    }

    /// Writes the file. Its name is new (`NNNNN-<random uuid>`), so no other writer targets
    /// it; the commit itself is decided by the store's compare-and-swap, never by this write.
    pub(crate) async fn write(&self, io: &WarehouseIo) -> Result<()> {
        io.write_unique(&self.location, self.json.clone()).await
    }
}

/// The `NNNNN` of a `.../NNNNN-<uuid>.metadata.json` location.
fn version_of(location: &str) -> Option<u32> {
    let file = location.rsplit('/').next()?;
    let (version, rest) = file.split_once('-')?;
    rest.ends_with(SUFFIX).then_some(())?;
    version.parse().ok()
}

/// Parses a view metadata file written by anyone (registration): a bad file is the client's error.
pub(crate) fn parse_view_metadata(json: &[u8], location: &str) -> Result<ViewMetadata> {
    serde_json::from_slice(json).map_err(|e| {
        Error::invalid(format!(
            "{location} is not valid Iceberg view metadata: {e}"
        ))
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use iceberg::spec::{Schema, ViewFormatVersion, ViewMetadataBuilder, ViewVersion};

    use super::*;

    /// A one-version view at `file:///wh/db/v` with an `owner` property.
    pub(crate) fn sample_view() -> ViewMetadata {
        let schema: Schema = serde_json::from_value(serde_json::json!({"type": "struct",
            "fields": [{"id": 1, "name": "n", "required": false, "type": "int"}]}))
        .unwrap();
        let version: ViewVersion = serde_json::from_value(serde_json::json!({"version-id": 1,
            "schema-id": 0, "timestamp-ms": chrono::Utc::now().timestamp_millis(),
            "summary": {}, "default-namespace": ["db"],
            "representations": [{"type": "sql", "sql": "select 1 as n", "dialect": "spark"}]}))
        .unwrap();
        let properties = [("owner".to_owned(), "ann".to_owned())].into();
        let builder = ViewMetadataBuilder::new(
            "file:///wh/db/v".into(),
            schema,
            version,
            ViewFormatVersion::V1,
            properties,
        )
        .unwrap();
        builder.build().unwrap().metadata
    }

    #[test]
    fn files_count_up_under_the_view_location() {
        let first = NewViewMetadata::first(sample_view()).unwrap();
        assert!(
            first
                .location
                .starts_with("file:///wh/db/v/metadata/00000-")
        );
        assert!(first.location.ends_with(".metadata.json"));
        let second = NewViewMetadata::next(&first.location, sample_view()).unwrap();
        assert!(
            second
                .location
                .starts_with("file:///wh/db/v/metadata/00001-")
        );
        let foreign = NewViewMetadata::next("file:///x/metadata/v3.json", sample_view()).unwrap();
        assert!(
            foreign
                .location
                .starts_with("file:///wh/db/v/metadata/00000-")
        );
    }

    #[test]
    fn the_rendered_json_parses_back_to_the_same_view() {
        let new = NewViewMetadata::first(sample_view()).unwrap();
        let parsed = parse_view_metadata(&new.json, &new.location).unwrap();
        assert_eq!(&parsed, new.metadata.as_ref());
        assert!(matches!(
            parse_view_metadata(b"{}", "x"),
            Err(Error::InvalidInput(_))
        ));
    }
}
