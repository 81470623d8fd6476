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
//! One type, [`Error`]; see the [`error`] module for its variants and what each means.
//! The token never appears in any `Debug` or `Display` output of the crate.
//!
//! # Features
//!
//! - `ureq` (default): [`UreqTransport`], the built-in HTTP client. Without it the crate
//!   has no HTTP dependency and a session needs a [`Transport`] of yours.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod base_url;
mod endpoint;
pub mod error;
pub mod model;
mod requests;
mod response;
mod secret;
mod session;
pub mod transport;

pub use error::{
    ApiError, DecodeError, Error, RateLimited, Result, TransportError, TransportErrorKind,
};
pub use model::{
    CustomStatus, CustomStatusDuration, Status, StatusKind, UserId, CUSTOM_STATUS_TEXT_MAX_CHARS,
};
pub use requests::{
    GetStatus, GetStatusesByIds, RemoveRecentCustomStatus, RemoveRecentMethod, Statuses,
    UnsetCustomStatus, UpdateCustomStatus, UpdateStatus, MAX_IDS_PER_CALL,
};
pub use session::{
    Session, SessionBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
};
#[cfg(feature = "ureq")]
pub use transport::UreqTransport;
pub use transport::{HttpRequest, HttpResponse, Method, Transport};
