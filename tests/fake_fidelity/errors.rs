//! The AppError answers and their request ids.

use super::*;

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
