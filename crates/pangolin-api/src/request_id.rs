//! Request ids that cost no syscall: a random per-process prefix and a counter. (A UUIDv4 per
//! request reads the kernel's random source every time, measurable on the hottest routes.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};

#[derive(Clone)]
pub(crate) struct CountingRequestId {
    prefix: u32,
    next: Arc<AtomicU64>,
}

impl CountingRequestId {
    pub(crate) fn new() -> Self {
        CountingRequestId {
            prefix: rand_prefix(),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

fn rand_prefix() -> u32 {
    let bytes = uuid::Uuid::new_v4();
    let b = bytes.as_bytes();
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

impl MakeRequestId for CountingRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:08x}-{n:012x}", self.prefix);
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_share_the_process_prefix() {
        let mut make = CountingRequestId::new();
        let req = Request::new(());
        let a = make.make_request_id(&req).unwrap();
        let b = make.make_request_id(&req).unwrap();
        let (a, b) = (
            a.header_value().to_str().unwrap(),
            b.header_value().to_str().unwrap(),
        );
        assert_ne!(a, b);
        assert_eq!(a[..8], b[..8]);
    }
}
