//! Table and view results written straight from cached metadata bytes: the metadata JSON,
//! often the largest part of a response, is never re-serialized on the load path.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, Bytes, BytesMut};
use pangolin_catalog::tables::{LoadedTable, SnapshotsMode};
use pangolin_catalog::views::LoadedView;
use pangolin_core::{Error, Result};

use super::access::{CredentialFreeBody, Rendered, TableEndpoints, no_store};

/// A `LoadTableResult` (also the create/register response), with its `ETag`, and the
/// caller's delegated access (credentials or remote signing) when the table carries any.
/// The ETag names the metadata only: two callers with different credentials share it.
pub(crate) fn load_table_result(
    table: &LoadedTable,
    mode: SnapshotsMode,
    endpoints: &TableEndpoints<'_>,
) -> Result<Response> {
    let metadata = match mode {
        SnapshotsMode::All => table.metadata.json().clone(),
        SnapshotsMode::Refs => table.metadata.refs_only_json()?,
    };
    let access = Rendered::of(&table.access, endpoints);
    let body = render_table(table, &metadata, &access)?;
    let mut response = json_response(StatusCode::OK, body);
    if access.credential.is_some() {
        let without = render_table(table, &metadata, &Rendered::default())?;
        response
            .extensions_mut()
            .insert(CredentialFreeBody(Some(without)));
        no_store(&mut response);
    }
    if let Some(tag) = table.etag(mode) {
        response
            .headers_mut()
            .insert(header::ETAG, header_value(&tag)?);
    }
    Ok(response)
}

fn render_table(table: &LoadedTable, metadata: &Bytes, access: &Rendered) -> Result<Bytes> {
    let mut out = BytesMut::with_capacity(metadata.len() + 256);
    out.put_slice(b"{");
    if let Some(location) = &table.metadata_location {
        out.put_slice(b"\"metadata-location\":");
        write_json(&mut out, location)?;
        out.put_slice(b",");
    }
    out.put_slice(b"\"metadata\":");
    out.put_slice(metadata);
    out.put_slice(b",\"config\":");
    if access.config.is_empty() {
        write_json(&mut out, &table.config)?;
    } else {
        let mut config = table.config.clone();
        config.extend(access.config.clone());
        write_json(&mut out, &config)?;
    }
    let credentials = access.storage_credentials();
    if !credentials.is_empty() {
        out.put_slice(b",\"storage-credentials\":");
        write_json(&mut out, &credentials)?;
    }
    if access.remote_signing {
        out.put_slice(b",\"remote-signing-config\":{}");
    }
    out.put_slice(b"}");
    Ok(out.freeze())
}

/// A `CommitTableResponse`.
pub(crate) fn commit_table_result(location: &str, metadata: &Bytes) -> Result<Response> {
    let mut out = BytesMut::with_capacity(metadata.len() + location.len() + 64);
    out.put_slice(b"{\"metadata-location\":");
    write_json(&mut out, location)?;
    out.put_slice(b",\"metadata\":");
    out.put_slice(metadata);
    out.put_slice(b"}");
    Ok(json_response(StatusCode::OK, out.freeze()))
}

/// A `LoadViewResult` (the answer to load, create, replace and register of a view).
pub(crate) fn load_view_result(view: &LoadedView) -> Result<Response> {
    let metadata = view.metadata.json();
    let mut out = BytesMut::with_capacity(metadata.len() + view.metadata_location.len() + 64);
    out.put_slice(b"{\"metadata-location\":");
    write_json(&mut out, &view.metadata_location)?;
    out.put_slice(b",\"metadata\":");
    out.put_slice(metadata);
    out.put_slice(b",\"config\":");
    write_json(&mut out, &view.config)?;
    out.put_slice(b"}");
    Ok(json_response(StatusCode::OK, out.freeze()))
}

/// `304 Not Modified` with the current `ETag`.
pub(crate) fn not_modified(etag: &str) -> Result<Response> {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    response
        .headers_mut()
        .insert(header::ETAG, header_value(etag)?);
    Ok(response)
}

fn json_response(status: StatusCode, body: Bytes) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn write_json<T: serde::Serialize + ?Sized>(out: &mut BytesMut, value: &T) -> Result<()> {
    serde_json::to_writer(out.writer(), value).map_err(Error::internal)
}

fn header_value(v: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(v).map_err(Error::internal)
}
