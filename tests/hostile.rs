//! What an outside hostile-server probe broke (issue 12), one test (or two) per row of
//! docs/reliability.md's "Hostile servers and settings" table. Rows 1 (TRACE logs) and
//! 3 (huge timeouts) live in `tests/trace_log.rs` and `tests/properties.rs`.

// The built-in transport talks to the fault server of `mattermost-status-conformance`.
#![cfg(feature = "ureq")]

#[path = "support/fault.rs"]
mod fault;
mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use fault::server::{json, json_keep_alive, response, Fault, FaultServer};
use fault::{refused, serve_always, start_server};
use mattermost_status::{
    transport::UreqTransport, CustomStatus, Error, GetStatus, GetStatusesByIds,
    RemoveRecentCustomStatus, RetryPolicy, Session, StatusKind, UpdateStatus, UserId,
};
use support::{session_on, Canned, Counting, ALICE, STATUS_BODY, TOKEN};

fn user() -> UserId {
    ALICE.parse().expect("user id")
}

/// A session on the built-in transport (counted) against `url`.
fn ureq_session(
    url: &str,
    timeout: Duration,
    retry: RetryPolicy,
) -> (Session, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let transport = Counting::new(UreqTransport::new(Duration::from_secs(2)));
    let sent = transport.counter();
    let session = Session::builder(url)
        .token(TOKEN)
        .transport(transport)
        .timeout(timeout)
        .retry(retry)
        .build()
        .expect("session");
    (session, sent)
}

/// Every line an error chain prints, as anyhow's `{:#}` does: each error, then its
/// sources.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut next = error.source();
    while let Some(e) = next {
        out.push_str(": ");
        out.push_str(&e.to_string());
        next = e.source();
    }
    out
}

// Row 2 ------------------------------------------------------------------------------

#[test]
fn a_password_in_the_base_url_is_never_shown() {
    for url in [
        "https://user:s3cretPW@chat.example.com/?a=b",
        "https://user:s3cretPW@chat.example.com/#top",
        "ftp://user:s3cretPW@chat.example.com",
        "https://user:s3cretPW@ho st",
        "user:s3cretPW@chat.example.com",
        "https://user:s3cretPW@chat.example.com",
        "https://user:s3cr/etPW@chat.example.com",
    ] {
        let builder = Session::builder(url).token("t");
        let shown = format!("{builder:?}");
        let err = builder.build().unwrap_err();
        let texts = [shown, err.to_string(), format!("{err:?}")];
        for text in texts {
            assert!(
                !text.contains("s3cr") && !text.contains("etPW"),
                "{url:?} shows its password: {text}"
            );
        }
        println!("HOSTILE row2 {url:?} -> {err}");
    }
}

// Row 4 ------------------------------------------------------------------------------

#[test]
fn a_json_array_is_not_a_status() {
    let array = format!(r#"["{ALICE}","dnd"]"#);
    let ok = |body: String| Canned::new(200, Vec::new(), body.into_bytes());
    let err = GetStatus::new(user())
        .send(&session_on(ok(array.clone())))
        .expect_err("an array decoded as a Status");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    let err = UpdateStatus::new(user())
        .status(StatusKind::Dnd)
        .send(&session_on(ok(array.clone())))
        .expect_err("an array decoded as a Status");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    let err = GetStatusesByIds::new([user()])
        .send(&session_on(ok(format!("[{array}]"))))
        .expect_err("an array decoded as a Status");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    // `{"status":"OK"}` of the custom-status endpoints, and the AppError body.
    let err = RemoveRecentCustomStatus::new(user(), CustomStatus::new("x"))
        .send(&session_on(ok(r#"["OK"]"#.to_owned())))
        .expect_err(r#"["OK"] read as {"status":"OK"}"#);
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    let err = GetStatus::new(user())
        .send(&session_on(Canned::new(
            500,
            Vec::new(),
            br#"["api.forged.app_error","forged"]"#.to_vec(),
        )))
        .unwrap_err();
    assert_eq!(err.api_id(), None, "an array read as an AppError: {err}");
    println!("HOSTILE row4 {err}");
}

// Row 5 ------------------------------------------------------------------------------

/// Characters that must never reach a terminal raw.
const RAW: &[char] = &[
    '\u{1b}', '\u{7}', '\r', '\n', '\u{9b}', '\u{202e}', '\u{2066}', '\u{202a}',
];

fn assert_safe(text: &str, limit: usize) {
    assert!(
        text.len() <= limit,
        "{} bytes: {}...",
        text.len(),
        &text[..200]
    );
    assert!(!text.contains(RAW), "raw control text: {text:?}");
}

#[test]
fn hostile_text_in_errors_is_bounded_and_escaped() {
    let hostile = "\u{1b}[31mred\u{7}\r\nWARN forged line\u{9b}2J\u{202e}evil\u{2066}";
    let huge = format!("{hostile}{}", "x".repeat(4 << 20));
    let api_body = serde_json::json!({
        "id": format!("api.{hostile}"),
        "message": huge,
        "detailed_error": hostile,
        "request_id": format!("\u{1b}]0;pwned\u{7}{hostile}"),
    })
    .to_string();
    let cases: Vec<(&str, Canned)> = vec![
        (
            "api json",
            Canned::new(500, Vec::new(), api_body.into_bytes()),
        ),
        (
            "api html",
            Canned::new(502, Vec::new(), huge.clone().into_bytes()),
        ),
        (
            "redirect",
            Canned::new(
                302,
                vec![(
                    "Location".into(),
                    format!("https://x/{hostile}{}", "y".repeat(60_000)),
                )],
                Vec::new(),
            ),
        ),
        (
            "rate limited",
            Canned::new(
                429,
                vec![(
                    "X-Request-Id".into(),
                    format!("\u{1b}]0;pwned\u{7}{hostile}"),
                )],
                Vec::new(),
            ),
        ),
        (
            "decode content type",
            Canned::new(
                200,
                vec![("Content-Type".into(), format!("text/html{hostile}"))],
                format!("<html>{hostile}").into_bytes(),
            ),
        ),
        (
            "decode json",
            Canned::new(
                200,
                Vec::new(),
                format!(
                    r#"{{"user_id":"{}","status":"dnd"}}"#,
                    huge.replace(['\u{1b}', '\u{7}', '\r', '\n', '\u{9b}'], "")
                )
                .into_bytes(),
            ),
        ),
    ];
    for (name, transport) in cases {
        let err = GetStatus::new(user())
            .send(&session_on(transport))
            .unwrap_err();
        let shown = err.to_string();
        assert_safe(&shown, 4096);
        assert_safe(&chain(&err), 4096);
        println!("HOSTILE row5 {name}: {} bytes: {shown}", shown.len());
    }
}

#[test]
fn raw_values_stay_reachable_through_accessors() {
    let body = serde_json::json!({"id": "api.x", "message": "a\u{1b}b".repeat(1000), "request_id": "r\u{7}"});
    let err = GetStatus::new(user())
        .send(&session_on(Canned::new(
            500,
            Vec::new(),
            body.to_string().into_bytes(),
        )))
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.message(), "a\u{1b}b".repeat(1000));
    assert_eq!(api.request_id(), Some("r\u{7}"));
    assert_eq!(err.request_id(), Some("r\u{7}"));
    let location = format!("https://x/{}", "y".repeat(60_000));
    let err = GetStatus::new(user())
        .send(&session_on(Canned::new(
            301,
            vec![("Location".into(), location.clone())],
            Vec::new(),
        )))
        .unwrap_err();
    assert!(matches!(&err, Error::Redirect { location: Some(l), .. } if *l == location));
    assert!(err.to_string().len() < 1000);
}

// Row 6 ------------------------------------------------------------------------------

#[test]
fn one_deadline_bounds_a_get_statuses_by_ids_split_into_ten_calls() {
    // 100,000 ids: 10 calls of 10,000; each answered after 500 ms.
    let server = start_server(|_| Fault::Delay(Duration::from_millis(500), json(200, "[]")));
    let ids: Vec<UserId> = (0..100_000u64)
        .map(|n| format!("{n:0>26}").parse().expect("id"))
        .collect();
    let (session, sent) = ureq_session(&server.url(), Duration::from_secs(2), RetryPolicy::none());
    let start = Instant::now();
    let result = GetStatusesByIds::new(ids).send(&session);
    let elapsed = start.elapsed();
    println!(
        "HOSTILE row6 ids: {:?} after {} calls in {elapsed:?} (timeout 2 s)",
        result
            .as_ref()
            .map(|m| m.len())
            .map_err(ToString::to_string),
        sent.load(Ordering::SeqCst)
    );
    assert!(result.as_ref().is_err_and(Error::is_timeout), "{result:?}");
    assert!(elapsed < Duration::from_millis(2600), "{elapsed:?}");
    assert!(sent.load(Ordering::SeqCst) <= 5);
}

#[test]
fn resolving_me_and_the_put_share_one_deadline() {
    // Both calls (GET /users/me/status, then the PUT) answered after 1.5 s each.
    let server =
        start_server(|_| Fault::Delay(Duration::from_millis(1500), json(200, STATUS_BODY)));
    let (session, sent) = ureq_session(&server.url(), Duration::from_secs(2), RetryPolicy::none());
    let start = Instant::now();
    let result = UpdateStatus::new(UserId::me())
        .status(StatusKind::Dnd)
        .send(&session);
    let elapsed = start.elapsed();
    println!(
        "HOSTILE row6 me: {:?} after {} calls in {elapsed:?} (timeout 2 s)",
        result.as_ref().map(|_| ()).map_err(ToString::to_string),
        sent.load(Ordering::SeqCst)
    );
    assert!(result.as_ref().is_err_and(Error::is_timeout), "{result:?}");
    assert!(elapsed < Duration::from_millis(2600), "{elapsed:?}");
    assert_eq!(sent.load(Ordering::SeqCst), 2);
}

// Row 7 ------------------------------------------------------------------------------

/// A server whose first answer keeps the connection alive, and which then closes that
/// connection as the next request arrives on it (`closing`); every later request (on a
/// new connection) gets `then`.
fn stale_after_first(first: Vec<u8>, closing: Fault, then: Vec<u8>) -> FaultServer {
    start_server(move |n| match n {
        0 => Fault::KeepAlive(first.clone()),
        1 => closing.clone(),
        _ => Fault::Reply(then.clone()),
    })
}

#[test]
fn a_stale_kept_alive_connection_is_retried_at_once_for_get_and_put() {
    let closings = [
        ("closed", Fault::Reply(Vec::new())),
        ("reset", Fault::ResetAfter(Vec::new())),
    ];
    for (how, closing) in closings {
        for method in ["GET", "PUT"] {
            let server = stale_after_first(
                json_keep_alive(200, STATUS_BODY),
                closing.clone(),
                json(200, STATUS_BODY),
            );
            // No retries at all: the resend is not a retry attempt.
            let (session, sent) =
                ureq_session(&server.url(), Duration::from_secs(2), RetryPolicy::none());
            GetStatus::new(user()).send(&session).expect("first call");
            let start = Instant::now();
            let result = match method {
                "GET" => GetStatus::new(user()).send(&session).map(|_| ()),
                _ => UpdateStatus::new(user())
                    .status(StatusKind::Away)
                    .send(&session)
                    .map(|_| ()),
            };
            let elapsed = start.elapsed();
            println!(
                "HOSTILE row7 {method} on a {how} kept-alive connection: {:?} in {elapsed:?}, \
                 {} sends, {} connections",
                result.as_ref().map_err(ToString::to_string),
                sent.load(Ordering::SeqCst),
                server.connections()
            );
            result.unwrap_or_else(|e| panic!("{method} on a {how} stale connection: {e}"));
            assert_eq!(sent.load(Ordering::SeqCst), 3, "first, stale, resend");
            assert_eq!(server.connections(), 2);
            assert!(server.requests()[2].request_line().starts_with(method));
            assert!(elapsed < Duration::from_millis(500), "waited: {elapsed:?}");
        }
    }
}

#[test]
fn a_stale_connection_is_not_resent_for_a_request_that_is_not_idempotent() {
    let server = stale_after_first(
        json_keep_alive(200, STATUS_BODY),
        Fault::Reply(Vec::new()),
        json(200, r#"{"status":"OK"}"#),
    );
    let (session, sent) = ureq_session(&server.url(), Duration::from_secs(2), RetryPolicy::new());
    GetStatus::new(user()).send(&session).expect("first call");
    let err = RemoveRecentCustomStatus::new(user(), CustomStatus::new("x"))
        .send(&session)
        .unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert!(t.is_stale_connection(), "{t:?}");
    assert_eq!(sent.load(Ordering::SeqCst), 2);
    assert_eq!(server.attempts(), 2);
}

// Row 8 ------------------------------------------------------------------------------

#[test]
fn errors_print_their_cause_once() {
    let (session, _) = ureq_session(&refused(), Duration::from_secs(2), RetryPolicy::none());
    let refused = GetStatus::new(user()).send(&session).unwrap_err();
    let shown = chain(&refused);
    assert_eq!(shown.matches("refused").count(), 1, "{shown}");
    let truncated = Canned::new(200, Vec::new(), br#"{"user_id":"#.to_vec());
    let decode = GetStatus::new(user())
        .send(&session_on(truncated))
        .unwrap_err();
    let shown_decode = chain(&decode);
    assert_eq!(
        shown_decode.matches("EOF while parsing").count(),
        1,
        "{shown_decode}"
    );
    println!("HOSTILE row8 chain: {shown} / {shown_decode}");
}

#[test]
fn a_one_character_token_does_not_mangle_messages() {
    let session = Session::builder(refused())
        .token("t")
        .retry(RetryPolicy::none())
        .build()
        .expect("session");
    let err = GetStatus::new(user()).send(&session).unwrap_err();
    let shown = err.to_string();
    println!("HOSTILE row8 token \"t\": {shown}");
    assert!(shown.contains("Connection refused"), "{shown}");
    assert!(!shown.contains("[redac"), "{shown}");
    // Echoed by a server, as a whole word, it is still redacted, once.
    let echo = br#"{"id":"api.context.session_expired.app_error","message":"Invalid token t"}"#;
    let server = serve_always(response(401, &[], echo));
    let session = Session::builder(server.url())
        .token("t")
        .retry(RetryPolicy::none())
        .build()
        .expect("session");
    let err = GetStatus::new(user()).send(&session).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the server answered 401 (api.context.session_expired.app_error): Invalid token [redacted]"
    );
}
