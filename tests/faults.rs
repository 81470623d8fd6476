//! The fault matrix, as the session sees it: retries, waits, deadlines, error answers and
//! hostile bodies. Every fault is injected for real by a server on 127.0.0.1, and each
//! test asserts the error kind, the attempts the server saw (and the client made), that
//! the call returned within its deadline, and that no error text holds the token.
//!
//! What a transport alone must do with a fault (time out on a trickle, stop at the body
//! limit, not follow a redirect, call a reset `Io`) is the conformance suite's, run
//! against every transport: `conformance/tests/transports.rs`.
//!
//! `cargo test --test faults -- --nocapture` prints one `FAULT` line per test with the
//! figures (attempts, elapsed time against the deadline).

// The built-in transport talks to the fault server of `mattermost-status-conformance`.
#![cfg(feature = "ureq")]

#[path = "support/fault.rs"]
mod fault;
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fault::server::{json, response, Fault};
use fault::{refused, serve_always, start_server};
use mattermost_status::{
    transport::UreqTransport, CustomStatus, Error, GetStatus, RemoveRecentCustomStatus,
    RetryPolicy, Session, TransportErrorKind, UserId,
};
use support::{assert_no_token, Counting, ALICE, STATUS_BODY, TOKEN};

/// How much later than its deadline a call may return (a loaded 2-core machine).
const MARGIN: Duration = Duration::from_millis(1500);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// 3 attempts, with waits short enough for the suite.
fn fast_retry() -> RetryPolicy {
    RetryPolicy::new().base_delay(ms(20)).max_delay(ms(200))
}

struct Setup {
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: u64,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            timeout: Duration::from_secs(2),
            retry: fast_retry(),
            max_response_bytes: 64 * 1024,
        }
    }
}

struct Call<T> {
    result: mattermost_status::Result<T>,
    elapsed: Duration,
    sent: usize,
    timeout: Duration,
}

impl<T: std::fmt::Debug> Call<T> {
    fn err(&self) -> &Error {
        match &self.result {
            Err(e) => {
                assert_no_token(e);
                e
            }
            Ok(v) => panic!("expected an error, got {v:?}"),
        }
    }

    fn report(&self, name: &str, server_attempts: usize) {
        let outcome = match &self.result {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("{e}"),
        };
        println!(
            "FAULT {name}: client attempts {}, server attempts {server_attempts}, \
             {} ms of {} ms deadline: {outcome}",
            self.sent,
            self.elapsed.as_millis(),
            self.timeout.as_millis()
        );
        assert!(
            self.elapsed <= self.timeout + MARGIN,
            "{name}: took {:?}, deadline {:?}",
            self.elapsed,
            self.timeout
        );
    }
}

fn session(url: &str, setup: &Setup) -> (Session, Arc<AtomicUsize>) {
    let transport = Counting::new(UreqTransport::new(ms(500)));
    let sent = transport.counter();
    let session = Session::builder(url)
        .token(TOKEN)
        .transport(transport)
        .timeout(setup.timeout)
        .retry(setup.retry)
        .max_response_bytes(setup.max_response_bytes)
        .build()
        .expect("session");
    (session, sent)
}

fn user() -> UserId {
    ALICE.parse().expect("user id")
}

fn get_status(url: &str, setup: &Setup) -> Call<mattermost_status::Status> {
    let (session, sent) = session(url, setup);
    let start = Instant::now();
    let result = GetStatus::new(user()).send(&session);
    Call {
        result,
        elapsed: start.elapsed(),
        sent: sent.load(Ordering::SeqCst),
        timeout: setup.timeout,
    }
}

fn remove_recent(url: &str, setup: &Setup) -> Call<()> {
    let (session, sent) = session(url, setup);
    let start = Instant::now();
    let result = RemoveRecentCustomStatus::new(user(), CustomStatus::new("lunch")).send(&session);
    Call {
        result,
        elapsed: start.elapsed(),
        sent: sent.load(Ordering::SeqCst),
        timeout: setup.timeout,
    }
}

fn transport_kind(error: &Error) -> TransportErrorKind {
    match error {
        Error::Transport(t) => t.kind(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[test]
fn refused_connection_is_retried_then_reported() {
    let url = refused();
    let call = get_status(&url, &Setup::default());
    call.report("refuse", 0);
    assert_eq!(transport_kind(call.err()), TransportErrorKind::Connect);
    assert_eq!(
        call.sent, 3,
        "a refused connection sent nothing: safe to retry"
    );
}

#[test]
fn refused_connection_is_retried_even_for_a_non_idempotent_request() {
    let url = refused();
    let call = remove_recent(&url, &Setup::default());
    call.report("refuse (POST recent/delete)", 0);
    assert_eq!(transport_kind(call.err()), TransportErrorKind::Connect);
    assert_eq!(call.sent, 3);
}

#[test]
fn reset_in_the_middle_of_the_headers_is_an_io_error_not_retried() {
    let server =
        start_server(|_| Fault::ResetAfter(b"HTTP/1.1 200 OK\r\nContent-Type: appli".to_vec()));
    let call = get_status(&server.url(), &Setup::default());
    call.report("reset mid-headers", server.attempts());
    assert_eq!(transport_kind(call.err()), TransportErrorKind::Io);
    assert_eq!(server.attempts(), 1);
    assert_eq!(call.sent, 1);
}

#[test]
fn an_answer_head_too_large_to_read_is_an_io_error_at_once() {
    // 40 KiB of headers: more than the built-in transport reads (16 KiB), and no proxy
    // in front of a Mattermost server lets that through by default.
    let filler = "p".repeat(1_000);
    let names: Vec<String> = (0..40).map(|i| format!("X-Filler-{i}")).collect();
    let headers: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), filler.as_str()))
        .collect();
    let server = serve_always(response(200, &headers, STATUS_BODY.as_bytes()));
    let call = get_status(&server.url(), &Setup::default());
    call.report("40 KiB head", server.attempts());
    assert_eq!(transport_kind(call.err()), TransportErrorKind::Io);
    let text = call.err().to_string();
    assert!(text.contains("16383 bytes"), "{text}");
    assert!(call.elapsed < ms(1000), "took {:?}", call.elapsed);
}

#[test]
fn a_server_that_never_answers_times_out_at_the_deadline() {
    let server = start_server(|_| Fault::Stall);
    let setup = Setup {
        timeout: ms(1000),
        ..Setup::default()
    };
    let call = get_status(&server.url(), &setup);
    call.report("stall", server.attempts());
    assert!(call.err().is_timeout(), "{:?}", call.err());
    assert_eq!(server.attempts(), 1, "a timeout is not retried");
    assert!(
        call.elapsed >= ms(900),
        "returned before the deadline: {:?}",
        call.elapsed
    );
}

fn too_many(retry_after: &str) -> Vec<u8> {
    response(
        429,
        &[
            ("Retry-After", retry_after),
            ("X-RateLimit-Limit", "10"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", retry_after),
            ("Content-Type", "text/plain"),
        ],
        b"limit exceeded\n",
    )
}

#[test]
fn rate_limited_then_ok_waits_what_the_server_asked() {
    let server = start_server(|n| match n {
        0 => Fault::Reply(too_many("1")),
        _ => Fault::Reply(json(200, STATUS_BODY)),
    });
    let setup = Setup {
        timeout: ms(3000),
        retry: fast_retry().max_delay(ms(2000)),
        ..Setup::default()
    };
    let call = get_status(&server.url(), &setup);
    call.report("429 Retry-After: 1, then 200", server.attempts());
    let status = call.result.as_ref().expect("the retry succeeds");
    assert_eq!(status.user_id, user());
    assert_eq!(server.attempts(), 2);
    assert!(
        call.elapsed >= ms(950),
        "did not wait Retry-After: {:?}",
        call.elapsed
    );
}

#[test]
fn rate_limited_until_the_attempts_are_spent_returns_the_wait() {
    let server = serve_always(too_many("1"));
    let setup = Setup {
        timeout: ms(3000),
        retry: fast_retry().max_attempts(2).max_delay(ms(2000)),
        ..Setup::default()
    };
    let call = get_status(&server.url(), &setup);
    call.report("429 Retry-After: 1, always", server.attempts());
    match call.err() {
        Error::RateLimited(r) => {
            assert_eq!(r.retry_after(), Some(Duration::from_secs(1)));
            assert_eq!(r.limit(), Some(10));
            assert_eq!(r.remaining(), Some(0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.attempts(), 2);
}

#[test]
fn a_wait_longer_than_the_cap_is_not_slept() {
    let server = serve_always(too_many("3600"));
    let call = get_status(&server.url(), &Setup::default());
    call.report("429 Retry-After: 3600", server.attempts());
    match call.err() {
        Error::RateLimited(r) => assert_eq!(r.retry_after(), Some(Duration::from_secs(3600))),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        server.attempts(),
        1,
        "waiting an hour is not this crate's call"
    );
    // Sleeping would end at the 2 s deadline; half of it leaves room for a loaded machine.
    assert!(call.elapsed < ms(1000), "{:?}", call.elapsed);
}

#[test]
fn a_wait_longer_than_the_time_left_is_not_slept() {
    // Within the cap (5 s) but not within the call's 2 s timeout.
    let server = serve_always(too_many("3"));
    let setup = Setup {
        timeout: ms(2000),
        retry: fast_retry().max_delay(ms(5000)),
        ..Setup::default()
    };
    let call = get_status(&server.url(), &setup);
    call.report("429 Retry-After: 3 > time left", server.attempts());
    assert!(call.err().is_rate_limited());
    assert_eq!(server.attempts(), 1);
    // Sleeping would end at the 2 s deadline; half of it leaves room for a loaded machine.
    assert!(call.elapsed < ms(1000), "{:?}", call.elapsed);
}

#[test]
fn unavailable_twice_then_ok_succeeds_on_the_third_attempt() {
    let server = start_server(|n| match n {
        0 => Fault::Reply(response(
            503,
            &[("Content-Type", "text/html")],
            b"<h1>503</h1>",
        )),
        1 => Fault::Reply(response(503, &[], b"")),
        _ => Fault::Reply(json(200, STATUS_BODY)),
    });
    let call = get_status(&server.url(), &Setup::default());
    call.report("503, 503, 200", server.attempts());
    assert!(call.result.is_ok(), "{:?}", call.result);
    assert_eq!(server.attempts(), 3);
    assert_eq!(call.sent, 3);
}

#[test]
fn unavailable_is_not_retried_for_a_request_that_is_not_idempotent() {
    let server = start_server(|n| match n {
        0 => Fault::Reply(response(503, &[], b"")),
        _ => Fault::Reply(json(200, r#"{"status":"OK"}"#)),
    });
    let call = remove_recent(&server.url(), &Setup::default());
    call.report("503 on POST recent/delete", server.attempts());
    assert_eq!(call.err().status(), Some(503));
    assert_eq!(server.attempts(), 1);
}

#[test]
fn bad_gateway_forever_gives_up_after_the_attempts() {
    let server = serve_always(response(
        502,
        &[("Content-Type", "text/html")],
        b"<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>",
    ));
    let call = get_status(&server.url(), &Setup::default());
    call.report("502 always", server.attempts());
    match call.err() {
        Error::Api(api) => {
            assert_eq!(api.status(), 502);
            assert!(
                api.message().contains("502 Bad Gateway"),
                "{}",
                api.message()
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.attempts(), 3);
}

#[test]
fn retries_stop_at_the_deadline() {
    // 10 attempts with waits of 200-400 ms would take ~3 s; the call has 1 s.
    let server = serve_always(response(504, &[], b""));
    let setup = Setup {
        timeout: ms(1000),
        retry: RetryPolicy::new()
            .max_attempts(10)
            .base_delay(ms(400))
            .max_delay(ms(400)),
        ..Setup::default()
    };
    let call = get_status(&server.url(), &setup);
    call.report("504 always, 10 attempts vs 1 s", server.attempts());
    assert_eq!(call.err().status(), Some(504));
    let seen = server.attempts();
    // Without the deadline all 10 attempts would be made; the stop shows in the count.
    // How late the call may end is `report`'s check (the deadline plus MARGIN): a bound
    // of the deadline itself would measure the machine's load, not the crate.
    assert!((2..=5).contains(&seen), "{seen} attempts");
}

#[test]
fn retries_can_be_turned_off() {
    let server = serve_always(response(503, &[], b""));
    let setup = Setup {
        retry: RetryPolicy::none(),
        ..Setup::default()
    };
    let call = get_status(&server.url(), &setup);
    call.report("503, retries off", server.attempts());
    assert_eq!(call.err().status(), Some(503));
    assert_eq!(server.attempts(), 1);
}

/// Hostile answers with a success or error status: each a typed error, one attempt.
#[test]
fn hostile_bodies_are_typed_errors() {
    type Case = (&'static str, Vec<u8>, fn(&Error) -> bool);
    let cases: Vec<Case> = vec![
        (
            "truncated JSON",
            json(200, &STATUS_BODY[..40]),
            |e| matches!(e, Error::Decode(d) if d.line_column().is_some()),
        ),
        (
            "HTML page with 200",
            response(
                200,
                &[("Content-Type", "text/html; charset=utf-8")],
                b"<!DOCTYPE html><html><head><title>Sign in</title></head></html>",
            ),
            |e| matches!(e, Error::Decode(d) if d.content_type() == Some("text/html; charset=utf-8")),
        ),
        (
            "valid JSON labelled text/plain",
            response(
                200,
                &[("Content-Type", "text/plain")],
                STATUS_BODY.as_bytes(),
            ),
            |e| matches!(e, Error::Decode(d) if d.content_type() == Some("text/plain")),
        ),
        (
            "invalid UTF-8",
            response(
                200,
                &[("Content-Type", "application/json")],
                b"{\"user_id\":\"4xp9fdt77pncbef59f4k1qe83o\",\"status\":\"on\xff\xfe\xc3\x28\"}",
            ),
            |e| matches!(e, Error::Decode(_)),
        ),
        (
            "200 with an error body",
            json(
                200,
                r#"{"id":"api.context.session_expired.app_error","message":"Invalid or expired session","status_code":401}"#,
            ),
            |e| matches!(e, Error::Decode(d) if d.excerpt().contains("session_expired")),
        ),
        (
            "HTML error page with 500",
            response(
                500,
                &[("Content-Type", "text/html")],
                b"<html>\n<h1>Internal\tServer Error</h1></html>",
            ),
            |e| matches!(e, Error::Api(a) if a.status() == 500 && a.id().is_none() && a.message().contains("Internal Server Error")),
        ),
        ("empty 200", json(200, ""), |e| {
            matches!(e, Error::Decode(_))
        }),
    ];
    for (name, reply, expected) in cases {
        let server = serve_always(reply);
        let call = get_status(&server.url(), &Setup::default());
        call.report(name, server.attempts());
        assert!(expected(call.err()), "{name}: {:?}", call.err());
        assert_eq!(server.attempts(), 1, "{name}");
    }
}

#[test]
fn a_redirect_to_another_host_is_not_followed_and_the_token_does_not_go_there() {
    let other = serve_always(json(200, STATUS_BODY));
    let location = format!("{}/api/v4/users/{ALICE}/status", other.url());
    for status in [301u16, 302, 307, 308] {
        let location = location.clone();
        let first = serve_always(response(status, &[("Location", &location)], b""));
        let call = get_status(&first.url(), &Setup::default());
        call.report(
            &format!("{status} redirect to another host"),
            first.attempts(),
        );
        match call.err() {
            Error::Redirect {
                status: s,
                location: l,
                ..
            } => {
                assert_eq!(*s, status);
                assert_eq!(l.as_deref(), Some(location.as_str()));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(first.attempts(), 1);
        // The first host did get the token, so the second would have, had we followed.
        let sent = first.requests()[0].header("Authorization");
        assert_eq!(sent.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    }
    assert_eq!(other.connections(), 0, "the other host was contacted");
    assert_eq!(other.attempts(), 0);
}

/// A hostile server echoes the request's headers back in every place the crate quotes:
/// no error text shows the token.
#[test]
fn a_server_echoing_the_token_does_not_put_it_in_errors() {
    let echo = format!("Authorization: Bearer {TOKEN}");
    // The excerpt keeps 200 characters: this cuts it 10 characters into the token.
    let pad = "x".repeat(200 - "Authorization: Bearer ".len() - 10);
    let replies = vec![
        response(401, &[("X-Request-Id", TOKEN)], echo.as_bytes()),
        json(
            403,
            &format!(
                r#"{{"id":"{TOKEN}","message":"{echo}","detailed_error":"{TOKEN}","request_id":"{TOKEN}"}}"#
            ),
        ),
        json(200, &format!(r#"{{"user_id":"{TOKEN}"}}"#)),
        json(
            200,
            &format!(r#"{{"user_id":"{ALICE}","status":5,"x":"{TOKEN}"}}"#),
        ),
        // Cut by the excerpt in the middle of the token.
        response(
            200,
            &[("Content-Type", "text/html")],
            format!("{pad}{echo}").as_bytes(),
        ),
        response(
            302,
            &[("Location", &format!("http://127.0.0.1:9/?t={TOKEN}"))],
            b"",
        ),
        response(429, &[("X-Request-Id", TOKEN)], echo.as_bytes()),
        response(200, &[("Content-Type", TOKEN)], b""),
    ];
    for (i, reply) in replies.into_iter().enumerate() {
        let server = serve_always(reply);
        let call = get_status(&server.url(), &Setup::default());
        call.report(&format!("echo the token #{i}"), server.attempts());
        call.err(); // asserts no token
        assert!(
            server.requests()[0].head.contains(TOKEN),
            "the token was sent"
        );
    }
}

/// The retry table of `RetryPolicy`'s docs, request by request: 503 then 200.
#[test]
fn only_idempotent_requests_are_retried_after_reaching_the_server() {
    use mattermost_status::{
        GetStatusesByIds, RemoveRecentMethod, StatusKind, UnsetCustomStatus, UpdateCustomStatus,
        UpdateStatus,
    };
    type Send = Box<dyn Fn(&Session) -> Result<(), Error>>;
    let ok = r#"{"status":"OK"}"#;
    let list = format!("[{STATUS_BODY}]");
    let table: Vec<(&str, &str, String, bool, Send)> = vec![
        (
            "GET",
            "/status",
            STATUS_BODY.into(),
            true,
            Box::new(|s| GetStatus::new(user()).send(s).map(drop)),
        ),
        (
            "PUT",
            "/status",
            STATUS_BODY.into(),
            true,
            Box::new(|s| {
                UpdateStatus::new(user())
                    .status(StatusKind::Away)
                    .send(s)
                    .map(drop)
            }),
        ),
        (
            "POST",
            "/users/status/ids",
            list,
            true,
            Box::new(|s| GetStatusesByIds::new([user()]).send(s).map(drop)),
        ),
        (
            "PUT",
            "/status/custom",
            ok.into(),
            true,
            Box::new(|s| UpdateCustomStatus::new(user()).text("lunch").send(s)),
        ),
        (
            "DELETE",
            "/status/custom",
            ok.into(),
            true,
            Box::new(|s| UnsetCustomStatus::new(user()).send(s)),
        ),
        (
            "POST",
            "/status/custom/recent/delete",
            ok.into(),
            false,
            Box::new(|s| RemoveRecentCustomStatus::new(user(), CustomStatus::new("x")).send(s)),
        ),
        (
            "DELETE",
            "/status/custom/recent",
            ok.into(),
            false,
            Box::new(|s| {
                RemoveRecentCustomStatus::new(user(), CustomStatus::new("x"))
                    .method(RemoveRecentMethod::Delete)
                    .send(s)
            }),
        ),
    ];
    for (method, path, body, idempotent, send) in table {
        let server = start_server(move |n| match n {
            0 => Fault::Reply(response(503, &[], b"")),
            _ => Fault::Reply(json(200, &body)),
        });
        let (session, _) = session(&server.url(), &Setup::default());
        let result = send(&session);
        let line = server.requests()[0].request_line().to_owned();
        assert!(line.starts_with(method) && line.contains(path), "{line}");
        println!(
            "RETRY {method} {path}: idempotent {idempotent}, server attempts {}, {}",
            server.attempts(),
            if result.is_ok() {
                "ok".into()
            } else {
                format!("{result:?}")
            }
        );
        if idempotent {
            assert!(result.is_ok(), "{method} {path}: {result:?}");
            assert_eq!(server.attempts(), 2, "{method} {path}");
        } else {
            assert_eq!(
                result.map_err(|e| e.status()),
                Err(Some(503)),
                "{method} {path}"
            );
            assert_eq!(server.attempts(), 1, "{method} {path}");
        }
    }
}
