//! Faults on demand: the next matching request(s) fail as the server would
//! (`AppError` JSON; the busy 503 of web/context.go `SetServerBusyError`) or as a proxy in
//! front of it would (an HTML error page, a dropped connection, a slow answer).

use super::*;

#[test]
fn an_app_error_for_the_matching_request_only_and_only_so_many_times() {
    let env = env();
    env.fake.inject(
        Fault::app_error(500, "app.user.get.app_error")
            .on("GET", "/api/v4/users/me/status")
            .times(2),
    );
    assert_eq!(
        env.raw_as(&env.alice, Method::Get, "/users/me", None)
            .status(),
        200
    );
    for _ in 0..2 {
        let r = env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
        assert_app_error(&r, 500, "app.user.get.app_error", None);
        assert!(r.header("X-Request-Id").is_some());
    }
    assert_eq!(
        env.raw_as(&env.alice, Method::Get, "/users/me/status", None)
            .status(),
        200
    );
}

#[test]
fn server_busy_and_a_maintenance_page() {
    let env = env();
    env.fake.inject(Fault::server_busy());
    let r = env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
    assert_app_error(&r, 503, "api.context.server_busy.app_error", None);
    env.fake.inject(Fault::maintenance(30));
    let r = env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
    assert_eq!(r.status(), 503);
    assert_eq!(r.header("Retry-After"), Some("30"));
    assert!(String::from_utf8_lossy(r.body()).contains("<center>nginx</center>"));
}

#[test]
fn a_dropped_connection_is_a_transport_error_over_http_and_in_process() {
    let env = env();
    env.fake
        .inject(Fault::drop_connection().on("GET", "/api/v4/users/me/status"));
    let err = GetStatus::new(UserId::me()).send(&env.session(&env.alice));
    // The session may retry an idempotent GET; the fault is used once, so it succeeds or
    // fails with a transport error, never a panic or a hang.
    if let Err(err) = err {
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
    }
    let fake = FakeServer::new();
    let alice = fake.user("alice").unwrap();
    fake.inject(Fault::drop_connection().times(10));
    let err = GetStatus::new(UserId::me())
        .send(&fake.session(&alice).unwrap())
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

#[test]
fn a_delay_past_the_deadline_is_a_timeout_in_process() {
    let fake = FakeServer::new();
    let alice = fake.user("alice").unwrap();
    let session = Session::builder("http://fake-mattermost.invalid")
        .token(alice.token.clone())
        .transport(fake.clone())
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    fake.inject(Fault::delay(Duration::from_secs(5)).times(10));
    let started = std::time::Instant::now();
    let err = GetStatus::new(UserId::me()).send(&session).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::Timeout),
        "{err:?}"
    );
}

#[test]
fn faults_are_armed_over_http_by_an_admin() {
    let env = env();
    let body = r#"{"kind":"app_error","status":500,"id":"app.status.get.app_error","method":"GET","path":"/api/v4/users/me/status"}"#;
    let url = format!("{}/_fake/faults", env.server.url());
    let send = |user: &FakeUser, body: &str| {
        let auth = format!("Bearer {}", user.token);
        let headers = [("Authorization", auth.as_str())];
        let request = HttpRequest::new(Method::Post, &url)
            .with_headers(&headers)
            .with_body(body.as_bytes())
            .with_timeout(Duration::from_secs(10));
        env.http.send(&request).unwrap()
    };
    assert_eq!(send(&env.alice, body).status(), 403);
    assert_eq!(send(&env.admin, body).status(), 200);
    let r = env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
    assert_app_error(&r, 500, "app.status.get.app_error", None);
    assert_eq!(send(&env.admin, r#"{"kind":"nonsense"}"#).status(), 400);
}

#[test]
fn a_delay_over_http_answers_late_then_as_usual() {
    let env = env();
    env.fake
        .inject(Fault::delay(Duration::from_millis(300)).on("GET", "/api/v4/users/me/status"));
    let started = std::time::Instant::now();
    let r = env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
    assert_eq!(r.status(), 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let started = std::time::Instant::now();
    env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
    assert!(started.elapsed() < Duration::from_millis(300), "once only");
}

#[test]
fn a_path_ending_in_a_star_matches_the_rest_and_clear_disarms() {
    let env = env();
    env.fake
        .inject(Fault::proxy(502).on("GET", "/api/v4/users/*").times(5));
    let r = env.raw_as(&env.alice, Method::Get, "/users/me", None);
    assert_eq!(r.status(), 502);
    assert_eq!(r.header("Content-Type"), Some("text/html"));
    let r = env.raw_as(
        &env.alice,
        Method::Post,
        "/users/usernames",
        Some(r#"["bob"]"#),
    );
    assert_eq!(r.status(), 200, "another method");
    env.fake.clear_faults();
    assert_eq!(
        env.raw_as(&env.alice, Method::Get, "/users/me", None)
            .status(),
        200
    );
}
