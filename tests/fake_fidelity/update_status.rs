//! Setting a status: manual and automatic, DND and its end, the body rules.

use super::*;

#[test]
fn online_is_automatic_and_stamps_activity() {
    let env = env();
    let s = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Online)
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(s.status, StatusKind::Online);
    assert!(!s.manual);
    let now = env.fake.now();
    assert_eq!(s.last_activity_at.map(unix_millis), Some(unix_millis(now)));
    assert_eq!(env.fake.status(env.alice.id).unwrap(), s);
}

#[test]
fn away_is_manual_and_keeps_the_last_activity() {
    let env = env();
    let session = env.session(&env.alice);
    let online = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Online)
        .send(&session)
        .unwrap();
    env.fake.advance(Duration::from_secs(300));
    let away = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Away)
        .send(&session)
        .unwrap();
    assert_eq!(away.status, StatusKind::Away);
    assert!(away.manual);
    assert_eq!(away.last_activity_at, online.last_activity_at);
}

#[test]
fn away_without_any_status_has_no_activity() {
    let env = env();
    let away = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Away)
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(away.last_activity_at, None);
}

#[test]
fn offline_is_manual_and_stamps_activity() {
    let env = env();
    env.fake.advance(Duration::from_secs(42));
    let s = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Offline)
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(s.status, StatusKind::Offline);
    assert!(s.manual);
    assert_eq!(
        s.last_activity_at.map(unix_millis),
        Some(unix_millis(env.fake.now()))
    );
}

#[test]
fn a_manual_status_wins_over_activity_and_online_returns_to_automatic() {
    let env = env();
    let session = env.session(&env.alice);
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Away)
        .send(&session)
        .unwrap();
    env.fake.record_activity(env.alice.id);
    assert_eq!(
        env.fake.status(env.alice.id).map(|s| s.status),
        Some(StatusKind::Away)
    );
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Online)
        .send(&session)
        .unwrap();
    env.fake.advance(Duration::from_secs(10));
    env.fake.record_activity(env.alice.id);
    let s = env.fake.status(env.alice.id).unwrap();
    assert_eq!((s.status, s.manual), (StatusKind::Online, false));
    assert_eq!(
        s.last_activity_at.map(unix_millis),
        Some(unix_millis(env.fake.now()))
    );
}

#[test]
fn dnd_end_time_is_seconds_truncated_to_the_minute_and_ends_by_itself() {
    let env = env();
    let session = env.session(&env.alice);
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Away)
        .send(&session)
        .unwrap();
    let end = env.fake.now() + Duration::from_secs(30 * 60 + 17);
    let s = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Dnd)
        .until(end)
        .send(&session)
        .unwrap();
    assert_eq!(s.status, StatusKind::Dnd);
    assert!(s.manual);
    let stored_end = unix_secs(end) / 60 * 60;
    assert_eq!(s.dnd_end_time, Some(at_secs(stored_end)));
    // On the wire it is seconds.
    let r = env.raw_as(&env.alice, Method::Get, "/users/me/status", None);
    assert_eq!(json(&r)["dnd_end_time"], stored_end);

    // One second before the (truncated) end: still DND.
    let before = at_secs(stored_end - 1);
    env.fake.set_now(before);
    let s = GetStatus::new(UserId::me()).send(&session).unwrap();
    assert_eq!(s.status, StatusKind::Dnd);
    // At the end: back to what it was, automatic, no end time.
    env.fake.set_now(at_secs(stored_end));
    let s = GetStatus::new(UserId::me()).send(&session).unwrap();
    assert_eq!(s.status, StatusKind::Away);
    assert!(!s.manual);
    assert_eq!(s.dnd_end_time, None);
}

#[test]
fn leaving_dnd_by_hand_keeps_its_end_time_except_for_offline() {
    // SetStatusOnline and SetStatusAwayIfNeeded change the stored struct and leave
    // DNDEndTime as it was; SetStatusOffline writes a new one.
    let env = env();
    let session = env.session(&env.alice);
    let end = env.fake.now() + Duration::from_secs(3600);
    for (kind, keeps) in [
        (StatusKind::Online, true),
        (StatusKind::Away, true),
        (StatusKind::Offline, false),
    ] {
        UpdateStatus::new(env.alice.id)
            .status(StatusKind::Dnd)
            .until(end)
            .send(&session)
            .unwrap();
        let s = UpdateStatus::new(env.alice.id)
            .status(kind.clone())
            .send(&session)
            .unwrap();
        assert_eq!(s.status, kind);
        assert_eq!(s.dnd_end_time.is_some(), keeps, "{kind}");
        // The job only ends statuses that are still dnd.
        env.fake.advance(Duration::from_secs(7200));
        assert_eq!(
            GetStatus::new(env.alice.id).send(&session).unwrap().status,
            kind
        );
        env.fake.set_now(SystemTime::now());
    }
}

#[test]
fn dnd_from_no_status_returns_to_offline() {
    // api4 status_test "dnd status timed restore after time interval", without sleeping.
    let env = env();
    let session = env.session(&env.bob);
    UpdateStatus::new(env.bob.id)
        .status(StatusKind::Dnd)
        .until(env.fake.now() + Duration::from_secs(120))
        .send(&session)
        .unwrap();
    env.fake.advance(Duration::from_secs(121));
    let s = GetStatus::new(env.bob.id).send(&session).unwrap();
    assert_eq!(s.status, StatusKind::Offline);
}

#[test]
fn dnd_without_an_end_lasts() {
    let env = env();
    let session = env.session(&env.alice);
    let s = UpdateStatus::new(env.alice.id)
        .status(StatusKind::Dnd)
        .send(&session)
        .unwrap();
    assert_eq!(s.dnd_end_time, None);
    env.fake.advance(Duration::from_secs(365 * 24 * 3600));
    assert_eq!(
        GetStatus::new(env.alice.id).send(&session).unwrap().status,
        StatusKind::Dnd
    );
}

#[test]
fn a_past_dnd_end_is_accepted_and_undone_by_the_next_job_run() {
    let env = env();
    let session = env.session(&env.alice);
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Online)
        .send(&session)
        .unwrap();
    let past = unix_secs(env.fake.now()) - 3600;
    let body = format!(
        r#"{{"user_id":"{}","status":"dnd","dnd_end_time":{past}}}"#,
        env.alice.id
    );
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
    assert_eq!(r.status(), 200);
    assert_eq!(json(&r)["status"], "dnd", "the answer comes before the job");
    let s = GetStatus::new(env.alice.id).send(&session).unwrap();
    assert_eq!((s.status, s.manual), (StatusKind::Online, false));
}

#[test]
fn dnd_end_time_with_another_status_is_ignored() {
    let env = env();
    let end = unix_secs(env.fake.now()) + 3600;
    let body = format!(
        r#"{{"user_id":"{}","status":"offline","dnd_end_time":{end}}}"#,
        env.alice.id
    );
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
    assert_eq!(r.status(), 200);
    assert_eq!(json(&r)["dnd_end_time"], 0);
}

#[test]
fn the_body_user_id_must_be_the_path_user_after_me() {
    let env = env();
    // status_test: "not matching status user id and the user id passed in the function".
    let body = format!(r#"{{"user_id":"{}","status":"online"}}"#, env.bob.id);
    let path = format!("/users/{}/status", env.alice.id);
    let r = env.raw_as(&env.alice, Method::Put, &path, Some(&body));
    assert_app_error(
        &r,
        400,
        "api.context.invalid_body_param.app_error",
        Some("user_id"),
    );
    // `me` in the body never matches.
    let r = env.raw_as(
        &env.alice,
        Method::Put,
        "/users/me/status",
        Some(r#"{"user_id":"me","status":"online"}"#),
    );
    assert_app_error(
        &r,
        400,
        "api.context.invalid_body_param.app_error",
        Some("user_id"),
    );
    // The real id with `me` in the path does.
    let body = format!(r#"{{"user_id":"{}","status":"online"}}"#, env.alice.id);
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
    assert_eq!(r.status(), 200);
    assert_eq!(env.fake.request_count(), 3);
}

#[test]
fn only_four_statuses_can_be_set() {
    let env = env();
    for value in ["ooo", "busy", "", "ONLINE"] {
        let body = format!(r#"{{"user_id":"{}","status":"{value}"}}"#, env.alice.id);
        let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
        assert_app_error(
            &r,
            400,
            "api.context.invalid_body_param.app_error",
            Some("status"),
        );
    }
    assert_eq!(env.fake.status(env.alice.id), None, "nothing was stored");
}

#[test]
fn an_undecodable_status_body_is_400_status() {
    let env = env();
    for body in [
        "",
        "not json",
        "[]",
        r#"{"user_id":1}"#,
        r#"{"dnd_end_time":"soon"}"#,
    ] {
        let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(body));
        assert_app_error(
            &r,
            400,
            "api.context.invalid_body_param.app_error",
            Some("status"),
        );
    }
}

#[test]
fn go_decoding_ignores_case_unknown_fields_and_trailing_data() {
    let env = env();
    let body = format!(
        r#"{{"USER_ID":"{}","Status":"away","extra":[1,2]}} and then some"#,
        env.alice.id
    );
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
    assert_eq!(r.status(), 200, "{}", String::from_utf8_lossy(r.body()));
    assert_eq!(json(&r)["status"], "away");
}

#[test]
fn another_users_status_needs_edit_other_users() {
    let env = env();
    // status_test: "set status for other user as regular user".
    let result = UpdateStatus::new(env.bob.id)
        .status(StatusKind::Online)
        .send(&env.session(&env.alice));
    assert_api_error(result, 403, "api.context.permissions.app_error");
    assert_eq!(env.fake.status(env.bob.id), None);
    // "set status for other user as admin user".
    let s = UpdateStatus::new(env.bob.id)
        .status(StatusKind::Online)
        .send(&env.session(&env.admin))
        .unwrap();
    assert_eq!((s.user_id, s.status), (env.bob.id, StatusKind::Online));
}

#[test]
fn permission_is_checked_after_the_body() {
    let env = env();
    let path = format!("/users/{}/status", env.bob.id);
    let r = env.raw_as(&env.alice, Method::Put, &path, Some("nonsense"));
    assert_eq!(r.status(), 400);
    let body = format!(r#"{{"user_id":"{}","status":"nonsense"}}"#, env.bob.id);
    let r = env.raw_as(&env.alice, Method::Put, &path, Some(&body));
    assert_eq!(r.status(), 403, "permission comes before the status value");
}

#[test]
fn leaving_out_of_office_turns_the_auto_responder_off() {
    let env = env();
    env.fake
        .set_status(&Status::new(env.alice.id, StatusKind::OutOfOffice));
    assert!(env.fake.auto_responder_active(env.alice.id));
    let s = GetStatus::new(UserId::me())
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(s.status, StatusKind::OutOfOffice);
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Online)
        .send(&env.session(&env.alice))
        .unwrap();
    assert!(!env.fake.auto_responder_active(env.alice.id));
}

#[test]
fn with_user_statuses_off_setters_do_nothing_and_lookups_find_nothing() {
    let env = env();
    env.fake.set_enable_user_statuses(false);
    let session = env.session(&env.alice);
    assert_api_error(
        GetStatus::new(UserId::me()).send(&session),
        404,
        "api.status.user_not_found.app_error",
    );
    assert_api_error(
        UpdateStatus::new(env.alice.id)
            .status(StatusKind::Away)
            .send(&session),
        404,
        "api.status.user_not_found.app_error",
    );
    let statuses = GetStatusesByIds::new([env.alice.id, env.bob.id])
        .send(&session)
        .unwrap();
    assert!(statuses.is_empty());
    // An invalid value is still refused first.
    let body = format!(r#"{{"user_id":"{}","status":"busy"}}"#, env.alice.id);
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/status", Some(&body));
    assert_eq!(r.status(), 400);
    env.fake.set_enable_user_statuses(true);
    assert_eq!(env.fake.status(env.alice.id), None, "nothing was stored");
}
