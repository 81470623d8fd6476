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

    /// Replaces every occurrence of `secret` in the error's text with `[redacted]`, and
    /// drops an underlying error whose text holds it. A hostile or careless server (or a
    /// proxy's debug page) may echo the request's headers back; what the crate quotes of
    /// an answer must not carry the token to a log. An excerpt cut in the middle of the
    /// secret loses the cut-off start too.
    pub(crate) fn redact(mut self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let text = |s: &mut String| redact_text(s, secret);
        let opt = |s: &mut Option<String>| {
            if let Some(s) = s {
                redact_text(s, secret);
            }
        };
        match &mut self {
            Error::InvalidInput { reason, .. } => text(reason),
            Error::Api(e) => {
                opt(&mut e.id);
                text(&mut e.message);
                opt(&mut e.detailed_error);
                opt(&mut e.request_id);
            }
            Error::RateLimited(e) => opt(&mut e.request_id),
            Error::Redirect { location, .. } => opt(location),
            Error::Transport(e) => {
                text(&mut e.message);
                if e.source.as_ref().is_some_and(|s| mentions(&**s, secret)) {
                    e.source = None;
                }
            }
            Error::Decode(e) => {
                text(&mut e.excerpt);
                opt(&mut e.request_id);
                opt(&mut e.content_type);
                if e.source.as_ref().is_some_and(|s| mentions(s, secret)) {
                    e.source = None;
                }
            }
        }
        self
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

/// Whether `error`'s text, or that of any error under it, holds `secret`.
fn mentions(error: &(dyn std::error::Error + 'static), secret: &str) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if holds(&e.to_string(), secret) || holds(&format!("{e:?}"), secret) {
            return true;
        }
        next = e.source();
    }
    false
}

/// The shortest piece of a secret that is redacted wherever it appears: a server may
/// echo the token cut short (a truncated page, a log line). Shorter pieces are too
/// likely to be ordinary text.
const SECRET_PIECE_MIN: usize = 8;

/// The shortest start of a secret that is redacted where an excerpt was cut (`...` at
/// the end).
const CUT_SECRET_MIN: usize = 4;

const REDACTED: &str = "[redacted]";

fn redact_text(s: &mut String, secret: &str) {
    if s.contains(secret) {
        *s = s.replace(secret, REDACTED);
    }
    redact_pieces(s, secret);
    // An excerpt cut inside the secret ends with a start of it, then `...`.
    if let Some(head) = s.strip_suffix("...") {
        let cut = (CUT_SECRET_MIN..secret.len())
            .rev()
            .find(|&n| secret.get(..n).is_some_and(|start| head.ends_with(start)));
        if let Some(n) = cut {
            let keep = head.len() - n;
            s.truncate(keep);
            s.push_str(REDACTED);
            s.push_str("...");
        }
    }
}

/// Whether `text` holds `secret`, or a piece of it of [`SECRET_PIECE_MIN`] bytes.
fn holds(text: &str, secret: &str) -> bool {
    if text.contains(secret) {
        return true;
    }
    let Some(last) = secret.len().checked_sub(SECRET_PIECE_MIN) else {
        return false;
    };
    (0..=last)
        .filter_map(|i| secret.get(i..i + SECRET_PIECE_MIN))
        .any(|piece| text.contains(piece))
}

/// Replaces every run of at least [`SECRET_PIECE_MIN`] bytes that is a piece of
/// `secret` (longest first).
fn redact_pieces(s: &mut String, secret: &str) {
    if secret.len() < SECRET_PIECE_MIN {
        return;
    }
    if !holds(s, secret) {
        return;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while !rest.is_empty() {
        let longest = (SECRET_PIECE_MIN..=rest.len().min(secret.len()))
            .rev()
            .find(|&n| rest.get(..n).is_some_and(|piece| secret.contains(piece)));
        match longest {
            Some(n) => {
                out.push_str(REDACTED);
                rest = &rest[n..];
            }
            None => {
                let step = rest.chars().next().map_or(1, char::len_utf8);
                out.push_str(&rest[..step]);
                rest = &rest[step..];
            }
        }
    }
    *s = out;
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
    /// Set when the answer declared a content type other than JSON.
    pub(crate) content_type: Option<String>,
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

    /// The answer's `Content-Type`, when it was not JSON: the server always answers
    /// JSON, so this means something else (a proxy, a login portal) answered.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
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
        if let Some(content_type) = &self.content_type {
            write!(f, ": its content type is {content_type:?}, not JSON")?;
        }
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
/// Transports (the built-in [`UreqTransport`] or your own) build it with
/// [`TransportError::new`].
///
#[cfg_attr(feature = "ureq", doc = "[`UreqTransport`]: crate::UreqTransport")]
#[cfg_attr(
    not(feature = "ureq"),
    doc = "[`UreqTransport`]: https://docs.rs/mattermost-status/0.1/mattermost_status/struct.UreqTransport.html"
)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_whole_and_cut_secrets() {
        let secret = "tok3n-abcdefghijklmnop";
        let mut s = format!("echo {secret} and {secret}");
        redact_text(&mut s, secret);
        assert_eq!(s, "echo [redacted] and [redacted]");
        let mut cut = format!("Authorization: Bearer {}...", &secret[..9]);
        redact_text(&mut cut, secret);
        assert_eq!(cut, "Authorization: Bearer [redacted]...");
        let mut short = "ends with tok...".to_owned();
        redact_text(&mut short, secret);
        assert_eq!(short, "ends with tok...");
        let mut pieces = format!("a {} b {} c", &secret[..10], &secret[3..12]);
        redact_text(&mut pieces, secret);
        assert_eq!(pieces, "a [redacted] b [redacted] c");
        let mut seven = format!("é {} é", &secret[..7]);
        redact_text(&mut seven, secret);
        assert_eq!(seven, format!("é {} é", &secret[..7]));
        let api = Error::Api(Box::new(ApiError {
            status: 401,
            id: None,
            message: format!("bad token {secret}"),
            detailed_error: Some(secret.to_owned()),
            request_id: None,
        }))
        .redact(secret);
        assert!(!format!("{api} {api:?}").contains(secret));
        let decode = Error::Decode(Box::new(DecodeError {
            status: 200,
            expected: "x",
            excerpt: String::new(),
            request_id: None,
            content_type: None,
            source: serde_json::from_str::<u8>(&format!("\"{secret}\"")).err(),
        }));
        assert!(format!("{decode}").contains(secret));
        let decode = decode.redact(secret);
        assert!(!format!("{decode} {decode:?}").contains(secret), "{decode}");
    }
}
