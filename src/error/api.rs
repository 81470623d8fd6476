//! What the server said: [`ApiError`] and [`RateLimited`].

use std::fmt;
use std::time::Duration;

use super::display::Bounded;

/// What the server said when it answered with an error status.
///
/// Mattermost sends errors as JSON (`{"id", "message", "detailed_error", "request_id",
/// "status_code"}`). When the body is something else (a proxy's HTML page, plain text),
/// [`id`](Self::id) is `None` and [`message`](Self::message) holds a short, cleaned
/// excerpt of the body.
///
/// Its `Display` is bounded and safe to print: every text the server sent is escaped
/// (control and bidi characters) and cut at a few hundred characters. The accessors give
/// the values as the server sent them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    pub(crate) status: u16,
    pub(crate) id: Option<String>,
    pub(crate) message: String,
    pub(crate) detailed_error: Option<String>,
    pub(crate) request_id: Option<String>,
}

impl ApiError {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Mattermost's error id, such as `api.context.session_expired.app_error`.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The human-readable message (the server's, or an excerpt of a non-JSON body), as
    /// sent: not escaped, not cut.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Mattermost's `detailed_error`, when not empty, as sent.
    pub fn detailed_error(&self) -> Option<&str> {
        self.detailed_error.as_deref()
    }

    /// The request id, from the body or the `X-Request-ID` header, as sent.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the server answered {}", self.status)?;
        if let Some(id) = &self.id {
            write!(f, " ({})", Bounded::short(id))?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", Bounded::long(&self.message))?;
        }
        if let Some(detail) = &self.detailed_error {
            write!(f, " [{}]", Bounded::long(detail))?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " (request id {})", Bounded::short(request_id))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 429 Too Many Requests answer, with the wait the server asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimited {
    pub(crate) retry_after: Option<Duration>,
    pub(crate) limit: Option<u64>,
    pub(crate) remaining: Option<u64>,
    pub(crate) request_id: Option<String>,
}

impl RateLimited {
    /// How long the server asked the client to wait (`Retry-After`, or else
    /// `X-RateLimit-Reset`), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// `X-RateLimit-Limit`: requests allowed per period.
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// `X-RateLimit-Remaining`: requests left in the period.
    pub fn remaining(&self) -> Option<u64> {
        self.remaining
    }

    /// The request id, from the `X-Request-ID` header, as sent.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for RateLimited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("rate limited by the server (429)")?;
        if let Some(wait) = self.retry_after {
            write!(f, "; retry after {} s", wait.as_secs_f64())?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " (request id {})", Bounded::short(request_id))?;
        }
        Ok(())
    }
}

impl std::error::Error for RateLimited {}
