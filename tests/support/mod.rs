//! Shared by the test binaries: the fault server and small helpers.

#![allow(dead_code)] // each test binary uses its own part of it

pub mod fault_server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use mattermost_status::{HttpRequest, HttpResponse, Transport, TransportError};

/// The token every test session uses; no error may ever show it.
pub const TOKEN: &str = "zq7tok3nFAULTsuite9secret4x";

/// A user id the tests ask about.
pub const USER: &str = "4xp9fdt77pncbef59f4k1qe83o";

/// A `Status` body for [`USER`].
pub const STATUS_BODY: &str = r#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"online","manual":false,"last_activity_at":1700000000123,"dnd_end_time":0}"#;

/// Wraps a transport and counts the attempts the client made.
#[derive(Debug, Clone)]
pub struct Counting<T> {
    inner: T,
    sent: Arc<AtomicUsize>,
}

impl<T> Counting<T> {
    pub fn new(inner: T) -> Self {
        Counting {
            inner,
            sent: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// A handle on the count that stays valid after the transport moves into a session.
    pub fn counter(&self) -> Arc<AtomicUsize> {
        self.sent.clone()
    }
}

impl<T: Transport> Transport for Counting<T> {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request)
    }
}

/// Every text an error shows: `Display`, `Debug`, and those of its sources.
pub fn error_texts(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        out.push(e.to_string());
        out.push(format!("{e:?}"));
        next = e.source();
    }
    out
}

/// Asserts that no text of `error` holds the token (nor its first 8 characters).
pub fn assert_no_token(error: &(dyn std::error::Error + 'static)) {
    for text in error_texts(error) {
        assert!(
            !text.contains(TOKEN) && !text.contains(&TOKEN[..8]),
            "the token leaked into an error: {text}"
        );
    }
}
