//! The crate's one error type, [`Error`], and its parts.

mod api;
mod decode;
mod display;
#[cfg(feature = "live")]
mod live;
mod parse;
mod redact;
mod transport;

pub use api::{ApiError, RateLimited};
pub use decode::DecodeError;
pub(crate) use display::Bounded;
#[cfg(feature = "live")]
pub use live::{LiveError, LiveErrorKind};
pub(crate) use parse::quoted;
pub use parse::ParseError;
pub use transport::{TransportError, TransportErrorKind};

/// `Result<T, mattermost_status::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to Mattermost: the crate's one error type.
///
/// Every fallible call returns [`Result<T>`](crate::Result), whose error is [`Error`]. Its
/// variants say *where* things went wrong, so a caller can `match` on what it can act on:
///
/// | variant | what happened | was anything sent? |
/// |---|---|---|
/// | [`Error::InvalidInput`] | a value the server would refuse (or silently mangle) | no |
/// | [`Error::Api`] | the server answered with an error status (4xx, 5xx) | yes |
/// | [`Error::RateLimited`] | the server answered 429 Too Many Requests | yes |
/// | [`Error::Redirect`] | the server answered 3xx: the base URL is probably wrong | yes |
/// | [`Error::Transport`] | no usable HTTP answer: connect, TLS, timeout, I/O, size limit | maybe |
/// | [`Error::Decode`] | an answer with a success status whose body is not what the server sends | yes |
/// | [`Error::UnknownUsers`] | no user has a username that was asked for | yes |
/// | `Error::Live` (feature `live`) | the live status stream could not go on: not authenticated, upgrade refused, protocol | yes |
///
/// No error ever contains the session's token.
///
/// # Where causes live, and printing what a server sent
///
/// Every error of this crate says everything in its `Display`, once, and has no
/// [`source()`](std::error::Error::source) (as ureq's errors do): an error chain printed
/// by anyhow or eyre shows each cause once. The underlying error of a
/// [`TransportError`] stays reachable through [`TransportError::cause`], to downcast it.
///
/// Everything a server sent that a message quotes (an error message, an id, a request
/// id, a body excerpt, a content type, a `Location`) is escaped and cut in one place
/// before it is shown: control characters (ESC, BEL, CR, LF, C1) and bidi overrides
/// come out as `\u{..}`, and long texts end with `...[N more bytes]`. So any `Display`
/// is safe to print to a terminal or a log line, and bounded (a few hundred characters
/// per field). The raw values stay in the accessors ([`ApiError::message`],
/// [`DecodeError::excerpt`], ...).
///
///
/// ```
/// use mattermost_status::{Error, Session};
///
/// let session = Session::builder("not a url").token("t").build();
/// let err = session.unwrap_err();
/// match &err {
///     Error::InvalidInput { field, .. } => assert_eq!(*field, "base_url"),
///     other => panic!("unexpected {other}"),
/// }
/// assert!(err.to_string().starts_with("invalid base_url:"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value was refused before anything was sent: `field` names the builder setter or
    /// the setting at fault, `reason` says what is wrong with it in plain words.
    #[error("invalid {field}: {reason}")]
    #[non_exhaustive]
    InvalidInput {
        /// The field at fault, as the server names it where it has a name for it
        /// (`user_id`, `status`, `dnd_end_time` is `until`, `text`, `expires_at`, ...).
        field: &'static str,
        /// Why the value was refused.
        reason: String,
    },

    /// The server answered with an error status; see [`ApiError`] for what it said.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The server (or a proxy in front of it) refused the request with 429 Too Many
    /// Requests.
    #[error(transparent)]
    RateLimited(Box<RateLimited>),

    /// The server answered with a redirect (3xx). The crate never follows redirects: an
    /// API call that is redirected almost always means the base URL is wrong (`http://`
    /// for an `https://` site, or a missing path prefix), and following it would re-send
    /// a write, or drop the `Authorization` header, behind the caller's back.
    #[error("the server answered {status} redirect{}; use the final address as the base URL",
        .location.as_deref().map(|l| format!(" to {}", Bounded::long(l))).unwrap_or_default())]
    #[non_exhaustive]
    Redirect {
        /// The HTTP status (301, 302, 307, 308, ...).
        status: u16,
        /// The `Location` header, when there was one, as sent (the error's `Display`
        /// shows it escaped and cut).
        location: Option<String>,
    },

    /// The request could not be completed at the HTTP level.
    #[error(transparent)]
    Transport(#[from] TransportError),

    /// The server answered with a success status, but the body is not what a Mattermost
    /// server sends for this endpoint.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// Users were named by username and the server has no user by one or more of these
    /// names (or the token's user may not see them): from
    /// [`GetUsersByUsernames::resolve`](crate::GetUsersByUsernames::resolve).
    #[error("no user{} named {}", if .usernames.len() == 1 { "" } else { "s" }, .usernames.join(", "))]
    #[non_exhaustive]
    UnknownUsers {
        /// The names no user has, lowercase, each once, in the order they were asked for.
        usernames: Vec<String>,
    },

    /// The live status stream ([`live`](crate::live), cargo feature `live`) could not go
    /// on; see [`LiveError`] for what happened.
    #[cfg(feature = "live")]
    #[error(transparent)]
    Live(Box<LiveError>),
}

impl Error {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }

    /// The HTTP status of the server's answer, for errors that have one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::RateLimited(_) => Some(429),
            Error::Redirect { status, .. } => Some(*status),
            Error::Decode(e) => Some(e.status),
            #[cfg(feature = "live")]
            Error::Live(e) => match e.kind() {
                LiveErrorKind::UpgradeRefused { status } => Some(*status),
                _ => None,
            },
            Error::InvalidInput { .. } | Error::Transport(_) | Error::UnknownUsers { .. } => None,
        }
    }

    /// The Mattermost error id (`api.status.user_not_found.app_error`, ...), when the
    /// server sent one.
    pub fn api_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.id.as_deref(),
            _ => None,
        }
    }

    /// The request id the server gave this request, for its administrator's logs.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::RateLimited(e) => e.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// `true` for 401: the token is missing, wrong, expired or revoked.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// `true` for 403: the token's user may not do this (for example, change another
    /// user's status without the `edit_other_users` permission).
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(403)
    }

    /// `true` for 404: for a status lookup, the server has user statuses turned off (a
    /// user with no status reads as `offline`, not as 404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// `true` for 429, see [`Error::RateLimited`].
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited(_))
    }

    /// `true` when the error is a timeout of the transport (connect, read or the whole
    /// call).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(t) if t.kind() == TransportErrorKind::Timeout)
    }
}
