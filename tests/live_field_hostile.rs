//! Hostile peers that tests/live_hostile.rs does not cover (issue 20's list): every
//! close code, pongs that never come from a peer that is not silent, and a refused
//! upgrade whose long body must not push the proxy advice out of the message. Each ends
//! in a typed error or a documented recovery within a deadline; the times measured are
//! printed (`--nocapture`) for docs/reliability.md.
#![cfg(feature = "live")]

mod live_script;

use std::time::{Duration, Instant};

use live_script::*;
use mattermost_status::live::{LiveEvent, Reconnect};
use mattermost_status::{Error, LiveErrorKind, StatusKind};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::CloseFrame;

/// Every close code a peer may send (and a few it may not: 1005, 1006 and 1015 are
/// never on the wire, 999 and 5000 are out of range): the stream reconnects and resumes,
/// yields the event sent after the close once, and never ends. A code that is not
/// allowed is first a `Protocol` error (the call after it goes on).
#[test]
fn every_close_code_reconnects_and_resumes() {
    let codes: [u16; 20] = [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4001,
        4999, 1005, 1006, 1015, 999,
    ];
    let mut slowest = Duration::ZERO;
    for code in codes {
        let script = Script::start(move |n, head, stream, stop| {
            let mut ws = upgrade(stream, &head);
            if n == 0 {
                hello(&mut ws, CONN_A);
                answer_first_ping(&mut ws, stop);
                status_change(&mut ws, 1, "away");
                stop.sleep(Duration::from_millis(50));
                let _ = ws.close(Some(CloseFrame {
                    code: CloseCode::from(code),
                    reason: "bye".into(),
                }));
                let _ = ws.flush();
                stop.sleep(Duration::from_millis(100));
            } else {
                status_change(&mut ws, 2, "dnd");
                serve_actions(&mut ws, stop, Duration::from_secs(3), &|_| "online".into());
            }
        });
        let mut live = quick().open(&session(&script.url())).unwrap();
        let start = Instant::now();
        let mut events = Vec::new();
        let mut errors = Vec::new();
        while !events.contains(&LiveEvent::Reconnected(Reconnect::Resumed)) {
            assert!(
                start.elapsed() < Duration::from_secs(3),
                "{code}: {events:?} {errors:?}"
            );
            match live.next_timeout(Duration::from_millis(100)) {
                Ok(Some(e)) => events.push(e),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        slowest = slowest.max(start.elapsed());
        assert_eq!(
            events,
            [
                pushed(StatusKind::Away),
                pushed(StatusKind::Dnd),
                LiveEvent::Reconnected(Reconnect::Resumed)
            ],
            "{code}"
        );
        for e in &errors {
            assert!(
                matches!(e, Error::Live(l) if *l.kind() == LiveErrorKind::Protocol),
                "{code}: {e:?}"
            );
        }
        assert_eq!(script.connections(), 2, "{code}");
    }
    eprintln!("reliability: every close code: resumed within {slowest:?} at most");
}

/// A peer that keeps talking (websocket pings every 20 ms, junk JSON) but never answers
/// the stream's `ping` actions, nor sends an event: a hub that is stuck while its
/// connection still writes. The stream counts it as gone within its stale bound (the
/// web app's rule: a ping unanswered when the next is due) and reconnects.
#[test]
fn pongs_that_never_come_from_a_chatty_peer_reconnect_within_the_bound() {
    let script = Script::start(|n, head, stream, stop| {
        let mut ws = upgrade(stream, &head);
        if n == 0 {
            hello(&mut ws, CONN_A);
            answer_first_ping(&mut ws, stop);
            while !stop.is_set() {
                if ws
                    .send(tungstenite::Message::Ping(vec![1u8].into()))
                    .is_err()
                {
                    break;
                }
                send(&mut ws, r#"{"foo":"bar"}"#);
                let _ = ws.read(); // answers our pong frames, reads our actions
                stop.sleep(Duration::from_millis(20));
            }
        } else {
            status_change(&mut ws, 1, "dnd");
            serve_actions(&mut ws, stop, Duration::from_secs(3), &|_| "online".into());
        }
    });
    let mut live = quick()
        .ping_interval(Duration::from_millis(100))
        .stale_after(Duration::from_millis(300))
        .open(&session(&script.url()))
        .unwrap();
    let start = Instant::now();
    let mut events = Vec::new();
    while !events.contains(&LiveEvent::Reconnected(Reconnect::Resumed)) {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "still on the peer that never answers: {events:?}"
        );
        if let Some(e) = live.next_timeout(Duration::from_millis(100)).unwrap() {
            events.push(e);
        }
    }
    let took = start.elapsed();
    assert_eq!(
        events,
        [
            pushed(StatusKind::Dnd),
            LiveEvent::Reconnected(Reconnect::Resumed)
        ]
    );
    assert!(took < Duration::from_millis(1000), "{took:?}");
    eprintln!("reliability: pongs that never come (stale bound 300 ms): back in {took:?}");
}

/// A 404 at the upgrade with a long JSON body (the server's own 404, reached through a
/// proxy without the websocket location): the proxy advice is still in the message as
/// shown, which is cut at 300 characters.
#[test]
fn a_refused_upgrade_with_a_long_body_keeps_the_advice() {
    let script = Script::start(|_, _head, stream, _| {
        let body = format!(
            r#"{{"id":"api.context.404.app_error","message":"Sorry, we could not find the page.","detailed_error":"{}","request_id":"3u5ett836kdlakenp5dkp8pkkj","status_code":404}}"#,
            "x".repeat(400)
        );
        http(stream, 404, &[("Content-Type", "application/json")], &body);
    });
    let err = session(&script.url()).live().unwrap_err();
    assert!(
        matches!(&err, Error::Live(l) if *l.kind() == LiveErrorKind::UpgradeRefused { status: 404 }),
        "{err:?}"
    );
    let text = err.to_string();
    for words in [
        "proxy_set_header Upgrade $http_upgrade",
        "Connection \"upgrade\"",
        "path prefix",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
}
