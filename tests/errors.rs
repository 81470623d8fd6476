//! The server's answers that are not successes, and answers that cannot be read, become
//! typed errors a caller can match.

#![cfg(feature = "ureq")]

mod common;

use std::time::Duration;

use common::*;
use httpmock::prelude::*;
use mattermost_status::{
    Error, GetStatus, Session, StatusKind, TransportErrorKind, UnsetCustomStatus, UpdateStatus,
    UserId,
};

fn get_me(server: &MockServer) -> Error {
    GetStatus::new(UserId::me())
        .send(&session(server))
        .expect_err("the call must fail")
}

#[test]
fn unauthorized_carries_the_app_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET);
        then.status(401).header("X-Request-Id", "hdr-id").body(
            r#"{"id":"api.context.session_expired.app_error","message":"Invalid or expired session, please login again.","detailed_error":"token=... ","request_id":"body-id","status_code":401}"#,
        );
    });
    let err = get_me(&server);
    assert!(err.is_unauthorized());
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.api_id(), Some("api.context.session_expired.app_error"));
    assert_eq!(err.request_id(), Some("body-id"));
    let Error::Api(api) = &err else {
        panic!("expected Api, got {err:?}")
    };
    assert_eq!(
        api.message(),
        "Invalid or expired session, please login again."
    );
    assert_eq!(api.detailed_error(), Some("token=... "));
    assert_eq!(
        err.to_string(),
        "the server answered 401 (api.context.session_expired.app_error): Invalid or expired \
         session, please login again. [token=... ] (request id body-id)"
    );
}

#[test]
fn forbidden_not_found_bad_request_and_not_implemented() {
    for (status, id, check) in [
        (
            403,
            "api.context.permissions.app_error",
            Error::is_forbidden as fn(&Error) -> bool,
        ),
        (
            404,
            "api.status.user_not_found.app_error",
            Error::is_not_found,
        ),
        (
            400,
            "api.context.invalid_url_param.app_error",
            |e: &Error| e.status() == Some(400),
        ),
        (501, "api.custom_status.disabled", |e: &Error| {
            e.status() == Some(501)
        }),
    ] {
        let server = MockServer::start();
        server.mock(|when, then| {
            when.any_request();
            // No request_id in the body (it can be missing): taken from the header.
            then.status(status)
                .header("X-Request-Id", "rq-42")
                .body(format!(
                    r#"{{"id":"{id}","message":"m","detailed_error":"","status_code":{status}}}"#
                ));
        });
        let err = UnsetCustomStatus::new(UserId::me())
            .send(&session(&server))
            .unwrap_err();
        assert!(check(&err), "{status}: {err:?}");
        assert_eq!(err.api_id(), Some(id));
        assert_eq!(err.request_id(), Some("rq-42"));
        let Error::Api(api) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(api.detailed_error(), None, "empty detailed_error is None");
    }
}

#[test]
fn rate_limited_reads_the_wait_from_the_headers() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(PUT);
        then.status(429)
            .header("Retry-After", "7")
            .header("X-RateLimit-Limit", "10")
            .header("X-RateLimit-Remaining", "0")
            .header("X-RateLimit-Reset", "7")
            .header("Content-Type", "text/plain; charset=utf-8")
            .body("limit exceeded\n");
    });
    let err = UpdateStatus::new(id(ALICE))
        .status(StatusKind::Away)
        .send(&session_without_retries(&server))
        .unwrap_err();
    assert_eq!(mock.calls(), 1);
    assert!(err.is_rate_limited());
    let Error::RateLimited(limit) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(limit.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(limit.limit(), Some(10));
    assert_eq!(limit.remaining(), Some(0));
    assert_eq!(
        err.to_string(),
        "rate limited by the server (429); retry after 7 s"
    );
}

#[test]
fn a_proxy_html_page_still_gives_a_useful_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(502)
            .header("Content-Type", "text/html")
            .body("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");
    });
    let err = GetStatus::new(UserId::me())
        .send(&session_without_retries(&server))
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.api_id(), None);
    let text = err.to_string();
    // What to check first, then the page itself.
    assert!(
        text.starts_with(
            "the server answered 502: a proxy in front of the server could not get an answer \
             from Mattermost: the server may be down or restarting \
             (body starts: <html> <head><title>502 Bad Gateway</title>"
        ),
        "{text}"
    );
}

#[test]
fn a_success_with_a_body_that_is_not_a_status_is_a_decode_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(200).body("<html>login page</html>");
    });
    let err = get_me(&server);
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.status(), 200);
    assert_eq!(decode.excerpt(), "<html>login page</html>");
    assert_eq!(decode.line_column(), Some((1, 1)));
    assert!(err
        .to_string()
        .starts_with("could not read the server's 200 answer as a Status object"));
}

#[test]
fn truncated_json_is_a_decode_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .body(format!(r#"{{"user_id":"{ALICE}","status":"onl"#));
    });
    assert!(matches!(get_me(&server), Error::Decode(_)));
}

#[test]
fn custom_status_answer_must_be_status_ok() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(200).body(r#"{"status":"FAIL"}"#);
    });
    let err = UnsetCustomStatus::new(UserId::me())
        .send(&session(&server))
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

#[test]
fn redirects_are_reported_not_followed() {
    let target = MockServer::start();
    let elsewhere = target.mock(|when, then| {
        when.any_request();
        then.status(200)
            .body(status_json(ALICE, "online", false, 0, 0));
    });
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(301)
            .header("Location", target.url("/api/v4/users/me/status"));
    });
    let err = get_me(&server);
    match &err {
        Error::Redirect {
            status, location, ..
        } => {
            assert_eq!(*status, 301);
            assert_eq!(
                location.as_deref(),
                Some(target.url("/api/v4/users/me/status").as_str())
            );
        }
        other => panic!("expected Redirect, got {other:?}"),
    }
    assert!(err
        .to_string()
        .contains("use the final address as the base URL"));
    assert_eq!(elsewhere.calls(), 0, "the redirect must not be followed");
}

#[test]
fn a_body_over_the_limit_is_refused() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(200).body(" ".repeat(64 * 1024));
    });
    let session = Session::builder(server.base_url())
        .token(TOKEN)
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let err = GetStatus::new(UserId::me()).send(&session).unwrap_err();
    match &err {
        Error::Transport(t) => assert_eq!(t.kind(), TransportErrorKind::BodyTooLarge, "{err}"),
        other => panic!("expected Transport, got {other:?}"),
    }
}

#[test]
fn a_refused_connection_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let session = Session::builder(format!("http://127.0.0.1:{port}"))
        .token(TOKEN)
        .build()
        .unwrap();
    let err = GetStatus::new(UserId::me()).send(&session).unwrap_err();
    match &err {
        Error::Transport(t) => assert_eq!(t.kind(), TransportErrorKind::Connect, "{err}"),
        other => panic!("expected Transport, got {other:?}"),
    }
    assert!(!err.to_string().contains(TOKEN));
}
