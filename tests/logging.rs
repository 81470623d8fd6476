//! One log line per request, without the token (feature `log`).
#![cfg(feature = "log")]

mod support;

use std::sync::Mutex;

use mattermost_status::{
    transport::{HttpRequest, HttpResponse, Transport},
    GetStatus, Session, TransportError, UserId,
};
use support::{id, BOB, TOKEN};

struct Capture(Mutex<Vec<(log::Level, String)>>);

impl log::Log for Capture {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target() == "mattermost_status"
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let mut lines = self.0.lock().unwrap();
            lines.push((record.level(), record.args().to_string()));
        }
    }
    fn flush(&self) {}
}

static LOGGER: Capture = Capture(Mutex::new(Vec::new()));

/// Answers 200 with a status for `me`, 401 for anything else.
#[derive(Debug)]
struct Canned;

impl Transport for Canned {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        if request.url().ends_with("/users/me/status") {
            let body = br#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"online"}"#;
            Ok(HttpResponse::new(200, body.to_vec()))
        } else {
            let body = br#"{"id":"api.context.session_expired.app_error","message":"no"}"#;
            Ok(HttpResponse::new(401, body.to_vec()))
        }
    }
}

#[test]
fn one_line_per_request_without_the_token() {
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(log::LevelFilter::Debug);
    let session = Session::builder("https://chat.example.com/chat")
        .token(TOKEN)
        .transport(Canned)
        .build()
        .unwrap();
    GetStatus::new(UserId::me()).send(&session).unwrap();
    let other = id(BOB);
    assert!(GetStatus::new(other).send(&session).is_err());

    let lines = LOGGER.0.lock().unwrap().clone();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let (level, ok) = &lines[0];
    assert_eq!(*level, log::Level::Debug);
    assert!(
        ok.starts_with("GET /chat/api/v4/users/me/status -> 200 (1 attempt, ")
            && ok.ends_with(" ms)"),
        "{ok}"
    );
    let (level, failed) = &lines[1];
    assert_eq!(*level, log::Level::Warn);
    assert!(
        failed.starts_with(&format!(
            "GET /chat/api/v4/users/{BOB}/status -> 401 \
             api.context.session_expired.app_error (1 attempt, "
        )),
        "{failed}"
    );
    for (_, line) in &lines {
        assert!(!line.contains(TOKEN) && !line.contains("Bearer"));
    }
}
