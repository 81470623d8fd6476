//! The fake server's websocket (`GET /api/v4/websocket`), driven by a raw tungstenite
//! client, over the HTTP front end and in process (`Transport::open_stream`). Each test
//! names the server code it follows (repository mattermost/mattermost, `server/`).
#![cfg(feature = "fake")]

use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use mattermost_status::fake::{FakeHttpServer, FakeServer, FakeUser, LiveTimings};
use mattermost_status::transport::{Stream, Transport};
use mattermost_status::{Status, StatusKind, UserId};
use serde_json::Value;
use tungstenite::client::IntoClientRequest;
use tungstenite::{Error as WsError, Message, WebSocket};

type Ws = WebSocket<Box<dyn Stream>>;

/// How a test reaches the fake.
enum Via {
    Http(FakeHttpServer),
    InProcess,
}

impl Via {
    fn name(&self) -> &'static str {
        match self {
            Via::Http(_) => "http",
            Via::InProcess => "in-process",
        }
    }
}

/// Runs `test` against a fresh fake (short timings) over HTTP, then in process.
fn both(test: impl Fn(&FakeServer, &Via)) {
    for http in [true, false] {
        let fake = FakeServer::new();
        fake.set_live_timings(short_timings());
        let via = if http {
            Via::Http(fake.serve().expect("serve"))
        } else {
            Via::InProcess
        };
        test(&fake, &via);
        drop(via);
        drop(fake);
    }
}

fn short_timings() -> LiveTimings {
    let mut t = LiveTimings::default();
    t.auth_check = Duration::from_millis(300);
    t
}

fn open(fake: &FakeServer, via: &Via) -> Box<dyn Stream> {
    match via {
        Via::Http(server) => {
            let s = TcpStream::connect(server.addr()).expect("connect");
            Box::new(s)
        }
        Via::InProcess => fake
            .open_stream("http://fake-mattermost.invalid", Duration::from_secs(5))
            .expect("open_stream"),
    }
}

/// Upgrades with `query` (after `?`, may be empty) and the given headers.
fn try_connect(
    fake: &FakeServer,
    via: &Via,
    path: &str,
    headers: &[(&str, String)],
) -> Result<Ws, WsError> {
    let mut req = format!("ws://fake-mattermost.invalid{path}")
        .into_client_request()
        .expect("request");
    for (name, value) in headers {
        req.headers_mut().insert(
            tungstenite::http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
            value.parse().expect("value"),
        );
    }
    let mut stream = open(fake, via);
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    match tungstenite::client::client_with_config(req, stream, None) {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::HandshakeError::Failure(e)) => Err(e),
        Err(tungstenite::HandshakeError::Interrupted(_)) => panic!("handshake timed out"),
    }
}

/// The hello's `server_version`, from a fresh connection of bob's.
fn hello_version(fake: &FakeServer) -> String {
    let bob = fake.user("bob").unwrap();
    let mut ws = connect(fake, &Via::InProcess, &bob);
    let h = next_json(&mut ws);
    h["data"]["server_version"].as_str().unwrap().to_owned()
}

fn bearer(user: &FakeUser) -> Vec<(&'static str, String)> {
    vec![("Authorization", format!("Bearer {}", user.token))]
}

fn connect(fake: &FakeServer, via: &Via, user: &FakeUser) -> Ws {
    try_connect(fake, via, "/api/v4/websocket", &bearer(user)).expect("upgrade")
}

/// The next text frame within `wait` (pings are skipped), `None` if none came.
fn next_text(ws: &mut Ws, wait: Duration) -> Option<String> {
    let end = Instant::now() + wait;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        ws.get_mut()
            .set_read_timeout(Some(left.max(Duration::from_millis(5))))
            .expect("timeout");
        match ws.read() {
            Ok(Message::Text(t)) => return Some(t.as_str().to_owned()),
            Ok(_) => {}
            Err(WsError::Io(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("connection ended while waiting for a frame: {e}"),
        }
    }
}

fn next_json(ws: &mut Ws) -> Value {
    let text = next_text(ws, Duration::from_secs(5)).expect("a frame");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Nothing arrives within `wait`.
fn assert_silent(ws: &mut Ws, wait: Duration) {
    if let Some(t) = next_text(ws, wait) {
        panic!("expected nothing, got {t}");
    }
}

/// How the connection ended.
#[derive(Debug, PartialEq)]
enum End {
    /// TCP close with no close frame.
    Abrupt,
    /// A close frame with this code (`None`: no code).
    CloseFrame(Option<u16>),
}

/// Reads until the connection ends (within `wait`), collecting text frames before it.
fn read_to_end(ws: &mut Ws, wait: Duration) -> (Vec<String>, End) {
    let end = Instant::now() + wait;
    let mut texts = Vec::new();
    loop {
        let left = end.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "the connection did not end; got {texts:?}");
        ws.get_mut()
            .set_read_timeout(Some(left.max(Duration::from_millis(5))))
            .expect("timeout");
        match ws.read() {
            Ok(Message::Text(t)) => texts.push(t.as_str().to_owned()),
            Ok(Message::Close(frame)) => {
                return (texts, End::CloseFrame(frame.map(|f| u16::from(f.code))));
            }
            Ok(_) => {}
            Err(WsError::Io(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(WsError::Protocol(
                tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
            ))
            | Err(WsError::Io(_))
            | Err(WsError::ConnectionClosed)
            | Err(WsError::AlreadyClosed) => return (texts, End::Abrupt),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
}

fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).expect("send");
}

fn hello(ws: &mut Ws, user: &FakeUser) -> String {
    let h = next_json(ws);
    assert_eq!(h["event"], "hello", "{h}");
    assert_eq!(h["seq"], 0);
    assert_eq!(h["broadcast"]["user_id"], user.id.as_str());
    let id = h["data"]["connection_id"]
        .as_str()
        .expect("connection_id")
        .to_owned();
    assert_eq!(id.len(), 26);
    id
}

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(5);
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn users(fake: &FakeServer) -> (FakeUser, FakeUser, FakeUser) {
    (
        fake.user("alice").unwrap(),
        fake.user("bob").unwrap(),
        fake.user("sysadmin").unwrap(),
    )
}

// ---- connecting and authentication ----

/// web_hub.go register (`createHelloMessage` when reuseCount == 0), web_conn.go
/// createHelloMessage; model/websocket_message.go (`json.Encoder`: compact, newline).
#[test]
fn header_auth_gets_hello_first_with_seq_0_and_the_servers_json() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        let text = next_text(&mut ws, Duration::from_secs(5)).expect("hello");
        assert!(
            text.ends_with("}\n"),
            "{}: json.Encoder ends with a newline",
            via.name()
        );
        assert!(
            text.starts_with("{\"event\":\"hello\",\"data\":{\"connection_id\":\""),
            "{text}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        let version = v["data"]["server_version"].as_str().unwrap();
        // CurrentVersion (three parts), BuildNumber, ClientConfigHash, licensed.
        assert!(version.split('.').count() >= 6, "{version}");
        assert!(
            version.ends_with(".false"),
            "{version}: v.build.hash.licensed"
        );
        assert!(text.contains(&format!(
            "\"broadcast\":{{\"omit_users\":null,\"user_id\":\"{}\",\"channel_id\":\"\",\"team_id\":\"\",\"connection_id\":\"\",\"omit_connection_id\":\"\"}},\"seq\":0}}",
            alice.id
        )), "{text}");
    });
}

/// app ParseAuthTokenFromRequest: Bearer prefix in any case, cookie MMAUTHTOKEN.
#[test]
fn bearer_in_any_case_and_the_session_cookie_authenticate() {
    both(|fake, via| {
        let (alice, bob, _) = users(fake);
        let mut ws = try_connect(
            fake,
            via,
            "/api/v4/websocket/",
            &[("Authorization", format!("bEaReR {}", alice.token))],
        )
        .expect("upgrade, trailing slash allowed");
        hello(&mut ws, &alice);
        let mut ws = try_connect(
            fake,
            via,
            "/api/v4/websocket",
            &[("Cookie", format!("other=1; MMAUTHTOKEN={}", bob.token))],
        )
        .expect("upgrade");
        hello(&mut ws, &bob);
    });
}

/// web/handlers.go: a valid non-OAuth session token in `?access_token=` is 401
/// `api.context.token_provided.app_error`, before any upgrade.
#[test]
fn a_token_in_the_query_is_401_before_the_upgrade() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let err = try_connect(
            fake,
            via,
            &format!("/api/v4/websocket?access_token={}", alice.token),
            &[],
        )
        .expect_err("no upgrade");
        let WsError::Http(resp) = err else {
            panic!("{err}")
        };
        assert_eq!(resp.status(), 401);
        let body: Value = serde_json::from_slice(resp.body().as_deref().unwrap()).unwrap();
        assert_eq!(body["id"], "api.context.token_provided.app_error");
        assert_eq!(body["status_code"], 401);
        // Logged as a request, without the query that holds the token.
        assert_eq!(fake.requests().last().unwrap(), "GET /api/v4/websocket");
        assert!(fake.requests().iter().all(|r| !r.contains(&alice.token)));
        // The same version id as the hello's server_version (`v.build.hash.licensed`).
        assert_eq!(resp.headers()["x-version-id"], hello_version(fake).as_str());
    });
}

/// web_conn.go writePump authTicker (authCheckInterval), web_hub directMsg `Has` check:
/// a bad header token upgrades, gets no hello and no replies, and is closed with no close
/// frame after the auth check.
#[test]
fn a_bad_token_upgrades_gets_nothing_and_is_cut_after_the_auth_check() {
    both(|fake, via| {
        let cases: [(&str, Vec<(&str, String)>); 4] = [
            (
                "/api/v4/websocket",
                vec![("Authorization", "Bearer notatoken".to_owned())],
            ),
            (
                "/api/v4/websocket",
                vec![("Cookie", "MMAUTHTOKEN=notatoken".to_owned())],
            ),
            // An unknown token in the query is no session either (only a valid one is 401).
            ("/api/v4/websocket?access_token=notatoken", vec![]),
            ("/api/v4/websocket", vec![]),
        ];
        for (path, headers) in cases {
            let started = Instant::now();
            let mut ws = try_connect(fake, via, path, &headers).expect("101 even so");
            send(&mut ws, serde_json::json!({"seq": 1, "action": "ping"}));
            send(&mut ws, serde_json::json!({"seq": 0, "action": "ping"}));
            send(&mut ws, serde_json::json!({"seq": 2, "action": "presence"}));
            let (texts, end) = read_to_end(&mut ws, Duration::from_secs(5));
            assert!(texts.is_empty(), "{} {path}: {texts:?}", via.name());
            assert_eq!(end, End::Abrupt);
            let took = started.elapsed();
            assert!(took >= Duration::from_millis(250), "{took:?}");
            assert!(took < Duration::from_secs(3), "{took:?}");
        }
    });
}

/// websocket_router.go: a valid challenge gives hello (seq 0), then the OK, then the
/// user's own status_change to online (transcripts in mattermost/mattermost#23332).
#[test]
fn a_challenge_gives_hello_then_ok_then_online() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = try_connect(fake, via, "/api/v4/websocket", &[]).expect("upgrade");
        send(
            &mut ws,
            serde_json::json!({"seq": 1, "action": "authentication_challenge", "data": {"token": alice.token}}),
        );
        hello(&mut ws, &alice);
        assert_eq!(
            next_text(&mut ws, Duration::from_secs(5)).unwrap(),
            "{\"status\":\"OK\",\"seq_reply\":1}\n"
        );
        let ev = next_json(&mut ws);
        assert_eq!(ev["event"], "status_change");
        assert_eq!(
            ev["data"],
            serde_json::json!({"status": "online", "user_id": alice.id.as_str()})
        );
        assert_eq!(ev["seq"], 1);
        // Past the auth check, still open.
        std::thread::sleep(Duration::from_millis(400));
        send(
            &mut ws,
            serde_json::json!({"seq": 2, "action": "get_statuses_by_ids", "data": {"user_ids": [alice.id.as_str()]}}),
        );
        assert_eq!(next_json(&mut ws)["seq_reply"], 2);
    });
}

/// websocket_router.go: a challenge on an authenticated connection gets no answer; one
/// with no or a bad token closes the socket at once, with no close frame.
#[test]
fn challenge_when_authenticated_is_ignored_and_a_bad_one_closes() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        let _online = next_json(&mut ws);
        send(
            &mut ws,
            serde_json::json!({"seq": 1, "action": "authentication_challenge", "data": {"token": alice.token}}),
        );
        assert_silent(&mut ws, Duration::from_millis(200));

        let mut t = short_timings();
        t.auth_check = Duration::from_secs(3);
        fake.set_live_timings(t);
        for data in [serde_json::json!({}), serde_json::json!({"token": "wrong"})] {
            let mut ws = try_connect(fake, via, "/api/v4/websocket", &[]).expect("upgrade");
            let started = Instant::now();
            send(
                &mut ws,
                serde_json::json!({"seq": 1, "action": "authentication_challenge", "data": data}),
            );
            let (texts, end) = read_to_end(&mut ws, Duration::from_secs(5));
            assert!(texts.is_empty());
            assert_eq!(end, End::Abrupt);
            assert!(
                started.elapsed() < Duration::from_millis(1500),
                "at once, not at the auth check"
            );
        }
    });
}

// ---- requests ----

/// websocket_router.go order; model WebSocketResponse omitempty.
#[test]
fn the_router_checks_in_the_servers_order() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        let _online = next_json(&mut ws);
        send(&mut ws, serde_json::json!({"seq": 0, "action": ""}));
        let r = next_json(&mut ws);
        assert_eq!(
            r["error"]["id"],
            "api.web_socket_router.no_action.app_error"
        );
        assert_eq!(r["error"]["status_code"], 400);
        send(&mut ws, serde_json::json!({"seq": 0, "action": "ping"}));
        let text = next_text(&mut ws, Duration::from_secs(5)).unwrap();
        assert!(!text.contains("seq_reply"), "{text}");
        assert!(
            text.contains("api.web_socket_router.bad_seq.app_error"),
            "{text}"
        );
        send(&mut ws, serde_json::json!({"seq": 3, "action": "nope"}));
        let r = next_json(&mut ws);
        assert_eq!(
            r["error"]["id"],
            "api.web_socket_router.bad_action.app_error"
        );
        assert_eq!(r["error"]["status_code"], 500);
        assert_eq!(r["error"]["detailed_error"], "");
        assert_eq!(r["seq_reply"], 3);
        assert!(r.get("seq").is_none());
    });
}

/// wsapi/status.go getStatusesByIds, platform GetStatusesByIds, model.ArrayFromInterface.
#[test]
fn get_statuses_by_ids_skips_non_strings_and_answers_offline_for_unknown_ids() {
    both(|fake, via| {
        let (alice, bob, _) = users(fake);
        fake.set_status(&Status::new(bob.id, StatusKind::Dnd));
        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        let _online = next_json(&mut ws);
        send(
            &mut ws,
            serde_json::json!({"seq": 5, "action": "get_statuses_by_ids",
            "data": {"user_ids": [bob.id.as_str(), 7, "zzzzzzzzzzzzzzzzzzzzzzzzzz", alice.id.as_str()]}}),
        );
        let r = next_json(&mut ws);
        assert_eq!(r["status"], "OK");
        assert_eq!(r["seq_reply"], 5);
        assert_eq!(
            r["data"],
            serde_json::json!({
                bob.id.as_str(): "dnd",
                alice.id.as_str(): "online",
                "zzzzzzzzzzzzzzzzzzzzzzzzzz": "offline",
            })
        );
        send(
            &mut ws,
            serde_json::json!({"seq": 6, "action": "get_statuses_by_ids", "data": {"user_ids": [1, null]}}),
        );
        let r = next_json(&mut ws);
        assert_eq!(r["status"], "FAIL");
        assert_eq!(
            r["error"]["id"],
            "api.websocket_handler.invalid_param.app_error"
        );
        assert_eq!(r["error"]["status_code"], 400);
    });
}

/// wsapi/status.go getStatuses: every stored status but offline; platform/status.go
/// EnableUserStatuses off: empty (data left out).
#[test]
fn get_statuses_leaves_out_offline_and_nothing_when_statuses_are_off() {
    both(|fake, via| {
        let (alice, bob, admin) = users(fake);
        fake.set_status(&Status::new(bob.id, StatusKind::Away));
        fake.set_status(&Status::new(admin.id, StatusKind::Offline));
        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        let _online = next_json(&mut ws);
        send(
            &mut ws,
            serde_json::json!({"seq": 1, "action": "get_statuses", "data": null}),
        );
        let r = next_json(&mut ws);
        assert_eq!(
            r["data"],
            serde_json::json!({alice.id.as_str(): "online", bob.id.as_str(): "away"})
        );
        fake.set_enable_user_statuses(false);
        send(
            &mut ws,
            serde_json::json!({"seq": 2, "action": "get_statuses"}),
        );
        assert_eq!(
            next_text(&mut ws, Duration::from_secs(5)).unwrap(),
            "{\"status\":\"OK\",\"seq_reply\":2}\n"
        );
        send(
            &mut ws,
            serde_json::json!({"seq": 3, "action": "get_statuses_by_ids", "data": {"user_ids": [bob.id.as_str()]}}),
        );
        assert_eq!(
            next_text(&mut ws, Duration::from_secs(5)).unwrap(),
            "{\"status\":\"OK\",\"seq_reply\":3}\n"
        );
    });
}

/// wsapi/system.go ping; wsapi/user.go userTyping (no channel the user may post in) and
/// userUpdateActiveStatus.
#[test]
fn ping_typing_and_active_status_answer_as_the_server() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        let _online = next_json(&mut ws);
        send(&mut ws, serde_json::json!({"seq": 1, "action": "ping"}));
        let text = next_text(&mut ws, Duration::from_secs(5)).unwrap();
        assert!(
            text.starts_with(
                "{\"status\":\"OK\",\"seq_reply\":1,\"data\":{\"node_id\":\"\",\"server_time\":"
            ),
            "{text}"
        );
        let r: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(r["data"]["text"], "pong");
        assert_eq!(r["data"]["version"].as_str().unwrap().split('.').count(), 3);
        send(
            &mut ws,
            serde_json::json!({"seq": 2, "action": "user_typing", "data": {"channel_id": "abcdefghijklmnopqrstuvwxyz"}}),
        );
        let r = next_json(&mut ws);
        assert_eq!(
            r["error"]["id"],
            "api.websocket_handler.invalid_param.app_error"
        );
        send(
            &mut ws,
            serde_json::json!({"seq": 3, "action": "user_update_active_status", "data": {"user_is_active": "yes"}}),
        );
        assert_eq!(next_json(&mut ws)["status"], "FAIL");
        send(
            &mut ws,
            serde_json::json!({"seq": 4, "action": "user_update_active_status", "data": {"user_is_active": false, "manual": true}}),
        );
        let mut got = [next_json(&mut ws), next_json(&mut ws)];
        got.sort_by_key(|v| v.get("seq_reply").is_some());
        assert_eq!(got[0]["data"]["status"], "away");
        assert_eq!(got[1]["seq_reply"], 4);
    });
}

/// web_conn.go readPump: an undecodable request closes with no answer; a message over
/// SocketMaxMessageSizeKb (8192 bytes) closes with 1009.
#[test]
fn undecodable_and_oversized_messages_close_the_connection() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        let _online = next_json(&mut ws);
        ws.send(Message::text("{\"seq\":\"one\"}")).unwrap();
        let (texts, end) = read_to_end(&mut ws, Duration::from_secs(5));
        assert!(texts.is_empty(), "{texts:?}");
        assert_eq!(end, End::Abrupt);

        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        let big = format!(
            "{{\"seq\":1,\"action\":\"ping\",\"data\":{{\"x\":\"{}\"}}}}",
            "a".repeat(8200)
        );
        ws.send(Message::text(big)).unwrap();
        let (_, end) = read_to_end(&mut ws, Duration::from_secs(5));
        assert_eq!(end, End::CloseFrame(Some(1009)));
    });
}

// ---- status events ----

/// platform BroadcastStatus, web_conn.go ShouldSendEvent (broadcast.user_id): a
/// status_change reaches only that user's connections; every path that changes a status
/// sends one.
#[test]
fn status_change_reaches_only_the_users_own_connections_from_every_path() {
    both(|fake, via| {
        let (alice, bob, admin) = users(fake);
        let mut a = connect(fake, via, &alice);
        hello(&mut a, &alice);
        assert_eq!(next_json(&mut a)["data"]["status"], "online");
        let mut b = connect(fake, via, &bob);
        hello(&mut b, &bob);
        assert_eq!(next_json(&mut b)["data"]["status"], "online");
        let mut adm = connect(fake, via, &admin);
        hello(&mut adm, &admin);
        assert_eq!(next_json(&mut adm)["data"]["status"], "online");

        // FakeServer::set_status (SaveAndBroadcastStatus).
        fake.set_status(&Status::new(alice.id, StatusKind::Away));
        let ev = next_text(&mut a, Duration::from_secs(5)).unwrap();
        assert_eq!(ev, format!(
            "{{\"event\": \"status_change\", \"data\": {{\"status\":\"away\",\"user_id\":\"{id}\"}}, \"broadcast\": {{\"omit_users\":null,\"user_id\":\"{id}\",\"channel_id\":\"\",\"team_id\":\"\",\"connection_id\":\"\",\"omit_connection_id\":\"\"}}, \"seq\": 2}}",
            id = alice.id
        ), "precomputed JSON as the hub writes it");
        // record_activity: online again (automatic, a change).
        fake.record_activity(alice.id);
        assert_eq!(next_json(&mut a)["data"]["status"], "online");
        // HTTP PUT /users/{id}/status (dnd with an end), in process.
        let session = fake.session(&alice).unwrap();
        mattermost_status::UpdateStatus::new(UserId::me())
            .status(StatusKind::Dnd)
            .until(fake.now() + Duration::from_secs(120))
            .send(&session)
            .unwrap();
        let ev = next_json(&mut a);
        assert_eq!(
            ev["data"],
            serde_json::json!({"status": "dnd", "user_id": alice.id.as_str()})
        );
        // The DND job as the fake's clock passes the end: the previous status, no end time.
        fake.advance(Duration::from_secs(180));
        let ev = next_json(&mut a);
        assert_eq!(
            ev["data"],
            serde_json::json!({"status": "online", "user_id": alice.id.as_str()})
        );
        assert_eq!(ev["seq"], 5);
        // An admin setting alice's status: still only alice hears it.
        let admin_session = fake.session(&admin).unwrap();
        mattermost_status::UpdateStatus::new(alice.id)
            .status(StatusKind::Offline)
            .send(&admin_session)
            .unwrap();
        assert_eq!(next_json(&mut a)["data"]["status"], "offline");
        assert_silent(&mut b, Duration::from_millis(150));
        assert_silent(&mut adm, Duration::from_millis(50));
        // Statuses off: nothing.
        // Another user's change uses none of alice's numbers.
        fake.set_status(&Status::new(bob.id, StatusKind::Away));
        assert_eq!(next_json(&mut b)["data"]["status"], "away");
        fake.set_status(&Status::new(alice.id, StatusKind::Away));
        assert_eq!(
            next_json(&mut a)["seq"],
            7,
            "no gap for events alice did not get"
        );
        // Statuses off: nothing, whatever the path.
        fake.set_enable_user_statuses(false);
        fake.record_activity(alice.id);
        fake.set_status(&Status::new(alice.id, StatusKind::Dnd));
        assert_silent(&mut a, Duration::from_millis(100));
    });
}

/// platform SetStatusOnline: a manual status wins over connecting, and online → online
/// sends nothing; hub unregister → QueueSetStatusOffline(user, false) when the last
/// connection goes.
#[test]
fn connecting_respects_manual_and_the_last_disconnect_sets_offline() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut manual = Status::new(alice.id, StatusKind::Dnd);
        manual.manual = true;
        fake.set_status(&manual);
        let mut a = connect(fake, via, &alice);
        hello(&mut a, &alice);
        assert_silent(&mut a, Duration::from_millis(150));
        assert_eq!(fake.status(alice.id).unwrap().status, StatusKind::Dnd);
        drop(a);
        wait_for("the socket to close", || fake.live_connection_count() == 0);
        assert_eq!(
            fake.status(alice.id).unwrap().status,
            StatusKind::Dnd,
            "manual stays"
        );

        fake.set_status(&Status::new(alice.id, StatusKind::Online));
        let mut a1 = connect(fake, via, &alice);
        hello(&mut a1, &alice);
        assert_silent(&mut a1, Duration::from_millis(150));
        let mut a2 = connect(fake, via, &alice);
        hello(&mut a2, &alice);
        drop(a1);
        wait_for("one socket", || fake.live_connection_count() == 1);
        assert_eq!(
            fake.status(alice.id).unwrap().status,
            StatusKind::Online,
            "one left"
        );
        drop(a2);
        wait_for("no socket", || fake.live_connection_count() == 0);
        wait_for("offline", || {
            fake.status(alice.id).unwrap().status == StatusKind::Offline
        });
    });
}

/// app sendUpdatedUserEvent: three copies; admins get the sensitive one, others the
/// sanitized one, the user the unsanitized one; props.customStatus a JSON string.
#[test]
fn user_updated_goes_to_everyone_once_with_the_copy_for_them() {
    both(|fake, via| {
        let (alice, bob, admin) = users(fake);
        let mut a = connect(fake, via, &alice);
        hello(&mut a, &alice);
        let _ = next_json(&mut a);
        let mut b = connect(fake, via, &bob);
        hello(&mut b, &bob);
        let _ = next_json(&mut b);
        let mut adm = connect(fake, via, &admin);
        hello(&mut adm, &admin);
        let _ = next_json(&mut adm);
        let session = fake.session(&alice).unwrap();
        mattermost_status::UpdateCustomStatus::new(UserId::me())
            .emoji("calendar")
            .text("In a meeting")
            .send(&session)
            .unwrap();
        let to_alice = next_json(&mut a);
        let to_bob = next_json(&mut b);
        let to_admin = next_json(&mut adm);
        for ev in [&to_alice, &to_bob, &to_admin] {
            assert_eq!(ev["event"], "user_updated");
            assert_eq!(ev["data"]["user"]["id"], alice.id.as_str());
            let cs = ev["data"]["user"]["props"]["customStatus"]
                .as_str()
                .expect("a string");
            assert!(cs.contains("In a meeting"), "{cs}");
        }
        assert_eq!(to_alice["broadcast"]["user_id"], alice.id.as_str());
        assert!(to_alice["broadcast"]
            .get("contains_sanitized_data")
            .is_none());
        assert_eq!(to_bob["broadcast"]["contains_sanitized_data"], true);
        assert_eq!(
            to_bob["broadcast"]["omit_users"],
            serde_json::json!({alice.id.as_str(): true})
        );
        assert_eq!(to_admin["broadcast"]["contains_sensitive_data"], true);
        // app/custom_status.go addRecentCustomStatus → UpdatePreferences: to alice only.
        let sidebar = next_json(&mut a);
        assert_eq!(sidebar["event"], "sidebar_category_updated");
        assert_eq!(sidebar["data"], serde_json::json!({}));
        let prefs = next_json(&mut a);
        assert_eq!(prefs["event"], "preferences_changed");
        assert_eq!(prefs["broadcast"]["user_id"], alice.id.as_str());
        let list: Value =
            serde_json::from_str(prefs["data"]["preferences"].as_str().expect("a string")).unwrap();
        assert_eq!(list[0]["category"], "custom_status");
        assert_eq!(list[0]["name"], "recent_custom_statuses");
        assert!(list[0]["value"].as_str().unwrap().contains("In a meeting"));
        assert_silent(&mut a, Duration::from_millis(100));
        assert_silent(&mut b, Duration::from_millis(10));
        assert_silent(&mut adm, Duration::from_millis(10));

        // Cleared: user_updated with "" (and no preference change).
        mattermost_status::UnsetCustomStatus::new(UserId::me())
            .send(&session)
            .unwrap();
        assert_eq!(
            next_json(&mut b)["data"]["user"]["props"]["customStatus"],
            ""
        );
        assert_eq!(next_json(&mut a)["event"], "user_updated");
        assert_silent(&mut a, Duration::from_millis(100));

        // RemoveRecentCustomStatus → UpdatePreferences: the list, now empty.
        let recent = fake.recent_custom_statuses(alice.id);
        mattermost_status::RemoveRecentCustomStatus::new(UserId::me(), recent[0].clone())
            .send(&session)
            .unwrap();
        assert_eq!(next_json(&mut a)["event"], "sidebar_category_updated");
        let prefs = next_json(&mut a);
        let list: Value =
            serde_json::from_str(prefs["data"]["preferences"].as_str().unwrap()).unwrap();
        assert_eq!(list[0]["value"], "[]");
        assert_silent(&mut b, Duration::from_millis(50));
    });
}

/// sendUpdatedUserEvent's copies go through ShouldSendEventToGuest: a guest gets a
/// `user_updated` only for a user they may see (UserCanSeeOtherUser: someone in one of
/// their channels); and each copy is sanitized for its receivers (ShowEmailAddress off:
/// the sanitized copy has no email, the admin's and the user's own keep it).
#[test]
fn user_updated_reaches_a_guest_only_for_users_they_can_see_sanitized_per_copy() {
    both(|fake, via| {
        let (alice, bob, admin) = users(fake);
        fake.set_show_email_address(false);
        let guest = fake.add_guest("gwen");
        fake.add_channel_members("guests-and-bob", &[guest.id, bob.id]);
        let mut g = connect(fake, via, &guest);
        hello(&mut g, &guest);
        let _ = next_json(&mut g);
        let mut b = connect(fake, via, &bob);
        hello(&mut b, &bob);
        let _ = next_json(&mut b);
        let mut adm = connect(fake, via, &admin);
        hello(&mut adm, &admin);
        let _ = next_json(&mut adm);
        // alice shares no channel with the guest: bob and the admin hear of it, the guest not.
        let alice_session = fake.session(&alice).unwrap();
        mattermost_status::UpdateCustomStatus::new(UserId::me())
            .text("Lunch")
            .send(&alice_session)
            .unwrap();
        let to_bob = next_json(&mut b);
        assert_eq!(to_bob["data"]["user"]["id"], alice.id.as_str());
        assert!(
            to_bob["data"]["user"]["email"]
                .as_str()
                .unwrap_or("")
                .is_empty(),
            "{to_bob}"
        );
        let to_admin = next_json(&mut adm);
        assert!(
            !to_admin["data"]["user"]["email"]
                .as_str()
                .unwrap_or("")
                .is_empty(),
            "{to_admin}"
        );
        assert_silent(&mut g, Duration::from_millis(150));
        // bob does: the guest hears of his.
        let bob_session = fake.session(&bob).unwrap();
        mattermost_status::UpdateCustomStatus::new(UserId::me())
            .text("Out")
            .send(&bob_session)
            .unwrap();
        assert_eq!(next_json(&mut g)["data"]["user"]["id"], bob.id.as_str());
    });
}

// ---- sequence numbers and resumption ----

fn resume_path(id: &str, seq: i64) -> String {
    format!("/api/v4/websocket?connection_id={id}&sequence_number={seq}")
}

/// web_conn.go writePump (isInDeadQueue/drainDeadQueue), web_hub checkConn
/// RemoveInactiveByConnectionID, api4/websocket.go: a dropped connection keeps
/// queueing; a resume replays exactly the missed events, once, in order, with their
/// numbers, and no hello.
#[test]
fn resume_replays_exactly_the_missed_events_once_in_order() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        let id = hello(&mut ws, &alice);
        assert_eq!(next_json(&mut ws)["seq"], 1); // online
        fake.set_status(&Status::new(alice.id, StatusKind::Away));
        assert_eq!(next_json(&mut ws)["seq"], 2);
        fake.drop_live_connections();
        let (_, end) = read_to_end(&mut ws, Duration::from_secs(5));
        assert_eq!(end, End::Abrupt);
        wait_for("inactive", || fake.resumable_live_connection_count() == 1);
        // Missed while away (the disconnect's own offline is one of them).
        fake.set_status(&Status::new(alice.id, StatusKind::Dnd));
        fake.set_status(&Status::new(alice.id, StatusKind::Online));
        let mut ws =
            try_connect(fake, via, &resume_path(&id, 3), &bearer(&alice)).expect("upgrade");
        let mut got = Vec::new();
        while let Some(t) = next_text(&mut ws, Duration::from_millis(300)) {
            got.push(serde_json::from_str::<Value>(&t).unwrap());
        }
        let seqs: Vec<i64> = got.iter().map(|v| v["seq"].as_i64().unwrap()).collect();
        let statuses: Vec<&str> = got
            .iter()
            .map(|v| v["data"]["status"].as_str().unwrap())
            .collect();
        assert_eq!(seqs, [3, 4, 5], "{}: {got:?}", via.name());
        assert_eq!(statuses, ["offline", "dnd", "online"]);
        // Then on: numbers go on with no gap.
        fake.set_status(&Status::new(alice.id, StatusKind::Away));
        assert_eq!(next_json(&mut ws)["seq"], 6);
    });
}

/// web_conn.go writePump: exactly caught up → nothing, no hello; a lost number → a new
/// connection id and hello at 0; api4/websocket.go: challenge-only or unknown ids → a
/// fresh connection; responses are never replayed.
#[test]
fn caught_up_lost_unknown_and_challenge_only_resumes() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        let id = hello(&mut ws, &alice);
        let _online = next_json(&mut ws); // seq 1
        send(&mut ws, serde_json::json!({"seq": 1, "action": "ping"}));
        let _pong = next_json(&mut ws);
        fake.drop_live_connections();
        let _ = read_to_end(&mut ws, Duration::from_secs(5));
        wait_for("inactive", || fake.resumable_live_connection_count() == 1);
        // The disconnect queued offline (seq 2) and the resume's own online (seq 3).
        let mut ws =
            try_connect(fake, via, &resume_path(&id, 2), &bearer(&alice)).expect("upgrade");
        let mut got = Vec::new();
        while let Some(t) = next_text(&mut ws, Duration::from_millis(300)) {
            got.push(serde_json::from_str::<Value>(&t).unwrap());
        }
        let seqs: Vec<i64> = got.iter().map(|v| v["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, [2, 3], "queued events, no pong, no hello: {got:?}");
        assert!(got.iter().all(|v| v.get("seq_reply").is_none()));
        drop(ws);
        wait_for("inactive again", || {
            fake.resumable_live_connection_count() == 1
        });

        // Exactly caught up (4 is the next): the queued offline then online only.
        let mut ws =
            try_connect(fake, via, &resume_path(&id, 4), &bearer(&alice)).expect("upgrade");
        let first = next_json(&mut ws);
        assert_ne!(first["event"], "hello");
        assert_eq!(first["seq"], 4);
        drop(ws);
        wait_for("inactive again", || {
            fake.resumable_live_connection_count() == 1
        });

        // Lost (asks for a number far ahead): new id, hello at 0.
        let mut ws =
            try_connect(fake, via, &resume_path(&id, 99), &bearer(&alice)).expect("upgrade");
        let new_id = hello(&mut ws, &alice);
        assert_ne!(new_id, id);
        drop(ws);
        wait_for("inactive again", || {
            fake.resumable_live_connection_count() == 1
        });

        // Challenge only: always fresh.
        let mut ws = try_connect(fake, via, &resume_path(&new_id, 1), &[]).expect("upgrade");
        send(
            &mut ws,
            serde_json::json!({"seq": 1, "action": "authentication_challenge", "data": {"token": alice.token}}),
        );
        let fresh = hello(&mut ws, &alice);
        assert_ne!(fresh, new_id);
        drop(ws);

        // Unknown id: fresh.
        let mut ws = try_connect(
            fake,
            via,
            &resume_path("abcdefghijklmnopqrstuvwxyz", 1),
            &bearer(&alice),
        )
        .expect("upgrade");
        hello(&mut ws, &alice);
    });
}

/// web_hub.go reaper (RemoveInactiveConnections); FakeServer::expire_live_connections:
/// a too-old connection cannot be resumed (new hello).
#[test]
fn a_too_old_resume_gets_a_new_hello() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        let id = hello(&mut ws, &alice);
        drop(ws);
        wait_for("inactive", || fake.resumable_live_connection_count() == 1);
        // The reaper on the fake's clock: 5 min lifetime, checked every 5 min.
        fake.advance(Duration::from_secs(11 * 60));
        assert_eq!(fake.resumable_live_connection_count(), 0);
        let mut ws =
            try_connect(fake, via, &resume_path(&id, 1), &bearer(&alice)).expect("upgrade");
        assert_ne!(hello(&mut ws, &alice), id);
        drop(ws);
        wait_for("inactive", || fake.resumable_live_connection_count() == 1);
        fake.expire_live_connections();
        assert_eq!(fake.resumable_live_connection_count(), 0);
    });
}

/// platform PopulateWebConnConfig (newest copy): a malformed connection_id, or one with
/// no sequence_number or one ParseInt refuses, closes right after the upgrade; a
/// negative number parses, and is a loss (new id, hello).
#[test]
fn bad_reconnect_parameters_close_at_once() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        let id = hello(&mut ws, &alice);
        drop(ws);
        wait_for("inactive", || fake.resumable_live_connection_count() == 1);
        for query in [
            "connection_id=short&sequence_number=1".to_owned(),
            format!("connection_id={id}"),
            format!("connection_id={id}&sequence_number="),
            format!("connection_id={id}&sequence_number=x"),
            "connection_id=abcdefghijklmnopqrstuvwxyz".to_owned(),
        ] {
            let mut ws = try_connect(
                fake,
                via,
                &format!("/api/v4/websocket?{query}"),
                &bearer(&alice),
            )
            .expect("upgrade");
            let (texts, end) = read_to_end(&mut ws, Duration::from_secs(5));
            assert!(texts.is_empty(), "{query}: {texts:?}");
            assert_eq!(end, End::Abrupt, "{query}");
        }
        assert_eq!(
            fake.resumable_live_connection_count(),
            1,
            "refused before the hub was asked"
        );
        let mut ws =
            try_connect(fake, via, &resume_path(&id, -1), &bearer(&alice)).expect("upgrade");
        assert_ne!(hello(&mut ws, &alice), id);
    });
}

// ---- keepalive ----

/// web_conn.go writePump ticker (pingInterval), readPump pong handler (pongWaitTime):
/// pings every interval; a peer that stops answering is cut; client pings get pongs.
#[test]
fn pings_flow_and_a_silent_peer_is_dropped_after_the_pong_wait() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut t = short_timings();
        t.ping_interval = Duration::from_millis(100);
        t.pong_wait = Duration::from_millis(400);
        fake.set_live_timings(t);
        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        // Reading answers the pings (tungstenite), so the connection lives past the wait.
        let mut pings = 0;
        let end = Instant::now() + Duration::from_millis(900);
        ws.send(Message::Ping(vec![1, 2].into())).unwrap();
        let mut pong = false;
        while Instant::now() < end {
            ws.get_mut()
                .set_read_timeout(Some(Duration::from_millis(20)))
                .unwrap();
            match ws.read() {
                Ok(Message::Ping(p)) => {
                    assert!(p.is_empty());
                    pings += 1;
                }
                Ok(Message::Pong(p)) => pong = p.as_ref() == [1, 2],
                Ok(_) => {}
                Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("{}: ended: {e}", via.name()),
            }
        }
        assert!(pings >= 3, "{pings}");
        assert!(pong, "the client's ping is answered");
        // Stop reading: no pongs; data frames do not count.
        let started = Instant::now();
        std::thread::sleep(Duration::from_millis(700));
        let _ = ws.send(Message::text("{\"seq\":9,\"action\":\"ping\"}"));
        let (_, end) = read_to_end(&mut ws, Duration::from_secs(5));
        assert_eq!(end, End::Abrupt);
        assert!(started.elapsed() < Duration::from_secs(3));
    });
}

// ---- lifetime ----

/// Every socket and thread ends when the fake and its HTTP server go.
#[test]
fn stopping_the_fake_closes_every_socket() {
    let fake = FakeServer::new();
    let alice = fake.user("alice").unwrap();
    let http = fake.serve().unwrap();
    let via_http = Via::Http(http);
    let mut a = connect(&fake, &via_http, &alice);
    hello(&mut a, &alice);
    let mut b = connect(&fake, &Via::InProcess, &alice);
    hello(&mut b, &alice);
    assert_eq!(fake.live_connection_count(), 2);
    drop(via_http); // stop: its sockets close
    let (_, end) = read_to_end(&mut a, Duration::from_secs(5));
    assert_eq!(end, End::Abrupt);
    wait_for("one socket", || fake.live_connection_count() == 1);
    drop(fake); // the last clone: in-process sockets close, threads joined
    let (_, end) = read_to_end(&mut b, Duration::from_secs(5));
    assert_eq!(end, End::Abrupt);
}

// ---- more status paths ----

/// web_conn.go readPump SetPongHandler → platform SetStatusAwayIfNeeded: a pong after
/// UserStatusAwayTimeout (300 s, on the fake's clock) without activity sets away.
#[test]
fn a_pong_after_the_away_timeout_sets_away() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut t = short_timings();
        t.ping_interval = Duration::from_millis(100);
        fake.set_live_timings(t);
        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        assert_eq!(next_json(&mut ws)["data"]["status"], "online");
        // Pongs before the timeout change nothing.
        assert_silent(&mut ws, Duration::from_millis(350));
        fake.advance(Duration::from_secs(301));
        let ev = next_json(&mut ws); // reading answers the next ping
        assert_eq!(ev["event"], "status_change");
        assert_eq!(ev["data"]["status"], "away");
        assert_eq!(fake.status(alice.id).unwrap().status, StatusKind::Away);
    });
}

/// UpdateDNDStatusOfUsers runs on its own: a timed DND ends while the client only
/// listens (no request, no clock move), with a plain status_change.
#[test]
fn a_timed_dnd_ends_on_its_own_while_listening() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        let _online = next_json(&mut ws);
        let mut dnd = Status::new(alice.id, StatusKind::Dnd);
        dnd.manual = true;
        dnd.dnd_end_time = Some(fake.now() + Duration::from_millis(1100));
        fake.set_status(&dnd);
        assert_eq!(next_json(&mut ws)["data"]["status"], "dnd");
        let ev = next_json(&mut ws);
        assert_eq!(
            ev["data"],
            serde_json::json!({"status": "online", "user_id": alice.id.as_str()})
        );
        // FakeServer::set_now past the end runs the job too.
        let end = fake.now() + Duration::from_secs(86_400);
        dnd.dnd_end_time = Some(end);
        fake.set_status(&dnd);
        assert_eq!(next_json(&mut ws)["data"]["status"], "dnd");
        assert_silent(&mut ws, Duration::from_millis(300));
        fake.set_now(end + Duration::from_secs(1));
        assert_eq!(next_json(&mut ws)["data"]["status"], "online");
    });
}

/// websocket_router.go: `presence` is answered OK (the connection's active channel).
#[test]
fn presence_is_answered_ok() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        hello(&mut ws, &alice);
        let _online = next_json(&mut ws);
        send(
            &mut ws,
            serde_json::json!({"seq": 4, "action": "presence", "data": {"channel_id": "abcdefghijklmnopqrstuvwxyz"}}),
        );
        assert_eq!(
            next_text(&mut ws, Duration::from_secs(5)).unwrap(),
            "{\"status\":\"OK\",\"seq_reply\":4}\n"
        );
    });
}

/// web_hub checkConn → RemoveInactiveByConnectionID finds only inactive connections: a
/// reconnect while the old socket is still open gets a fresh connection.
#[test]
fn resuming_a_connection_still_active_gets_a_fresh_one() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut first = connect(fake, via, &alice);
        let id = hello(&mut first, &alice);
        let mut second =
            try_connect(fake, via, &resume_path(&id, 1), &bearer(&alice)).expect("upgrade");
        assert_ne!(hello(&mut second, &alice), id);
        assert_eq!(fake.live_connection_count(), 2);
    });
}

/// web_hub.go closeAndRemoveConn: a connection whose send queue (256) overflows is
/// removed; its writer sends what was queued, then a close frame with no code
/// (web_conn.go writePump `!ok`). In process, where the pipe's bounded buffer stands in
/// for the socket's.
#[test]
fn a_reader_that_falls_behind_gets_the_queue_then_an_empty_close_frame() {
    let fake = FakeServer::new();
    let alice = fake.user("alice").unwrap();
    let via = Via::InProcess;
    let mut ws = connect(&fake, &via, &alice);
    let id = hello(&mut ws, &alice);
    let _online = next_json(&mut ws);
    let session = fake.session(&alice).unwrap();
    let sent = 1500;
    for i in 0..sent {
        mattermost_status::UpdateCustomStatus::new(UserId::me())
            .emoji("calendar")
            .text(format!("meeting {i}"))
            .send(&session)
            .unwrap();
    }
    let (texts, end) = read_to_end(&mut ws, Duration::from_secs(10));
    assert_eq!(end, End::CloseFrame(None));
    let seqs: Vec<i64> = texts
        .iter()
        .map(|t| {
            serde_json::from_str::<Value>(t).unwrap()["seq"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert!(seqs.len() < sent, "some were discarded: {}", seqs.len());
    assert!(seqs.len() > 256);
    assert_eq!(
        seqs,
        (2..2 + seqs.len() as i64).collect::<Vec<_>>(),
        "no gap before the end"
    );
    // Removed from the hub: not resumable.
    wait_for("closed", || fake.live_connection_count() == 0);
    assert_eq!(fake.resumable_live_connection_count(), 0);
    let mut ws = try_connect(&fake, &via, &resume_path(&id, 3), &bearer(&alice)).expect("upgrade");
    assert_ne!(hello(&mut ws, &alice), id);
}

/// web_conn.go writePump isInDeadQueue/drainDeadQueue: events already written when the
/// connection died are written again from the asked-for number, byte for byte, then the
/// events queued while it was away.
#[test]
fn resume_rewrites_events_from_the_dead_queue_byte_for_byte() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut ws = connect(fake, via, &alice);
        let id = hello(&mut ws, &alice);
        let _online = next_json(&mut ws); // 1
        fake.set_status(&Status::new(alice.id, StatusKind::Away));
        fake.set_status(&Status::new(alice.id, StatusKind::Dnd));
        let two = next_text(&mut ws, Duration::from_secs(5)).unwrap();
        let three = next_text(&mut ws, Duration::from_secs(5)).unwrap();
        fake.drop_live_connections();
        let _ = read_to_end(&mut ws, Duration::from_secs(5));
        wait_for("inactive", || fake.resumable_live_connection_count() == 1);
        // As if 2 and 3 were lost in flight.
        let mut ws =
            try_connect(fake, via, &resume_path(&id, 2), &bearer(&alice)).expect("upgrade");
        assert_eq!(next_text(&mut ws, Duration::from_secs(5)).unwrap(), two);
        assert_eq!(next_text(&mut ws, Duration::from_secs(5)).unwrap(), three);
        let next = next_json(&mut ws);
        assert_eq!(next["seq"], 4, "then what was queued while away: {next}");
        // Asking for a number older than the 128 kept is a loss: new id, hello.
        for _ in 0..70 {
            fake.set_status(&Status::new(alice.id, StatusKind::Away));
            fake.set_status(&Status::new(alice.id, StatusKind::Online));
        }
        let mut last = 0;
        while let Some(t) = next_text(&mut ws, Duration::from_millis(300)) {
            last = serde_json::from_str::<Value>(&t).unwrap()["seq"]
                .as_i64()
                .unwrap();
        }
        assert!(last > 130, "{last}");
        drop(ws);
        wait_for("inactive", || fake.resumable_live_connection_count() == 1);
        let mut ws =
            try_connect(fake, via, &resume_path(&id, 1), &bearer(&alice)).expect("upgrade");
        let new_id = hello(&mut ws, &alice);
        assert_ne!(new_id, id);
        // Numbering restarted: the queued offline is 1.
        assert_eq!(next_json(&mut ws)["seq"], 1);
    });
}

/// web_hub.go unregister: when another connection of the user is still active and the
/// latest activity among the active ones is older than the away timeout
/// (`isUserAway`), SetStatusLastActivityAt sets away; otherwise nothing changes.
#[test]
fn a_disconnect_beside_an_idle_connection_sets_away() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut a1 = connect(fake, via, &alice);
        hello(&mut a1, &alice);
        let _online = next_json(&mut a1);
        let mut a2 = connect(fake, via, &alice);
        hello(&mut a2, &alice);
        let a3 = connect(fake, via, &alice);
        drop(a3);
        wait_for("two sockets", || fake.live_connection_count() == 2);
        assert_silent(&mut a2, Duration::from_millis(100));
        fake.advance(Duration::from_secs(301));
        drop(a1);
        let ev = next_json(&mut a2);
        assert_eq!(ev["data"]["status"], "away", "{ev}");
    });
}

/// FakeServer::stall_live_connections: a half-open socket. Nothing more is written (no
/// events, answers, pings), what arrives is lost (pongs too), so the server's read
/// deadline (pongWaitTime) ends it; what was queued meanwhile is resumed.
#[test]
fn a_stalled_socket_goes_silent_then_the_pong_wait_ends_it() {
    both(|fake, via| {
        let (alice, _, _) = users(fake);
        let mut t = short_timings();
        t.ping_interval = Duration::from_millis(100);
        t.pong_wait = Duration::from_millis(800);
        fake.set_live_timings(t);
        let mut ws = connect(fake, via, &alice);
        let id = hello(&mut ws, &alice);
        let _online = next_json(&mut ws); // 1
        fake.stall_live_connections();
        let started = Instant::now();
        fake.set_status(&Status::new(alice.id, StatusKind::Away));
        send(&mut ws, serde_json::json!({"seq": 1, "action": "ping"}));
        ws.send(Message::Ping(vec![7].into())).unwrap();
        let mut frames = 0;
        let end = loop {
            ws.get_mut()
                .set_read_timeout(Some(Duration::from_millis(20)))
                .unwrap();
            match ws.read() {
                Ok(_) => frames += 1,
                Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => break started.elapsed(),
            }
            assert!(started.elapsed() < Duration::from_secs(5), "not ended");
        };
        assert_eq!(frames, 0, "{}: nothing once stalled", via.name());
        assert!(
            end >= Duration::from_millis(600),
            "{end:?}: the pong wait, not before"
        );
        wait_for("inactive", || fake.resumable_live_connection_count() == 1);
        let mut ws =
            try_connect(fake, via, &resume_path(&id, 2), &bearer(&alice)).expect("upgrade");
        let first = next_json(&mut ws);
        assert_eq!(
            (first["seq"].as_i64(), first["data"]["status"].as_str()),
            (Some(2), Some("away"))
        );
    });
}
