//! The fake's routes for people-friendly tools, against Mattermost's server code:
//! `POST /users/usernames` (api4/user.go `getUsersByNames`, the store's
//! `GetProfilesByUsernames`, api4/user_test.go `TestGetUsersByUsernames`),
//! `POST /users/ids` (`getUsersByIds`, `GetProfileByIds`, `TestGetUsersByIds`) and the
//! recent-custom-statuses preference (api4/preference.go `getPreferenceByCategoryAndName`,
//! app/preference.go), and the library requests that read them.
#![cfg(all(feature = "fake", feature = "ureq"))]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime};

use mattermost_status::fake::{FakeHttpServer, FakeServer, FakeUser};
use mattermost_status::{
    CustomStatus, CustomStatusDuration, Error, GetRecentCustomStatuses, GetUsersByIds,
    GetUsersByUsernames, RemoveRecentCustomStatus, Session, UpdateCustomStatus, UserId,
    MAX_IDS_PER_CALL, MAX_USERNAMES_PER_CALL,
};

struct Env {
    fake: FakeServer,
    server: FakeHttpServer,
    alice: FakeUser,
    bob: FakeUser,
}

fn env() -> Env {
    let fake = FakeServer::new();
    let server = fake.serve().expect("the fake serves on 127.0.0.1");
    Env {
        alice: fake.user("alice").expect("alice"),
        bob: fake.user("bob").expect("bob"),
        fake,
        server,
    }
}

/// An answer read off the socket.
struct Raw {
    status: u16,
    body: String,
}

impl Env {
    fn session(&self, user: &FakeUser) -> Session {
        Session::builder(self.server.url())
            .token(user.token.clone())
            .build()
            .expect("a valid session")
    }

    /// One HTTP/1.1 request on its own connection, written by hand.
    fn raw(&self, method: &str, path: &str, token: Option<&str>, body: &str) -> Raw {
        let addr = self.server.url().trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&addr).expect("connect to the fake");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let auth = token.map_or_else(String::new, |t| format!("Authorization: Bearer {t}\r\n"));
        let request = format!(
            "{method} /api/v4{path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: \
             application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        Raw {
            status,
            body: body.to_owned(),
        }
    }

    fn raw_as(&self, user: &FakeUser, method: &str, path: &str, body: &str) -> Raw {
        self.raw(method, path, Some(&user.token), body)
    }
}

fn json(raw: &Raw) -> serde_json::Value {
    serde_json::from_str(&raw.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", raw.body))
}

#[track_caller]
fn assert_app_error(raw: &Raw, status: u16, id: &str, param: Option<&str>) {
    let body = json(raw);
    assert_eq!(raw.status, status, "{body}");
    assert_eq!(body["id"], id, "{body}");
    if let Some(param) = param {
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(param), "should name {param}: {body}");
    }
}

// ---- POST /users/usernames ----

#[test]
fn usernames_answer_the_users_found_sorted_by_username_without_the_unknown() {
    let env = env();
    let raw = env.raw_as(
        &env.alice,
        "POST",
        "/users/usernames",
        r#"["bob","nobody","alice","bob"]"#,
    );
    assert_eq!(raw.status, 200, "{}", raw.body);
    let users = json(&raw);
    let got: Vec<(&str, &str)> = users
        .as_array()
        .expect("an array")
        .iter()
        .map(|u| (u["username"].as_str().unwrap(), u["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("alice", env.alice.id.as_str()),
            ("bob", env.bob.id.as_str())
        ]
    );
}

#[test]
fn only_unknown_usernames_are_an_empty_array_not_an_error() {
    let env = env();
    let raw = env.raw_as(&env.alice, "POST", "/users/usernames", r#"["junk"]"#);
    assert_eq!((raw.status, raw.body.as_str()), (200, "[]"));
}

#[test]
fn usernames_must_be_a_non_empty_json_array_of_strings() {
    let env = env();
    for body in ["[]", "null", "", "{}", r#"[1]"#, "not json"] {
        let raw = env.raw_as(&env.alice, "POST", "/users/usernames", body);
        assert_app_error(
            &raw,
            400,
            "api.context.invalid_body_param.app_error",
            Some("usernames"),
        );
    }
}

#[test]
fn usernames_need_a_session_and_a_post() {
    let env = env();
    let raw = env.raw("POST", "/users/usernames", None, r#"["alice"]"#);
    assert_app_error(&raw, 401, "api.context.session_expired.app_error", None);
    let raw = env.raw_as(&env.alice, "GET", "/users/usernames", "");
    assert_eq!(raw.status, 405);
}

#[test]
fn the_library_resolves_names_in_the_order_asked() {
    let env = env();
    let session = env.session(&env.alice);
    let users = GetUsersByUsernames::new(["@bob", "Alice", "bob"])
        .resolve(&session)
        .unwrap();
    let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["bob", "alice", "bob"]);
    assert_eq!(users[1].id, env.alice.id);
    assert_eq!(
        env.fake.requests(),
        ["POST /api/v4/users/usernames"],
        "one request for all the names"
    );
}

#[test]
fn the_library_names_every_unknown_user() {
    let env = env();
    let session = env.session(&env.alice);
    let err = GetUsersByUsernames::new(["alice", "zed", "ann", "zed"])
        .resolve(&session)
        .unwrap_err();
    match &err {
        Error::UnknownUsers { usernames, .. } => assert_eq!(usernames, &["zed", "ann"]),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.to_string(), "no users named zed, ann");
    let one = GetUsersByUsernames::new(["zed"])
        .resolve(&session)
        .unwrap_err();
    assert_eq!(one.to_string(), "no user named zed");
    // `send` gives the server's answer as it is.
    assert!(GetUsersByUsernames::new(["zed"])
        .send(&session)
        .unwrap()
        .is_empty());
}

#[test]
fn bad_usernames_are_refused_with_nothing_sent() {
    let env = env();
    let session = env.session(&env.alice);
    let too_many: Vec<String> = (0..=MAX_USERNAMES_PER_CALL)
        .map(|i| format!("u{i}"))
        .collect();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![], "is empty"),
        (vec!["alice".into(), "al ice".into()], "element 2"),
        (vec!["".into()], "empty"),
        (vec!["a".repeat(65)], "at most 64"),
        (vec!["channel".into()], "reserved"),
        (too_many, "at most 4000"),
    ];
    for (names, reason) in cases {
        let err = GetUsersByUsernames::new(&names).send(&session).unwrap_err();
        match &err {
            Error::InvalidInput {
                field, reason: why, ..
            } => {
                assert_eq!(*field, "usernames");
                assert!(why.contains(reason), "{why:?} should say {reason:?}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(env.fake.requests().is_empty(), "{:?}", env.fake.requests());
}

// ---- POST /users/ids ----
//
// api4/user.go `getUsersByIds`, `App.GetUsersByIds`, the store's `GetProfileByIds`
// (`u.Id IN (...)`, `ORDER BY u.Username ASC`, `u.UpdateAt > since`), and
// api4/user_test.go `TestGetUsersByIds` / `TestGetUsersByIdsWithOptions`. Not confirmed
// here, and not reproduced by the fake: the profile cache's order (cached users first),
// view restrictions, deactivated users (the fake cannot deactivate one).

/// `(username, id)` of each user in an answer, in its order.
fn users_of(raw: &Raw) -> Vec<(String, String)> {
    assert_eq!(raw.status, 200, "{}", raw.body);
    json(raw)
        .as_array()
        .expect("an array")
        .iter()
        .map(|u| {
            (
                u["username"].as_str().unwrap().to_owned(),
                u["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn ids_answer_the_users_found_sorted_by_username_without_the_unknown() {
    let env = env();
    let body = format!(
        r#"["{bob}","zzzzzzzzzzzzzzzzzzzzzzzzzz","{alice}","{bob}","junk","me"]"#,
        bob = env.bob.id,
        alice = env.alice.id
    );
    let raw = env.raw_as(&env.bob, "POST", "/users/ids", &body);
    assert_eq!(
        users_of(&raw),
        [
            ("alice".to_owned(), env.alice.id.to_string()),
            ("bob".to_owned(), env.bob.id.to_string())
        ],
        "each user once, by username; unknown ids, junk and `me` left out"
    );
    let user = &json(&raw)[0];
    assert_eq!(user["delete_at"], 0, "{user}");
    assert!(user["update_at"].as_i64().unwrap() > 0, "{user}");
}

#[test]
fn only_unknown_or_invalid_ids_are_an_empty_array_not_an_error() {
    // TestGetUsersByIds: "should not return an error for invalid IDs".
    let env = env();
    for body in [
        r#"["junk"]"#,
        r#"["me"]"#,
        r#"["zzzzzzzzzzzzzzzzzzzzzzzzzz"]"#,
        r#"[""]"#,
    ] {
        let raw = env.raw_as(&env.alice, "POST", "/users/ids", body);
        assert_eq!((raw.status, raw.body.as_str()), (200, "[]"), "{body}");
    }
}

#[test]
fn ids_must_be_a_non_empty_json_array_of_strings() {
    let env = env();
    for body in ["[]", "null", "", "{}", r#"[1]"#, "not json", r#""abc""#] {
        let raw = env.raw_as(&env.alice, "POST", "/users/ids", body);
        assert_app_error(
            &raw,
            400,
            "api.context.invalid_body_param.app_error",
            Some("user_ids"),
        );
    }
}

#[test]
fn ids_need_a_session() {
    let env = env();
    let body = format!(r#"["{}"]"#, env.alice.id);
    let raw = env.raw("POST", "/users/ids", None, &body);
    assert_app_error(&raw, 401, "api.context.session_expired.app_error", None);
    let raw = env.raw("POST", "/users/ids", Some("not-a-token"), &body);
    assert_app_error(&raw, 401, "api.context.session_expired.app_error", None);
}

#[test]
fn since_keeps_the_users_updated_after_it() {
    // TestGetUsersByIdsWithOptions: `since` is compared with UpdateAt, strictly.
    let env = env();
    let body = format!(r#"["{}","{}"]"#, env.alice.id, env.bob.id);
    let before = json(&env.raw_as(&env.alice, "POST", "/users/ids", &body));
    let alice_updated = before[0]["update_at"].as_i64().unwrap();
    env.fake.advance(Duration::from_secs(60));
    // A custom status is saved with UpdateUser: bob's UpdateAt moves.
    let raw = env.raw_as(
        &env.bob,
        "PUT",
        "/users/me/status/custom",
        r#"{"emoji":"bus","text":"Commuting"}"#,
    );
    assert_eq!(raw.status, 200, "{}", raw.body);
    let path = format!("/users/ids?since={alice_updated}");
    let after = env.raw_as(&env.alice, "POST", &path, &body);
    assert_eq!(
        users_of(&after),
        [("bob".to_owned(), env.bob.id.to_string())]
    );
    let bob_updated = json(&after)[0]["update_at"].as_i64().unwrap();
    assert!(bob_updated >= alice_updated + 60_000, "{}", after.body);
    let path = format!("/users/ids?since={bob_updated}");
    let none = env.raw_as(&env.alice, "POST", &path, &body);
    assert_eq!((none.status, none.body.as_str()), (200, "[]"));
    // since=0 (or empty) is no filter; anything ParseInt refuses is 400 `since`.
    for since in ["0", "", "-5"] {
        let path = format!("/users/ids?since={since}");
        assert_eq!(
            users_of(&env.raw_as(&env.alice, "POST", &path, &body)).len(),
            2
        );
    }
    for since in ["abc", "1.5", "99999999999999999999"] {
        let path = format!("/users/ids?since={since}");
        let raw = env.raw_as(&env.alice, "POST", &path, &body);
        assert_app_error(
            &raw,
            400,
            "api.context.invalid_body_param.app_error",
            Some("since"),
        );
    }
}

#[test]
fn the_library_maps_ids_to_usernames_in_one_request() {
    let env = env();
    let session = env.session(&env.alice);
    let nobody: UserId = "zzzzzzzzzzzzzzzzzzzzzzzzzz".parse().unwrap();
    let request = GetUsersByIds::new([env.bob.id, nobody, env.alice.id]);
    let names = request.usernames(&session).unwrap();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names[&env.alice.id], "alice");
    assert_eq!(names[&env.bob.id], "bob");
    assert!(!names.contains_key(&nobody));
    assert_eq!(env.fake.requests(), ["POST /api/v4/users/ids"]);
    // `send` gives the server's answer as it is: sorted by username.
    let users = request.send(&session).unwrap();
    let got: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(got, ["alice", "bob"]);
    assert!(GetUsersByIds::new([nobody])
        .send(&session)
        .unwrap()
        .is_empty());
}

#[test]
fn the_most_ids_one_request_takes_fit_in_one_body() {
    let env = env();
    let session = env.session(&env.alice);
    let mut ids = vec![env.bob.id; MAX_IDS_PER_CALL - 1];
    ids.push(env.alice.id);
    let names = GetUsersByIds::new(ids.iter().copied())
        .usernames(&session)
        .unwrap();
    assert_eq!(names.len(), 2);
    ids.push(env.alice.id);
    let err = GetUsersByIds::new(ids).send(&session).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::InvalidInput {
                field: "user_ids",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        env.fake.requests(),
        ["POST /api/v4/users/ids"],
        "one, then none"
    );
}

// ---- the recent custom statuses preference ----

const RECENT: &str = "/users/me/preferences/custom_status/name/recent_custom_statuses";

#[test]
fn no_recent_statuses_yet_is_400_preference_get_and_an_empty_list() {
    let env = env();
    let raw = env.raw_as(&env.alice, "GET", RECENT, "");
    assert_app_error(&raw, 400, "app.preference.get.app_error", None);
    let session = env.session(&env.alice);
    assert!(GetRecentCustomStatuses::new(UserId::me())
        .send(&session)
        .unwrap()
        .is_empty());
}

#[test]
fn the_preference_value_is_a_json_string_holding_the_go_encoded_array() {
    let env = env();
    let session = env.session(&env.alice);
    UpdateCustomStatus::new(UserId::me())
        .emoji("bus")
        .text("Commuting")
        .send(&session)
        .unwrap();
    let raw = env.raw_as(&env.alice, "GET", RECENT, "");
    assert_eq!(raw.status, 200, "{}", raw.body);
    assert!(
        raw.body.ends_with("}\n"),
        "json.NewEncoder ends with a newline"
    );
    let pref = json(&raw);
    assert_eq!(pref["user_id"], env.alice.id.as_str());
    assert_eq!(pref["category"], "custom_status");
    assert_eq!(pref["name"], "recent_custom_statuses");
    assert_eq!(
        pref["value"],
        r#"[{"emoji":"bus","text":"Commuting","duration":"","expires_at":"0001-01-01T00:00:00Z"}]"#
    );
}

#[test]
fn another_users_recent_list_needs_edit_other_users() {
    let env = env();
    let path = format!(
        "/users/{}/preferences/custom_status/name/recent_custom_statuses",
        env.alice.id
    );
    let raw = env.raw_as(&env.bob, "GET", &path, "");
    assert_app_error(&raw, 403, "api.context.permissions.app_error", None);
}

#[test]
fn every_recent_status_read_back_removes_its_own_entry() {
    let env = env();
    let session = env.session(&env.alice);
    let end = SystemTime::now() + Duration::from_secs(3 * 3600) + Duration::from_nanos(123_456_789);
    UpdateCustomStatus::new(UserId::me())
        .emoji("calendar")
        .text("In a meeting")
        .duration(CustomStatusDuration::FourHours)
        .expires_at(end)
        .send(&session)
        .unwrap();
    UpdateCustomStatus::new(UserId::me())
        .emoji("house")
        .text("Working from home")
        .expires_at(end) // no duration: stored as date_and_time
        .send(&session)
        .unwrap();
    // Another client's: a text the server cuts to 100 characters (the crate refuses it).
    let long = format!(r#"{{"emoji":"","text":"{}"}}"#, "x".repeat(120));
    let raw = env.raw_as(&env.alice, "PUT", "/users/me/status/custom", &long);
    assert_eq!(raw.status, 200, "{}", raw.body);

    let recent = GetRecentCustomStatuses::new(UserId::me())
        .send(&session)
        .unwrap();
    assert_eq!(recent, env.fake.recent_custom_statuses(env.alice.id));
    assert_eq!(recent.len(), 3);
    assert_eq!(recent[1].duration, Some(CustomStatusDuration::DateAndTime));
    for (left, cs) in (0..recent.len()).rev().zip(recent) {
        RemoveRecentCustomStatus::new(UserId::me(), cs)
            .send(&session)
            .unwrap();
        assert_eq!(env.fake.recent_custom_statuses(env.alice.id).len(), left);
    }
    // Emptied, the preference stays: an empty list, not an error.
    assert_eq!(
        GetRecentCustomStatuses::new(UserId::me())
            .send(&session)
            .unwrap(),
        Vec::<CustomStatus>::new()
    );
}

/// `User::custom_status` reads `props.customStatus` as the server stores it: a board of
/// others' custom statuses from one `POST /users/ids`, in process and over HTTP.
#[test]
fn users_carry_their_custom_status() {
    let fake = mattermost_status::fake::FakeServer::new();
    let alice = fake.user("alice").unwrap();
    let bob = fake.user("bob").unwrap();
    let http = fake.serve().unwrap();
    let over_http = mattermost_status::Session::builder(http.url())
        .token(bob.token.clone())
        .build()
        .unwrap();
    mattermost_status::UpdateCustomStatus::new(mattermost_status::UserId::me())
        .emoji("calendar")
        .text("In a meeting")
        .send(&fake.session(&alice).unwrap())
        .unwrap();
    for session in [fake.session(&bob).unwrap(), over_http] {
        let users = mattermost_status::GetUsersByIds::new([alice.id, bob.id])
            .send(&session)
            .unwrap();
        let a = users.iter().find(|u| u.id == alice.id).unwrap();
        let cs = a.custom_status().expect("alice has one");
        assert_eq!(
            (cs.emoji.as_str(), cs.text.as_str()),
            ("calendar", "In a meeting")
        );
        assert!(a.custom_status_json().unwrap().contains("In a meeting"));
        let b = users.iter().find(|u| u.id == bob.id).unwrap();
        assert_eq!(b.custom_status(), None);
    }
}
