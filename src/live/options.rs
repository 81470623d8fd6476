//! [`LiveOptions`]: how a [`LiveStream`](super::LiveStream) keeps its connection.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::Session;

use super::LiveStream;

/// How often the stream sends a `ping` action by default: every 30 s, as the web app does
/// (`clientPingInterval = 30000` in `webapp/platform/client/src/websocket.ts`).
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(30);

/// The shortest reconnect wait by default: 3 s, the web app's `minWebSocketRetryTime`.
pub const DEFAULT_RECONNECT_MIN: Duration = Duration::from_secs(3);

/// The longest reconnect wait by default: 300 s, the web app's `maxWebSocketRetryTime`.
pub const DEFAULT_RECONNECT_MAX: Duration = Duration::from_secs(300);

/// The most random time added to each reconnect wait by default: 2 s, as the web app adds
/// `Math.random() * 2000` ms.
pub const DEFAULT_RECONNECT_JITTER: Duration = Duration::from_secs(2);

/// The largest message (and frame) the stream reads by default: 8 MiB, the session's
/// default body limit. A `posted` event carries a whole post; statuses are tiny.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;

/// How long after the upgrade the stream waits by default for the server to show the
/// token was accepted (a `hello`, or the answer to its first `ping`): 10 s. The server
/// itself closes a connection without a valid token 5 s after the upgrade
/// (`authCheckInterval`, `server/channels/app/platform/web_conn.go`); the rest is slack
/// for a slow network.
pub const DEFAULT_AUTH_TIMEOUT: Duration = Duration::from_secs(10);

/// The shortest [`watch`](super::LiveStream::watch) interval by default: 5 s, so that a
/// watch never polls faster than `mmstatus watch` may.
pub const DEFAULT_MIN_WATCH_INTERVAL: Duration = Duration::from_secs(5);

/// How a live stream keeps its connection: pings, when a silent peer counts as gone,
/// reconnect waits, the message size limit, and which events it yields.
///
/// [`Session::live`] opens a stream with the defaults; build one of these to change them:
///
/// ```no_run
/// use std::time::Duration;
/// use mattermost_status::live::LiveOptions;
/// # let session = mattermost_status::Session::builder("https://chat.example.com").token("t").build()?;
/// let mut live = LiveOptions::new()
///     .ping_interval(Duration::from_secs(20))
///     .reconnect_backoff(Duration::from_secs(1), Duration::from_secs(60))
///     .open(&session)?;
/// # Ok::<(), mattermost_status::Error>(())
/// ```
///
/// Every duration here exists so that a test need not wait out the real ones.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "options do nothing until `.open(&session)`"]
pub struct LiveOptions {
    pub(crate) ping_interval: Duration,
    pub(crate) stale_after: Option<Duration>,
    pub(crate) reconnect_min: Duration,
    pub(crate) reconnect_max: Duration,
    pub(crate) reconnect_jitter: Duration,
    pub(crate) max_message_bytes: usize,
    pub(crate) raw_events: bool,
    pub(crate) auth_timeout: Duration,
    pub(crate) min_watch_interval: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            ping_interval: DEFAULT_PING_INTERVAL,
            stale_after: None,
            reconnect_min: DEFAULT_RECONNECT_MIN,
            reconnect_max: DEFAULT_RECONNECT_MAX,
            reconnect_jitter: DEFAULT_RECONNECT_JITTER,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            raw_events: false,
            auth_timeout: DEFAULT_AUTH_TIMEOUT,
            min_watch_interval: DEFAULT_MIN_WATCH_INTERVAL,
        }
    }
}

impl LiveOptions {
    /// The defaults (see each setter).
    pub fn new() -> Self {
        LiveOptions::default()
    }

    /// How often to send a `ping` action, which the server answers (default 30 s, as
    /// the web app). It keeps proxies from cutting an idle connection (Mattermost's
    /// nginx guide sets `proxy_read_timeout 90s`) and proves the peer is there.
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.ping_interval = interval;
        self
    }

    /// How long the peer may go without answering our pings or sending an event (its
    /// own websocket pings, and JSON that is neither, do not count) before the
    /// connection counts as dead and the stream reconnects.
    ///
    /// Default: the ping interval plus one more interval for the answer, so 60 s with
    /// the default interval. That is the web app's rule: a ping still unanswered when
    /// the next one is due closes the connection (code 4000). A live server answers a
    /// ping in milliseconds and pings us every 60 s itself. Must be longer than the ping
    /// interval.
    pub fn stale_after(mut self, silence: Duration) -> Self {
        self.stale_after = Some(silence);
        self
    }

    /// The wait before a reconnect: `min` for the first attempts, growing up to `max`
    /// (defaults 3 s and 300 s, the web app's), plus a random jitter.
    pub fn reconnect_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.reconnect_min = min;
        self.reconnect_max = max;
        self
    }

    /// The most random time added to each reconnect wait (default 2 s, as the web app),
    /// so that clients cut off together do not come back together.
    pub fn reconnect_jitter(mut self, jitter: Duration) -> Self {
        self.reconnect_jitter = jitter;
        self
    }

    /// The largest message or frame to read (default 8 MiB). A larger one is refused
    /// as it is announced, before anything of it is kept, with
    /// [`LiveErrorKind::MessageTooLarge`](crate::error::LiveErrorKind::MessageTooLarge).
    pub fn max_message_bytes(mut self, limit: usize) -> Self {
        self.max_message_bytes = limit;
        self
    }

    /// Also yield the events the stream does not interpret (`posted`, `typing`, ...), as
    /// [`LiveEvent::Raw`](super::LiveEvent::Raw). Default `false`: they are skipped.
    pub fn raw_events(mut self, raw: bool) -> Self {
        self.raw_events = raw;
        self
    }

    /// How long after the upgrade to wait for the server to show it accepted the token
    /// (default 10 s; the server closes an unauthenticated socket after 5 s).
    pub fn auth_timeout(mut self, timeout: Duration) -> Self {
        self.auth_timeout = timeout;
        self
    }

    /// The shortest interval [`watch`](super::LiveStream::watch) accepts (default 5 s).
    /// Lower it only against a server of your own (or the fake) in tests.
    pub fn min_watch_interval(mut self, interval: Duration) -> Self {
        self.min_watch_interval = interval;
        self
    }

    /// The silence after which the peer counts as gone (see
    /// [`stale_after`](Self::stale_after)).
    pub(crate) fn stale_bound(&self) -> Duration {
        self.stale_after
            .unwrap_or_else(|| self.ping_interval.saturating_mul(2))
    }

    fn check(&self) -> Result<()> {
        if self.ping_interval.is_zero() {
            return Err(Error::invalid("ping_interval", "must be more than zero"));
        }
        if self.stale_bound() <= self.ping_interval {
            return Err(Error::invalid(
                "stale_after",
                "must be longer than the ping interval (a peer needs time to answer a ping)",
            ));
        }
        if self.reconnect_min > self.reconnect_max {
            return Err(Error::invalid(
                "reconnect_backoff",
                "the shortest wait is longer than the longest",
            ));
        }
        if self.max_message_bytes < 1024 {
            return Err(Error::invalid(
                "max_message_bytes",
                "must be at least 1024 (the server's hello alone takes a few hundred bytes)",
            ));
        }
        if self.auth_timeout.is_zero() {
            return Err(Error::invalid("auth_timeout", "must be more than zero"));
        }
        Ok(())
    }

    /// Checks the options, connects, and waits until the server accepted the token (its
    /// `hello`). Errors: [`Error::InvalidInput`] for an option (nothing sent);
    /// [`Error::Transport`] when no connection could be made; [`Error::Api`] for 401,
    /// 403 and 5xx at the upgrade and [`Error::RateLimited`] for 429;
    /// [`Error::Live`] when the upgrade was refused or the token not accepted.
    pub fn open(self, session: &Session) -> Result<LiveStream> {
        self.check()?;
        LiveStream::open(session.clone(), self)
    }
}
