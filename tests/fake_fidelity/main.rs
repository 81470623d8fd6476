//! The fake server against the real server's behaviour, over HTTP.
//!
//! Each test is one behaviour from the server notes (`mattermost-status-server.md`) or
//! from Mattermost's own `api4/status_test.go`, driven through the public SDK over a real
//! loopback socket with the ureq transport. Where the SDK refuses a value on the client
//! side (as it should), the raw request goes through the same `UreqTransport`, so the
//! server-side rule is still checked.
#![cfg(all(feature = "fake", feature = "ureq"))]

mod authentication;
mod custom_status;
mod errors;
mod get_status;
mod http_server;
mod path_ids;
mod recent_removal;
mod statuses_by_ids;
mod update_status;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mattermost_status::fake::{FakeHttpServer, FakeServer, FakeUser};
use mattermost_status::transport::{HttpRequest, HttpResponse, Method, Transport};
use mattermost_status::{
    transport::UreqTransport, CustomStatus, CustomStatusDuration, Error, GetStatus,
    GetStatusesByIds, RemoveRecentCustomStatus, RemoveRecentMethod, Session, Status, StatusKind,
    TransportErrorKind, UnsetCustomStatus, UpdateCustomStatus, UpdateStatus, UserId,
};

struct Env {
    fake: FakeServer,
    server: FakeHttpServer,
    alice: FakeUser,
    bob: FakeUser,
    admin: FakeUser,
    http: UreqTransport,
}

/// A served fake whose clock is stopped at the machine's current time, so times can be
/// asserted exactly (the SDK checks "in the future" against the machine's clock).
fn env() -> Env {
    let fake = FakeServer::new();
    fake.set_now(SystemTime::now());
    let server = fake.serve().expect("the fake serves on 127.0.0.1");
    Env {
        alice: fake.user("alice").expect("alice"),
        bob: fake.user("bob").expect("bob"),
        admin: fake.user("sysadmin").expect("sysadmin"),
        fake,
        server,
        http: UreqTransport::default(),
    }
}

impl Env {
    fn session(&self, user: &FakeUser) -> Session {
        Session::builder(self.server.url())
            .token(user.token.clone())
            .build()
            .expect("a valid session")
    }

    /// One raw request through the SDK's transport.
    fn raw(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<&str>,
    ) -> HttpResponse {
        let url = format!("{}/api/v4{path}", self.server.url());
        let auth_value = auth.map(str::to_owned).unwrap_or_default();
        let mut headers = vec![("Content-Type", "application/json")];
        if auth.is_some() {
            headers.push(("Authorization", auth_value.as_str()));
        }
        // A GET carries no body (ureq would refuse one).
        let body = body.filter(|_| method != Method::Get);
        let mut request = HttpRequest::new(method, &url)
            .with_headers(&headers)
            .with_timeout(Duration::from_secs(10))
            .with_max_response_bytes(1 << 20);
        if let Some(body) = body {
            request = request.with_body(body.as_bytes());
        }
        self.http.send(&request).expect("the fake answers")
    }

    fn raw_as(
        &self,
        user: &FakeUser,
        method: Method,
        path: &str,
        body: Option<&str>,
    ) -> HttpResponse {
        self.raw(method, path, Some(&format!("Bearer {}", user.token)), body)
    }
}

fn json(response: &HttpResponse) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {:?}",
            String::from_utf8_lossy(response.body())
        )
    })
}

/// Asserts an AppError answer: status, id, and that the message names `param`.
fn assert_app_error(response: &HttpResponse, status: u16, id: &str, param: Option<&str>) {
    let body = json(response);
    assert_eq!(response.status(), status, "{body}");
    assert_eq!(body["id"], id, "{body}");
    assert_eq!(body["status_code"], status, "{body}");
    if let Some(param) = param {
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(param),
            "message should name {param}: {body}"
        );
    }
}

fn assert_api_error(result: Result<impl std::fmt::Debug, Error>, status: u16, id: &str) {
    let err = result.expect_err("the server should refuse this");
    assert_eq!(err.status(), Some(status), "{err}");
    assert_eq!(err.api_id(), Some(id), "{err}");
    assert!(err.request_id().is_some(), "{err}");
}

fn at_secs(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
}

fn unix_secs(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64
}

fn unix_millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64
}

const SEVEN: [(Method, &str); 7] = [
    (Method::Get, "/users/me/status"),
    (Method::Put, "/users/me/status"),
    (Method::Post, "/users/status/ids"),
    (Method::Put, "/users/me/status/custom"),
    (Method::Delete, "/users/me/status/custom"),
    (Method::Delete, "/users/me/status/custom/recent"),
    (Method::Post, "/users/me/status/custom/recent/delete"),
];
