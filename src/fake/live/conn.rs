//! One websocket from the upgrade to the close: `connectWebSocket` (api4/websocket.go),
//! `PopulateWebConnConfig`, `NewWebConn` and the two pumps (`readPump`, `writePump`) of
//! app/platform/web_conn.go. The same code serves a TCP connection of the HTTP front end
//! and an in-process pipe.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::handshake::HandshakeError;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::frame::{CloseFrame, Frame};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Error as WsError, Message};

use super::hub::{hello_event, DeadQueue, Ending, Queued, Socket, WebConn, Written};
use super::{Core, MAX_CLIENT_MESSAGE_BYTES};
use crate::fake::gojson::go_string;
use crate::fake::store::{derived_id, State};
use crate::model::time::unix_seconds;
use crate::transport::Stream;

/// How long the upgrade request may take to arrive.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// `writeWaitTime`.
const WRITE_WAIT: Duration = Duration::from_secs(30);

/// What the upgrade request carried (`ParseAuthTokenFromRequest`, the query).
#[derive(Debug, Default)]
struct Upgrade {
    /// The session's user: id and admin.
    user: Option<(String, bool)>,
    connection_id: String,
    sequence_number: Option<String>,
}

/// Where the token came from.
#[derive(Debug, PartialEq, Eq)]
enum TokenLocation {
    Cookie,
    Header,
    QueryString,
}

/// `app.ParseAuthTokenFromRequest`: cookie `MMAUTHTOKEN`, then `Authorization: Bearer`
/// (prefix in any case), then `Authorization: Token`, then `?access_token=`.
fn parse_auth_token(req: &Request) -> Option<(String, TokenLocation)> {
    for cookie in req.headers().get_all("cookie") {
        let Ok(cookie) = cookie.to_str() else {
            continue;
        };
        for pair in cookie.split(';') {
            if let Some((name, value)) = pair.trim().split_once('=') {
                if name == "MMAUTHTOKEN" {
                    return Some((value.trim_matches('"').to_owned(), TokenLocation::Cookie));
                }
            }
        }
    }
    if let Some(h) = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
    {
        if h.len() > 6 && h.is_char_boundary(6) && h[..6].eq_ignore_ascii_case("bearer") {
            return Some((
                h.get(7..).unwrap_or_default().to_owned(),
                TokenLocation::Header,
            ));
        }
        if h.len() > 5 && h.is_char_boundary(5) && h[..5].eq_ignore_ascii_case("token") {
            return Some((
                h.get(6..).unwrap_or_default().to_owned(),
                TokenLocation::Header,
            ));
        }
    }
    query_value(req.uri().query().unwrap_or_default(), "access_token")
        .filter(|t| !t.is_empty())
        .map(|t| (t, TokenLocation::QueryString))
}

/// `r.URL.Query().Get(name)`: the first value, percent-decoded.
fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (percent_decode(k) == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `model.IsValidId`.
pub(crate) fn is_valid_id(s: &str) -> bool {
    s.len() == 26 && s.chars().all(char::is_alphanumeric)
}

/// The web handler's session step (web/handlers.go) for the upgrade request, and the
/// request log. A session token in the query string (not OAuth: the fake has none) is
/// 401 `api.context.token_provided.app_error` before any upgrade; an unknown token is
/// only no session.
fn on_upgrade_request(state: &mut State, req: &Request) -> Result<Upgrade, Box<ErrorResponse>> {
    let number = state.log_request("GET", req.uri().path());
    let request_id = derived_id("request", "", number);
    let query = req.uri().query().unwrap_or_default();
    let mut up = Upgrade {
        connection_id: query_value(query, "connection_id").unwrap_or_default(),
        sequence_number: query_value(query, "sequence_number"),
        user: None,
    };
    if let Some((token, location)) = parse_auth_token(req) {
        if let Some(user) = state.user_by_token(&token) {
            if location == TokenLocation::QueryString {
                let body = format!(
                    "{{\"id\":\"api.context.token_provided.app_error\",\"message\":{},\"detailed_error\":\"\",\"request_id\":{},\"status_code\":401}}",
                    go_string("Session is not OAuth but token was provided in the query string."),
                    go_string(&request_id)
                );
                let mut resp = ErrorResponse::new(Some(body.clone()));
                *resp.status_mut() = tungstenite::http::StatusCode::UNAUTHORIZED;
                let headers = resp.headers_mut();
                for (name, value) in [
                    ("Content-Type", "application/json".to_owned()),
                    ("Content-Length", body.len().to_string()),
                    ("X-Request-Id", request_id),
                    ("X-Version-Id", crate::fake::routes::VERSION_ID.to_owned()),
                    ("Connection", "close".to_owned()),
                ] {
                    if let Ok(v) = tungstenite::http::HeaderValue::from_str(&value) {
                        headers.insert(name, v);
                    }
                }
                return Err(Box::new(resp));
            }
            up.user = Some((user.id.clone(), user.admin));
        }
    }
    Ok(up)
}

/// The reading side's stream: reads from the socket; what tungstenite writes from the
/// reader (pong and close replies) goes to the writer, a whole frame at a time on flush,
/// so that the two never interleave on the wire. Before `forward` is set (during the
/// handshake) writes go straight to the socket.
///
/// This is the one workaround of a dependency here: tungstenite 0.30's `WebSocket` is a
/// single reader-writer state machine with no split, and the server must write (events,
/// pings) while a read waits. A split reader and writer upstream would retire it.
struct ReadSide {
    inner: Box<dyn Stream>,
    forward: Option<(Core, u64)>,
    pending: Vec<u8>,
}

impl Read for ReadSide {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Write for ReadSide {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.forward.is_none() {
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let Some((core, key)) = &self.forward else {
            return self.inner.flush();
        };
        if self.pending.is_empty() {
            return Ok(());
        }
        let frame = std::mem::take(&mut self.pending);
        let mut st = core.lock();
        match st.live.sockets.get_mut(key) {
            Some(s) if s.stalled => Ok(()), // lost on the way
            Some(s) if s.ending.is_none() => {
                s.control.push_back(frame);
                drop(st);
                core.wake.notify_all();
                Ok(())
            }
            _ => Err(io::Error::new(io::ErrorKind::BrokenPipe, "socket closed")),
        }
    }
}

/// Serves one connection that asked for the upgrade: `read` carries the request (and what
/// follows), `write` and `handle` are two more handles on the same connection (the
/// writer's, and one kept to close it from outside).
pub(crate) fn serve(
    core: &Core,
    read: Box<dyn Stream>,
    write: Box<dyn Stream>,
    mut handle: Box<dyn Stream>,
) {
    let mut read = ReadSide {
        inner: read,
        forward: None,
        pending: Vec::new(),
    };
    let _ = read
        .inner
        .set_read_timeout(Some(Duration::from_millis(250)));
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_CLIENT_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_CLIENT_MESSAGE_BYTES));
    let mut upgrade: Option<Upgrade> = None;
    let started = Instant::now();
    // The signature is tungstenite's `Callback`.
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        let mut st = core.lock();
        let up = on_upgrade_request(&mut st, req).map_err(|e| *e)?;
        upgrade = Some(up);
        Ok(resp)
    };
    let mut attempt = tungstenite::accept_hdr_with_config(read, callback, Some(config));
    let mut ws = loop {
        match attempt {
            Ok(ws) => break ws,
            Err(HandshakeError::Interrupted(mid))
                if started.elapsed() < HANDSHAKE_TIMEOUT && !core.lock().live.stopping =>
            {
                attempt = mid.handshake();
            }
            Err(_) => return,
        }
    };
    let Some(up) = upgrade else { return };

    // connectWebSocket, under the hub's lock: the socket, then the connection.
    let key;
    {
        let mut st = core.lock();
        if st.live.stopping {
            let _ = handle.shutdown();
            return;
        }
        let now = st.now_millis();
        st.live.reap(now);
        key = st.live.next_key();
        let (user_id, admin) = up.user.clone().unwrap_or_default();
        let mut resumed: Option<WebConn> = None;
        let mut connection_id = up.connection_id.clone();
        if connection_id.is_empty() || user_id.is_empty() {
            connection_id = st.live.new_connection_id();
        } else {
            // PopulateWebConnConfig (newest copy): a bad id, no sequence number, or one
            // ParseInt refuses closes the socket at once; then CheckWebConn.
            let seq = match up.sequence_number.as_deref() {
                None | Some("") => None,
                Some(s) => s.parse::<i64>().ok(),
            };
            let Some(seq) = seq.filter(|_| is_valid_id(&connection_id)) else {
                drop(st);
                let _ = handle.shutdown();
                return;
            };
            match st
                .live
                .remove_inactive_by_connection_id(&user_id, &connection_id)
            {
                None => connection_id = st.live.new_connection_id(),
                Some(mut old) => {
                    old.sequence = seq;
                    old.reuse_count += 1;
                    old.resume_pending = true;
                    old.send_closed = false;
                    resumed = Some(old);
                }
            }
        }
        st.live.sockets.insert(
            key,
            Socket {
                conn: None,
                user_id: user_id.clone(),
                admin,
                has_token: !user_id.is_empty(),
                connection_id: connection_id.clone(),
                opened: Instant::now(),
                auth_checked: false,
                control: Default::default(),
                ending: None,
                stalled: false,
                handle,
            },
        );
        if !user_id.is_empty() {
            let conn = match resumed {
                Some(mut old) => {
                    old.last_user_activity_at = now;
                    old
                }
                None => fresh_conn(&user_id, admin, &connection_id, now),
            };
            st.live.register(key, conn);
            // NewWebConn: SetStatusOnline(user, false) (a goroutine on the server, racing
            // the registration; here after it, so the event is not missed).
            st.set_status_online(&user_id, false);
        }
    }
    core.wake.notify_all();

    ws.get_mut().forward = Some((core.clone(), key));
    let writer = {
        let core = core.clone();
        std::thread::Builder::new()
            .name("mattermost-status-fake-ws-write".to_owned())
            .spawn(move || write_pump(&core, key, write))
    };
    match writer {
        Ok(writer) => {
            let ending = read_pump(core, key, &mut ws);
            end_socket(core, key, ending);
            let _ = writer.join();
        }
        Err(_) => end_socket(core, key, Ending::Abrupt),
    }
    // Pump's end: HubUnregister.
    let mut st = core.lock();
    if let Some(mut sock) = st.live.sockets.remove(&key) {
        let _ = sock.handle.shutdown();
        if let Some(conn) = sock.conn {
            if let Some((user, all_inactive, latest)) = st.live.unregister(conn) {
                if all_inactive {
                    st.set_status_offline(&user, false);
                } else {
                    st.set_status_last_activity_at(&user, latest);
                }
            }
        }
    }
    drop(st);
    core.wake.notify_all();
}

pub(crate) fn fresh_conn(user_id: &str, admin: bool, connection_id: &str, now: i64) -> WebConn {
    WebConn {
        user_id: user_id.to_owned(),
        admin,
        connection_id: connection_id.to_owned(),
        active: false,
        in_index: false,
        send: Default::default(),
        send_closed: false,
        dead: DeadQueue::new(),
        sequence: 0,
        reuse_count: 0,
        last_user_activity_at: now,
        socket: None,
        resume_pending: false,
    }
}

/// Marks the socket as ending (the first reason wins) and wakes its writer.
fn end_socket(core: &Core, key: u64, ending: Ending) {
    let mut st = core.lock();
    if let Some(s) = st.live.sockets.get_mut(&key) {
        s.ending.get_or_insert(ending);
    }
    drop(st);
    core.wake.notify_all();
}

/// `readPump`: requests, pongs (which alone extend the read deadline), and the end.
fn read_pump(core: &Core, key: u64, ws: &mut tungstenite::WebSocket<ReadSide>) -> Ending {
    let mut deadline = Instant::now() + core.lock().live.timings.pong_wait;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Ending::Abrupt; // the read deadline: no pong in time
        }
        let wait = (deadline - now).min(Duration::from_millis(500));
        let _ = ws
            .get_mut()
            .inner
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))));
        let read = ws.read();
        if matches!(
            read,
            Ok(Message::Text(_) | Message::Binary(_) | Message::Pong(_))
        ) && core
            .lock()
            .live
            .sockets
            .get(&key)
            .is_some_and(|s| s.stalled)
        {
            continue; // a stalled socket: what arrives never reaches the server
        }
        match read {
            Ok(Message::Text(text)) => {
                let mut st = core.lock();
                let handled = st.serve_request(key, text.as_str());
                drop(st);
                core.wake.notify_all();
                if handled.is_err() {
                    return Ending::Abrupt;
                }
            }
            // A msgpack request: not decoded by the fake (see the module docs); the
            // server closes on any request it cannot decode.
            Ok(Message::Binary(_)) => return Ending::Abrupt,
            Ok(Message::Pong(_)) => {
                let mut st = core.lock();
                deadline = Instant::now() + st.live.timings.pong_wait;
                // The pong handler: SetStatusAwayIfNeeded(user, false) when authenticated.
                let user = st
                    .live
                    .sockets
                    .get(&key)
                    .filter(|s| s.has_token)
                    .map(|s| s.user_id.clone());
                if let Some(user) = user {
                    st.set_status_away_if_needed(&user);
                }
                drop(st);
                core.wake.notify_all();
            }
            // Pings are answered by tungstenite (gorilla's default handler); a close is
            // answered with a close, then the read fails.
            Ok(_) => {}
            Err(WsError::Io(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(WsError::Capacity(_)) => {
                // gorilla's read limit: close 1009 with no reason, then the end.
                let mut frame = Vec::new();
                let close = Frame::close(Some(CloseFrame {
                    code: CloseCode::Size,
                    reason: "".into(),
                }));
                if close.format(&mut frame).is_ok() {
                    return Ending::After(frame);
                }
                return Ending::Abrupt;
            }
            Err(_) => return Ending::Abrupt,
        }
    }
}

/// What the writer does next.
enum Step {
    Write(Vec<u8>),
    WriteAll(Vec<Vec<u8>>),
    Ping,
    End(Ending),
}

fn text_frame(text: String) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 10);
    let frame = Frame::message(
        text.into_bytes(),
        tungstenite::protocol::frame::coding::OpCode::Data(
            tungstenite::protocol::frame::coding::Data::Text,
        ),
        true,
    );
    // Formatting into a Vec cannot fail.
    let _ = frame.format(&mut out);
    out
}

/// `writePump`: the resume start, then queued messages (events numbered as written and
/// kept in the dead queue), pings, and the auth check.
fn write_pump(core: &Core, key: u64, mut out: Box<dyn Stream>) {
    let _ = out.set_write_timeout(Some(WRITE_WAIT));
    let mut last_ping = Instant::now();
    loop {
        let step = next_step(core, key, &mut last_ping);
        let result = match step {
            Step::Write(bytes) => out.write_all(&bytes).and_then(|()| out.flush()),
            Step::WriteAll(frames) => frames
                .iter()
                .try_for_each(|f| out.write_all(f))
                .and_then(|()| out.flush()),
            Step::Ping => {
                let mut bytes = Vec::new();
                let _ = Frame::ping(Vec::new()).format(&mut bytes);
                out.write_all(&bytes).and_then(|()| out.flush())
            }
            Step::End(Ending::After(frame)) => {
                let _ = out.write_all(&frame).and_then(|()| out.flush());
                let _ = out.shutdown();
                return;
            }
            Step::End(Ending::Abrupt) => {
                let _ = out.shutdown();
                return;
            }
        };
        if result.is_err() {
            end_socket(core, key, Ending::Abrupt);
            let _ = out.shutdown();
            return;
        }
    }
}

fn next_step(core: &Core, key: u64, last_ping: &mut Instant) -> Step {
    let mut st = core.lock();
    loop {
        let now = Instant::now();
        // The DND job (UpdateDNDStatusOfUsers), when an end has come on the fake's clock:
        // its status_change may be for any connection, so every writer is woken.
        let dnd_wait = match st.next_dnd_end() {
            Some(end) if end <= unix_seconds(st.now()) => {
                st.expire_dnd();
                core.wake.notify_all();
                None
            }
            Some(end) => {
                let left = end.saturating_sub(unix_seconds(st.now()));
                Some(Duration::from_secs(u64::try_from(left).unwrap_or(u64::MAX)))
            }
            None => None,
        };
        let timings = st.live.timings;
        let stopping = st.live.stopping;
        let hub = &mut st.live;
        let Some(sock) = hub.sockets.get_mut(&key) else {
            return Step::End(Ending::Abrupt);
        };
        if stopping {
            return Step::End(Ending::Abrupt);
        }
        if let Some(frame) = sock.control.pop_front() {
            return Step::Write(frame);
        }
        if let Some(ending) = sock.ending.clone() {
            return Step::End(ending);
        }
        if sock.stalled {
            // Silent until the socket ends: no answers, events or pings.
            st = core
                .wake
                .wait_timeout(st, Duration::from_secs(1))
                .unwrap_or_else(|e| e.into_inner())
                .0;
            continue;
        }
        let conn_key = sock.conn;
        let auth_due = (!sock.auth_checked).then(|| sock.opened + timings.auth_check);
        if let Some(due) = auth_due {
            if now >= due {
                sock.auth_checked = true;
                if !sock.has_token {
                    sock.ending = Some(Ending::Abrupt);
                    return Step::End(Ending::Abrupt);
                }
            }
        }
        if let Some(k) = conn_key {
            let resume = hub
                .conns
                .get(&k)
                .is_some_and(|c| c.socket == Some(key) && c.resume_pending);
            if resume {
                let fresh = hub.new_connection_id();
                if let Some(conn) = hub.conns.get_mut(&k) {
                    conn.resume_pending = false;
                    let frames = resume_start(conn, fresh);
                    let cid = conn.connection_id.clone();
                    if let Some(sock) = hub.sockets.get_mut(&key) {
                        sock.connection_id = cid;
                    }
                    if !frames.is_empty() {
                        return Step::WriteAll(frames);
                    }
                }
                continue;
            }
        }
        if let Some(conn) = conn_key.and_then(|k| hub.conns.get_mut(&k)) {
            if conn.socket == Some(key) {
                if let Some(msg) = conn.send.pop_front() {
                    let text = match msg {
                        Queued::Event(ev) => {
                            let seq = conn.sequence;
                            let text = ev.render(seq);
                            conn.sequence += 1;
                            conn.dead.add(Written {
                                seq,
                                text: text.clone(),
                            });
                            text
                        }
                        Queued::Response(text) => text,
                    };
                    return Step::Write(text_frame(text));
                }
                if conn.send_closed {
                    // The queue overflowed: an empty close frame, then the close.
                    let mut frame = Vec::new();
                    let _ = Frame::close(None).format(&mut frame);
                    return Step::End(Ending::After(frame));
                }
            }
        }
        let next_ping = *last_ping + timings.ping_interval;
        if now >= next_ping {
            *last_ping = now;
            return Step::Ping;
        }
        let mut wake_at = next_ping;
        if let Some(due) = auth_due.filter(|d| *d > now) {
            wake_at = wake_at.min(due);
        }
        if let Some(left) = dnd_wait {
            // At least a quarter second: a stopped clock never reaches the end.
            wake_at = wake_at.min(now + left.max(Duration::from_millis(250)));
        }
        let wait = wake_at
            .saturating_duration_since(now)
            .max(Duration::from_millis(1));
        st = core
            .wake
            .wait_timeout(st, wait)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// The start of `writePump` for a reused connection: the events from the asked-for number
/// again (with their numbers), or, when some were lost, a new connection id and a `hello`
/// numbered 0; nothing when the client is exactly caught up (or asked for 0).
fn resume_start(conn: &mut WebConn, fresh_id: String) -> Vec<Vec<u8>> {
    if conn.sequence == 0 {
        return Vec::new();
    }
    if let Some(index) = conn.dead.find(conn.sequence) {
        let again = conn.dead.replay_from(index);
        conn.sequence += i64::try_from(again.len()).unwrap_or(0);
        return again.into_iter().map(|w| text_frame(w.text)).collect();
    }
    if conn.dead.has_msg_loss(conn.sequence) {
        conn.dead.clear();
        conn.connection_id = fresh_id;
        conn.sequence = 0;
        let text = hello_event(&conn.user_id, &conn.connection_id).render(0);
        conn.dead.add(Written {
            seq: 0,
            text: text.clone(),
        });
        conn.sequence = 1;
        return vec![text_frame(text)];
    }
    Vec::new()
}
