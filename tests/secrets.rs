//! The token: read from the environment or a file without the caller holding the
//! string, sent only as `Authorization: Bearer`, shown nowhere.

// The built-in transport talks to the fault server of `mattermost-status-conformance`.
#![cfg(feature = "ureq")]

#[path = "support/fault.rs"]
mod fault;
mod support;

use std::path::PathBuf;

use fault::serve_always;
use fault::server::{json, FaultServer};
use mattermost_status::{Error, GetStatus, RetryPolicy, Session, SessionBuilder, UserId};
use support::{assert_no_token, ALICE, STATUS_BODY, TOKEN};

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "mattermost-status-test-{}-{name}",
        std::process::id()
    ));
    std::fs::write(&path, contents).expect("write temp file");
    path
}

#[test]
fn token_from_env_is_read_trimmed_and_sent_as_bearer() {
    let server = serve_always(json(200, STATUS_BODY));
    let var = "MATTERMOST_STATUS_TEST_TOKEN_ENV";
    std::env::set_var(var, format!("  {TOKEN}\n"));
    let builder = Session::builder(server.url()).token_from_env(var);
    let shown = format!("{builder:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    let seen = authorization_seen_at(&server, builder);
    assert_eq!(seen.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    std::env::remove_var(var);
}

#[test]
fn token_from_file_is_read_trimmed_and_sent_as_bearer() {
    let server = serve_always(json(200, STATUS_BODY));
    let path = temp_file("token", format!("{TOKEN}\n").as_bytes());
    let builder = Session::builder(server.url()).token_from_file(&path);
    let seen = authorization_seen_at(&server, builder);
    assert_eq!(seen.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    let _ = std::fs::remove_file(path);
}

fn authorization_seen_at(server: &FaultServer, builder: SessionBuilder) -> Option<String> {
    let session = builder.retry(RetryPolicy::none()).build().expect("session");
    let shown = format!("{session:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    GetStatus::new(ALICE.parse::<UserId>().unwrap())
        .send(&session)
        .expect("call");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    requests[0].header("Authorization")
}

#[test]
fn a_missing_token_source_is_an_invalid_input_naming_it() {
    let err = Session::builder("https://chat.example.com")
        .token_from_env("MATTERMOST_STATUS_TEST_TOKEN_UNSET")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field: "token", reason, .. } if reason.contains("MATTERMOST_STATUS_TEST_TOKEN_UNSET")),
        "{err:?}"
    );
    let err = Session::builder("https://chat.example.com")
        .token_from_file("/nonexistent/mattermost-status/token")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field: "token", reason, .. } if reason.contains("/nonexistent/mattermost-status/token")),
        "{err:?}"
    );
}

#[test]
fn a_bad_token_in_a_file_or_variable_is_refused_without_being_repeated() {
    // A token with a space inside cannot be a header value: refused, never echoed.
    let bad = format!("{TOKEN} {TOKEN}");
    let path = temp_file("bad-token", bad.as_bytes());
    let err = Session::builder("https://chat.example.com")
        .token_from_file(&path)
        .build()
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { field: "token", .. }),
        "{err:?}"
    );
    assert_no_token(&err);
    let _ = std::fs::remove_file(path);

    let var = "MATTERMOST_STATUS_TEST_TOKEN_BAD";
    std::env::set_var(var, format!("{TOKEN}\u{7f}"));
    let err = Session::builder("https://chat.example.com")
        .token_from_env(var)
        .build()
        .unwrap_err();
    std::env::remove_var(var);
    assert!(
        matches!(err, Error::InvalidInput { field: "token", .. }),
        "{err:?}"
    );
    assert_no_token(&err);
}

#[test]
fn the_token_is_not_sent_anywhere_but_the_authorization_header() {
    let server = serve_always(json(200, STATUS_BODY));
    let seen = authorization_seen_at(&server, Session::builder(server.url()).token(TOKEN));
    assert_eq!(seen.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    let request = &server.requests()[0];
    let elsewhere = request
        .head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("authorization:"))
        .any(|l| l.contains(TOKEN));
    assert!(!elsewhere, "{}", request.head);
    assert!(!String::from_utf8_lossy(&request.body).contains(TOKEN));
}

/// A proxy URL's password shows nowhere: builder, session, the error of a failed call.
#[test]
fn a_proxy_password_never_shows() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let secret = "pr0xy-passw0rd-xyz";
    let builder = mattermost_status::Session::builder("https://127.0.0.1:9")
        .token("tok")
        .retry(mattermost_status::RetryPolicy::none())
        .proxy(&format!("http://mm:{secret}@127.0.0.1:{port}"));
    assert!(!format!("{builder:?}").contains(secret));
    let session = builder.build().unwrap();
    assert!(!format!("{session:?}").contains(secret), "{session:?}");
    let err = mattermost_status::GetStatus::new(mattermost_status::UserId::me())
        .send(&session)
        .unwrap_err();
    let mut shown = format!("{err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        shown.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(shown.contains(&format!("127.0.0.1:{port}")), "{shown}");
    assert!(!shown.contains(secret), "{shown}");
    let bad = mattermost_status::Session::builder("https://a.example")
        .token("tok")
        .proxy(&format!("ftp://mm:{secret}@proxy"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        bad.starts_with("invalid proxy:") && !bad.contains(secret),
        "{bad}"
    );
}
