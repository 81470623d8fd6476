//! [`LiveStream`]: the connection, its sequence numbers, pings, reconnects and resyncs.
//!
//! One thread, no background work: everything happens inside
//! [`next_timeout`](LiveStream::next_timeout) (and so [`next_event`](LiveStream::next_event)
//! and the iterator). Each read waits at most until the next thing due: the caller's
//! deadline, the next ping, the moment a silent peer counts as gone, the next watch
//! poll. An idle stream so wakes up twice a minute (its pings) and once more for the
//! server's ping.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use tungstenite::Message;

use super::connect::{self, Socket, MIN_IO_TIMEOUT};
use super::custom;
use super::event::{
    CustomStatusChange, LiveEvent, RawEvent, Reconnect, StatusChange, StatusSource,
};
use super::options::LiveOptions;
use super::wire::{self, Incoming};
use crate::error::{ApiError, Error, LiveError, LiveErrorKind, Result};
use crate::model::{StatusKind, UserId};
use crate::{GetStatus, GetStatusesByIds, GetUsersByIds, Session};

/// A reconnect attempt is given at least this long (connect, TLS, upgrade), even when
/// the caller's timeout has less left: the most a [`LiveStream::next_timeout`] overruns
/// its timeout while reconnecting (a resync's HTTP calls aside).
pub(crate) const MIN_ATTEMPT: Duration = Duration::from_secs(2);

/// A socket's read timeout is set again only when it would wake the read later than
/// due, or more than this earlier (one `setsockopt` saved per read).
const REARM_SLACK: Duration = Duration::from_millis(20);

/// A deadline that is as good as none: about 136 years.
const FAR_FUTURE: Duration = Duration::from_secs(u32::MAX as u64);

/// The web app counts this many failed reconnects before it starts to wait longer
/// (`maxWebSocketFails = 7`, `websocket.ts`).
const FAILS_BEFORE_GROWTH: u32 = 7;

/// Statuses as the server pushes them, over its websocket, with the session's trust,
/// proxy and token; see the [module](super) for what is pushed and what is polled.
///
/// Blocking and single-threaded: call [`next_event`](Self::next_event) or
/// [`next_timeout`](Self::next_timeout) (or iterate) in a loop; pings, reconnects and
/// watch polls happen inside those calls. Call one at least every 60 s: the server pings
/// every 60 s and drops a client that has not answered for 100 s (the stream then
/// resumes where it was, losing nothing, but reconnects).
///
/// Its `Debug` never shows the token.
pub struct LiveStream {
    session: Session,
    options: LiveOptions,
    conn: Option<Conn>,
    /// The server's id for this connection (from its `hello`), kept across reconnects.
    connection_id: Option<String>,
    /// The `seq` of the next event expected (the last seen plus one).
    next_seq: i64,
    /// The stream's user (the `hello`'s `broadcast.user_id`).
    me: Option<UserId>,
    my_status: Option<StatusKind>,
    queue: VecDeque<LiveEvent>,
    custom: custom::Known,
    watch: Option<Watch>,
    /// The `seq` of the last action sent (actions are numbered from 1).
    action_seq: i64,
    /// Failed connections in a row.
    failures: u32,
    /// When the next connection attempt is due, while disconnected.
    reconnect_at: Option<Instant>,
    /// Whether the next connection asks to resume (not after a message too large to
    /// read: the server would replay it).
    may_resume: bool,
    /// Whether the stream ever had a connection (so the next one is a reconnect).
    was_connected: bool,
    /// Set once the stream cannot go on: the next call returns it, every later one
    /// `Closed`.
    ended: Option<LiveError>,
    /// Whether the error in `ended` was returned.
    end_reported: bool,
}

struct Conn {
    socket: Socket,
    opened: Instant,
    last_heard: Instant,
    next_ping: Instant,
    /// The `ping` sent right after the upgrade: its answer shows the token was accepted.
    first_ping: i64,
    authenticated: bool,
    hello_seen: bool,
    /// Whether the answer to the first ping came (and, on a resumed connection, the
    /// `Resumed` event was queued).
    first_ping_answered: bool,
    /// Whether this connection replaces an earlier one.
    reconnect: bool,
    /// Whether it asked to resume (`connection_id` and `sequence_number`).
    asked_to_resume: bool,
    /// The read timeout last set on the socket.
    armed: Option<Duration>,
}

struct Watch {
    users: Vec<UserId>,
    interval: Duration,
    next_poll: Instant,
    known: HashMap<UserId, StatusKind>,
    /// The `seq` of each batch of the last poll not yet answered.
    pending: HashSet<i64>,
}

impl fmt::Debug for LiveStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveStream")
            .field("base_url", &self.session.base_url())
            .field("connection_id", &self.connection_id)
            .field("next_seq", &self.next_seq)
            .field("connected", &self.conn.is_some())
            .field("watched", &self.watch.as_ref().map_or(0, |w| w.users.len()))
            .field("queued", &self.queue.len())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// What to do after a connection failed.
enum Lost {
    /// The connection had been accepted: reconnect (after the backoff).
    Reconnect,
    /// A resume was never accepted: once more, without resuming.
    RetryFresh,
    /// It never was: the token was not accepted.
    NotAuthenticated,
}

impl LiveStream {
    /// Connects and waits until the server accepted the token; see [`LiveOptions::open`].
    pub(crate) fn open(session: Session, options: LiveOptions) -> Result<LiveStream> {
        let mut stream = LiveStream {
            session,
            options,
            conn: None,
            connection_id: None,
            next_seq: 0,
            me: None,
            my_status: None,
            queue: VecDeque::new(),
            custom: custom::Known::default(),
            watch: None,
            action_seq: 0,
            failures: 0,
            reconnect_at: None,
            may_resume: true,
            was_connected: false,
            ended: None,
            end_reported: false,
        };
        let budget = stream.session.timeout();
        stream.connect(budget)?;
        loop {
            let Some(conn) = &stream.conn else {
                // Lost before it was accepted: `lost_now` ended the stream with the reason.
                return Err(stream.ended_error());
            };
            if conn.authenticated {
                return Ok(stream);
            }
            let due = conn.opened + stream.options.auth_timeout;
            if Instant::now() >= due {
                return Err(stream.end(not_authenticated_in_time(stream.options.auth_timeout)));
            }
            stream.read_one(due)?;
        }
    }

    /// The next event, waiting as long as it takes (through reconnects). `Err` only for
    /// what the stream does not recover from (the token not accepted, the upgrade
    /// refused), for a message it could not read (it goes on with the next call), and
    /// for a resync's failed HTTP call.
    pub fn next_event(&mut self) -> Result<LiveEvent> {
        loop {
            if let Some(event) = self.next_timeout(Duration::from_secs(3600))? {
                return Ok(event);
            }
        }
    }

    /// The next event within `timeout`, or `Ok(None)` when none came.
    ///
    /// The call returns within `timeout`, plus at most 2 s when a reconnect attempt is
    /// due (an attempt is given at least that long), plus the session's timeout for each
    /// HTTP call of a resync.
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Option<LiveEvent>> {
        let start = Instant::now();
        let deadline = start
            .checked_add(timeout)
            .or_else(|| start.checked_add(FAR_FUTURE))
            .unwrap_or(start);
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Ok(Some(event));
            }
            if self.ended.is_some() {
                return Err(self.ended_error());
            }
            let now = Instant::now();
            if self.conn.is_none() {
                let at = self.reconnect_at.unwrap_or(now);
                if now >= deadline {
                    return Ok(None);
                }
                if at > now {
                    std::thread::sleep(at.min(deadline) - now);
                    continue;
                }
                let left = deadline.saturating_duration_since(now);
                let budget = left.max(MIN_ATTEMPT).min(self.session.timeout());
                if let Err(e) = self.connect(budget) {
                    if is_fatal(&e) {
                        return Err(self.end_with(e));
                    }
                    let wait = match &e {
                        Error::RateLimited(r) => r.retry_after(),
                        _ => None,
                    };
                    self.schedule_reconnect(wait);
                }
                continue;
            }
            let wake = self.keep_alive(now, deadline)?;
            if self.conn.is_some() {
                self.read_one(wake)?;
            }
            if self.queue.is_empty() && Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }

    /// Watches `users`' statuses: every `interval`, asks the server for them on the
    /// socket (`get_statuses_by_ids`, as the web app polls the statuses it shows), and
    /// yields [`StatusChange`]s with [`StatusSource::Polled`] for those that changed
    /// (the first answer yields each user's status). Replaces the users watched before
    /// (keeping what is known of those still watched); none stops watching. The first
    /// poll goes out with the next call that reads.
    ///
    /// The server pushes no one's status but the stream's own user's, so this is how a
    /// stream follows others. Refused with [`Error::InvalidInput`], nothing sent: an
    /// `interval` under 5 s (see [`LiveOptions::min_watch_interval`]), `me` in `users`
    /// (use the real id: [`Session::current_user_id`]). A long list goes in several
    /// messages, each under the server's 8192-byte limit for a client message.
    pub fn watch(
        &mut self,
        users: impl IntoIterator<Item = UserId>,
        interval: Duration,
    ) -> Result<()> {
        let mut users: Vec<UserId> = users.into_iter().collect();
        users.sort_unstable();
        users.dedup();
        if users.is_empty() {
            self.watch = None;
            return Ok(());
        }
        if interval < self.options.min_watch_interval {
            return Err(Error::invalid(
                "interval",
                format!(
                    "is {} s; a watch polls at most every {} s",
                    interval.as_secs_f64(),
                    self.options.min_watch_interval.as_secs_f64()
                ),
            ));
        }
        crate::requests::id_list::check(
            &users,
            "which the server answers as an unknown user (offline)",
        )?;
        let mut known = self.watch.take().map(|w| w.known).unwrap_or_default();
        known.retain(|id, _| users.binary_search(id).is_ok());
        self.watch = Some(Watch {
            users,
            interval,
            next_poll: Instant::now(),
            known,
            pending: HashSet::new(),
        });
        Ok(())
    }

    /// The server's id of the current connection (from its `hello`); the stream keeps
    /// it across reconnects that resume.
    pub fn connection_id(&self) -> Option<&str> {
        self.connection_id.as_deref()
    }

    /// Closes the connection (a close frame, then the socket), within about a second.
    pub fn close(mut self) -> Result<()> {
        if let Some(mut conn) = self.conn.take() {
            let _ = conn.socket.close(None);
            let until = Instant::now() + Duration::from_secs(1);
            let _ = conn
                .socket
                .get_mut()
                .set_read_timeout(Some(Duration::from_millis(100)));
            while Instant::now() < until {
                match conn.socket.read() {
                    Ok(_) => {}
                    Err(tungstenite::Error::Io(e)) if is_timeout(&e) => {}
                    Err(_) => break,
                }
            }
            let _ = conn.socket.get_mut().shutdown();
        }
        Ok(())
    }

    /// Opens a connection (resuming when it can) and sends the first ping.
    fn connect(&mut self, budget: Duration) -> Result<()> {
        let resume = match (&self.connection_id, self.may_resume) {
            (Some(id), true) => Some((id.as_str(), self.next_seq)),
            _ => None,
        };
        let asked_to_resume = resume.is_some();
        let url = connect::url(self.session.base_url(), resume);
        let socket = connect::open(&self.session, self.options.max_message_bytes, &url, budget)?;
        let now = Instant::now();
        self.may_resume = true;
        self.reconnect_at = None;
        let first_ping = self.next_action();
        self.conn = Some(Conn {
            socket,
            opened: now,
            last_heard: now,
            next_ping: now + self.options.ping_interval,
            first_ping,
            authenticated: false,
            hello_seen: false,
            first_ping_answered: false,
            reconnect: self.was_connected,
            asked_to_resume,
            armed: None,
        });
        // As the web app: a ping at once. Its answer shows the token was accepted
        // when no hello comes (a resumed connection gets none).
        self.send(wire::ping(first_ping));
        // A poll the lost connection did not answer is asked again at once.
        if let Some(watch) = &mut self.watch {
            if !watch.pending.is_empty() {
                watch.pending.clear();
                watch.next_poll = now;
            }
        }
        Ok(())
    }

    fn next_action(&mut self) -> i64 {
        self.action_seq += 1;
        self.action_seq
    }

    /// Sends a text message; a failure to write is a lost connection.
    fn send(&mut self, text: String) {
        let Some(conn) = &mut self.conn else { return };
        match conn.socket.send(Message::text(text)) {
            Ok(()) => {}
            // Kept in tungstenite's buffer, written with the next read or write.
            Err(tungstenite::Error::Io(e)) if is_timeout(&e) => {}
            Err(_) => self.lost_now(),
        }
    }

    /// Pings, drops a silent peer, polls the watched users; returns when the next read
    /// must wake.
    fn keep_alive(&mut self, now: Instant, deadline: Instant) -> Result<Instant> {
        let stale = self.options.stale_bound();
        let auth_timeout = self.options.auth_timeout;
        let Some(conn) = &mut self.conn else {
            return Ok(now);
        };
        if !conn.authenticated && now >= conn.opened + auth_timeout {
            return Err(self.end(not_authenticated_in_time(auth_timeout)));
        }
        if now >= conn.last_heard + stale {
            // No answer to our pings and no event (its own pings and junk do not
            // count): the peer is gone, stuck, or half-open. Reconnect.
            self.lost_now();
            return Ok(now);
        }
        let mut wake = deadline.min(conn.last_heard + stale);
        if !conn.authenticated {
            wake = wake.min(conn.opened + auth_timeout);
        }
        if now >= conn.next_ping {
            conn.next_ping = now + self.options.ping_interval;
            let seq = self.next_action();
            self.send(wire::ping(seq));
        }
        let Some(conn) = &self.conn else {
            return Ok(now);
        };
        wake = wake.min(conn.next_ping);
        if conn.authenticated {
            if let Some(at) = self.poll_watched(now) {
                wake = wake.min(at);
            }
        }
        Ok(wake)
    }

    /// Sends the watch's poll when due; returns when the next one is.
    fn poll_watched(&mut self, now: Instant) -> Option<Instant> {
        let watch = self.watch.as_mut()?;
        if now < watch.next_poll {
            return Some(watch.next_poll);
        }
        watch.next_poll = now + watch.interval;
        watch.pending.clear();
        let next = watch.next_poll;
        let batches: Vec<Vec<UserId>> = watch
            .users
            .chunks(wire::IDS_PER_MESSAGE)
            .map(<[UserId]>::to_vec)
            .collect();
        for batch in batches {
            let seq = self.next_action();
            if let Some(watch) = &mut self.watch {
                watch.pending.insert(seq);
            }
            self.send(wire::statuses_by_ids(seq, &batch));
        }
        Some(next)
    }

    /// Reads one message, waiting until `wake` at most, and handles it.
    fn read_one(&mut self, wake: Instant) -> Result<()> {
        let Some(conn) = &mut self.conn else {
            return Ok(());
        };
        let left = wake
            .saturating_duration_since(Instant::now())
            .max(MIN_IO_TIMEOUT);
        let rearm = conn
            .armed
            .is_none_or(|armed| armed > left || armed + REARM_SLACK < left);
        if rearm {
            if conn.socket.get_mut().set_read_timeout(Some(left)).is_err() {
                self.lost_now();
                return Ok(());
            }
            conn.armed = Some(left);
        }
        let read = conn.socket.read();
        match read {
            Ok(message) => self.handle(message),
            Err(tungstenite::Error::Io(e)) if is_timeout(&e) => Ok(()),
            Err(tungstenite::Error::Capacity(e)) => {
                // Not resumed: the server would replay the same message.
                self.may_resume = false;
                self.lost_now();
                Err(self.checked(connect::live(
                    LiveErrorKind::MessageTooLarge,
                    format!(
                        "{e} (the limit is {} bytes, LiveOptions::max_message_bytes); the \
                         stream reconnects without resuming and resyncs",
                        self.options.max_message_bytes
                    ),
                )))
            }
            Err(
                tungstenite::Error::ConnectionClosed
                | tungstenite::Error::AlreadyClosed
                | tungstenite::Error::Io(_)
                | tungstenite::Error::Protocol(
                    tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
                ),
            ) => {
                self.lost_now();
                Ok(())
            }
            Err(e) => {
                // A frame no server sends (reserved bits, a masked frame, a bad close
                // code, invalid UTF-8): tungstenite cannot go on with this connection.
                self.lost_now();
                Err(self.checked(connect::live(
                    LiveErrorKind::Protocol,
                    format!("{e}; the stream reconnects"),
                )))
            }
        }
    }

    /// `error`, or the end of the stream when the connection was never accepted.
    fn checked(&mut self, error: Error) -> Error {
        match (&self.ended, self.end_reported) {
            (Some(_), false) => self.ended_error(),
            _ => error,
        }
    }

    fn handle(&mut self, message: Message) -> Result<()> {
        match message {
            // Only an event or an answer shows the server's side is alive: a peer that
            // pings, or writes junk, but never answers our pings is as gone as a silent
            // one (the web app's rule: a ping unanswered when the next is due).
            Message::Text(text) => match wire::parse(text.as_str()) {
                Ok(Incoming::Event(event)) => {
                    self.heard();
                    self.on_event(event)
                }
                Ok(Incoming::Reply(reply)) => {
                    self.heard();
                    self.on_reply(reply)
                }
                // JSON that is neither an event nor a reply: skipped, as an unknown
                // event is.
                Ok(Incoming::Other) => Ok(()),
                Err(e) => Err(connect::live(
                    LiveErrorKind::Protocol,
                    format!(
                        "a message is not JSON ({e}); it starts: {}",
                        crate::response::excerpt(text.as_bytes())
                    ),
                )),
            },
            // The server writes text frames only; anything else is skipped.
            Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Ok(()),
            Message::Close(_) => {
                self.lost_now();
                Ok(())
            }
        }
    }

    /// The peer answered or sent an event: it is there.
    fn heard(&mut self) {
        if let Some(conn) = &mut self.conn {
            conn.last_heard = Instant::now();
        }
    }

    fn on_event(&mut self, event: wire::Event) -> Result<()> {
        if let Some(conn) = &mut self.conn {
            // Only a registered connection gets events.
            conn.authenticated = true;
        }
        if event.event == "hello" {
            return self.on_hello(event);
        }
        if let Some(seq) = event.seq {
            if seq < self.next_seq {
                // Already yielded (a replay that overlaps): once only.
                return Ok(());
            }
            if seq > self.next_seq {
                // Events were lost on the way (the web app closes with 4001 and
                // reconnects): resume from the first one missing.
                self.lost_now();
                return Ok(());
            }
            self.next_seq = seq + 1;
        }
        let data = &event.data;
        match event.event.as_str() {
            "status_change" => {
                let (Some(user), Some(status)) = (
                    data.get("user_id").and_then(|v| v.as_str()),
                    data.get("status").and_then(|v| v.as_str()),
                ) else {
                    return Ok(());
                };
                let Ok(user_id) = UserId::parse(user) else {
                    return Ok(());
                };
                let status = StatusKind::from(status);
                if Some(user_id) == self.me {
                    self.my_status = Some(status.clone());
                }
                if let Some(watch) = &mut self.watch {
                    if watch.users.binary_search(&user_id).is_ok() {
                        watch.known.insert(user_id, status.clone());
                    }
                }
                self.queue.push_back(LiveEvent::Status(StatusChange {
                    user_id,
                    status,
                    source: StatusSource::Pushed,
                }));
            }
            "user_updated" => {
                let user = data.get("user");
                let Some(user_id) = user
                    .and_then(|u| u.get("id"))
                    .and_then(|v| v.as_str())
                    .and_then(|id| UserId::parse(id).ok())
                else {
                    return Ok(());
                };
                let value = user
                    .and_then(|u| u.get("props"))
                    .and_then(|p| p.get("customStatus"));
                self.custom_found(user_id, value);
            }
            _ => {
                if self.options.raw_events {
                    self.queue.push_back(LiveEvent::Raw(RawEvent {
                        event: event.event,
                        seq: event.seq,
                        data: event.data,
                    }));
                }
            }
        }
        Ok(())
    }

    /// Yields `user_id`'s custom status if it is not what the stream last knew.
    fn custom_found(&mut self, user_id: UserId, value: Option<&serde_json::Value>) {
        let decoded = crate::model::custom_status::decode(value);
        if self.custom.update(user_id, decoded.json.as_deref()) {
            self.queue
                .push_back(LiveEvent::CustomStatus(CustomStatusChange {
                    user_id,
                    custom_status: decoded.custom_status,
                    custom_status_json: decoded.json,
                }));
        }
    }

    /// `hello`: a new connection (the first, or one the server could not resume).
    fn on_hello(&mut self, event: wire::Event) -> Result<()> {
        let id = event
            .data
            .get("connection_id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        if let Some(user) = event.broadcast.as_ref().map(|b| b.user_id.as_str()) {
            if let Ok(me) = UserId::parse(user) {
                self.me = Some(me);
            }
        }
        let Some(conn) = &mut self.conn else {
            return Ok(());
        };
        conn.hello_seen = true;
        let reconnect = conn.reconnect;
        self.failures = 0;
        self.was_connected = true;
        let previous = self.connection_id.replace(id.clone());
        // As the web app: a hello with a new connection id means what was missed is
        // gone; the numbering starts again at 0.
        let missed = previous.is_some_and(|p| p != id) || reconnect;
        if missed {
            self.next_seq = 0;
        }
        if event.seq != Some(self.next_seq) {
            // The web app closes with 4001 and reconnects.
            self.lost_now();
            return Ok(());
        }
        self.next_seq += 1;
        if missed {
            self.resync()?;
        }
        Ok(())
    }

    fn on_reply(&mut self, reply: wire::Reply) -> Result<()> {
        let Some(seq) = reply.seq_reply else {
            return Ok(());
        };
        let ok = reply.status == "OK";
        if let Some(conn) = &mut self.conn {
            if seq == conn.first_ping && !conn.first_ping_answered {
                conn.first_ping_answered = true;
                let refused = reply
                    .error
                    .as_ref()
                    .and_then(|e| e.id.as_deref())
                    .is_some_and(|id| id.ends_with("not_authenticated.app_error"));
                if refused {
                    return Err(self.end(LiveError::new(
                        LiveErrorKind::NotAuthenticated,
                        "the server answered not_authenticated: the token is wrong, expired or revoked",
                    )));
                }
                conn.authenticated = true;
                if conn.reconnect && !conn.hello_seen {
                    // No hello before the answer: the server resumed the connection
                    // and has replayed what was missed (the replay is written first).
                    self.failures = 0;
                    self.queue
                        .push_back(LiveEvent::Reconnected(Reconnect::Resumed));
                }
                self.was_connected = true;
            }
        }
        let Some(watch) = &mut self.watch else {
            return Ok(());
        };
        if !watch.pending.remove(&seq) {
            return Ok(());
        }
        if !ok {
            let error = reply.error.unwrap_or_default();
            return Err(Error::Api(Box::new(ApiError {
                status: error.status_code.unwrap_or(500),
                id: error.id,
                message: error.message.unwrap_or_default(),
                detailed_error: None,
                request_id: None,
            }))
            .redact(self.session.token()));
        }
        let Some(map) = reply.data.as_object() else {
            return Ok(());
        };
        for (id, status) in map {
            let (Ok(user_id), Some(status)) = (UserId::parse(id), status.as_str()) else {
                continue;
            };
            if watch.users.binary_search(&user_id).is_err() {
                continue;
            }
            let status = StatusKind::from(status);
            if watch.known.get(&user_id) != Some(&status) {
                watch.known.insert(user_id, status.clone());
                self.queue.push_back(LiveEvent::Status(StatusChange {
                    user_id,
                    status,
                    source: StatusSource::Polled,
                }));
            }
        }
        Ok(())
    }

    /// Reads over HTTP what a reconnect that could not resume may have missed, yields
    /// what changed, then [`Reconnect::Resynced`].
    fn resync(&mut self) -> Result<()> {
        let me = GetStatus::new(UserId::me()).send(&self.session)?;
        if self.my_status.as_ref() != Some(&me.status) {
            self.my_status = Some(me.status.clone());
            self.queue.push_back(LiveEvent::Status(StatusChange {
                user_id: me.user_id,
                status: me.status,
                source: StatusSource::Resync,
            }));
        }
        self.me.get_or_insert(me.user_id);
        if let Some(watch) = &mut self.watch {
            // Read over HTTP now: the next poll comes at its interval.
            watch.pending.clear();
            watch.next_poll = Instant::now() + watch.interval;
        }
        if let Some(users) = self.watch.as_ref().map(|w| w.users.clone()) {
            let statuses = GetStatusesByIds::new(users.iter().copied()).send(&self.session)?;
            if let Some(watch) = &mut self.watch {
                for status in &statuses {
                    if watch.known.get(&status.user_id) != Some(&status.status) {
                        watch.known.insert(status.user_id, status.status.clone());
                        self.queue.push_back(LiveEvent::Status(StatusChange {
                            user_id: status.user_id,
                            status: status.status.clone(),
                            source: StatusSource::Resync,
                        }));
                    }
                }
            }
            for run in users.chunks(crate::MAX_IDS_PER_CALL) {
                for user in GetUsersByIds::new(run.iter().copied()).send(&self.session)? {
                    let json = user
                        .custom_status_json()
                        .map(|j| serde_json::Value::String(j.to_owned()));
                    self.custom_found(user.id, json.as_ref());
                }
            }
        }
        self.queue
            .push_back(LiveEvent::Reconnected(Reconnect::Resynced));
        Ok(())
    }

    /// The connection is gone (closed, reset, silent, out of sequence): reconnect after
    /// the backoff, or end the stream if the server never accepted it.
    fn lost_now(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let asked_to_resume = conn.asked_to_resume;
        let outcome = if conn.authenticated {
            Lost::Reconnect
        } else if asked_to_resume {
            // The server also closes at once a resume it cannot parse
            // (`PopulateWebConnConfig`): once more without resuming, then the token
            // is the cause.
            Lost::RetryFresh
        } else {
            Lost::NotAuthenticated
        };
        drop(conn);
        match outcome {
            Lost::Reconnect => {
                self.was_connected = true;
                self.schedule_reconnect(None);
            }
            Lost::RetryFresh => {
                self.may_resume = false;
                self.schedule_reconnect(None);
            }
            Lost::NotAuthenticated => {
                // Returned by the call that is running (see `ended_error`).
                self.end_unreported(LiveError::new(
                    LiveErrorKind::NotAuthenticated,
                    "the server closed the websocket without a hello: it did not accept \
                     the token (wrong, expired or revoked); a server closes such a \
                     connection 5 s after the upgrade",
                ));
            }
        }
    }

    /// The next attempt after the backoff (at least `at_least`), as the web app waits:
    /// the shortest wait for the first 7 failures, then `min * n²` up to the longest,
    /// plus a random jitter.
    fn schedule_reconnect(&mut self, at_least: Option<Duration>) {
        self.failures = self.failures.saturating_add(1);
        let min = self.options.reconnect_min;
        let base = if self.failures > FAILS_BEFORE_GROWTH {
            min.saturating_mul(self.failures.saturating_mul(self.failures))
                .min(self.options.reconnect_max)
        } else {
            min
        };
        let jitter_nanos = self.options.reconnect_jitter.as_nanos() as u64;
        let jitter = match jitter_nanos {
            0 => Duration::ZERO,
            n => Duration::from_nanos(crate::retry::random_u64() % n),
        };
        let wait = (base + jitter).max(at_least.unwrap_or_default());
        self.reconnect_at = Some(Instant::now() + wait);
    }

    /// Ends the stream with `error`, which every later call returns (as `Closed`).
    fn end(&mut self, error: LiveError) -> Error {
        self.conn = None;
        self.ended = Some(error.clone());
        self.end_reported = true;
        Error::Live(Box::new(error))
    }

    /// Ends the stream with `error`, for the next check to return.
    fn end_unreported(&mut self, error: LiveError) {
        self.conn = None;
        self.ended = Some(error);
        self.end_reported = false;
    }

    /// Ends the stream with an error of any kind.
    fn end_with(&mut self, error: Error) -> Error {
        self.conn = None;
        let message = error.to_string();
        self.ended = Some(LiveError::new(
            LiveErrorKind::Closed,
            format!("it ended with: {message}"),
        ));
        self.end_reported = true;
        error
    }

    fn ended_error(&mut self) -> Error {
        if let (Some(end), false) = (&self.ended, self.end_reported) {
            self.end_reported = true;
            return Error::Live(Box::new(end.clone()));
        }
        let message = match &self.ended {
            Some(end) if end.kind == LiveErrorKind::Closed => end.message.clone(),
            Some(end) => format!("it ended with: {end}"),
            None => String::new(),
        };
        Error::Live(Box::new(LiveError::new(LiveErrorKind::Closed, message)))
    }
}

/// Whether a failed reconnect is one to give up on (the token, the server's set-up)
/// rather than wait out.
fn is_fatal(error: &Error) -> bool {
    match error {
        Error::Transport(_) | Error::RateLimited(_) => false,
        Error::Api(e) => e.status < 500,
        _ => true,
    }
}

fn not_authenticated_in_time(timeout: Duration) -> LiveError {
    LiveError::new(
        LiveErrorKind::NotAuthenticated,
        format!(
            "no hello and no answer within {} s of the upgrade: the server did not accept \
             the token (wrong, expired or revoked)",
            timeout.as_secs_f64()
        ),
    )
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

impl Iterator for LiveStream {
    type Item = Result<LiveEvent>;

    /// [`next_event`](LiveStream::next_event); `None` once the stream has ended (after
    /// the error that ended it).
    fn next(&mut self) -> Option<Self::Item> {
        if self.queue.is_empty() && self.ended.is_some() && self.end_reported {
            return None;
        }
        Some(self.next_event())
    }
}
