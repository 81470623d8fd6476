//! The crate's one error type and its parts.
//!
//! Every fallible call returns [`Result<T>`](crate::Result), whose error is [`Error`]. Its
//! variants say *where* things went wrong, so a caller can `match` on what it can act on:
//!
//! | variant | what happened | was anything sent? |
//! |---|---|---|
//! | [`Error::InvalidInput`] | a value the server would refuse (or silently mangle) | no |
//! | [`Error::Api`] | the server answered with an error status (4xx, 5xx) | yes |
//! | [`Error::RateLimited`] | the server answered 429 Too Many Requests | yes |
//! | [`Error::Redirect`] | the server answered 3xx: the base URL is probably wrong | yes |
//! | [`Error::Transport`] | no usable HTTP answer: connect, TLS, timeout, I/O, size limit | maybe |
//! | [`Error::Decode`] | an answer with a success status whose body is not what the server sends | yes |
//!
//! No error ever contains the session's token.

use std::fmt;
use std::time::Duration;

/// `Result<T, mattermost_status::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to Mattermost.
///
/// ```
/// use mattermost_status::{Error, UserId};
///
/// let err = "not-an-id".parse::<UserId>().unwrap_err();
/// match &err {
///     Error::InvalidInput { field, .. } => assert_eq!(*field, "user_id"),
///     other => panic!("unexpected {other}"),
/// }
/// assert!(err.to_string().starts_with("invalid user_id:"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value was refused before anything was sent: `field` names the builder setter or
    /// the setting at fault, `reason` says what is wrong with it in plain words.
    #[error("invalid {field}: {reason}")]
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
        .location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default())]
    Redirect {
        /// The HTTP status (301, 302, 307, 308, ...).
        status: u16,
        /// The `Location` header, when there was one.
        location: Option<String>,
    },

    /// The request could not be completed at the HTTP level.
    #[error(transparent)]
    Transport(#[from] TransportError),

    /// The server answered with a success status, but the body is not what a Mattermost
    /// server sends for this endpoint.
    #[error(transparent)]
    Decode(Box<DecodeError>),
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
            Error::InvalidInput { .. } | Error::Transport(_) => None,
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

/// What the server said when it answered with an error status.
///
/// Mattermost sends errors as JSON (`{"id", "message", "detailed_error", "request_id",
/// "status_code"}`). When the body is something else (a proxy's HTML page, plain text),
/// `id` is `None` and `message` holds a short, cleaned excerpt of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// Mattermost's error id, such as `api.context.session_expired.app_error`.
    pub id: Option<String>,
    /// The human-readable message (the server's, or an excerpt of a non-JSON body).
    pub message: String,
    /// Mattermost's `detailed_error`, when not empty.
    pub detailed_error: Option<String>,
    /// The request id, from the body or the `X-Request-ID` header.
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the server answered {}", self.status)?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(detail) = &self.detailed_error {
            write!(f, " [{detail}]")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " (request id {request_id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 429 Too Many Requests answer, with the wait the server asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimited {
    /// How long the server asked the client to wait (`Retry-After`, or else
    /// `X-RateLimit-Reset`), when it said.
    pub retry_after: Option<Duration>,
    /// `X-RateLimit-Limit`: requests allowed per period.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the period.
    pub remaining: Option<u64>,
    /// The request id, from the `X-Request-ID` header.
    pub request_id: Option<String>,
}

impl fmt::Display for RateLimited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("rate limited by the server (429)")?;
        match self.retry_after {
            Some(wait) => write!(f, "; retry after {} s", wait.as_secs_f64()),
            None => Ok(()),
        }
    }
}

impl std::error::Error for RateLimited {}

/// A success answer whose body could not be read as what the endpoint returns.
#[derive(Debug)]
pub struct DecodeError {
    pub(crate) status: u16,
    pub(crate) expected: &'static str,
    pub(crate) excerpt: String,
    pub(crate) request_id: Option<String>,
    pub(crate) source: Option<serde_json::Error>,
}

impl DecodeError {
    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// What the crate expected (`a Status object`, ...).
    pub fn expected(&self) -> &str {
        self.expected
    }

    /// The start of the body, cleaned for display.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }

    /// Line and column of the JSON error, when the body was read as JSON.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        self.source.as_ref().map(|e| (e.line(), e.column()))
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not read the server's {} answer as {}",
            self.status, self.expected
        )?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        if !self.excerpt.is_empty() {
            write!(f, " (body starts: {:?})", self.excerpt)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

/// What kind of transport failure happened; see [`TransportError::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made (DNS, refused, unreachable). The request was not
    /// sent.
    Connect,
    /// A timeout passed: connecting, waiting for the answer, or the whole call.
    Timeout,
    /// TLS failed (certificate, handshake).
    Tls,
    /// The answer's body was larger than the session's limit.
    BodyTooLarge,
    /// The connection broke or the peer spoke something that is not HTTP.
    Io,
    /// The URL or a header could not be used.
    InvalidRequest,
    /// Anything else.
    Other,
}

impl TransportErrorKind {
    fn describe(self) -> &'static str {
        match self {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Tls => "TLS failed",
            TransportErrorKind::BodyTooLarge => "response body too large",
            TransportErrorKind::Io => "connection failed",
            TransportErrorKind::InvalidRequest => "invalid request",
            TransportErrorKind::Other => "transport error",
        }
    }
}

/// A failure below HTTP: no usable answer was received.
///
/// Transports (the built-in [`UreqTransport`](crate::UreqTransport) or your own) build it
/// with [`TransportError::new`].
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// A transport error of `kind`, with a message for people.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}
