//! Issue 12, row 1: no piece of the token in any log line, at TRACE, through real calls
//! on every built-in transport, set up as the crate's docs recommend (for the built-in
//! transports: nothing to set up).
//!
//! Its own test binary: it installs the process's one logger (`log::set_logger`),
//! which captures every line of every target at TRACE, ureq's and ureq-proto's
//! wire-level lines included.

// The built-in transport talks to the fault server of `mattermost-status-conformance`.
#![cfg(feature = "ureq")]

#[path = "support/fault.rs"]
mod fault;
mod support;

use std::time::Duration;

use fault::server::{json, json_keep_alive, Fault};
use fault::start_server;
use mattermost_status::{
    transport::{Transport, UreqTransport},
    CustomStatus, GetStatus, GetStatusesByIds, RemoveRecentCustomStatus, RetryPolicy, Session,
    StatusKind, UpdateCustomStatus, UpdateStatus, UserId,
};
use support::{Capture, ALICE, STATUS_BODY, TOKEN};

/// Makes a fresh transport.
type MakeTransport = Box<dyn Fn() -> Box<dyn Transport>>;

/// The built-in transports, by name. A transport added behind a feature (libcurl, ...)
/// joins the list here.
fn transports() -> Vec<(&'static str, MakeTransport)> {
    vec![(
        "ureq",
        Box::new(|| Box::new(UreqTransport::new(Duration::from_secs(2))) as Box<dyn Transport>),
    )]
}

/// Each piece of the token that must not appear: every run of 8 of its characters, as
/// text and as the hex a wire dump shows.
fn token_pieces() -> Vec<String> {
    let mut pieces = Vec::new();
    for start in 0..=TOKEN.len() - 8 {
        let piece = &TOKEN[start..start + 8];
        pieces.push(piece.to_owned());
        pieces.push(piece.bytes().map(|b| format!("{b:02x}")).collect());
    }
    pieces
}

#[test]
fn no_piece_of_the_token_in_any_log_line_at_trace() {
    let capture = Capture::default();
    log::set_logger(Box::leak(Box::new(capture.clone()))).expect("the only logger");
    log::set_max_level(log::LevelFilter::Trace);
    let user: UserId = ALICE.parse().unwrap();
    for (name, make) in transports() {
        // Kept-alive answers, so that pooled connections are reused too.
        let server = start_server(|n| match n % 4 {
            3 => Fault::Reply(json(
                401,
                r#"{"id":"api.context.session_expired.app_error","message":"no"}"#,
            )),
            _ => Fault::KeepAlive(json_keep_alive(200, STATUS_BODY)),
        });
        let session = Session::builder(server.url())
            .token(TOKEN)
            .transport(make())
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        // Outcomes do not matter (some answers do not fit the request); the lines do.
        let _ = GetStatus::new(user).send(&session);
        let _ = UpdateStatus::new(user)
            .status(StatusKind::Dnd)
            .send(&session);
        let _ = GetStatusesByIds::new([user]).send(&session);
        let _ = UpdateCustomStatus::new(user).text("lunch").send(&session);
        let _ = RemoveRecentCustomStatus::new(user, CustomStatus::new("x")).send(&session);
        let _ = GetStatus::new(user).send(&session);
        assert!(
            server.attempts() >= 6,
            "{name}: the calls did not reach the server"
        );
        let seen = server.requests()[0].header("Authorization");
        assert_eq!(
            seen,
            Some(format!("Bearer {TOKEN}")),
            "{name}: the server must get it"
        );

        let lines = std::mem::take(&mut *capture.0.lock().unwrap());
        let wire = lines
            .iter()
            .filter(|l| l.starts_with("TRACE ureq_proto"))
            .count();
        println!(
            "HOSTILE row1 {name}: {} lines, {wire} wire-level TRACE lines",
            lines.len()
        );
        assert!(
            wire > 0,
            "{name}: TRACE was not on, the test proves nothing"
        );
        let pieces = token_pieces();
        for line in &lines {
            let squeezed: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            for piece in &pieces {
                assert!(
                    !line.contains(piece.as_str()) && !squeezed.contains(piece.as_str()),
                    "{name}: a piece of the token ({piece}) is in a log line: {line}"
                );
            }
        }
    }
}
