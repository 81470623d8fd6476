//! The one support module of the integration tests: the token and the user ids every
//! test uses, small transports and assertions, and three parts for particular suites:
//! [`mock`] (httpmock helpers) and [`contract`] (what the contract suites share). The
//! fault server's helpers are a module of their own, `fault.rs`, declared only by the tests
//! that use it (`#[path = "support/fault.rs"] mod fault;`): they need the
//! `mattermost-status-conformance` package, a dev-dependency of the repository only, so
//! those tests are left out of the published package.
//!
//! A test binary declares it with `mod support;` (from `tests/NAME.rs`) or
//! `#[path = "../support/mod.rs"] mod support;` (from `tests/NAME/main.rs`).

#![allow(dead_code)] // each test binary uses its own part of it

pub mod contract;
pub mod mock;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use mattermost_status::{
    transport::{HttpRequest, HttpResponse, Transport},
    TransportError, UserId,
};

/// Every log record, `LEVEL target: message`: the logger of the tests that look for the
/// token in every line any crate logs.
#[derive(Clone, Default)]
pub struct Capture(pub Arc<std::sync::Mutex<Vec<String>>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        self.0.lock().unwrap().push(line);
    }
    fn flush(&self) {}
}

/// The token every test session uses; no error, log line or `Debug` may ever show it.
pub const TOKEN: &str = "zq7tok3nTESTsuite9secret4x";

/// Three user ids the tests ask about.
pub const ALICE: &str = "4xp9fdt77pncbef59f4k1qe83o";
pub const BOB: &str = "9jd3wz5ssbrp8ny7hcyqfj3y7a";
pub const CAROL: &str = "1bqmxgp8s3fy5kzwdo9hrnte6c";

/// A checked id.
pub fn id(s: &str) -> UserId {
    s.parse().expect("test ids are valid")
}

/// A `Status` body for [`ALICE`].
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

/// Answers every request with a copy of one response, in process; counts the requests.
#[derive(Debug, Clone)]
pub struct Canned {
    response: HttpResponse,
    sent: Arc<AtomicUsize>,
}

impl Canned {
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        Canned {
            response: headers
                .into_iter()
                .fold(HttpResponse::new(status, body), |r, (n, v)| {
                    r.with_header(n, v)
                }),
            sent: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn counter(&self) -> Arc<AtomicUsize> {
        self.sent.clone()
    }
}

impl Transport for Canned {
    fn send(&self, _: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        Ok(self.response.clone())
    }
}

/// A session on `transport` with the test token and no retries.
pub fn session_on(transport: impl Transport + 'static) -> mattermost_status::Session {
    mattermost_status::Session::builder("https://chat.example.com")
        .token(TOKEN)
        .transport(transport)
        .retry(mattermost_status::RetryPolicy::none())
        .build()
        .expect("session")
}

/// Sends each of the seven requests on `session`; returns, per request, its name and
/// the error if it failed.
pub fn send_all(
    session: &mattermost_status::Session,
) -> Vec<(&'static str, Option<mattermost_status::Error>)> {
    use mattermost_status::*;
    let user = id(ALICE);
    vec![
        ("GetStatus", GetStatus::new(user).send(session).err()),
        (
            "UpdateStatus",
            UpdateStatus::new(user)
                .status(StatusKind::Away)
                .send(session)
                .err(),
        ),
        (
            "GetStatusesByIds",
            GetStatusesByIds::new([user]).send(session).err(),
        ),
        (
            "UpdateCustomStatus",
            UpdateCustomStatus::new(user)
                .text("lunch")
                .send(session)
                .err(),
        ),
        (
            "UnsetCustomStatus",
            UnsetCustomStatus::new(user).send(session).err(),
        ),
        (
            "RemoveRecentCustomStatus POST",
            RemoveRecentCustomStatus::new(user, CustomStatus::new("x"))
                .send(session)
                .err(),
        ),
        (
            "RemoveRecentCustomStatus DELETE",
            RemoveRecentCustomStatus::new(user, CustomStatus::new("x"))
                .method(RemoveRecentMethod::Delete)
                .send(session)
                .err(),
        ),
    ]
}

/// Checks that `error` is what an answer with `status` may give: a decode error for a
/// success status, a redirect for 3xx, a rate limit for 429, an API error otherwise.
pub fn assert_error_fits_status(status: u16, error: &mattermost_status::Error) {
    use mattermost_status::Error;
    let fits = match status {
        200..=299 => matches!(error, Error::Decode(_)),
        300..=399 => matches!(error, Error::Redirect { .. }),
        429 => matches!(error, Error::RateLimited(_)),
        _ => matches!(error, Error::Api(a) if a.status() == status),
    };
    assert!(fits, "status {status} gave {error:?}");
    assert_eq!(error.status(), Some(status));
}
