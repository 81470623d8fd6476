//! What the server said: [`ApiError`] and [`RateLimited`].

use std::fmt;
use std::time::Duration;

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
