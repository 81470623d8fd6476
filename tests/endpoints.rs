//! Every endpoint against a real HTTP server on loopback: method, path, headers, the exact
//! body, and the decoding of real-shaped answers.

#![cfg(feature = "ureq")]

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use httpmock::prelude::*;
use mattermost_status::{
    CustomStatus, CustomStatusDuration, GetStatus, GetStatusesByIds, GetUsersByIds,
    RemoveRecentCustomStatus, RemoveRecentMethod, Session, StatusKind, UnsetCustomStatus,
    UpdateCustomStatus, UpdateStatus, UserId,
};
use support::mock::*;
use support::*;

const OK: &str = r#"{"status":"OK"}"#;

fn secs(n: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(n)
}

#[test]
fn get_status_of_a_user() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        standard_headers(
            when.method(GET)
                .path(format!("/api/v4/users/{ALICE}/status")),
        )
        .header_missing("content-type")
        .header_missing("content-length");
        then.status(200)
            .header("content-type", "application/json")
            .body(status_json(ALICE, "away", true, 1_700_000_000_123, 0));
    });
    let status = GetStatus::new(id(ALICE)).send(&session(&server)).unwrap();
    mock.assert();
    assert_eq!(status.user_id, id(ALICE));
    assert_eq!(status.status, StatusKind::Away);
    assert!(status.manual);
    assert_eq!(
        status.last_activity_at,
        Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123))
    );
    assert_eq!(status.dnd_end_time, None);
}

#[test]
fn get_status_of_me_uses_the_alias_in_the_path() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        standard_headers(when.method(GET).path("/api/v4/users/me/status"));
        then.status(200)
            .body(status_json(ALICE, "dnd", true, 5, 1_700_003_640));
    });
    let status = GetStatus::new(UserId::me())
        .send(&session(&server))
        .unwrap();
    mock.assert();
    assert_eq!(status.status, StatusKind::Dnd);
    assert_eq!(status.dnd_end_time, Some(secs(1_700_003_640)));
}

#[test]
fn base_url_path_prefix_and_trailing_slash() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path(format!("/chat/api/v4/users/{ALICE}/status"));
        then.status(200)
            .body(status_json(ALICE, "online", false, 0, 0));
    });
    let session = Session::builder(format!("{}/chat/", server.base_url()))
        .token(TOKEN)
        .build()
        .unwrap();
    let status = GetStatus::new(id(ALICE)).send(&session).unwrap();
    mock.assert();
    assert_eq!(status.last_activity_at, None);
}

#[test]
fn unknown_status_values_and_fields_are_kept_or_ignored() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET);
        then.status(200).body(format!(
            r#"{{"user_id":"{ALICE}","status":"in_a_call","manual":false,"last_activity_at":1,"dnd_end_time":0,"active_channel":"","prev_status":"x","new_field":[1,2]}}"#
        ));
    });
    let status = GetStatus::new(id(ALICE)).send(&session(&server)).unwrap();
    assert_eq!(status.status, StatusKind::Other("in_a_call".into()));
    assert_eq!(status.active_channel, None);
}

#[test]
fn update_status_sends_the_exact_body() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        standard_headers(
            when.method(PUT)
                .path(format!("/api/v4/users/{ALICE}/status")),
        )
        .header("content-type", "application/json")
        .body(format!(r#"{{"user_id":"{ALICE}","status":"away"}}"#));
        then.status(200)
            .body(status_json(ALICE, "away", true, 9, 0));
    });
    let status = UpdateStatus::new(id(ALICE))
        .status(StatusKind::Away)
        .send(&session(&server))
        .unwrap();
    mock.assert();
    assert_eq!(status.status, StatusKind::Away);
}

#[test]
fn update_status_dnd_until_sends_unix_seconds() {
    let server = MockServer::start();
    // A whole-second end time far in the future, with a fraction that must be dropped.
    let end = secs(4_102_444_800) + Duration::from_millis(750);
    let mock = server.mock(|when, then| {
        standard_headers(when.method(PUT).path(format!("/api/v4/users/{BOB}/status"))).body(
            format!(r#"{{"user_id":"{BOB}","status":"dnd","dnd_end_time":4102444800}}"#),
        );
        // The server stores the end truncated to the minute.
        then.status(200)
            .body(status_json(BOB, "dnd", true, 9, 4_102_444_800));
    });
    let status = UpdateStatus::new(id(BOB))
        .status(StatusKind::Dnd)
        .until(end)
        .send(&session(&server))
        .unwrap();
    mock.assert();
    assert_eq!(status.dnd_end_time, Some(secs(4_102_444_800)));
}

#[test]
fn update_status_dnd_without_end_and_every_settable_status() {
    let server = MockServer::start();
    for (kind, name) in [
        (StatusKind::Online, "online"),
        (StatusKind::Offline, "offline"),
        (StatusKind::Dnd, "dnd"),
    ] {
        let mock = server.mock(|when, then| {
            when.method(PUT)
                .path(format!("/api/v4/users/{ALICE}/status"))
                .body(format!(r#"{{"user_id":"{ALICE}","status":"{name}"}}"#));
            then.status(200)
                .body(status_json(ALICE, name, name != "online", 1, 0));
        });
        let status = UpdateStatus::new(id(ALICE))
            .status(kind.clone())
            .send(&session(&server))
            .unwrap();
        mock.assert();
        assert_eq!(status.status, kind);
    }
}

#[test]
fn update_status_of_me_resolves_the_real_id_once() {
    let server = MockServer::start();
    let lookup = server.mock(|when, then| {
        standard_headers(when.method(GET).path("/api/v4/users/me/status"));
        then.status(200)
            .body(status_json(CAROL, "online", false, 1, 0));
    });
    let update = server.mock(|when, then| {
        standard_headers(
            when.method(PUT)
                .path(format!("/api/v4/users/{CAROL}/status")),
        )
        .body(format!(r#"{{"user_id":"{CAROL}","status":"offline"}}"#));
        then.status(200)
            .body(status_json(CAROL, "offline", true, 1, 0));
    });
    let session = session(&server);
    for _ in 0..2 {
        let status = UpdateStatus::new(UserId::me())
            .status(StatusKind::Offline)
            .send(&session)
            .unwrap();
        assert_eq!(status.user_id, id(CAROL));
    }
    assert_eq!(
        lookup.calls(),
        1,
        "the real id is looked up once per session"
    );
    assert_eq!(update.calls(), 2);
    assert_eq!(session.current_user_id().unwrap(), id(CAROL));
    assert_eq!(lookup.calls(), 1);
}

#[test]
fn statuses_by_ids_sends_the_array_and_finds_each_id() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        standard_headers(when.method(POST).path("/api/v4/users/status/ids"))
            .header("content-type", "application/json")
            .body(format!(r#"["{BOB}","{ALICE}","{CAROL}"]"#));
        // The server's order: sorted, not the request's. Carol does not exist: offline.
        then.status(200).body(format!(
            "[{},{},{}]",
            status_json(CAROL, "offline", false, 0, 0),
            status_json(ALICE, "online", false, 1_700_000_000_000, 0),
            status_json(BOB, "dnd", true, 1_700_000_000_000, 1_700_003_600),
        ));
    });
    let asked = [id(BOB), id(ALICE), id(CAROL)];
    let statuses = GetStatusesByIds::new(asked)
        .send(&session(&server))
        .unwrap();
    mock.assert();
    assert_eq!(statuses.len(), 3);
    assert_eq!(statuses.get(&id(BOB)).unwrap().status, StatusKind::Dnd);
    assert_eq!(
        statuses.get(&id(CAROL)).unwrap().status,
        StatusKind::Offline
    );
    let in_order: Vec<_> = statuses
        .in_order_of(&asked)
        .map(|(id, s)| (id, s.map(|s| s.status.clone())))
        .collect();
    assert_eq!(
        in_order,
        vec![
            (id(BOB), Some(StatusKind::Dnd)),
            (id(ALICE), Some(StatusKind::Online)),
            (id(CAROL), Some(StatusKind::Offline)),
        ]
    );
    let missing: UserId = "zzzzzzzzzzzzzzzzzzzzzzzzzz".parse().unwrap();
    assert!(statuses.get(&missing).is_none());
}

#[test]
fn users_by_ids_sends_the_array_and_maps_ids_to_usernames() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        standard_headers(when.method(POST).path("/api/v4/users/ids"))
            .header("content-type", "application/json")
            .body(format!(r#"["{BOB}","{ALICE}","{CAROL}"]"#));
        // Sorted by username; carol has no account, so she is left out. A real-shaped
        // profile: every field the crate does not read is ignored.
        then.status(200).body(format!(
            r#"[{{"id":"{ALICE}","create_at":1,"update_at":2,"delete_at":0,"username":"alice",
                 "auth_data":"","email":"","nickname":"","first_name":"Alice","last_name":"",
                 "position":"","roles":"system_user","locale":"en","timezone":{{}},
                 "props":{{"customStatus":""}},"notify_props":{{}},"is_bot":false}},
                {{"id":"{BOB}","delete_at":1700000000000,"username":"bob","is_bot":true}}]"#
        ));
    });
    let request = GetUsersByIds::new([id(BOB), id(ALICE), id(CAROL)]);
    let session = session(&server);
    let users = request.send(&session).unwrap();
    let got: Vec<(UserId, &str, bool)> = users
        .iter()
        .map(|u| (u.id, u.username.as_str(), u.is_bot))
        .collect();
    assert_eq!(
        got,
        [(id(ALICE), "alice", false), (id(BOB), "bob", true)],
        "the server's answer as it is"
    );
    assert_eq!(users[0].first_name, "Alice");
    let names = request.usernames(&session).unwrap();
    mock.assert_calls(2);
    assert_eq!(names.len(), 2);
    assert_eq!(names[&id(ALICE)], "alice");
    assert_eq!(names[&id(BOB)], "bob");
    assert!(!names.contains_key(&id(CAROL)));
}

#[test]
fn update_custom_status_sends_the_go_shaped_body() {
    let server = MockServer::start();
    let expires = UNIX_EPOCH + Duration::from_millis(4_102_444_799_999);
    let mock = server.mock(|when, then| {
        standard_headers(when.method(PUT).path("/api/v4/users/me/status/custom"))
            .header("content-type", "application/json")
            .body(r#"{"emoji":"calendar","text":"In a meeting","duration":"one_hour","expires_at":"2099-12-31T23:59:59.999Z"}"#);
        then.status(200).body(OK);
    });
    UpdateCustomStatus::new(UserId::me())
        .emoji("calendar")
        .text("In a meeting")
        .duration(CustomStatusDuration::OneHour)
        .expires_at(expires)
        .send(&session(&server))
        .unwrap();
    mock.assert();
}

#[test]
fn update_custom_status_without_expiry_sends_go_zero_time() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(PUT)
            .path(format!("/api/v4/users/{ALICE}/status/custom"))
            .body(
                r#"{"emoji":"","text":"Lunch","duration":"","expires_at":"0001-01-01T00:00:00Z"}"#,
            );
        then.status(200).body(OK);
    });
    UpdateCustomStatus::new(id(ALICE))
        .custom_status(CustomStatus::new("Lunch"))
        .send(&session(&server))
        .unwrap();
    mock.assert();
}

#[test]
fn unset_custom_status_sends_no_body() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        standard_headers(when.method(DELETE).path("/api/v4/users/me/status/custom"))
            .header_missing("content-type")
            .body("");
        then.status(200).body(OK);
    });
    UnsetCustomStatus::new(UserId::me())
        .send(&session(&server))
        .unwrap();
    mock.assert();
}

#[test]
fn remove_recent_custom_status_both_routes() {
    let server = MockServer::start();
    let body = r#"{"emoji":"bus","text":"Commuting","duration":"date_and_time","expires_at":"2099-12-31T23:59:59.5Z"}"#;
    let post = server.mock(|when, then| {
        standard_headers(
            when.method(POST)
                .path(format!("/api/v4/users/{ALICE}/status/custom/recent/delete")),
        )
        .header("content-type", "application/json")
        .body(body);
        then.status(200).body(OK);
    });
    let delete = server.mock(|when, then| {
        standard_headers(
            when.method(DELETE)
                .path(format!("/api/v4/users/{ALICE}/status/custom/recent")),
        )
        .header("content-type", "application/json")
        .body(body);
        then.status(200).body(OK);
    });
    // No duration with an end time: the server stored it as date_and_time.
    let recent = CustomStatus::new("Commuting")
        .emoji("bus")
        .expires_at(UNIX_EPOCH + Duration::from_millis(4_102_444_799_500));
    let session = session(&server);
    RemoveRecentCustomStatus::new(id(ALICE), recent.clone())
        .send(&session)
        .unwrap();
    RemoveRecentCustomStatus::new(id(ALICE), recent)
        .method(RemoveRecentMethod::Delete)
        .send(&session)
        .unwrap();
    post.assert();
    delete.assert();
}

#[test]
fn a_recent_status_decoded_from_the_server_is_sent_back_byte_for_byte() {
    // What the server stores in the user's props (Go's time.Time encoding).
    let stored = r#"{"emoji":"palm_tree","text":"On holiday","duration":"this_week","expires_at":"2099-01-04T23:59:59.999Z"}"#;
    let recent: CustomStatus = serde_json::from_str(stored).unwrap();
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(POST)
            .path("/api/v4/users/me/status/custom/recent/delete")
            .body(stored);
        then.status(200).body(OK);
    });
    RemoveRecentCustomStatus::new(UserId::me(), recent)
        .send(&session(&server))
        .unwrap();
    mock.assert();
}
