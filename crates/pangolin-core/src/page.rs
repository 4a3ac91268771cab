//! Cursor pagination. Every list is ordered by a unique string key (bytewise); a page token is
//! the opaque encoding of the last key a page returned, so pages are stable under inserts and
//! deletes elsewhere in the list.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::{Error, Result};

/// Version tag inside every token, so the encoding can change without misreading old tokens.
const TOKEN_PREFIX: &str = "p1:";

/// An opaque continuation token. Only [`PageToken::after`] and [`PageToken::parse`] make one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageToken(String);

impl PageToken {
    /// A token that continues after `key`.
    pub fn after(key: &str) -> Self {
        PageToken(URL_SAFE_NO_PAD.encode(format!("{TOKEN_PREFIX}{key}")))
    }

    /// Validates a token received from a client.
    pub fn parse(token: &str) -> Result<Self> {
        let key = decode(token)?;
        Ok(PageToken::after(&key))
    }

    /// The key this token continues after.
    pub fn key(&self) -> String {
        decode(&self.0).expect("a PageToken is only built from a valid encoding")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn decode(token: &str) -> Result<String> {
    let bad = || Error::invalid(format!("invalid page token {token:?}"));
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    text.strip_prefix(TOKEN_PREFIX)
        .map(str::to_owned)
        .ok_or_else(bad)
}

/// Which page to return. `limit: None` means "everything after the token".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub token: Option<PageToken>,
    pub limit: Option<usize>,
}

impl PageRequest {
    pub fn all() -> Self {
        PageRequest::default()
    }

    pub fn first(limit: usize) -> Self {
        PageRequest {
            token: None,
            limit: Some(limit),
        }
    }

    pub fn after(token: PageToken, limit: Option<usize>) -> Self {
        PageRequest {
            token: Some(token),
            limit,
        }
    }

    /// The key to continue after, if any.
    pub fn after_key(&self) -> Option<String> {
        self.token.as_ref().map(PageToken::key)
    }

    /// How many rows a backend should fetch: one more than the limit reveals whether another
    /// page exists. `None` means no limit.
    pub fn fetch_limit(&self) -> Option<usize> {
        self.limit.map(|l| l.max(1).saturating_add(1))
    }
}

/// One page of results and the token for the next page, if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<PageToken>,
}

impl<T> Page<T> {
    /// Builds a page from rows sorted by `key`, fetched with [`PageRequest::fetch_limit`].
    pub fn from_rows(mut rows: Vec<T>, request: &PageRequest, key: impl Fn(&T) -> String) -> Self {
        let next = match request.limit.map(|l| l.max(1)) {
            Some(limit) if rows.len() > limit => {
                rows.truncate(limit);
                rows.last().map(|last| PageToken::after(&key(last)))
            }
            _ => None,
        };
        Page { items: rows, next }
    }

    /// Keeps the items `keep` accepts. The continuation token still follows the last item
    /// the page read, so a filtered page may be short (or empty) while more pages follow.
    pub fn filter(self, keep: impl FnMut(&T) -> bool) -> Page<T> {
        Page {
            items: self.items.into_iter().filter(keep).collect(),
            next: self.next,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_opaque_and_validated() {
        let t = PageToken::after("ns\u{1f}b");
        assert!(!t.as_str().contains("ns"));
        assert_eq!(PageToken::parse(t.as_str()).unwrap().key(), "ns\u{1f}b");
        for bad in ["", "!!!", "bm9wcmVmaXg"] {
            assert!(
                matches!(PageToken::parse(bad), Err(Error::InvalidInput(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn pages_carry_a_token_only_when_more_rows_exist() {
        let req = PageRequest::first(2);
        assert_eq!(req.fetch_limit(), Some(3));
        let page = Page::from_rows(vec!["a", "b", "c"], &req, |s| s.to_string());
        assert_eq!(page.items, vec!["a", "b"]);
        assert_eq!(page.next.unwrap().key(), "b");
        let last = Page::from_rows(vec!["c"], &req, |s| s.to_string());
        assert!(last.next.is_none());
        let all = Page::from_rows(vec!["a", "b", "c"], &PageRequest::all(), |s| s.to_string());
        assert_eq!((all.items.len(), all.next), (3, None));
    }
}
