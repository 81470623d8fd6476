//! Custom statuses: setting, validation, expiry, the recent list.

use super::*;

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
