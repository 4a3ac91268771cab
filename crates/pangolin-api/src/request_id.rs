//! Request ids that cost no syscall: a random per-process prefix and a counter. (A UUIDv4 per
//! request reads the kernel's random source every time, measurable on the hottest routes.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderValue;

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

    /// The next id, `pppppppp-nnnnnnnnnnnn` in lowercase hex (the counter's low 48 bits).
    pub(crate) fn next(&self) -> HeaderValue {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut id = [b'-'; 21];
        let written = hex::encode_to_slice(self.prefix.to_be_bytes(), &mut id[..8])
            .and_then(|()| hex::encode_to_slice(&n.to_be_bytes()[2..], &mut id[9..]));
        written.expect("the slices hold exactly the digits");
        HeaderValue::from_bytes(&id).expect("hex digits and a dash are a valid header value")
    }
}

fn rand_prefix() -> u32 {
    let bytes = uuid::Uuid::new_v4();
    let b = bytes.as_bytes();
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_share_the_process_prefix() {
        let ids = CountingRequestId::new();
        let (a, b) = (ids.next(), ids.next());
        let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
        assert_ne!(a, b);
        assert_eq!(a[..8], b[..8]);
        assert_eq!(format!("{:08x}", ids.prefix), a[..8]);
        assert_eq!(&a[8..], "-000000000001");
        assert_eq!(&b[8..], "-000000000002");
    }
}
