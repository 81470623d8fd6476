//! [`TransportError`]: no usable HTTP answer.

use std::fmt;

use super::display::Bounded;

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
/// Transports (the built-in [`UreqTransport`] or your own) build it
/// with [`TransportError::new`], and attach the underlying error with
/// [`with_source`](Self::with_source).
///
/// Its `Display` says everything once: the kind, the message, and the underlying
/// error's text. [`source`](std::error::Error::source) is `None`, so that error chains
/// (anyhow, eyre) do not print the cause twice; the underlying error itself stays
/// reachable through [`cause`](Self::cause), to downcast it.
///
/// ```
/// use std::io;
/// use mattermost_status::{TransportError, TransportErrorKind};
///
/// let refused = io::Error::new(io::ErrorKind::ConnectionRefused, "Connection refused");
/// let e = TransportError::new(TransportErrorKind::Connect, "").with_source(refused);
/// assert_eq!(e.to_string(), "could not connect: Connection refused");
/// assert!(std::error::Error::source(&e).is_none());
/// let io = e.cause().and_then(|c| c.downcast_ref::<io::Error>()).unwrap();
/// assert_eq!(io.kind(), io::ErrorKind::ConnectionRefused);
/// ```
///
#[cfg_attr(
    feature = "ureq",
    doc = "[`UreqTransport`]: crate::transport::UreqTransport"
)]
#[cfg_attr(
    not(feature = "ureq"),
    doc = "[`UreqTransport`]: https://docs.rs/mattermost-status/0.1/mattermost_status/transport/struct.UreqTransport.html"
)]
#[derive(Debug)]
pub struct TransportError {
    pub(crate) kind: TransportErrorKind,
    pub(crate) message: String,
    /// The underlying error's text, taken when it was attached (redactable).
    pub(crate) detail: Option<String>,
    pub(crate) cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    pub(crate) stale_connection: bool,
}

impl TransportError {
    /// A transport error of `kind`, with a message for people (it may be empty).
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
            detail: None,
            cause: None,
            stale_connection: false,
        }
    }

    /// Attaches the underlying error: its text is shown after the message (once), and
    /// the error itself is kept for [`cause`](Self::cause).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        let text = source.to_string();
        self.detail = (!text.is_empty() && !self.message.contains(&text)).then_some(text);
        self.cause = Some(Box::new(source));
        self
    }

    /// Marks the failure as one of a **kept-alive connection the transport reused**
    /// (from its pool), which was closed or reset before any byte of the answer
    /// arrived: the server had closed it while idle, just as the request went out.
    ///
    /// The session then sends the request again at once, on a fresh connection, if it
    /// is idempotent (see [`RetryPolicy`](crate::RetryPolicy)); that does not count as
    /// an attempt and waits no backoff. Mark only that case: never a fresh connection,
    /// never after part of the answer was read.
    pub fn stale_connection(mut self) -> Self {
        self.stale_connection = true;
        self
    }

    /// Whether the transport marked this as a failure of a reused, stale connection;
    /// see [`stale_connection`](Self::stale_connection).
    pub fn is_stale_connection(&self) -> bool {
        self.stale_connection
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The message (without the underlying error's text).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The underlying error, if one was attached (and it did not hold the token).
    pub fn cause(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.cause.as_deref()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        if !self.message.is_empty() {
            write!(f, ": {}", Bounded::long(&self.message))?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {}", Bounded::long(detail))?;
        }
        Ok(())
    }
}

/// No `source()`: the cause's text is in the message (see the type's docs).
impl std::error::Error for TransportError {}
