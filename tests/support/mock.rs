//! Helpers for the tests on an httpmock server.

use httpmock::{Mock, MockServer, When};
use mattermost_status::{RetryPolicy, Session, DEFAULT_USER_AGENT};

use super::TOKEN;

/// A session on `server` with the test token and the built-in ureq transport.
pub fn session(server: &MockServer) -> Session {
    Session::builder(server.base_url())
        .token(TOKEN)
        .build()
        .expect("test session builds")
}

/// The same, with retries off: the test sees each answer's error at once.
pub fn session_without_retries(server: &MockServer) -> Session {
    Session::builder(server.base_url())
        .token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .expect("test session builds")
}

/// The headers every request carries.
pub fn standard_headers(when: When) -> When {
    when.header("authorization", format!("Bearer {TOKEN}"))
        .header("accept", "application/json")
        .header("user-agent", DEFAULT_USER_AGENT)
        .header("x-requested-with", "XMLHttpRequest")
}

/// A mock answering anything with 500: a validation test asserts it got no hit.
pub fn catch_all(server: &MockServer) -> Mock<'_> {
    server.mock(|when, then| {
        when.any_request();
        then.status(500).body("nothing should have been sent");
    })
}

/// A status body shaped as the server writes `model.Status`.
pub fn status_json(user_id: &str, status: &str, manual: bool, last: i64, dnd_end: i64) -> String {
    format!(
        r#"{{"user_id":"{user_id}","status":"{status}","manual":{manual},"last_activity_at":{last},"dnd_end_time":{dnd_end}}}"#
    )
}
