//! The rate limiter as `RateLimitSettings` configures it (server/channels/app/ratelimit.go:
//! `GenerateKey`, `RateLimitWriter`, `setRateLimitHeaders`, throttled's GCRA; the
//! per-user check in web/handlers.go), off by default.

use super::*;

fn limits(per_sec: u32, max_burst: u32) -> RateLimitSettings {
    let mut s = RateLimitSettings::default();
    s.enable = true;
    s.per_sec = per_sec;
    s.max_burst = max_burst;
    s
}

#[test]
fn off_by_default_no_headers() {
    let env = env();
    for _ in 0..150 {
        let r = env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
        assert_eq!(r.status(), 200);
        assert!(r.header("X-RateLimit-Limit").is_none());
    }
}

#[test]
fn a_burst_then_429_limit_exceeded_with_the_headers() {
    let env = env();
    env.fake.set_rate_limit(limits(1, 2)).unwrap();
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
        assert_eq!(r.status(), 200);
        assert_eq!(r.header("X-RateLimit-Limit"), Some("3"), "MaxBurst + 1");
        remaining.push(r.header("X-RateLimit-Remaining").unwrap().to_owned());
        assert!(r.header("Retry-After").is_none());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let r = env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
    assert_eq!(r.status(), 429);
    assert_eq!(
        r.body(),
        b"limit exceeded\n",
        "http.Error: plain text, not JSON"
    );
    assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.header("Retry-After"), Some("1"));
    assert_eq!(r.header("X-RateLimit-Reset"), Some("3"));
    // The SDK reports it as a rate limit (no retries here: they would wait real seconds).
    let session = Session::builder(env.server.url())
        .token(env.alice.token.clone())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = GetStatus::new(UserId::me()).send(&session).unwrap_err();
    assert_eq!(err.status(), Some(429), "{err}");
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    // A second later (the fake's clock), one more request passes.
    env.fake.advance(Duration::from_secs(1));
    assert_eq!(
        env.raw_as(&env.alice, Method::Get, "/users/me/status", None)
            .status(),
        200
    );
}

#[test]
fn by_remote_address_every_user_shares_the_budget_by_user_each_has_their_own() {
    let env = env();
    env.fake.set_rate_limit(limits(1, 1)).unwrap();
    assert_eq!(
        env.raw_as(&env.alice, Method::Get, "/users/me/status", None)
            .status(),
        200
    );
    assert_eq!(
        env.raw_as(&env.bob, Method::Get, "/users/me/status", None)
            .status(),
        200
    );
    assert_eq!(
        env.raw_as(&env.bob, Method::Get, "/users/me/status", None)
            .status(),
        429
    );
    let mut by_user = limits(1, 1);
    by_user.vary_by_remote_addr = false;
    by_user.vary_by_user = true;
    env.fake.set_rate_limit(by_user).unwrap();
    for user in [&env.alice, &env.bob] {
        for _ in 0..2 {
            let r = env.raw_as(user, Method::Get, "/users/me/status", None);
            assert_eq!(r.status(), 200);
            // Two checks (by token, then by user id): each adds its headers.
            assert_eq!(
                r.headers()
                    .filter(|(n, _)| n.eq_ignore_ascii_case("X-RateLimit-Limit"))
                    .count(),
                2
            );
        }
        let r = env.raw_as(user, Method::Get, "/users/me/status", None);
        assert_eq!(r.status(), 429);
    }
}

#[test]
fn settings_the_server_refuses_are_refused() {
    let fake = FakeServer::new();
    let err = fake.set_rate_limit(limits(0, 1)).unwrap_err();
    assert_eq!(err.id(), "model.config.is_valid.rate_sec.app_error");
    let err = fake.set_rate_limit(limits(1, 0)).unwrap_err();
    assert_eq!(err.id(), "model.config.is_valid.max_burst.app_error");
}

#[test]
fn configured_through_patch_config() {
    let env = env();
    let patch = r#"{"RateLimitSettings":{"Enable":true,"PerSec":1,"MaxBurst":1}}"#;
    assert_eq!(
        env.raw_as(&env.admin, Method::Put, "/config/patch", Some(patch))
            .status(),
        200
    );
    // MaxBurst 1: two at once (the limit is MaxBurst + 1), then 429.
    for _ in 0..2 {
        assert_eq!(
            env.raw_as(&env.alice, Method::Get, "/users/me/status", None)
                .status(),
            200
        );
    }
    assert_eq!(
        env.raw_as(&env.alice, Method::Get, "/users/me/status", None)
            .status(),
        429
    );
}

/// `GenerateKey`: the lowercased value of `VaryByHeader` is part of the key.
#[test]
fn vary_by_header_gives_each_value_its_budget() {
    let env = env();
    let mut s = limits(1, 1);
    s.vary_by_remote_addr = false;
    s.vary_by_header = "X-Client".to_owned();
    env.fake.set_rate_limit(s).unwrap();
    let url = format!("{}/api/v4/users/me/status", env.server.url());
    let auth = format!("Bearer {}", env.alice.token);
    let send = |client: &str| {
        let headers = [("Authorization", auth.as_str()), ("X-Client", client)];
        let request = HttpRequest::new(Method::Get, &url)
            .with_headers(&headers)
            .with_timeout(Duration::from_secs(10));
        env.http.send(&request).unwrap().status()
    };
    assert_eq!((send("one"), send("ONE"), send("one")), (200, 200, 429));
    assert_eq!((send("two"), send("two"), send("two")), (200, 200, 429));
}
