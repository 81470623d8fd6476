//! Shared by the test binaries: the fault server (from `transport::conformance`) and
//! small helpers.

#![allow(dead_code)] // each test binary uses its own part of it

/// The fault server lives in the library, for third-party transport authors too.
#[cfg(feature = "conformance")]
pub use mattermost_status::transport::conformance::server as fault_server;

/// Starts a fault server playing `script(n)` for the n-th request.
#[cfg(feature = "conformance")]
pub fn start_server(
    script: impl Fn(usize) -> fault_server::Fault + Send + Sync + 'static,
) -> fault_server::FaultServer {
    fault_server::FaultServer::start(script).expect("start a fault server on 127.0.0.1")
}

/// Starts a fault server answering every request with `reply`.
#[cfg(feature = "conformance")]
pub fn serve_always(reply: Vec<u8>) -> fault_server::FaultServer {
    fault_server::FaultServer::always(reply).expect("start a fault server on 127.0.0.1")
}

/// The test fault server as `tests/hostile.rs` and `tests/trace_log.rs` were written for
/// it (issue 12, on main), over the library's (`transport::conformance::server`, where
/// it moved).
#[cfg(feature = "conformance")]
#[allow(unused_imports)] // each test binary uses its own part of it
pub mod compat_fault_server {
    pub use super::fault_server::{json, response, Fault, Recorded};

    pub struct FaultServer(super::fault_server::FaultServer);

    impl FaultServer {
        pub fn start(script: impl Fn(usize) -> Fault + Send + Sync + 'static) -> Self {
            FaultServer(super::start_server(script))
        }
        pub fn always(reply: Vec<u8>) -> Self {
            FaultServer(super::serve_always(reply))
        }
        pub fn url(&self) -> String {
            self.0.url()
        }
        pub fn requests(&self) -> Vec<Recorded> {
            self.0.requests()
        }
        pub fn attempts(&self) -> usize {
            self.0.attempts()
        }
        /// How many connections it accepted, up to the last that carried a request
        /// (connections are numbered in the order accepted).
        pub fn connections(&self) -> usize {
            self.requests()
                .iter()
                .map(|r| r.connection + 1)
                .max()
                .unwrap_or(0)
        }
    }

    pub fn refused_url() -> String {
        super::refused()
    }

    /// A JSON answer that keeps the connection alive.
    pub fn json_keep_alive(status: u16, body: &str) -> Vec<u8> {
        super::fault_server::keep_alive_response(
            status,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
    }
}

/// A base URL where nothing listens.
#[cfg(feature = "conformance")]
pub fn refused() -> String {
    fault_server::refused_url().expect("bind 127.0.0.1")
}

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
    let user: UserId = USER.parse().expect("user id");
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
