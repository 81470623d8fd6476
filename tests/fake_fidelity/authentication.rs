//! Every route needs a session; how a token may be sent.

use super::*;

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

/// web/handlers.go `ServeHTTP`: a session token from the query string
/// (`TokenLocationQueryString`) of a session that is not OAuth's is 401
/// `api.context.token_provided.app_error`; an unknown one is the usual 401.
#[test]
fn token_scheme_is_accepted_and_a_session_token_in_the_query_refused() {
    let env = env();
    let token = format!("Token {}", env.alice.token);
    let r = env.raw(Method::Get, "/users/me/status", Some(&token), None);
    assert_eq!(r.status(), 200);
    assert_eq!(json(&r)["user_id"], env.alice.id.as_str());
    let path = format!("/users/me/status?access_token={}", env.bob.token);
    let r = env.raw(Method::Get, &path, None, None);
    assert_app_error(&r, 401, "api.context.token_provided.app_error", None);
    let r = env.raw(
        Method::Get,
        "/users/me/status?access_token=nope",
        None,
        None,
    );
    assert_app_error(&r, 401, "api.context.session_expired.app_error", None);
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
