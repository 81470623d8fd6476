//! The fake server against the real server's behaviour, over HTTP.
//!
//! Each test is one behaviour from the server notes (`mattermost-status-server.md`) or
//! from Mattermost's own `api4/status_test.go`, driven through the public SDK over a real
//! loopback socket with the ureq transport. Where the SDK refuses a value on the client
//! side (as it should), the raw request goes through the same `UreqTransport`, so the
//! server-side rule is still checked.
#![cfg(all(feature = "fake", feature = "ureq"))]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mattermost_status::fake::{FakeHttpServer, FakeServer, FakeUser};
use mattermost_status::transport::{HttpRequest, HttpResponse, Method, Transport};
use mattermost_status::{
    CustomStatus, CustomStatusDuration, Error, GetStatus, GetStatusesByIds,
    RemoveRecentCustomStatus, RemoveRecentMethod, Session, Status, StatusKind, TransportErrorKind,
    UnsetCustomStatus, UpdateCustomStatus, UpdateStatus, UreqTransport, UserId,
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

// ---------------------------------------------------------------- authentication

#[test]
fn every_route_needs_a_session() {
    let env = env();
    for (method, path) in SEVEN {
        let missing = env.raw(method, path, None, Some("{}"));
        assert_app_error(&missing, 401, "api.context.session_expired.app_error", None);
        let wrong = env.raw(method, path, Some("Bearer not-a-token"), Some("{}"));
        assert_app_error(&wrong, 401, "api.context.session_expired.app_error", None);
    }
    let session = Session::builder(env.server.url())
        .token("wrong")
        .build()
        .unwrap();
    let err = GetStatus::new(UserId::me()).send(&session).unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(err.api_id(), Some("api.context.session_expired.app_error"));
}

#[test]
fn token_scheme_and_access_token_are_accepted() {
    let env = env();
    let token = format!("Token {}", env.alice.token);
    let r = env.raw(Method::Get, "/users/me/status", Some(&token), None);
    assert_eq!(r.status(), 200);
    assert_eq!(json(&r)["user_id"], env.alice.id.as_str());
    let path = format!("/users/me/status?access_token={}", env.bob.token);
    let r = env.raw(Method::Get, &path, None, None);
    assert_eq!(json(&r)["user_id"], env.bob.id.as_str());
}

#[test]
fn unknown_routes_are_404_and_wrong_methods_405_before_the_session_check() {
    let env = env();
    let r = env.raw(Method::Get, "/users/me/status/nope", None, None);
    assert_app_error(&r, 404, "api.context.404.app_error", None);
    let r = env.raw(Method::Post, "/users/me/status", None, Some("{}"));
    assert_eq!(r.status(), 405);
    let r = env.raw(Method::Get, "/users/status/ids", None, None);
    assert_eq!(r.status(), 405);
}

// ---------------------------------------------------------------- errors

#[test]
fn errors_are_app_error_json_with_the_request_id_in_body_and_header() {
    let env = env();
    let r = env.raw(Method::Get, "/users/me/status", None, None);
    let body = json(&r);
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "id",
        "message",
        "detailed_error",
        "request_id",
        "status_code",
    ] {
        assert!(keys.contains(&key), "{key} missing from {body}");
    }
    let header = r.header("X-Request-ID").expect("X-Request-ID");
    assert_eq!(body["request_id"], header);
    assert_eq!(header.len(), 26);
    assert!(r.header("X-Version-Id").is_some());
    assert_eq!(r.header("Content-Type"), Some("application/json"));

    // The SDK reads it all back.
    let err = GetStatus::new(UserId::parse(&"a".repeat(26)).unwrap())
        .send(
            &Session::builder(env.server.url())
                .token("x")
                .build()
                .unwrap(),
        )
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status(), 401);
    assert!(!api.message().is_empty());
    assert_eq!(api.detailed_error(), None);
    assert_eq!(api.request_id().map(str::len), Some(26));
}

#[test]
fn request_ids_differ_per_request() {
    let env = env();
    let a = env.raw(Method::Get, "/users/me/status", None, None);
    let b = env.raw(Method::Get, "/users/me/status", None, None);
    assert_ne!(a.header("X-Request-ID"), b.header("X-Request-ID"));
}

// ---------------------------------------------------------------- the user id in the path

#[test]
fn me_is_the_caller_everywhere_in_the_path() {
    let env = env();
    let status = GetStatus::new(UserId::me())
        .send(&env.session(&env.bob))
        .unwrap();
    assert_eq!(status.user_id, env.bob.id);
    UpdateCustomStatus::new(UserId::me())
        .text("via me")
        .send(&env.session(&env.bob))
        .unwrap();
    assert_eq!(
        env.fake.custom_status(env.bob.id).map(|c| c.text),
        Some("via me".to_owned())
    );
}

#[test]
fn path_ids_must_be_valid_ids() {
    let env = env();
    for bad in ["abc", &"a".repeat(27), &"a".repeat(25)] {
        for (method, path) in SEVEN {
            if !path.contains("/me/") {
                continue;
            }
            let path = path.replace("/me/", &format!("/{bad}/"));
            let r = env.raw_as(&env.alice, method, &path, Some("{}"));
            assert_app_error(
                &r,
                400,
                "api.context.invalid_url_param.app_error",
                Some("user_id"),
            );
        }
    }
    // model.IsValidId takes any 26 letters or digits, capitals too (the SDK is stricter).
    let r = env.raw_as(
        &env.alice,
        Method::Get,
        "/users/ABCDEFGHIJKLMNOPQRSTUVWXYZ/status",
        None,
    );
    assert_eq!(r.status(), 200);
    assert_eq!(json(&r)["status"], "offline");
    // Characters outside the router's pattern do not reach the handler at all.
    let r = env.raw_as(&env.alice, Method::Get, "/users/a.b/status", None);
    assert_eq!(r.status(), 404);
}

// ---------------------------------------------------------------- get status

#[test]
fn a_user_without_a_status_reads_as_offline() {
    let env = env();
    let s = GetStatus::new(env.bob.id)
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(s.status, StatusKind::Offline);
    assert!(!s.manual);
    assert_eq!(s.last_activity_at, None);
    assert_eq!(s.dnd_end_time, None);
    assert_eq!(env.fake.status(env.bob.id), None, "reading stores nothing");
    // Also an id no user has.
    let nobody = UserId::parse("zzzzzzzzzzzzzzzzzzzzzzzzzz").unwrap();
    let s = GetStatus::new(nobody)
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!((s.user_id, s.status), (nobody, StatusKind::Offline));
}

#[test]
fn the_status_answer_has_the_go_shape() {
    let env = env();
    env.fake.record_activity(env.alice.id);
    let r = env.raw_as(
        &env.bob,
        Method::Get,
        &format!("/users/{}/status", env.alice.id),
        None,
    );
    assert_eq!(r.status(), 200);
    let text = String::from_utf8(r.body().to_vec()).unwrap();
    assert!(
        text.ends_with("}\n"),
        "json.Encoder adds a newline: {text:?}"
    );
    let body = json(&r);
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 5, "{body}");
    assert_eq!(body["last_activity_at"], unix_millis(env.fake.now()));
    assert!(body.get("active_channel").is_none());
}

#[test]
fn anyone_may_read_anyone_else() {
    let env = env();
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Away)
        .send(&env.session(&env.alice))
        .unwrap();
    let s = GetStatus::new(env.alice.id)
        .send(&env.session(&env.bob))
        .unwrap();
    assert_eq!(s.status, StatusKind::Away);
}

// ---------------------------------------------------------------- update status

#[test]
fn online_is_automatic_and_stamps_activity() {
    let env = env();
    let s = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Online)
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(s.status, StatusKind::Online);
    assert!(!s.manual);
    let now = env.fake.now();
    assert_eq!(s.last_activity_at.map(unix_millis), Some(unix_millis(now)));
    assert_eq!(env.fake.status(env.alice.id).unwrap(), s);
}

#[test]
fn away_is_manual_and_keeps_the_last_activity() {
    let env = env();
    let session = env.session(&env.alice);
    let online = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Online)
        .send(&session)
        .unwrap();
    env.fake.advance(Duration::from_secs(300));
    let away = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Away)
        .send(&session)
        .unwrap();
    assert_eq!(away.status, StatusKind::Away);
    assert!(away.manual);
    assert_eq!(away.last_activity_at, online.last_activity_at);
}

#[test]
fn away_without_any_status_has_no_activity() {
    let env = env();
    let away = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Away)
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(away.last_activity_at, None);
}

#[test]
fn offline_is_manual_and_stamps_activity() {
    let env = env();
    env.fake.advance(Duration::from_secs(42));
    let s = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Offline)
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(s.status, StatusKind::Offline);
    assert!(s.manual);
    assert_eq!(
        s.last_activity_at.map(unix_millis),
        Some(unix_millis(env.fake.now()))
    );
}

#[test]
fn a_manual_status_wins_over_activity_and_online_returns_to_automatic() {
    let env = env();
    let session = env.session(&env.alice);
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Away)
        .send(&session)
        .unwrap();
    env.fake.record_activity(env.alice.id);
    assert_eq!(
        env.fake.status(env.alice.id).map(|s| s.status),
        Some(StatusKind::Away)
    );
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Online)
        .send(&session)
        .unwrap();
    env.fake.advance(Duration::from_secs(10));
    env.fake.record_activity(env.alice.id);
    let s = env.fake.status(env.alice.id).unwrap();
    assert_eq!((s.status, s.manual), (StatusKind::Online, false));
    assert_eq!(
        s.last_activity_at.map(unix_millis),
        Some(unix_millis(env.fake.now()))
    );
}

#[test]
fn dnd_end_time_is_seconds_truncated_to_the_minute_and_ends_by_itself() {
    let env = env();
    let session = env.session(&env.alice);
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Away)
        .send(&session)
        .unwrap();
    let end = env.fake.now() + Duration::from_secs(30 * 60 + 17);
    let s = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Dnd)
        .until(end)
        .send(&session)
        .unwrap();
    assert_eq!(s.status, StatusKind::Dnd);
    assert!(s.manual);
    let stored_end = unix_secs(end) / 60 * 60;
    assert_eq!(s.dnd_end_time, Some(at_secs(stored_end)));
    // On the wire it is seconds.
    let r = env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
    assert_eq!(json(&r)["dnd_end_time"], stored_end);

    // One second before the (truncated) end: still DND.
    let before = at_secs(stored_end - 1);
    env.fake.set_now(before);
    let s = GetStatus::new(UserId::me()).send(&session).unwrap();
    assert_eq!(s.status, StatusKind::Dnd);
    // At the end: back to what it was, automatic, no end time.
    env.fake.set_now(at_secs(stored_end));
    let s = GetStatus::new(UserId::me()).send(&session).unwrap();
    assert_eq!(s.status, StatusKind::Away);
    assert!(!s.manual);
    assert_eq!(s.dnd_end_time, None);
}

#[test]
fn leaving_dnd_by_hand_keeps_its_end_time_except_for_offline() {
    // SetStatusOnline and SetStatusAwayIfNeeded change the stored struct and leave
    // DNDEndTime as it was; SetStatusOffline writes a new one.
    let env = env();
    let session = env.session(&env.alice);
    let end = env.fake.now() + Duration::from_secs(3600);
    for (kind, keeps) in [
        (StatusKind::Online, true),
        (StatusKind::Away, true),
        (StatusKind::Offline, false),
    ] {
        UpdateStatus::new(env.alice.id)
            .status(StatusKind::Dnd)
            .until(end)
            .send(&session)
            .unwrap();
        let s = UpdateStatus::new(env.alice.id)
            .status(kind.clone())
            .send(&session)
            .unwrap();
        assert_eq!(s.status, kind);
        assert_eq!(s.dnd_end_time.is_some(), keeps, "{kind}");
        // The job only ends statuses that are still dnd.
        env.fake.advance(Duration::from_secs(7200));
        assert_eq!(
            GetStatus::new(env.alice.id).send(&session).unwrap().status,
            kind
        );
        env.fake.set_now(SystemTime::now());
    }
}

#[test]
fn dnd_from_no_status_returns_to_offline() {
    // api4 status_test "dnd status timed restore after time interval", without sleeping.
    let env = env();
    let session = env.session(&env.bob);
    UpdateStatus::new(env.bob.id)
        .status(StatusKind::Dnd)
        .until(env.fake.now() + Duration::from_secs(120))
        .send(&session)
        .unwrap();
    env.fake.advance(Duration::from_secs(121));
    let s = GetStatus::new(env.bob.id).send(&session).unwrap();
    assert_eq!(s.status, StatusKind::Offline);
}

#[test]
fn dnd_without_an_end_lasts() {
    let env = env();
    let session = env.session(&env.alice);
    let s = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Dnd)
        .send(&session)
        .unwrap();
    assert_eq!(s.dnd_end_time, None);
    env.fake.advance(Duration::from_secs(365 * 24 * 3600));
    assert_eq!(
        GetStatus::new(env.alice.id).send(&session).unwrap().status,
        StatusKind::Dnd
    );
}

#[test]
fn a_past_dnd_end_is_accepted_and_undone_by_the_next_job_run() {
    let env = env();
    let session = env.session(&env.alice);
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Online)
        .send(&session)
        .unwrap();
    let past = unix_secs(env.fake.now()) - 3600;
    let body = format!(
        r#"{{"user_id":"{}","status":"dnd","dnd_end_time":{past}}}"#,
        env.alice.id
    );
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
    assert_eq!(r.status(), 200);
    assert_eq!(json(&r)["status"], "dnd", "the answer comes before the job");
    let s = GetStatus::new(env.alice.id).send(&session).unwrap();
    assert_eq!((s.status, s.manual), (StatusKind::Online, false));
}

#[test]
fn dnd_end_time_with_another_status_is_ignored() {
    let env = env();
    let end = unix_secs(env.fake.now()) + 3600;
    let body = format!(
        r#"{{"user_id":"{}","status":"offline","dnd_end_time":{end}}}"#,
        env.alice.id
    );
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
    assert_eq!(r.status(), 200);
    assert_eq!(json(&r)["dnd_end_time"], 0);
}

#[test]
fn the_body_user_id_must_be_the_path_user_after_me() {
    let env = env();
    // status_test: "not matching status user id and the user id passed in the function".
    let body = format!(r#"{{"user_id":"{}","status":"online"}}"#, env.bob.id);
    let path = format!("/users/{}/status", env.alice.id);
    let r = env.raw_as(&env.alice, Method::Put, &path, Some(&body));
    assert_app_error(
        &r,
        400,
        "api.context.invalid_body_param.app_error",
        Some("user_id"),
    );
    // `me` in the body never matches.
    let r = env.raw_as(
        &env.alice,
        Method::Put,
        "/users/me/status",
        Some(r#"{"user_id":"me","status":"online"}"#),
    );
    assert_app_error(
        &r,
        400,
        "api.context.invalid_body_param.app_error",
        Some("user_id"),
    );
    // The real id with `me` in the path does.
    let body = format!(r#"{{"user_id":"{}","status":"online"}}"#, env.alice.id);
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
    assert_eq!(r.status(), 200);
    assert_eq!(env.fake.request_count(), 3);
}

#[test]
fn only_four_statuses_can_be_set() {
    let env = env();
    for value in ["ooo", "busy", "", "ONLINE"] {
        let body = format!(r#"{{"user_id":"{}","status":"{value}"}}"#, env.alice.id);
        let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
        assert_app_error(
            &r,
            400,
            "api.context.invalid_body_param.app_error",
            Some("status"),
        );
    }
    assert_eq!(env.fake.status(env.alice.id), None, "nothing was stored");
}

#[test]
fn an_undecodable_status_body_is_400_status() {
    let env = env();
    for body in [
        "",
        "not json",
        "[]",
        r#"{"user_id":1}"#,
        r#"{"dnd_end_time":"soon"}"#,
    ] {
        let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(body));
        assert_app_error(
            &r,
            400,
            "api.context.invalid_body_param.app_error",
            Some("status"),
        );
    }
}

#[test]
fn go_decoding_ignores_case_unknown_fields_and_trailing_data() {
    let env = env();
    let body = format!(
        r#"{{"USER_ID":"{}","Status":"away","extra":[1,2]}} and then some"#,
        env.alice.id
    );
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
    assert_eq!(r.status(), 200, "{}", String::from_utf8_lossy(r.body()));
    assert_eq!(json(&r)["status"], "away");
}

#[test]
fn another_users_status_needs_edit_other_users() {
    let env = env();
    // status_test: "set status for other user as regular user".
    let result = UpdateStatus::new(env.bob.id)
        .status(StatusKind::Online)
        .send(&env.session(&env.alice));
    assert_api_error(result, 403, "api.context.permissions.app_error");
    assert_eq!(env.fake.status(env.bob.id), None);
    // "set status for other user as admin user".
    let s = UpdateStatus::new(env.bob.id)
        .status(StatusKind::Online)
        .send(&env.session(&env.admin))
        .unwrap();
    assert_eq!((s.user_id, s.status), (env.bob.id, StatusKind::Online));
}

#[test]
fn permission_is_checked_after_the_body() {
    let env = env();
    let path = format!("/users/{}/status", env.bob.id);
    let r = env.raw_as(&env.alice, Method::Put, &path, Some("nonsense"));
    assert_eq!(r.status(), 400);
    let body = format!(r#"{{"user_id":"{}","status":"nonsense"}}"#, env.bob.id);
    let r = env.raw_as(&env.alice, Method::Put, &path, Some(&body));
    assert_eq!(r.status(), 403, "permission comes before the status value");
}

#[test]
fn leaving_out_of_office_turns_the_auto_responder_off() {
    let env = env();
    env.fake
        .set_status(&Status::new(env.alice.id, StatusKind::OutOfOffice));
    assert!(env.fake.auto_responder_active(env.alice.id));
    let s = GetStatus::new(UserId::me())
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(s.status, StatusKind::OutOfOffice);
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Online)
        .send(&env.session(&env.alice))
        .unwrap();
    assert!(!env.fake.auto_responder_active(env.alice.id));
}

#[test]
fn with_user_statuses_off_setters_do_nothing_and_lookups_find_nothing() {
    let env = env();
    env.fake.set_enable_user_statuses(false);
    let session = env.session(&env.alice);
    assert_api_error(
        GetStatus::new(UserId::me()).send(&session),
        404,
        "api.status.user_not_found.app_error",
    );
    assert_api_error(
        UpdateStatus::new(env.alice.id)
            .status(StatusKind::Away)
            .send(&session),
        404,
        "api.status.user_not_found.app_error",
    );
    let statuses = GetStatusesByIds::new([env.alice.id, env.bob.id])
        .send(&session)
        .unwrap();
    assert!(statuses.is_empty());
    // An invalid value is still refused first.
    let body = format!(r#"{{"user_id":"{}","status":"busy"}}"#, env.alice.id);
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
    assert_eq!(r.status(), 400);
    env.fake.set_enable_user_statuses(true);
    assert_eq!(env.fake.status(env.alice.id), None, "nothing was stored");
}

// ---------------------------------------------------------------- statuses by ids

#[test]
fn statuses_by_ids_are_sorted_deduplicated_and_offline_for_unknown_ids() {
    let env = env();
    UpdateStatus::new(env.bob.id)
        .status(StatusKind::Away)
        .send(&env.session(&env.bob))
        .unwrap();
    let nobody = "0".repeat(26);
    let mut ids = vec![
        env.bob.id.to_string(),
        nobody.clone(),
        env.alice.id.to_string(),
        env.bob.id.to_string(),
    ];
    let body = serde_json::to_string(&ids).unwrap();
    let r = env.raw_as(&env.alice, Method::Post, "/users/status/ids", Some(&body));
    assert_eq!(r.status(), 200);
    let list = json(&r);
    let got: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(got.len(), 3, "duplicates dropped: {list}");
    // Stored statuses first, then the ids with none, each part sorted.
    ids.sort();
    ids.dedup();
    let mut unknown: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| *id != env.bob.id.as_str())
        .collect();
    unknown.sort();
    let mut expected = vec![env.bob.id.as_str()];
    expected.extend(unknown);
    assert_eq!(got, expected);
    assert_eq!(list[0]["status"], "away");
    assert_eq!(list[1]["status"], "offline");
    assert_eq!(list[2]["status"], "offline");

    // Through the SDK.
    let statuses = GetStatusesByIds::new([env.alice.id, env.bob.id])
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(
        statuses.get(&env.bob.id).map(|s| &s.status),
        Some(&StatusKind::Away)
    );
    assert_eq!(
        statuses.get(&env.alice.id).map(|s| &s.status),
        Some(&StatusKind::Offline)
    );
}

#[test]
fn statuses_by_ids_validation() {
    let env = env();
    // status_test: "empty userIds list", "completely/partly invalid userIds list".
    for body in [
        "[]".to_owned(),
        "null".to_owned(),
        r#"["invalid_user_id","invalid_user_id"]"#.to_owned(),
        format!(r#"["{}","invalid_user_id"]"#, env.alice.id),
        r#"["me"]"#.to_owned(),
    ] {
        let r = env.raw_as(&env.alice, Method::Post, "/users/status/ids", Some(&body));
        assert_app_error(
            &r,
            400,
            "api.context.invalid_body_param.app_error",
            Some("user_ids"),
        );
    }
    // Only the length is checked: 26 characters of anything pass.
    let r = env.raw_as(
        &env.alice,
        Method::Post,
        "/users/status/ids",
        Some(r#"["--------------------------"]"#),
    );
    assert_eq!(r.status(), 200);
    for body in ["", "{}", "[1]", "not json"] {
        let r = env.raw_as(&env.alice, Method::Post, "/users/status/ids", Some(body));
        assert_app_error(&r, 400, "api.payload.parse.error", None);
    }
}

// ---------------------------------------------------------------- custom status

fn props_custom_status(env: &Env, user: &FakeUser) -> String {
    let r = env.raw_as(user, Method::Get, "/users/me", None);
    assert_eq!(r.status(), 200);
    json(&r)["props"]["customStatus"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn setting_a_custom_status_stores_it_and_answers_ok() {
    let env = env();
    let cs = r#"{"emoji":"calendar","text":"My custom status"}"#;
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status/custom", Some(cs));
    assert_eq!(r.status(), 200);
    assert_eq!(r.body(), br#"{"status":"OK"}"#);
    // As status_test reads it back: user props.
    assert_eq!(
        props_custom_status(&env, &env.alice),
        r#"{"emoji":"calendar","text":"My custom status","duration":"","expires_at":"0001-01-01T00:00:00Z"}"#
    );
    let recent = env.fake.recent_custom_statuses(env.alice.id);
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].text, "My custom status");
}

#[test]
fn custom_status_with_duration_and_expiry() {
    let env = env();
    let end = env.fake.now() + Duration::from_secs(3600);
    UpdateCustomStatus::new(env.alice.id)
        .emoji("palm_tree")
        .text("On vacation")
        .duration(CustomStatusDuration::DateAndTime)
        .expires_at(end)
        .send(&env.session(&env.alice))
        .unwrap();
    let cs = env.fake.custom_status(env.alice.id).unwrap();
    assert_eq!(cs.duration, Some(CustomStatusDuration::DateAndTime));
    assert_eq!(cs.expires_at, Some(end));
}

#[test]
fn custom_status_validation() {
    let env = env();
    let now = env.fake.now();
    let future = mattermost_status_time(now + Duration::from_secs(600));
    let past = mattermost_status_time(now - Duration::from_secs(600));
    for body in [
        r#"{"emoji":"","text":""}"#.to_owned(),
        "{}".to_owned(),
        "null".to_owned(),
        "not json".to_owned(),
        r#"{"text":"x","expires_at":"tomorrow"}"#.to_owned(),
        r#"{"text":"x","expires_at":1700000000}"#.to_owned(),
        // A duration needs an end that is not past.
        r#"{"text":"x","duration":"one_hour"}"#.to_owned(),
        format!(r#"{{"text":"x","duration":"one_hour","expires_at":"{past}"}}"#),
        // No duration with a past end.
        format!(r#"{{"text":"x","expires_at":"{past}"}}"#),
        // An unknown duration.
        format!(r#"{{"text":"x","duration":"forever","expires_at":"{future}"}}"#),
        // status_test: "attempt to set custom status with invalid data".
        format!(
            r#"{{"emoji":"invalid_emoji","text":"{}","duration":"invalid_duration","expires_at":"{past}"}}"#,
            "a".repeat(101)
        ),
    ] {
        let r = env.raw_as(
            &env.alice,
            Method::Put,
            "/users/me/status/custom",
            Some(&body),
        );
        assert_app_error(
            &r,
            400,
            "api.context.invalid_body_param.app_error",
            Some("custom_status"),
        );
    }
    assert_eq!(env.fake.custom_status(env.alice.id), None);
    for body in [
        r#"{"emoji":"x"}"#.to_owned(),
        format!(r#"{{"text":"x","duration":"thirty_minutes","expires_at":"{future}"}}"#),
    ] {
        let r = env.raw_as(
            &env.alice,
            Method::Put,
            "/users/me/status/custom",
            Some(&body),
        );
        assert_eq!(r.status(), 200, "{body}");
    }
}

/// RFC 3339 in UTC with milliseconds, as a client would write it.
fn mattermost_status_time(t: SystemTime) -> String {
    let cs = CustomStatus::new("x").expires_at(t);
    let v = serde_json::to_value(&cs).unwrap();
    v["expires_at"].as_str().unwrap().to_owned()
}

#[test]
fn presave_sets_date_and_time_and_cuts_the_text_to_100_runes() {
    let env = env();
    let future = mattermost_status_time(env.fake.now() + Duration::from_secs(600));
    let text = "é".repeat(150);
    let body = format!(r#"{{"text":"{text}","expires_at":"{future}"}}"#);
    let r = env.raw_as(
        &env.alice,
        Method::Put,
        "/users/me/status/custom",
        Some(&body),
    );
    assert_eq!(r.status(), 200);
    let cs = env.fake.custom_status(env.alice.id).unwrap();
    assert_eq!(cs.duration, Some(CustomStatusDuration::DateAndTime));
    assert_eq!(cs.text.chars().count(), 100);
    assert_eq!(cs.text, "é".repeat(100));
    // The emoji is neither checked nor defaulted by the handler.
    assert_eq!(cs.emoji, "");
}

#[test]
fn ids_of_no_user_get_a_status_but_not_a_custom_status() {
    let env = env();
    let nobody = UserId::parse(&"q".repeat(26)).unwrap();
    // The status service does not look the user up: an admin can store a status for it.
    let s = UpdateStatus::new(nobody)
        .status(StatusKind::Away)
        .send(&env.session(&env.admin))
        .unwrap();
    assert_eq!(s.status, StatusKind::Away);
    // SetCustomStatus and RemoveCustomStatus do (GetUser): 404.
    assert_api_error(
        UpdateCustomStatus::new(nobody)
            .text("x")
            .send(&env.session(&env.admin)),
        404,
        "app.user.missing_account.const",
    );
    assert_api_error(
        UnsetCustomStatus::new(nobody).send(&env.session(&env.admin)),
        404,
        "app.user.missing_account.const",
    );
}

#[test]
fn expires_at_keeps_its_offset_and_removal_needs_the_same_bytes() {
    let env = env();
    let t = env.fake.now() + Duration::from_secs(86_400);
    let utc = mattermost_status_time(t);
    // Write the same instant at +02:00.
    let secs = unix_secs(t) + 7200;
    let local = mattermost_status_time(at_secs(secs));
    let local = format!(
        "{}+02:00",
        local.trim_end_matches('Z').split('.').next().unwrap()
    );
    let body = format!(r#"{{"text":"abroad","duration":"today","expires_at":"{local}"}}"#);
    let r = env.raw_as(
        &env.alice,
        Method::Put,
        "/users/me/status/custom",
        Some(&body),
    );
    assert_eq!(r.status(), 200);
    assert!(
        env.fake
            .custom_status_json(env.alice.id)
            .unwrap()
            .contains("+02:00"),
        "Go keeps the offset"
    );
    // The same instant in UTC is other bytes: not found.
    let utc_whole = format!("{}Z", utc.trim_end_matches('Z').split('.').next().unwrap());
    let remove_utc =
        format!(r#"{{"text":"abroad","duration":"today","expires_at":"{utc_whole}"}}"#);
    let r = env.raw_as(
        &env.alice,
        Method::Post,
        "/users/me/status/custom/recent/delete",
        Some(&remove_utc),
    );
    assert_app_error(
        &r,
        400,
        "api.custom_status.recent_custom_statuses.delete.app_error",
        None,
    );
    let r = env.raw_as(
        &env.alice,
        Method::Post,
        "/users/me/status/custom/recent/delete",
        Some(&body),
    );
    assert_eq!(r.status(), 200);
    assert!(env.fake.recent_custom_statuses(env.alice.id).is_empty());
}

#[test]
fn another_users_custom_status_needs_edit_other_users() {
    let env = env();
    let result = UpdateCustomStatus::new(env.bob.id)
        .text("x")
        .send(&env.session(&env.alice));
    assert_api_error(result, 403, "api.context.permissions.app_error");
    let result = UnsetCustomStatus::new(env.bob.id).send(&env.session(&env.alice));
    assert_api_error(result, 403, "api.context.permissions.app_error");
    let result = RemoveRecentCustomStatus::new(env.bob.id, CustomStatus::new("x"))
        .send(&env.session(&env.alice));
    assert_api_error(result, 403, "api.context.permissions.app_error");
    // A system admin may.
    UpdateCustomStatus::new(env.bob.id)
        .text("set by admin")
        .send(&env.session(&env.admin))
        .unwrap();
    UnsetCustomStatus::new(env.bob.id)
        .send(&env.session(&env.admin))
        .unwrap();
    RemoveRecentCustomStatus::new(env.bob.id, CustomStatus::new("set by admin"))
        .send(&env.session(&env.admin))
        .unwrap();
    assert!(env.fake.recent_custom_statuses(env.bob.id).is_empty());
}

#[test]
fn custom_statuses_off_is_501_on_all_three_routes_before_anything_else() {
    let env = env();
    env.fake.set_enable_custom_user_statuses(false);
    let session = env.session(&env.alice);
    assert_api_error(
        UpdateCustomStatus::new(UserId::me())
            .text("x")
            .send(&session),
        501,
        "api.custom_status.disabled",
    );
    assert_api_error(
        UnsetCustomStatus::new(UserId::me()).send(&session),
        501,
        "api.custom_status.disabled",
    );
    assert_api_error(
        RemoveRecentCustomStatus::new(UserId::me(), CustomStatus::new("x")).send(&session),
        501,
        "api.custom_status.disabled",
    );
    // Even with a bad body or another user's id.
    let path = format!("/users/{}/status/custom", env.bob.id);
    let r = env.raw_as(&env.alice, Method::Put, &path, Some("garbage"));
    assert_app_error(&r, 501, "api.custom_status.disabled", None);
}

#[test]
fn recent_custom_statuses_keep_five_newest_first_replacing_the_same_text() {
    let env = env();
    let session = env.session(&env.alice);
    for text in ["one", "two", "three", "four", "five", "six"] {
        UpdateCustomStatus::new(UserId::me())
            .text(text)
            .send(&session)
            .unwrap();
    }
    let texts = |env: &Env| -> Vec<String> {
        env.fake
            .recent_custom_statuses(env.alice.id)
            .into_iter()
            .map(|c| c.text)
            .collect()
    };
    assert_eq!(texts(&env), ["six", "five", "four", "three", "two"]);
    UpdateCustomStatus::new(UserId::me())
        .emoji("tada")
        .text("four")
        .send(&session)
        .unwrap();
    assert_eq!(texts(&env), ["four", "six", "five", "three", "two"]);
    assert_eq!(
        env.fake.recent_custom_statuses(env.alice.id)[0].emoji,
        "tada",
        "the entry with the same text was replaced"
    );
    // Over HTTP, as the preference.
    let r = env.raw_as(
        &env.alice,
        Method::Get,
        "/users/me/preferences/custom_status/name/recent_custom_statuses",
        None,
    );
    let value: serde_json::Value =
        serde_json::from_str(json(&r)["value"].as_str().unwrap()).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 5);
    assert_eq!(value[0]["text"], "four");
}

#[test]
fn unsetting_works_without_a_custom_status_and_keeps_the_recent_list() {
    let env = env();
    let session = env.session(&env.alice);
    // status_test: "remove non-existent custom status".
    UnsetCustomStatus::new(UserId::me()).send(&session).unwrap();
    UpdateCustomStatus::new(UserId::me())
        .emoji("calendar")
        .text("My custom status")
        .send(&session)
        .unwrap();
    UnsetCustomStatus::new(UserId::me()).send(&session).unwrap();
    assert_eq!(env.fake.custom_status(env.alice.id), None);
    assert_eq!(props_custom_status(&env, &env.alice), "");
    assert_eq!(env.fake.recent_custom_statuses(env.alice.id).len(), 1);
}

#[test]
fn an_expired_custom_status_is_kept_as_it_was() {
    let env = env();
    let end = env.fake.now() + Duration::from_secs(1800);
    UpdateCustomStatus::new(UserId::me())
        .text("Lunch")
        .duration(CustomStatusDuration::ThirtyMinutes)
        .expires_at(end)
        .send(&env.session(&env.alice))
        .unwrap();
    env.fake.advance(Duration::from_secs(3600));
    let cs = env.fake.custom_status(env.alice.id).unwrap();
    assert!(cs.expires_at.unwrap() < env.fake.now());
}

// ---------------------------------------------------------------- recent removal

#[test]
fn removing_a_recent_custom_status_by_either_route() {
    let env = env();
    let session = env.session(&env.alice);
    let end = env.fake.now() + Duration::from_millis(3_600_123);
    let alpha = CustomStatus::new("alpha").emoji("a").expires_at(end);
    let beta = CustomStatus::new("beta").emoji("b");
    for cs in [&alpha, &beta] {
        UpdateCustomStatus::new(UserId::me())
            .custom_status(cs.clone())
            .send(&session)
            .unwrap();
    }
    // The value given to UpdateCustomStatus removes its own entry (the SDK applies
    // PreSave's date_and_time and writes expires_at as Go does).
    RemoveRecentCustomStatus::new(UserId::me(), alpha.clone())
        .method(RemoveRecentMethod::Delete)
        .send(&session)
        .unwrap();
    let left: Vec<String> = env
        .fake
        .recent_custom_statuses(env.alice.id)
        .into_iter()
        .map(|c| c.text)
        .collect();
    assert_eq!(left, ["beta"]);
    // Again: it is gone, and that is an error.
    assert_api_error(
        RemoveRecentCustomStatus::new(UserId::me(), alpha).send(&session),
        400,
        "api.custom_status.recent_custom_statuses.delete.app_error",
    );
    RemoveRecentCustomStatus::new(UserId::me(), beta.clone())
        .method(RemoveRecentMethod::Post)
        .send(&session)
        .unwrap();
    assert!(env.fake.recent_custom_statuses(env.alice.id).is_empty());
    // An emptied list still exists: not found, not "no preference".
    assert_api_error(
        RemoveRecentCustomStatus::new(UserId::me(), beta).send(&session),
        400,
        "api.custom_status.recent_custom_statuses.delete.app_error",
    );
}

#[test]
fn recent_removal_compares_bytes() {
    let env = env();
    let session = env.session(&env.alice);
    let end = env.fake.now() + Duration::from_millis(3_600_500);
    UpdateCustomStatus::new(UserId::me())
        .text("meeting")
        .duration(CustomStatusDuration::OneHour)
        .expires_at(end)
        .send(&session)
        .unwrap();
    for other in [
        CustomStatus::new("meeting")
            .duration(CustomStatusDuration::OneHour)
            .expires_at(end + Duration::from_millis(1)),
        CustomStatus::new("meeting")
            .duration(CustomStatusDuration::Today)
            .expires_at(end),
        CustomStatus::new("meeting").duration(CustomStatusDuration::OneHour),
        CustomStatus::new("Meeting")
            .duration(CustomStatusDuration::OneHour)
            .expires_at(end),
    ] {
        assert_api_error(
            RemoveRecentCustomStatus::new(UserId::me(), other).send(&session),
            400,
            "api.custom_status.recent_custom_statuses.delete.app_error",
        );
    }
    assert_eq!(env.fake.recent_custom_statuses(env.alice.id).len(), 1);
}

#[test]
fn recent_removal_errors() {
    let env = env();
    // Never set one: there is no preference row.
    assert_api_error(
        RemoveRecentCustomStatus::new(UserId::me(), CustomStatus::new("x"))
            .send(&env.session(&env.alice)),
        400,
        "app.preference.get.app_error",
    );
    UpdateCustomStatus::new(UserId::me())
        .text("x")
        .send(&env.session(&env.alice))
        .unwrap();
    for path in [
        "/users/me/status/custom/recent/delete",
        "/users/me/status/custom/recent",
    ] {
        let method = if path.ends_with("delete") {
            Method::Post
        } else {
            Method::Delete
        };
        let r = env.raw_as(&env.alice, method, path, Some("garbage"));
        assert_app_error(
            &r,
            400,
            "api.context.invalid_body_param.app_error",
            Some("recent_custom_status"),
        );
        // An empty custom status is never found.
        let r = env.raw_as(&env.alice, method, path, Some("{}"));
        assert_app_error(
            &r,
            400,
            "api.custom_status.recent_custom_statuses.delete.app_error",
            None,
        );
    }
}

// ---------------------------------------------------------------- the HTTP server

/// Reads one HTTP/1.1 response with a Content-Length body.
fn read_response(reader: &mut BufReader<TcpStream>) -> (String, Vec<u8>) {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status_line, body)
}

#[test]
fn one_connection_serves_many_requests() {
    let env = env();
    let stream = TcpStream::connect(env.server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let body = format!(r#"{{"user_id":"{}","status":"away"}}"#, env.alice.id);
    write!(
        writer,
        "PUT /api/v4/users/me/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        env.alice.token,
        body.len()
    )
    .unwrap();
    let (status, first) = read_response(&mut reader);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(String::from_utf8_lossy(&first).contains("\"away\""));
    write!(
        writer,
        "GET /api/v4/users/me/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        env.alice.token
    )
    .unwrap();
    let (status, second) = read_response(&mut reader);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert_eq!(first, second);
    assert_eq!(env.fake.request_count(), 2);
}

/// Sends raw bytes on a new connection and reads one response.
fn exchange(env: &Env, request: &[u8]) -> (BufReader<TcpStream>, TcpStream, String, Vec<u8>) {
    let stream = TcpStream::connect(env.server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    writer.write_all(request).unwrap();
    let mut reader = BufReader::new(stream);
    let (status, body) = read_response(&mut reader);
    (reader, writer, status, body)
}

#[test]
fn chunked_bodies_and_expect_continue_are_understood() {
    let env = env();
    let body = format!(r#"{{"user_id":"{}","status":"away"}}"#, env.alice.id);
    let (head, tail) = body.split_at(10);
    let chunked = format!(
        "PUT /api/v4/users/me/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{head}\r\n{:x};ext=1\r\n{tail}\r\n0\r\n\r\n",
        env.alice.token,
        head.len(),
        tail.len()
    );
    let (_, _, status, answer) = exchange(&env, chunked.as_bytes());
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(String::from_utf8_lossy(&answer).contains("\"away\""));

    // curl sends Expect: 100-continue for larger bodies and waits for the interim answer.
    let stream = TcpStream::connect(env.server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let body = format!(r#"{{"user_id":"{}","status":"online"}}"#, env.alice.id);
    write!(
        writer,
        "PUT /api/v4/users/me/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        env.alice.token,
        body.len()
    )
    .unwrap();
    let mut interim = String::new();
    reader.read_line(&mut interim).unwrap();
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");
    let mut blank = String::new();
    reader.read_line(&mut blank).unwrap();
    writer.write_all(body.as_bytes()).unwrap();
    let (status, answer) = read_response(&mut reader);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(String::from_utf8_lossy(&answer).contains("\"online\""));
}

#[test]
fn connection_close_and_malformed_requests_end_the_connection() {
    let env = env();
    let request = format!(
        "GET /api/v4/users/me/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Authorization: Bearer {}\r\n\r\n",
        env.alice.token
    );
    let (mut reader, _writer, status, _) = exchange(&env, request.as_bytes());
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "the server closed the connection");

    let (mut reader, _writer, status, _) = exchange(&env, b"NOT HTTP AT ALL\r\n\r\n");
    assert!(status.starts_with("HTTP/1.1 400"), "{status}");
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert_eq!(
        env.fake.request_count(),
        1,
        "the malformed one reached no handler"
    );
}

#[test]
fn stopping_closes_kept_alive_connections_too() {
    let env = env();
    let session = env.session(&env.alice);
    GetStatus::new(UserId::me()).send(&session).unwrap();
    let Env { server, .. } = env;
    server.stop();
    // The session's pooled connection was closed by the server: the next call fails at
    // once with a connection error, not after the session's 30 s timeout.
    let err = GetStatus::new(UserId::me()).send(&session).unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_ne!(t.kind(), TransportErrorKind::Timeout, "{err}");
}

#[test]
fn the_sdk_reuses_its_connection_across_many_calls() {
    let env = env();
    let session = env.session(&env.alice);
    for i in 0..50 {
        let kind = if i % 2 == 0 {
            StatusKind::Away
        } else {
            StatusKind::Online
        };
        UpdateStatus::new(env.alice.id)
            .status(kind.clone())
            .send(&session)
            .unwrap();
        assert_eq!(env.fake.status(env.alice.id).unwrap().status, kind);
    }
    assert_eq!(env.fake.request_count(), 50);
}

#[test]
fn stop_closes_the_socket_and_the_state_can_be_served_again() {
    let env = env();
    let url = env.server.url().to_owned();
    let Env {
        fake,
        server,
        alice,
        ..
    } = env;
    UpdateStatus::new(alice.id)
        .status(StatusKind::Away)
        .send(
            &Session::builder(&url)
                .token(alice.token.clone())
                .build()
                .unwrap(),
        )
        .unwrap();
    server.stop();
    let err = GetStatus::new(UserId::me())
        .send(
            &Session::builder(&url)
                .token(alice.token.clone())
                .connect_timeout(Duration::from_secs(2))
                .build()
                .unwrap(),
        )
        .unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TransportErrorKind::Connect, "{err}");
    // Dropping a second server also stops it (and joins its thread).
    let again = fake.serve().unwrap();
    let s = GetStatus::new(UserId::me())
        .send(
            &Session::builder(again.url())
                .token(alice.token.clone())
                .build()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(s.status, StatusKind::Away, "same state, new socket");
    drop(again);
}

#[test]
fn the_in_process_transport_answers_the_same() {
    let fake = FakeServer::new();
    let alice = fake.user("alice").unwrap();
    let session = fake.session(&alice).unwrap();
    let s = UpdateStatus::new(UserId::me())
        .status(StatusKind::Away)
        .send(&session)
        .unwrap();
    assert_eq!(s.status, StatusKind::Away);
    let server = fake.serve().unwrap();
    let over_http = GetStatus::new(UserId::me())
        .send(
            &Session::builder(server.url())
                .token(alice.token.clone())
                .build()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(over_http, s);
    assert_api_error(
        UpdateStatus::new(fake.user("bob").unwrap().id)
            .status(StatusKind::Away)
            .send(&session),
        403,
        "api.context.permissions.app_error",
    );
    // The transport honours the session's body limit.
    let tiny = Session::builder("http://x.invalid")
        .token(alice.token.clone())
        .transport(fake.clone())
        .max_response_bytes(10)
        .build()
        .unwrap();
    let err = GetStatus::new(UserId::me()).send(&tiny).unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::BodyTooLarge),
        "{err:?}"
    );
}
