//! An in-memory Mattermost status server, for tests and demos (cargo feature `fake`).
//!
//! [`FakeServer`] answers the seven status endpoints the way the real server's handlers do:
//! the same validation and its order, the same status codes, error ids and `AppError` JSON
//! (with `request_id` and the `X-Request-ID` header), the same quirks. It holds users with
//! tokens (one of them a system admin), their statuses, custom statuses and recent custom
//! statuses, and a clock the test controls, so Do Not Disturb and custom statuses can end
//! without anyone sleeping.
//!
//! Reach it two ways:
//!
//! - **in process**: a `FakeServer` is a [`Transport`]; [`FakeServer::session`] gives a
//!   [`Session`] that talks to it with no socket at all. The fastest way for unit tests.
//! - **over HTTP**: [`FakeServer::serve`] listens on `127.0.0.1` (a free port), so the
//!   real [`UreqTransport`](crate::transport::UreqTransport), curl or any program can talk to it.
//!
//! # Testing your own tool with it
//!
//! Say your tool has a "focus" command: Do Not Disturb for an hour, and a custom status
//! saying so. Run it against the fake, then look at what the server was left with:
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use mattermost_status::fake::FakeServer;
//! use mattermost_status::{Session, StatusKind, UpdateCustomStatus, UpdateStatus, UserId};
//!
//! /// The code under test: it only knows a `Session`.
//! fn focus(session: &Session, minutes: u64) -> mattermost_status::Result<()> {
//!     let end = SystemTime::now() + Duration::from_secs(minutes * 60);
//!     UpdateStatus::new(UserId::me()).status(StatusKind::Dnd).until(end).send(session)?;
//!     UpdateCustomStatus::new(UserId::me())
//!         .emoji("headphones")
//!         .text("Focusing")
//!         .expires_at(end)
//!         .send(session)?;
//!     Ok(())
//! }
//!
//! let fake = FakeServer::new();
//! let alice = fake.user("alice").expect("FakeServer::new() has alice");
//! let session = fake.session(&alice)?; // in process; or Session::builder(server.url())
//!
//! focus(&session, 60)?;
//!
//! let status = fake.status(alice.id).expect("a status was set");
//! assert_eq!(status.status, StatusKind::Dnd);
//! assert!(status.manual);
//! assert_eq!(fake.custom_status(alice.id).map(|cs| cs.text), Some("Focusing".to_owned()));
//!
//! // An hour and a minute later (no sleeping), DND has ended by itself.
//! fake.advance(Duration::from_secs(61 * 60));
//! assert_eq!(fake.status(alice.id).map(|s| s.status), Some(StatusKind::Offline));
//! # Ok::<(), mattermost_status::Error>(())
//! ```
//!
//! Over HTTP, the same test builds its session from the served URL instead:
//!
//! ```
//! # #[cfg(feature = "ureq")] {
//! use mattermost_status::fake::FakeServer;
//! use mattermost_status::{GetStatus, Session, StatusKind, UserId};
//!
//! let fake = FakeServer::new();
//! let server = fake.serve()?; // http://127.0.0.1:<free port>, until dropped
//! let bob = fake.user("bob").expect("FakeServer::new() has bob");
//! let session = Session::builder(server.url()).token(&bob.token).build()?;
//! let status = GetStatus::new(UserId::me()).send(&session)?;
//! assert_eq!(status.status, StatusKind::Offline); // no status yet reads as offline
//! server.stop();
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The websocket
//!
//! `GET /api/v4/websocket` is served as the server serves it (`api4/websocket.go`,
//! `app/platform/web_conn.go`, `web_hub.go`, `websocket_router.go`, `status.go`,
//! `wsapi/`, `model/websocket_message.go`), over [`serve`](FakeServer::serve)'s socket
//! and in process: [`Transport::open_stream`] on a `FakeServer` gives one end of an
//! in-memory pipe, and the client speaks the websocket over it exactly as over TCP.
//!
//! ```
//! use std::time::Duration;
//! use mattermost_status::fake::FakeServer;
//! use mattermost_status::transport::Transport;
//! use mattermost_status::{Status, StatusKind};
//! use tungstenite::client::IntoClientRequest;
//!
//! let fake = FakeServer::new();
//! let alice = fake.user("alice").unwrap();
//! let stream = fake.open_stream("http://fake-mattermost.invalid", Duration::from_secs(5))?;
//! let mut request = "ws://fake-mattermost.invalid/api/v4/websocket".into_client_request()?;
//! let bearer = format!("Bearer {}", alice.token);
//! request.headers_mut().insert("Authorization", bearer.parse()?);
//! let (mut ws, _) = tungstenite::client::client_with_config(request, stream, None)
//!     .map_err(|e| e.to_string())?;
//!
//! let hello = ws.read()?; // {"event":"hello",...,"seq":0}
//! assert!(hello.to_text()?.starts_with(r#"{"event":"hello""#));
//! let online = ws.read()?; // connecting set her online: her own status_change, seq 1
//! assert!(online.to_text()?.contains(r#""status":"online""#));
//! fake.set_status(&Status::new(alice.id, StatusKind::Away));
//! let away = ws.read()?;
//! assert!(away.to_text()?.contains(r#""status":"away""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Reproduced:
//!
//! - The upgrade with no credential; the token from the `MMAUTHTOKEN` cookie, then
//!   `Authorization: Bearer` (any case) or `Token`, then `?access_token=`, which for a valid
//!   session token is 401 `api.context.token_provided.app_error` with no upgrade. An unknown
//!   token still upgrades, gets no `hello`, no answers, and is closed with no close frame
//!   after the auth check (5 s) unless an `authentication_challenge` succeeds first.
//! - `hello` first, numbered 0, with a 26-character `connection_id` and `server_version`
//!   (`version.build.hash.licensed`); after a challenge: `hello`, the OK, then the user's
//!   own `status_change`. A challenge on an authenticated connection is not answered; one
//!   with no or a wrong token closes the socket at once.
//! - Events and answers byte for byte as the server writes them: `hello` and answers by
//!   `json.Encoder` (compact, a newline), broadcast events in the hub's precomputed form
//!   (`{"event": ..., "data": ..., "broadcast": ..., "seq": N}`), `data` keys sorted,
//!   `omitempty` fields left out, errors with the server's ids and status codes.
//! - The router's order (`no_action`, `bad_seq`, the challenge, `not_authenticated`,
//!   `bad_action` 500) and the actions `get_statuses`, `get_statuses_by_ids`, `ping`,
//!   `user_update_active_status`, `user_typing` (the fake has no channels: every channel
//!   is one the user cannot post in), `presence` and `posted_notify_ack`. An undecodable request
//!   closes the socket; a client message over 8192 bytes closes it with 1009.
//! - `status_change` (`{"status","user_id"}`) only to that user's connections, from every
//!   path that changes a status: the REST API, [`set_status`](FakeServer::set_status),
//!   [`record_activity`](FakeServer::record_activity), connecting (unless a status set by
//!   hand is in force, and only when it changed), the last connection closing (offline,
//!   again unless set by hand), a pong once the away timeout (300 s on the fake's clock)
//!   has passed, and a timed DND ending as the fake's clock passes it. `user_updated` on
//!   a custom status set or cleared, in the server's three copies (admins, everyone else,
//!   the user); `sidebar_category_updated` and `preferences_changed` to the user when the
//!   recent custom statuses change (setting one, removing a recent one). `EnableUserStatuses` off: no status events, empty answers.
//! - Per connection numbering from 0 with no gaps, the last 128 events kept; a dropped
//!   connection stays, inactive, queueing (256, then it is discarded), until the reaper
//!   (every 5 min on the fake's clock, for connections whose last activity is 5 min old).
//!   A reconnect with `connection_id` and `sequence_number` and header auth resumes it:
//!   the missed events again with their numbers, nothing when caught up, a new id and
//!   `hello` when some were lost; challenge-only, unknown or still-active ids get a fresh
//!   connection. Answers are never replayed. Slow connections lose `status_change` first.
//! - Ping frames every 60 s; no pong for 100 s closes the socket (data frames do not
//!   count); client pings get pongs. All four timings are settable
//!   ([`set_live_timings`](FakeServer::set_live_timings)), and a test can cut every socket
//!   ([`drop_live_connections`](FakeServer::drop_live_connections)), make them go silent
//!   as a half-open connection does
//!   ([`stall_live_connections`](FakeServer::stall_live_connections)), or age out every
//!   inactive connection ([`expire_live_connections`](FakeServer::expire_live_connections)).
//!   Every websocket closes when the fake (its last clone) or its HTTP server goes.
//! - Each upgrade request is a request in [`requests`](FakeServer::requests):
//!   `GET /api/v4/websocket`, without its query.
//!
//! Not reproduced: msgpack (binary) requests (the fake closes, as for an undecodable
//! one), channels and teams (so no `typing` event), guests, bots,
//! personal access tokens and OAuth, MFA, session expiry, the `Origin` check (every
//! origin is allowed; the server allows requests with none), high availability, the
//! `posted_ack` and `disconnect_err_code` parameters (accepted, unused), the 400 a plain
//! GET of the websocket route gets (the fake answers it as an unknown route).
//!
//! # What it reproduces, and what it does not
//!
//! Reproduced, from the server's source (`api4/status.go`, `app/platform/status.go`,
//! `model/custom_status.go`, `app/custom_status.go`, `web/context.go`):
//!
//! - 401 `api.context.session_expired.app_error` for a missing or unknown token
//!   (`Authorization: Bearer`/`Token`, or `?access_token=`); routes that do not exist are
//!   404 `api.context.404.app_error` and known routes with another method 405, before any
//!   token check.
//! - `me` in the path is the caller; other path ids must be 26 letters or digits, else 400
//!   `api.context.invalid_url_param.app_error` naming `user_id`.
//! - Reading any user's status needs no permission; a user with no stored status (also an
//!   id no user has) reads as `offline`, `manual: false`, times `0`. Statuses by ids are
//!   sorted and deduplicated, stored ones first, then the `offline` ones.
//! - Status update: undecodable body 400 `status`; body `user_id` not the path's (after
//!   `me`) 400 `user_id`; another user without being admin 403
//!   `api.context.permissions.app_error`; a value other than online/away/offline/dnd 400
//!   `status`. `online` is automatic and stamps `last_activity_at` (ms); `offline` is manual
//!   and stamps it; `away` is manual and keeps it; `dnd` is manual, remembers the previous
//!   status, and stores `dnd_end_time` (s) cut down to the minute (`0` = no end, past
//!   times accepted). The minute job returns an ended DND to the previous status,
//!   automatic: the fake runs it before every request and when its clock moves.
//! - Leaving `ooo` turns the auto-responder off ([`FakeServer::auto_responder_active`]).
//! - `EnableUserStatuses = false`: setters do nothing, a single status is 404
//!   `api.status.user_not_found.app_error`, statuses by ids is `[]`.
//! - Statuses by ids: undecodable body 400 `api.payload.parse.error`; empty list or an id
//!   whose length is not 26 400 `user_ids`.
//! - Custom statuses: `EnableCustomUserStatuses = false` 501 `api.custom_status.disabled`
//!   (checked before the body); undecodable body, emoji and text both empty, or an invalid
//!   duration/expiry pair 400 `custom_status`; 403 for another user; then Go's `PreSave`
//!   (no duration + future expiry becomes `date_and_time`, text cut to 100 runes). Setting
//!   one puts it first in the recent list, replacing one with the same text, at most 5.
//!   Unsetting succeeds with none set and keeps the recent list. `expires_at` keeps the
//!   UTC offset it was sent with, as Go's `time.Time` does.
//! - Removing a recent one: undecodable body 400 `recent_custom_status`; a user who never
//!   set one 400 `app.preference.get.app_error`; no entry whose Go JSON is byte-equal
//!   (or emoji and text empty) 400
//!   `api.custom_status.recent_custom_statuses.delete.app_error`. Both routes (`DELETE
//!   .../recent`, `POST .../recent/delete`) are one handler.
//! - Go's JSON decoding: field names match without regard to case, unknown fields are
//!   ignored, anything after the first JSON value is ignored, every field of the Go struct
//!   is type checked.
//!
//! Deliberately not reproduced, and why:
//!
//! - Activity tracking by the REST API (the server marks users online on some requests):
//!   a status changes only through the API, the websocket (connecting, the last
//!   connection closing, `user_update_active_status`, pongs after the away timeout),
//!   [`FakeServer::record_activity`] or [`FakeServer::set_status`].
//! - When DND ends: the server's job runs once a minute, so a real DND ends up to a minute
//!   after its (truncated) end time; the fake ends it at the first request or clock move
//!   at or after it, so tests need not wait for a job.
//! - The newer status path behind the server's `AccurateStatuses` feature flag (off by
//!   default): the fake follows the long-standing one above.
//! - Order among stored statuses in a statuses-by-ids answer: the server's depends on its
//!   cache and database; the fake sorts them. Clients must not rely on it (the SDK's
//!   [`Statuses`](crate::Statuses) does not).
//! - Cookie sessions and CSRF, rate limiting (off by default on servers; the SDK's 429
//!   handling is tested against scripted answers), the server's request size limits,
//!   users' other properties and the rest of the REST API: outside the seven endpoints.
//! - Error `message` texts: they follow the server's English ones but are not guaranteed
//!   word for word (a server translates them); rely on the ids.
//!
//! Three read-only routes outside the seven are served, for clients that name users by
//! username and to see what the seven changed: `GET /api/v4/users/{user_id}` (id,
//! username, roles and `props.customStatus`); `POST /api/v4/users/usernames`
//! (`getUsersByNames`: the same user objects for the names found, sorted by username,
//! unknown names left out, `[]` when none is found; an undecodable or empty list 400
//! `usernames`; names match exactly, as on PostgreSQL); and
//! `GET /api/v4/users/{user_id}/preferences/custom_status/name/recent_custom_statuses`
//! (403 for another user without `edit_other_users`; 400 `app.preference.get.app_error`
//! for a user who never set a custom status, as the server answers a missing preference).
//! The server's view restrictions (who may see whom) are not reproduced: every user sees
//! every user.
//! A custom status that has expired is kept as it was (none of the seven endpoints clears
//! it; the apps hide an expired one); see [`FakeServer::custom_status`].

use std::fmt;
use std::net::ToSocketAddrs;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

mod gojson;
mod http;
mod live;
mod routes;
mod store;

pub use self::http::FakeHttpServer;
pub use self::live::LiveTimings;

use self::routes::Answer;
use self::store::{to_public, State};
use crate::error::{TransportError, TransportErrorKind};
use crate::model::{CustomStatus, Status, UserId};
use crate::transport::{HttpRequest, HttpResponse, Transport};
use crate::Session;

/// The address in-process sessions are built with; nothing is ever sent there.
const IN_PROCESS_URL: &str = "http://fake-mattermost.invalid";

/// An account on a [`FakeServer`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FakeUser {
    /// The user's id (the same in every run: it is derived from the username).
    pub id: UserId,
    /// The username.
    pub username: String,
    /// The token that logs in as this user (also derived from the username: not a secret).
    pub token: String,
    /// `true` for a system admin, who may change other users' statuses.
    pub is_admin: bool,
}

/// An in-memory Mattermost status server. See the [module docs](self).
///
/// Cloning it is cheap and the clones share one state: keep one in the test to look at
/// and change the state while the code under test talks to another (or to
/// [`serve`](FakeServer::serve)'s socket).
#[derive(Clone)]
pub struct FakeServer {
    state: Arc<Mutex<State>>,
    /// Wakes the websocket writers when the state changed.
    wake: Arc<Condvar>,
    /// Held by every clone: when the last one goes, the websocket connections close.
    alive: Arc<Alive>,
}

/// Closes every websocket connection (and joins the in-process ones' threads) when the
/// last clone of a [`FakeServer`] is dropped.
struct Alive(live::Core);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// The state, locked; unlocking wakes the websocket writers (a change may have queued an
/// event).
struct Locked<'a> {
    guard: MutexGuard<'a, State>,
    wake: &'a Condvar,
}

impl Deref for Locked<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.guard
    }
}

impl DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.guard
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.wake.notify_all();
    }
}

impl Default for FakeServer {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeServer {
    /// A server with a system admin `sysadmin` and two users, `alice` and `bob`, none of
    /// whom has a status yet. Its clock is the machine's until moved.
    pub fn new() -> Self {
        let fake = Self::empty();
        fake.add_admin("sysadmin");
        fake.add_user("alice");
        fake.add_user("bob");
        fake
    }

    /// A server with no users.
    pub fn empty() -> Self {
        let state = Arc::new(Mutex::new(State::new()));
        let wake = Arc::new(Condvar::new());
        let core = live::Core {
            state: Arc::clone(&state),
            wake: Arc::clone(&wake),
        };
        FakeServer {
            state,
            wake,
            alive: Arc::new(Alive(core)),
        }
    }

    fn lock(&self) -> Locked<'_> {
        // The state is plain data and every change to it is complete when made: a panic
        // elsewhere cannot leave it half-changed.
        Locked {
            guard: self.state.lock().unwrap_or_else(|e| e.into_inner()),
            wake: &self.wake,
        }
    }

    /// What the websocket threads hold.
    fn core(&self) -> &live::Core {
        &self.alive.0
    }

    /// Adds a regular user, or returns the user who already has this name.
    pub fn add_user(&self, username: &str) -> FakeUser {
        public_user(self.lock().add_user(username, false))
    }

    /// Adds a system admin, or returns the user who already has this name.
    pub fn add_admin(&self, username: &str) -> FakeUser {
        public_user(self.lock().add_user(username, true))
    }

    /// The user with this name.
    pub fn user(&self, username: &str) -> Option<FakeUser> {
        self.lock().user_by_name(username).map(public_user)
    }

    /// Every user, in the order they were added.
    pub fn users(&self) -> Vec<FakeUser> {
        self.lock().users().iter().map(public_user).collect()
    }

    /// A session logged in as `user` that talks to this server in process (no socket),
    /// on this server's [`clock`](Self::clock).
    pub fn session(&self, user: &FakeUser) -> crate::Result<Session> {
        Session::builder(IN_PROCESS_URL)
            .token(user.token.clone())
            .transport(self.clone())
            .clock(self.clock())
            .build()
    }

    /// This server's clock, for [`SessionBuilder::clock`](crate::SessionBuilder::clock):
    /// a session on it checks end times against the server's time, so that
    /// `until(fake.now() + 10 min)` is in the future however far the clock was moved.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mattermost_status::fake::FakeServer;
    /// use mattermost_status::{Session, StatusKind, UpdateStatus};
    ///
    /// let fake = FakeServer::new();
    /// let alice = fake.user("alice").unwrap();
    /// let http = fake.serve()?;
    /// let session = Session::builder(http.url())
    ///     .token(alice.token.clone())
    ///     .clock(fake.clock())
    ///     .build()?;
    /// fake.advance(Duration::from_secs(30 * 86_400));
    /// UpdateStatus::new(alice.id)
    ///     .status(StatusKind::Dnd)
    ///     .until(fake.now() + Duration::from_secs(600))
    ///     .send(&session)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clock(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let fake = self.clone();
        move || fake.now()
    }

    /// Serves this server over HTTP on `127.0.0.1`, on a port the system picks.
    pub fn serve(&self) -> std::io::Result<FakeHttpServer> {
        self.serve_on("127.0.0.1:0")
    }

    /// Serves this server over HTTP on `addr`.
    pub fn serve_on(&self, addr: impl ToSocketAddrs) -> std::io::Result<FakeHttpServer> {
        FakeHttpServer::start(self.clone(), addr)
    }

    // ---- the clock ----

    /// The server's time.
    pub fn now(&self) -> SystemTime {
        self.lock().now()
    }

    /// Moves the server's clock ahead; DND whose end has come ends at once.
    pub fn advance(&self, by: Duration) {
        self.lock().advance(by);
    }

    /// Stops the server's clock at `now` (it no longer follows the machine's).
    pub fn set_now(&self, now: SystemTime) {
        self.lock().set_now(now);
    }

    // ---- configuration ----

    /// `ServiceSettings.EnableUserStatuses` (default on).
    pub fn set_enable_user_statuses(&self, enabled: bool) {
        self.lock().enable_user_statuses = enabled;
    }

    /// `TeamSettings.EnableCustomUserStatuses` (default on).
    pub fn set_enable_custom_user_statuses(&self, enabled: bool) {
        self.lock().enable_custom_user_statuses = enabled;
    }

    // ---- the websocket ----

    /// The websocket's timings (the server's unless set).
    pub fn live_timings(&self) -> LiveTimings {
        self.lock().live.timings
    }

    /// Sets the websocket's timings, for tests that must not wait out the server's
    /// (60 s pings, 100 s pong wait, 5 s auth check, 5 min reaper). Open connections
    /// follow the new values from their next wait on.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mattermost_status::fake::{FakeServer, LiveTimings};
    ///
    /// let fake = FakeServer::new();
    /// let mut timings = LiveTimings::default();
    /// timings.auth_check = Duration::from_millis(100); // a bad token is cut off quickly
    /// fake.set_live_timings(timings);
    /// ```
    pub fn set_live_timings(&self, timings: LiveTimings) {
        self.lock().live.timings = timings;
    }

    /// Closes every open websocket at once, with no close frame, as a network cut or a
    /// proxy restart does. The server does not notice more than a closed socket: each
    /// connection stays, inactive, queueing its events, and a client that reconnects with
    /// its `connection_id` and `sequence_number` resumes it.
    ///
    /// ```
    /// use mattermost_status::fake::FakeServer;
    ///
    /// let fake = FakeServer::new();
    /// fake.drop_live_connections();
    /// assert_eq!(fake.live_connection_count(), 0);
    /// ```
    pub fn drop_live_connections(&self) {
        self.lock().live.drop_sockets();
    }

    /// Every open websocket goes silent, as behind a network path that died without a
    /// reset (a half-open connection): the fake writes nothing more on it (no events, no
    /// answers, no pings) and what arrives is lost, pongs included, so only the client's
    /// own timeouts can notice. Events for the connection keep queueing. As the server
    /// would, the fake gives up on the socket once the pong wait has passed (closing it),
    /// and a resume then gets what was queued.
    ///
    /// ```
    /// use mattermost_status::fake::FakeServer;
    ///
    /// let fake = FakeServer::new();
    /// fake.stall_live_connections(); // none open: nothing to do
    /// ```
    pub fn stall_live_connections(&self) {
        self.lock().live.stall_sockets();
    }

    /// Forgets every inactive websocket connection, as the reaper does once they are too
    /// old: a reconnect with their `connection_id` gets a new connection and a `hello`.
    /// After [`drop_live_connections`](Self::drop_live_connections), it is what a server
    /// restart leaves: every client reconnects to a fresh connection.
    ///
    /// ```
    /// use mattermost_status::fake::FakeServer;
    ///
    /// let fake = FakeServer::new();
    /// fake.expire_live_connections();
    /// assert_eq!(fake.resumable_live_connection_count(), 0);
    /// ```
    pub fn expire_live_connections(&self) {
        self.lock().live.expire_inactive();
    }

    /// How many websockets are open now (upgraded and not yet closed, with or without a
    /// session), in process and over HTTP.
    pub fn live_connection_count(&self) -> usize {
        self.lock().live.socket_count()
    }

    /// How many connections are inactive but could still be resumed.
    pub fn resumable_live_connection_count(&self) -> usize {
        let mut state = self.lock();
        let now = state.now_millis();
        state.live.reap(now);
        state.live.resumable_count()
    }

    // ---- the state ----

    /// The stored status of `user_id`; `None` when the server has none (the API then
    /// answers `offline`).
    pub fn status(&self, user_id: UserId) -> Option<Status> {
        let mut state = self.lock();
        state.expire_dnd();
        state
            .stored_status(user_id.as_str())
            .map(|s| to_public(user_id, s))
    }

    /// Stores `status` as it is, to start a test from it (for example `ooo`, which the API
    /// cannot set: it also turns the user's auto-responder on). A DND stored this way ends
    /// back in the status stored before it, or `offline`.
    pub fn set_status(&self, status: &Status) {
        self.lock().seed_status(status);
    }

    /// The user was active (a web or mobile client connected): `online`, automatic, unless
    /// a status set by hand is in force.
    pub fn record_activity(&self, user_id: UserId) {
        self.lock().set_status_online(user_id.as_str(), false);
    }

    /// The custom status of `user_id`, as stored. An expired one is kept (the apps hide
    /// it): compare its `expires_at` with [`now`](FakeServer::now).
    pub fn custom_status(&self, user_id: UserId) -> Option<CustomStatus> {
        let state = self.lock();
        state
            .user(user_id.as_str())?
            .custom_status
            .as_ref()
            .map(|cs| cs.to_public())
    }

    /// The custom status of `user_id` as the server's JSON (`props.customStatus`), byte
    /// for byte.
    pub fn custom_status_json(&self, user_id: UserId) -> Option<String> {
        let state = self.lock();
        state
            .user(user_id.as_str())?
            .custom_status
            .as_ref()
            .map(|cs| cs.encode())
    }

    /// The recent custom statuses of `user_id`, newest first.
    pub fn recent_custom_statuses(&self, user_id: UserId) -> Vec<CustomStatus> {
        let state = self.lock();
        state
            .user(user_id.as_str())
            .and_then(|u| u.recent.as_ref())
            .map(|list| list.iter().map(|cs| cs.to_public()).collect())
            .unwrap_or_default()
    }

    /// `true` while the user's out-of-office auto-responder is on (see
    /// [`set_status`](FakeServer::set_status)); setting any other status turns it off.
    pub fn auto_responder_active(&self, user_id: UserId) -> bool {
        self.lock()
            .user(user_id.as_str())
            .is_some_and(|u| u.auto_responder)
    }

    /// How many HTTP requests the server has answered, in process and over sockets.
    pub fn request_count(&self) -> u64 {
        self.lock().request_count()
    }

    /// Every request the server has answered (in process and over sockets, whatever the
    /// answer), oldest first, as `METHOD /path`: the path as sent, with any site prefix,
    /// without the query string (which may hold an `access_token`). To check which
    /// requests the code under test sent, or that it sent none.
    ///
    /// The log grows with every request and is never trimmed: it is meant for tests,
    /// not for a fake left serving for days.
    ///
    /// ```
    /// use mattermost_status::fake::FakeServer;
    /// use mattermost_status::{GetStatus, UserId};
    ///
    /// let fake = FakeServer::new();
    /// let session = fake.session(&fake.user("alice").expect("FakeServer::new() has alice"))?;
    /// assert!(fake.requests().is_empty());
    /// GetStatus::new(UserId::me()).send(&session)?;
    /// assert_eq!(fake.requests(), ["GET /api/v4/users/me/status"]);
    /// # Ok::<(), mattermost_status::Error>(())
    /// ```
    pub fn requests(&self) -> Vec<String> {
        self.lock().request_log().to_vec()
    }

    fn answer(
        &self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Answer {
        self.lock().handle(method, target, authorization, body)
    }
}

fn public_user(u: &store::User) -> FakeUser {
    FakeUser {
        // Derived ids are always valid; `me` would only mean "no such user" here.
        id: UserId::parse(&u.id).unwrap_or_else(|_| UserId::me()),
        username: u.username.clone(),
        token: u.token.clone(),
        is_admin: u.admin,
    }
}

impl fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("FakeServer")
            .field("users", &state.users().len())
            .field("requests", &state.request_count())
            .finish_non_exhaustive()
    }
}

/// Answers in process: the request never leaves the test. [`open_stream`] gives one end
/// of an in-memory pipe whose other end the fake serves on a thread, as its HTTP front end
/// serves a TCP connection: the caller writes the websocket upgrade request
/// (`GET /api/v4/websocket`) and speaks the protocol over it.
///
/// [`open_stream`]: Transport::open_stream
impl Transport for FakeServer {
    fn open_stream(
        &self,
        url: &str,
        timeout: Duration,
    ) -> Result<Box<dyn crate::transport::Stream>, TransportError> {
        let _ = timeout; // nothing to connect to
        if crate::site_url::request_target(url).is_none() {
            return Err(TransportError::new(
                TransportErrorKind::InvalidRequest,
                format!("not an absolute URL: {url}"),
            ));
        }
        self.core().open_pipe().map_err(|e| {
            TransportError::new(
                TransportErrorKind::Connect,
                format!("could not start the in-process websocket: {e}"),
            )
        })
    }

    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let Some(target) = crate::site_url::request_target(request.url()) else {
            return Err(TransportError::new(
                TransportErrorKind::InvalidRequest,
                format!("not an absolute URL: {}", request.url()),
            ));
        };
        let answer = self.answer(
            request.method().as_str(),
            target,
            request.header("Authorization"),
            request.body().unwrap_or_default(),
        );
        if answer.body.len() as u64 > request.max_response_bytes() {
            return Err(TransportError::new(
                TransportErrorKind::BodyTooLarge,
                format!(
                    "the answer has {} bytes, more than the limit of {}",
                    answer.body.len(),
                    request.max_response_bytes()
                ),
            ));
        }
        let mut response = HttpResponse::new(answer.status, answer.body);
        for (name, value) in answer.headers {
            if request.wants_response_header(&name) {
                response.push_header(name, value);
            }
        }
        Ok(response)
    }
}
