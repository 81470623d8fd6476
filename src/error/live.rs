//! [`LiveError`]: the live status stream could not go on.

use std::fmt;

use super::display::Bounded;

/// What went wrong with a live stream; see [`LiveError::kind`].
///
/// An HTTP answer at the upgrade that is an error of the API (401, 403, 5xx) is not a
/// `LiveError` but the [`Error::Api`](crate::Error::Api) the HTTP side gives, and 429 is
/// [`Error::RateLimited`](crate::Error::RateLimited); a connection that could not be made
/// is [`Error::Transport`](crate::Error::Transport).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiveErrorKind {
    /// The websocket opened but the server never accepted the token: no `hello` and no
    /// answer to a request came within the server's authentication check (5 s after
    /// the upgrade, the server closes such a connection without a close frame). The
    /// token is wrong, expired or revoked. The stream does not reconnect.
    NotAuthenticated,
    /// The server (or a proxy in front of it) answered the upgrade request with
    /// `status` instead of `101 Switching Protocols`: typically a reverse proxy that
    /// does not pass the `Upgrade` and `Connection` headers on for the websocket path.
    UpgradeRefused {
        /// The HTTP status of the answer (200, 400, 404, ...).
        status: u16,
    },
    /// The peer broke the websocket protocol (a bad handshake, a masked or reserved
    /// frame, invalid UTF-8 in a text message, a message that is not the server's JSON).
    Protocol,
    /// A message or frame larger than [`LiveOptions::max_message_bytes`] was announced;
    /// nothing of that size was allocated.
    ///
    /// [`LiveOptions::max_message_bytes`]: crate::live::LiveOptions::max_message_bytes
    MessageTooLarge,
    /// The stream was closed ([`LiveStream::close`](crate::live::LiveStream::close)), or
    /// ended by an earlier error that it does not recover from.
    Closed,
}

/// The live status stream failed in a way of its own; see [`LiveErrorKind`].
///
/// Its `Display` says everything once (no [`source`](std::error::Error::source)); text
/// the server sent is escaped and cut, and the token never appears in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveError {
    pub(crate) kind: LiveErrorKind,
    pub(crate) message: String,
}

impl LiveError {
    pub(crate) fn new(kind: LiveErrorKind, message: impl Into<String>) -> Self {
        LiveError {
            kind,
            message: message.into(),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &LiveErrorKind {
        &self.kind
    }

    /// The message, as the crate wrote it (it may quote the server, unescaped).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.kind {
            LiveErrorKind::NotAuthenticated => "the live stream was not authenticated".to_owned(),
            LiveErrorKind::UpgradeRefused { status } => {
                format!("the websocket upgrade was answered {status}, not 101")
            }
            LiveErrorKind::Protocol => "the live stream's peer broke the protocol".to_owned(),
            LiveErrorKind::MessageTooLarge => "a live stream message is too large".to_owned(),
            LiveErrorKind::Closed => "the live stream is closed".to_owned(),
        };
        f.write_str(&what)?;
        if !self.message.is_empty() {
            write!(f, ": {}", Bounded::long(&self.message))?;
        }
        Ok(())
    }
}

impl std::error::Error for LiveError {}
