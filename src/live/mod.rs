//! Statuses as the server pushes them: [`LiveStream`], over Mattermost's websocket
//! (cargo feature `live`).
//!
//! ```no_run
//! use mattermost_status::live::{LiveEvent, StatusChange};
//! use mattermost_status::Session;
//!
//! let session = Session::builder("https://chat.example.com")
//!     .token_from_env("MM_TOKEN")
//!     .build()?;
//! let mut live = session.live()?;
//! for event in &mut live {
//!     match event? {
//!         LiveEvent::Status(StatusChange { status, .. }) => println!("I am {status}"),
//!         LiveEvent::Reconnected(how) => eprintln!("reconnected: {how:?}"),
//!         _ => {}
//!     }
//! }
//! # Ok::<(), mattermost_status::Error>(())
//! ```
//!
//! # What is pushed, what is polled
//!
//! The server decides who receives what (`ShouldSendEvent` in
//! `server/channels/app/platform/web_conn.go`):
//!
//! - **Your own status** is pushed: `status_change` is addressed to the user whose status
//!   changed (`BroadcastStatus`, `app/platform/status.go`), from any device, an admin, or
//!   the job that ends a timed Do Not Disturb. It carries no DND end time: read it with
//!   [`GetStatus`](crate::GetStatus) where it matters. Connecting sets you online.
//! - **Everyone's custom status** is pushed: setting or clearing one publishes
//!   `user_updated` to every connection (`sendUpdatedUserEvent`, `app/user.go`). The
//!   stream yields a [`CustomStatusChange`] only when a user's custom status differs from
//!   what it last knew. An expiry is never pushed (apps compute it from `expires_at`).
//! - **Other users' statuses are never pushed.** The web app polls them; so does
//!   [`LiveStream::watch`], on the same socket (`get_statuses_by_ids`), yielding only
//!   changes.
//!
//! # Never stuck, never silently behind
//!
//! Every read has a deadline. The stream sends a `ping` action every 30 s, as the web app
//! does, which keeps proxies from cutting an idle connection and proves the server is
//! there; a peer silent for longer than [`LiveOptions::stale_after`] (60 s by default) is
//! dropped. The stream then reconnects, waiting as the web app waits (3 s, growing to
//! 300 s after 7 failures, plus up to 2 s of jitter), and asks to resume with the
//! connection's id and the next sequence number: the server replays what was missed
//! from its queue (the last 128 events, for a few minutes), and the stream yields each
//! missed event once, in order, then [`Reconnect::Resumed`]. When the server cannot
//! resume (it restarted, or too much time passed) it says so with a new `hello`: the
//! stream reads its own status, the watched statuses and their custom statuses over
//! HTTP, yields what changed, then [`Reconnect::Resynced`].
//!
//! A token the server does not accept is [`LiveErrorKind::NotAuthenticated`]: the
//! server upgrades the connection anyway but sends no `hello` and closes it 5 s later,
//! and the stream does not retry. A 401 or 403 at the upgrade (from a proxy that checks
//! it) is [`Error::Api`](crate::Error::Api), as on the HTTP side.
//!
//! The session's base URL (path prefix kept), connect timeout, proxy (`CONNECT`,
//! `NO_PROXY`), trust roots and token apply, through
//! [`Transport::open_stream`](crate::transport::Transport::open_stream). The token goes in the
//! `Authorization` header of the upgrade (a resume needs it there) and never in a log
//! line: tungstenite, which logs the upgrade request at TRACE, is given a placeholder.
//!
//! [`LiveErrorKind::NotAuthenticated`]: crate::error::LiveErrorKind::NotAuthenticated

mod connect;
mod custom;
mod event;
mod options;
mod splice;
mod stream;
mod wire;

pub use event::{CustomStatusChange, LiveEvent, RawEvent, Reconnect, StatusChange, StatusSource};
pub use options::{
    LiveOptions, DEFAULT_AUTH_TIMEOUT, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MIN_WATCH_INTERVAL,
    DEFAULT_PING_INTERVAL, DEFAULT_RECONNECT_JITTER, DEFAULT_RECONNECT_MAX, DEFAULT_RECONNECT_MIN,
};
pub use stream::LiveStream;

use crate::error::Result;
use crate::Session;

impl Session {
    /// Opens a [`LiveStream`] with the default [`LiveOptions`]: connects, and waits until
    /// the server accepted the token (cargo feature `live`).
    ///
    /// ```no_run
    /// # let session = mattermost_status::Session::builder("https://chat.example.com").token("t").build()?;
    /// let mut live = session.live()?;
    /// while let Some(event) = live.next_timeout(std::time::Duration::from_secs(1))? {
    ///     println!("{event:?}");
    /// }
    /// # Ok::<(), mattermost_status::Error>(())
    /// ```
    pub fn live(&self) -> Result<LiveStream> {
        LiveOptions::new().open(self)
    }
}
