//! No piece of the token in any log line at TRACE, through a live stream over the fake's
//! loopback HTTP server: the upgrade (tungstenite logs the request it writes at TRACE),
//! frames both ways, a drop and a resume, a too-old resume and its HTTP resync, and a
//! refused token.
//!
//! Its own test binary: it installs the process's one logger (`log::set_logger`), which
//! captures every line of every target at TRACE.
#![cfg(all(feature = "live", feature = "fake"))]

use std::time::{Duration, Instant};

mod support;

use mattermost_status::fake::{FakeServer, LiveTimings};
use mattermost_status::live::{LiveEvent, LiveOptions, Reconnect};
use mattermost_status::{Session, Status, StatusKind};
use support::Capture;

/// Every run of 8 characters of `token`, as text and as the hex a frame dump shows.
fn pieces(token: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    for start in 0..=token.len() - 8 {
        let piece = &token[start..start + 8];
        pieces.push(piece.to_owned());
        pieces.push(piece.bytes().map(|b| format!("{b:02x}")).collect());
        pieces.push(piece.bytes().map(|b| format!("{b:02X}")).collect());
    }
    pieces
}

fn until(live: &mut mattermost_status::live::LiveStream, wanted: &LiveEvent) {
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        assert!(Instant::now() < end, "no {wanted:?}");
        if let Some(event) = live.next_timeout(Duration::from_millis(100)).unwrap() {
            if &event == wanted {
                return;
            }
        }
    }
}

#[test]
fn no_piece_of_the_token_in_any_log_line_at_trace() {
    let capture = Capture::default();
    log::set_logger(Box::leak(Box::new(capture.clone()))).expect("the only logger");
    log::set_max_level(log::LevelFilter::Trace);

    let fake = FakeServer::new();
    let mut timings = LiveTimings::default();
    timings.auth_check = Duration::from_millis(300);
    fake.set_live_timings(timings);
    let server = fake.serve().unwrap();
    let alice = fake.user("alice").unwrap();
    let bob = fake.user("bob").unwrap();
    assert!(alice.token.len() >= 8, "a token too short to look for");
    let session = Session::builder(server.url())
        .token(alice.token.clone())
        .no_proxy()
        .build()
        .unwrap();
    let mut live = LiveOptions::new()
        .reconnect_backoff(Duration::from_millis(200), Duration::from_millis(200))
        .reconnect_jitter(Duration::ZERO)
        .min_watch_interval(Duration::from_millis(50))
        .ping_interval(Duration::from_millis(100))
        .open(&session)
        .unwrap();
    live.watch([bob.id], Duration::from_millis(100)).unwrap();
    fake.set_status(&Status::new(alice.id, StatusKind::Away));
    let _ = live.next_timeout(Duration::from_millis(300)).unwrap();
    // A drop, and a resume.
    fake.drop_live_connections();
    until(&mut live, &LiveEvent::Reconnected(Reconnect::Resumed));
    // A drop the server forgets, and a resync over HTTP.
    fake.drop_live_connections();
    let end = Instant::now() + Duration::from_secs(2);
    while fake.resumable_live_connection_count() == 0 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(5));
    }
    fake.expire_live_connections();
    until(&mut live, &LiveEvent::Reconnected(Reconnect::Resynced));
    live.close().unwrap();
    // A token the server refuses (its pieces are looked for too).
    let bad = "zz9refusedtoken0000000000q";
    let refused = Session::builder(server.url())
        .token(bad)
        .no_proxy()
        .build()
        .unwrap();
    assert!(refused.live().is_err());

    let lines = std::mem::take(&mut *capture.0.lock().unwrap());
    let upgrade = lines
        .iter()
        .filter(|l| l.starts_with("TRACE tungstenite") && l.contains("Request:"))
        .count();
    let frames = lines
        .iter()
        .filter(|l| l.starts_with("TRACE tungstenite") && l.contains("frame"))
        .count();
    println!(
        "{} lines, {upgrade} upgrade requests and {frames} frame lines logged by tungstenite",
        lines.len()
    );
    assert!(
        upgrade >= 4,
        "TRACE was not on for the upgrade, the test proves nothing"
    );
    assert!(frames > 0, "no frame was logged, the test proves nothing");
    assert!(
        lines.iter().any(|l| l.contains("authorization: ****")),
        "the placeholder is not in the upgrade's log line"
    );
    for token in [alice.token.as_str(), bad] {
        let pieces = pieces(token);
        for line in &lines {
            let squeezed: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            for piece in &pieces {
                assert!(
                    !line.contains(piece.as_str()) && !squeezed.contains(piece.as_str()),
                    "a piece of the token ({piece}) is in a log line: {line}"
                );
            }
        }
    }
}
