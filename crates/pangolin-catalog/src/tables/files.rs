//! Metadata files: rendering, writing (gzip when the table asks for it) and reading.

use std::io::{Read, Write};
use std::str::FromStr;
use std::sync::Arc;

use bytes::Bytes;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use iceberg::MetadataLocation;
use iceberg::compression::CompressionCodec;
use iceberg::spec::TableMetadata;
use pangolin_core::{Error, Result};
use pangolin_storage::WarehouseIo;

use crate::CachedMetadata;
use crate::errors::from_iceberg;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A metadata version built in memory, not yet written.
pub(crate) struct NewMetadata {
    pub(crate) location: MetadataLocation,
    pub(crate) metadata: Arc<TableMetadata>,
    pub(crate) json: Bytes,
}

impl NewMetadata {
    /// The first metadata file of a table.
    pub(crate) fn first(metadata: TableMetadata) -> Result<Self> {
        let location = MetadataLocation::new_with_metadata(metadata.location(), &metadata);
        Self::render(location, metadata)
    }

    /// The metadata file that follows `previous`. Files written by other catalogs may not follow
    /// the `NNNNN-uuid` naming, and a table whose location moved gets its next file under the
    /// new location; both then start a fresh sequence.
    pub(crate) fn next(
        previous: &str,
        previous_table_location: &str,
        metadata: TableMetadata,
    ) -> Result<Self> {
        let location = match MetadataLocation::from_str(previous) {
            Ok(prev) if previous_table_location == metadata.location() => {
                prev.with_next_version().with_new_metadata(&metadata)
            }
            _ => MetadataLocation::new_with_metadata(metadata.location(), &metadata),
        };
        Self::render(location, metadata)
    }

    fn render(location: MetadataLocation, metadata: TableMetadata) -> Result<Self> {
        let json = serde_json::to_vec(&metadata).map_err(Error::internal)?;
        Ok(NewMetadata {
            location,
            metadata: Arc::new(metadata),
            json: Bytes::from(json),
        })
    }

    pub(crate) fn location_string(&self) -> String {
        self.location.to_string()
    }

    pub(crate) fn cache_entry(&self) -> Arc<CachedMetadata> {
        Arc::new(CachedMetadata::from_parts(
            self.json.clone(),
            self.metadata.clone(),
        ))
    }

    /// Writes the file. Its name is new (`NNNNN-<random uuid>`), so no other writer targets
    /// it; the commit itself is decided by the store's compare-and-swap, never by this write.
    pub(crate) async fn write(&self, io: &WarehouseIo) -> Result<()> {
        let body = match self.location.compression_codec() {
            CompressionCodec::None => self.json.clone(),
            _ => Bytes::from(gzip(&self.json)?),
        };
        io.write_unique(&self.location_string(), body).await
    }
}

fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::with_capacity(data.len() / 4), Compression::default());
    enc.write_all(data).map_err(Error::internal)?;
    enc.finish().map_err(Error::internal)
}

/// Reads a metadata file's JSON, decompressing gzip files.
pub(crate) async fn read_json(io: &WarehouseIo, location: &str) -> Result<Bytes> {
    let raw = io.read(location).await?;
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok(raw);
    }
    let mut out = Vec::new();
    GzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .map_err(|e| Error::invalid(format!("metadata file {location} is not valid gzip: {e}")))?;
    Ok(Bytes::from(out))
}

/// Parses a metadata file written by anyone (registration): a bad file is the client's error.
pub(crate) fn parse_table_metadata(json: &[u8], location: &str) -> Result<TableMetadata> {
    serde_json::from_slice(json).map_err(|e| {
        Error::invalid(format!(
            "{location} is not valid Iceberg table metadata: {e}"
        ))
    })
}

/// Best-effort deletion of files a failed or superseded commit left behind.
pub(crate) async fn delete_quietly(io: &WarehouseIo, locations: impl IntoIterator<Item = String>) {
    for location in locations {
        if let Err(e) = io.delete(&location).await {
            tracing::warn!(%location, error = %e, "could not delete an unused metadata file");
        }
    }
}

/// Maps a builder failure; kept here so every build site treats it the same way.
pub(crate) fn built<T>(r: iceberg::Result<T>) -> Result<T> {
    r.map_err(from_iceberg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trips() {
        let data = br#"{"format-version":2}"#;
        let packed = gzip(data).unwrap();
        assert!(packed.starts_with(&GZIP_MAGIC));
        let mut out = Vec::new();
        GzDecoder::new(&packed[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
    }
}
