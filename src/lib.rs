//! A blocking, synchronous client for the Mattermost REST v4 user status endpoints.
//!
//! For command-line tools, build scripts, cron jobs and small programs without an async
//! runtime: read and set a user's status (online, away, offline, Do Not Disturb with an
//! end time) and custom status (emoji, text, expiry).
//!
//! | request | HTTP |
//! |---|---|
//! | [`GetStatus`] | `GET /api/v4/users/{user_id}/status` |
//! | [`UpdateStatus`] | `PUT /api/v4/users/{user_id}/status` |
//! | [`GetStatusesByIds`] | `POST /api/v4/users/status/ids` |
//! | [`UpdateCustomStatus`] | `PUT /api/v4/users/{user_id}/status/custom` |
//! | [`UnsetCustomStatus`] | `DELETE /api/v4/users/{user_id}/status/custom` |
//! | [`RemoveRecentCustomStatus`] | `POST .../status/custom/recent/delete` or `DELETE .../status/custom/recent` |
//! | [`GetRecentCustomStatuses`] | `GET .../preferences/custom_status/name/recent_custom_statuses` |
//! | [`GetUsersByUsernames`] | `POST /api/v4/users/usernames` |
//! | [`GetUsersByIds`] | `POST /api/v4/users/ids` |
//!
//! Every request is a builder. `send(&session)` checks it against the server's own rules
//! first, and a value the server would refuse becomes [`Error::InvalidInput`], naming the
//! field, with nothing sent.
//!
//! ```no_run
//! use std::time::{Duration, SystemTime};
//! use mattermost_status::{Session, StatusKind, UpdateStatus, UserId};
//!
//! let session = Session::builder("https://chat.example.com")
//!     .token_from_env("MM_TOKEN")
//!     .build()?;
//! let end = SystemTime::now() + Duration::from_secs(3600);
//! UpdateStatus::new(UserId::me())
//!     .status(StatusKind::Dnd)
//!     .until(end)
//!     .send(&session)?;
//! # Ok::<(), mattermost_status::Error>(())
//! ```
//!
//! # Errors
//!
//! One type, [`Error`]; its docs list the variants and what each means.
//! The token never appears in any `Debug` or `Display` output of the crate.
//!
//! # Reliability
//!
//! A call never hangs: the session's [`timeout`](SessionBuilder::timeout) bounds it
//! whole, retries included. Failures that are safe to retry (could not connect; 429,
//! honouring `Retry-After`; 502, 503 and 504 for idempotent requests) are retried with
//! exponential backoff and jitter, see [`RetryPolicy`]. Redirects are never followed.
//! Hostile answers (oversized, truncated, not JSON, not HTTP) become typed errors.
//!
//! # Features
//!
//! - `ureq` (default): [`UreqTransport`], the built-in HTTP client. Without it the crate
//!   has no HTTP dependency and a session needs a [`Transport`] of yours.
//! - `tz`: IANA time-zone names (`Europe/Paris`) for the [`expiry`] helpers, through
//!   [jiff](https://docs.rs/jiff) and the system's time-zone database.
//! - `log`: one line per request through the [`log`](https://docs.rs/log) facade:
//!   method, path, status, attempts and elapsed time, never the token. About ureq's own
//!   lines, see [Logging](#logging).
//! - `fake` (off by default): [`fake`], an in-memory Mattermost status server to test
//!   tools against, in process or over HTTP on loopback.
//! - `curl`: `CurlTransport`, a second transport on the system's libcurl (its TLS
//!   library, CA bundle and proxy settings), held to the same contract as the built-in
//!   one; `SessionBuilder::curl` uses it.
//! - `platform-verifier`: certificates verified by the operating system when
//!   [`SessionBuilder::system_roots`] is on (without it, the system's CA bundle file is
//!   read).
//! - `live`: [`live`], the live status stream over the server's websocket
//!   (tungstenite): your own status and everyone's custom status as the server pushes
//!   them, other users' statuses polled on the same socket, with reconnects that resume
//!   without losing an event; `Session::live`.
//!
//! Beside the library, in the same repository: the `mmstatus` command-line tool (its own
//! package: `cargo install mmstatus`), and `mattermost-status-conformance`, the
//! [`Transport`] contract as a suite that any transport, yours included, can run.
//!
//! # Logging
//!
//! No log line holds the token, at any level, whatever your logger lets through: the
//! crate's own line (feature `log`) never does, and the built-in transport never hands
//! the token to ureq, whose TRACE level logs every byte of every request
//! (`ureq_proto::util`); ureq gets a placeholder of the same length, replaced by the
//! token only as the bytes leave for the network. This does **not** hold for
//! `UreqTransport::with_agent` (ureq then gets the header as it is): with such a
//! transport, keep `ureq_proto` at DEBUG or below (`RUST_LOG=trace,ureq_proto=debug`).
//! A [`Transport`] on another HTTP client may log headers at its lowest level: check.
//!
//! # Guide
//!
//! ## Getting a token
//!
//! Every status endpoint needs a logged-in user. The usual credential for a script is a
//! *personal access token*: the system administrator enables them (System Console >
//! Integrations > Integration Management > Enable Personal Access Tokens) and, for a
//! user who is not an administrator, grants the permission (System Console > Users >
//! the user > Manage Roles > Allow this account to generate personal access tokens).
//! The user then creates one in Profile > Security > Personal Access Tokens. Keep it
//! out of source code and command lines: read it with
//! [`token_from_env`](SessionBuilder::token_from_env) or
//! [`token_from_file`](SessionBuilder::token_from_file). A session token (the
//! `MMAUTHTOKEN` cookie of a browser session) works too, but expires.
//!
//! ## `me`
//!
//! [`UserId::me()`] stands for the token's own user, and the server accepts it in every
//! URL path. It does not accept it in a status update's body or in the list of
//! [`GetStatusesByIds`]: [`UpdateStatus`] resolves it for you (one extra request, once
//! per session), and [`Session::current_user_id`] gives the real id.
//!
//! ```no_run
//! use mattermost_status::{GetStatusesByIds, Session, UserId};
//!
//! let session = Session::builder("https://chat.example.com")
//!     .token_from_env("MM_TOKEN")
//!     .build()?;
//! let me = session.current_user_id()?; // a real 26-character id
//! let alice: UserId = "9jd3wz5ssbrp8ny7hcyqfj3y7a".parse()?;
//! for status in &GetStatusesByIds::new([me, alice]).send(&session)? {
//!     println!("{}: {}", status.user_id, status.status);
//! }
//! # Ok::<(), mattermost_status::Error>(())
//! ```
//!
//! ## Matching errors
//!
//! [`Error::InvalidInput`] means nothing was sent: fix the value named by `field`.
//! Everything else happened on the way to or at the server; the helpers
//! ([`Error::is_unauthorized`], [`Error::is_not_found`], [`Error::is_rate_limited`], ...)
//! cover the common cases, and [`Error::api_id`] gives Mattermost's error id.
//!
//! ```no_run
//! use mattermost_status::{Error, GetStatus, Session, UserId};
//!
//! # let session = Session::builder("https://chat.example.com").token("t").build()?;
//! match GetStatus::new(UserId::me()).send(&session) {
//!     Ok(status) => println!("{}", status.status),
//!     Err(Error::InvalidInput { field, reason, .. }) => eprintln!("fix {field}: {reason}"),
//!     Err(e) if e.is_unauthorized() => eprintln!("the token is wrong or revoked"),
//!     Err(Error::RateLimited(r)) => eprintln!("slow down; retry after {:?}", r.retry_after()),
//!     Err(Error::Transport(t)) => eprintln!("network: {t}"),
//!     Err(e) => eprintln!("{e} (request id {:?})", e.request_id()),
//! }
//! # Ok::<(), mattermost_status::Error>(())
//! ```
//!
//! ## Do Not Disturb while something runs
//!
//! [`Session::dnd_until`] returns a [`StatusGuard`] that puts the previous status back
//! when dropped; read its limits (a killed process restores nothing).
//!
//! ```no_run
//! use std::time::{Duration, SystemTime};
//! # let session = mattermost_status::Session::builder("https://chat.example.com")
//! #     .token("t").build()?;
//! let dnd = session.dnd_until(SystemTime::now() + Duration::from_secs(2 * 3600))?;
//! let built = std::process::Command::new("make").status();
//! dnd.restore()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## A custom status with a sensible expiry
//!
//! The [`expiry`] helpers compute `expires_at` as Mattermost's apps do ("today" ends at
//! the user's midnight, "this week" on Saturday night):
//!
//! ```no_run
//! use mattermost_status::expiry::{TimeZone, UtcOffset};
//! use mattermost_status::{CustomStatusDuration, UpdateCustomStatus, UserId};
//! # let session = mattermost_status::Session::builder("https://chat.example.com")
//! #     .token("t").build()?;
//! let zone = TimeZone::fixed("-05:00".parse::<UtcOffset>()?); // or TimeZone::named(..) with `tz`
//! UpdateCustomStatus::new(UserId::me())
//!     .emoji("house")
//!     .text("Working from home")
//!     .lasting(CustomStatusDuration::Today, &zone)
//!     .send(&session)?;
//! # Ok::<(), mattermost_status::Error>(())
//! ```
//!
//! ## Live statuses
//!
//! With the cargo feature `live`, `Session::live` opens a stream of typed events over
//! the server's websocket: your own status as the server pushes it, everyone's custom
//! status, other users' statuses polled on the same socket (`LiveStream::watch`: the
//! server pushes nobody's status but your own), and a reconnect that resumes without
//! losing an event or says it resynced. The `live` module has the details
//! (`docs/live.md` in the repository, the why behind each rule).
//!
//! ```no_run
//! # #[cfg(feature = "live")] {
//! # let session = mattermost_status::Session::builder("https://chat.example.com")
//! #     .token("t").build()?;
//! let mut live = session.live()?;
//! for event in &mut live {
//!     println!("{:?}", event?);
//! }
//! # }
//! # Ok::<(), mattermost_status::Error>(())
//! ```
//!
//! ## Testing
//!
//! Code that uses a [`Session`] can be tested without a Mattermost server: give the
//! session a [`Transport`] of yours that answers as the server would (or, with the
//! crate's embedded in-memory server behind the `fake` feature, a real HTTP server on
//! 127.0.0.1). A minimal test double:
//!
//! ```
//! use mattermost_status::transport::{HttpRequest, HttpResponse, Transport};
//! use mattermost_status::{GetStatus, Session, StatusKind, TransportError, UserId};
//!
//! #[derive(Debug)]
//! struct AlwaysDnd;
//!
//! impl Transport for AlwaysDnd {
//!     fn send(&self, _: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
//!         let body = br#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"dnd"}"#;
//!         Ok(HttpResponse::new(200, body.to_vec()))
//!     }
//! }
//!
//! let session = Session::builder("https://chat.example.com")
//!     .token("test")
//!     .transport(AlwaysDnd)
//!     .build()?;
//! assert_eq!(GetStatus::new(UserId::me()).send(&session)?.status, StatusKind::Dnd);
//! # Ok::<(), mattermost_status::Error>(())
//! ```
//! [`Transport`]: transport::Transport
// The crate docs link to feature-gated items; without the feature the link goes to docs.rs
// (built with all features), so no feature set has a broken link.
#![cfg_attr(
    feature = "ureq",
    doc = "[`UreqTransport`]: crate::transport::UreqTransport"
)]
#![cfg_attr(
    not(feature = "ureq"),
    doc = "[`UreqTransport`]: https://docs.rs/mattermost-status/0.1/mattermost_status/transport/struct.UreqTransport.html"
)]
#![cfg_attr(feature = "fake", doc = "[`fake`]: crate::fake")]
#![cfg_attr(
    not(feature = "fake"),
    doc = "[`fake`]: https://docs.rs/mattermost-status/0.1/mattermost_status/fake/index.html"
)]
// docs.rs builds with `--cfg docsrs` (Cargo.toml): every item behind a feature gets its
// "Available on crate feature ..." badge. `doc_cfg` (nightly) does this by itself since
// `doc_auto_cfg` was merged into it (rust-lang/rust#138907).
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod endpoint;
mod error;
pub mod expiry;
#[cfg(feature = "fake")]
pub mod fake;
mod guard;
#[cfg(feature = "live")]
pub mod live;
mod logging;
mod model;
mod requests;
mod response;
mod retry;
mod secret;
mod session;
mod site_url;
pub mod transport;

pub use error::{
    ApiError, DecodeError, Error, ParseError, RateLimited, Result, TransportError,
    TransportErrorKind,
};
#[cfg(feature = "live")]
pub use error::{LiveError, LiveErrorKind};
pub use guard::StatusGuard;
#[cfg(feature = "live")]
pub use live::{
    CustomStatusChange, LiveEvent, LiveOptions, LiveStream, RawEvent, Reconnect, StatusChange,
    StatusSource,
};
pub use model::{
    CustomStatus, CustomStatusDuration, Status, StatusKind, User, UserId, UserRef,
    CUSTOM_STATUS_TEXT_MAX_CHARS, USERNAME_MAX_LEN,
};
pub use requests::{
    GetRecentCustomStatuses, GetStatus, GetStatusesByIds, GetUsersByIds, GetUsersByUsernames,
    RemoveRecentCustomStatus, RemoveRecentMethod, Statuses, UnsetCustomStatus, UpdateCustomStatus,
    UpdateStatus, MAX_IDS_PER_CALL, MAX_USERNAMES_PER_CALL,
};
pub use retry::RetryPolicy;
pub use session::{
    Session, SessionBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_IDLE_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, MAX_TIMEOUT,
};
pub use site_url::SiteUrl;

/// The README's code blocks, compiled as doctests so the quick start cannot rot (they
/// use the `fake` server, so they run with `--all-features`, as the test suite does).
#[cfg(all(doctest, feature = "fake", feature = "ureq"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
