//! An in-memory Mattermost status server, for tests and demos (cargo feature `fake`).
//!
//! [`FakeServer`] answers the seven status endpoints, the user and preference read routes
//! beside them and the admin routes a test sets a server up with, the way the real
//! server's handlers do:
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
//!   (`Authorization: Bearer`/`Token`); a valid token in `?access_token=` is 401
//!   `api.context.token_provided.app_error` (only OAuth sessions may); routes that do not exist are
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
//! - Cookie sessions and CSRF, MFA, OAuth, the server's request size limits, teams,
//!   channels beyond a guest's view restrictions (set in Rust only), password rules
//!   beyond the default length, and the rest of the REST API.
//! - Etags and sanitizing of the newest servers may differ in details (their
//!   `SanitizeProfile` takes an `asAdmin` argument); the fake follows the model code it
//!   names. Preferences come sorted by category and name (the server's query has no
//!   order).
//! - Error `message` texts: they follow the server's English ones but are not guaranteed
//!   word for word (a server translates them); rely on the ids.
//!
//! ## Users, as the server sends them to whom
//!
//! From `model/user.go`, `api4/user.go`, `app/user.go`, `app/users/`:
//!
//! - A user is `model.User`'s JSON: the struct's field order, every key without
//!   `omitempty` always (`id`, `delete_at`, `username`, `auth_service`, `email`,
//!   `nickname`, `first_name`, `last_name`, `position`, `roles`, `locale`, `timezone`,
//!   `disable_welcome_email`), the others only when not empty; never a password, MFA
//!   secret or last login; `auth_data` is `""`.
//! - One's own account (`getUser`/`getUserByUsername` of oneself, and the answers of
//!   `createUser` and `patchUser`) is `Sanitize({})`: with email, names, notify props and
//!   the last password update. Anyone else, and everyone in a list (`POST /users/ids`,
//!   `/users/usernames`, oneself included), is `SanitizeProfile`: no notify props, and
//!   the email and first/last name only when `PrivacySettings.ShowEmailAddress` /
//!   `ShowFullName` allow ([`set_show_email_address`](FakeServer::set_show_email_address),
//!   [`set_show_full_name`](FakeServer::set_show_full_name)) or the viewer is a system
//!   admin.
//! - Bots ([`add_bot`](FakeServer::add_bot), `POST /bots`) have `is_bot`,
//!   `bot_description`, the email `<username>@localhost`. Deactivated users
//!   ([`set_active`](FakeServer::set_active), `PUT /users/{id}/active`) keep being
//!   answered by every user route, with `delete_at`; their token stops working.
//! - Guests ([`add_guest`](FakeServer::add_guest)) have `view_members` in no role, so the
//!   server restricts them to the members of their channels
//!   ([`add_channel_members`](FakeServer::add_channel_members)): `GET /users/{id}` of
//!   anyone else is 403, an unknown username 403 (not 404), lists leave the others out.
//!   Everyone else sees guests.
//! - `GET /api/v4/users/{user_id}` (`UserCanSeeOtherUser`, then 404
//!   `app.user.missing_account.const`; an `ETag` and 304 for `If-None-Match`);
//!   `GET /users/username/{username}` (400 `username` unless `model.IsValidUsername`,
//!   404 `app.user.get_by_username.app_error`); `POST /users/usernames` and
//!   `/users/ids` (sorted by username, unknown ones left out); `GET
//!   /users/{user_id}/preferences`, `.../preferences/{category}` (404
//!   `api.preference.preferences_category.get.app_error` when empty) and
//!   `.../{category}/name/{name}` (400 `app.preference.get.app_error` when missing), for
//!   oneself or with `edit_other_users` (403 otherwise). A new user has the three
//!   preferences `createUserOrGuest` saves; the recent custom statuses are the
//!   `custom_status`/`recent_custom_statuses` row.
//!
//! ## Set-up through the admin routes
//!
//! A test can set the fake up as it would set up a real server, with a system admin's
//! token ([`FakeServer::new`]'s `sysadmin`), so the same set-up runs against both:
//!
//! - `POST /api/v4/users` (`createUser`): an admin creates users (201); anyone else only
//!   with `TeamSettings.EnableOpenServer`. `SanitizeInput`, `PreSave` (lowercase
//!   username and email, default locale), `IsValid` (400 `model.user.is_valid.*`), a
//!   password of 8 to 72 bytes, unique username and email.
//! - `PUT /users/{user_id}/patch` (`patchUser`): oneself or an admin; one's own new email
//!   needs the password.
//! - `PUT /users/{user_id}/active` (`updateUserActive`): an admin; oneself only to
//!   deactivate and with `TeamSettings.EnableUserDeactivation`. Deactivating sets the
//!   status offline (unless set by hand) and deactivates the user's bots.
//! - `POST /api/v4/bots` (`createBot`): an admin, with
//!   `ServiceSettings.EnableBotAccountCreation` (403 `api.bot.create_disabled`, the
//!   default).
//! - `POST /api/v4/users/login` (`login`): `login_id` (username or email) and
//!   `password`; the session token comes back in the `Token` header. Users added in Rust
//!   have the password `<username>-password` ([`FakeUser::password`]).
//! - `POST /api/v4/users/{user_id}/tokens` (`createUserAccessToken`): an admin; for bots
//!   always, for users with `ServiceSettings.EnableUserAccessTokens`.
//! - `POST /users/{user_id}/demote` and `/promote` (`demoteUserToGuest`,
//!   `promoteGuestToUser`): an admin; demoting needs `GuestAccountsSettings.Enable` (the
//!   fake acts as a licensed server). Over HTTP a guest is in no channel, so sees only
//!   themself; channels are set in Rust ([`add_channel_members`](FakeServer::add_channel_members)).
//! - `PUT /api/v4/config/patch` (`patchConfig`): an admin; the fake follows
//!   `ServiceSettings.EnableUserStatuses`/`EnableBotAccountCreation`/
//!   `EnableUserAccessTokens`, `TeamSettings.
//!   EnableCustomUserStatuses`/`EnableUserCreation`/`EnableOpenServer`/
//!   `EnableUserDeactivation`, `EmailSettings.EnableSignUpWithEmail`,
//!   `GuestAccountsSettings.Enable`, `PrivacySettings`
//!   and `RateLimitSettings`, and answers those sections (the server answers its whole
//!   config). Invalid rate limits are 400 `model.config.is_valid.*`.
//!
//! ```
//! # #[cfg(feature = "ureq")] {
//! use mattermost_status::fake::FakeServer;
//! use mattermost_status::transport::{HttpRequest, Method, Transport};
//! use mattermost_status::transport::UreqTransport;
//!
//! let fake = FakeServer::new();
//! let server = fake.serve()?;
//! let admin = fake.user("sysadmin").expect("FakeServer::new() has sysadmin");
//! let auth = format!("Bearer {}", admin.token);
//! let url = format!("{}/api/v4/users", server.url());
//! let body = br#"{"username":"carol","email":"carol@example.com","password":"s3cret-enough","first_name":"Carol"}"#;
//! let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
//! let created = UreqTransport::default()
//!     .send(&HttpRequest::new(Method::Post, &url).with_headers(&headers).with_body(body))?;
//! assert_eq!(created.status(), 201);
//! assert!(fake.user("carol").is_some());
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Limits and faults on demand
//!
//! - The server's rate limiter ([`set_rate_limit`](FakeServer::set_rate_limit) or
//!   `RateLimitSettings` through `PUT /config/patch`), off by default as on the server:
//!   throttled's GCRA (`MaxBurst + 1` at once, then `PerSec`), keyed by remote address,
//!   token (and then user id), and `VaryByHeader`; `X-RateLimit-Limit`, `-Remaining`,
//!   `-Reset` on every answer, `Retry-After` and the plain-text body `limit exceeded` on
//!   a 429. It runs on the fake's clock: [`advance`](FakeServer::advance) instead of
//!   sleeping.
//! - [`FakeServer::inject`] arms a [`Fault`] for the next matching request(s): an
//!   `AppError` with any status and id, the server's busy 503, a proxy's HTML 502/503/504
//!   (with `Retry-After` for maintenance), a delay, a dropped connection. Over HTTP, the
//!   fake's own route `POST /_fake/faults` (a system admin's token; body
//!   `{"kind":"app_error"|"server_busy"|"proxy"|"delay"|"drop", "status":500,
//!   "id":"...", "message":"...", "retry_after":30, "millis":1500, "method":"GET",
//!   "path":"/api/v4/users/me/status", "times":1}`) arms one, `DELETE /_fake/faults`
//!   disarms all; no real server has it.
//!
//! # Testing your tool's error handling on the fake alone
//!
//! The code under test decides what to tell its user when the server fails; the fake
//! fails on demand, in process, with no mock server:
//!
//! ```
//! use mattermost_status::fake::{Fault, FakeServer, RateLimitSettings};
//! use mattermost_status::{Error, GetStatus, RetryPolicy, Session, UserId};
//!
//! /// The code under test: a one-line status, or what went wrong.
//! fn status_line(session: &Session) -> String {
//!     match GetStatus::new(UserId::me()).send(session) {
//!         Ok(status) => format!("you are {}", status.status),
//!         Err(Error::RateLimited(_)) => "the server is busy, try again later".to_owned(),
//!         Err(e) if e.status() == Some(503) => "Mattermost is down for maintenance".to_owned(),
//!         Err(e) if e.status().is_some_and(|s| s >= 500) => format!("server error: {e}"),
//!         Err(e) => format!("error: {e}"),
//!     }
//! }
//!
//! let fake = FakeServer::new();
//! let alice = fake.user("alice").expect("FakeServer::new() has alice");
//! // In process, without the session's retries (they would wait real time).
//! let session = Session::builder("http://fake.invalid")
//!     .token(alice.token.clone())
//!     .transport(fake.clone())
//!     .clock(fake.clock())
//!     .retry(RetryPolicy::none())
//!     .build()?;
//!
//! fake.inject(Fault::app_error(500, "app.status.get.app_error"));
//! assert!(status_line(&session).starts_with("server error"));
//!
//! fake.inject(Fault::maintenance(60));
//! assert_eq!(status_line(&session), "Mattermost is down for maintenance");
//!
//! let mut limits = RateLimitSettings::default();
//! limits.enable = true;
//! limits.per_sec = 1;
//! limits.max_burst = 1;
//! fake.set_rate_limit(limits).expect("valid settings");
//! assert_eq!(status_line(&session), "you are offline");
//! assert_eq!(status_line(&session), "you are offline");
//! assert_eq!(status_line(&session), "the server is busy, try again later");
//! fake.advance(std::time::Duration::from_secs(1));
//! assert_eq!(status_line(&session), "you are offline");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A custom status that has expired is kept as it was (none of the seven endpoints clears
//! it; the apps hide an expired one); see [`FakeServer::custom_status`].

use std::fmt;
use std::net::ToSocketAddrs;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

mod admin;
mod faults;
mod gojson;
mod http;
mod live;
mod ratelimit;
mod routes;
mod store;

pub use self::faults::{Fault, FaultKind};
pub use self::http::FakeHttpServer;
pub use self::live::LiveTimings;
pub use self::ratelimit::RateLimitSettings;

use self::routes::{Answer, Request};
use self::store::{to_public, BotRow, Profile, State};
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
    /// The password `POST /api/v4/users/login` takes: `<username>-password` for users
    /// added in Rust, the one given to `POST /users`, empty for bots (who cannot log in).
    pub password: String,
    /// `true` for a system admin, who may change other users' statuses.
    pub is_admin: bool,
    /// `true` for a guest (role `system_guest`), who sees only the members of their
    /// channels.
    pub is_guest: bool,
    /// `true` for a bot account.
    pub is_bot: bool,
}

/// A change to a user's profile, for [`FakeServer::patch_user`]: the fields given change,
/// the others stay (as the server's `UserPatch`).
///
/// ```
/// use mattermost_status::fake::{FakeServer, UserPatch};
///
/// let fake = FakeServer::new();
/// let alice = fake.user("alice").unwrap();
/// fake.patch_user(alice.id, UserPatch::new().first_name("Alice").last_name("Liddell").position("QA"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "a patch does nothing until given to `FakeServer::patch_user`"]
pub struct UserPatch {
    nickname: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    position: Option<String>,
    email: Option<String>,
    locale: Option<String>,
}

impl UserPatch {
    /// A patch that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The nickname.
    pub fn nickname(mut self, v: impl Into<String>) -> Self {
        self.nickname = Some(v.into());
        self
    }

    /// The first name.
    pub fn first_name(mut self, v: impl Into<String>) -> Self {
        self.first_name = Some(v.into());
        self
    }

    /// The last name.
    pub fn last_name(mut self, v: impl Into<String>) -> Self {
        self.last_name = Some(v.into());
        self
    }

    /// The position (job title).
    pub fn position(mut self, v: impl Into<String>) -> Self {
        self.position = Some(v.into());
        self
    }

    /// The email address (stored lowercase, as the server does).
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// The locale (`en`, `de`, ...).
    pub fn locale(mut self, v: impl Into<String>) -> Self {
        self.locale = Some(v.into());
        self
    }
}

/// A setting the server would refuse (`Config.IsValid`); names the server's error id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    id: &'static str,
}

impl InvalidSetting {
    /// The error id the server answers such a config with.
    pub fn id(&self) -> &'static str {
        self.id
    }
}

impl fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the server refuses this setting ({})", self.id)
    }
}

impl std::error::Error for InvalidSetting {}

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

    /// Adds a guest (role `system_guest`), or returns the user who already has this name.
    /// A guest sees only themself and the members of the channels they share
    /// ([`add_channel_members`](Self::add_channel_members)).
    pub fn add_guest(&self, username: &str) -> FakeUser {
        let mut state = self.lock();
        if let Some(u) = state.user_by_name(username) {
            return public_user(u);
        }
        let mut profile = Profile::new_user(username);
        profile.guest = true;
        profile.password = store::seed_password(username);
        let i = state.insert_account(username, false, profile);
        public_user(&state.users()[i])
    }

    /// Adds a bot owned by `owner`, as `POST /api/v4/bots` does (whatever
    /// `EnableBotAccountCreation` says), or returns the user who already has this name.
    /// Its `token` stands for a personal access token of the bot.
    pub fn add_bot(&self, username: &str, description: &str, owner: &FakeUser) -> FakeUser {
        let mut state = self.lock();
        if let Some(u) = state.user_by_name(username) {
            return public_user(u);
        }
        let profile = Profile {
            email: format!("{username}@localhost"),
            remote_id: None,
            bot: Some(BotRow {
                display_name: String::new(),
                description: description.to_owned(),
                owner_id: owner.id.as_str().to_owned(),
            }),
            ..Profile::new_user(username)
        };
        let i = state.insert_account(username, false, profile);
        public_user(&state.users()[i])
    }

    /// Changes a user's profile (names, nickname, position, email, locale) as
    /// `PUT /users/{id}/patch` would; `false` when no user has this id.
    pub fn patch_user(&self, user_id: UserId, patch: UserPatch) -> bool {
        let mut state = self.lock();
        let now = state.now_millis();
        let Some(user) = state.user_mut(user_id.as_str()) else {
            return false;
        };
        let p = &mut user.profile;
        for (slot, v) in [
            (&mut p.nickname, patch.nickname),
            (&mut p.first_name, patch.first_name),
            (&mut p.last_name, patch.last_name),
            (&mut p.position, patch.position),
            (&mut p.email, patch.email.map(|e| e.to_lowercase())),
            (&mut p.locale, patch.locale),
        ] {
            if let Some(v) = v {
                *slot = v;
            }
        }
        user.update_at = now;
        true
    }

    /// Deactivates (`false`) or reactivates a user as `PUT /users/{id}/active` does: a
    /// deactivated user keeps being answered by the user routes (with `delete_at` set),
    /// their token stops working, their status goes offline (unless set by hand) and
    /// their bots are deactivated too. (A real server makes a reactivated user log in
    /// again; the fake's token works again.)
    pub fn set_active(&self, user_id: UserId, active: bool) {
        let mut state = self.lock();
        state.set_active(user_id.as_str(), active);
        if !active {
            let owner = user_id.as_str().to_owned();
            let bots: Vec<String> = state
                .users()
                .iter()
                .filter(|u| u.profile.bot.as_ref().is_some_and(|b| b.owner_id == owner))
                .map(|u| u.id.clone())
                .collect();
            for bot in bots {
                state.set_active(&bot, false);
            }
        }
    }

    /// Makes these users members of the channel `channel` (created on first use): all a
    /// guest's view restrictions need.
    pub fn add_channel_members(&self, channel: &str, members: &[UserId]) {
        let mut state = self.lock();
        let id = store::derived_id("channel", channel, 0);
        state
            .channels
            .entry(id)
            .or_default()
            .extend(members.iter().map(|m| m.as_str().to_owned()));
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

    /// `PrivacySettings.ShowEmailAddress` (default on): when off, only admins and the
    /// user themself see a user's email.
    pub fn set_show_email_address(&self, show: bool) {
        self.lock().settings.show_email_address = show;
    }

    /// `PrivacySettings.ShowFullName` (default on): when off, only admins and the user
    /// themself see a user's first and last name.
    pub fn set_show_full_name(&self, show: bool) {
        self.lock().settings.show_full_name = show;
    }

    /// `ServiceSettings.EnableBotAccountCreation` (default off): whether `POST /bots`
    /// creates bots.
    pub fn set_enable_bot_account_creation(&self, enabled: bool) {
        self.lock().settings.enable_bot_account_creation = enabled;
    }

    /// `TeamSettings.EnableOpenServer` (default off): whether anyone may sign up with
    /// `POST /users`.
    pub fn set_enable_open_server(&self, enabled: bool) {
        self.lock().settings.enable_open_server = enabled;
    }

    /// `TeamSettings.EnableUserDeactivation` (default off): whether users may deactivate
    /// themselves.
    pub fn set_enable_user_deactivation(&self, enabled: bool) {
        self.lock().settings.enable_user_deactivation = enabled;
    }

    /// `GuestAccountsSettings.Enable` (default off): whether guests may log in and users
    /// be demoted to guests (the fake acts as a licensed server). Guests added with
    /// [`add_guest`](Self::add_guest) exist whatever it says.
    pub fn set_guest_accounts_enabled(&self, enabled: bool) {
        self.lock().settings.guest_accounts_enable = enabled;
    }

    /// `ServiceSettings.EnableUserAccessTokens` (default off): whether
    /// `POST /users/{id}/tokens` makes tokens for users (bots always get them).
    pub fn set_enable_user_access_tokens(&self, enabled: bool) {
        self.lock().settings.enable_user_access_tokens = enabled;
    }

    /// The rate limiter's settings (`RateLimitSettings`; off by default). Refused as the
    /// server refuses them (a zero rate, burst or store size).
    pub fn set_rate_limit(&self, settings: RateLimitSettings) -> Result<(), InvalidSetting> {
        if let Some(id) = settings.invalid() {
            return Err(InvalidSetting { id });
        }
        let mut state = self.lock();
        state.limiter.clear();
        state.settings.rate_limit = settings;
        Ok(())
    }

    // ---- faults ----

    /// Arms `fault` for the next request(s) it matches, in process and over HTTP. Faults
    /// armed earlier are tried first.
    pub fn inject(&self, fault: Fault) {
        let left = fault.times;
        self.lock().faults.push(faults::Armed { fault, left });
    }

    /// Disarms every fault not yet used.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
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

    /// Answers one request: an armed fault first, then the server.
    fn answer(&self, request: &Request<'_>, max_delay: Option<Duration>) -> Outcome {
        let fault = self.lock().take_fault(request.method, request.target);
        match fault {
            Some(FaultKind::Drop) => {
                // Counted as a request the server saw, though it never answered.
                let mut state = self.lock();
                let _ = state.fault_answer(request.method, request.target, &FaultKind::Drop);
                Outcome::Dropped
            }
            Some(FaultKind::Delay(by)) => {
                match max_delay {
                    Some(limit) if by > limit => {
                        std::thread::sleep(limit);
                        return Outcome::TimedOut;
                    }
                    _ => std::thread::sleep(by),
                }
                Outcome::Answer(self.lock().answer(request))
            }
            Some(kind) => Outcome::Answer(self.lock().fault_answer(
                request.method,
                request.target,
                &kind,
            )),
            None => Outcome::Answer(self.lock().answer(request)),
        }
    }
}

/// What became of a request.
pub(crate) enum Outcome {
    Answer(Answer),
    /// The connection closes without an answer (an injected fault).
    Dropped,
    /// The client's deadline passed during an injected delay (in process only).
    TimedOut,
}

fn public_user(u: &store::User) -> FakeUser {
    FakeUser {
        // Derived ids are always valid; `me` would only mean "no such user" here.
        id: UserId::parse(&u.id).unwrap_or_else(|_| UserId::me()),
        username: u.username.clone(),
        token: u.token.clone(),
        password: u.profile.password.clone(),
        is_admin: u.admin,
        is_guest: u.profile.guest,
        is_bot: u.profile.bot.is_some(),
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
        let header = |name: &str| request.header(name).map(str::to_owned);
        let outcome = self.answer(
            &Request {
                method: request.method().as_str(),
                target,
                authorization: request.header("Authorization"),
                body: request.body().unwrap_or_default(),
                remote_addr: "127.0.0.1",
                header: &header,
            },
            Some(request.timeout()),
        );
        let answer = match outcome {
            Outcome::Answer(answer) => answer,
            Outcome::Dropped => {
                return Err(TransportError::new(
                    TransportErrorKind::Io,
                    "the server closed the connection without an answer",
                ))
            }
            Outcome::TimedOut => {
                return Err(TransportError::new(
                    TransportErrorKind::Timeout,
                    format!("no answer within {:?}", request.timeout()),
                ))
            }
        };
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
