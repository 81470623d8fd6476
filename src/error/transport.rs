//! [`TransportError`]: no usable HTTP answer.

use std::fmt;

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
    pub(crate) kind: TransportErrorKind,
    pub(crate) message: String,
    pub(crate) source: Option<Box<dyn std::error::Error + Send + Sync>>,
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
