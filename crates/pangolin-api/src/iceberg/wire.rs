//! Iceberg REST wire types the `iceberg-catalog-rest` crate does not provide (or provides with
//! `null`s the spec does not allow, e.g. `next-page-token: null`).

use iceberg_catalog_rest::CommitTableRequest;
use pangolin_core::{NamespaceIdent, Page, PageRequest, PageToken, Properties, Result, TableIdent};
use serde::{Deserialize, Serialize};

use crate::extract::QueryParams;

/// Page size used when a client starts paginating without choosing one.
const DEFAULT_PAGE_SIZE: usize = 100;
/// Largest page served, whatever the client asks for.
const MAX_PAGE_SIZE: usize = 1000;

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    #[serde(rename = "pageToken")]
    page_token: Option<String>,
    #[serde(rename = "pageSize")]
    page_size: Option<String>,
}

impl PageQuery {
    /// Per spec: no `pageToken` means everything; an empty one starts paginating.
    pub(crate) fn to_request(&self) -> Result<PageRequest> {
        let Some(token) = &self.page_token else {
            return Ok(PageRequest::all());
        };
        let size = match &self.page_size {
            None => DEFAULT_PAGE_SIZE,
            Some(s) => s.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                pangolin_core::Error::invalid(format!(
                    "pageSize must be a positive integer, not {s:?}"
                ))
            })?,
        };
        let limit = Some(size.min(MAX_PAGE_SIZE));
        if token.is_empty() {
            return Ok(PageRequest { token: None, limit });
        }
        Ok(PageRequest::after(PageToken::parse(token)?, limit))
    }
}

pub(crate) type PageParams = QueryParams<PageQuery>;

#[derive(Serialize)]
pub(crate) struct ListNamespacesResponse {
    pub(crate) namespaces: Vec<NamespaceIdent>,
    #[serde(rename = "next-page-token", skip_serializing_if = "Option::is_none")]
    pub(crate) next_page_token: Option<String>,
}

impl From<Page<NamespaceIdent>> for ListNamespacesResponse {
    fn from(page: Page<NamespaceIdent>) -> Self {
        ListNamespacesResponse {
            namespaces: page.items,
            next_page_token: page.next.map(|t| t.as_str().to_owned()),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct ListIdentifiersResponse {
    pub(crate) identifiers: Vec<TableIdent>,
    #[serde(rename = "next-page-token", skip_serializing_if = "Option::is_none")]
    pub(crate) next_page_token: Option<String>,
}

impl From<Page<TableIdent>> for ListIdentifiersResponse {
    fn from(page: Page<TableIdent>) -> Self {
        ListIdentifiersResponse {
            identifiers: page.items,
            next_page_token: page.next.map(|t| t.as_str().to_owned()),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateNamespaceRequest {
    pub(crate) namespace: NamespaceIdent,
    #[serde(default)]
    pub(crate) properties: Properties,
}

#[derive(Serialize)]
pub(crate) struct NamespaceResponse {
    pub(crate) namespace: NamespaceIdent,
    pub(crate) properties: Properties,
}

#[derive(Debug, Deserialize)]
pub(crate) struct UpdatePropertiesRequest {
    #[serde(default)]
    pub(crate) removals: Vec<String>,
    #[serde(default)]
    pub(crate) updates: Properties,
}

#[derive(Serialize)]
pub(crate) struct UpdatePropertiesResponse {
    pub(crate) updated: Vec<String>,
    pub(crate) removed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) missing: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RenameRequest {
    pub(crate) source: TableIdent,
    pub(crate) destination: TableIdent,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CommitTransactionRequest {
    #[serde(rename = "table-changes")]
    pub(crate) table_changes: Vec<CommitTableRequest>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(token: Option<&str>, size: Option<&str>) -> PageQuery {
        PageQuery {
            page_token: token.map(Into::into),
            page_size: size.map(Into::into),
        }
    }

    #[test]
    fn page_queries_follow_the_spec() {
        assert_eq!(q(None, Some("5")).to_request().unwrap(), PageRequest::all());
        assert_eq!(q(Some(""), Some("5")).to_request().unwrap().limit, Some(5));
        assert_eq!(
            q(Some(""), None).to_request().unwrap().limit,
            Some(DEFAULT_PAGE_SIZE)
        );
        assert_eq!(
            q(Some(""), Some("99999")).to_request().unwrap().limit,
            Some(MAX_PAGE_SIZE)
        );
        assert!(q(Some(""), Some("0")).to_request().is_err());
        assert!(q(Some(""), Some("x")).to_request().is_err());
        assert!(q(Some("garbage!"), None).to_request().is_err());
        let t = PageToken::after("k");
        assert_eq!(
            q(Some(t.as_str()), None)
                .to_request()
                .unwrap()
                .after_key()
                .as_deref(),
            Some("k")
        );
    }
}
