//! The read routes beside the status ones: `getUser`, `getUserByUsername`
//! (server/channels/api4/user.go), the preferences routes (api4/preference.go,
//! app/preference.go), deactivated users, guests and their view restrictions
//! (app/user.go `GetViewUsersRestrictions`, `UserCanSeeOtherUser`).

use super::*;

#[test]
fn get_user_answers_404_missing_account_for_an_unknown_id_and_400_for_a_bad_one() {
    let env = env();
    let r = env.raw_as(
        &env.alice,
        Method::Get,
        "/users/abcdefghijklmnopqrstuvwxyz",
        None,
    );
    assert_app_error(&r, 404, "app.user.missing_account.const", None);
    let r = env.raw_as(&env.alice, Method::Get, "/users/short", None);
    assert_app_error(
        &r,
        400,
        "api.context.invalid_url_param.app_error",
        Some("user_id"),
    );
    let r = env.raw(Method::Get, "/users/me", None, None);
    assert_app_error(&r, 401, "api.context.session_expired.app_error", None);
}

#[test]
fn get_user_sends_an_etag_and_answers_304_to_it() {
    let env = env();
    let r = env.raw_as(&env.alice, Method::Get, "/users/me", None);
    let etag = r
        .header("ETag")
        .expect("w.Header().Set(model.HeaderEtagServer, etag)")
        .to_owned();
    let url = format!("{}/api/v4/users/me", env.server.url());
    let auth = format!("Bearer {}", env.alice.token);
    let headers = [
        ("Authorization", auth.as_str()),
        ("If-None-Match", etag.as_str()),
    ];
    let request = HttpRequest::new(Method::Get, &url)
        .with_headers(&headers)
        .with_timeout(Duration::from_secs(10));
    let r = env.http.send(&request).unwrap();
    assert_eq!(r.status(), 304, "HandleEtag");
}

#[test]
fn get_user_by_username_validates_as_is_valid_username() {
    let env = env();
    let bob = json(&env.raw_as(&env.alice, Method::Get, "/users/username/bob", None));
    assert_eq!(bob["id"], env.bob.id.as_str());
    for bad in ["Bob", "all", "a..b%20"] {
        let r = env.raw_as(
            &env.alice,
            Method::Get,
            &format!("/users/username/{bad}"),
            None,
        );
        if r.status() == 404 {
            continue; // the router itself refuses '%'
        }
        assert_app_error(
            &r,
            400,
            "api.context.invalid_body_param.app_error",
            Some("username"),
        );
    }
    let r = env.raw_as(&env.alice, Method::Get, "/users/username/nobody", None);
    assert_app_error(&r, 404, "app.user.get_by_username.app_error", None);
    let err = GetUserByUsername::new("nobody")
        .send(&env.session(&env.alice))
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[test]
fn deactivated_users_are_still_answered_with_delete_at_and_lose_their_sessions() {
    let env = env();
    env.fake.set_active(env.bob.id, false);
    let by_id = json(&env.raw_as(
        &env.alice,
        Method::Get,
        &format!("/users/{}", env.bob.id),
        None,
    ));
    assert!(by_id["delete_at"].as_i64().unwrap() > 0, "{by_id}");
    let by_name = json(&env.raw_as(&env.alice, Method::Get, "/users/username/bob", None));
    assert_eq!(by_name["delete_at"], by_id["delete_at"]);
    let list = json(&env.raw_as(
        &env.alice,
        Method::Post,
        "/users/usernames",
        Some(r#"["bob"]"#),
    ));
    assert_eq!(list[0]["delete_at"], by_id["delete_at"], "{list}");
    let user = GetUserByUsername::new("bob")
        .send(&env.session(&env.alice))
        .unwrap();
    assert!(!user.is_active());
    // UpdateActive: RevokeAllSessions.
    let r = env.raw_as(&env.bob, Method::Get, "/users/me", None);
    assert_app_error(&r, 401, "api.context.session_expired.app_error", None);
    env.fake.set_active(env.bob.id, true);
    assert_eq!(
        env.raw_as(&env.bob, Method::Get, "/users/me", None)
            .status(),
        200
    );
}

#[test]
fn a_guest_sees_only_the_members_of_their_channels() {
    let env = env();
    let guest = env.fake.add_guest("visitor");
    assert!(guest.is_guest);
    let me = json(&env.raw_as(&guest, Method::Get, "/users/me", None));
    assert_eq!(me["roles"], "system_guest");
    // No channel yet: nobody else.
    let alice_path = format!("/users/{}", env.alice.id);
    let r = env.raw_as(&guest, Method::Get, &alice_path, None);
    assert_app_error(&r, 403, "api.context.permissions.app_error", None);
    // An unknown name is 403 too for a restricted viewer: it does not learn which exist.
    let r = env.raw_as(&guest, Method::Get, "/users/username/nobody", None);
    assert_app_error(&r, 403, "api.context.permissions.app_error", None);
    let list = json(&env.raw_as(
        &guest,
        Method::Post,
        "/users/usernames",
        Some(r#"["alice","bob"]"#),
    ));
    assert_eq!(list, serde_json::json!([]));
    env.fake
        .add_channel_members("project", &[guest.id, env.alice.id]);
    assert_eq!(
        env.raw_as(&guest, Method::Get, &alice_path, None).status(),
        200
    );
    let r = env.raw_as(&guest, Method::Get, "/users/username/bob", None);
    assert_app_error(&r, 403, "api.context.permissions.app_error", None);
    let ids = format!(r#"["{}","{}"]"#, env.alice.id, env.bob.id);
    let list = json(&env.raw_as(&guest, Method::Post, "/users/ids", Some(&ids)));
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["username"], "alice");
    // Others see a guest without restriction.
    let seen = json(&env.raw_as(&env.bob, Method::Get, &format!("/users/{}", guest.id), None));
    assert_eq!(seen["roles"], "system_guest");
}

#[test]
fn preferences_of_oneself_or_as_admin_by_category_and_name() {
    let env = env();
    let all = json(&env.raw_as(&env.alice, Method::Get, "/users/me/preferences", None));
    let cats: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["category"].as_str().unwrap())
        .collect();
    // createUserOrGuest saves these three for every new user.
    for c in ["recommended_next_steps", "system_notice", "tutorial_step"] {
        assert!(cats.contains(&c), "{c} missing from {all}");
    }
    assert_eq!(all[0]["user_id"], env.alice.id.as_str());
    let one = json(&env.raw_as(
        &env.alice,
        Method::Get,
        "/users/me/preferences/system_notice",
        None,
    ));
    assert_eq!(
        one,
        serde_json::json!([{"user_id": env.alice.id.as_str(), "category": "system_notice", "name": "GMasDM", "value": "true"}])
    );
    let r = env.raw_as(
        &env.alice,
        Method::Get,
        "/users/me/preferences/display_settings",
        None,
    );
    assert_app_error(
        &r,
        404,
        "api.preference.preferences_category.get.app_error",
        None,
    );
    let r = env.raw_as(
        &env.alice,
        Method::Get,
        "/users/me/preferences/display_settings/name/x",
        None,
    );
    assert_app_error(&r, 400, "app.preference.get.app_error", None);
    let bob = format!("/users/{}/preferences", env.bob.id);
    let r = env.raw_as(&env.alice, Method::Get, &bob, None);
    assert_app_error(&r, 403, "api.context.permissions.app_error", None);
    let r = env.raw_as(&env.admin, Method::Get, &bob, None);
    assert_eq!(r.status(), 200, "edit_other_users");
    // The recent custom statuses are one more row, once there are some.
    let session = env.session(&env.alice);
    UpdateCustomStatus::new(UserId::me())
        .text("Lunch")
        .send(&session)
        .unwrap();
    let cs = json(&env.raw_as(
        &env.alice,
        Method::Get,
        "/users/me/preferences/custom_status",
        None,
    ));
    assert_eq!(cs[0]["name"], "recent_custom_statuses", "{cs}");
}
