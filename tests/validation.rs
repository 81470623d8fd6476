//! Every client-side rule: a clear error naming the field, and nothing on the wire.

#![cfg(feature = "ureq")]

mod support;

use std::time::{Duration, SystemTime};

use httpmock::prelude::*;
use mattermost_status::{
    CustomStatus, CustomStatusDuration, Error, GetStatus, GetStatusesByIds, GetUsersByIds,
    RemoveRecentCustomStatus, RemoveRecentMethod, Result, Session, StatusKind, UpdateCustomStatus,
    UpdateStatus, UserId, MAX_IDS_PER_CALL,
};
use support::mock::*;
use support::*;

/// Runs `call` against a server that answers everything, and checks that it failed with
/// `InvalidInput` on `field` with a reason containing `says`, and that the server saw
/// nothing.
fn refused(field: &str, says: &str, call: impl FnOnce(&Session) -> Result<()>) {
    let server = MockServer::start();
    let any = catch_all(&server);
    let err = call(&session(&server)).expect_err("the call must be refused");
    match &err {
        Error::InvalidInput {
            field: f, reason, ..
        } => {
            assert_eq!(*f, field, "wrong field in {err}");
            assert!(reason.contains(says), "{reason:?} should say {says:?}");
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    assert!(
        err.to_string().starts_with(&format!("invalid {field}: ")),
        "{err}"
    );
    assert_eq!(any.calls(), 0, "nothing may be sent for an invalid request");
}

fn in_one_hour() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600)
}

fn an_hour_ago() -> SystemTime {
    SystemTime::now() - Duration::from_secs(3600)
}

#[test]
fn user_id_must_be_26_lowercase_alphanumerics() {
    refused("user_id", "26", |s| {
        GetStatus::new("4xp9fdt77pncbef59f4k1qe83".parse()?).send(s)?;
        Ok(())
    });
    refused("user_id", "a-z and 0-9", |s| {
        GetStatus::new("4xp9fdt77pncbef59f4k1qe8/.".parse()?).send(s)?;
        Ok(())
    });
    refused("user_id", "a-z and 0-9", |s| {
        UpdateStatus::new("4XP9FDT77PNCBEF59F4K1QE83O".parse()?)
            .status(StatusKind::Online)
            .send(s)?;
        Ok(())
    });
}

#[test]
fn update_status_needs_a_status() {
    refused("status", "required", |s| {
        UpdateStatus::new(id(ALICE)).send(s)?;
        Ok(())
    });
}

#[test]
fn update_status_refuses_what_the_server_cannot_set() {
    refused("status", "\"ooo\" cannot be set", |s| {
        UpdateStatus::new(id(ALICE))
            .status(StatusKind::OutOfOffice)
            .send(s)?;
        Ok(())
    });
    refused("status", "\"busy\" cannot be set", |s| {
        UpdateStatus::new(id(ALICE))
            .status(StatusKind::from("busy"))
            .send(s)?;
        Ok(())
    });
}

#[test]
fn until_only_goes_with_dnd() {
    for kind in [StatusKind::Online, StatusKind::Away, StatusKind::Offline] {
        refused("until", "only goes with StatusKind::Dnd", move |s| {
            UpdateStatus::new(id(ALICE))
                .status(kind)
                .until(in_one_hour())
                .send(s)?;
            Ok(())
        });
    }
}

#[test]
fn until_must_be_in_the_future() {
    refused("until", "not in the future", |s| {
        UpdateStatus::new(id(ALICE))
            .status(StatusKind::Dnd)
            .until(an_hour_ago())
            .send(s)?;
        Ok(())
    });
}

#[test]
fn me_is_resolved_only_after_validation() {
    // An invalid update for `me` must not even look up the real id.
    refused("until", "not in the future", |s| {
        UpdateStatus::new(UserId::me())
            .status(StatusKind::Dnd)
            .until(an_hour_ago())
            .send(s)?;
        Ok(())
    });
}

#[test]
fn statuses_by_ids_needs_ids() {
    refused("user_ids", "empty", |s| {
        GetStatusesByIds::new([]).send(s)?;
        Ok(())
    });
}

#[test]
fn statuses_by_ids_refuses_me() {
    refused("user_ids", "element 2 is `me`", |s| {
        GetStatusesByIds::new([id(ALICE), UserId::me()]).send(s)?;
        Ok(())
    });
}

#[test]
fn users_by_ids_needs_ids() {
    refused("user_ids", "empty", |s| {
        GetUsersByIds::new([]).send(s)?;
        Ok(())
    });
    refused("user_ids", "empty", |s| {
        GetUsersByIds::new([]).usernames(s)?;
        Ok(())
    });
}

#[test]
fn users_by_ids_refuses_me() {
    refused("user_ids", "element 2 is `me`", |s| {
        GetUsersByIds::new([id(ALICE), UserId::me()]).send(s)?;
        Ok(())
    });
    refused("user_ids", "element 1 is `me`", |s| {
        GetUsersByIds::new([UserId::me()]).usernames(s)?;
        Ok(())
    });
}

#[test]
fn users_by_ids_takes_at_most_one_bodys_worth_of_ids() {
    let too_many = vec![id(ALICE); MAX_IDS_PER_CALL + 1];
    refused("user_ids", "at most 10000", |s| {
        GetUsersByIds::new(too_many).send(s)?;
        Ok(())
    });
}

#[test]
fn custom_status_needs_an_emoji_or_a_text() {
    refused("text", "both empty", |s| {
        UpdateCustomStatus::new(UserId::me()).send(s)?;
        Ok(())
    });
}

#[test]
fn a_recent_custom_status_to_remove_needs_an_emoji_or_a_text() {
    for method in [RemoveRecentMethod::Post, RemoveRecentMethod::Delete] {
        refused("text", "both empty", move |s| {
            RemoveRecentCustomStatus::new(UserId::me(), CustomStatus::default())
                .method(method)
                .send(s)?;
            Ok(())
        });
    }
}

#[test]
fn custom_status_text_is_at_most_100_characters() {
    refused("text", "101 characters", |s| {
        UpdateCustomStatus::new(UserId::me())
            .text("é".repeat(101))
            .send(s)?;
        Ok(())
    });
}

#[test]
fn custom_status_text_of_exactly_100_characters_is_sent() {
    // Characters, not bytes: 100 two-byte characters are 200 bytes and still fine.
    let server = MockServer::start();
    let text = "é".repeat(100);
    let mock = server.mock(|when, then| {
        when.method(PUT)
            .path("/api/v4/users/me/status/custom")
            .json_body(serde_json::json!({
                "emoji": "", "text": text, "duration": "", "expires_at": "0001-01-01T00:00:00Z"
            }));
        then.status(200).body(r#"{"status":"OK"}"#);
    });
    UpdateCustomStatus::new(UserId::me())
        .text(text.clone())
        .send(&session(&server))
        .unwrap();
    mock.assert();
}

#[test]
fn a_duration_needs_an_expiry() {
    for duration in CustomStatusDuration::ALL {
        refused("expires_at", "required with the duration", move |s| {
            UpdateCustomStatus::new(UserId::me())
                .text("Busy")
                .duration(duration)
                .send(s)?;
            Ok(())
        });
    }
}

#[test]
fn expiry_must_not_be_in_the_past() {
    refused("expires_at", "in the past", |s| {
        UpdateCustomStatus::new(UserId::me())
            .text("Busy")
            .expires_at(an_hour_ago())
            .send(s)?;
        Ok(())
    });
    refused("expires_at", "in the past", |s| {
        UpdateCustomStatus::new(UserId::me())
            .custom_status(
                CustomStatus::new("Busy")
                    .duration(CustomStatusDuration::Today)
                    .expires_at(an_hour_ago()),
            )
            .send(s)?;
        Ok(())
    });
}

#[test]
fn an_expiry_without_duration_is_fine() {
    // The server accepts it and stores the duration date_and_time.
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(PUT).path("/api/v4/users/me/status/custom");
        then.status(200).body(r#"{"status":"OK"}"#);
    });
    UpdateCustomStatus::new(UserId::me())
        .emoji("coffee")
        .expires_at(in_one_hour())
        .send(&session(&server))
        .unwrap();
    mock.assert();
}

#[test]
fn session_settings_are_checked_at_build_time() {
    let cases: [(&str, Session_); 5] = [
        (
            "base_url",
            Box::new(|| Session::builder("chat.example.com").token(TOKEN).build()),
        ),
        (
            "base_url",
            Box::new(|| {
                Session::builder("https://u:p@chat.example.com")
                    .token(TOKEN)
                    .build()
            }),
        ),
        (
            "base_url",
            Box::new(|| {
                Session::builder("https://chat.example.com?x=1")
                    .token(TOKEN)
                    .build()
            }),
        ),
        (
            "token",
            Box::new(|| Session::builder("https://chat.example.com").build()),
        ),
        (
            "timeout",
            Box::new(|| {
                Session::builder("https://chat.example.com")
                    .token(TOKEN)
                    .timeout(Duration::ZERO)
                    .build()
            }),
        ),
    ];
    for (field, build) in cases {
        match build() {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected InvalidInput on {field}, got {other:?}"),
        }
    }
}

type Session_ = Box<dyn Fn() -> Result<Session>>;

#[test]
fn token_from_env_and_file() {
    let dir = std::env::temp_dir().join(format!("mm-status-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("token");
    std::fs::write(&path, format!("{TOKEN}\n")).unwrap();

    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/api/v4/users/me/status")
            .header("authorization", format!("Bearer {TOKEN}"));
        then.status(200)
            .body(status_json(ALICE, "online", false, 0, 0));
    });
    let session = Session::builder(server.base_url())
        .token_from_file(&path)
        .build()
        .unwrap();
    GetStatus::new(UserId::me()).send(&session).unwrap();
    mock.assert();

    let missing = Session::builder(server.base_url())
        .token_from_file(dir.join("nope"))
        .build()
        .unwrap_err();
    assert!(
        matches!(missing, Error::InvalidInput { field: "token", .. }),
        "{missing}"
    );
    let unset = Session::builder(server.base_url())
        .token_from_env("MM_STATUS_TEST_SURELY_UNSET_VARIABLE")
        .build()
        .unwrap_err();
    assert!(unset
        .to_string()
        .contains("MM_STATUS_TEST_SURELY_UNSET_VARIABLE is not set"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One rule for the settings of the built-in transport: beside a transport of one's own
/// they would do nothing, so `build` refuses each, naming it; nothing is sent.
#[test]
fn built_in_transport_settings_are_refused_beside_your_own_transport() {
    // A real (self-signed, throwaway) root the builder takes: only the rule may refuse it.
    const SOME_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBozCCAUmgAwIBAgIUH2B+Aj3mwrnPY3aHDRgMWBwGLbEwCgYIKoZIzj0EAwIw\nJjEkMCIGA1UEAwwbbWF0dGVybW9zdC1zdGF0dXMgdGVzdCByb290MCAXDTI2MTIw\nNjE5NTQwM1oYDzIxMjYxMTEyMTk1NDAzWjAmMSQwIgYDVQQDDBttYXR0ZXJtb3N0\nLXN0YXR1cyB0ZXN0IHJvb3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARga31q\nt5R/8fERi7HG95oAmozkAmIja83574VLZbzYerJJY3v928QUdZY1MzCG540kbuF8\n4H088UtdD4hesauEo1MwUTAdBgNVHQ4EFgQUP6oGxlFi/rR/nBmrgf/0+o1R+fww\nHwYDVR0jBBgwFoAUP6oGxlFi/rR/nBmrgf/0+o1R+fwwDwYDVR0TAQH/BAUwAwEB\n/zAKBggqhkjOPQQDAgNIADBFAiEA720gN4Mym9Lzc9NJVf34n1QrOfeLFXMh5KXx\nmcxbi5oCIEqFqm/tmNbmAFlkOKEd+N2Awobwa8vnzt7HsFNMFS2S\n-----END CERTIFICATE-----\n";
    type Setter = fn(mattermost_status::SessionBuilder) -> mattermost_status::SessionBuilder;
    let cases: [(&str, Setter); 6] = [
        ("connect_timeout(..)", |b| {
            b.connect_timeout(Duration::from_secs(3))
        }),
        ("max_idle_connections(..)", |b| b.max_idle_connections(2)),
        ("system_roots(..)", |b| b.system_roots(true)),
        ("proxy(..)", |b| b.proxy("http://proxy.example:3128")),
        ("no_proxy()", |b| b.no_proxy()),
        ("add_root_certificate(..)", |b| {
            b.add_root_certificate(SOME_PEM)
        }),
    ];
    for (setter, set) in cases {
        let canned = Canned::new(200, Vec::new(), STATUS_BODY.as_bytes().to_vec());
        let sent = canned.counter();
        let built = set(Session::builder("https://chat.example.com").token(TOKEN))
            .transport(canned)
            .build();
        match built {
            Err(Error::InvalidInput { field, reason, .. }) => {
                assert_eq!(field, "transport", "{setter}: {reason}");
                assert!(reason.contains(setter), "{setter}: {reason}");
            }
            other => panic!("{setter}: {other:?}"),
        }
        assert_eq!(
            sent.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "{setter}"
        );
    }
    // Without them, the same transport is taken as it is.
    let canned = Canned::new(200, Vec::new(), STATUS_BODY.as_bytes().to_vec());
    let session = Session::builder("https://chat.example.com")
        .token(TOKEN)
        .transport(canned)
        .build()
        .unwrap();
    assert_eq!(
        GetStatus::new(UserId::me()).send(&session).unwrap().status,
        StatusKind::Online
    );
}
