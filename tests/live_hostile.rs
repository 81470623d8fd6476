//! The live stream against scripted websocket peers on loopback: the server's ways
//! (hello, seq, resume, resync) and a hostile one's (no 101, a bad handshake, no hello,
//! huge or endless frames, invalid UTF-8, binary frames, ping floods, closes, JSON that
//! is no event, seq jumps, silence). Each ends in a typed error or a documented
//! recovery, within a deadline.
#![cfg(feature = "live")]

mod live_script;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use live_script::*;
use mattermost_status::live::{LiveEvent, Reconnect, StatusChange, StatusSource};
use mattermost_status::{Error, LiveErrorKind, Session, StatusKind, UserId};

fn live_kind(e: &Error) -> Option<&LiveErrorKind> {
    match e {
        Error::Live(l) => Some(l.kind()),
        _ => None,
    }
}

/// The next event within 3 s, which must come.
fn next(live: &mut mattermost_status::live::LiveStream) -> LiveEvent {
    live.next_timeout(Duration::from_secs(3))
        .expect("no error")
        .expect("an event within 3 s")
}

#[test]
fn hello_then_own_status_with_the_token_on_the_upgrade_and_the_prefix_kept() {
    let script = Script::start(|_, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        hello(&mut ws, CONN_A);
        answer_first_ping(&mut ws, stop);
        status_change(&mut ws, 1, "dnd");
        serve_actions(&mut ws, stop, Duration::from_secs(3), &|_| "online".into());
    });
    let mut live = session(&format!("{}/chat", script.url())).live().unwrap();
    assert_eq!(live.connection_id(), Some(CONN_A));
    assert_eq!(next(&mut live), pushed(StatusKind::Dnd));
    let head = &script.heads()[0];
    assert_eq!(head.target, "/chat/api/v4/websocket");
    assert_eq!(
        head.header("Authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        head.header("Origin"),
        None,
        "the server's origin check allows no Origin"
    );
    let shown = format!("{live:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    live.close().unwrap();
}

#[test]
fn an_upgrade_answered_200_is_refused_with_the_proxy_advice() {
    let script = Script::start(|_, _head, stream, _| {
        http(
            stream,
            200,
            &[("Content-Type", "text/html")],
            "<html>Mattermost</html>",
        );
    });
    let err = session(&script.url()).live().unwrap_err();
    assert_eq!(
        live_kind(&err),
        Some(&LiveErrorKind::UpgradeRefused { status: 200 })
    );
    assert_eq!(err.status(), Some(200));
    let text = err.to_string();
    for words in ["Upgrade", "Connection", "/api/v4/websocket"] {
        assert!(text.contains(words), "{text}");
    }
    assert_eq!(script.connections(), 1);
}

#[test]
fn a_401_or_429_at_the_upgrade_is_the_http_sides_error() {
    let script = Script::start(|n, _head, stream, _| match n {
        0 => http(
            stream,
            401,
            &[("Content-Type", "application/json")],
            &format!(
                r#"{{"id":"api.context.session_expired.app_error","message":"Invalid token {TOKEN}","status_code":401}}"#
            ),
        ),
        _ => http(stream, 429, &[("Retry-After", "7")], ""),
    });
    let err = session(&script.url()).live().unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(err.api_id(), Some("api.context.session_expired.app_error"));
    assert!(
        !format!("{err} {err:?}").contains(TOKEN),
        "the token was echoed: {err}"
    );
    let err = session(&script.url()).live().unwrap_err();
    match &err {
        Error::RateLimited(r) => assert_eq!(r.retry_after(), Some(Duration::from_secs(7))),
        other => panic!("{other:?}"),
    }
}

/// A refusal whose body comes a moment after its head (two writes, as a proxy or a busy
/// server may send them): the error still carries the server's error id, read from the
/// rest of the body within the call's deadline.
#[test]
fn a_refusal_whose_body_comes_late_is_read_whole() {
    let body = r#"{"id":"api.context.session_expired.app_error","message":"Invalid or expired session","status_code":401}"#;
    let script = Script::start(move |_, _head, mut stream, stop| {
        let _ = write!(
            stream,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = stream.flush();
        stop.sleep(Duration::from_millis(150));
        let _ = stream.write_all(body.as_bytes());
    });
    let err = session(&script.url()).live().unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(
        err.api_id(),
        Some("api.context.session_expired.app_error"),
        "{err}"
    );
}

#[test]
fn a_wrong_sec_websocket_accept_is_a_protocol_error() {
    let script = Script::start(|_, _head, mut stream, _| {
        let _ = write!(
            stream,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n"
        );
    });
    let err = session(&script.url()).live().unwrap_err();
    assert_eq!(live_kind(&err), Some(&LiveErrorKind::Protocol), "{err}");
}

#[test]
fn no_hello_then_an_abrupt_close_is_not_authenticated_and_no_retry() {
    // What the server does with a bad token: upgrade, no hello, the error reply to our
    // ping dropped, a TCP close 5 s later (here 200 ms).
    let script = Script::start(|_, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        stop.sleep(Duration::from_millis(200));
        let _ = ws.get_mut().shutdown(std::net::Shutdown::Both);
    });
    let start = Instant::now();
    let err = session(&script.url()).live().unwrap_err();
    assert_eq!(
        live_kind(&err),
        Some(&LiveErrorKind::NotAuthenticated),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(script.connections(), 1, "it must not reconnect");
}

#[test]
fn no_hello_and_no_close_ends_at_the_auth_timeout() {
    let script = Script::start(|_, head, stream, stop| {
        let _ws = upgrade(stream, &head);
        hold(stop);
    });
    let start = Instant::now();
    let err = quick()
        .auth_timeout(Duration::from_millis(300))
        .open(&session(&script.url()))
        .unwrap_err();
    assert_eq!(
        live_kind(&err),
        Some(&LiveErrorKind::NotAuthenticated),
        "{err}"
    );
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(1),
        "{took:?}"
    );
    assert_eq!(script.connections(), 1);
}

/// A 1 GiB frame announced: refused as it is announced, then a reconnect that does
/// not resume (the server would replay it) and so resyncs.
#[test]
fn a_1_gib_frame_is_too_large_and_the_stream_comes_back_without_resuming() {
    let script = Script::start(|n, head, mut stream, stop| {
        if !head.is_upgrade() {
            // The resync: GET /users/me/status.
            assert_eq!(head.target, "/api/v4/users/me/status");
            let _ = body(&mut stream, &head);
            return http(
                stream,
                200,
                &[("Content-Type", "application/json")],
                &format!(
                    r#"{{"user_id":"{ME}","status":"away","manual":false,"last_activity_at":0}}"#
                ),
            );
        }
        let mut ws = upgrade(stream, &head);
        if n == 0 {
            hello(&mut ws, CONN_A);
            answer_first_ping(&mut ws, stop);
            // FIN text frame, 64-bit length 2^30, and a few bytes of it.
            let mut frame = vec![0x81, 127];
            frame.extend_from_slice(&(1u64 << 30).to_be_bytes());
            frame.extend_from_slice(b"{\"event\":");
            let _ = ws.get_mut().write_all(&frame);
            hold(stop);
        } else {
            hello(&mut ws, CONN_B);
            serve_actions(&mut ws, stop, Duration::from_secs(3), &|_| "online".into());
        }
    });
    let mut live = quick()
        .max_message_bytes(64 * 1024)
        .open(&session(&script.url()))
        .unwrap();
    let start = Instant::now();
    let err = loop {
        match live.next_timeout(Duration::from_secs(3)) {
            Err(e) => break e,
            Ok(Some(_)) => continue,
            Ok(None) => panic!("no error within 3 s"),
        }
    };
    assert_eq!(
        live_kind(&err),
        Some(&LiveErrorKind::MessageTooLarge),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(1));
    // The next calls reconnect, without the resume query, and resync.
    let resynced = LiveEvent::Status(StatusChange::new(
        me(),
        StatusKind::Away,
        StatusSource::Resync,
    ));
    assert_eq!(next(&mut live), resynced);
    assert_eq!(next(&mut live), LiveEvent::Reconnected(Reconnect::Resynced));
    assert_eq!(live.connection_id(), Some(CONN_B));
    let targets = script.upgrade_targets();
    assert_eq!(
        targets,
        ["/api/v4/websocket", "/api/v4/websocket"],
        "no resume after a too-large message"
    );
}

#[test]
fn endless_fragments_are_too_large_without_growing() {
    let script = Script::start(|_, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        hello(&mut ws, CONN_A);
        answer_first_ping(&mut ws, stop);
        // A text frame without FIN, then continuation frames of 1 KiB forever.
        let chunk = vec![b'a'; 1024];
        let mut first = vec![0x01, 126, 0x04, 0x00];
        first.extend_from_slice(&chunk);
        if ws.get_mut().write_all(&first).is_err() {
            return;
        }
        let mut more = vec![0x00, 126, 0x04, 0x00];
        more.extend_from_slice(&chunk);
        while !stop.is_set() && ws.get_mut().write_all(&more).is_ok() {}
    });
    let mut live = quick()
        .max_message_bytes(64 * 1024)
        .open(&session(&script.url()))
        .unwrap();
    let start = Instant::now();
    let err = live.next_timeout(Duration::from_secs(3)).unwrap_err();
    assert_eq!(
        live_kind(&err),
        Some(&LiveErrorKind::MessageTooLarge),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn invalid_utf8_is_a_protocol_error_then_the_stream_resumes() {
    let script = Script::start(|n, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        if n == 0 {
            hello(&mut ws, CONN_A);
            answer_first_ping(&mut ws, stop);
            let _ = ws.get_mut().write_all(&[0x81, 0x03, 0xff, 0xfe, 0xfd]);
            hold(stop);
        } else {
            // Resumed: no hello; the answer to the ping says so.
            serve_actions(&mut ws, stop, Duration::from_secs(3), &|_| "online".into());
        }
    });
    let mut live = quick().open(&session(&script.url())).unwrap();
    let err = live.next_timeout(Duration::from_secs(3)).unwrap_err();
    assert_eq!(live_kind(&err), Some(&LiveErrorKind::Protocol), "{err}");
    assert_eq!(next(&mut live), LiveEvent::Reconnected(Reconnect::Resumed));
    assert_eq!(
        script.upgrade_targets()[1],
        format!("/api/v4/websocket?connection_id={CONN_A}&sequence_number=1")
    );
}

#[test]
fn binary_frames_pings_and_json_that_is_no_event_are_skipped() {
    let script = Script::start(|_, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        hello(&mut ws, CONN_A);
        answer_first_ping(&mut ws, stop);
        let _ = ws.send(tungstenite::Message::binary(vec![1u8, 2, 3]));
        for _ in 0..2000 {
            let _ = ws.write(tungstenite::Message::Ping(vec![7u8; 16].into()));
        }
        let _ = ws.flush();
        for junk in [
            "{}",
            "[1,2]",
            "42",
            r#"{"event":7}"#,
            r#"{"foo":"bar"}"#,
            r#"{"event":"posted","data":{"post":"{}"},"seq":1}"#,
        ] {
            send(&mut ws, junk);
        }
        status_change(&mut ws, 2, "away");
        serve_actions(&mut ws, stop, Duration::from_secs(3), &|_| "online".into());
    });
    let mut live = quick().open(&session(&script.url())).unwrap();
    let start = Instant::now();
    assert_eq!(next(&mut live), pushed(StatusKind::Away));
    assert!(start.elapsed() < Duration::from_secs(2));
    // And a ping flood does not hold a call past its timeout.
    let start = Instant::now();
    assert_eq!(live.next_timeout(Duration::from_millis(200)).unwrap(), None);
    assert!(
        start.elapsed() < Duration::from_millis(400),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn raw_events_are_yielded_when_asked() {
    let script = Script::start(|_, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        hello(&mut ws, CONN_A);
        answer_first_ping(&mut ws, stop);
        send(
            &mut ws,
            r#"{"event":"typing","data":{"parent_id":"","user_id":"x"},"broadcast":{},"seq":1}"#,
        );
        serve_actions(&mut ws, stop, Duration::from_secs(3), &|_| "online".into());
    });
    let mut live = quick()
        .raw_events(true)
        .open(&session(&script.url()))
        .unwrap();
    match next(&mut live) {
        LiveEvent::Raw(raw) => {
            assert_eq!((raw.event.as_str(), raw.seq), ("typing", Some(1)));
            assert_eq!(raw.data["parent_id"], "");
        }
        other => panic!("{other:?}"),
    }
}

/// A close frame from the server (1001, going away), then a reconnect that resumes:
/// the replay overlaps what was seen (dedupe by seq), each missed event comes once, in
/// order, then `Resumed`.
#[test]
fn a_close_then_a_resume_yields_the_missed_events_once_in_order() {
    let script = Script::start(|n, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        match n {
            0 => {
                hello(&mut ws, CONN_A);
                answer_first_ping(&mut ws, stop);
                status_change(&mut ws, 1, "away");
                status_change(&mut ws, 2, "dnd");
                stop.sleep(Duration::from_millis(100));
                let _ = ws.close(Some(tungstenite::protocol::CloseFrame {
                    code: tungstenite::protocol::frame::coding::CloseCode::Away,
                    reason: "restart".into(),
                }));
                let _ = ws.flush();
                stop.sleep(Duration::from_millis(100));
            }
            _ => {
                // Replays from the seq asked; 2 was seen already (an overlap).
                assert!(
                    head.target
                        .ends_with(&format!("connection_id={CONN_A}&sequence_number=3")),
                    "{}",
                    head.target
                );
                status_change(&mut ws, 2, "dnd");
                status_change(&mut ws, 3, "online");
                status_change(&mut ws, 4, "away");
                serve_actions(&mut ws, stop, Duration::from_secs(3), &|_| "online".into());
            }
        }
    });
    let mut live = quick().open(&session(&script.url())).unwrap();
    assert_eq!(next(&mut live), pushed(StatusKind::Away));
    assert_eq!(next(&mut live), pushed(StatusKind::Dnd));
    assert_eq!(next(&mut live), pushed(StatusKind::Online));
    assert_eq!(next(&mut live), pushed(StatusKind::Away));
    assert_eq!(next(&mut live), LiveEvent::Reconnected(Reconnect::Resumed));
    assert_eq!(live.next_timeout(Duration::from_millis(200)).unwrap(), None);
    assert_eq!(script.connections(), 2);
    assert_eq!(live.connection_id(), Some(CONN_A));
}

/// A seq that jumps (events lost on the way): reconnect, resuming from the first one
/// missing.
#[test]
fn a_seq_jump_reconnects_from_the_first_missing_event() {
    let script = Script::start(|n, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        if n == 0 {
            hello(&mut ws, CONN_A);
            answer_first_ping(&mut ws, stop);
            status_change(&mut ws, 1, "away");
            status_change(&mut ws, 5, "dnd");
            hold(stop);
        } else {
            for seq in 2..=5 {
                status_change(&mut ws, seq, if seq == 5 { "dnd" } else { "online" });
            }
            serve_actions(&mut ws, stop, Duration::from_secs(3), &|_| "online".into());
        }
    });
    let mut live = quick().open(&session(&script.url())).unwrap();
    assert_eq!(next(&mut live), pushed(StatusKind::Away));
    for _ in 2..5 {
        assert_eq!(next(&mut live), pushed(StatusKind::Online));
    }
    assert_eq!(next(&mut live), pushed(StatusKind::Dnd));
    assert_eq!(next(&mut live), LiveEvent::Reconnected(Reconnect::Resumed));
    assert!(
        script.upgrade_targets()[1].ends_with("sequence_number=2"),
        "{:?}",
        script.upgrade_targets()
    );
}

/// A peer that stops answering (no pong to our pings, nothing at all) is dropped within
/// the stale bound and the stream reconnects; the server could not resume (a new
/// hello), so the stream resyncs over HTTP and says so.
#[test]
fn a_stalled_peer_is_dropped_within_its_bound_then_a_new_hello_resyncs() {
    let http_calls = Arc::new(AtomicUsize::new(0));
    let calls = http_calls.clone();
    let script = Script::start(move |n, head, mut stream, stop| {
        if !head.is_upgrade() {
            calls.fetch_add(1, Ordering::SeqCst);
            let _ = body(&mut stream, &head);
            let json = match head.target.as_str() {
                "/api/v4/users/me/status" => format!(r#"{{"user_id":"{ME}","status":"dnd"}}"#),
                "/api/v4/users/status/ids" => {
                    format!(r#"[{{"user_id":"{ALICE}","status":"away"}}]"#)
                }
                "/api/v4/users/ids" => format!(
                    r#"[{{"id":"{ALICE}","username":"alice","props":{{"customStatus":"{{\"emoji\":\"palm_tree\",\"text\":\"Off\",\"duration\":\"\",\"expires_at\":\"0001-01-01T00:00:00Z\"}}"}}}}]"#
                ),
                other => panic!("unexpected {other}"),
            };
            return http(stream, 200, &[("Content-Type", "application/json")], &json);
        }
        let mut ws = upgrade(stream, &head);
        if n == 0 {
            hello(&mut ws, CONN_A);
            answer_first_ping(&mut ws, stop);
            // Answers nothing from now on, and reads nothing: a half-open peer.
            hold(stop);
        } else {
            hello(&mut ws, CONN_B);
            serve_actions(&mut ws, stop, Duration::from_secs(3), &|_| "online".into());
        }
    });
    let mut live = quick()
        .ping_interval(Duration::from_millis(100))
        .stale_after(Duration::from_millis(300))
        .min_watch_interval(Duration::from_millis(100))
        .open(&session(&script.url()))
        .unwrap();
    let alice: UserId = ALICE.parse().unwrap();
    live.watch([alice], Duration::from_millis(400)).unwrap();
    // The first poll is not answered by the stalled peer.
    let start = Instant::now();
    let mut events = Vec::new();
    while !events.contains(&LiveEvent::Reconnected(Reconnect::Resynced)) {
        assert!(start.elapsed() < Duration::from_secs(3), "{events:?}");
        if let Some(event) = live.next_timeout(Duration::from_millis(100)).unwrap() {
            events.push(event);
        }
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_millis(1500),
        "{took:?}"
    );
    assert_eq!(
        events,
        [
            LiveEvent::Status(StatusChange::new(
                me(),
                StatusKind::Dnd,
                StatusSource::Resync
            )),
            LiveEvent::Status(StatusChange::new(
                alice,
                StatusKind::Away,
                StatusSource::Resync
            )),
            LiveEvent::CustomStatus(match &events[2] {
                LiveEvent::CustomStatus(c) => {
                    assert_eq!(c.user_id, alice);
                    assert_eq!(
                        c.custom_status.as_ref().map(|c| c.text.as_str()),
                        Some("Off")
                    );
                    c.clone()
                }
                other => panic!("{other:?}"),
            }),
            LiveEvent::Reconnected(Reconnect::Resynced),
        ]
    );
    assert_eq!(http_calls.load(Ordering::SeqCst), 3);
    assert_eq!(live.connection_id(), Some(CONN_B));
    // The watch goes on, on the new socket, at its interval: the poll answers online
    // (a change from the resync's away).
    let polled = next(&mut live);
    assert_eq!(
        polled,
        LiveEvent::Status(StatusChange::new(
            alice,
            StatusKind::Online,
            StatusSource::Polled
        ))
    );
}

#[test]
fn watch_refuses_a_fast_interval_and_me_before_sending() {
    let actions = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = actions.clone();
    let script = Script::start(move |_, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        hello(&mut ws, CONN_A);
        let got = serve_actions(&mut ws, stop, Duration::from_millis(800), &|_| {
            "online".into()
        });
        seen.lock().unwrap().extend(got);
    });
    let mut live = quick().open(&session(&script.url())).unwrap();
    let alice: UserId = ALICE.parse().unwrap();
    let err = live.watch([alice], Duration::from_secs(4)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "interval",
                ..
            }
        ),
        "{err}"
    );
    let err = live
        .watch([UserId::me()], Duration::from_secs(5))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "user_ids",
                ..
            }
        ),
        "{err}"
    );
    let _ = live.next_timeout(Duration::from_millis(300)).unwrap();
    live.close().unwrap();
    drop(script);
    assert_eq!(
        *actions.lock().unwrap(),
        ["ping"],
        "nothing but the first ping was sent"
    );
}

#[test]
fn a_long_watch_list_goes_in_messages_under_8192_bytes() {
    let sizes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = sizes.clone();
    let script = Script::start(move |_, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        hello(&mut ws, CONN_A);
        let end = Instant::now() + Duration::from_secs(2);
        while Instant::now() < end && !stop.is_set() {
            if let Ok(tungstenite::Message::Text(text)) = ws.read() {
                let value: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
                let seq = value["seq"].as_i64().unwrap();
                if value["action"] == "get_statuses_by_ids" {
                    seen.lock().unwrap().push((
                        text.len(),
                        value["data"]["user_ids"].as_array().unwrap().len(),
                    ));
                    let map: serde_json::Map<_, _> = value["data"]["user_ids"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|id| {
                            (
                                id.as_str().unwrap().to_owned(),
                                serde_json::Value::from("away"),
                            )
                        })
                        .collect();
                    send(
                        &mut ws,
                        &format!(
                            r#"{{"status":"OK","seq_reply":{seq},"data":{}}}"#,
                            serde_json::Value::Object(map)
                        ),
                    );
                } else {
                    send(&mut ws, &format!(r#"{{"status":"OK","seq_reply":{seq}}}"#));
                }
            }
        }
    });
    let mut live = quick().open(&session(&script.url())).unwrap();
    let users: Vec<UserId> = (0..1000)
        .map(|i| format!("{i:0>26}").parse().unwrap())
        .collect();
    live.watch(users.clone(), Duration::from_secs(5)).unwrap();
    let mut polled = 0;
    while polled < users.len() {
        match next(&mut live) {
            LiveEvent::Status(change) if change.source == StatusSource::Polled => polled += 1,
            other => panic!("{other:?}"),
        }
    }
    live.close().unwrap();
    drop(script);
    let sizes = sizes.lock().unwrap().clone();
    assert_eq!(sizes.iter().map(|(_, n)| n).sum::<usize>(), 1000);
    assert!(sizes.len() >= 4, "{sizes:?}");
    assert!(sizes.iter().all(|(bytes, _)| *bytes < 8192), "{sizes:?}");
}

/// The connect timeout and the deadline hold against a peer that accepts the TCP
/// connection and never answers the upgrade.
#[test]
fn a_silent_upgrade_ends_at_the_deadline() {
    let script = Script::start(|_, _head, _stream, stop| hold(stop));
    let session = Session::builder(script.url())
        .token(TOKEN)
        .no_proxy()
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = session.live().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}

/// A token revoked while the stream was away: the reconnect is upgraded but gets no
/// hello and is cut. The stream tries once more without resuming (the server also
/// cuts at once a resume it cannot parse), then ends with `NotAuthenticated`: no loop.
#[test]
fn a_token_refused_on_a_reconnect_ends_the_stream_without_a_loop() {
    let script = Script::start(|n, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        if n == 0 {
            hello(&mut ws, CONN_A);
            answer_first_ping(&mut ws, stop);
            stop.sleep(Duration::from_millis(50));
            let _ = ws.get_mut().shutdown(std::net::Shutdown::Both);
        } else {
            stop.sleep(Duration::from_millis(100));
            let _ = ws.get_mut().shutdown(std::net::Shutdown::Both);
        }
    });
    let mut live = quick().open(&session(&script.url())).unwrap();
    let err = live.next_timeout(Duration::from_secs(3)).unwrap_err();
    assert_eq!(
        live_kind(&err),
        Some(&LiveErrorKind::NotAuthenticated),
        "{err}"
    );
    let later = live.next_timeout(Duration::from_millis(300)).unwrap_err();
    assert_eq!(live_kind(&later), Some(&LiveErrorKind::Closed), "{later}");
    assert!(later.to_string().contains("not authenticated"), "{later}");
    assert!(live.next().is_none(), "the iterator ends");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(script.connections(), 3, "no reconnect loop");
    let targets = script.upgrade_targets();
    assert!(targets[1].contains("connection_id="), "{targets:?}");
    assert_eq!(targets[2], "/api/v4/websocket", "the retry does not resume");
}

/// While the server is unreachable in a way that takes time (it accepts, never
/// answers the upgrade), a call still returns within its timeout plus the 2 s an
/// attempt is given.
#[test]
fn a_call_during_reconnects_returns_within_its_bound() {
    let script = Script::start(|n, head, stream, stop| {
        if n == 0 {
            let mut ws = upgrade(stream, &head);
            hello(&mut ws, CONN_A);
            answer_first_ping(&mut ws, stop);
            let _ = ws.get_mut().shutdown(std::net::Shutdown::Both);
        } else {
            let _silent = stream;
            hold(stop);
        }
    });
    let mut live = quick().open(&session(&script.url())).unwrap();
    for _ in 0..2 {
        let start = Instant::now();
        assert_eq!(live.next_timeout(Duration::from_millis(300)).unwrap(), None);
        let took = start.elapsed();
        assert!(
            took < Duration::from_millis(300) + Duration::from_secs(2) + Duration::from_millis(300),
            "{took:?}"
        );
    }
    assert!(script.connections() >= 2);
}
